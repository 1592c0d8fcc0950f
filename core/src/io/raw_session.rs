//! [`RawSession`]: one raw connection of a STREAM socket (libzmq's `raw_engine_t`).
//!
//! No ZMTP: no greeting, no handshake, no framing. Each `read` becomes one message of
//! the bytes it returned (at most [`READ_CHUNK`]), and each message the socket sends is
//! written as its bytes. The pipe exists from the moment the connection does. With
//! STREAM_NOTIFY, an empty message announces the connection, and another its end.
//!
//! A connect-side session keeps its pipe (and so the socket's routing id for it) across
//! reconnections, as libzmq does; an accepted one ends with its connection. When the
//! socket lets go of the pipe (an empty frame sent to the connection, `disconnect`, or
//! close) the session writes what is queued, within LINGER, then closes the connection
//! for good.

use super::events::value;
use super::session::{Ctx, Next, SessionConfig};
use super::stream::{read_slice, PeerAddr, Stream};
use super::timers::{Timer, TimerKind};
use crate::mailbox::SocketCmd;
use crate::monitor::{
    EVENT_CLOSED, EVENT_CONNECTED, EVENT_CONNECT_DELAYED, EVENT_CONNECT_RETRIED, EVENT_DISCONNECTED,
};
use crate::msg::Msg;
use crate::pipe::{Pipe, SessionWake};
use crate::proto::Metadata;
use crate::transport::Dial;
use mio::{Interest, Token};
use std::collections::VecDeque;
use std::io::{self, IoSlice, Write};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

/// The most bytes one incoming message holds (libzmq's default `in_batch_size`).
const READ_CHUNK: usize = 8192;
/// Messages read before they are handed to the socket (so it sees data while a fast
/// peer keeps the session reading).
const DELIVER_BATCH: usize = 64;
/// Messages written per `writev`.
const WRITE_SLICES: usize = 64;

/// What a raw session needs beyond [`SessionConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawConfig {
    /// STREAM_NOTIFY: empty messages mark connects and disconnects.
    pub notify: bool,
}

enum Role {
    Connect {
        addr: PeerAddr,
        /// The next backoff interval when RECONNECT_IVL_MAX is set.
        backoff: Option<u64>,
    },
    Accepted {
        listener: usize,
    },
}

/// One raw connection (or, connect side, one endpoint across reconnections).
pub(crate) struct RawSession {
    token: usize,
    cfg: SessionConfig,
    notify: bool,
    role: Role,
    /// The endpoint monitor events name.
    endpoint: Arc<str>,
    stream: Option<Stream>,
    /// A connect is in progress on `stream`.
    connecting: bool,
    /// The stream is connected (CONNECTED or ACCEPTED was reported for it).
    up: bool,
    /// Bumped whenever the connection changes, which cancels older timers.
    epoch: u64,
    pipe: Option<Arc<Pipe>>,
    can_read: bool,
    writable: bool,
    /// Messages the socket can still take (RCVHWM).
    credit: usize,
    /// Messages read, not delivered yet.
    batch: Vec<Msg>,
    /// Drained from the pipe, not completely written yet.
    out: VecDeque<Msg>,
    /// Bytes of `out`'s first message already written.
    written: usize,
    /// Messages written out (or dropped with their connection) since the pipe was last
    /// told: acknowledging them gives the socket its SNDHWM credit back.
    done: usize,
    /// The socket let go of the pipe and the LINGER timer is armed (if any).
    lingering: bool,
    rng: u64,
    buf: Box<[u8]>,
}

impl RawSession {
    fn new(
        token: usize,
        cfg: SessionConfig,
        raw: RawConfig,
        role: Role,
        endpoint: Arc<str>,
    ) -> RawSession {
        RawSession {
            token,
            cfg,
            notify: raw.notify,
            role,
            endpoint,
            stream: None,
            connecting: false,
            up: false,
            epoch: 0,
            pipe: None,
            can_read: false,
            writable: false,
            done: 0,
            credit: 0,
            batch: Vec::new(),
            out: VecDeque::new(),
            written: 0,
            lingering: false,
            rng: seed(token),
            buf: vec![0; READ_CHUNK].into_boxed_slice(),
        }
    }

    /// A connect-side session for `endpoint`; its pipe is already attached to the socket.
    pub fn connect(
        token: usize,
        cfg: SessionConfig,
        raw: RawConfig,
        addr: PeerAddr,
        endpoint: &str,
        pipe: Arc<Pipe>,
    ) -> RawSession {
        let role = Role::Connect {
            addr,
            backoff: None,
        };
        let mut s = RawSession::new(token, cfg, raw, role, endpoint.into());
        s.pipe = Some(pipe);
        s
    }

