//! Endings: a lost connection (what happens to messages in flight, the monitor events),
//! reconnecting with backoff, LINGER, and the small helpers for events and timers.

use super::*;

impl Session {
    pub(super) fn connection_lost(&mut self, ctx: &mut Ctx<'_>) -> Next {
        self.end_zap();
        let phase = std::mem::replace(&mut self.phase, Phase::Idle);
        let (handshaking, established, mid_message) = match phase {
            Phase::Zmtp(mut conn) => {
                if self.protocol_failure {
                    // A refused peer still gets the READY queued before its own (one
                    // non-blocking write), so it sees the refusal the same way whichever
                    // side reads first.
                    if let Some(s) = self.stream.as_mut() {
                        let _ = conn.write_to(s);
                    }
                }
                // Messages in the output go with the connection: their credit comes back.
                self.out_done += conn.pending_messages();
                // Active once the handshake is done AND the pipe is attached (a bind-side
                // session whose socket is gone by then still failed its handshake).
                let established = conn.is_established() && self.pipe.is_some();
                (!established, established, conn.mid_message())
            }
            _ => (false, false, false),
        };
        // Complete messages already decoded still reach the socket; a half-received one
        // is dropped, and so is the rest of a half-sent one (never sent headless later).
        self.flush_batch();
        let mut mid_message = mid_message;
        if self.cfg.immediate && established {
            if let Some(pipe) = &self.pipe {
                self.out_local.clear();
                mid_message = false;
                // Takes and acknowledges everything in flight, these included.
                self.out_done = 0;
                pipe.peer_lost();
            }
        }
        if mid_message {
            while let Some(m) = self.out_local.pop_front() {
                if !m.more() {
                    self.out_done += 1;
                    break;
                }
            }
        }
        self.ack_sent(true);
        if handshaking && !self.protocol_failure {
            self.emit(EVENT_HANDSHAKE_FAILED_NO_DETAIL, value(self.errno));
        }
        if let Some(mut s) = self.stream.take() {
            // A connect attempt that never came up is CLOSED, a connection DISCONNECTED.
            let event = match std::mem::take(&mut self.up) {
                true => EVENT_DISCONNECTED,
                false => EVENT_CLOSED,
            };
            self.emit(event, value(s.as_raw_fd()));
            let _ = ctx.registry.deregister(&mut s);
        }
        self.errno = 0;
        self.protocol_failure = false;
        self.socks_in = BytesMut::new();
        self.socks_out.clear();
        self.handshake_deadline = None;
        self.can_read = false;
        self.writable = false;
        self.epoch += 1;
        match self.role {
            Role::Accepted { .. } => Next::Remove,
            // Refused by the server (an ERROR): libzmq's session terminates.
            Role::Connect { .. } if std::mem::take(&mut self.refused) => Next::Remove,
            Role::Connect { .. } => match self.schedule_reconnect(ctx) {
                Next::Keep => self.check_linger(ctx),
                Next::Remove => Next::Remove,
            },
        }
    }

    /// Arms the reconnect timer, or ends the session when RECONNECT_IVL is -1.
    pub(super) fn schedule_reconnect(&mut self, ctx: &mut Ctx<'_>) -> Next {
        self.phase = Phase::Idle;
        self.epoch += 1;
        let Ok(ivl) = u64::try_from(self.cfg.reconnect_ivl) else {
            return Next::Remove;
        };
        let max = u64::try_from(self.cfg.reconnect_ivl_max).unwrap_or(0);
        let backoff = match &mut self.role {
            Role::Connect { backoff, .. } => Some(backoff),
            _ => None,
        };
        let delay = super::super::backoff::reconnect_delay(ivl, max, backoff, &mut self.rng);
        self.arm(ctx, TimerKind::Reconnect, Duration::from_millis(delay));
        self.emit(
            EVENT_CONNECT_RETRIED,
            u32::try_from(delay).unwrap_or(u32::MAX),
        );
        Next::Keep
    }

    /// After the socket let go of the pipe: flush within LINGER, then end.
    pub(super) fn check_linger(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let Some(pipe) = &self.pipe else {
            return Next::Keep;
        };
        if !pipe.socket_closed() {
            return Next::Keep;
        }
        if !self.lingering {
            let linger = pipe.linger();
            if linger == 0 {
                return Next::Remove;
            }
            self.lingering = true;
            if linger > 0 {
                let at = ctx.now + Duration::from_millis(linger as u64);
                ctx.timers.add(
                    at,
                    Timer {
                        token: self.token,
                        kind: TimerKind::Linger,
                        epoch: 0,
                    },
                );
            }
        }
        let output_empty = match &self.phase {
            Phase::Zmtp(conn) => conn.pending_bytes() == 0,
            _ => self.socks_out.is_empty(),
        };
        let flushed = self.out_local.is_empty() && output_empty && !pipe.has_outgoing();
        if flushed {
            Next::Remove
        } else {
            Next::Keep
        }
    }

    /// Reports `event` to the socket's monitor (a no-op when nobody monitors).
    pub(super) fn emit(&self, event: u16, value: u32) {
        self.cfg.socket.monitor.emit(event, value, &self.endpoint);
    }

    /// The current stream's descriptor as an event value.
    pub(super) fn fd(&self) -> u32 {
        self.stream.as_ref().map_or(0, |s| value(s.as_raw_fd()))
    }

    pub(super) fn arm(&mut self, ctx: &mut Ctx<'_>, kind: TimerKind, after: Duration) {
        ctx.timers.add(
            ctx.now + after,
            Timer {
                token: self.token,
                kind,
                epoch: self.epoch,
            },
        );
    }
}
