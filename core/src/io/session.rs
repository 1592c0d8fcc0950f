//! [`Session`]: one peer connection on an I/O thread.
//!
//! A session runs the ZMTP handshake, then moves whole messages between its stream (TCP or
//! Unix) and
//! its [`Pipe`]: it reads large chunks and decodes many frames per `read`, and drains the
//! pipe into a [`WriteBuf`] so many messages leave per `writev`.
//!
//! Output is bounded per connection: data comes from the pipe only while the write buffer
//! is under a batch, and a message counts against SNDHWM until the kernel has taken its
//! last byte (acknowledged to the pipe at its low-water mark). Control replies coalesce:
//! each PING is answered at once while the write buffer is under a batch, and beyond that
//! at most one PONG is pending (the newest PING's context), as in libzmq, so a peer that
//! floods PINGs without reading costs nothing: nothing else is written in reply to what
//! is read, so the bytes reading can add to the output are bounded by one batch. Reading
//! never waits for data output to drain (two peers that both send without reading would
//! then deadlock); data output is bounded by SNDHWM instead. A session reads at most a
//! budget of chunks per turn and then yields to the other sessions of its I/O thread.
//!
//! Connect-side sessions (and their pipe) outlive connections: when a connection drops they
//! reconnect after RECONNECT_IVL (with backoff), and messages still queued are sent then.
//! Bind-side sessions end with their connection. A peer that misbehaves (bad greeting,
//! wrong socket type, oversized or malformed frame, handshake timeout) only loses its own
//! connection.
//!
//! Sessions report to the socket's monitor as libzmq 4.3 does: CONNECT_DELAYED, CONNECTED
//! (or, when a connect attempt fails, CLOSED) and CONNECT_RETRIED on the connect side;
//! HANDSHAKE_SUCCEEDED or HANDSHAKE_FAILED_*; DISCONNECTED when a connection ends.

use super::events::{handshake_protocol_code, value};
use super::heartbeat::{Beat, Heartbeat, HeartbeatConfig};
use super::stream::{PeerAddr, Stream};
use super::timers::{Timer, TimerKind, Timers};
use super::wbuf::WriteBuf;
use super::IoShared;
use crate::mailbox::{SocketCmd, SocketShared};
use crate::monitor::{
    EVENT_CLOSED, EVENT_CONNECTED, EVENT_CONNECT_DELAYED, EVENT_CONNECT_RETRIED,
    EVENT_DISCONNECTED, EVENT_HANDSHAKE_FAILED_NO_DETAIL, EVENT_HANDSHAKE_FAILED_PROTOCOL,
    EVENT_HANDSHAKE_SUCCEEDED,
};
use crate::msg::Msg;
use crate::pattern::{parse_subscription, subscription_msg};
use crate::pipe::{Pipe, SessionWake};
use crate::proto::command::{
    encode_cancel, encode_ping, encode_pong, encode_subscribe, parse_command, Command,
};
use crate::proto::frame::parse_frame_header;
use crate::proto::{Handshake, HandshakeConfig, HandshakeStatus, PeerInfo, SocketType};
use crate::transport::socks::{SocksClient, SocksSetup};
use crate::transport::tcp::TcpConfig;
use crate::transport::Dial;
use bytes::{Buf, Bytes, BytesMut};
use mio::{Interest, Registry, Token};
use std::collections::VecDeque;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Read at least this much per `read` call when the buffer has to grow.
const READ_CHUNK: usize = 64 * 1024;
/// Frames up to this size are copied out of the read buffer (so a small message never
/// pins a large buffer); larger ones are shared with it.
const COPY_MAX: usize = 8 * 1024;
/// Stop draining the pipe while this many bytes wait to be written.
const WRITE_BATCH: usize = 256 * 1024;
/// Hand decoded messages to the socket at least every this many messages.
const DELIVER_BATCH: usize = 4096;
/// At most this many `read` calls per turn; then the session lets the other sessions of
/// its I/O thread run and comes back (a peer that sends without pause, even only PINGs,
/// cannot hold the thread).
const READ_BUDGET: usize = 64;