    /// A session for a connection accepted by listener `listener`.
    pub fn accepted(
        token: usize,
        listener: usize,
        cfg: SessionConfig,
        raw: RawConfig,
        stream: Stream,
        endpoint: Arc<str>,
    ) -> RawSession {
        let mut s = RawSession::new(token, cfg, raw, Role::Accepted { listener }, endpoint);
        s.stream = Some(stream);
        s.up = true;
        s
    }

    pub fn token(&self) -> usize {
        self.token
    }

    pub fn listener(&self) -> Option<usize> {
        match self.role {
            Role::Accepted { listener } => Some(listener),
            Role::Connect { .. } => None,
        }
    }

    pub fn has_pipe(&self) -> bool {
        self.pipe.is_some()
    }

    /// Starts the session once it is owned by the I/O thread.
    pub fn start(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if let Role::Connect { .. } = self.role {
            return match self.start_connect(ctx) {
                Next::Keep => self.check_linger(ctx),
                Next::Remove => Next::Remove,
            };
        }
        let registered = match self.stream.as_mut() {
            Some(s) => ctx
                .registry
                .register(
                    s,
                    Token(self.token),
                    Interest::READABLE | Interest::WRITABLE,
                )
                .is_ok(),
            None => false,
        };
        if !registered {
            return Next::Remove;
        }
        let pipe = Pipe::new(
            Arc::clone(&self.cfg.socket),
            SessionWake {
                io: Arc::clone(ctx.io),
                token: self.token,
            },
            self.cfg.sndhwm,
            self.cfg.rcvhwm,
        );
        if !self.cfg.socket.post(SocketCmd::Attach(Arc::clone(&pipe))) {
            return Next::Remove;
        }
        self.pipe = Some(pipe);
        self.connection_up();
        self.drive(ctx)
    }

    /// The stream became readable and/or writable.
    pub fn ready(&mut self, ctx: &mut Ctx<'_>, readable: bool, writable: bool) -> Next {
        self.can_read |= readable;
        self.writable |= writable;
        if self.connecting {
            match self.check_connected() {
                Ok(true) => {
                    self.connecting = false;
                    self.up = true;
                    self.emit(EVENT_CONNECTED, self.fd());
                    if let Role::Connect { backoff, .. } = &mut self.role {
                        *backoff = None;
                    }
                    self.connection_up();
                    if let Some(pipe) = &self.pipe {
                        // An IMMEDIATE socket starts routing to the pipe now.
                        pipe.peer_ready();
                    }
                }
                Ok(false) => return Next::Keep,
                Err(()) => return self.connection_lost(ctx),
            }
        }
        self.drive(ctx)
    }

    /// The pipe has work: messages to send, credit returned, or the socket let go.
    pub fn activate(&mut self, ctx: &mut Ctx<'_>) -> Next {
        self.drive(ctx)
    }

    /// A timer armed by this session fired.
    pub fn timer(&mut self, ctx: &mut Ctx<'_>, kind: TimerKind, epoch: u64) -> Next {
        match kind {
            TimerKind::Linger if self.lingering => Next::Remove,
            _ if epoch != self.epoch => Next::Keep,
            TimerKind::Connect if self.connecting => self.connection_lost(ctx),
            TimerKind::Reconnect if self.stream.is_none() => match self.start_connect(ctx) {
                Next::Keep => self.check_linger(ctx),
                Next::Remove => Next::Remove,
            },
            _ => Next::Keep,
        }
    }

    /// Ends the session: unregisters the stream and lets go of the pipe.
    pub fn shutdown(&mut self, ctx: &mut Ctx<'_>) {
        self.flush_batch();
        if let Some(mut s) = self.stream.take() {
            let _ = ctx.registry.deregister(&mut s);
        }
        if let Some(pipe) = self.pipe.take() {
            if !pipe.socket_closed() {
                pipe.close_from_session();
            }
        }
    }

    // ---- connection set-up ----

    fn start_connect(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let Role::Connect { addr, .. } = &self.role else {
            return Next::Keep;
        };
        let dial = addr.connect(&self.cfg.tcp);
        let pending = matches!(dial, Ok(Dial::InProgress(_)));
        match dial {
            Ok(Dial::Connected(mut s) | Dial::InProgress(mut s)) => {
                let interest = Interest::READABLE | Interest::WRITABLE;
                if ctx
                    .registry
                    .register(&mut s, Token(self.token), interest)
                    .is_ok()
                {
                    if pending {
                        self.emit(EVENT_CONNECT_DELAYED, value(libc::EINPROGRESS));
                    }
                    self.stream = Some(s);
                    self.connecting = true;
                    if let Some(t) = self.cfg.connect_timeout {
                        self.arm(ctx, TimerKind::Connect, t);
                    }
                    return Next::Keep;
                }
            }
            Ok(Dial::Failed { fd }) => self.emit(EVENT_CLOSED, value(fd)),
            Err(_) => {}
        }
        self.schedule_reconnect(ctx)
    }

