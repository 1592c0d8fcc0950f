//! The receiving half of the fast lane: a receive that would block reads the lent
//! connection on the application thread instead of waiting for the I/O thread.
//!
//! Through the I/O thread an incoming message costs two hand-offs: epoll wakes the I/O
//! thread, which reads, decodes and pushes the message to the pipe, then wakes the
//! application thread. When a blocking receive finds its socket's only pipe empty and
//! that pipe's connection lent to the lane, it instead takes the lane's lock with
//! `try_lock`, reads the stream (non-blocking) into the connection, decodes whole
//! messages within the socket's RCVHWM credit and delivers them to the pipe's queue, as
//! the session would have. Nothing there, it *parks* on the connection: it waits in
//! poll(2) on its wake-up eventfd and the stream's fd together, without holding the lock,
//! and reads again when the stream becomes readable.
//!
//! Every guarantee stays where it was. Messages still go through the pipe's queue (the
//! order is the stream's, a multipart message is delivered whole, RCVHWM is one credit
//! count that the session lends with the connection and takes back). Decoding is the
//! connection's own (CURVE boxes are opened there, and peer bytes never panic it); a
//! decoding error, the stream's end or a read error is left to the session, which
//! reports it as it always did. Heartbeats, timers and monitor events stay on the I/O
//! thread: it takes the connection back whenever it needs it (the receive does not hold
//! the lock while it sleeps), and a PING read here only queues its PONG, for the session
//! to write. A close from another thread or a signal handler ends the wait as before, the
//! eventfd being one of the two descriptors polled.
//!
//! While a receive is parked on a connection, the I/O thread's poller does not watch the
//! stream for reading (see [`watch`](super::watch): the receive takes readable interest
//! out as it parks and puts it back after its read), so the I/O thread is not woken for
//! the messages the receive reads. Should the session take the connection back
//! meanwhile (a timer, output to write), it puts readable interest back itself, and then
//! leaves the readable events to the parked receive (it notes them in `read_deferred`
//! and does not take the connection back for them). When the receive stops waiting it reads once more if such
//! an event was left while it waited; if it cannot read everything the stream holds
//! (the credit ran out, the I/O thread holds the connection), it wakes the session, which
//! then reads, so no byte waits unread for a receive that may never come (a `zmq_poll`
//! user's, say).
//!
//! The decisions are plain code over a [`ReadStream`]: the tests below drive them with a
//! scripted stream that hands out given bytes, then says EAGAIN, EOF or an error, with no
//! socket and no thread.

use super::{FastLane, FdWriter, Lent, Watch};
use crate::io::flow::spend_credit;
use crate::msg::Msg;
use crate::sys::fd::read_spare;
use crate::wakeup::Woken;
use bytes::BytesMut;
use std::io::{self, Write};
use std::os::fd::RawFd;
use std::sync::atomic::{fence, Ordering};
use std::sync::TryLockError;

/// At most this many reads in one attempt (as a session's turn): a peer that sends
/// without pause cannot keep a receive reading, with RCVHWM unlimited, instead of
/// returning.
const READ_BUDGET: usize = 64;

/// The reading side of a lent stream.
pub(crate) trait ReadStream {
    /// Reads once into the spare room of `buf` (which the caller has reserved); 0 = the
    /// peer closed.
    fn read_spare(&mut self, buf: &mut BytesMut) -> io::Result<usize>;
    /// The descriptor to wait on for more bytes.
    fn fd(&self) -> RawFd;
    /// Asks the I/O thread's poller for `watch`'s events of the stream from now on.
    fn watch(&mut self, watch: Watch) -> io::Result<()>;
}

impl ReadStream for FdWriter {
    fn read_spare(&mut self, buf: &mut BytesMut) -> io::Result<usize> {
        read_spare(self.0.fd, buf)
    }

    fn fd(&self) -> RawFd {
        self.0.fd
    }

