//! [`Session`]: one peer connection on an I/O thread.
//!
//! A session is the driver of a sans-IO [`Connection`] (which owns the greeting, the
//! mechanism handshake, framing, heartbeats and the socket-type wire rules): it reads the
//! stream (TCP or Unix) straight into the connection's buffer in large chunks, takes as
//! many decoded messages as the socket's RCVHWM credit allows and hands them to its
//! [`Pipe`] in batches, drains the pipe into the connection while its output is under a
//! batch, writes that output with one `writev`, and arms the timers the connection asks
//! for. The pieces: `setup` (connecting, SOCKS, handshake outcome), `zap` (asking the
//! context's ZAP handler about a peer), `traffic` (reading, delivering, writing, timers),
//! `endings` (connection loss, reconnect, LINGER).
//!
//! Output is bounded per connection: data comes from the pipe only while the connection's
//! output is under a batch, and a message counts against SNDHWM until the kernel has taken
//! its last byte (acknowledged to the pipe at its low-water mark). Reading never waits for
//! data output to drain (two peers that both send without reading would then deadlock);
//! data output is bounded by SNDHWM instead, and PONGs coalesce in the connection. A
//! session reads at most a budget of chunks per turn and then yields to the other
//! sessions of its I/O thread.
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

mod endings;
mod failure;
mod lending;
mod setup;
mod traffic;
mod zap;

use super::direct_budget::DirectBudget;
use super::fast_lane::{Registration, Watch};
use super::lifecycle::{seed, Role};
use super::monitor_values::value;
use super::stream::{read_into, PeerAddr, Stream};
use super::timers::{TimerKind, Timers};
use super::IoShared;
use crate::context::CtxShared;
use crate::monitor::{
    EVENT_CLOSED, EVENT_CONNECTED, EVENT_CONNECT_DELAYED, EVENT_HANDSHAKE_FAILED_AUTH,
    EVENT_HANDSHAKE_FAILED_PROTOCOL, EVENT_HANDSHAKE_SUCCEEDED,
};
use crate::msg::Msg;
use crate::options::SecurityOptions;
use crate::pipe::{Pipe, SessionWake};
use crate::proto::connection::{Connection, ConnectionConfig, ConnectionError, Event};
use crate::proto::heartbeat::HeartbeatConfig;
use crate::proto::wbuf::WriteBuf;
use crate::proto::{HandshakeConfig, PeerInfo, ProtocolError, SocketType};
use crate::socket_shared::{SocketCmd, SocketShared};
use crate::transport::socks::{SocksClient, SocksSetup};
use crate::transport::tcp::TcpConfig;
use crate::transport::Dial;
use bytes::{Bytes, BytesMut};
use mio::{Interest, Registry, Token};
use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Arc, Weak};
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
    /// The security mechanism (PLAIN_*, CURVE_*; NULL by default) and its keys.
    pub security: SecurityOptions,
    /// ZAP_DOMAIN (empty: a NULL socket does not ask ZAP).
    pub zap_domain: Bytes,
    /// ZAP_ENFORCE_DOMAIN: without a ZAP handler, peers are refused.
    pub zap_enforce: bool,
    /// The socket's context, where the ZAP handler is bound.
    pub context: Weak<CtxShared>,
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

enum Phase {
    /// No connection (waiting to reconnect).
    Idle,
    Connecting,
    /// SOCKS_PROXY: asking the proxy to connect on, before ZMTP starts.
    Socks(Box<SocksClient>),
    /// ZMTP: the connection object runs the handshake, then the traffic.
    Zmtp(Box<Connection>),
    /// Traffic, between two turns: the connection is lent to the pipe's fast lane (see
    /// `lending`); every turn takes it back first.
    Lent,
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
    /// The stream reported the peer's end or an error: read until the end is seen.
    peer_closing: bool,
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
    /// The pipe to the ZAP handler while a request is out.
    zap: Option<Arc<Pipe>>,
    /// Frames of the handler's reply received so far.
    zap_in: VecDeque<Msg>,
    /// The peer refused us with an ERROR: a connect-side session ends instead of
    /// reconnecting, as libzmq's does after a protocol error.
    refused: bool,
    /// The stream became writable while the connection was lent and busy.
    writable_later: bool,
    /// Timers that fired while the connection was lent and busy, run on the next turn.
    deferred_timers: Vec<(TimerKind, u64)>,
    /// How many messages the application thread may write itself when next lent.
    direct: DirectBudget,
    /// Messages went out since the last turn ended (direct or from the queue).
    sent_in_turn: bool,
    /// Where the stream is registered (the I/O thread's poller, -1 before), and what the
    /// poller watches it for (a parked receive changes that, see `io::fast_lane`).
    epoll: RawFd,
    watch: Watch,
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
            peer_closing: false,
            writable: false,
            pipe,
            out_local: VecDeque::new(),
            out_done: 0,
            batch: Vec::new(),
            batch_msgs: 0,
            credit: 0,
            lingering: false,
            rng: seed(token),
            zap: None,
            zap_in: VecDeque::new(),
            refused: false,
            writable_later: false,
            deferred_timers: Vec::new(),
            direct: DirectBudget::default(),
            sent_in_turn: false,
            epoll: -1,
            watch: Watch::ALL,
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
        self.role.listener()
    }

    /// Whether the handshake completed and a pipe is attached.
    pub fn has_pipe(&self) -> bool {
        self.pipe.is_some()
    }

    /// The stream reported the peer's end or an error, with or before the readiness that
    /// follows: reads go on until the end is seen (see `flow::drained_by`). Only a flag,
    /// so it is noted even while the connection is lent.
    pub fn peer_closing(&mut self) {
        self.peer_closing = true;
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
                self.registered(ctx);
                self.handshake_deadline = self.cfg.handshake_ivl.map(|ivl| ctx.now + ivl);
                if let Err(Lost) = self.begin_handshake() {
                    return self.connection_lost(ctx);
                }
                self.drive(ctx)
            }
        }
    }

    /// The stream became readable and/or writable.
    fn on_ready(&mut self, ctx: &mut Ctx<'_>, readable: bool, writable: bool) -> Next {
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
                        None => {
                            if let Err(Lost) = self.begin_handshake() {
                                return self.connection_lost(ctx);
                            }
                        }
                    }
                }
                Ok(false) => return Next::Keep,
                Err(Lost) => return self.connection_lost(ctx),
            }
        }
        self.drive(ctx)
    }

    /// The pipe has work: messages to send, credit returned, or the socket let go.
    fn on_activate(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if let Some(pipe) = &self.pipe {
            if matches!(&self.phase, Phase::Zmtp(c) if c.is_established()) && self.credit == 0 {
                self.credit = pipe.inbound_credit();
            }
        }
        self.drive(ctx)
    }

    /// A timer armed by this session fired.
    fn on_timer(&mut self, ctx: &mut Ctx<'_>, kind: TimerKind, epoch: u64) -> Next {
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
            TimerKind::Protocol => self.drive(ctx),
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
    fn on_shutdown(&mut self, ctx: &mut Ctx<'_>) {
        self.end_zap();
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
}