    /// Whether a non-blocking connect has completed; `Err` if it failed.
    fn check_connected(&self) -> Result<bool, ()> {
        let s = self.stream.as_ref().ok_or(())?;
        match s.take_error() {
            Ok(None) => s.is_connected().map_err(drop),
            _ => Err(()),
        }
    }

    /// The connection is there: the peer's address for `zmq_msg_gets`, the opening
    /// notification, and reading and writing may start.
    fn connection_up(&mut self) {
        self.can_read = true;
        self.writable = true;
        let Some(pipe) = &self.pipe else {
            return;
        };
        let mut meta = Metadata::new();
        if let Some(Stream::Tcp(s)) = &self.stream {
            if let Ok(peer) = s.peer_addr() {
                meta.push("Peer-Address", peer.ip().to_string());
            }
        }
        pipe.set_peer_metadata(Arc::new(meta));
        self.credit = pipe.inbound_credit();
        if self.notify {
            self.push(Msg::new());
        }
    }

    // ---- traffic ----

    fn drive(&mut self, ctx: &mut Ctx<'_>) -> Next {
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
    fn push(&mut self, msg: Msg) {
        self.batch.push(msg);
        self.credit = self.credit.saturating_sub(1);
    }

    fn flush_batch(&mut self) {
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

    // ---- endings ----

    fn connection_lost(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let was_up = std::mem::take(&mut self.up);
        if was_up && !self.connecting && self.notify {
            self.push(Msg::new());
        }
        self.flush_batch();
        // The rest of a half-written message would be garbage to the next connection.
        if self.written > 0 {
            if self.out.pop_front().is_some_and(|m| !m.more()) {
                self.done += 1;
            }
            self.written = 0;
        }
        if let Some(mut s) = self.stream.take() {
            let event = if was_up {
                EVENT_DISCONNECTED
            } else {
                EVENT_CLOSED
            };
            self.emit(event, value(s.as_raw_fd()));
            let _ = ctx.registry.deregister(&mut s);
        }
        self.connecting = false;
        self.can_read = false;
        self.writable = false;
        self.epoch += 1;
        let let_go = self.pipe.as_ref().is_some_and(|p| p.socket_closed());
        match self.role {
            Role::Connect { .. } if !let_go => self.schedule_reconnect(ctx),
            _ => Next::Remove,
        }
    }

    /// Arms the reconnect timer, or ends the session when RECONNECT_IVL is -1.
    fn schedule_reconnect(&mut self, ctx: &mut Ctx<'_>) -> Next {
        self.epoch += 1;
        let Ok(ivl) = u64::try_from(self.cfg.reconnect_ivl) else {
            return Next::Remove;
        };
        let max = u64::try_from(self.cfg.reconnect_ivl_max).unwrap_or(0);
        let backoff = match &mut self.role {
            Role::Connect { backoff, .. } => Some(backoff),
            _ => None,
        };
        let delay = super::backoff::reconnect_delay(ivl, max, backoff, &mut self.rng);
        self.arm(ctx, TimerKind::Reconnect, Duration::from_millis(delay));
        self.emit(
            EVENT_CONNECT_RETRIED,
            u32::try_from(delay).unwrap_or(u32::MAX),
        );
        Next::Keep
    }

    /// After the socket let go of the pipe: write what is queued within LINGER, then end.
    fn check_linger(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let Some(pipe) = &self.pipe else {
            return Next::Keep;
        };
        if !pipe.socket_closed() {
            return Next::Keep;
        }
        let linger = pipe.linger();
        // Not connected (yet or any more): nothing can be flushed.
        let connected = self.stream.is_some() && !self.connecting;
        if linger == 0 || !connected {
            return Next::Remove;
        }
        if !self.lingering {
            self.lingering = true;
            if linger > 0 {
                let at = ctx.now + Duration::from_millis(linger.unsigned_abs().into());
                let timer = Timer {
                    token: self.token,
                    kind: TimerKind::Linger,
                    epoch: 0,
                };
                ctx.timers.add(at, timer);
            }
        }
        if self.out.is_empty() && !pipe.has_outgoing() {
            Next::Remove
        } else {
            Next::Keep
        }
    }

    fn emit(&self, event: u16, value: u32) {
        self.cfg.socket.monitor.emit(event, value, &self.endpoint);
    }

    fn fd(&self) -> u32 {
        self.stream.as_ref().map_or(0, |s| value(s.as_raw_fd()))
    }

    fn arm(&mut self, ctx: &mut Ctx<'_>, kind: TimerKind, after: Duration) {
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

/// A non-zero seed for the reconnect jitter.
fn seed(token: usize) -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    (t ^ (token as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1
}