    fn watch(&mut self, watch: Watch) -> io::Result<()> {
        self.0.set(watch)
    }
}

/// Why a read attempt stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The stream has nothing more now (EAGAIN).
    Drained,
    /// The credit is spent: the rest waits in the stream and the connection.
    Full,
    /// [`READ_BUDGET`] reads made, more may be waiting.
    Budget,
    /// The stream ended or failed: the session reads again and reports it.
    Ended,
    /// The peer's bytes did not decode: the session fails the connection.
    Failed,
}

/// What one read attempt on the application thread came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Intake {
    /// Whole messages delivered to the pipe.
    pub delivered: usize,
    /// The stream was read until it had nothing more (EAGAIN).
    pub drained: bool,
    /// Nothing came and the connection may be waited on: its id and the stream's fd.
    pub wait_on: Option<(u64, RawFd)>,
    /// Wake the session: it has output (a PONG, or bytes waiting for the stream to be
    /// writable) to write, an error or the stream's end to report, or it asked for the
    /// connection meanwhile.
    pub wake: bool,
    /// The lane's lock was taken: nothing was read.
    pub busy: bool,
}

impl<W: Write + ReadStream> Lent<W> {
    /// Whether the application thread may read the connection now.
    pub fn may_read(&self) -> bool {
        self.id != 0
            && self.credit > 0
            && !self.ended
            && self.failure.is_none()
            && self.conn.is_established()
    }

    /// Asks the I/O thread's poller for `want`'s events of the stream (when they differ
    /// from what it asks now; should the change fail, the poller goes on as it was).
    fn set_watch(&mut self, want: Watch) {
        if want != self.watch && self.out.watch(want).is_ok() {
            self.watch = want;
        }
    }

    /// A receive parks on the stream: the I/O thread need not be woken for what it reads,
    /// nor for the stream's room to write unless the session waits for it.
    fn unwatch(&mut self) {
        let waits_to_write = !self.writable || self.conn.pending_bytes() > 0;
        self.set_watch(Watch {
            readable: false,
            writable: self.watch.writable && waits_to_write,
        });
    }

    /// The receive stops waiting: the I/O thread watches the stream for reading again (and
    /// hears at once of anything left unread).
    fn rewatch(&mut self) {
        self.set_watch(Watch {
            readable: true,
            writable: self.watch.writable,
        });
    }

    /// Decodes what the connection holds, then reads and decodes until the stream has
    /// nothing more, the credit is spent or the budget is used up. The messages are left
    /// whole in `inbox`; returns how many, and why it stopped.
    fn receive(&mut self) -> (usize, Stop) {
        let mut msgs = 0;
        let mut reads = 0;
        loop {
            let kept = self.inbox.len();
            match self.conn.decode_into(&mut self.inbox, self.credit, false) {
                Ok(n) => {
                    msgs += n;
                    spend_credit(&mut self.credit, n);
                }
                Err(e) => {
                    // As the session does: what this call decoded goes with the
                    // connection; earlier calls' messages are delivered.
                    self.inbox.truncate(kept);
                    self.failure = Some(e);
                    return (msgs, Stop::Failed);
                }
            }
            if self.credit == 0 {
                return (msgs, Stop::Full);
            }
            if reads == READ_BUDGET {
                return (msgs, Stop::Budget);
            }
            reads += 1;
            match self.out.read_spare(self.conn.read_buf()) {
                Ok(0) => {
                    self.ended = true;
                    return (msgs, Stop::Ended);
                }
                Ok(_) => self.conn.received(),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return (msgs, Stop::Drained),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.ended = true;
                    return (msgs, Stop::Ended);
                }
            }
        }
    }
}