/// What a session inherits from its socket.
#[derive(Debug, Clone)]
pub(crate) struct SessionConfig {
    pub socket_type: SocketType,
    pub identity: Bytes,
    /// Largest frame accepted from the peer.
    pub max_frame: u64,
    /// Most frames in one incoming message (FERROMQ_MAXMSGPARTS; `None` = no limit).
    pub max_parts: Option<usize>,
    /// Most bytes in one incoming message (FERROMQ_MAXMSGTOTALSIZE; `None` = no limit).
    pub max_msg_bytes: Option<u64>,
    pub handshake_ivl: Option<Duration>,
    pub reconnect_ivl: i32,
    pub reconnect_ivl_max: i32,
    pub sndhwm: usize,
    pub rcvhwm: usize,
    /// Whether incoming messages are delivered (false for send-only types like PUSH).
    pub receives: bool,
    /// CONFLATE: the pipe keeps only the newest message each way.
    pub conflate: bool,
    /// IMMEDIATE: a lost connection takes its queued messages with it, and the socket
    /// stops routing to the pipe until the next handshake.
    pub immediate: bool,
    pub heartbeat: HeartbeatConfig,
    pub tcp: TcpConfig,
    /// CONNECT_TIMEOUT (`None` = the OS's).
    pub connect_timeout: Option<Duration>,
    /// SOCKS_PROXY: the connection goes to the proxy, which connects on to the target.
    pub socks: Option<SocksSetup>,
    pub socket: Arc<SocketShared>,
    /// Raw connections without ZMTP (STREAM): served by `raw_session`, not by `Session`.
    pub raw: Option<super::raw_session::RawConfig>,
}

/// The I/O thread's state lent to a session for one call.
pub(crate) struct Ctx<'a> {
    pub registry: &'a Registry,
    pub timers: &'a mut Timers,
    pub io: &'a Arc<IoShared>,
    pub now: Instant,
}

/// Whether the reactor keeps the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    Keep,
    Remove,
}

/// The connection was lost or must be dropped.
#[derive(Debug)]
struct Lost;

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

enum Phase {
    /// No connection (waiting to reconnect).
    Idle,
    Connecting,
    /// SOCKS_PROXY: asking the proxy to connect on, before ZMTP starts.
    Socks(Box<SocksClient>),
    Handshaking(Box<Handshake>),
    Active,
}

/// One connection (or, connect side, one endpoint across reconnections).
pub(crate) struct Session {
    token: usize,
    cfg: SessionConfig,
    role: Role,
    /// The endpoint monitor events name: as given to `connect`, or the listener's.
    endpoint: Arc<str>,
    stream: Option<Stream>,
    /// The stream is connected (CONNECTED or ACCEPTED was reported for it).
    up: bool,
    /// The errno a lost connection is reported with (HANDSHAKE_FAILED_NO_DETAIL).
    errno: i32,
    /// The handshake failed on a protocol error (not a HANDSHAKE_FAILED_NO_DETAIL).
    protocol_failure: bool,
    phase: Phase,
    /// Bumped whenever the connection changes, which cancels older timers.
    epoch: u64,
    rbuf: BytesMut,
    /// Total size of the frame being received, when it is not complete yet.
    want: usize,
    can_read: bool,
    wbuf: WriteBuf,
    writable: bool,
    pipe: Option<Arc<Pipe>>,
    /// Drained from the pipe, not yet encoded.
    out_local: VecDeque<Msg>,
    /// Complete messages written out (or lost with their connection) and not yet
    /// acknowledged to the pipe, which happens at its low-water mark.
    out_done: usize,
    /// The context of the newest PING not answered yet (one PONG at most is pending).
    pending_pong: Option<Bytes>,
    /// The last frame encoded had MORE set.
    mid_message: bool,
    /// Frames of an incoming message not complete yet.
    partial: Vec<Msg>,
    /// Frames and body bytes of the incoming message so far (counted even when its
    /// frames are thrown away), checked against the per-message bounds.
    msg_frames: usize,
    msg_bytes: u64,
    /// The last frame received had MORE set (a PUB uses it to drop data messages whole).
    in_data_message: bool,
    /// Complete incoming messages not delivered yet.
    batch: Vec<Msg>,
    batch_msgs: usize,
    /// Messages the socket can still take (RCVHWM).
    credit: usize,
    /// The socket let go of the pipe and the LINGER timer is armed (if any).
    lingering: bool,
    /// The peer's ZMTP minor version (0 = 3.0: subscriptions travel as messages).
    peer_minor: u8,
    /// Heartbeat state, once the handshake is done.
    heartbeat: Option<Heartbeat>,
    rng: u64,
}

