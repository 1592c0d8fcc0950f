//! [`Pipe`]: the two bounded message queues between a socket and one peer's session.
//!
//! Each direction is a [`Queue`] of whole messages (the writer pushes all frames of a
//! message at once, so a reader never sees half a message). The high-water mark counts
//! messages, as libzmq does: the writer may push while fewer than `hwm` messages are in
//! flight, and the reader returns credit in batches: whenever it has consumed a low-water
//! mark's worth ([`low_water_mark`], half the HWM as in libzmq's `pipe_t`) while it reads,
//! and the rest when it comes back for more. A session consumes a message when the
//! kernel has taken its last byte, so it holds no more than the HWM allows beyond the
//! kernel's buffer.
//!
//! Readers take everything queued in one lock and work through it privately; a writer
//! wakes its reader only when the reader has said it is waiting (the queue ran dry), and a
//! reader wakes its writer only when the writer has said it is blocked at the HWM. A busy
//! pipe therefore costs one uncontended lock per batch on the reading side and no wake-ups.

use crate::io::{IoShared, LingerGuard};
use crate::msg::Msg;
use crate::proto::Metadata;
use crate::socket_shared::{SocketCmd, SocketShared};
use bytes::Bytes;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

#[derive(Debug, Default)]
struct QueueState {
    frames: VecDeque<Msg>,
    /// Messages pushed and not yet acknowledged by the reader.
    in_flight: usize,
    /// 0 = unlimited.
    hwm: usize,
    reader_waiting: bool,
    writer_waiting: bool,
    /// The writer is gone: no more messages will come.
    closed: bool,
    /// CONFLATE: only the newest message is kept, and the HWM does not apply.
    conflate: bool,
}

impl QueueState {
    fn has_room(&self) -> bool {
        self.hwm == 0 || self.conflate || self.in_flight < self.hwm
    }

    /// With CONFLATE, drops every queued message but the last (whole messages: the
    /// frames up to the last one that ends a message, before the final message).
    fn keep_last(&mut self) {
        let ends = self.frames.iter().filter(|m| !m.more()).count();
        if ends <= 1 {
            return;
        }
        let mut to_drop = ends - 1;
        while to_drop > 0 {
            match self.frames.pop_front() {
                Some(m) if !m.more() => to_drop -= 1,
                Some(_) => {}
                None => break,
            }
        }
        self.in_flight = 1;
    }

    fn credit(&self) -> usize {
        if self.hwm == 0 || self.conflate {
            usize::MAX
        } else {
            self.hwm.saturating_sub(self.in_flight)
        }
    }
}

/// How many consumed messages a reader acknowledges at once for a queue of `hwm`
/// messages: half the HWM, rounded up, as libzmq's `pipe_t::compute_lwm`. Credit returns
/// while the reader reads, not only when it comes back to an empty queue, and a writer
/// blocked at the HWM wakes once instead of once per message. Unlimited queues (0)
/// acknowledge in chunks of 1024 only to keep the count small. For example HWM 1000
/// gives 500, HWM 1 gives 1.
pub(crate) fn low_water_mark(hwm: usize) -> usize {
    match hwm {
        0 => 1024,
        n => n / 2 + n % 2,
    }
}

/// What a reader found when it came for more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Taken {
    /// The writer was blocked at the HWM and now has room: wake it.
    pub wake_writer: bool,
    /// The queue is empty and its writer is gone.
    pub finished: bool,
}

/// One direction of a pipe.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    state: Mutex<QueueState>,
    /// [`low_water_mark`] of the current HWM, readable without the lock.
    lwm: AtomicUsize,
}

impl Queue {
    fn new(hwm: usize) -> Queue {
        Queue {
            state: Mutex::new(QueueState {
                hwm,
                ..QueueState::default()
            }),
            lwm: AtomicUsize::new(low_water_mark(hwm)),
        }
    }

    /// How many consumed messages the reader should acknowledge at once.
    fn lwm(&self) -> usize {
        self.lwm.load(Ordering::Relaxed)
    }