impl<W: Write + ReadStream> FastLane<W> {
    /// Application thread: reads the lent connection (see [`Lent::receive`]) and hands
    /// the messages to `deliver` (under the lane's lock, so in the stream's order), which
    /// pushes them to the pipe and returns the credit left. Declines at once, without
    /// waiting, when the lock is taken or no connection is lent. With `park`, a receive
    /// about to wait on the stream (nothing came) takes readable interest out of the I/O
    /// thread's poller; without, readable interest is put back.
    pub fn try_recv(
        &self,
        deliver: &mut impl FnMut(std::vec::Drain<'_, Msg>, usize) -> usize,
        park: bool,
    ) -> Intake {
        let mut intake = {
            let mut guard = match self.slot.try_lock() {
                Ok(g) => g,
                Err(TryLockError::WouldBlock) => {
                    return Intake {
                        busy: true,
                        ..Intake::default()
                    }
                }
                Err(TryLockError::Poisoned(e)) => e.into_inner(),
            };
            match guard.as_mut() {
                Some(lent) if lent.may_read() => {
                    let (msgs, stop) = lent.receive();
                    if msgs > 0 {
                        lent.credit = deliver(lent.inbox.drain(..), msgs);
                        lent.refill();
                    }
                    let wait_on =
                        (msgs == 0 && stop == Stop::Drained).then(|| (lent.id, lent.out.fd()));
                    if park && wait_on.is_some() {
                        lent.unwatch();
                    } else {
                        lent.rewatch();
                    }
                    Intake {
                        delivered: msgs,
                        drained: stop == Stop::Drained,
                        wait_on,
                        // Output waiting (a PONG just queued, or bytes the session
                        // waits to write on a writable event it left to this receive
                        // with the readable one) is the session's to write.
                        wake: lent.conn.pending_bytes() > 0
                            || matches!(stop, Stop::Ended | Stop::Failed),
                        busy: false,
                    }
                }
                Some(lent) => {
                    // Not readable here (any more): the session's, watched as usual.
                    lent.rewatch();
                    Intake::default()
                }
                None => Intake::default(),
            }
        };
        intake.wake |= self.let_go();
        intake
    }

    /// Application thread, when its receive would block: reads what is there, else
    /// parks on the lent connection and waits with `wait` (given the stream's fd; it
    /// also ends on the socket's own wake-ups), then reads what arrived. `None`: the
    /// lane cannot serve this receive (nothing lent, no credit, busy), wait as usual.
    /// `Some(Woken::Notified)` when messages were delivered without waiting. `wake`
    /// wakes the session.
    pub fn wait_for_input(
        &self,
        deliver: &mut impl FnMut(std::vec::Drain<'_, Msg>, usize) -> usize,
        wake: &mut impl FnMut(),
        wait: impl FnOnce(RawFd) -> Woken,
    ) -> Option<Woken> {
        let first = self.try_recv(deliver, true);
        if first.wake {
            wake();
        }
        if first.delivered > 0 {
            return Some(Woken::Notified);
        }
        let (id, fd) = first.wait_on?;
        self.parked.store(id, Ordering::SeqCst);
        let woken = wait(fd);
        let skipped = self.unpark();
        if !skipped && woken != Woken::Readable {
            if self.rewatch() {
                wake();
            }
            return Some(woken);
        }
        // Read what arrived; if the I/O thread left events to this receive and the
        // stream could not be read to its end here, they go back to the session.
        let after = self.try_recv(deliver, false);
        // Someone else held the lane (the session puts readable interest back itself
        // when it takes the connection; a send from another thread does not).
        let wanted = after.busy && self.rewatch();
        if after.wake || wanted || (skipped && !after.drained) {
            wake();
        }
        Some(match woken {
            Woken::TimedOut if after.delivered > 0 => Woken::Notified,
            w => w,
        })
    }

    /// The receive stops waiting without reading: the I/O thread's poller watches the lent
    /// stream for reading again (waiting for the lock, which nobody holds across a
    /// blocking call). Returns whether the session asked for the connection meanwhile.
    fn rewatch(&self) -> bool {
        if let Some(lent) = self.lock().as_mut() {
            lent.rewatch();
        }
        self.let_go()
    }

    /// The receive stops waiting on the stream. Returns whether the I/O thread left
    /// readable events to it meanwhile. The fences pair with [`FastLane::defer_read`]'s:
    /// either the I/O thread sees the receive gone, or this sees its note.
    fn unpark(&self) -> bool {
        self.parked.store(0, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        self.read_deferred.swap(false, Ordering::SeqCst)
    }

    /// I/O thread, on a readable event for the lent connection `id`: `true` when a
    /// receive is parked on it, which reads instead (the event is noted for it); `false`:
    /// the session reads as usual.
    pub fn defer_read(&self, id: u64) -> bool {
        if id == 0 {
            return false;
        }
        self.read_deferred.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if self.parked.load(Ordering::SeqCst) == id {
            return true;
        }
        // Nobody to leave it to: the session reads, and the note is withdrawn (only
        // this thread sets it, so it withdraws only its own).
        self.read_deferred.store(false, Ordering::SeqCst);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::direct_budget::STREAK;
    use crate::proto::tests::util::{frames, multipart, Pair, Peer};
    use crate::proto::SocketType;
    use std::collections::VecDeque;
    use std::sync::atomic::AtomicUsize;

    /// What the scripted stream does on a read.
    #[derive(Debug)]
    enum Step {
        Bytes(Vec<u8>),
        Eof,
        Fail(io::ErrorKind),
    }

    /// A stream that hands out its script, one step per read, then says EAGAIN; what is
    /// written to it is kept.
    #[derive(Debug, Default)]
    struct Script {
        steps: VecDeque<Step>,
        reads: usize,
        wire: Vec<u8>,
        /// What the poller was asked for, in order.
        watched: Vec<Watch>,
    }

    impl Write for Script {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.wire.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl ReadStream for Script {
        fn read_spare(&mut self, buf: &mut BytesMut) -> io::Result<usize> {
            self.reads += 1;
            match self.steps.pop_front() {
                None => Err(io::ErrorKind::WouldBlock.into()),
                Some(Step::Eof) => Ok(0),
                Some(Step::Fail(kind)) => Err(kind.into()),
                Some(Step::Bytes(mut b)) => {
                    let room = buf.capacity() - buf.len();
                    if b.len() > room {
                        // The rest is read next time.
                        self.steps.push_front(Step::Bytes(b.split_off(room)));
                    }
                    buf.extend_from_slice(&b);
                    Ok(b.len())
                }
            }
        }

        fn fd(&self) -> RawFd {
            7
        }

        fn watch(&mut self, watch: Watch) -> io::Result<()> {
            self.watched.push(watch);
            Ok(())
        }
    }

    /// A REP whose connection is lent (connection id 1, `credit`) to a lane reading a
    /// scripted stream, and its REQ peer to encode what arrives.
    fn lane(credit: usize) -> (FastLane<Script>, Peer) {
        let pair = Pair::connected(SocketType::Rep, SocketType::Req);
        let lane = FastLane::default();
        let lent = Lent::new(Box::new(pair.a.conn), Script::default(), true, true, STREAK);
        lane.lend(lent.receiving(1, credit)).expect("free");
        (lane, pair.b)
    }

    /// The peer's wire bytes for `msgs` (each a multipart message).
    fn wire(peer: &mut Peer, msgs: &[&[&[u8]]]) -> Vec<u8> {
        for parts in msgs {
            for m in multipart(parts) {
                peer.conn.send(&m).expect("encode");
            }
        }
        let mut out = Vec::new();
        while peer.conn.pending_bytes() > 0 {
            peer.conn.write_to(&mut out).expect("to a Vec");
        }
        out
    }

    /// Adds read steps to the lent stream.
    fn feed(lane: &FastLane<Script>, steps: impl IntoIterator<Item = Step>) {
        let mut lent = lane.take_back().expect("free").expect("lent");
        lent.out.steps.extend(steps);
        lane.lend(lent).expect("free");
    }

    /// A pipe's queue as seen by `deliver`: the frames and the RCVHWM credit left.
    #[derive(Default)]
    struct Queue {
        frames: Vec<Msg>,
        hwm: usize,
        msgs: usize,
    }

    impl Queue {
        fn deliver(&mut self) -> impl FnMut(std::vec::Drain<'_, Msg>, usize) -> usize + '_ {
            |f, n| {
                self.frames.extend(f);
                self.msgs += n;
                self.hwm.saturating_sub(self.msgs)
            }
        }
    }

    fn lent_state<R>(lane: &FastLane<Script>, f: impl FnOnce(&Lent<Script>) -> R) -> R {
        let lent = lane.take_back().expect("free").expect("lent");
        let r = f(&lent);
        lane.lend(lent).expect("free");
        r
    }

    #[test]
    fn a_waiting_receive_delivers_whole_messages_in_order_within_the_credit() {
        let (lane, mut peer) = lane(10);
        let bytes = wire(&mut peer, &[&[b"", b"one"], &[b"", b"two"]]);
        // Split mid-frame across reads.
        let (a, b) = bytes.split_at(5);
        feed(&lane, [Step::Bytes(a.to_vec()), Step::Bytes(b.to_vec())]);
        let mut q = Queue {
            hwm: 10,
            ..Queue::default()
        };
        let got = lane.try_recv(&mut q.deliver(), false);
        assert_eq!(got.delivered, 2);
        assert!(got.drained, "read until EAGAIN");
        assert_eq!(got.wait_on, None, "messages came: no wait");
        assert!(!got.wake);
        assert_eq!(
            frames(&q.frames),
            frames(&[multipart(&[b"", b"one"]), multipart(&[b"", b"two"])].concat())
        );
        assert_eq!(lent_state(&lane, |l| l.credit), 8, "the queue's credit");
    }

    #[test]
    fn a_message_received_on_the_application_thread_refills_the_direct_write_budget() {
        // Lent with the budget spent (a REP that has answered STREAK requests directly):
        // the session's own read would refill it on the next request, and so must the
        // application thread's, or every reply after the first few waits for the I/O
        // thread.
        let pair = Pair::connected(SocketType::Rep, SocketType::Req);
        let mut peer = pair.b;
        let lane = FastLane::default();
        let lent = Lent::new(Box::new(pair.a.conn), Script::default(), true, true, 0);
        lane.lend(lent.receiving(1, 10)).expect("free");
        assert!(!lent_state(&lane, |l| l.may_write()), "no budget left");
        assert_eq!(lent_state(&lane, |l| l.budget_spent()), (false, 0));
        let bytes = wire(&mut peer, &[&[b"", b"request"]]);
        feed(&lane, [Step::Bytes(bytes)]);
        let mut q = Queue {
            hwm: 10,
            ..Queue::default()
        };
        assert_eq!(lane.try_recv(&mut q.deliver(), false).delivered, 1);
        assert!(
            lent_state(&lane, |l| l.may_write()),
            "refilled by the request"
        );
        assert_eq!(
            lent_state(&lane, |l| l.budget_spent()),
            (true, 0),
            "the session learns of the refill when it takes the connection back"
        );
    }

    #[test]
    fn half_a_message_is_kept_and_the_receive_waits_on_the_stream() {
        let (lane, mut peer) = lane(10);
        let bytes = wire(&mut peer, &[&[b"", b"part", b"whole"]]);
        let cut = bytes.len() - 2;
        feed(&lane, [Step::Bytes(bytes[..cut].to_vec())]);
        let mut q = Queue {
            hwm: 10,
            ..Queue::default()
        };
        let got = lane.try_recv(&mut q.deliver(), false);
        assert_eq!(got.delivered, 0);
        assert!(q.frames.is_empty(), "no frame of an incomplete message");
        assert_eq!(got.wait_on, Some((1, 7)), "park on connection 1's fd");
        feed(&lane, [Step::Bytes(bytes[cut..].to_vec())]);
        assert_eq!(lane.try_recv(&mut q.deliver(), false).delivered, 1);
        assert_eq!(q.frames.len(), 3);
    }

    #[test]
    fn the_credit_bounds_what_is_delivered_and_the_rest_stays_for_later() {
        let (lane, mut peer) = lane(1);
        let bytes = wire(&mut peer, &[&[b"", b"a"], &[b"", b"b"]]);
        feed(&lane, [Step::Bytes(bytes)]);
        let mut q = Queue {
            hwm: 1,
            ..Queue::default()
        };
        let got = lane.try_recv(&mut q.deliver(), false);
        assert_eq!(got.delivered, 1, "RCVHWM 1");
        assert!(!got.drained && got.wait_on.is_none());
        assert_eq!(
            lane.try_recv(&mut q.deliver(), false),
            Intake::default(),
            "no credit"
        );
        // The session takes the connection back with the second message still in it.
        let mut lent = lane.take_back().unwrap().unwrap();
        assert_eq!(lent.credit, 0);
        let mut rest = Vec::new();
        assert_eq!(lent.conn.decode_into(&mut rest, 5, false).unwrap(), 1);
        assert_eq!(rest[1].to_vec(), b"b");
    }

    #[test]
    fn the_streams_end_and_errors_go_to_the_session() {
        for step in [Step::Eof, Step::Fail(io::ErrorKind::ConnectionReset)] {
            let (lane, _peer) = lane(10);
            feed(&lane, [step]);
            let mut q = Queue::default();
            let got = lane.try_recv(&mut q.deliver(), false);
            assert!(got.wake, "the session reports it");
            assert_eq!(got.wait_on, None, "never waits on an ended stream");
            assert!(lent_state(&lane, |l| l.ended));
            assert_eq!(lane.try_recv(&mut q.deliver(), false), Intake::default());
        }
    }

    #[test]
    fn garbage_from_the_peer_fails_the_connection_without_panicking() {
        let (lane, mut peer) = lane(10);
        let fine = wire(&mut peer, &[&[b"", b"fine"]]);
        // A long frame header declaring 2^64 - 1 bytes, past any limit.
        let garbage = [0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        feed(&lane, [Step::Bytes(fine), Step::Bytes(garbage.to_vec())]);
        let mut q = Queue {
            hwm: 10,
            ..Queue::default()
        };
        let got = lane.try_recv(&mut q.deliver(), false);
        assert_eq!(got.delivered, 1, "what came before is delivered");
        assert!(got.wake);
        assert!(lent_state(&lane, |l| l.failure.is_some()));
        assert_eq!(lane.try_recv(&mut q.deliver(), false), Intake::default());
    }

    #[test]
    fn a_ping_read_here_leaves_its_pong_to_the_session() {
        let (lane, _peer) = lane(10);
        // PING with TTL 0 and context "ab" (a command frame: flags 0x04).
        let ping = [0x04, 9, 4, b'P', b'I', b'N', b'G', 0, 0, b'a', b'b'];
        feed(&lane, [Step::Bytes(ping.to_vec())]);
        let mut q = Queue::default();
        let got = lane.try_recv(&mut q.deliver(), false);
        assert_eq!(got.delivered, 0);
        assert!(got.wake, "the PONG waits in the output for the session");
        assert!(lent_state(&lane, |l| l.conn.pending_bytes() > 0));
    }

    #[test]
    fn output_waiting_for_the_stream_is_left_to_the_session() {
        let (lane, mut peer) = lane(10);
        // The session lent the connection with a reply it could not write yet (EAGAIN):
        // the writable event that comes with the next readable one is left to the
        // receive, which must hand the write back.
        let mut lent = lane.take_back().unwrap().unwrap();
        lent.conn.send(&Msg::from("reply")).unwrap();
        lent.out
            .steps
            .push_back(Step::Bytes(wire(&mut peer, &[&[b"", b"next"]])));
        lane.lend(lent).unwrap();
        let mut q = Queue {
            hwm: 10,
            ..Queue::default()
        };
        let got = lane.try_recv(&mut q.deliver(), false);
        assert_eq!(got.delivered, 1);
        assert!(got.wake, "the session writes the reply");
    }

    #[test]
    fn a_busy_or_empty_lane_declines_without_waiting() {
        let (lane, _peer) = lane(10);
        let mut q = Queue::default();
        let held = lane.slot.lock().unwrap();
        let mut woken = 0;
        let r = lane.wait_for_input(&mut q.deliver(), &mut || woken += 1, |_| {
            unreachable!("never waits when declined")
        });
        assert_eq!(r, None);
        drop(held);
        let lent = lane.take_back().unwrap();
        assert_eq!(
            lane.try_recv(&mut q.deliver(), false),
            Intake::default(),
            "not lent"
        );
        lane.lend(lent.unwrap()).unwrap();
        assert_eq!(woken, 0);
    }

    #[test]
    fn the_io_thread_leaves_reads_to_a_parked_receive_only() {
        let (lane, mut peer) = lane(10);
        assert!(!lane.defer_read(1), "nobody parked: the session reads");
        let bytes = wire(&mut peer, &[&[b"", b"reply"]]);
        let mut q = Queue {
            hwm: 10,
            ..Queue::default()
        };
        let wakes = AtomicUsize::new(0);
        let r = lane.wait_for_input(
            &mut q.deliver(),
            &mut || {
                wakes.fetch_add(1, Ordering::SeqCst);
            },
            |fd| {
                assert_eq!(fd, 7);
                // While parked: the bytes arrive, the I/O thread's event is left here,
                // but not one for another connection of the session.
                assert!(!lane.defer_read(2));
                feed(&lane, [Step::Bytes(bytes)]);
                assert!(lane.defer_read(1));
                Woken::Readable
            },
        );
        assert_eq!(r, Some(Woken::Readable));
        assert_eq!(q.msgs, 1, "read on this thread after the wait");
        assert_eq!(
            wakes.load(Ordering::SeqCst),
            0,
            "read to EAGAIN: no session turn"
        );
        assert!(!lane.defer_read(1), "unparked");
        assert!(!lane.read_deferred.load(Ordering::SeqCst));
    }

    #[test]
    fn events_left_to_a_receive_that_cannot_read_them_wake_the_session() {
        let (lane, mut peer) = lane(1);
        let bytes = wire(&mut peer, &[&[b"", b"a"], &[b"", b"b"]]);
        let mut q = Queue {
            hwm: 1,
            ..Queue::default()
        };
        let mut wakes = 0;
        let r = lane.wait_for_input(&mut q.deliver(), &mut || wakes += 1, |_| {
            feed(&lane, [Step::Bytes(bytes)]);
            assert!(lane.defer_read(1));
            // The wait ends for another reason (a timeout) before the read.
            Woken::TimedOut
        });
        assert_eq!(r, Some(Woken::Notified), "a message came after all");
        assert_eq!(q.msgs, 1, "within RCVHWM 1");
        assert_eq!(wakes, 1, "the second message is the session's to read");
    }

    const PARKED: Watch = Watch {
        readable: false,
        writable: false,
    };
    const READING: Watch = Watch {
        readable: true,
        writable: false,
    };

    #[test]
    fn a_parked_receive_takes_readable_interest_out_of_the_io_threads_poller_and_puts_it_back() {
        let (lane, mut peer) = lane(10);
        let bytes = wire(&mut peer, &[&[b"", b"reply"]]);
        let mut q = Queue {
            hwm: 10,
            ..Queue::default()
        };
        let r = lane.wait_for_input(&mut q.deliver(), &mut || {}, |_| {
            // While parked: the I/O thread is not woken for the stream (nor for its room
            // to write: the session does not wait to write).
            assert_eq!(lent_state(&lane, |l| l.watch), PARKED);
            feed(&lane, [Step::Bytes(bytes)]);
            Woken::Readable
        });
        assert_eq!(r, Some(Woken::Readable));
        assert_eq!(q.msgs, 1);
        assert_eq!(
            lent_state(&lane, |l| (l.watch, l.out.watched.clone())),
            (READING, vec![PARKED, READING]),
            "read interest back after the read, writable interest left out"
        );
        // The next parking changes only what must change.
        lane.wait_for_input(&mut q.deliver(), &mut || {}, |_| Woken::TimedOut);
        assert_eq!(
            lent_state(&lane, |l| l.out.watched.clone()),
            vec![PARKED, READING, PARKED, READING]
        );
    }

    #[test]
    fn every_way_out_of_a_parked_receive_puts_readable_interest_back() {
        for woken in [Woken::TimedOut, Woken::Interrupted, Woken::Notified] {
            let (lane, _peer) = lane(10);
            let mut q = Queue::default();
            let r = lane.wait_for_input(&mut q.deliver(), &mut || {}, |_| woken);
            assert_eq!(r, Some(woken));
            assert_eq!(lent_state(&lane, |l| l.watch), READING, "{woken:?}");
        }
        // A receive that read the stream's end leaves it to the session, watched.
        let (lane, _peer) = lane(10);
        let mut q = Queue::default();
        let mut wakes = 0;
        lane.wait_for_input(&mut q.deliver(), &mut || wakes += 1, |_| {
            feed(&lane, [Step::Eof]);
            Woken::Readable
        });
        assert_eq!(wakes, 1, "the session reports the end");
        assert_eq!(lent_state(&lane, |l| l.watch), READING);
    }

    #[test]
    fn a_parked_receive_keeps_writable_interest_while_the_session_waits_to_write() {
        let (lane, _peer) = lane(10);
        // The session lent the connection after a write met EAGAIN.
        let mut lent = lane.take_back().unwrap().unwrap();
        lent.writable = false;
        lane.lend(lent).unwrap();
        let mut q = Queue::default();
        lane.wait_for_input(&mut q.deliver(), &mut || {}, |_| {
            assert_eq!(
                lent_state(&lane, |l| l.watch),
                Watch {
                    readable: false,
                    writable: true
                }
            );
            Woken::TimedOut
        });
        assert_eq!(lent_state(&lane, |l| l.watch), Watch::ALL);
    }

    #[test]
    fn a_session_that_takes_the_connection_from_a_parked_receive_finds_what_is_watched() {
        let (lane, _peer) = lane(10);
        let mut q = Queue::default();
        lane.wait_for_input(&mut q.deliver(), &mut || {}, |_| {
            // A timer: the session takes the connection back (and must watch the stream
            // again itself), then lends it again, watched as before.
            let mut lent = lane.take_back().unwrap().unwrap();
            assert!(!lent.watch.readable);
            lent.watch = READING;
            lane.lend(lent).unwrap();
            Woken::TimedOut
        });
        assert_eq!(
            lent_state(&lane, |l| l.out.watched.clone()),
            vec![PARKED],
            "nothing left to put back"
        );
    }

    #[test]
    fn a_wait_that_ends_otherwise_reads_nothing() {
        let (lane, _peer) = lane(10);
        let mut q = Queue::default();
        let mut wakes = 0;
        let r = lane.wait_for_input(&mut q.deliver(), &mut || wakes += 1, |_| Woken::Interrupted);
        assert_eq!(r, Some(Woken::Interrupted));
        let reads = lent_state(&lane, |l| l.out.reads);
        assert_eq!(reads, 1, "only the read before parking");
        assert_eq!(wakes, 0);
    }
}
