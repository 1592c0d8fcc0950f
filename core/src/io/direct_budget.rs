//! [`DirectBudget`]: how many messages the application thread may write itself (through
//! the fast lane, `io::fast_lane`) the next time the session lends its connection.
//!
//! A direct write saves the I/O thread's wake-up, which is what a request/reply exchange
//! or an occasional message waits on; but it is one syscall per message. A sender that
//! streams would pay that syscall for every message instead of the I/O thread's batches
//! of many messages per write: at 1 B, five times fewer messages per second. So the
//! budget is spent by direct writes and refilled only when the next message is likely to
//! be waited for:
//! - a message came in from the peer (a reply may follow it);
//! - the sender had been quiet for [`QUIET`] when it sent again (not a stream).
//!
//! While a sender streams, the budget stays empty and its messages go through the
//! pipe's queue and the I/O thread's batches.
//!
//! Plain code over the times and counts the session hands it: no clock of its own.

use std::time::{Duration, Instant};

/// Messages the application thread may write in a row once the budget is refilled.
pub(crate) const STREAK: u32 = 8;

/// A pause in sending at least this long refills the budget: the sender is not
/// streaming, and its next message is likely to be waited for.
pub(crate) const QUIET: Duration = Duration::from_millis(1);

/// The direct writes the application thread may still make (one per session).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DirectBudget {
    left: u32,
    /// When the session last saw messages go out (its own writes or direct ones).
    last_send: Option<Instant>,
}

impl Default for DirectBudget {
    fn default() -> Self {
        DirectBudget {
            left: STREAK,
            last_send: None,
        }
    }
}

impl DirectBudget {
    /// The budget for the next lending.
    pub fn left(&self) -> u32 {
        self.left
    }

    /// The connection came back from the lane after `direct` direct writes.
    pub fn spent(&mut self, direct: u32) {
        self.left = self.left.saturating_sub(direct);
    }

    /// Messages arrived from the peer: the application may answer them.
    pub fn inbound(&mut self) {
        self.left = STREAK;
    }

    /// End of a session turn at `now`; `sent`: messages went out since the last turn
    /// (direct or through the queue). A send after a pause of [`QUIET`] refills.
    pub fn turn(&mut self, sent: bool, now: Instant) {
        if !sent {
            return;
        }
        let paused = self
            .last_send
            .is_none_or(|last| now.saturating_duration_since(last) >= QUIET);
        if paused {
            self.left = STREAK;
        }
        self.last_send = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_writes_spend_the_budget_and_a_stream_keeps_it_empty() {
        let t0 = Instant::now();
        let mut b = DirectBudget::default();
        assert_eq!(b.left(), STREAK);
        b.spent(STREAK);
        b.turn(true, t0);
        // A pause before t0 (none was seen) refilled it once: a burst after quiet.
        assert_eq!(b.left(), STREAK);
        b.spent(STREAK);
        // From now on the sender streams: turns every few µs, each with sends.
        for us in 1..100 {
            b.turn(true, t0 + Duration::from_micros(us * 10));
            assert_eq!(b.left(), 0, "a stream goes through the queue");
        }
    }

    #[test]
    fn a_pause_in_sending_refills_it() {
        let t0 = Instant::now();
        let mut b = DirectBudget::default();
        b.turn(true, t0);
        b.spent(STREAK);
        // Turns without sends (timers, reads) neither refill nor move the last send.
        b.turn(false, t0 + QUIET * 2);
        assert_eq!(b.left(), 0);
        b.turn(true, t0 + QUIET - Duration::from_micros(1));
        assert_eq!(b.left(), 0, "not quiet long enough");
        b.turn(true, t0 + QUIET * 3);
        assert_eq!(b.left(), STREAK);
    }

    #[test]
    fn a_message_in_refills_it_for_the_reply() {
        let mut b = DirectBudget::default();
        b.spent(STREAK + 3);
        assert_eq!(b.left(), 0, "never below zero");
        b.inbound();
        assert_eq!(b.left(), STREAK);
    }
}