    /// Acknowledges `consumed` messages without taking anything. Returns whether a writer
    /// blocked at the HWM has room now (and must be woken).
    fn ack(&self, consumed: usize) -> bool {
        let mut st = self.lock();
        st.in_flight = st.in_flight.saturating_sub(consumed);
        let wake_writer = st.writer_waiting && st.has_room();
        if wake_writer {
            st.writer_waiting = false;
        }
        wake_writer
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Pushes one single-frame message if the HWM allows. Returns the message back when
    /// full (and marks the writer as waiting), else whether the reader must be woken.
    fn try_push(&self, msg: Msg) -> Result<bool, Msg> {
        let mut st = self.lock();
        if st.closed {
            // The reader side finished; accept and drop, like a pipe being torn down.
            return Ok(false);
        }
        if !st.has_room() {
            st.writer_waiting = true;
            return Err(msg);
        }
        st.frames.push_back(msg);
        st.in_flight += 1;
        if st.conflate {
            st.keep_last();
        }
        Ok(std::mem::take(&mut st.reader_waiting))
    }

    /// Whether a new message may be pushed now; marks the writer waiting when not.
    fn check_room(&self) -> bool {
        let mut st = self.lock();
        let room = st.has_room();
        if !room {
            st.writer_waiting = true;
        }
        room
    }

    /// Pushes `msgs` complete messages made of `frames` (drained), whatever the HWM (the
    /// caller checked for room before the first frame). Returns (wake reader, credit left).
    fn push_all<I: IntoIterator<Item = Msg>>(&self, frames: I, msgs: usize) -> (bool, usize) {
        let mut st = self.lock();
        st.frames.extend(frames);
        st.in_flight += msgs;
        if st.conflate {
            st.keep_last();
        }
        let credit = st.credit();
        if credit == 0 {
            st.writer_waiting = true;
        }
        let wake = msgs > 0 && std::mem::take(&mut st.reader_waiting);
        (wake, credit)
    }

    /// Acknowledges `consumed` messages and moves every queued frame into `into` (which
    /// must be empty). Marks the reader as waiting when nothing was queued.
    fn take(&self, into: &mut VecDeque<Msg>, consumed: usize) -> Taken {
        let mut st = self.lock();
        st.in_flight = st.in_flight.saturating_sub(consumed);
        std::mem::swap(&mut st.frames, into);
        let finished = into.is_empty() && st.closed;
        if into.is_empty() {
            st.reader_waiting = true;
        }
        let wake_writer = st.writer_waiting && st.has_room();
        if wake_writer {
            st.writer_waiting = false;
        }
        Taken {
            wake_writer,
            finished,
        }
    }

    fn close(&self) -> bool {
        let mut st = self.lock();
        st.closed = true;
        std::mem::take(&mut st.reader_waiting)
    }

    fn is_closed(&self) -> bool {
        self.lock().closed
    }

    fn is_empty(&self) -> bool {
        self.lock().frames.is_empty()
    }

    fn set_conflate(&self) {
        let mut st = self.lock();
        st.conflate = true;
        st.keep_last();
    }

    fn set_hwm(&self, hwm: usize) -> bool {
        let mut st = self.lock();
        st.hwm = hwm;
        self.lwm.store(low_water_mark(hwm), Ordering::Relaxed);
        st.writer_waiting && st.has_room()
    }
}

/// The HWM of one direction of an inproc pipe: the sender's SNDHWM plus the receiver's
/// RCVHWM, unlimited if either is (libzmq's `socket_base_t::connect_internal` and its
/// pipes' "HWM boost").
pub(crate) fn combined_hwm(snd: usize, rcv: usize) -> usize {
    if snd == 0 || rcv == 0 {
        0
    } else {
        snd.saturating_add(rcv)
    }
}

/// The SNDHWM and RCVHWM of both sockets of an inproc pipe (`None`: the binder is not
/// known yet), shared by its two ends, so that a change on either side recomputes both
/// directions from current values.
#[derive(Debug, Default)]
struct InprocHwms {
    sides: Mutex<[Option<(usize, usize)>; 2]>,
}

/// An end's place in its [`InprocHwms`].
#[derive(Debug)]
struct InprocSide {
    hwms: Arc<InprocHwms>,
    /// 0 = connector, 1 = binder.
    index: usize,
}

/// Wakes one session on its I/O thread.
#[derive(Debug, Clone)]
pub(crate) struct SessionWake {
    pub io: Arc<IoShared>,
    pub token: usize,
}

impl SessionWake {
    pub fn wake(&self) {
        self.io.activate(self.token);
    }
}

/// The other end of a pipe: who reads `out`, writes `inbound`, and must be woken.
#[derive(Debug)]
enum Peer {
    /// A session on an I/O thread, moving messages to and from the network for `socket`.
    Session {
        wake: SessionWake,
        socket: Arc<SocketShared>,
    },
    /// Another socket of the same context (`inproc://`), known once the endpoint is
    /// bound (a connect may come first).
    Socket(OnceLock<InprocPeer>),
}

/// The socket at the other end of an inproc pipe, and its own end of the pipe.
#[derive(Debug)]
pub(crate) struct InprocPeer {
    pub socket: Arc<SocketShared>,
    /// The address of the peer's [`Pipe`] (what `SocketCmd::Detach` names).
    pub pipe: usize,
}

/// A pipe between a socket (application side) and its peer: a session on an I/O thread,
/// or, for `inproc://`, another socket's pipe sharing the same two queues crosswise.
#[derive(Debug)]
pub(crate) struct Pipe {
    /// Socket → peer.
    out: Arc<Queue>,
    /// Peer → socket.
    inbound: Arc<Queue>,
    peer: Peer,
    /// LINGER of the socket when it let go of the pipe (ms, -1 = forever).
    linger: AtomicI32,
    /// Holds the context's termination back while this pipe may still have messages to
    /// flush; released when the pipe is dropped.
    linger_guard: Mutex<Option<LingerGuard>>,
    /// The routing id of the peer: CONNECT_ROUTING_ID, or its `Identity` once known.
    routing_id: Mutex<Option<Bytes>>,
    /// The inproc endpoint a bound socket accepted this pipe on (for `unbind`).
    bound_via: Option<Arc<str>>,
    /// The READY properties of the peer's current connection (`zmq_msg_gets`).
    peer_metadata: Mutex<Option<Arc<Metadata>>>,
    /// A number unique to the current `peer_metadata` (0: none yet), so a socket can
    /// keep its own copy without taking the lock for every message.
    metadata_generation: AtomicU64,
    /// Inproc: both sockets' HWMs, from which the two queues' HWMs are computed.
    inproc_side: Option<InprocSide>,
}

/// The HWMs `(connector → binder, binder → connector)` of an inproc pipe from both
/// sockets' `(SNDHWM, RCVHWM)`.
fn directions(sides: &[Option<(usize, usize)>; 2]) -> (usize, usize) {
    match (sides[0], sides[1]) {
        (Some((csnd, crcv)), Some((bsnd, brcv))) => {
            (combined_hwm(csnd, brcv), combined_hwm(bsnd, crcv))
        }
        (Some((csnd, crcv)), None) => (csnd, crcv),
        (None, Some((bsnd, brcv))) => (brcv, bsnd),
        (None, None) => (0, 0),
    }
}

impl Pipe {
    pub fn new(
        socket: Arc<SocketShared>,
        session: SessionWake,
        sndhwm: usize,
        rcvhwm: usize,
    ) -> Arc<Pipe> {
        Arc::new(Pipe {
            out: Arc::new(Queue::new(sndhwm)),
            inbound: Arc::new(Queue::new(rcvhwm)),
            peer: Peer::Session {
                wake: session,
                socket,
            },
            linger: AtomicI32::new(-1),
            linger_guard: Mutex::new(None),
            routing_id: Mutex::new(None),
            bound_via: None,
            peer_metadata: Mutex::new(None),
            metadata_generation: AtomicU64::new(0),
            inproc_side: None,
        })
    }

