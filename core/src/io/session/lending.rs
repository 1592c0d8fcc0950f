//! Lending the connection to the pipe's fast lane between turns (see `io::fast_lane`):
//! each entry point of the session first takes the connection back, runs as it always
//! did, and lends the connection again when it is still in its traffic phase. When the
//! application thread holds the lane at that moment, the session does not wait: it notes
//! what happened (readiness, a timer) and returns; the application thread wakes it as it
//! lets go, and the next turn catches up.

use super::super::fast_lane::{Busy, FdWriter, Lent};
use super::*;

impl Session {
    /// The stream became readable and/or writable.
    pub fn ready(&mut self, ctx: &mut Ctx<'_>, readable: bool, writable: bool) -> Next {
        if readable && self.read_left_to_socket() {
            self.can_read = true;
            self.writable_later |= writable;
            return Next::Keep;
        }
        match self.reclaim() {
            Ok(failure) => self.turn(ctx, failure, |s, ctx| s.on_ready(ctx, readable, writable)),
            Err(Busy) => {
                self.can_read |= readable;
                self.writable_later |= writable;
                Next::Keep
            }
        }
    }

    /// The pipe has work: messages to send, credit returned, the socket let go, or the
    /// application thread left output behind in the lent connection.
    pub fn activate(&mut self, ctx: &mut Ctx<'_>) -> Next {
        match self.reclaim() {
            Ok(failure) => self.turn(ctx, failure, Session::on_activate),
            Err(Busy) => Next::Keep,
        }
    }

    /// A timer armed by this session fired.
    pub fn timer(&mut self, ctx: &mut Ctx<'_>, kind: TimerKind, epoch: u64) -> Next {
        match self.reclaim() {
            Ok(failure) => self.turn(ctx, failure, |s, ctx| s.on_timer(ctx, kind, epoch)),
            Err(Busy) => {
                self.deferred_timers.push((kind, epoch));
                Next::Keep
            }
        }
    }

    /// Ends the session: takes the connection back (before the stream closes), then
    /// unregisters the stream and lets go of the pipe.
    pub fn shutdown(&mut self, ctx: &mut Ctx<'_>) {
        if matches!(self.phase, Phase::Lent) {
            let lent = self.lane().and_then(|l| l.take_back_at_end());
            // Whatever the application thread met goes with the connection.
            let _ = self.restore(lent);
        }
        self.on_shutdown(ctx)
    }

    /// Whether a receive on the application thread waits on the lent connection's
    /// stream: it reads what arrived, and this event is left to it (noted, so that the
    /// session is woken if the receive stops before reading everything).
    fn read_left_to_socket(&self) -> bool {
        matches!(self.phase, Phase::Lent)
            && self
                .lane()
                .is_some_and(|lane| lane.defer_read(self.lent_id()))
    }

    /// The id the connection is lent under: the same across turns, a new one for each
    /// connection (the epoch changes when one is lost).
    fn lent_id(&self) -> u64 {
        self.epoch.wrapping_add(1).max(1)
    }

    fn lane(&self) -> Option<&crate::io::FastLane> {
        self.pipe.as_deref().and_then(Pipe::lane)
    }

    /// Takes the connection back from the lane if it is lent. `Ok` carries an encoding
    /// error the application thread met; `Err(Busy)`: the application thread holds the
    /// lane right now, and wakes the session when it lets go.
    fn reclaim(&mut self) -> Result<Option<ConnectionError>, Busy> {
        if !matches!(self.phase, Phase::Lent) {
            return Ok(None);
        }
        let lent = match self.lane() {
            Some(lane) => lane.take_back()?,
            None => None,
        };
        Ok(self.restore(lent))
    }

