//! The flow-control decisions of a ZMTP session, as plain functions tested without
//! sockets: spending the socket's RCVHWM credit, the read budget of one turn, and when
//! sent messages are acknowledged to the pipe (its SNDHWM low-water mark).

/// Spends `n` messages of receive `credit` (`usize::MAX` = unlimited, never spent).
pub(crate) fn spend_credit(credit: &mut usize, n: usize) {
    if *credit != usize::MAX {
        *credit = credit.saturating_sub(n);
    }
}

/// What the read loop does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadTurn {
    /// Read from the stream once more.
    Read,
    /// Nothing to read now (readiness will say when).
    Stop,
    /// The budget of this turn is used up while bytes may remain: run again later.
    Yield,
}

/// The next step after `reads` reads this turn, of at most `budget`.
pub(crate) fn next_read(can_read: bool, reads: usize, budget: usize) -> ReadTurn {
    match (can_read, reads >= budget) {
        (false, _) => ReadTurn::Stop,
        (true, true) => ReadTurn::Yield,
        (true, false) => ReadTurn::Read,
    }
}

/// Whether a read of `n` bytes into `room` bytes of buffer left the stream empty, so the
/// next read can wait for readiness instead of being made to hear EAGAIN. A TCP or Unix
/// stream read returns less than asked only when the socket's receive queue ran dry, and
/// edge-triggered epoll reports every byte that arrives afterwards as a new event (libzmq,
/// level-triggered, reads once per event for the same reason). Not after the peer's end
/// or an error was reported (`peer_closing`): that edge came with the bytes just read,
/// and only reading on finds the end of the stream.
pub(crate) fn drained_by(n: usize, room: usize, peer_closing: bool) -> bool {
    n < room && !peer_closing
}

/// How many sent messages to acknowledge to the pipe now, taken out of `done`: all of
/// them once they reach the low-water mark `lwm` (so the socket gets its SNDHWM room
/// back in batches, not one wake-up per message), or at once with `now` (their
/// connection is gone). `None` while there is nothing to acknowledge yet.
pub(crate) fn ack_due(done: &mut usize, lwm: usize, now: bool) -> Option<usize> {
    (*done > 0 && (now || *done >= lwm)).then(|| std::mem::take(done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_is_spent_down_to_zero_unless_unlimited() {
        let mut credit = 3;
        spend_credit(&mut credit, 2);
        assert_eq!(credit, 1);
        spend_credit(&mut credit, 5);
        assert_eq!(credit, 0, "never below zero");
        let mut unlimited = usize::MAX;
        spend_credit(&mut unlimited, 1000);
        assert_eq!(unlimited, usize::MAX);
    }

    #[test]
    fn reads_stop_when_dry_and_yield_at_the_budget() {
        assert_eq!(next_read(true, 0, 64), ReadTurn::Read);
        assert_eq!(next_read(true, 63, 64), ReadTurn::Read);
        assert_eq!(next_read(true, 64, 64), ReadTurn::Yield);
        assert_eq!(next_read(false, 64, 64), ReadTurn::Stop);
        assert_eq!(next_read(false, 0, 64), ReadTurn::Stop);
    }

    #[test]
    fn a_short_read_drains_the_stream_unless_the_peer_is_closing() {
        assert!(drained_by(100, 65536, false), "a short read");
        assert!(
            !drained_by(65536, 65536, false),
            "a full read: more may wait"
        );
        assert!(
            !drained_by(100, 65536, true),
            "the end of the stream is still to be read"
        );
        assert!(!drained_by(0, 0, false), "no room, nothing known");
    }

    #[test]
    fn sent_messages_are_acknowledged_in_batches_at_the_low_water_mark() {
        let mut done = 0;
        assert_eq!(ack_due(&mut done, 4, false), None);
        assert_eq!(ack_due(&mut done, 4, true), None, "nothing to acknowledge");
        done += 3;
        assert_eq!(ack_due(&mut done, 4, false), None);
        assert_eq!(done, 3, "kept until the mark");
        done += 1;
        assert_eq!(ack_due(&mut done, 4, false), Some(4));
        assert_eq!(done, 0);
        done += 2;
        assert_eq!(
            ack_due(&mut done, 4, true),
            Some(2),
            "a lost connection acks all"
        );
        assert_eq!(done, 0);
    }
}