    /// The two ends of an inproc pipe: `(connector's, binder's)`. `connector_hwms` and
    /// `binder_hwms` are each socket's `(SNDHWM, RCVHWM)`, the binder's `None` while the
    /// endpoint is not bound: each direction then holds the connector's own HWM, and from
    /// the bind on the sum of both sides' (see [`combined_hwm`]). The binder's end knows
    /// its peer at once; the connector's end learns it from [`Pipe::set_inproc_peer`]
    /// when the endpoint is bound (immediately when it already is).
    pub fn inproc_pair(
        connector: &Arc<SocketShared>,
        endpoint: Arc<str>,
        connector_hwms: (usize, usize),
        binder_hwms: Option<(usize, usize)>,
    ) -> (Arc<Pipe>, Arc<Pipe>) {
        let hwms = Arc::new(InprocHwms {
            sides: Mutex::new([Some(connector_hwms), binder_hwms]),
        });
        let (to_binder, to_connector) = directions(&[Some(connector_hwms), binder_hwms]);
        let a_to_b = Arc::new(Queue::new(to_binder));
        let b_to_a = Arc::new(Queue::new(to_connector));
        let end = |out: &Arc<Queue>, inbound: &Arc<Queue>, peer, bound_via, index| Pipe {
            out: Arc::clone(out),
            inbound: Arc::clone(inbound),
            peer: Peer::Socket(peer),
            linger: AtomicI32::new(-1),
            linger_guard: Mutex::new(None),
            routing_id: Mutex::new(None),
            bound_via,
            peer_metadata: Mutex::new(None),
            metadata_generation: AtomicU64::new(0),
            inproc_side: Some(InprocSide {
                hwms: Arc::clone(&hwms),
                index,
            }),
        };
        let a = Arc::new(end(&a_to_b, &b_to_a, OnceLock::new(), None, 0));
        let b_peer = OnceLock::from(InprocPeer {
            socket: Arc::clone(connector),
            pipe: Arc::as_ptr(&a) as usize,
        });
        let b = Arc::new(end(&b_to_a, &a_to_b, b_peer, Some(endpoint), 1));
        (a, b)
    }

