//! The traffic phase: reading into the connection and handing its messages to the pipe
//! (within RCVHWM credit, in batches, a budget of reads per turn), writing its output and
//! acknowledging sent messages at the pipe's low-water mark, and running its timers.

use super::super::flow::{ack_due, drained_by, next_read, spend_credit, ReadTurn};
use super::*;
use crate::sys::fd::read_spare;

impl Session {
    /// Runs the connection's timers (handshake deadline, heartbeat) and arms the next.
    pub(super) fn run_timers(&mut self, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
        let reading = self.credit > 0;
        let Phase::Zmtp(conn) = &mut self.phase else {
            return Ok(());
        };
        let before = conn.pending_bytes();
        let result = conn.handle_timeout(ctx.now, reading);
        let timer = conn.poll_timeout();
        let wrote = conn.pending_bytes() > before;
        if let Some(at) = timer {
            self.arm(
                ctx,
                TimerKind::Protocol,
                at.saturating_duration_since(ctx.now),
            );
        }
        result.map_err(|e| self.failed(e))?;
        if wrote {
            self.write_out()?;
        }
        Ok(())
    }

    /// Reads once into the current phase's buffer. `Ok(false)` when nothing is available
    /// now. A read that leaves the stream empty ([`drained_by`]) clears `can_read`, which
    /// spares the read that would only hear EAGAIN (half the reads of a connection whose
    /// messages come one at a time: heartbeats, requests, latency-bound traffic).
    pub(super) fn read_some(&mut self) -> Result<bool, Lost> {
        let fd = self.stream.as_ref().ok_or(Lost)?.as_raw_fd();
        let (result, room) = match &mut self.phase {
            Phase::Zmtp(conn) => {
                let buf = conn.read_buf();
                let room = buf.capacity() - buf.len();
                let r = read_spare(fd, buf);
                if matches!(r, Ok(n) if n > 0) {
                    conn.received();
                }
                (r, room)
            }
            // The SOCKS reply is read a few bytes at a time: no room to compare with.
            _ => (read_into(fd, &mut self.socks_in, 0), 0),
        };
        match result {
            Ok(0) => {
                // libzmq reports a peer's orderly close as EPIPE.
                self.errno = libc::EPIPE;
                Err(Lost)
            }
            Ok(n) => {
                if drained_by(n, room, self.peer_closing) {
                    self.can_read = false;
                }
                Ok(true)
            }
            Err(e) => match e.kind() {
                io::ErrorKind::WouldBlock => {
                    self.can_read = false;
                    Ok(false)
                }
                io::ErrorKind::Interrupted => Ok(true),
                _ => {
                    self.errno = e.raw_os_error().unwrap_or(0);
                    Err(Lost)
                }
            },
        }
    }

    /// Decodes and reads while the socket has credit. Returns whether the read budget
    /// ran out while the stream may still have bytes (the session must be run again).
    pub(super) fn read_traffic(&mut self) -> Result<bool, Lost> {
        let mut reads = 0;
        let mut exhausted = false;
        loop {
            self.decode()?;
            if self.credit == 0 {
                self.flush_batch();
                if self.credit == 0 {
                    break;
                }
                continue;
            }
            if self.batch_msgs >= DELIVER_BATCH {
                self.flush_batch();
            }
            match next_read(self.can_read, reads, READ_BUDGET) {
                ReadTurn::Read => reads += 1,
                ReadTurn::Stop => break,
                ReadTurn::Yield => {
                    exhausted = true;
                    break;
                }
            }
            if !self.read_some()? {
                break;
            }
        }
        self.flush_batch();
        Ok(exhausted)
    }

    /// Whether incoming messages are thrown away (send-only socket, or socket gone).
    pub(super) fn discarding(&self) -> bool {
        !self.cfg.receives || self.pipe.as_ref().is_none_or(|p| p.socket_closed())
    }

    /// Decodes complete messages from the connection while the socket has credit.
    pub(super) fn decode(&mut self) -> Result<(), Lost> {
        let discard = self.discarding();
        let Phase::Zmtp(conn) = &mut self.phase else {
            return Ok(());
        };
        match conn.decode_into(&mut self.batch, self.credit, discard) {
            Ok(n) => {
                self.batch_msgs += n;
                spend_credit(&mut self.credit, n);
                Ok(())
            }
            Err(e) => Err(self.failed(e)),
        }
    }

    pub(super) fn flush_batch(&mut self) {
        if self.batch_msgs == 0 {
            return;
        }
        let msgs = std::mem::take(&mut self.batch_msgs);
        // The application may answer these: its reply may go direct.
        self.direct.inbound();
        match &self.pipe {
            Some(pipe) => self.credit = pipe.deliver(self.batch.drain(..), msgs),
            None => self.batch.clear(),
        }
    }

    pub(super) fn write_out(&mut self) -> Result<(), Lost> {
        loop {
            let wants = match self.established() {
                Some(conn) => {
                    conn.flush_pending().map_err(|_| Lost)?;
                    conn.wants_messages()
                }
                None => false,
            };
            if wants {
                self.refill()?;
            }
            let Some(stream) = self.stream.as_mut() else {
                return Ok(());
            };
            let (pending, written) = match &mut self.phase {
                Phase::Zmtp(conn) => {
                    if conn.pending_bytes() == 0 || !self.writable {
                        return Ok(());
                    }
                    (true, conn.write_to(stream))
                }
                _ if self.socks_out.is_empty() || !self.writable => return Ok(()),
                _ => (false, self.socks_out.write_to(stream)),
            };
            match written {
                Ok(0) => return Err(Lost),
                Ok(_) => {
                    if let (true, Phase::Zmtp(conn)) = (pending, &mut self.phase) {
                        self.out_done += conn.take_written_messages();
                    }
                    self.ack_sent(false);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.writable = false;
                    self.rewatch();
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.errno = e.raw_os_error().unwrap_or(0);
                    return Err(Lost);
                }
            }
        }
    }

    /// Acknowledges finished outgoing messages to the pipe: at its low-water mark, or
    /// all of them with `now` (their connection is gone).
    pub(super) fn ack_sent(&mut self, now: bool) {
        let Some(pipe) = &self.pipe else {
            self.out_done = 0;
            return;
        };
        if let Some(n) = ack_due(&mut self.out_done, pipe.outgoing_lwm(), now) {
            pipe.ack_outgoing(n);
        }
    }

    /// Encodes queued messages until the connection's output holds a batch.
    pub(super) fn refill(&mut self) -> Result<(), Lost> {
        if self.out_local.is_empty() {
            if let Some(pipe) = &self.pipe {
                pipe.drain_outgoing(&mut self.out_local, 0);
            }
        }
        let Phase::Zmtp(conn) = &mut self.phase else {
            return Ok(());
        };
        while conn.wants_messages() {
            if self.out_local.is_empty() {
                // The pipe hands over a batch at a time: take the next one.
                match &self.pipe {
                    Some(pipe) => pipe.drain_outgoing(&mut self.out_local, 0),
                    None => break,
                };
            }
            // Encoded where it lies in the batch, then dropped there: moved out first, the
            // 48-byte frame went through a stack temporary written and read back at other
            // widths, a store-forwarding stall per frame (docs/PERFORMANCE.md, issue 14).
            let Some(msg) = self.out_local.front() else {
                break;
            };
            let sent = conn.send(msg);
            self.out_local.pop_front();
            sent.map_err(|_| Lost)?;
            self.sent_in_turn = true;
        }
        Ok(())
    }
}