    /// Puts a connection taken back from the lane in place again.
    fn restore(&mut self, lent: Option<Lent>) -> Option<ConnectionError> {
        let Some(lent) = lent else {
            // Only the session empties the lane, and only into this phase.
            self.phase = Phase::Idle;
            return None;
        };
        self.writable = lent.writable || std::mem::take(&mut self.writable_later);
        // A receive may still wait on the stream: the poller watches it again.
        self.watch = lent.watch;
        self.rewatch();
        let (refilled, spent) = lent.budget_spent();
        if refilled {
            self.direct.inbound();
        }
        self.direct.spent(spent);
        self.sent_in_turn |= lent.wrote();
        // The application thread may have delivered messages (spending credit), or met
        // the stream's end, which the session's own read then finds and reports.
        if lent.id != 0 {
            self.credit = lent.credit;
            self.can_read |= lent.ended;
        }
        self.phase = Phase::Zmtp(lent.conn);
        // Messages the application thread finished count as the session's own; what it
        // acknowledged itself (the session's `unacked` included) is no longer counted.
        self.out_done = lent.unacked + lent.done;
        self.ack_sent(false);

        lent.failure
    }

    /// The stream was registered with the I/O thread's poller, for both readable and
    /// writable events.
    pub(super) fn registered(&mut self, ctx: &Ctx<'_>) {
        self.epoll = ctx.registry.as_raw_fd();
        self.watch = Watch::ALL;
    }

    fn registration(&self, fd: RawFd) -> Registration {
        Registration {
            epoll: self.epoll,
            fd,
            token: self.token as u64,
        }
    }

    /// Makes the poller watch the stream for reading (a receive that parked on it took
    /// that out), and for writing when the session waits to write (it is not put back
    /// otherwise: see `io::fast_lane::watch`).
    pub(super) fn rewatch(&mut self) {
        let want = Watch {
            readable: true,
            writable: self.watch.writable || !self.writable,
        };
        if want == self.watch {
            return;
        }
        let Some(fd) = self.stream.as_ref().map(|s| s.as_raw_fd()) else {
            return;
        };
        if self.registration(fd).set(want).is_ok() {
            self.watch = want;
        }
    }

    /// One turn with the connection back: fails it if the application thread met an
    /// encoding error, runs the timers that fired meanwhile, then `f`; lends the
    /// connection again if the session goes on.
    fn turn(
        &mut self,
        ctx: &mut Ctx<'_>,
        failure: Option<ConnectionError>,
        f: impl FnOnce(&mut Session, &mut Ctx<'_>) -> Next,
    ) -> Next {
        let mut next = match failure {
            Some(e) => {
                let Lost = self.failed(e);
                self.connection_lost(ctx)
            }
            None => Next::Keep,
        };
        for (kind, epoch) in std::mem::take(&mut self.deferred_timers) {
            if next == Next::Keep {
                next = self.on_timer(ctx, kind, epoch);
            }
        }
        if next == Next::Keep {
            next = f(self, ctx);
        }
        if next == Next::Keep {
            self.direct
                .turn(std::mem::take(&mut self.sent_in_turn), ctx.now);
            self.lend();
        }
        next
    }

    /// Lends an established connection to the pipe's lane until the next turn (not with
    /// CONFLATE, nor once the socket let go of the pipe).
    fn lend(&mut self) {
        if self.lingering || self.cfg.conflate {
            return;
        }
        let Some(fd) = self.stream.as_ref().map(|s| s.as_raw_fd()) else {
            return;
        };
        let Some(pipe) = self.pipe.as_deref() else {
            return;
        };
        let Some(lane) = pipe.lane().filter(|_| !pipe.socket_closed()) else {
            return;
        };
        let conn = match std::mem::replace(&mut self.phase, Phase::Lent) {
            Phase::Zmtp(conn) if conn.is_established() => conn,
            other => {
                self.phase = other;
                return;
            }
        };
        let idle = self.out_local.is_empty();
        // What the session finished and has not acknowledged yet counts towards the
        // mark at which the application thread wakes it to acknowledge: otherwise both
        // could hold nearly a mark each of finished but unacknowledged messages, and a
        // small SNDHWM would fill with them (PUB dropped messages its subscriber had long
        // received). Credit still returns a mark at a time, as libzmq's does.
        let unacked = self.out_done;
        let mut lent = Lent::new(
            conn,
            FdWriter(self.registration(fd)),
            self.writable,
            idle,
            self.direct.left(),
        );
        lent.unacked = unacked;
        lent.watch = self.watch;
        if self.cfg.receives {
            lent = lent.receiving(self.lent_id(), self.credit);
        }
        if let Err(back) = lane.lend(lent) {
            self.phase = Phase::Zmtp(back.conn);
        }
    }
}