    /// Connects the connector's end of an inproc pipe to the bound socket. When the
    /// connector already let go of its end, the binder is told at once.
    pub fn set_inproc_peer(&self, peer: InprocPeer) {
        if let Peer::Socket(slot) = &self.peer {
            let _ = slot.set(peer);
            // Paired with `close_from_socket`, which closes before looking for the peer:
            // the queue's lock orders the two, so one of them always tells the binder.
            if self.out.is_closed() {
                self.tell_peer_closed();
            }
        }
    }

    /// Whether this is an inproc pipe (no session, nothing to linger for).
    pub fn is_inproc(&self) -> bool {
        matches!(self.peer, Peer::Socket(_))
    }

    /// The inproc endpoint this (bound side) pipe came through.
    pub fn bound_via(&self) -> Option<&str> {
        self.bound_via.as_deref()
    }

    /// Wakes the peer after messages were pushed to it (`reader_waiting`: it said it
    /// was waiting for them).
    fn pushed(&self, reader_waiting: bool) {
        match &self.peer {
            Peer::Session { wake, .. } => {
                if reader_waiting {
                    wake.wake();
                }
            }
            Peer::Socket(slot) => {
                if let Some(p) = slot.get() {
                    // On every push: a publisher learns subscriptions from this flag.
                    p.socket.mark_inbound();
                    if reader_waiting {
                        p.socket.signal.notify();
                    }
                }
            }
        }
    }

    /// Wakes the peer: room came free for its writer, or this end let go.
    fn wake_peer(&self) {
        match &self.peer {
            Peer::Session { wake, .. } => wake.wake(),
            Peer::Socket(slot) => {
                if let Some(p) = slot.get() {
                    p.socket.signal.notify();
                }
            }
        }
    }

    /// Tells an inproc peer that this end is gone: it reads what is left, then drops it.
    fn tell_peer_closed(&self) {
        if let Peer::Socket(slot) = &self.peer {
            if let Some(p) = slot.get() {
                p.socket.post(SocketCmd::Detach(p.pipe));
            }
        }
    }

    // ---- application (socket) side ----

    /// Sends a single-frame message. Gives it back when the pipe is at its HWM.
    pub fn send(&self, msg: Msg) -> Result<(), Msg> {
        let waiting = self.out.try_push(msg)?;
        self.pushed(waiting);
        Ok(())
    }

