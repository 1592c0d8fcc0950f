//! What both session kinds (ZMTP [`Session`](super::session::Session) and raw STREAM
//! [`RawSession`](super::raw_session::RawSession)) do alike around a connection: who
//! they are to the monitor and the timers, ending a stream (DISCONNECTED or CLOSED),
//! scheduling a reconnect (CONNECT_RETRIED), and LINGER once the socket let go.
//!
//! The decisions are plain functions ([`linger_step`], [`loss_event`],
//! [`super::backoff::next_reconnect`]) tested without sockets or clocks; [`Plumbing`]
//! only carries them out on the reactor's timers and registry.

use super::monitor_values::value;
use super::session::{Ctx, Next, SessionConfig};
use super::stream::{PeerAddr, Stream};
use super::timers::{Timer, TimerKind};
use crate::monitor::{
    EVENT_CLOSED, EVENT_CONNECT_RETRIED, EVENT_DISCONNECTED, EVENT_HANDSHAKE_FAILED_NO_DETAIL,
};
use crate::pipe::Pipe;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

/// Which side of a connection a session is.
pub(crate) enum Role {
    /// It dials `addr`, and redials after a loss.
    Connect {
        addr: PeerAddr,
        /// The next backoff interval when RECONNECT_IVL_MAX is set.
        backoff: Option<u64>,
    },
    /// Listener `listener` accepted it; it ends with its connection.
    Accepted { listener: usize },
}

impl Role {
    /// The listener that accepted the connection, if it was accepted.
    pub fn listener(&self) -> Option<usize> {
        match *self {
            Role::Accepted { listener } => Some(listener),
            Role::Connect { .. } => None,
        }
    }
}

/// What LINGER asks of a session on one look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LingerStep {
    pub next: Next,
    /// Arm the LINGER timer this far ahead (only on the first look after the let-go, and
    /// only when the session stays).
    pub arm: Option<Duration>,
}

/// The LINGER decision: `closed` = the socket let go of the pipe, `linger_ms` its LINGER
/// (-1 = forever), `can_flush` = a connection is there to write to, `flushed` = nothing
/// is left to write. `lingering` remembers that the timer was armed.
pub(crate) fn linger_step(
    lingering: &mut bool,
    closed: bool,
    linger_ms: i32,
    can_flush: bool,
    flushed: bool,
) -> LingerStep {
    let step = |next, arm| LingerStep { next, arm };
    if !closed {
        return step(Next::Keep, None);
    }
    if !can_flush || (!*lingering && linger_ms == 0) {
        return step(Next::Remove, None);
    }
    if flushed {
        return step(Next::Remove, None);
    }
    let arm = match std::mem::replace(lingering, true) {
        false => u64::try_from(linger_ms).ok().map(Duration::from_millis),
        true => None,
    };
    step(Next::Keep, arm)
}

/// The event a stream's end is reported with: a connection that was up is
/// DISCONNECTED, a connect attempt that never came up is CLOSED.
pub(crate) fn loss_event(was_up: bool) -> u16 {
    if was_up {
        EVENT_DISCONNECTED
    } else {
        EVENT_CLOSED
    }
}