impl Session {
    fn new(
        token: usize,
        cfg: SessionConfig,
        role: Role,
        endpoint: Arc<str>,
        pipe: Option<Arc<Pipe>>,
    ) -> Session {
        Session {
            token,
            cfg,
            role,
            endpoint,
            stream: None,
            up: false,
            errno: 0,
            protocol_failure: false,
            phase: Phase::Idle,
            epoch: 0,
            rbuf: BytesMut::new(),
            want: 0,
            can_read: false,
            wbuf: WriteBuf::default(),
            writable: false,
            pipe,
            out_local: VecDeque::new(),
            out_done: 0,
            pending_pong: None,
            mid_message: false,
            partial: Vec::new(),
            msg_frames: 0,
            msg_bytes: 0,
            in_data_message: false,
            batch: Vec::new(),
            batch_msgs: 0,
            credit: 0,
            lingering: false,
            peer_minor: 0,
            heartbeat: None,
            rng: seed(token),
        }
    }

    /// A connect-side session for `endpoint` (as given to `connect`); its pipe is already
    /// attached to the socket.
    pub fn connect(
        token: usize,
        cfg: SessionConfig,
        addr: PeerAddr,
        endpoint: &str,
        pipe: Arc<Pipe>,
    ) -> Session {
        Session::new(
            token,
            cfg,
            Role::Connect {
                addr,
                backoff: None,
            },
            endpoint.into(),
            Some(pipe),
        )
    }

    /// A session for a connection accepted by listener `listener`.
    pub fn accepted(
        token: usize,
        listener: usize,
        cfg: SessionConfig,
        stream: Stream,
        endpoint: Arc<str>,
    ) -> Session {
        let mut s = Session::new(token, cfg, Role::Accepted { listener }, endpoint, None);
        s.stream = Some(stream);
        s.up = true;
        s
    }

    pub fn token(&self) -> usize {
        self.token
    }

    /// The listener that accepted this session, if any.
    pub fn listener(&self) -> Option<usize> {
        match self.role {
            Role::Accepted { listener } => Some(listener),
            Role::Connect { .. } => None,
        }
    }

    /// Whether the handshake completed and a pipe is attached.
    pub fn has_pipe(&self) -> bool {
        self.pipe.is_some()
    }

    /// Starts the session once it is owned by the I/O thread.
    pub fn start(&mut self, ctx: &mut Ctx<'_>) -> Next {
        match self.role {
            Role::Connect { .. } => match self.start_connect(ctx) {
                Next::Keep => self.check_linger(ctx),
                Next::Remove => Next::Remove,
            },
            Role::Accepted { .. } => {
                let token = Token(self.token);
                let registered = match self.stream.as_mut() {
                    Some(s) => ctx
                        .registry
                        .register(s, token, Interest::READABLE | Interest::WRITABLE)
                        .is_ok(),
                    None => false,
                };
                if !registered {
                    return Next::Remove;
                }
                self.begin_handshake(ctx);
                self.drive(ctx)
            }
        }
    }

    /// The stream became readable and/or writable.
    pub fn ready(&mut self, ctx: &mut Ctx<'_>, readable: bool, writable: bool) -> Next {
        self.can_read |= readable;
        self.writable |= writable;
        if matches!(self.phase, Phase::Connecting) {
            match self.check_connected() {
                Ok(true) => {
                    self.up = true;
                    self.emit(EVENT_CONNECTED, self.fd());
                    match &self.cfg.socks {
                        Some(setup) => {
                            // HANDSHAKE_IVL bounds the SOCKS negotiation and ZMTP together.
                            self.phase = Phase::Socks(Box::new(setup.client()));
                            if let Some(ivl) = self.cfg.handshake_ivl {
                                self.arm(ctx, TimerKind::Handshake, ivl);
                            }
                        }
                        None => self.begin_handshake(ctx),
                    }
                }
                Ok(false) => return Next::Keep,
                Err(Lost) => return self.connection_lost(ctx),
            }
        }
        self.drive(ctx)
    }

