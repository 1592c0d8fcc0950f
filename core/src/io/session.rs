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

use super::events::value;
use super::stream::{read_into, PeerAddr, Stream};
use super::timers::{Timer, TimerKind, Timers};
use super::IoShared;
use crate::mailbox::{SocketCmd, SocketShared};
use crate::monitor::{
    EVENT_CLOSED, EVENT_CONNECTED, EVENT_CONNECT_DELAYED, EVENT_CONNECT_RETRIED,
    EVENT_DISCONNECTED, EVENT_HANDSHAKE_FAILED_NO_DETAIL, EVENT_HANDSHAKE_FAILED_PROTOCOL,
    EVENT_HANDSHAKE_SUCCEEDED,
};
use crate::msg::Msg;
use crate::pipe::{Pipe, SessionWake};
use crate::proto::connection::{Connection, ConnectionConfig, ConnectionError, Event};
use crate::proto::heartbeat::HeartbeatConfig;
use crate::proto::wbuf::WriteBuf;
use crate::proto::{HandshakeConfig, PeerInfo, SocketType};
use crate::transport::socks::{SocksClient, SocksSetup};
use crate::transport::tcp::TcpConfig;
use crate::transport::Dial;
use bytes::{Bytes, BytesMut};
use mio::{Interest, Registry, Token};
use std::collections::VecDeque;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    /// ZMTP: the connection object runs the handshake, then the traffic.
    Zmtp(Box<Connection>),
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
    /// HANDSHAKE_IVL's deadline, from when the stream came up (SOCKS included).
    handshake_deadline: Option<Instant>,
    /// The SOCKS negotiation's bytes (ZMTP's live in the connection object).
    socks_in: BytesMut,
    socks_out: WriteBuf,
    can_read: bool,
    writable: bool,
    pipe: Option<Arc<Pipe>>,
    /// Drained from the pipe, not yet encoded.
    out_local: VecDeque<Msg>,
    /// Complete messages written out (or lost with their connection) and not yet
    /// acknowledged to the pipe, which happens at its low-water mark.
    out_done: usize,
    /// Complete incoming messages not delivered yet.
    batch: Vec<Msg>,
    batch_msgs: usize,
    /// Messages the socket can still take (RCVHWM).
    credit: usize,
    /// The socket let go of the pipe and the LINGER timer is armed (if any).
    lingering: bool,
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
            handshake_deadline: None,
            socks_in: BytesMut::new(),
            socks_out: WriteBuf::default(),
            can_read: false,
            writable: false,
            pipe,
            out_local: VecDeque::new(),
            out_done: 0,
            batch: Vec::new(),
            batch_msgs: 0,
            credit: 0,
            lingering: false,
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

    /// The connection object once the handshake is done.
    fn established(&mut self) -> Option<&mut Connection> {
        match &mut self.phase {
            Phase::Zmtp(c) if c.is_established() => Some(c),
            _ => None,
        }
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
                self.handshake_deadline = self.cfg.handshake_ivl.map(|ivl| ctx.now + ivl);
                self.begin_handshake();
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
                    // HANDSHAKE_IVL bounds the SOCKS negotiation and ZMTP together.
                    self.handshake_deadline = self.cfg.handshake_ivl.map(|ivl| ctx.now + ivl);
                    match &self.cfg.socks {
                        Some(setup) => {
                            self.phase = Phase::Socks(Box::new(setup.client()));
                            if let Some(ivl) = self.cfg.handshake_ivl {
                                self.arm(ctx, TimerKind::Handshake, ivl);
                            }
                        }
                        None => self.begin_handshake(),
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
            if matches!(&self.phase, Phase::Zmtp(c) if c.is_established()) && self.credit == 0 {
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
                if matches!(self.phase, Phase::Socks(_)) {
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
        if let Err(Lost) = self.pump(ctx).and_then(|()| self.run_timers(ctx)) {
            return self.connection_lost(ctx);
        }
        self.check_linger(ctx)
    }

    fn pump(&mut self, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
        if matches!(self.phase, Phase::Socks(_)) {
            self.read_socks()?;
        }
        if matches!(&self.phase, Phase::Zmtp(c) if !c.is_established()) {
            self.read_handshake(ctx)?;
        }
        if self.established().is_some() && self.read_traffic()? {
            // The budget ran out with bytes possibly left: come back after the others.
            ctx.io.activate(self.token);
        }
        self.write_out()
    }

    /// Maps a connection's failure: protocol errors of the handshake are reported with
    /// their code (libzmq reports some not at all), the others only end the connection.
    fn failed(&mut self, e: ConnectionError) -> Lost {
        match e {
            ConnectionError::Handshake(e) => {
                self.protocol_failure = true;
                if let Some(code) = e.handshake_code() {
                    self.emit(EVENT_HANDSHAKE_FAILED_PROTOCOL, code);
                }
            }
            // libzmq reports the errno its last non-blocking read left: EAGAIN.
            ConnectionError::HandshakeTimeout => self.errno = libc::EAGAIN,
            ConnectionError::Protocol(_)
            | ConnectionError::MessageTooLarge
            | ConnectionError::HeartbeatExpired => {}
        }
        Lost
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

    /// Starts ZMTP on the stream, with whatever the SOCKS proxy's peer already sent.
    fn begin_handshake(&mut self) {
        let cfg = ConnectionConfig {
            handshake: HandshakeConfig {
                socket_type: self.cfg.socket_type,
                identity: self.cfg.identity.clone(),
                max_msg_size: Some(self.cfg.max_frame),
            },
            max_frame: self.cfg.max_frame,
            max_parts: self.cfg.max_parts,
            max_msg_bytes: self.cfg.max_msg_bytes,
            handshake_deadline: self.handshake_deadline,
            heartbeat: self.cfg.heartbeat,
        };
        let mut conn = Box::new(Connection::new(cfg));
        if !self.socks_in.is_empty() {
            let early = std::mem::take(&mut self.socks_in);
            conn.handle_input(&early);
        }
        self.phase = Phase::Zmtp(conn);
        self.can_read = true;
        self.writable = true;
    }

    /// Runs the SOCKS5 negotiation (see `transport::socks`); the ZMTP handshake starts
    /// when the tunnel is open, with whatever the peer sent after the proxy's reply.
    fn read_socks(&mut self) -> Result<(), Lost> {
        loop {
            let Phase::Socks(client) = &mut self.phase else {
                return Ok(());
            };
            let status = client.receive(&mut self.socks_in);
            // What to send next (the method list first, then each answer's follow-up).
            let out = client.pending().len();
            if out > 0 {
                self.socks_out
                    .push_with(|b| b.extend_from_slice(client.pending()));
                client.advance(out);
            }
            match status {
                Ok(true) => {
                    self.begin_handshake();
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
            let Phase::Zmtp(conn) = &mut self.phase else {
                return Ok(());
            };
            match conn.poll_event(ctx.now) {
                Err(e) => return Err(self.failed(e)),
                Ok(Some(Event::HandshakeSucceeded(peer))) => return self.handshake_done(peer, ctx),
                // NULL without ZAP_DOMAIN (all there is yet) never asks for ZAP.
                Ok(Some(Event::Zap(_)) | None) => {
                    if !self.can_read || !self.read_some()? {
                        return Ok(());
                    }
                }
            }
        }
    }

    fn handshake_done(&mut self, peer: PeerInfo, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
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
        self.credit = self.pipe.as_ref().map_or(0, |p| p.inbound_credit());
        self.emit(EVENT_HANDSHAKE_SUCCEEDED, 0);
        Ok(())
    }

    /// Runs the connection's timers (handshake deadline, heartbeat) and arms the next.
    fn run_timers(&mut self, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
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
                TimerKind::Heartbeat,
                at.saturating_duration_since(ctx.now),
            );
        }
        result.map_err(|e| self.failed(e))?;
        if wrote {
            self.write_out()?;
        }
        Ok(())
    }

    // ---- reading ----

    /// Reads once into the current phase's buffer. `Ok(false)` when nothing is available
    /// now.
    fn read_some(&mut self) -> Result<bool, Lost> {
        let fd = self.stream.as_ref().ok_or(Lost)?.as_raw_fd();
        let result = match &mut self.phase {
            Phase::Zmtp(conn) => {
                let want = conn.read_hint();
                let r = read_into(fd, conn.read_buf(), want);
                if matches!(r, Ok(n) if n > 0) {
                    conn.received();
                }
                r
            }
            _ => read_into(fd, &mut self.socks_in, 0),
        };
        match result {
            Ok(0) => {
                // libzmq reports a peer's orderly close as EPIPE.
                self.errno = libc::EPIPE;
                Err(Lost)
            }
            Ok(_) => Ok(true),
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

    /// Decodes complete messages from the connection while the socket has credit.
    fn decode(&mut self) -> Result<(), Lost> {
        let discard = self.discarding();
        let Phase::Zmtp(conn) = &mut self.phase else {
            return Ok(());
        };
        match conn.decode_into(&mut self.batch, self.credit, discard) {
            Ok(n) => {
                self.batch_msgs += n;
                if self.credit != usize::MAX {
                    self.credit -= n;
                }
                Ok(())
            }
            Err(e) => Err(self.failed(e)),
        }
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

    /// Encodes queued messages until the connection's output holds a batch.
    fn refill(&mut self) -> Result<(), Lost> {
        if self.out_local.is_empty() {
            if let Some(pipe) = &self.pipe {
                pipe.drain_outgoing(&mut self.out_local, 0);
            }
        }
        let Phase::Zmtp(conn) = &mut self.phase else {
            return Ok(());
        };
        while conn.wants_messages() {
            let Some(msg) = self.out_local.pop_front() else {
                break;
            };
            conn.send(&msg).map_err(|_| Lost)?;
        }
        Ok(())
    }

    // ---- endings ----

    fn connection_lost(&mut self, ctx: &mut Ctx<'_>) -> Next {
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
                let established = conn.is_established();
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
