//! Endings: a lost connection (what happens to messages in flight, the monitor events),
//! reconnecting with backoff, LINGER, and the small helpers for events and timers.

use super::super::lifecycle::Plumbing;
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
        let was_up = std::mem::take(&mut self.up);
        let stream = self.stream.take();
        let handshake_errno = (handshaking && !self.protocol_failure).then_some(self.errno);
        self.plumbing()
            .report_loss(ctx, stream, was_up, handshake_errno);
        self.errno = 0;
        self.protocol_failure = false;
        self.socks_in = BytesMut::new();
        self.socks_out.clear();
        self.handshake_deadline = None;
        self.can_read = false;
        self.peer_closing = false;
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
        self.plumbing().schedule_reconnect(ctx)
    }

    /// After the socket let go of the pipe: flush within LINGER, then end.
    pub(super) fn check_linger(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let output_empty = match &self.phase {
            Phase::Zmtp(conn) => conn.pending_bytes() == 0,
            _ => self.socks_out.is_empty(),
        };
        let flushed = self.out_local.is_empty() && output_empty;
        self.plumbing().check_linger(ctx, true, flushed)
    }

    /// The shared session plumbing over this session's fields.
    fn plumbing(&mut self) -> Plumbing<'_> {
        Plumbing {
            token: self.token,
            cfg: &self.cfg,
            endpoint: &self.endpoint,
            role: &mut self.role,
            epoch: &mut self.epoch,
            rng: &mut self.rng,
            lingering: &mut self.lingering,
            pipe: self.pipe.as_ref(),
        }
    }

    /// Reports `event` to the socket's monitor (a no-op when nobody monitors).
    pub(super) fn emit(&mut self, event: u16, value: u32) {
        self.plumbing().emit(event, value);
    }

    /// The current stream's descriptor as an event value.
    pub(super) fn fd(&self) -> u32 {
        self.stream.as_ref().map_or(0, |s| value(s.as_raw_fd()))
    }

    pub(super) fn arm(&mut self, ctx: &mut Ctx<'_>, kind: TimerKind, after: Duration) {
        self.plumbing().arm(ctx, kind, after);
    }
}