    /// The pipe has work: messages to send, credit returned, or the socket let go.
    pub fn activate(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if let Some(pipe) = &self.pipe {
            if matches!(self.phase, Phase::Active) && self.credit == 0 {
                self.credit = pipe.inbound_credit();
            }
        }
        self.drive(ctx)
    }

    /// A timer armed by this session fired.
    pub fn timer(&mut self, ctx: &mut Ctx<'_>, kind: TimerKind, epoch: u64) -> Next {
        match kind {
            TimerKind::Linger => {
                if self.lingering {
                    return Next::Remove;
                }
                Next::Keep
            }
            _ if epoch != self.epoch => Next::Keep,
            TimerKind::Handshake => {
                if matches!(self.phase, Phase::Handshaking(_) | Phase::Socks(_)) {
                    // libzmq reports the errno its last non-blocking read left: EAGAIN.
                    self.errno = libc::EAGAIN;
                    return self.connection_lost(ctx);
                }
                Next::Keep
            }
            TimerKind::Heartbeat => self.drive(ctx),
            TimerKind::Connect => {
                if matches!(self.phase, Phase::Connecting) {
                    return self.connection_lost(ctx);
                }
                Next::Keep
            }
            TimerKind::Reconnect => {
                if matches!(self.phase, Phase::Idle) && self.start_connect(ctx) == Next::Remove {
                    return Next::Remove;
                }
                self.check_linger(ctx)
            }
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

    fn drive(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if let Err(Lost) = self.pump(ctx).and_then(|()| self.beat(ctx)) {
            return self.connection_lost(ctx);
        }
        self.check_linger(ctx)
    }

    fn pump(&mut self, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
        if matches!(self.phase, Phase::Socks(_)) {
            self.read_socks(ctx)?;
        }
        if matches!(self.phase, Phase::Handshaking(_)) {
            self.read_handshake(ctx)?;
        }
        if matches!(self.phase, Phase::Active) && self.read_traffic()? {
            // The budget ran out with bytes possibly left: come back after the others.
            ctx.io.activate(self.token);
        }
        self.write_out()
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
                    self.phase = Phase::Connecting;
                    if let Some(t) = self.cfg.connect_timeout {
                        self.arm(ctx, TimerKind::Connect, t);
                    }
                    return Next::Keep;
                }
            }
            // The attempt's socket was opened and closed again, as libzmq reports it.
            Ok(Dial::Failed { fd }) => self.emit(EVENT_CLOSED, value(fd)),
            Err(_) => {}
        }
        self.schedule_reconnect(ctx)
    }

    /// Whether a non-blocking connect has completed; `Lost` if it failed.
    fn check_connected(&mut self) -> Result<bool, Lost> {
        let s = self.stream.as_ref().ok_or(Lost)?;
        match s.take_error() {
            Ok(None) => {}
            _ => return Err(Lost),
        }
        s.is_connected().map_err(|_| Lost)
    }

    fn begin_handshake(&mut self, ctx: &mut Ctx<'_>) {
        let cfg = HandshakeConfig {
            socket_type: self.cfg.socket_type,
            identity: self.cfg.identity.clone(),
            max_msg_size: Some(self.cfg.max_frame),
        };
        let mut hs = None;
        self.wbuf.push_with(|b| hs = Some(Handshake::new(cfg, b)));
        if let Some(hs) = hs {
            self.phase = Phase::Handshaking(Box::new(hs));
        }
        self.can_read = true;
        self.writable = true;
        if let Some(ivl) = self.cfg.handshake_ivl {
            self.arm(ctx, TimerKind::Handshake, ivl);
        }
    }

    /// Runs the SOCKS5 negotiation (see `transport::socks`); the ZMTP handshake starts
    /// when the tunnel is open, with whatever the peer sent after the proxy's reply.
    fn read_socks(&mut self, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
        loop {
            let Phase::Socks(client) = &mut self.phase else {
                return Ok(());
            };
            let status = client.receive(&mut self.rbuf);
            // What to send next (the method list first, then each answer's follow-up).
            let out = client.pending().len();
            if out > 0 {
                self.wbuf
                    .push_with(|b| b.extend_from_slice(client.pending()));
                client.advance(out);
            }
            match status {
                Ok(true) => {
                    self.begin_handshake(ctx);
                    return Ok(());
                }
                Ok(false) if !self.can_read || !self.read_some()? => return Ok(()),
                Ok(false) => {}
                Err(_) => {
                    self.errno = libc::ECONNREFUSED;
                    return Err(Lost);
                }
            }
        }
    }

    fn read_handshake(&mut self, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
        loop {
            let Phase::Handshaking(hs) = &mut self.phase else {
                return Ok(());
            };
            let rbuf = &mut self.rbuf;
            let mut status = Ok(HandshakeStatus::NeedMore);
            self.wbuf.push_with(|out| status = hs.advance(rbuf, out));
            let status = status.map_err(|e| {
                // Some protocol errors have a code; libzmq reports the others not at all.
                self.protocol_failure = true;
                if let Some(code) = handshake_protocol_code(&e) {
                    self.emit(EVENT_HANDSHAKE_FAILED_PROTOCOL, code);
                }
                Lost
            });
            match status? {
                HandshakeStatus::Done(peer) => return self.handshake_done(peer, ctx),
                // NULL without ZAP_DOMAIN (all there is yet) never asks for ZAP.
                HandshakeStatus::NeedMore | HandshakeStatus::Zap(_) => {
                    if !self.can_read || !self.read_some()? {
                        return Ok(());
                    }
                }
            }
        }
    }

    fn handshake_done(&mut self, peer: PeerInfo, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
        self.peer_minor = peer.minor_version;
        let metadata = match &self.stream {
            Some(s) => super::peer_properties::with_local_properties(peer.metadata, s),
            None => peer.metadata,
        };
        match &mut self.role {
            Role::Connect { backoff, .. } => {
                *backoff = None;
                if let Some(pipe) = &self.pipe {
                    pipe.set_routing_id(peer.identity, false);
                    pipe.set_peer_metadata(Arc::new(metadata));
                    // ROUTER learns the peer's id; SUB re-sends what a publisher forgot.
                    pipe.peer_ready();
                }
            }
            Role::Accepted { .. } => {
                // The pipe exists only once the peer has proved itself (CVE-2020-15166).
                let wake = SessionWake {
                    io: Arc::clone(ctx.io),
                    token: self.token,
                };
                let pipe = Pipe::new(
                    Arc::clone(&self.cfg.socket),
                    wake,
                    self.cfg.sndhwm,
                    self.cfg.rcvhwm,
                );
                pipe.set_routing_id(peer.identity, false);
                pipe.set_peer_metadata(Arc::new(metadata));
                if self.cfg.conflate {
                    pipe.set_conflate();
                }
                if !self.cfg.socket.post(SocketCmd::Attach(Arc::clone(&pipe))) {
                    return Err(Lost);
                }
                self.pipe = Some(pipe);
            }
        }
        self.phase = Phase::Active;
        self.credit = self.pipe.as_ref().map_or(0, |p| p.inbound_credit());
        self.heartbeat = Some(Heartbeat::new(self.cfg.heartbeat, ctx.now));
        self.emit(EVENT_HANDSHAKE_SUCCEEDED, 0);
        Ok(())
    }

    /// Sends a due PING, drops a silent peer, and arms the next heartbeat timer.
    fn beat(&mut self, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
        let Some(hb) = self.heartbeat.as_mut() else {
            return Ok(());
        };
        let beat = hb.poll(ctx.now, self.credit > 0);
        let timer = hb.timer_to_arm();
        if let Some(at) = timer {
            self.arm(
                ctx,
                TimerKind::Heartbeat,
                at.saturating_duration_since(ctx.now),
            );
        }
        match beat {
            Beat::Idle => Ok(()),
            Beat::Dead => Err(Lost),
            Beat::Ping(ttl) => {
                self.wbuf.push_with(|out| encode_ping(ttl, b"", out));
                self.write_out()
            }
        }
    }

    // ---- reading ----

    /// Reads once into the buffer. `Ok(false)` when nothing is available now.
    fn read_some(&mut self) -> Result<bool, Lost> {
        let fd = self.stream.as_ref().ok_or(Lost)?.as_raw_fd();
        let len = self.rbuf.len();
        let spare = self.rbuf.capacity() - len;
        let missing = self.want.saturating_sub(len);
        // Grow towards a large frame only as fast as its bytes arrive: the declared size
        // is never trusted for an allocation.
        let target = if missing > spare {
            missing.min(READ_CHUNK.max(len))
        } else if spare < READ_CHUNK / 16 {
            READ_CHUNK
        } else {
            0
        };
        if target > spare {
            self.rbuf.reserve(target);
        }
        let buf = self.rbuf.spare_capacity_mut();
        // SAFETY: read(2) writes at most `buf.len()` bytes into memory this buffer owns,
        // which stays valid for the call, and never reads the uninitialized contents.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock => {
                    self.can_read = false;
                    Ok(false)
                }
                io::ErrorKind::Interrupted => Ok(true),
                _ => {
                    self.errno = e.raw_os_error().unwrap_or(0);
                    Err(Lost)
                }
            };
        }
        if n == 0 {
            // libzmq reports a peer's orderly close as EPIPE.
            self.errno = libc::EPIPE;
            return Err(Lost);
        }
        let n = n as usize;
        if let Some(hb) = self.heartbeat.as_mut() {
            hb.traffic();
        }
        // SAFETY: the kernel initialized exactly `n` bytes after the current length.
        unsafe { self.rbuf.set_len(len + n) };
        Ok(true)
    }

    /// Decodes and reads while the socket has credit. Returns whether the read budget
    /// ran out while the stream may still have bytes (the session must be run again).
    fn read_traffic(&mut self) -> Result<bool, Lost> {
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
            if !self.can_read {
                break;
            }
            if reads == READ_BUDGET {
                exhausted = true;
                break;
            }
            reads += 1;
            if !self.read_some()? {
                break;
            }
        }
        self.flush_batch();
        Ok(exhausted)
    }

    /// Whether incoming messages are thrown away (send-only socket, or socket gone).
    fn discarding(&self) -> bool {
        !self.cfg.receives || self.pipe.as_ref().is_none_or(|p| p.socket_closed())
    }

    /// Decodes complete frames from the read buffer while the socket has credit.
    fn decode(&mut self) -> Result<(), Lost> {
        let discard = self.discarding();
        while self.credit > 0 {
            let h = match parse_frame_header(&self.rbuf, Some(self.cfg.max_frame)) {
                Ok(Some(h)) => h,
                Ok(None) => break,
                Err(_) => return Err(Lost),
            };
            if !h.command {
                self.check_message_bounds(h.body_len, h.more)?;
            }
            let total = h.frame_len();
            if self.rbuf.len() < total {
                self.want = total;
                break;
            }
            self.want = 0;
            self.rbuf.advance(h.header_len);
            if h.command {
                let body = self.rbuf.split_to(h.body_len).freeze();
                if let Some(sub) = self.on_command(&body) {
                    if !discard {
                        self.push_complete(sub);
                    }
                }
                continue;
            }
            let mut msg = if h.body_len <= COPY_MAX {
                let m = Msg::copy_from_slice(&self.rbuf[..h.body_len]);
                self.rbuf.advance(h.body_len);
                m
            } else {
                Msg::from_bytes(self.rbuf.split_to(h.body_len).freeze())
            };
            if discard {
                continue;
            }
            if self.cfg.socket_type == SocketType::Pub {
                // A PUB reads only subscriptions: other data from peers is dropped here,
                // on the I/O thread, so it never occupies memory (CVE-2021-20237).
                let tail = std::mem::replace(&mut self.in_data_message, h.more);
                if !tail && !h.more && parse_subscription(&msg).is_some() {
                    self.push_complete(msg);
                }
                continue;
            }
            msg.set_more(h.more);
            if h.more {
                self.partial.push(msg);
                continue;
            }
            if !self.partial.is_empty() {
                self.batch.append(&mut self.partial);
            }
            self.push_complete(msg);
        }
        if self.rbuf.is_empty() {
            // Start the next read at the front of the buffer, reusing it if we own it.
            self.rbuf.clear();
        }
        Ok(())
    }

    /// Counts a data frame against FERROMQ_MAXMSGPARTS and FERROMQ_MAXMSGTOTALSIZE as soon
    /// as its header is here (before its body is buffered); `Lost` when the message goes
    /// beyond them. The header is parsed again when the frame is complete, so the count
    /// is taken only once: the frame's header is then consumed.
    fn check_message_bounds(&mut self, body_len: usize, more: bool) -> Result<(), Lost> {
        if self.want != 0 {
            return Ok(()); // this frame was counted when its header first arrived
        }
        let frames = self.msg_frames + 1;
        let bytes = self.msg_bytes.saturating_add(body_len as u64);
        if self.cfg.max_parts.is_some_and(|max| frames > max)
            || self.cfg.max_msg_bytes.is_some_and(|max| bytes > max)
        {
            return Err(Lost);
        }
        (self.msg_frames, self.msg_bytes) = if more { (frames, bytes) } else { (0, 0) };
        Ok(())
    }

    /// Queues the last frame of a message for delivery, using one unit of credit.
    fn push_complete(&mut self, msg: Msg) {
        self.batch.push(msg);
        self.batch_msgs += 1;
        if self.credit != usize::MAX {
            self.credit -= 1;
        }
    }

    /// Handles a command; a SUBSCRIBE or CANCEL to a publisher comes back as the
    /// `0x01`/`0x00` message the socket reads subscriptions from (the ZMTP 3.0 form).
    fn on_command(&mut self, body: &Bytes) -> Option<Msg> {
        // Unknown and malformed commands after the handshake are ignored, as in libzmq.
        let publisher = matches!(self.cfg.socket_type, SocketType::Pub | SocketType::Xpub);
        match parse_command(body) {
            Ok(Command::Ping {
                ttl_deciseconds,
                context,
            }) => {
                if let Some(hb) = self.heartbeat.as_mut() {
                    hb.ping_received(ttl_deciseconds);
                }
                if self.wbuf.len() < WRITE_BATCH {
                    // Room in the write batch: answered in order, one PONG per PING, as
                    // libzmq's engine encodes each at once (libzmq's test_heartbeats
                    // sends two PINGs in one segment and reads two PONGs).
                    self.wbuf.push_with(|out| encode_pong(&context, out));
                } else {
                    // Output is backed up (a peer that does not read): the newest PING's
                    // PONG replaces one not sent yet, so PINGs cannot grow the output
                    // (libzmq keeps one pending too); copied so as not to pin the read
                    // buffer.
                    self.pending_pong = Some(Bytes::copy_from_slice(&context));
                }
                None
            }
            Ok(Command::Subscribe(topic)) if publisher => Some(subscription_msg(&topic, true)),
            Ok(Command::Cancel(topic)) if publisher => Some(subscription_msg(&topic, false)),
            _ => None,
        }
    }

    /// Whether this session carries a subscriber's subscriptions upstream.
    fn sends_subscriptions(&self) -> bool {
        matches!(self.cfg.socket_type, SocketType::Sub | SocketType::Xsub)
    }

    fn flush_batch(&mut self) {
        if self.batch_msgs == 0 {
            return;
        }
        let msgs = std::mem::take(&mut self.batch_msgs);
        match &self.pipe {
            Some(pipe) => self.credit = pipe.deliver(self.batch.drain(..), msgs),
            None => self.batch.clear(),
        }
    }

    // ---- writing ----

    fn write_out(&mut self) -> Result<(), Lost> {
        loop {
            if matches!(self.phase, Phase::Active) {
                if let Some(context) = self.pending_pong.take() {
                    self.wbuf.push_with(|out| encode_pong(&context, out));
                }
                if self.wbuf.len() < WRITE_BATCH {
                    self.refill();
                }
            }
            if self.wbuf.is_empty() || !self.writable {
                return Ok(());
            }
            let Some(stream) = self.stream.as_mut() else {
                return Ok(());
            };
            match self.wbuf.write_to(stream) {
                Ok(0) => return Err(Lost),
                Ok(_) => {
                    self.out_done += self.wbuf.take_written_messages();
                    self.ack_sent(false);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.writable = false;
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
    fn ack_sent(&mut self, now: bool) {
        let Some(pipe) = &self.pipe else {
            self.out_done = 0;
            return;
        };
        if self.out_done > 0 && (now || self.out_done >= pipe.outgoing_lwm()) {
            pipe.ack_outgoing(std::mem::take(&mut self.out_done));
        }
    }

    /// Encodes queued messages until the write buffer holds a batch.
    fn refill(&mut self) {
        if self.out_local.is_empty() {
            if let Some(pipe) = &self.pipe {
                pipe.drain_outgoing(&mut self.out_local, 0);
            }
        }
        while self.wbuf.len() < WRITE_BATCH {
            let Some(msg) = self.out_local.pop_front() else {
                break;
            };
            if !self.mid_message && self.peer_minor >= 1 && self.sends_subscriptions() {
                // ZMTP 3.1 peers get subscriptions as commands; 3.0 peers as messages.
                if let Some((on, topic)) = parse_subscription(&msg) {
                    match on {
                        true => self.wbuf.push_with(|out| encode_subscribe(topic, out)),
                        false => self.wbuf.push_with(|out| encode_cancel(topic, out)),
                    }
                    self.wbuf.end_message();
                    continue;
                }
            }
            self.mid_message = msg.more();
            self.wbuf.push_msg(&msg);
        }
    }

    // ---- endings ----

    fn connection_lost(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if self.protocol_failure {
            // A refused peer still gets the READY queued before its own (one non-blocking
            // write), so it sees the refusal the same way whichever side reads first.
            if let Some(s) = self.stream.as_mut() {
                let _ = self.wbuf.write_to(s);
            }
        }
        // Complete messages already decoded still reach the socket; a half-received one
        // is dropped, and so is the rest of a half-sent one (never sent headless later).
        self.flush_batch();
        // Messages in the write buffer go with the connection: their credit comes back.
        self.out_done += self.wbuf.pending_messages();
        self.wbuf.clear();
        self.pending_pong = None;
        if self.cfg.immediate && matches!(self.phase, Phase::Active) {
            if let Some(pipe) = &self.pipe {
                self.out_local.clear();
                self.mid_message = false;
                // Takes and acknowledges everything in flight, these included.
                self.out_done = 0;
                pipe.peer_lost();
            }
        }
        self.partial.clear();
        (self.msg_frames, self.msg_bytes) = (0, 0);
        self.in_data_message = false;
        if std::mem::take(&mut self.mid_message) {
            while let Some(m) = self.out_local.pop_front() {
                if !m.more() {
                    self.out_done += 1;
                    break;
                }
            }
        }
        self.ack_sent(true);
        if matches!(self.phase, Phase::Handshaking(_)) && !self.protocol_failure {
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
        self.rbuf = BytesMut::new();
        self.want = 0;
        self.can_read = false;
        self.writable = false;
        self.phase = Phase::Idle;
        self.heartbeat = None;
        self.epoch += 1;
        match self.role {
            Role::Accepted { .. } => Next::Remove,
            Role::Connect { .. } => match self.schedule_reconnect(ctx) {
                Next::Keep => self.check_linger(ctx),
                Next::Remove => Next::Remove,
            },
        }
    }

    /// Arms the reconnect timer, or ends the session when RECONNECT_IVL is -1.
    fn schedule_reconnect(&mut self, ctx: &mut Ctx<'_>) -> Next {
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
        let delay = super::backoff::reconnect_delay(ivl, max, backoff, &mut self.rng);
        self.arm(ctx, TimerKind::Reconnect, Duration::from_millis(delay));
        self.emit(
            EVENT_CONNECT_RETRIED,
            u32::try_from(delay).unwrap_or(u32::MAX),
        );
        Next::Keep
    }

    /// After the socket let go of the pipe: flush within LINGER, then end.
    fn check_linger(&mut self, ctx: &mut Ctx<'_>) -> Next {
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
        let flushed = self.out_local.is_empty() && self.wbuf.is_empty() && !pipe.has_outgoing();
        if flushed {
            Next::Remove
        } else {
            Next::Keep
        }
    }

    /// Reports `event` to the socket's monitor (a no-op when nobody monitors).
    fn emit(&self, event: u16, value: u32) {
        self.cfg.socket.monitor.emit(event, value, &self.endpoint);
    }

    /// The current stream's descriptor as an event value.
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
