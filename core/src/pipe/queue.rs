//! [`Queue`]: one direction of a pipe, a bounded queue of whole messages.
//!
//! The writer pushes all frames of a message at once, so a reader never sees half a
//! message. The high-water mark counts messages, as libzmq does: the writer may push
//! while fewer than `hwm` messages are in flight, and the reader returns credit in
//! batches: whenever it has consumed a low-water mark's worth ([`low_water_mark`], half
//! the HWM as in libzmq's `pipe_t`) while it reads, and the rest when it comes back for
//! more. A session consumes a message when the kernel has taken its last byte, so it
//! holds no more than the HWM allows beyond the kernel's buffer.
//!
//! The frames travel through a lock-free single-producer/single-consumer [`Ring`]: a
//! push writes a slot and publishes it with one store, and a reader takes everything
//! published at once and works through it privately. The rest of the state is atomics:
//! message counters (written by the writer, acknowledged by the reader) from which the
//! HWM check is computed, and two flags with which a side says it is about to sleep. A
//! writer wakes its reader only when the reader has said it is waiting (the queue ran
//! dry), and a reader wakes its writer only when the writer has said it is blocked at the
//! HWM. Each flag is set before the sleeper looks once more, and looked at by the other
//! side after it published, with a SeqCst fence between the store and the load on both
//! sides, so one of the two always sees the other (libzmq's ypipe gets the same from
//! the CAS of its flush): no wake-up is lost, and a busy pipe costs no lock shared by both sides and no wake-ups.
//! CONFLATE, rare and replacing queued messages (which only a reader may take out of a
//! ring), keeps its messages in a mutex-protected queue instead.

use super::ring::Ring;
use super::sync::{fence, AtomicBool, AtomicUsize, Mutex, MutexGuard, Padded};
use crate::msg::Msg;
use std::collections::VecDeque;
use std::sync::atomic::Ordering::{Relaxed, Release, SeqCst};

/// With CONFLATE, drops every message in `frames` but the last (whole messages: the
/// frames up to the last one that ends a message, before the final message).
fn keep_last(frames: &mut VecDeque<Msg>) {
    let ends = frames.iter().filter(|m| !m.more()).count();
    let mut to_drop = ends.saturating_sub(1);
    while to_drop > 0 {
        match frames.pop_front() {
            Some(m) if !m.more() => to_drop -= 1,
            Some(_) => {}
            None => break,
        }
    }
}

