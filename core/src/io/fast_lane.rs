//! [`FastLane`]: the application thread writes a message itself instead of handing it to
//! the I/O thread (DESIGN.md §3, the fast path).
//!
//! Through the I/O thread a message costs two hand-offs on the sending side: the pipe's
//! queue plus an eventfd wake of the reactor, then epoll and the write. While a
//! connection is in its traffic phase and the session has nothing to do for it, the
//! session *lends* its [`Connection`] (and the stream's fd) to the lane between two turns
//! of the I/O thread. A send on the application thread then takes the lane's lock with
//! `try_lock`, and, when the connection is idle (nothing queued in the pipe, nothing
//! drained by the session and not yet encoded, no byte in the connection's output) and
//! the stream was writable, encodes the message (through the mechanism: CURVE boxes it)
//! and writes it with one non-blocking `sendmsg` (`MSG_NOSIGNAL`, never SIGPIPE). What
//! the kernel did not take stays in the connection's output for the I/O thread, which is
//! woken for it. SNDHWM accounting does not change: the message is counted in flight in
//! the pipe's queue as it is claimed, and acknowledged (at the queue's low-water mark,
//! as queued messages are) once its last byte is written: by the application thread
//! when it wrote the messages that reach the mark and had not done so in the last
//! [`SELF_ACK_INTERVAL`], so that credit never waits long for an I/O thread that a loaded
//! machine does not schedule, else by the session.
//!
//! Neither side ever waits for the other: the application thread gives up (and queues
//! the message as before) when the lock is taken or the connection is not lent; the I/O
//! thread, when it finds the lock taken, leaves a note (`io_wanted`) and goes on with its
//! other sessions, and the application thread wakes the session as it lets go of the
//! lock. Everything the I/O thread does to a connection (reading, heartbeats, timers,
//! monitor events, losing it) happens after it took the connection back, so none of that
//! changes; the lane only moves *when* an idle connection's next message is written, never
//! its order: a message goes direct only when everything sent before it has been
//! written.
//!
//! A sender that writes message after message would pay one syscall per message this way
//! instead of the I/O thread's batches, so the lane takes at most the budget the session
//! lent it with (`io::direct_budget`: refilled by a message from the peer or a pause in
//! sending, so a request/reply exchange goes direct and a stream goes through the queue
//! and its batching).
//!
//! The receiving half ([`receive`]) lets a blocked receive read the lent connection on
//! the application thread in the same way.
//!
//! The decisions are plain code over any [`Write`]: the tests below drive them with a
//! scripted writer that takes some bytes, then says EAGAIN or EPIPE, and decode what
//! came out with a second [`Connection`], with no socket and no thread.

