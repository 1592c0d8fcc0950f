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

use super::lifecycle::{seed, Plumbing, Role};
use super::monitor_values::value;
use super::session::{Ctx, Next, SessionConfig};
use super::stream::{PeerAddr, Stream};
use super::timers::TimerKind;
use crate::monitor::{EVENT_CLOSED, EVENT_CONNECTED, EVENT_CONNECT_DELAYED};
use crate::msg::Msg;
use crate::pipe::{Pipe, SessionWake};
use crate::proto::Metadata;
use crate::socket_shared::SocketCmd;
use crate::transport::Dial;
use mio::{Interest, Token};
use std::collections::VecDeque;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

mod traffic;

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
    /// The stream reported the peer's end or an error: read until the end is seen.
    peer_closing: bool,
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
            peer_closing: false,
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
        self.role.listener()
    }

    pub fn has_pipe(&self) -> bool {
        self.pipe.is_some()
    }

    /// The stream reported the peer's end or an error: reads go on until the end is seen.
    pub fn peer_closing(&mut self) {
        self.peer_closing = true;
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
        let stream = self.stream.take();
        self.plumbing().report_loss(ctx, stream, was_up, None);
        self.connecting = false;
        self.can_read = false;
        self.peer_closing = false;
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
        self.plumbing().schedule_reconnect(ctx)
    }

    /// After the socket let go of the pipe: write what is queued within LINGER, then end
    /// (at once when not connected, yet or any more: nothing can be flushed).
    fn check_linger(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let connected = self.stream.is_some() && !self.connecting;
        let flushed = self.out.is_empty();
        self.plumbing().check_linger(ctx, connected, flushed)
    }

    fn emit(&mut self, event: u16, value: u32) {
        self.plumbing().emit(event, value);
    }

    fn fd(&self) -> u32 {
        self.stream.as_ref().map_or(0, |s| value(s.as_raw_fd()))
    }

    fn arm(&mut self, ctx: &mut Ctx<'_>, kind: TimerKind, after: Duration) {
        self.plumbing().arm(ctx, kind, after);
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
}