/// How many consumed messages a reader acknowledges at once for a queue of `hwm`
/// messages: half the HWM, rounded up, as libzmq's `pipe_t::compute_lwm`. Credit returns
/// while the reader reads, not only when it comes back to an empty queue, and a writer
/// blocked at the HWM wakes once instead of once per message. Unlimited queues (0)
/// acknowledge in chunks of 1024 only to keep the count small. For example HWM 1000
/// gives 500, HWM 1 gives 1.
fn low_water_mark(hwm: usize) -> usize {
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

/// One direction of a pipe. One thread at a time writes (the `try_push`/`push_all`/
/// `claim_idle`/`check_room`/`writer_credit` side) and one reads (`take`/`ack`); either
/// side may close it, and the socket changes its HWM or CONFLATE from either.
#[derive(Debug)]
pub(crate) struct Queue {
    ring: Ring,
    /// Messages pushed or claimed by the writer, in all (only the writer adds).
    written: Padded<AtomicUsize>,
    /// Messages the reader acknowledged, in all; never more than `written`.
    acked: Padded<AtomicUsize>,
    /// 0 = unlimited.
    hwm: AtomicUsize,
    /// [`low_water_mark`] of the current HWM.
    lwm: AtomicUsize,
    /// The reader found nothing and may be asleep: the next push must wake it.
    reader_waiting: AtomicBool,
    /// The writer found no room and may be asleep: the ack that makes room must wake it.
    writer_waiting: AtomicBool,
    /// The writer (or, for inproc, the reader) is gone: no more messages will come.
    closed: AtomicBool,
    /// CONFLATE: only the newest message is kept, and the HWM does not apply.
    conflate: AtomicBool,
    /// CONFLATE's messages: pushed here instead of the ring once `conflate` is set.
    conflated: Mutex<VecDeque<Msg>>,
}

impl Queue {
    pub(super) fn new(hwm: usize) -> Queue {
        Queue {
            ring: Ring::new(),
            written: Padded(AtomicUsize::new(0)),
            acked: Padded(AtomicUsize::new(0)),
            hwm: AtomicUsize::new(hwm),
            lwm: AtomicUsize::new(low_water_mark(hwm)),
            reader_waiting: AtomicBool::new(false),
            writer_waiting: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            conflate: AtomicBool::new(false),
            conflated: Mutex::new(VecDeque::new()),
        }
    }

    /// How many consumed messages the reader should acknowledge at once.
    pub(super) fn lwm(&self) -> usize {
        self.lwm.load(Relaxed)
    }

    /// How many more messages the writer may push now (`usize::MAX`: no limit).
    fn credit(&self) -> usize {
        let hwm = self.hwm.load(SeqCst);
        if hwm == 0 || self.conflate.load(SeqCst) {
            return usize::MAX;
        }
        let in_flight = self
            .written
            .load(SeqCst)
            .saturating_sub(self.acked.load(SeqCst));
        hwm.saturating_sub(in_flight)
    }

    /// The credit left; when there is none, says the writer is waiting and looks again
    /// (an ack between the two looks then either shows here or sees the flag).
    fn credit_or_wait(&self) -> usize {
        match self.credit() {
            0 => {
                self.writer_waiting.store(true, SeqCst);
                fence(SeqCst);
                self.credit()
            }
            c => c,
        }
    }

    /// Counts `n` more messages written. Only the writer adds, so a load and a store do;
    /// Release: a reader that learns of the messages (by the ring's publish, or the
    /// fast lane's hand-over) sees them counted.
    fn count_written(&self, n: usize) {
        let w = self.written.load(Relaxed);
        self.written.store(w.saturating_add(n), Release);
    }

    /// Takes the reader-waiting flag after a push: whether the reader must be woken.
    fn reader_to_wake(&self) -> bool {
        fence(SeqCst);
        self.reader_waiting.load(Relaxed) && self.reader_waiting.swap(false, SeqCst)
    }

    /// Acknowledges `consumed` messages (never more than were written) and takes the
    /// writer-waiting flag if that made room: whether the writer must be woken.
    fn acknowledge(&self, consumed: usize) -> bool {
        if consumed > 0 {
            let written = self.written.load(SeqCst);
            let acked = self.acked.load(Relaxed);
            self.acked
                .store(acked.saturating_add(consumed).min(written), SeqCst);
        }
        fence(SeqCst);
        self.writer_waiting.load(Relaxed)
            && self.credit() > 0
            && self.writer_waiting.swap(false, SeqCst)
    }

    fn lock_conflated(&self) -> MutexGuard<'_, VecDeque<Msg>> {
        self.conflated.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Acknowledges `consumed` messages without taking anything. Returns whether a writer
    /// blocked at the HWM has room now (and must be woken).
    pub(super) fn ack(&self, consumed: usize) -> bool {
        // The reader's side, so that acks and takes from two threads do not interleave.
        let _reader = self.ring.reader();
        self.acknowledge(consumed)
    }

    /// The credit the writer may use now; marks the writer waiting when there is none.
    pub(super) fn writer_credit(&self) -> usize {
        self.credit_or_wait()
    }

    /// Pushes one single-frame message if the HWM allows. Returns the message back when
    /// full (and marks the writer as waiting), else whether the reader must be woken.
    pub(super) fn try_push(&self, msg: Msg) -> Result<bool, Msg> {
        let mut slot = msg;
        self.try_push_from(&mut slot).ok_or(slot)
    }

    /// [`Queue::try_push`] from `slot`: `Some(reader_to_wake)` when the frame was taken
    /// (`slot` is left empty), `None` with the frame still in `slot` at the HWM.
    pub(super) fn try_push_from(&self, slot: &mut Msg) -> Option<bool> {
        if self.closed.load(SeqCst) {
            // The reader side finished; accept and drop, like a pipe being torn down.
            *slot = Msg::new();
            return Some(false);
        }
        if !self.check_room() {
            return None;
        }
        if self.conflate.load(SeqCst) {
            let mut q = self.lock_conflated();
            q.push_back(std::mem::take(slot));
            keep_last(&mut q);
            self.count_written(1);
        } else {
            let mut w = self.ring.writer();
            w.push_from(slot);
            self.count_written(1);
            w.publish();
        }
        Some(self.reader_to_wake())
    }

    /// When nothing is queued and a new message fits under the HWM, counts one message
    /// that the writer hands to the connection directly (see `io::FastLane`) as in
    /// flight, until the reader acknowledges it like a queued one; `false` otherwise.
    /// CONFLATE queues never allow it (their newest message replaces the queued one).
    pub(super) fn claim_idle(&self) -> bool {
        let w = self.ring.writer();
        let idle = w.reader_caught_up()
            && !self.conflate.load(SeqCst)
            && !self.closed.load(SeqCst)
            && self.credit() > 0;
        if idle {
            self.count_written(1);
        }
        idle
    }

    /// Whether a new message may be pushed now; marks the writer waiting when not.
    pub(super) fn check_room(&self) -> bool {
        self.credit_or_wait() > 0
    }

    /// Pushes `msgs` complete messages made of `frames` (drained), whatever the HWM (the
    /// caller checked for room before the first frame). Returns (wake reader, credit left).
    pub(super) fn push_all<I: IntoIterator<Item = Msg>>(
        &self,
        frames: I,
        msgs: usize,
    ) -> (bool, usize) {
        if self.conflate.load(SeqCst) {
            let mut q = self.lock_conflated();
            q.extend(frames);
            keep_last(&mut q);
            self.count_written(msgs);
        } else {
            let mut w = self.ring.writer();
            for frame in frames {
                w.push(frame);
            }
            self.count_written(msgs);
            w.publish();
        }
        let credit = self.credit_or_wait();
        let wake = msgs > 0 && self.reader_to_wake();
        (wake, credit)
    }

    /// Moves what is queued into `into` (empty): whole messages of the ring's, at least
    /// `max` frames when there are as many (see [`super::ring::Reader::take_messages`]);
    /// with CONFLATE all of them, then CONFLATE's (newer), of which it keeps the last
    /// message.
    fn collect(&self, reader: &mut super::ring::Reader<'_>, into: &mut VecDeque<Msg>, max: usize) {
        if self.conflate.load(SeqCst) {
            // Locked before reading the ring: a message the writer put in the conflate
            // queue came after everything it published in the ring, which is then seen.
            let mut q = self.lock_conflated();
            reader.take_all(into);
            into.append(&mut q);
            keep_last(into);
        } else {
            reader.take_messages(into, max);
        }
    }

    /// Acknowledges `consumed` messages and moves every queued frame into `into` (which
    /// must be empty). Marks the reader as waiting when nothing was queued.
    pub(super) fn take(&self, into: &mut VecDeque<Msg>, consumed: usize) -> Taken {
        self.take_some(into, consumed, usize::MAX)
    }

    /// [`Queue::take`] of whole messages up to about `max` frames (at least `max` when
    /// there are as many, fewer only to end a message): a reader that works through a
    /// long queue a batch at a time keeps `into` small and in cache, where taking
    /// everything would grow it to the whole queue (up to the HWM, or beyond for a
    /// queue that a fast writer filled with no HWM) and keep it that large.
    pub(super) fn take_some(&self, into: &mut VecDeque<Msg>, consumed: usize, max: usize) -> Taken {
        let mut reader = self.ring.reader();
        let wake_writer = self.acknowledge(consumed);
        // Looked at before the frames: the writer closes after its last push.
        let mut closed = self.closed.load(SeqCst);
        self.collect(&mut reader, into, max);
        if into.is_empty() {
            // Say so, then look again: a push (or close) after the first look either
            // shows now or sees the flag and wakes this reader.
            self.reader_waiting.store(true, SeqCst);
            fence(SeqCst);
            closed = self.closed.load(SeqCst);
            self.collect(&mut reader, into, max);
            if !into.is_empty() {
                self.reader_waiting.store(false, SeqCst);
            }
        }
        Taken {
            wake_writer,
            finished: closed && into.is_empty(),
        }
    }

    /// Marks the queue closed; returns whether its reader was waiting (and must be woken).
    pub(super) fn close(&self) -> bool {
        self.closed.store(true, SeqCst);
        // Paired with the fences in `take` (a reader that says it waits) and in
        // `is_closed` (see `Pipe::set_inproc_peer`).
        fence(SeqCst);
        self.reader_waiting.swap(false, SeqCst)
    }

    pub(super) fn is_closed(&self) -> bool {
        fence(SeqCst);
        self.closed.load(SeqCst)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.ring.is_empty() && (!self.conflate.load(SeqCst) || self.lock_conflated().is_empty())
    }

    pub(super) fn set_conflate(&self) {
        self.conflate.store(true, SeqCst);
        keep_last(&mut self.lock_conflated());
    }

    pub(super) fn set_hwm(&self, hwm: usize) -> bool {
        self.hwm.store(hwm, SeqCst);
        self.lwm.store(low_water_mark(hwm), Relaxed);
        fence(SeqCst);
        self.writer_waiting.load(SeqCst) && self.credit() > 0
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn msg(s: &str, more: bool) -> Msg {
        let mut m = Msg::from(s);
        m.set_more(more);
        m
    }

    #[test]
    fn a_bounded_take_leaves_the_rest_queued_and_the_reader_not_waiting() {
        let q = Queue::new(0);
        for s in ["a", "b", "c"] {
            assert_eq!(q.try_push(msg(s, false)), Ok(false), "nobody waits yet");
        }
        q.close();
        let mut local = VecDeque::new();
        let t = q.take_some(&mut local, 0, 2);
        assert_eq!(local.len(), 2);
        assert!(!t.finished, "closed, but a message is still queued");
        assert!(!q.is_empty());
        local.clear();
        let t = q.take_some(&mut local, 0, 2);
        assert_eq!(local.iter().map(|m| m.to_vec()).collect::<Vec<_>>(), [b"c"]);
        assert!(!t.finished);
        local.clear();
        assert!(q.take_some(&mut local, 0, 2).finished, "empty and closed");
    }

    #[test]
    fn a_bounded_take_that_finds_nothing_marks_the_reader_waiting() {
        let q = Queue::new(10);
        let mut local = VecDeque::new();
        assert!(!q.take_some(&mut local, 0, 1).finished);
        assert!(local.is_empty());
        assert_eq!(
            q.try_push(msg("a", false)),
            Ok(true),
            "the push wakes the reader"
        );
        assert_eq!(q.try_push(msg("b", false)), Ok(false), "once");
        q.take_some(&mut local, 0, 1);
        assert_eq!(local.len(), 1);
        assert_eq!(
            q.try_push(msg("c", false)),
            Ok(false),
            "took some: not waiting"
        );
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
        assert!(
            local[0].more() && local[1].more(),
            "the frames keep their MORE flags"
        );
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

/// Model checks of the wake-up protocol (`RUSTFLAGS="--cfg loom"`, see `super::sync`):
/// whatever the interleaving, a side that found nothing to do and may go to sleep is
/// always woken by the other.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::Arc;

    #[test]
    fn a_reader_that_found_nothing_is_woken_by_the_push() {
        loom::model(|| {
            let q = Arc::new(Queue::new(0));
            let w = Arc::clone(&q);
            let t = loom::thread::spawn(move || w.try_push(Msg::from("a")) == Ok(true));
            let mut got = VecDeque::new();
            q.take(&mut got, 0);
            let woken = t.join().unwrap();
            assert!(!got.is_empty() || woken, "the reader would sleep forever");
        });
    }

    #[test]
    fn a_reader_that_found_nothing_sees_the_close_or_is_woken() {
        loom::model(|| {
            let q = Arc::new(Queue::new(0));
            let w = Arc::clone(&q);
            let t = loom::thread::spawn(move || {
                let pushed = w.try_push(Msg::from("a")) == Ok(true);
                let closed = w.close();
                pushed || closed
            });
            let mut got = VecDeque::new();
            let taken = q.take(&mut got, 0);
            let woken = t.join().unwrap();
            assert!(!got.is_empty() || taken.finished || woken);
            if got.is_empty() && taken.finished {
                panic!("finished before the message pushed ahead of the close");
            }
        });
    }

    #[test]
    fn a_writer_blocked_at_the_hwm_is_woken_by_the_ack() {
        loom::model(|| {
            let q = Arc::new(Queue::new(1));
            assert_eq!(q.try_push(Msg::from("a")), Ok(false));
            let r = Arc::clone(&q);
            let t = loom::thread::spawn(move || {
                let mut got = VecDeque::new();
                r.take(&mut got, 0);
                r.ack(got.len())
            });
            let room = q.check_room();
            let woken = t.join().unwrap();
            assert!(room || woken, "the writer would sleep forever");
        });
    }
}