    /// Whether a new message fits under the HWM (marks the socket waiting when not).
    pub fn can_send(&self) -> bool {
        self.out.check_room()
    }

    /// Sends all frames of one message; the caller checked [`Pipe::can_send`] first.
    pub fn send_frames<I: IntoIterator<Item = Msg>>(&self, frames: I) {
        let waiting = self.out.push_all(frames, 1).0;
        self.pushed(waiting);
    }

    /// Refills the socket's private buffer from the inbound queue.
    pub fn recv_batch(&self, into: &mut VecDeque<Msg>, consumed: usize) -> Taken {
        let t = self.inbound.take(into, consumed);
        if t.wake_writer {
            self.wake_peer();
        }
        t
    }

    /// How many messages the socket reads before it acknowledges them with
    /// [`Pipe::ack_inbound`].
    pub fn inbound_lwm(&self) -> usize {
        self.inbound.lwm()
    }

    /// The socket consumed `consumed` messages from its private batch: the credit goes
    /// back to the writer now (woken if it was blocked at the HWM).
    pub fn ack_inbound(&self, consumed: usize) {
        if self.inbound.ack(consumed) {
            self.wake_peer();
        }
    }

    /// The socket lets go of the pipe (close, disconnect): the session flushes what is
    /// queued within `linger` ms and then ends. `guard` (given when linger ≠ 0) keeps the
    /// context from terminating until then.
    pub fn close_from_socket(&self, linger: i32, guard: Option<LingerGuard>) {
        self.linger.store(linger, Ordering::SeqCst);
        *self.linger_guard.lock().unwrap_or_else(|e| e.into_inner()) = guard;
        self.out.close();
        if self.is_inproc() {
            // Nothing more will be read from the peer: its later sends are dropped.
            self.inbound.close();
            self.tell_peer_closed();
        }
        self.wake_peer();
    }

