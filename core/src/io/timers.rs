//! Timers of one I/O thread: a min-heap of deadlines, cancelled lazily by epoch.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

/// What a timer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TimerKind {
    Reconnect,
    /// HANDSHAKE_IVL while a SOCKS proxy is being negotiated (ZMTP's own is `Protocol`).
    Handshake,
    Linger,
    /// A deadline the ZMTP connection asked for (handshake timeout, heartbeat, TTL).
    Protocol,
    Connect,
}

/// A due timer: the session token, what for, and the session epoch it was armed in (a
/// session ignores timers from an older epoch, which is how timers are cancelled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timer {
    pub token: usize,
    pub kind: TimerKind,
    pub epoch: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<(Instant, Timer)>>,
}

impl Timers {
    pub fn add(&mut self, at: Instant, timer: Timer) {
        self.heap.push(Reverse((at, timer)));
    }

    /// How long the poll may sleep.
    pub fn timeout(&self, now: Instant) -> Option<Duration> {
        self.heap
            .peek()
            .map(|Reverse((at, _))| at.saturating_duration_since(now))
    }

    /// Removes and returns the next timer due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<Timer> {
        match self.heap.peek() {
            Some(Reverse((at, _))) if *at <= now => self.heap.pop().map(|Reverse((_, t))| t),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_fire_in_deadline_order() {
        let mut t = Timers::default();
        let now = Instant::now();
        let timer = |token| Timer {
            token,
            kind: TimerKind::Reconnect,
            epoch: 0,
        };
        t.add(now + Duration::from_millis(20), timer(2));
        t.add(now + Duration::from_millis(10), timer(1));
        assert!(t.pop_due(now).is_none());
        assert_eq!(t.timeout(now), Some(Duration::from_millis(10)));
        let later = now + Duration::from_millis(30);
        assert_eq!(t.pop_due(later).map(|t| t.token), Some(1));
        assert_eq!(t.pop_due(later).map(|t| t.token), Some(2));
        assert_eq!(t.timeout(later), None);
    }
}
