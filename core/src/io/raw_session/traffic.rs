//! A raw session's traffic: each `read` becomes one message for the socket (within its
//! RCVHWM credit), and the messages the socket sends are written as their bytes, the
//! SNDHWM credit going back to the pipe as they leave.

use super::{RawSession, DELIVER_BATCH, WRITE_SLICES};
use crate::io::flow::drained_by;
use crate::io::session::{Ctx, Next};
use crate::io::stream::read_slice;
use crate::msg::Msg;
use std::io::{self, IoSlice, Write};
use std::os::fd::AsRawFd;

impl RawSession {
    pub(super) fn drive(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if self.stream.is_some() && !self.connecting {
            let pumped = self.read_in().and_then(|()| self.write_out());
            self.flush_batch();
            if pumped.is_err() {
                return self.connection_lost(ctx);
            }
        }
        self.check_linger(ctx)
    }

    /// Queues one incoming message, using one unit of credit.
    pub(super) fn push(&mut self, msg: Msg) {
        self.batch.push(msg);
        self.credit = self.credit.saturating_sub(1);
    }

    pub(super) fn flush_batch(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let n = self.batch.len();
        match &self.pipe {
            Some(pipe) => self.credit = pipe.deliver(self.batch.drain(..), n),
            None => self.batch.clear(),
        }
    }

    /// Reads while the socket has credit; every read is one message. It stops only at
    /// `WouldBlock` or when the socket is full: readiness is edge-triggered, so bytes left
    /// in the kernel would never be announced again. At zero credit it asks the pipe
    /// (delivering what it read), which marks the session for a wake-up by the socket's
    /// next read when the pipe really is full.
    fn read_in(&mut self) -> Result<(), ()> {
        let Some(pipe) = self.pipe.clone() else {
            return Ok(());
        };
        if pipe.socket_closed() {
            return Ok(()); // nobody reads any more: leave the bytes in the kernel
        }
        let fd = self.stream.as_ref().ok_or(())?.as_raw_fd();
        while self.can_read {
            if self.credit == 0 {
                if self.batch.is_empty() {
                    self.credit = pipe.inbound_credit();
                } else {
                    self.flush_batch();
                }
                if self.credit == 0 {
                    break;
                }
            }
            match read_slice(fd, &mut self.buf) {
                Ok(0) => return Err(()), // orderly close by the peer
                Ok(n) => {
                    if drained_by(n, self.buf.len(), self.peer_closing) {
                        self.can_read = false;
                    }
                    let msg = Msg::copy_from_slice(&self.buf[..n.min(self.buf.len())]);
                    self.push(msg);
                    if self.batch.len() >= DELIVER_BATCH {
                        self.flush_batch();
                    }
                }
                Err(e) => match e.kind() {
                    io::ErrorKind::WouldBlock => self.can_read = false,
                    io::ErrorKind::Interrupted => {}
                    _ => return Err(()),
                },
            }
        }
        Ok(())
    }

    /// Writes queued messages until the stream or the pipe runs dry.
    fn write_out(&mut self) -> Result<(), ()> {
        loop {
            if self.out.is_empty() {
                if let Some(pipe) = &self.pipe {
                    pipe.drain_outgoing(&mut self.out, std::mem::take(&mut self.done));
                }
                // The socket never sends an empty message on a raw pipe; skip any anyway.
                self.out.retain(|m| !m.is_empty());
            }
            if self.out.is_empty() || !self.writable {
                return Ok(());
            }
            let Some(stream) = self.stream.as_mut() else {
                return Ok(());
            };
            let mut slices = Vec::with_capacity(WRITE_SLICES.min(self.out.len()));
            for (i, m) in self.out.iter().take(WRITE_SLICES).enumerate() {
                let skip = if i == 0 { self.written } else { 0 };
                slices.push(IoSlice::new(&m[skip.min(m.len())..]));
            }
            match stream.write_vectored(&slices) {
                Ok(0) => return Err(()),
                Ok(n) => self.advance(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.writable = false;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(()),
            }
        }
    }

    /// Drops `n` written bytes from the front of `out`.
    fn advance(&mut self, mut n: usize) {
        while let Some(front) = self.out.front() {
            let left = front.len().saturating_sub(self.written);
            if n < left {
                self.written += n;
                return;
            }
            n -= left;
            self.written = 0;
            if self.out.pop_front().is_some_and(|m| !m.more()) {
                self.done += 1;
            }
        }
    }
}