/// The monitor events a lost connection is reported with, in order: HANDSHAKE_FAILED_NO_DETAIL
/// when the handshake was still running and failed without a protocol error (that one
/// is reported where it is detected), then the stream's end ([`loss_event`]) when there
/// was a stream (`stream_was_up` = whether it had come up).
pub(crate) fn loss_events(
    handshake_failed: bool,
    stream_was_up: Option<bool>,
) -> impl Iterator<Item = u16> {
    let failed = handshake_failed.then_some(EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    failed.into_iter().chain(stream_was_up.map(loss_event))
}

/// A non-zero seed for the reconnect jitter.
pub(crate) fn seed(token: usize) -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    (t ^ (token as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1
}

/// The parts of a session the shared plumbing works on, borrowed for one call.
pub(crate) struct Plumbing<'s> {
    pub token: usize,
    pub cfg: &'s SessionConfig,
    /// The endpoint monitor events name.
    pub endpoint: &'s str,
    pub role: &'s mut Role,
    /// Bumped whenever the connection changes, which cancels older timers.
    pub epoch: &'s mut u64,
    pub rng: &'s mut u64,
    pub lingering: &'s mut bool,
    pub pipe: Option<&'s Arc<Pipe>>,
}

impl Plumbing<'_> {
    /// Reports `event` to the socket's monitor (a no-op when nobody monitors).
    pub fn emit(&self, event: u16, value: u32) {
        self.cfg.socket.monitor.emit(event, value, self.endpoint);
    }

    /// Arms a timer of this session's current epoch.
    pub fn arm(&self, ctx: &mut Ctx<'_>, kind: TimerKind, after: Duration) {
        let timer = Timer {
            token: self.token,
            kind,
            epoch: *self.epoch,
        };
        ctx.timers.add(ctx.now + after, timer);
    }

    /// Reports a lost connection as [`loss_events`] says (HANDSHAKE_FAILED_NO_DETAIL with
    /// `handshake_errno` if given, the stream's end with its descriptor), and unregisters
    /// the stream.
    pub fn report_loss(
        &self,
        ctx: &mut Ctx<'_>,
        mut stream: Option<Stream>,
        was_up: bool,
        handshake_errno: Option<i32>,
    ) {
        let fd = stream.as_ref().map_or(0, |s| value(s.as_raw_fd()));
        let errno = value(handshake_errno.unwrap_or(0));
        let had_stream = stream.as_ref().map(|_| was_up);
        for event in loss_events(handshake_errno.is_some(), had_stream) {
            let v = if event == EVENT_HANDSHAKE_FAILED_NO_DETAIL {
                errno
            } else {
                fd
            };
            self.emit(event, v);
        }
        if let Some(s) = stream.as_mut() {
            let _ = ctx.registry.deregister(s);
        }
    }

    /// Arms the reconnect timer (CONNECT_RETRIED), or ends the session when
    /// RECONNECT_IVL is -1.
    pub fn schedule_reconnect(&mut self, ctx: &mut Ctx<'_>) -> Next {
        *self.epoch += 1;
        let backoff = match &mut *self.role {
            Role::Connect { backoff, .. } => Some(backoff),
            Role::Accepted { .. } => None,
        };
        let (ivl, max) = (self.cfg.reconnect_ivl, self.cfg.reconnect_ivl_max);
        let Some(delay) = super::backoff::next_reconnect(ivl, max, backoff, self.rng) else {
            return Next::Remove;
        };
        self.arm(ctx, TimerKind::Reconnect, Duration::from_millis(delay));
        self.emit(
            EVENT_CONNECT_RETRIED,
            u32::try_from(delay).unwrap_or(u32::MAX),
        );
        Next::Keep
    }

    /// After the socket let go of the pipe: flush within LINGER, then end ([`linger_step`];
    /// `flushed` = the session itself holds nothing more to write).
    pub fn check_linger(&mut self, ctx: &mut Ctx<'_>, can_flush: bool, flushed: bool) -> Next {
        let Some(pipe) = self.pipe else {
            return Next::Keep;
        };
        let flushed = flushed && !pipe.has_outgoing();
        let step = linger_step(
            self.lingering,
            pipe.socket_closed(),
            pipe.linger(),
            can_flush,
            flushed,
        );
        if let Some(after) = step.arm {
            // Epoch 0: reconnections do not cancel LINGER.
            let timer = Timer {
                token: self.token,
                kind: TimerKind::Linger,
                epoch: 0,
            };
            ctx.timers.add(ctx.now + after, timer);
        }
        step.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linger_keeps_a_session_whose_socket_still_holds_the_pipe() {
        let mut lingering = false;
        let step = linger_step(&mut lingering, false, 0, true, true);
        assert_eq!(
            step,
            LingerStep {
                next: Next::Keep,
                arm: None
            }
        );
        assert!(!lingering);
    }

    #[test]
    fn linger_zero_or_no_connection_ends_at_once() {
        let mut lingering = false;
        assert_eq!(
            linger_step(&mut lingering, true, 0, true, false).next,
            Next::Remove
        );
        assert_eq!(
            linger_step(&mut lingering, true, 500, false, false).next,
            Next::Remove
        );
        assert!(!lingering, "no timer armed");
    }

    #[test]
    fn linger_arms_once_then_waits_until_flushed() {
        let mut lingering = false;
        let first = linger_step(&mut lingering, true, 250, true, false);
        assert_eq!(
            first,
            LingerStep {
                next: Next::Keep,
                arm: Some(Duration::from_millis(250))
            }
        );
        assert!(lingering);
        let again = linger_step(&mut lingering, true, 250, true, false);
        assert_eq!(
            again,
            LingerStep {
                next: Next::Keep,
                arm: None
            },
            "armed once"
        );
        let done = linger_step(&mut lingering, true, 250, true, true);
        assert_eq!(done.next, Next::Remove);
    }

    #[test]
    fn infinite_linger_waits_without_a_timer_and_flushed_ends_at_once() {
        let mut lingering = false;
        let step = linger_step(&mut lingering, true, -1, true, false);
        assert_eq!(
            step,
            LingerStep {
                next: Next::Keep,
                arm: None
            }
        );
        assert!(lingering);
        let mut fresh = false;
        assert_eq!(
            linger_step(&mut fresh, true, -1, true, true).next,
            Next::Remove
        );
    }

    #[test]
    fn a_lost_connection_is_disconnected_and_a_failed_attempt_closed() {
        assert_eq!(loss_event(true), EVENT_DISCONNECTED);
        assert_eq!(loss_event(false), EVENT_CLOSED);
    }

    #[test]
    fn loss_events_come_in_libzmq_order() {
        let seq = |hs, up| loss_events(hs, up).collect::<Vec<_>>();
        // A connect attempt that never came up.
        assert_eq!(seq(false, Some(false)), [EVENT_CLOSED]);
        // The peer went away during the handshake.
        assert_eq!(
            seq(true, Some(true)),
            [EVENT_HANDSHAKE_FAILED_NO_DETAIL, EVENT_DISCONNECTED]
        );
        // An established connection (or one refused on a protocol error, reported
        // where it was detected) ends DISCONNECTED.
        assert_eq!(seq(false, Some(true)), [EVENT_DISCONNECTED]);
        // No stream (waiting to reconnect): nothing to report.
        assert_eq!(seq(false, None), Vec::<u16>::new());
        assert_eq!(seq(true, None), [EVENT_HANDSHAKE_FAILED_NO_DETAIL]);
    }

    #[test]
    fn seeds_are_never_zero() {
        assert!((0..64).all(|t| seed(t) != 0));
    }
}