use crate::io::direct_budget::STREAK;
use crate::msg::Msg;
use crate::proto::connection::{Connection, ConnectionError};
use crate::sys::fd::send_vectored;
use std::io::{self, IoSlice, Write};
use std::sync::atomic::{fence, AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

/// The application thread returns SNDHWM credit itself at most this often; between two
/// returns, the session returns it on its turn. libzmq's writer hears of its reader's
/// progress when it processes commands, which a non-blocking send does at most about once
/// a millisecond: a tight loop of non-blocking sends meets the HWM after about HWM
/// messages, however fast the kernel takes them (libzmq's `test_router_mandatory_hwm`
/// counts on it). Returning credit for every direct write would let such a loop fill the
/// kernel's buffers instead; never returning it here would leave it waiting for an I/O
/// thread that a loaded machine may not schedule for many milliseconds.
pub(crate) const SELF_ACK_INTERVAL: Duration = Duration::from_millis(1);

mod receive;
mod watch;

pub(crate) use watch::{Registration, Watch};

/// Writes to a stream socket by its fd with `sendmsg(MSG_NOSIGNAL)`: the fd stays owned by
/// the session, which takes the connection back from the lane before it closes it (and
/// the I/O thread's poller, where the stream is registered, outlives its sessions).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FdWriter(pub Registration);

impl Write for FdWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        send_vectored(self.0.fd, &[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        send_vectored(self.0.fd, bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A connection lent to the lane by its session, with what the session knew of it.
#[derive(Debug)]
pub(crate) struct Lent<W = FdWriter> {
    pub conn: Box<Connection>,
    /// Where the connection's bytes go (the stream).
    pub out: W,
    /// The stream took the last write whole (no EAGAIN since).
    pub writable: bool,
    /// The session had no message drained from the pipe and not yet encoded.
    pub idle: bool,
    /// An encoding error met on the application thread: the session fails the
    /// connection with it when it takes it back.
    pub failure: Option<ConnectionError>,
    /// Messages the application thread wrote out completely (or dropped on an encoding
    /// error) and has not acknowledged yet: the session acknowledges them to the pipe
    /// when it takes the connection back, unless the mark is reached first.
    pub done: usize,
    /// Messages the session finished before it lent the connection and has not
    /// acknowledged yet: they count towards the mark at which the application thread
    /// acknowledges (then they are no longer the session's to acknowledge).
    pub unacked: usize,
    /// When the application thread last returned credit itself (or the connection was
    /// lent): see [`SELF_ACK_INTERVAL`].
    pub acked_at: Instant,
    /// The application thread wrote a message since the session lent the connection.
    wrote: bool,
    /// Messages written since the budget was last set (lent, or refilled by a message
    /// the application thread received itself).
    streak: u32,
    /// How many it may write from then (the session's
    /// [`DirectBudget`](super::direct_budget)).
    budget: u32,
    /// The application thread received a message and refilled the budget, as the
    /// session's own read would have (`DirectBudget::inbound`).
    refilled: bool,
    /// Names the connection (not the lending) to a receive waiting on its stream: the
    /// session's connection epoch plus one; 0 = the application thread does not read it.
    pub id: u64,
    /// The socket's RCVHWM credit: how many more messages may be delivered to the pipe
    /// (the session's own count, carried while lent so both threads spend one count).
    pub credit: usize,
    /// The application thread met the stream's end or an error reading: the session
    /// reads again itself and reports it.
    pub ended: bool,
    /// The application thread's batch of decoded messages, kept for its allocation.
    inbox: Vec<Msg>,
    /// What the I/O thread's poller watches the stream for now (see [`watch`]): the
    /// session's registration when lent; a parked receive changes it.
    pub watch: Watch,
}

/// What the application thread did with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direct {
    /// Not its turn: the message goes through the pipe's queue.
    Declined,
    /// The kernel took the whole message.
    Written,
    /// The kernel took the whole message, and the messages done reach the low-water
    /// mark: the application thread acknowledges them to the pipe itself
    /// ([`Attempt::ack`]), so that SNDHWM credit never waits for the I/O thread.
    Acknowledge,
    /// The message is in the connection's output, part of it (or none) written: the
    /// session must be woken to write the rest.
    Leftover,
    /// Encoding failed: the message is dropped and the session must be woken to fail the
    /// connection.
    Failed,
}

impl<W: Write> Lent<W> {
    /// A connection lent by its session: `writable` as the session last saw the stream,
    /// `idle` when it holds no drained message; at most `budget` messages go direct.
    pub fn new(conn: Box<Connection>, out: W, writable: bool, idle: bool, budget: u32) -> Lent<W> {
        Lent {
            conn,
            out,
            writable,
            idle,
            failure: None,
            done: 0,
            unacked: 0,
            acked_at: Instant::now(),
            wrote: false,
            streak: 0,
            budget,
            refilled: false,
            id: 0,
            credit: 0,
            ended: false,
            inbox: Vec::new(),
            watch: Watch::ALL,
        }
    }

    /// The credit of the messages done, for the application thread to return to the pipe
    /// itself, if it last did (or the connection was lent) [`SELF_ACK_INTERVAL`] or more
    /// before `now`; else 0, and they stay for the session to acknowledge.
    fn take_acks(&mut self, now: Instant) -> usize {
        if now.saturating_duration_since(self.acked_at) < SELF_ACK_INTERVAL {
            return 0;
        }
        self.acked_at = now;
        std::mem::take(&mut self.done) + std::mem::take(&mut self.unacked)
    }

    /// Whether the application thread wrote directly while the connection was lent.
    pub fn wrote(&self) -> bool {
        self.wrote
    }

    /// What the session's budget becomes when it takes the connection back: whether the
    /// application thread refilled it, and the direct writes it spent since then.
    pub fn budget_spent(&self) -> (bool, u32) {
        (self.refilled, self.streak)
    }

    /// A message from the peer reached the application thread: a reply may follow it,
    /// so the budget is refilled as the session's own read would refill it.
    fn refill(&mut self) {
        self.refilled = true;
        self.streak = 0;
        self.budget = STREAK;
    }

    /// Lets the application thread read the connection too (see [`receive`]): `id`
    /// names the connection (non-zero), `credit` is the session's RCVHWM credit.
    pub fn receiving(mut self, id: u64, credit: usize) -> Lent<W> {
        self.id = id;
        self.credit = credit;
        self
    }

    /// Whether the connection may take a message directly now (the pipe's queue is asked
    /// next): everything sent before it must be written out.
    pub fn may_write(&self) -> bool {
        self.writable
            && self.idle
            && self.failure.is_none()
            && self.streak < self.budget
            && self.conn.is_established()
            && self.conn.pending_bytes() == 0
            && !self.conn.mid_message()
    }

    /// Encodes `frames` (one whole message) and writes them with one non-blocking write,
    /// if [`Lent::may_write`] allows and `claim` too: it checks that the pipe's queue is
    /// empty with room under SNDHWM, and then counts the message in flight.
    pub fn send(&mut self, frames: &[Msg], claim: impl FnOnce() -> bool) -> Direct {
        if !self.may_write() || !claim() {
            return Direct::Declined;
        }
        let encoded = self
            .conn
            .flush_pending()
            .and_then(|()| frames.iter().try_for_each(|f| self.conn.send(f)));
        if let Err(e) = encoded {
            self.failure = Some(e);
            // Dropped: its SNDHWM credit comes back all the same.
            self.done += 1;
            return Direct::Failed;
        }
        self.streak = self.streak.saturating_add(1);
        self.wrote = true;
        loop {
            match self.conn.write_to(&mut self.out) {
                Ok(_) if self.conn.pending_bytes() == 0 => {
                    // Only this message was in the output: the count is its own.
                    self.done += self.conn.take_written_messages();
                    return Direct::Written;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.writable = false;
                    return Direct::Leftover;
                }
                // A partial write, or an error the session meets again on its own write
                // (and reports as it always does): the rest is the I/O thread's.
                _ => return Direct::Leftover,
            }
        }
    }
}

/// The I/O thread found the lane's lock taken: it is woken when the application thread
/// lets go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Busy;

/// The place where a session lends its connection to the application thread (one per
/// session pipe).
#[derive(Debug)]
pub(crate) struct FastLane<W = FdWriter> {
    slot: Mutex<Option<Lent<W>>>,
    /// The I/O thread wanted the connection back while the application thread held it.
    io_wanted: AtomicBool,
    /// The id of the lent connection whose stream a blocked receive waits on (0: none;
    /// see [`receive`]).
    parked: AtomicU64,
    /// The I/O thread left a readable event to the receive waiting on the stream.
    read_deferred: AtomicBool,
}

impl<W> Default for FastLane<W> {
    fn default() -> Self {
        FastLane {
            slot: Mutex::new(None),
            io_wanted: AtomicBool::new(false),
            parked: AtomicU64::new(0),
            read_deferred: AtomicBool::new(false),
        }
    }
}

/// What the application thread's attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attempt {
    pub direct: Direct,
    /// Messages whose SNDHWM credit the application thread returns to the pipe now (its
    /// own and those the session left unacknowledged when it lent the connection), at
    /// most once per [`SELF_ACK_INTERVAL`]. Left to the session alone, they waited for
    /// the I/O thread's next turn: on a loaded machine a REQ/REP exchange went on
    /// without it until SNDHWM was reached, and REP, which drops a reply to a peer at its
    /// HWM as libzmq does, dropped one and both sides waited forever.
    pub ack: usize,
    /// Wake the session: it wanted the connection back, has output to finish, or a
    /// failed connection to report.
    pub wake: bool,
}

impl<W: Write> FastLane<W> {
    /// Application thread: writes `frames` (one whole message) directly when the lane
    /// holds an idle connection. `claim` (called under the lane's lock, see
    /// [`Lent::send`]) counts the message in flight if the pipe's queue is empty with
    /// room. Once `ack_at` messages (the queue's low-water mark) are done, they are
    /// handed back in [`Attempt::ack`] for the caller to acknowledge to the pipe, or,
    /// within [`SELF_ACK_INTERVAL`] of the last such return (`now` is read only then),
    /// the session is woken to acknowledge them.
    pub fn try_send(
        &self,
        frames: &[Msg],
        claim: impl FnOnce() -> bool,
        ack_at: usize,
        now: impl FnOnce() -> Instant,
    ) -> Attempt {
        let direct = {
            let mut guard = match self.slot.try_lock() {
                Ok(g) => g,
                Err(TryLockError::WouldBlock) => {
                    return Attempt {
                        direct: Direct::Declined,
                        ack: 0,
                        wake: false,
                    }
                }
                Err(TryLockError::Poisoned(e)) => e.into_inner(),
            };
            match guard.as_mut() {
                None => (Direct::Declined, 0),
                Some(lent) => match lent.send(frames, claim) {
                    Direct::Written if lent.done + lent.unacked >= ack_at => {
                        (Direct::Acknowledge, lent.take_acks(now()))
                    }
                    d => (d, 0),
                },
            }
        };
        let (direct, ack) = direct;
        let wanted = self.let_go();
        Attempt {
            direct,
            ack,
            wake: wanted
                || matches!(direct, Direct::Leftover | Direct::Failed)
                || (direct == Direct::Acknowledge && ack == 0),
        }
    }

    /// After the application thread released the lock: whether the I/O thread came for
    /// the connection meanwhile. The fences pair with [`FastLane::take_back`]'s: either
    /// the I/O thread's `try_lock` sees the lock free, or this sees its note.
    fn let_go(&self) -> bool {
        fence(Ordering::SeqCst);
        self.io_wanted.swap(false, Ordering::SeqCst)
    }

    /// I/O thread: lends the connection. Gives it back when the application thread holds
    /// the lock right now (the session then keeps it for this turn).
    // The error hands the caller back the value it moved in: boxing it would allocate on
    // every lending, which happens on every session turn.
    #[allow(clippy::result_large_err)]
    pub fn lend(&self, lent: Lent<W>) -> Result<(), Lent<W>> {
        match self.slot.try_lock() {
            Ok(mut g) => {
                *g = Some(lent);
                Ok(())
            }
            Err(TryLockError::WouldBlock) => Err(lent),
            Err(TryLockError::Poisoned(e)) => {
                *e.into_inner() = Some(lent);
                Ok(())
            }
        }
    }

    /// I/O thread: takes the lent connection back, without waiting. `Err(Busy)` when the
    /// application thread holds it; the session is woken when it lets go.
    pub fn take_back(&self) -> Result<Option<Lent<W>>, Busy> {
        self.io_wanted.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        match self.slot.try_lock() {
            Ok(mut g) => {
                self.io_wanted.store(false, Ordering::Relaxed);
                Ok(g.take())
            }
            Err(TryLockError::WouldBlock) => Err(Busy),
            Err(TryLockError::Poisoned(e)) => Ok(e.into_inner().take()),
        }
    }

    /// I/O thread, when the session ends: takes the connection back before the stream is
    /// closed. This may wait, but only for an application thread inside
    /// [`FastLane::try_send`], which holds the lock across one encode and one
    /// non-blocking write, or inside `try_recv`, which holds it across at most a budget
    /// of non-blocking reads and their decoding; never across a blocking call (a receive
    /// waiting on the stream does not hold it).
    pub fn take_back_at_end(&self) -> Option<Lent<W>> {
        self.lock().take()
    }

    fn lock(&self) -> MutexGuard<'_, Option<Lent<W>>> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::tests::util::{frames, multipart, Pair};
    use crate::proto::SocketType;
    use std::time::Instant;

    /// A stream that takes `room` more bytes, then answers EAGAIN (or `error`).
    #[derive(Debug, Default)]
    struct Scripted {
        room: usize,
        error: Option<io::ErrorKind>,
        wire: Vec<u8>,
    }

    impl Write for Scripted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if let Some(kind) = self.error {
                return Err(kind.into());
            }
            let n = buf.len().min(self.room);
            if n == 0 && !buf.is_empty() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            self.room -= n;
            self.wire.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A connected DEALER/ROUTER pair: the DEALER's connection lent to a lane writing to
    /// a scripted stream with `room` bytes, and the ROUTER's side to decode with.
    fn lane(room: usize) -> (FastLane<Scripted>, crate::proto::tests::util::Peer) {
        let pair = Pair::connected(SocketType::Dealer, SocketType::Router);
        let out = Scripted {
            room,
            ..Scripted::default()
        };
        let lane = FastLane::default();
        lane.lend(Lent::new(Box::new(pair.a.conn), out, true, true, STREAK))
            .expect("nobody holds the lane");
        (lane, pair.b)
    }

    /// Sends through the lane with an idle queue; `counted` counts the claims.
    fn send(lane: &FastLane<Scripted>, parts: &[&[u8]], counted: &mut usize) -> Attempt {
        lane.try_send(
            &multipart(parts),
            || {
                *counted += 1;
                true
            },
            usize::MAX,
            Instant::now,
        )
    }

    /// What the peer decodes from everything written so far (the lane's connection is
    /// taken back, drained by `io_write` as the I/O thread would, and lent again).
    fn peer_sees(lane: &FastLane<Scripted>, peer: &mut crate::proto::tests::util::Peer) {
        let lent = lane.take_back().expect("free").expect("lent");
        let wire = lent.out.wire.clone();
        let mut lent = lent;
        lent.out.wire.clear();
        lane.lend(lent).expect("free");
        peer.input(&wire, Instant::now());
    }

    /// The I/O thread's turn: takes the connection back, queues `queued` after what is in
    /// its output, writes everything with `room` more bytes of stream, lends it again
    /// with a full budget. Returns the messages it finished.
    fn io_turn(lane: &FastLane<Scripted>, queued: &[Msg], room: usize) -> usize {
        let mut lent = lane.take_back().expect("free").expect("lent");
        for m in queued {
            lent.conn.send(m).expect("encode");
        }
        lent.out.room = lent.out.room.saturating_add(room);
        while lent.conn.pending_bytes() > 0 && lent.conn.write_to(&mut lent.out).is_ok() {}
        let done = lent.conn.take_written_messages();
        let writable = lent.conn.pending_bytes() == 0;
        lane.lend(Lent::new(lent.conn, lent.out, writable, true, STREAK))
            .expect("free");
        done
    }

    #[test]
    fn an_idle_writable_connection_takes_a_multipart_message_whole() {
        let (lane, mut peer) = lane(usize::MAX);
        let mut counted = 0;
        let a = send(&lane, &[b"id", b"", b"hello"], &mut counted);
        assert_eq!(
            a,
            Attempt {
                direct: Direct::Written,
                ack: 0,
                wake: false
            }
        );
        assert_eq!(counted, 1, "claimed: in flight under SNDHWM");
        let lent = lane.take_back().unwrap().unwrap();
        assert_eq!(lent.done, 1, "for the session to acknowledge");
        lane.lend(lent).unwrap();
        peer_sees(&lane, &mut peer);
        assert_eq!(
            frames(&peer.received),
            frames(&multipart(&[b"id", b"", b"hello"]))
        );
    }

    #[test]
    fn a_partial_write_leaves_the_rest_to_the_io_thread_and_keeps_the_order() {
        let (lane, mut peer) = lane(5);
        let mut counted = 0;
        let a = send(&lane, &[b"first message"], &mut counted);
        assert_eq!(a.direct, Direct::Leftover);
        assert!(a.wake, "the session must finish the write");
        assert_eq!(counted, 1, "in flight under SNDHWM until written");
        // Output pending: the next message is not written ahead of it, it is queued.
        let b = send(&lane, &[b"second"], &mut counted);
        assert_eq!(b.direct, Direct::Declined);
        // The I/O thread writes the rest, then the queued second message, in order.
        let done = io_turn(&lane, &multipart(&[b"second"]), usize::MAX);
        assert_eq!(done, 2, "both messages' last bytes went out");
        let c = send(&lane, &[b"third"], &mut counted);
        assert_eq!(c.direct, Direct::Written);
        peer_sees(&lane, &mut peer);
        let got: Vec<Vec<u8>> = peer.received.iter().map(|m| m.to_vec()).collect();
        assert_eq!(
            got,
            [&b"first message"[..], b"second", b"third"].map(|s| s.to_vec())
        );
    }

    #[test]
    fn eagain_marks_the_stream_unwritable_until_the_io_thread_writes_again() {
        let (lane, mut peer) = lane(0);
        let mut counted = 0;
        assert_eq!(send(&lane, &[b"a"], &mut counted).direct, Direct::Leftover);
        {
            let lent = lane.take_back().unwrap().unwrap();
            assert!(!lent.writable, "EAGAIN seen");
            lane.lend(lent).unwrap();
        }
        assert_eq!(counted, 1);
        assert_eq!(io_turn(&lane, &[], usize::MAX), 1);
        assert_eq!(send(&lane, &[b"b"], &mut counted).direct, Direct::Written);
        peer_sees(&lane, &mut peer);
        let got: Vec<Vec<u8>> = peer.received.iter().map(|m| m.to_vec()).collect();
        assert_eq!(got, [b"a".to_vec(), b"b".to_vec()]);
    }

    #[test]
    fn a_closed_peer_leaves_the_message_for_the_session_to_account() {
        let (lane, _peer) = lane(usize::MAX);
        {
            let mut lent = lane.take_back().unwrap().unwrap();
            lent.out.error = Some(io::ErrorKind::BrokenPipe);
            lane.lend(lent).unwrap();
        }
        let mut counted = 0;
        let a = send(&lane, &[b"lost"], &mut counted);
        assert_eq!(a.direct, Direct::Leftover);
        assert!(a.wake);
        assert_eq!(counted, 1);
        // The session's write meets the error and drops the connection: the message is
        // still pending there, so its SNDHWM credit comes back with the others'.
        let lent = lane.take_back().unwrap().unwrap();
        assert_eq!(lent.conn.pending_messages(), 1);
    }

    #[test]
    fn nothing_goes_direct_while_the_queue_or_the_session_holds_messages() {
        let (lane, _peer) = lane(usize::MAX);
        let mut counted = 0;
        let queued = lane.try_send(&multipart(&[b"x"]), || false, usize::MAX, Instant::now);
        assert_eq!(queued.direct, Direct::Declined, "the queue is not empty");
        let mut lent = lane.take_back().unwrap().unwrap();
        lent.idle = false;
        lane.lend(lent).unwrap();
        assert_eq!(send(&lane, &[b"x"], &mut counted).direct, Direct::Declined);
        assert_eq!(counted, 0);
    }

    /// The instant `ms` milliseconds after the lane's connection was lent.
    fn lent_plus(lane: &FastLane<Scripted>, ms: u64) -> Instant {
        let lent = lane.take_back().unwrap().expect("lent");
        let at = lent.acked_at + Duration::from_millis(ms);
        lane.lend(lent).unwrap();
        at
    }

    #[test]
    fn the_application_thread_acknowledges_at_the_low_water_mark_without_the_session() {
        let (lane, _peer) = lane(usize::MAX);
        let later = lent_plus(&lane, 2);
        let claim = || true;
        let first = lane.try_send(&multipart(&[b"a"]), claim, 2, || later);
        assert_eq!(first.direct, Direct::Written);
        assert_eq!(first.ack, 0, "one done, under the mark of two");
        let second = lane.try_send(&multipart(&[b"b"]), claim, 2, || later);
        assert_eq!(second.direct, Direct::Acknowledge);
        assert_eq!(second.ack, 2, "two done: acknowledged on this thread");
        assert!(!second.wake, "the I/O thread is not needed for it");
        let lent = lane.take_back().unwrap().unwrap();
        assert_eq!(
            (lent.done, lent.unacked),
            (0, 0),
            "nothing left to acknowledge"
        );
    }

    #[test]
    fn within_a_millisecond_of_the_last_return_the_session_acknowledges() {
        let (lane, _peer) = lane(usize::MAX);
        let soon = lent_plus(&lane, 0);
        let claim = || true;
        let first = lane.try_send(&multipart(&[b"a"]), claim, 1, || soon);
        assert_eq!((first.direct, first.ack), (Direct::Acknowledge, 0));
        assert!(first.wake, "the session is woken to acknowledge it");
        assert_eq!(lane.take_back().unwrap().unwrap().done, 1);
    }

    /// Sends `replies` messages through the lane as a pipe with SNDHWM `hwm` and
    /// low-water mark `lwm` would, the session never running, the clock advancing `step`
    /// per message; returns how many the pipe had room for.
    fn sent_without_the_session(replies: usize, hwm: usize, lwm: usize, step: Duration) -> usize {
        let (lane, _peer) = lane(usize::MAX);
        let mut now = lent_plus(&lane, 0);
        let mut in_flight = 0;
        for sent in 0..replies {
            if in_flight == hwm {
                return sent;
            }
            now += step;
            let attempt = lane.try_send(
                &multipart(&[b"", b"reply"]),
                || {
                    in_flight += 1;
                    true
                },
                lwm,
                || now,
            );
            assert_ne!(attempt.direct, Direct::Declined);
            in_flight -= attempt.ack;
        }
        replies
    }

    #[test]
    fn direct_replies_get_their_sndhwm_credit_back_while_the_io_thread_never_runs() {
        // A REP answering through the lane on a machine too loaded to schedule its I/O
        // thread: the credit of the replies written here must come back all the same,
        // or the reply after SNDHWM of them finds the pipe full and REP drops it (as
        // libzmq does), leaving both peers waiting forever.
        let replies = STREAK as usize;
        let step = Duration::from_micros(300);
        assert_eq!(sent_without_the_session(replies, 4, 2, step), replies);
    }

    #[test]
    fn a_tight_loop_of_sends_meets_the_hwm_as_with_libzmq() {
        // Non-blocking sends faster than SELF_ACK_INTERVAL: the credit waits for the
        // session, so the loop stops at SNDHWM messages, not when the kernel is full.
        let step = Duration::from_micros(10);
        assert_eq!(sent_without_the_session(STREAK as usize, 4, 2, step), 4);
    }

    #[test]
    fn what_the_session_left_unacknowledged_counts_towards_the_mark() {
        let (lane, _peer) = lane(usize::MAX);
        let mut lent = lane.take_back().unwrap().expect("lent");
        lent.unacked = 4;
        let later = lent.acked_at + Duration::from_millis(2);
        lane.lend(lent).unwrap();
        let claim = || true;
        // A mark of five: the session's four and this one, all acknowledged here.
        let first = lane.try_send(&multipart(&[b"a"]), claim, 5, || later);
        assert_eq!(first.direct, Direct::Acknowledge);
        assert_eq!(first.ack, 5);
        assert_eq!(lane.take_back().unwrap().unwrap().unacked, 0);
    }

    #[test]
    fn the_lane_takes_no_more_than_its_budget() {
        let (lane, _peer) = lane(usize::MAX);
        let mut counted = 0;
        for _ in 0..STREAK {
            assert_eq!(send(&lane, &[b"m"], &mut counted).direct, Direct::Written);
        }
        assert_eq!(send(&lane, &[b"m"], &mut counted).direct, Direct::Declined);
        let lent = lane.take_back().expect("free").expect("lent");
        assert_eq!(lent.budget_spent(), (false, STREAK));
        assert!(lent.wrote());
        // Lent again with nothing left: the queue takes every message.
        lane.lend(Lent::new(lent.conn, lent.out, true, true, 0))
            .expect("free");
        assert_eq!(send(&lane, &[b"m"], &mut counted).direct, Direct::Declined);
        io_turn(&lane, &[], 0);
        assert_eq!(send(&lane, &[b"m"], &mut counted).direct, Direct::Written);
        assert_eq!(
            counted,
            STREAK as usize + 1,
            "only written messages were claimed"
        );
    }

    #[test]
    fn neither_side_waits_and_the_io_thread_is_called_back() {
        let (lane, _peer) = lane(usize::MAX);
        // The application thread holds the lock: the I/O thread leaves a note.
        let held = lane.slot.lock().unwrap();
        assert_eq!(lane.take_back().map(|_| ()), Err(Busy));
        drop(held);
        let mut counted = 0;
        let a = send(&lane, &[b"m"], &mut counted);
        assert_eq!(a.direct, Direct::Written);
        assert!(a.wake, "the session asked for its connection back");
        assert!(!send(&lane, &[b"m"], &mut counted).wake, "told once");
        // The I/O thread has the connection back: the application thread queues.
        let lent = lane.take_back().unwrap().expect("lent");
        assert_eq!(send(&lane, &[b"m"], &mut counted).direct, Direct::Declined);
        lane.lend(lent).unwrap();
        // Someone holds the lock: declined at once, without waiting for it.
        let held = lane.slot.lock().unwrap();
        assert_eq!(send(&lane, &[b"m"], &mut counted).direct, Direct::Declined);
        drop(held);
        assert_eq!(counted, 2, "only the two messages written were claimed");
    }
}
