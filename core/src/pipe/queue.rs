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
//! Readers take everything queued in one lock and work through it privately; a writer
//! wakes its reader only when the reader has said it is waiting (the queue ran dry), and a
//! reader wakes its writer only when the writer has said it is blocked at the HWM. A busy
//! pipe therefore costs one uncontended lock per batch on the reading side and no wake-ups.

use crate::msg::Msg;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

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

/// One direction of a pipe.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    state: Mutex<QueueState>,
    /// [`low_water_mark`] of the current HWM, readable without the lock.
    lwm: AtomicUsize,
}

impl Queue {
    pub(super) fn new(hwm: usize) -> Queue {
        Queue {
            state: Mutex::new(QueueState {
                hwm,
                ..QueueState::default()
            }),
            lwm: AtomicUsize::new(low_water_mark(hwm)),
        }
    }

    /// How many consumed messages the reader should acknowledge at once.
    pub(super) fn lwm(&self) -> usize {
        self.lwm.load(Ordering::Relaxed)
    }

    /// Acknowledges `consumed` messages without taking anything. Returns whether a writer
    /// blocked at the HWM has room now (and must be woken).
    pub(super) fn ack(&self, consumed: usize) -> bool {
        let mut st = self.lock();
        st.in_flight = st.in_flight.saturating_sub(consumed);
        let wake_writer = st.writer_waiting && st.has_room();
        if wake_writer {
            st.writer_waiting = false;
        }
        wake_writer
    }

    /// The credit the writer may use now; marks the writer waiting when there is none.
    pub(super) fn writer_credit(&self) -> usize {
        let mut st = self.lock();
        let c = st.credit();
        if c == 0 {
            st.writer_waiting = true;
        }
        c
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Pushes one single-frame message if the HWM allows. Returns the message back when
    /// full (and marks the writer as waiting), else whether the reader must be woken.
    pub(super) fn try_push(&self, msg: Msg) -> Result<bool, Msg> {
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

    /// When nothing is queued and a new message fits under the HWM, counts one message
    /// that the writer hands to the connection directly (see `io::FastLane`) as in
    /// flight, until the reader acknowledges it like a queued one; `false` otherwise.
    /// CONFLATE queues never allow it (their newest message replaces the queued one).
    pub(super) fn claim_idle(&self) -> bool {
        let mut st = self.lock();
        let idle = st.frames.is_empty() && !st.conflate && !st.closed && st.has_room();
        if idle {
            st.in_flight += 1;
        }
        idle
    }

    /// Whether a new message may be pushed now; marks the writer waiting when not.
    pub(super) fn check_room(&self) -> bool {
        let mut st = self.lock();
        let room = st.has_room();
        if !room {
            st.writer_waiting = true;
        }
        room
    }

    /// Pushes `msgs` complete messages made of `frames` (drained), whatever the HWM (the
    /// caller checked for room before the first frame). Returns (wake reader, credit left).
    pub(super) fn push_all<I: IntoIterator<Item = Msg>>(
        &self,
        frames: I,
        msgs: usize,
    ) -> (bool, usize) {
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
    pub(super) fn take(&self, into: &mut VecDeque<Msg>, consumed: usize) -> Taken {
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

    pub(super) fn close(&self) -> bool {
        let mut st = self.lock();
        st.closed = true;
        std::mem::take(&mut st.reader_waiting)
    }

    pub(super) fn is_closed(&self) -> bool {
        self.lock().closed
    }

    pub(super) fn is_empty(&self) -> bool {
        self.lock().frames.is_empty()
    }

    pub(super) fn set_conflate(&self) {
        let mut st = self.lock();
        st.conflate = true;
        st.keep_last();
    }

    pub(super) fn set_hwm(&self, hwm: usize) -> bool {
        let mut st = self.lock();
        st.hwm = hwm;
        self.lwm.store(low_water_mark(hwm), Ordering::Relaxed);
        st.writer_waiting && st.has_room()
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