    /// The peer's routing id, `None` until known.
    pub fn routing_id(&self) -> Option<Bytes> {
        self.routing_id
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sets the routing id (a CONNECT_ROUTING_ID fixed by the socket wins over the
    /// `Identity` a peer announces later).
    pub fn set_routing_id(&self, id: Bytes, fixed_by_socket: bool) {
        let mut slot = self.routing_id.lock().unwrap_or_else(|e| e.into_inner());
        if fixed_by_socket || slot.is_none() {
            *slot = Some(id);
        }
    }

    /// CONFLATE: from now on both directions keep only their newest message.
    pub fn set_conflate(&self) {
        self.out.set_conflate();
        self.inbound.set_conflate();
    }

    /// The peer's READY properties, once a connection completed its handshake (never
    /// for inproc pipes).
    pub fn peer_metadata(&self) -> Option<Arc<Metadata>> {
        self.peer_metadata
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Records the READY properties of a new connection's peer.
    pub fn set_peer_metadata(&self, meta: Arc<Metadata>) {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let mut slot = self.peer_metadata.lock().unwrap_or_else(|e| e.into_inner());
        *slot = Some(meta);
        self.metadata_generation
            .store(NEXT.fetch_add(1, Ordering::Relaxed), Ordering::Release);
    }

    /// Changes whenever [`Pipe::set_peer_metadata`] is called (0 before).
    pub fn metadata_generation(&self) -> u64 {
        self.metadata_generation.load(Ordering::Acquire)
    }

    /// Applies new HWMs of this end's socket to this existing pipe (inproc: added to the
    /// other socket's, as libzmq does).
    pub fn set_hwms(&self, sndhwm: usize, rcvhwm: usize) {
        match &self.inproc_side {
            None => self.apply_hwms(sndhwm, rcvhwm),
            Some(side) => self.update_inproc_hwms(side, side.index, (sndhwm, rcvhwm)),
        }
    }

    /// Inproc, connector's end: the endpoint was bound by a socket with these
    /// `(SNDHWM, RCVHWM)`; both directions now hold the sums.
    pub fn set_binder_hwms(&self, hwms: (usize, usize)) {
        if let Some(side) = &self.inproc_side {
            self.update_inproc_hwms(side, 1, hwms);
        }
    }

    fn update_inproc_hwms(&self, side: &InprocSide, index: usize, hwms: (usize, usize)) {
        let mut sides = side.hwms.sides.lock().unwrap_or_else(|e| e.into_inner());
        sides[index] = Some(hwms);
        let (to_binder, to_connector) = directions(&sides);
        // Under the lock, so that two sockets changing theirs at once agree.
        match side.index {
            0 => self.apply_hwms(to_binder, to_connector),
            _ => self.apply_hwms(to_connector, to_binder),
        }
    }

    fn apply_hwms(&self, out: usize, inbound: usize) {
        if self.out.set_hwm(out) {
            self.wake_socket();
        }
        if self.inbound.set_hwm(inbound) {
            self.wake_peer();
        }
    }

    // ---- I/O (session) side ----

    /// Moves every queued outgoing frame into `into`, acknowledging `consumed` messages
    /// (see [`Pipe::ack_outgoing`]). Returns whether the socket is gone and nothing is
    /// left.
    pub fn drain_outgoing(&self, into: &mut VecDeque<Msg>, consumed: usize) -> bool {
        let t = self.out.take(into, consumed);
        if t.wake_writer {
            self.wake_socket();
        }
        t.finished
    }

    /// How many sent messages the session acknowledges at once.
    pub fn outgoing_lwm(&self) -> usize {
        self.out.lwm()
    }

    /// The session is done with `consumed` outgoing messages (the kernel took them, or
    /// the connection that was to carry them is gone): the socket may send that many
    /// more, and is woken if it was blocked at SNDHWM.
    pub fn ack_outgoing(&self, consumed: usize) {
        if self.out.ack(consumed) {
            self.wake_socket();
        }
    }

    /// Wakes the socket of a session pipe (room came free for its sends).
    fn wake_socket(&self) {
        if let Peer::Session { socket, .. } = &self.peer {
            socket.signal.notify();
        }
    }

    /// Whether the socket has let go of this pipe.
    pub fn socket_closed(&self) -> bool {
        self.out.is_closed()
    }

    /// Whether outgoing messages are waiting to be drained.
    pub fn has_outgoing(&self) -> bool {
        !self.out.is_empty()
    }

    /// The socket's LINGER at the time it let go of the pipe.
    pub fn linger(&self) -> i32 {
        self.linger.load(Ordering::SeqCst)
    }

    /// Delivers `msgs` complete incoming messages. Returns the credit left (how many more
    /// messages fit under RCVHWM); at 0 the session must stop reading until woken.
    pub fn deliver<I: IntoIterator<Item = Msg>>(&self, frames: I, msgs: usize) -> usize {
        let (wake, credit) = self.inbound.push_all(frames, msgs);
        if let Peer::Session { socket, .. } = &self.peer {
            socket.mark_inbound();
            if wake {
                socket.signal.notify();
            }
        }
        credit
    }

    /// The credit the session may use before delivering (see [`Pipe::deliver`]).
    pub fn inbound_credit(&self) -> usize {
        let mut st = self.inbound.lock();
        let c = st.credit();
        if c == 0 {
            st.writer_waiting = true;
        }
        c
    }

    /// The peer completed a handshake (connect side: on every connection).
    pub fn peer_ready(&self) {
        if let Peer::Session { socket, .. } = &self.peer {
            socket.pipe_ready(self);
        }
    }

    /// The connection of an IMMEDIATE connect-side pipe dropped: the messages queued for
    /// it go, and the socket stops routing to it until the next handshake.
    pub fn peer_lost(&self) {
        let mut dropped = VecDeque::new();
        self.out.take(&mut dropped, usize::MAX);
        if let Peer::Session { socket, .. } = &self.peer {
            socket.post(SocketCmd::PeerLost(self as *const Pipe as usize));
        }
    }

    /// The session ends: the socket reads what is left and then drops the pipe.
    pub fn close_from_session(&self) {
        let waiting = self.inbound.close();
        if let Peer::Session { socket, .. } = &self.peer {
            if waiting {
                socket.signal.notify();
            }
            socket.pipe_terminated(self);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(s: &str, more: bool) -> Msg {
        let mut m = Msg::from(s);
        m.set_more(more);
        m
    }

    #[test]
    fn hwm_counts_messages_and_credit_returns_on_take() {
        let q = Queue::new(2);
        assert!(q.try_push(msg("a", false)).is_ok());
        assert!(q.try_push(msg("b", false)).is_ok());
        assert!(q.try_push(msg("c", false)).is_err());
        let mut local = VecDeque::new();
        let t = q.take(&mut local, 0);
        assert_eq!(local.len(), 2);
        assert!(!t.wake_writer, "nothing consumed yet, still no room");
        local.clear();
        let t = q.take(&mut local, 2);
        assert!(t.wake_writer, "the blocked writer has room again");
        assert!(q.try_push(msg("c", false)).is_ok());
    }

    #[test]
    fn multipart_is_pushed_whole_and_counts_once() {
        let q = Queue::new(1);
        let (_, credit) = q.push_all([msg("a", true), msg("b", true), msg("c", false)], 1);
        assert_eq!(credit, 0);
        let mut local = VecDeque::new();
        q.take(&mut local, 0);
        assert_eq!(local.len(), 3);
        assert!(!local[1].more() || local[1].more());
        assert!(!local[2].more());
    }

    #[test]
    fn conflate_keeps_only_the_newest_whole_message() {
        let q = Queue::new(1);
        q.set_conflate();
        for s in ["a", "b", "c"] {
            assert!(q.try_push(msg(s, false)).is_ok(), "no HWM with conflate");
        }
        q.push_all([msg("d1", true), msg("d2", false), msg("e", false)], 2);
        let mut local = VecDeque::new();
        q.take(&mut local, 0);
        let got: Vec<&[u8]> = local.iter().map(|m| &m[..]).collect();
        assert_eq!(got, [&b"e"[..]]);
        q.push_all([msg("f1", true), msg("f2", false)], 1);
        local.clear();
        q.take(&mut local, 1);
        let got: Vec<&[u8]> = local.iter().map(|m| &m[..]).collect();
        assert_eq!(got, [&b"f1"[..], &b"f2"[..]]);
    }

    #[test]
    fn reader_is_woken_only_after_it_waited() {
        let q = Queue::new(0);
        assert_eq!(q.try_push(msg("a", false)), Ok(false));
        let mut local = VecDeque::new();
        q.take(&mut local, 0);
        local.clear();
        q.take(&mut local, 1); // finds nothing: now waiting
        assert_eq!(q.try_push(msg("b", false)), Ok(true));
        assert_eq!(q.try_push(msg("c", false)), Ok(false));
    }

    #[test]
    fn low_water_mark_is_half_the_hwm_rounded_up() {
        assert_eq!(low_water_mark(1000), 500);
        assert_eq!(low_water_mark(21), 11);
        assert_eq!(low_water_mark(1), 1);
        assert!(low_water_mark(0) > 0, "unlimited queues still acknowledge");
    }

    #[test]
    fn an_ack_without_a_take_wakes_a_blocked_writer() {
        let q = Queue::new(4);
        for s in ["a", "b", "c", "d"] {
            assert!(q.try_push(msg(s, false)).is_ok());
        }
        assert!(
            q.try_push(msg("e", false)).is_err(),
            "full: the writer waits"
        );
        let mut local = VecDeque::new();
        assert!(!q.take(&mut local, 0).wake_writer);
        assert_eq!(q.lwm(), 2);
        assert!(q.ack(2), "two read of four: room, and the writer is told");
        assert!(!q.ack(1), "told once");
        assert!(q.try_push(msg("e", false)).is_ok());
        q.set_hwm(10);
        assert_eq!(q.lwm(), 5);
    }

    #[test]
    fn closed_and_empty_is_finished() {
        let q = Queue::new(0);
        q.try_push(msg("a", false)).unwrap();
        q.close();
        let mut local = VecDeque::new();
        assert!(!q.take(&mut local, 0).finished);
        local.clear();
        assert!(q.take(&mut local, 1).finished);
    }
}
