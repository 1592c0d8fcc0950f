//! [`Pipe`]: the two bounded message queues between a socket and one peer's session.
//!
//! Each direction is a [`Queue`] of whole messages (see [`queue`] for the high-water mark
//! and the batched credit). A pipe adds who is at the other end (a session on an I/O
//! thread, or another socket for `inproc://`), whom to wake, and what the socket learnt
//! about the peer (routing id, metadata, linger).

mod queue;
// A lock-free queue (slots handed from writer to reader by a published count), not a
// syscall: with shared_socket's lock, the only `unsafe` outside `sys`.
#[allow(unsafe_code)]
mod ring;
mod sync;

use queue::Queue;
pub(crate) use queue::Taken;

use crate::io::{Direct, FastLane, IoShared, LingerGuard};
use crate::msg::Msg;
use crate::proto::Metadata;
use crate::socket_shared::{SocketCmd, SocketShared};
use crate::wakeup::Woken;
use bytes::Bytes;
use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

/// About how many outgoing frames a session takes from its pipe at once (whole messages:
/// more only to end one). A writer far ahead of its connection (a publisher with a large
/// SNDHWM, each subscriber's queue holding up to the whole burst) then costs the session
/// a small private batch that stays in cache, not a copy of its whole queue in a buffer
/// that grows to that size and stays so. 256 frames are a ring chunk, 12 KiB of `Msg`s
/// (in L1); a connection's write batch of 64-byte messages takes some 16 of them.
const OUTGOING_BATCH: usize = 256;

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
        /// Where the session lends its connection so the socket can write directly.
        lane: FastLane,
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
                lane: FastLane::default(),
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
            // the queue's SeqCst fences order the two, so one of them tells the binder.
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
        let mut slot = msg;
        if self.send_from(&mut slot) {
            Ok(())
        } else {
            Err(slot)
        }
    }

    /// [`Pipe::send`] from `slot`: `true` when sent (`slot` is left empty), `false` with
    /// the frame still in `slot` at the HWM. Queued, the frame is moved once, from the
    /// slot into the queue.
    pub fn send_from(&self, slot: &mut Msg) -> bool {
        if self.send_direct(std::slice::from_ref(slot)) {
            // Written on this thread: the frame is done with.
            *slot = Msg::new();
            return true;
        }
        match self.out.try_push_from(slot) {
            Some(waiting) => {
                self.pushed(waiting);
                true
            }
            None => false,
        }
    }

    /// Whether a new message fits under the HWM (marks the socket waiting when not).
    pub fn can_send(&self) -> bool {
        self.out.check_room()
    }

    /// Sends all frames of one message; the caller checked [`Pipe::can_send`] first.
    pub fn send_frames(&self, frames: Vec<Msg>) {
        if self.send_direct(&frames) {
            return;
        }
        let waiting = self.out.push_all(frames, 1).0;
        self.pushed(waiting);
    }

    /// One pipe of a fan-out (see `Pipes::fan_out`): queues a single-frame message, never
    /// writing it on this thread, or gives it back at the HWM. `Ok(Some(wake))`: the
    /// session is waiting for it, and the caller wakes it once the whole fan-out is
    /// queued (one hand-off per I/O thread, [`crate::io::IoShared::activate_all`]); an
    /// inproc peer is woken here.
    pub fn queue(&self, msg: Msg) -> Result<Option<&SessionWake>, Msg> {
        let waiting = self.out.try_push(msg)?;
        Ok(self.pushed_later(waiting))
    }

    /// [`Pipe::queue`] for all frames of one message; the caller checked
    /// [`Pipe::can_send`] first.
    pub fn queue_frames(&self, frames: Vec<Msg>) -> Option<&SessionWake> {
        let waiting = self.out.push_all(frames, 1).0;
        self.pushed_later(waiting)
    }

    /// After a push: the session to wake (`reader_waiting`), left to the caller; an
    /// inproc peer is told at once, as after any push.
    fn pushed_later(&self, reader_waiting: bool) -> Option<&SessionWake> {
        match &self.peer {
            Peer::Session { wake, .. } => reader_waiting.then_some(wake),
            Peer::Socket(_) => {
                self.pushed(reader_waiting);
                None
            }
        }
    }

    /// The fast path: writes one whole message on this thread when the session has lent
    /// an idle connection (see `io::FastLane`). `false`: queue it as usual.
    fn send_direct(&self, frames: &[Msg]) -> bool {
        let Peer::Session { wake, lane, .. } = &self.peer else {
            return false;
        };
        let attempt = lane.try_send(
            frames,
            || self.out.claim_idle(),
            self.out.lwm(),
            Instant::now,
        );
        if attempt.ack > 0 {
            // Here, not by the session: its I/O thread may not run for a long while on a
            // loaded machine, and REP drops a reply once SNDHWM messages wait for it.
            self.ack_outgoing(attempt.ack);
        }
        if attempt.wake {
            wake.wake();
        }
        attempt.direct != Direct::Declined
    }

    /// How to wake the session at the other end (none for inproc pipes).
    pub fn session_wake(&self) -> Option<&SessionWake> {
        match &self.peer {
            Peer::Session { wake, .. } => Some(wake),
            Peer::Socket(_) => None,
        }
    }

    /// The receive fast path: called by a receive that would block with this pipe as
    /// its socket's only one. Reads the connection the session lent (see
    /// `io::FastLane::wait_for_input`) and delivers what it decodes to the inbound queue
    /// as the session would; with nothing there, waits with `wait` on the socket's
    /// wake-ups and the stream's fd together. `None`: no connection to read here now (or
    /// the I/O thread has yet to carry out a command, which may concern it), wait as
    /// usual.
    pub fn wait_for_input(&self, wait: impl FnOnce(RawFd) -> Woken) -> Option<Woken> {
        let Peer::Session { wake, lane, .. } = &self.peer else {
            return None;
        };
        if !wake.io.settled() {
            return None;
        }
        lane.wait_for_input(
            &mut |frames, msgs| self.deliver(frames, msgs),
            &mut || wake.wake(),
            wait,
        )
    }

    /// The lane where the session lends its connection (none for inproc pipes).
    pub fn lane(&self) -> Option<&FastLane> {
        match &self.peer {
            Peer::Session { lane, .. } => Some(lane),
            Peer::Socket(_) => None,
        }
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

    /// Moves queued outgoing frames into `into`, whole messages of
    /// [`OUTGOING_BATCH`] frames or so at a time, acknowledging `consumed` messages (see
    /// [`Pipe::ack_outgoing`]). Returns whether the socket is gone and nothing is left.
    pub fn drain_outgoing(&self, into: &mut VecDeque<Msg>, consumed: usize) -> bool {
        let t = self.out.take_some(into, consumed, OUTGOING_BATCH);
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
        self.inbound.writer_credit()
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
