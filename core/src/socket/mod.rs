//! [`Socket`]: the public socket API.
//!
//! A socket owns its pattern state and its pipes and runs entirely on the calling thread;
//! the I/O threads reach it only through its mailbox (`SocketShared`). Every call first
//! applies pending mailbox commands (new or ended pipes), then tries the operation, and
//! if it would block, sleeps on the socket's signal until a pipe changes state or the
//! timeout expires.

use crate::context::CtxShared;
use crate::error::{Error, Result};
use crate::io::{
    self, next_token, IoCmd, IoShared, ListenSocket, Listener, PeerAddr, RawConfig, SessionConfig,
};
use crate::monitor::{EVENT_BIND_FAILED, EVENT_CLOSED, EVENT_LISTENING};
use crate::msg::Msg;
use crate::options::{self, Options};
use crate::pattern::{self, Pattern, SlotSendError};
use crate::pipe::{Pipe, SessionWake};
use crate::pipe_table::PipeTable;
use crate::proto::SocketType;
use crate::socket_shared::{SocketCmd, SocketShared};
use crate::transport::socks::{self, SocksSetup, SocksTarget};
use crate::transport::Endpoint;
use crate::wakeup::Woken;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Instant;

mod direct_recv;
mod inproc;
mod metadata;
mod monitor;
#[cfg(test)]
mod monitor_event_tests;
mod pattern_options;
mod queue_options;
mod raw_options;
mod readiness;
mod security_options;
mod transport_options;
mod typed_options;

/// Send or receive without blocking: fail with [`Error::Again`] instead (`ZMQ_DONTWAIT`).
pub const DONTWAIT: i32 = 1;
/// More frames of the same message follow this one (`ZMQ_SNDMORE`).
pub const SNDMORE: i32 = 2;

struct Bind {
    /// The resolved endpoint (`LAST_ENDPOINT` form).
    endpoint: String,
    /// The endpoint as given to `bind`.
    given: String,
    io: Arc<IoShared>,
    token: usize,
    /// The listening descriptor (the value of its CLOSED event).
    fd: u32,
}

struct Connect {
    endpoint: String,
    pipe: pattern::PipeId,
}

/// A ferromq socket.
///
/// Sockets are `Send`, so they can move between threads, but not `Sync`: use one socket
/// from one thread at a time, as with libzmq. Dropping the socket closes it; queued
/// messages are still sent within LINGER.
///
/// ```
/// use ferromq::{Context, SocketType, SNDMORE};
/// let ctx = Context::new();
/// let mut pull = ctx.socket(SocketType::Pull)?;
/// pull.bind("tcp://127.0.0.1:*")?;
/// let mut push = ctx.socket(SocketType::Push)?;
/// push.connect(&pull.last_endpoint()?)?;
/// push.send("key", SNDMORE)?;
/// push.send("value", 0)?;
/// let parts = pull.recv_multipart(0)?;
/// assert_eq!(parts.len(), 2);
/// assert_eq!(&parts[1][..], b"value");
/// # Ok::<(), ferromq::Error>(())
/// ```
pub struct Socket {
    ctx: Arc<CtxShared>,
    ty: SocketType,
    opts: Options,
    shared: Arc<SocketShared>,
    pattern: Box<dyn Pattern>,
    pipes: PipeTable,
    binds: Vec<Bind>,
    connects: Vec<Connect>,
    /// IMMEDIATE connect-side pipes the pattern does not see (not connected now).
    unattached: Vec<pattern::PipeId>,
    /// The `inproc://` names this socket bound.
    inproc_binds: Vec<String>,
    /// The last peer metadata handed out, keyed by (pipe address, metadata generation).
    metadata_cache: Option<((usize, u64), Arc<crate::proto::Metadata>)>,
    last_endpoint: String,
    rcvmore: bool,
}

/// Makes a socket's calls fail with ENOTSOCK from now on, waking a call blocked in it:
/// what a binding needs to close a socket that another thread is blocked in (the C
/// `zmq_close` from another thread). Get one with [`Socket::interrupter`]; it is `Send`
/// and `Sync`. The socket still has to be dropped to release its resources.
#[derive(Debug, Clone)]
pub struct Interrupter {
    shared: Arc<SocketShared>,
}

impl Interrupter {
    /// Makes every current and later call on the socket fail with ENOTSOCK.
    pub fn interrupt(&self) {
        self.shared.interrupt();
    }
}

/// How long a call may block.
#[derive(Clone, Copy)]
enum Wait {
    No,
    Forever,
    Until(Instant),
}

/// Where a new socket's generated ids start (REQ request ids, ROUTER and STREAM routing
/// ids). libzmq starts them at a random value so that a reply or an id meant for an
/// earlier socket is unlikely to match; the clock's nanoseconds, spread by a
/// multiplicative hash, are random enough for that.
fn random_seed() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() ^ d.as_secs() as u32);
    nanos.wrapping_mul(0x9E37_79B9)
}

impl Wait {
    fn new(flags: i32, timeout_ms: i32) -> Wait {
        if flags & DONTWAIT != 0 || timeout_ms == 0 {
            return Wait::No;
        }
        match options::millis(timeout_ms) {
            None => Wait::Forever,
            Some(d) => Wait::Until(Instant::now() + d),
        }
    }
}

impl Socket {
    pub(crate) fn new(ctx: Arc<CtxShared>, ty: SocketType) -> Result<Socket> {
        let pattern = pattern::for_type(ty, random_seed());
        let shared = Arc::new(SocketShared::new(pattern::reads_inbound(ty)));
        ctx.add_socket(&shared)?;
        let mut opts = Options::default();
        let defaults = ctx.options();
        // libzmq: SUB and XSUB default to LINGER 0 (nothing they send is worth waiting
        // for), the others to -1 unless the context is not BLOCKY.
        if !defaults.blocky || matches!(ty, SocketType::Sub | SocketType::Xsub) {
            opts.linger = 0;
        }
        opts.ipv6 = defaults.ipv6;
        Ok(Socket {
            ctx,
            ty,
            opts,
            shared,
            pattern,
            pipes: PipeTable::default(),
            binds: Vec::new(),
            connects: Vec::new(),
            unattached: Vec::new(),
            inproc_binds: Vec::new(),
            metadata_cache: None,
            last_endpoint: String::new(),
            rcvmore: false,
        })
    }

    /// The socket's type (`ZMQ_TYPE`).
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let s = Context::new().socket(SocketType::Pull)?;
    /// assert_eq!(s.socket_type(), SocketType::Pull);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn socket_type(&self) -> SocketType {
        self.ty
    }

    fn session_config(&self) -> SessionConfig {
        SessionConfig {
            socket_type: self.ty,
            identity: self.opts.routing_id.clone(),
            max_frame: self.opts.max_frame(),
            max_parts: usize::try_from(self.opts.maxmsgparts).ok(),
            max_msg_bytes: u64::try_from(self.opts.maxmsgtotalsize).ok(),
            handshake_ivl: options::millis(self.opts.handshake_ivl).filter(|d| !d.is_zero()),
            reconnect_ivl: self.opts.reconnect_ivl,
            reconnect_ivl_max: self.opts.reconnect_ivl_max,
            sndhwm: options::hwm(self.opts.sndhwm),
            rcvhwm: options::hwm(self.opts.rcvhwm),
            receives: self.ty != SocketType::Push,
            conflate: self.conflates(),
            immediate: self.opts.immediate,
            heartbeat: self.opts.heartbeat(),
            tcp: self.opts.tcp_config(),
            connect_timeout: options::millis(self.opts.connect_timeout).filter(|d| !d.is_zero()),
            socks: None,
            socket: Arc::clone(&self.shared),
            security: self.opts.security.clone(),
            zap_domain: self.opts.zap_domain.clone(),
            zap_enforce: self.opts.zap_enforce_domain,
            context: Arc::downgrade(&self.ctx),
            raw: (self.ty == SocketType::Stream).then_some(RawConfig {
                notify: self.opts.stream_notify,
            }),
        }
    }

    /// Accepts connections on `endpoint`: `tcp://host:port`, where host is `*` (all
    /// IPv4 interfaces; with IPV6 all interfaces, IPv4 and IPv6), an IP address (`[::1]`
    /// for IPv6, which needs IPV6) or a local host name, and port may be `*` for an
    /// ephemeral port (see [`Socket::last_endpoint`]); or `ipc://path` (a Unix domain
    /// socket; whatever is at the path is replaced, as libzmq does), `ipc://@name` (Linux
    /// abstract namespace) or `ipc://*` (a file `socket` in a new directory `tmpXXXXXX`
    /// under `$TMPDIR`, else the current directory; both are removed again on unbind and
    /// close, while explicit paths are left in place); or `inproc://name` (sockets of
    /// this context, see [`Socket::connect`]).
    ///
    /// Errors: EINVAL (malformed endpoint), EPROTONOSUPPORT (unknown transport),
    /// EADDRINUSE, EADDRNOTAVAIL, ENODEV (unknown host), ENAMETOOLONG (an ipc address of
    /// 108 bytes or more), ENOENT (an ipc path in a missing directory).
    ///
    /// ```
    /// use ferromq::{Context, SocketType, Error};
    /// let ctx = Context::new();
    /// let mut a = ctx.socket(SocketType::Pull)?;
    /// a.bind("tcp://127.0.0.1:*")?;
    /// let mut b = ctx.socket(SocketType::Pull)?;
    /// assert_eq!(b.bind(&a.last_endpoint()?), Err(Error::AddrInUse));
    /// assert_eq!(b.bind("bogus://x"), Err(Error::ProtoNoSupport));
    /// b.bind("ipc://*")?;
    /// assert!(b.last_endpoint()?.ends_with("/socket"));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn bind(&mut self, endpoint: &str) -> Result<()> {
        self.check_live()?;
        if let Some(name) = endpoint.strip_prefix("inproc://") {
            return self.bind_inproc(name);
        }
        let ep = Endpoint::parse(endpoint)?;
        // USE_FD: one listener owns the adopted descriptor; adopting it again while that
        // listener lives would close it twice.
        if self.opts.use_fd >= 0
            && self
                .binds
                .iter()
                .any(|b| i64::from(b.fd) == i64::from(self.opts.use_fd))
        {
            return Err(Error::AddrInUse);
        }
        let io = self.ctx.io()?;
        let bound = match ListenSocket::open(&ep, self.opts.backlog, &self.opts.tcp_config()) {
            Ok(b) => b,
            Err(e) => {
                // libzmq names the address without its scheme here.
                let address = endpoint.split_once("://").map_or(endpoint, |(_, a)| a);
                let errno = u32::try_from(e.errno()).unwrap_or(0);
                self.shared.monitor.emit(EVENT_BIND_FAILED, errno, address);
                return Err(e);
            }
        };
        let uri = bound.endpoint;
        let fd = u32::try_from(bound.socket.as_raw_fd()).unwrap_or(0);
        self.shared.monitor.emit(EVENT_LISTENING, fd, &uri);
        let token = next_token();
        io.send(IoCmd::Listen(Box::new(Listener {
            token,
            socket: bound.socket,
            config: self.session_config(),
            endpoint: uri.as_str().into(),
            _temp: bound.temp,
        })));
        self.binds.push(Bind {
            endpoint: uri.clone(),
            given: endpoint.to_string(),
            io,
            token,
            fd,
        });
        self.last_endpoint = uri;
        Ok(())
    }

    /// Connects to `endpoint` (`tcp://host:port`, `ipc://path` or `ipc://@name`;
    /// `tcp://source:port;host:port` binds the connection's local end first, the source
    /// being `*`, an IP address, an interface name or a host name, and its port `0` or `*`
    /// for any). The peer need not be listening yet (nor an ipc path exist): the socket connects in the
    /// background, reconnects after RECONNECT_IVL when the connection drops, and queues
    /// messages for the peer meanwhile (up to SNDHWM). ENAMETOOLONG for an ipc address of
    /// 108 bytes or more.
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// push.set_linger(0)?;
    /// push.connect("tcp://127.0.0.1:9")?; // nobody there yet: still fine
    /// push.send("queued", 0)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn connect(&mut self, endpoint: &str) -> Result<()> {
        self.check_live()?;
        if let Some(name) = endpoint.strip_prefix("inproc://") {
            return self.connect_inproc(name);
        }
        let ep = Endpoint::parse(endpoint)?;
        let mut cfg = self.session_config();
        let (addr, uri) = if !self.opts.socks_proxy.is_empty() && matches!(ep, Endpoint::Tcp(_)) {
            // Through the proxy: its address is dialled, and the target goes to it
            // unresolved (a name the proxy may know and this host not).
            let proxy = socks::proxy_addr(&self.opts.socks_proxy, self.opts.ipv6)?;
            cfg.socks = Some(SocksSetup {
                target: SocksTarget::from_endpoint(endpoint).ok_or(Error::Invalid)?,
                username: self.opts.socks_username.clone(),
                password: self.opts.socks_password.clone(),
            });
            (PeerAddr::Tcp(proxy, None), endpoint.to_string())
        } else {
            PeerAddr::resolve(&ep, self.opts.ipv6)?
        };
        let io = self.ctx.io()?;
        let token = next_token();
        let pipe = Pipe::new(
            Arc::clone(&self.shared),
            SessionWake {
                io: Arc::clone(&io),
                token,
            },
            cfg.sndhwm,
            cfg.rcvhwm,
        );
        if let Some(rid) = self.opts.connect_routing_id.take() {
            pipe.set_routing_id(rid, true);
        }
        if self.conflates() {
            pipe.set_conflate();
        }
        let id = self.pipes.insert(Arc::clone(&pipe));
        self.connects.push(Connect {
            endpoint: endpoint.to_string(),
            pipe: id,
        });
        if self.opts.immediate {
            self.unattached.push(id);
        } else {
            self.attach(id);
        }
        io.send(IoCmd::Connect(io::connect(
            token, cfg, addr, endpoint, pipe,
        )));
        self.close_rejected();
        self.last_endpoint = uri;
        Ok(())
    }

    /// Stops accepting on an endpoint given to [`Socket::bind`] (or the resolved form
    /// from [`Socket::last_endpoint`]) and drops the connections it accepted.
    /// ENOENT if the endpoint is not bound.
    ///
    /// ```
    /// use ferromq::{Context, SocketType, Error};
    /// let mut s = Context::new().socket(SocketType::Pull)?;
    /// s.bind("tcp://127.0.0.1:*")?;
    /// let ep = s.last_endpoint()?;
    /// s.unbind(&ep)?;
    /// assert_eq!(s.unbind(&ep), Err(Error::NoEnt));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn unbind(&mut self, endpoint: &str) -> Result<()> {
        self.check_live()?;
        if let Some(name) = endpoint.strip_prefix("inproc://") {
            return self.unbind_inproc(name);
        }
        let wildcard =
            endpoint.ends_with(":*") || endpoint.ends_with(":0") || endpoint == "ipc://*";
        let pos = self
            .binds
            .iter()
            .position(|b| b.endpoint == endpoint || (!wildcard && b.given == endpoint))
            .ok_or(Error::NoEnt)?;
        let b = self.binds.remove(pos);
        b.io.send(IoCmd::CloseListener {
            token: b.token,
            close_sessions: true,
        });
        Ok(())
    }

    /// Drops the connection to an endpoint given to [`Socket::connect`], with the
    /// messages queued for it (subject to LINGER). ENOENT if not connected.
    ///
    /// ```
    /// use ferromq::{Context, SocketType, Error};
    /// let mut s = Context::new().socket(SocketType::Push)?;
    /// s.connect("tcp://127.0.0.1:9")?;
    /// s.disconnect("tcp://127.0.0.1:9")?;
    /// assert_eq!(s.disconnect("tcp://127.0.0.1:9"), Err(Error::NoEnt));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn disconnect(&mut self, endpoint: &str) -> Result<()> {
        self.check_live()?;
        let pos = self
            .connects
            .iter()
            .position(|c| c.endpoint == endpoint)
            .ok_or(Error::NoEnt)?;
        let c = self.connects.remove(pos);
        self.pattern.detach(c.pipe);
        self.unattached.retain(|&u| u != c.pipe);
        if let Some(pipe) = self.pipes.remove(c.pipe) {
            self.let_go(&pipe);
        }
        Ok(())
    }

    /// The endpoint of the last bind or connect, resolved (`ZMQ_LAST_ENDPOINT`): after
    /// `bind("tcp://127.0.0.1:*")` it holds the real port.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert_eq!(s.last_endpoint()?, "");
    /// s.bind("tcp://127.0.0.1:*")?;
    /// assert!(s.last_endpoint()?.starts_with("tcp://127.0.0.1:"));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn last_endpoint(&self) -> Result<String> {
        Ok(self.last_endpoint.clone())
    }

    /// Applies commands posted by the I/O threads: new pipes, ended pipes. It runs on
    /// every send and receive, so the common case (nothing posted) is a few loads.
    #[inline]
    fn process_commands(&mut self) {
        // Read the delivery flag before taking commands: a session posts a pipe's Attach
        // before delivering on it, so a delivery seen here has its pipe attached below.
        let inbound = self.shared.take_inbound();
        let cmds = self.shared.take();
        if !cmds.is_empty() {
            self.apply_commands(cmds);
        }
        if inbound {
            self.process_inbound();
        }
        // Pipes a read found drained, whichever read it was (the flag above is only kept
        // for patterns that read ahead: `pattern::reads_inbound`).
        self.reap_finished();
        self.close_rejected();
    }

    #[inline(never)]
    fn process_inbound(&mut self) {
        self.pattern.process_inbound(&mut self.pipes);
    }

    #[cold]
    fn apply_commands(&mut self, cmds: Vec<SocketCmd>) {
        for cmd in cmds {
            match cmd {
                SocketCmd::Attach(pipe) => {
                    if self.conflates() {
                        pipe.set_conflate();
                    }
                    let id = self.pipes.insert(pipe);
                    self.attach(id);
                }
                SocketCmd::Detach(addr) => {
                    if let Some(id) = self.pipes.find(addr) {
                        if self.pipes.terminate(id) {
                            self.reap(id);
                        }
                    }
                }
                SocketCmd::PeerReady(addr) => {
                    if let Some(id) = self.pipes.find(addr) {
                        if let Some(pos) = self.unattached.iter().position(|&u| u == id) {
                            self.unattached.swap_remove(pos);
                            self.attach(id);
                        } else {
                            self.pattern.peer_ready(&mut self.pipes, id);
                        }
                    }
                }
                SocketCmd::PeerLost(addr) => {
                    if let Some(id) = self.pipes.find(addr) {
                        if !self.unattached.contains(&id) {
                            self.pattern.detach(id);
                            self.unattached.push(id);
                        }
                    }
                }
            }
        }
    }

    /// Hands pipe `id` to the pattern, after queuing on it what libzmq writes on every
    /// new pipe: PROBE_ROUTER's empty message and XPUB_WELCOME_MSG. They go straight on
    /// the pipe, so the pattern's own state (REQ's turn, a multipart send) is untouched.
    fn attach(&mut self, id: pattern::PipeId) {
        use crate::pattern::Pipes;
        if self.opts.probe_router {
            let _ = self.pipes.try_send(id, Msg::new());
        }
        if !self.opts.welcome_msg.is_empty() {
            let _ = self
                .pipes
                .try_send(id, Msg::from(self.opts.welcome_msg.clone()));
        }
        self.pattern.attach(&mut self.pipes, id);
        if let Some(rid) = self.pattern.take_generated_routing_id() {
            // libzmq's STREAM keeps the id it generated last in ROUTING_ID.
            self.opts.routing_id = rid;
        }
    }

    /// Closes the pipes the pattern refused (PAIR's second peer, a duplicate ROUTER id)
    /// at once, and lets go of those it closed (a STREAM connection sent an empty
    /// frame): their sessions write what is queued, then end the connection.
    #[inline]
    fn close_rejected(&mut self) {
        if self.pipes.has_doomed() {
            self.close_doomed();
        }
    }

    #[cold]
    fn close_doomed(&mut self) {
        for id in self.pipes.take_rejected() {
            if let Some(pipe) = self.pipes.remove(id) {
                pipe.close_from_socket(0, None);
            }
            self.connects.retain(|c| c.pipe != id);
        }
        for id in self.pipes.take_closed() {
            self.unattached.retain(|&u| u != id);
            if let Some(pipe) = self.pipes.remove(id) {
                // Flushed without bound, but without holding the context's termination.
                pipe.close_from_socket(-1, None);
            }
            self.connects.retain(|c| c.pipe != id);
        }
    }

    fn reap(&mut self, id: pattern::PipeId) {
        self.pattern.detach(id);
        self.unattached.retain(|&u| u != id);
        self.pipes.remove(id);
        self.connects.retain(|c| c.pipe != id);
    }

    #[inline]
    fn reap_finished(&mut self) {
        if self.pipes.has_finished() {
            for id in self.pipes.take_finished() {
                self.reap(id);
            }
        }
    }

    /// Sleeps until something may have changed. `Err(Again)` when the wait expired,
    /// `Err(Intr)` when a signal handler ran in this thread meanwhile (as libzmq).
    fn wait(&self, seen: u64, wait: Wait) -> Result<()> {
        self.check_live()?;
        let woken = match wait {
            Wait::No => Woken::TimedOut,
            Wait::Forever => self.shared.signal.wait(seen, None),
            Wait::Until(t) => self.shared.signal.wait(seen, Some(t)),
        };
        self.check_live()?;
        match woken {
            Woken::Notified | Woken::Readable => Ok(()),
            Woken::TimedOut => Err(Error::Again),
            Woken::Interrupted => Err(Error::Intr),
        }
    }

    /// ETERM once the context is terminated, ENOTSOCK once [interrupted](Interrupter).
    fn check_live(&self) -> Result<()> {
        if self.shared.is_terminated() {
            return Err(Error::Term);
        }
        if self.shared.is_interrupted() {
            return Err(Error::NotSock);
        }
        Ok(())
    }

    /// A handle that another thread can use to make this socket's calls fail (see
    /// [`Interrupter`]).
    ///
    /// ```
    /// use ferromq::{Context, Error, SocketType};
    /// let mut pull = Context::new().socket(SocketType::Pull)?;
    /// let stop = pull.interrupter();
    /// let t = std::thread::spawn(move || (pull.recv(0).err(), pull));
    /// stop.interrupt();
    /// let (err, _pull) = t.join().unwrap();
    /// assert_eq!(err, Some(Error::NotSock));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn interrupter(&self) -> Interrupter {
        Interrupter {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Sends one frame. `flags`: [`SNDMORE`] if more frames of this message follow,
    /// [`DONTWAIT`] to fail with EAGAIN instead of blocking at the high-water mark.
    /// Blocks at most SNDTIMEO otherwise, and fails with EINTR ([`Error::Intr`]) when a
    /// signal handler runs in this thread meanwhile. A multipart message is delivered
    /// whole or not at all.
    ///
    /// ```
    /// use ferromq::{Context, SocketType, Error, DONTWAIT};
    /// let ctx = Context::new();
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// // No peer yet: nothing can take the message.
    /// assert_eq!(push.send("x", DONTWAIT), Err(Error::Again));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn send<M: Into<Msg>>(&mut self, msg: M, flags: i32) -> Result<()> {
        self.send_or_return(msg.into(), flags).map_err(|(e, _)| e)
    }

    /// [`Socket::send`], but a frame that could not be sent comes back with the error,
    /// as libzmq leaves a message whose send failed to its caller (who may send it again
    /// later, as after EAGAIN). The C ABI's `zmq_msg_send` moves the frame in this way
    /// instead of keeping a copy.
    ///
    /// ```
    /// use ferromq::{Context, Error, Msg, SocketType, DONTWAIT};
    /// let mut push = Context::new().socket(SocketType::Push)?;
    /// let (err, back) = push.send_or_return(Msg::from("x"), DONTWAIT).unwrap_err();
    /// assert_eq!((err, &back[..]), (Error::Again, &b"x"[..]));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn send_or_return(
        &mut self,
        msg: Msg,
        flags: i32,
    ) -> std::result::Result<(), (Error, Msg)> {
        let mut slot = msg;
        match self.send_from(&mut slot, flags) {
            Ok(()) => Ok(()),
            Err(e) => Err((e, slot)),
        }
    }

    /// [`Socket::send`] from `msg`: on success the frame has been taken and `msg` is
    /// empty; on error the frame stays in `msg` (as libzmq leaves a message whose send
    /// failed to its caller). A frame handed to a pipe this way is moved once, from
    /// `msg` into the pipe, which is how the C ABI's `zmq_msg_send` sends.
    ///
    /// ```
    /// use ferromq::{Context, Error, Msg, SocketType, DONTWAIT};
    /// let ctx = Context::new();
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// let mut msg = Msg::from("x");
    /// // No peer yet: the frame stays.
    /// assert_eq!(push.send_from(&mut msg, DONTWAIT), Err(Error::Again));
    /// assert_eq!(&msg[..], b"x");
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("inproc://send-from")?;
    /// push.connect("inproc://send-from")?;
    /// push.send_from(&mut msg, 0)?;
    /// assert!(msg.is_empty());
    /// assert_eq!(&pull.recv(0)?[..], b"x");
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn send_from(&mut self, msg: &mut Msg, flags: i32) -> Result<()> {
        self.check_live()?;
        msg.set_more(flags & SNDMORE != 0);
        let wait = Wait::new(flags, self.opts.sndtimeo);
        loop {
            let seen = self.shared.signal.generation();
            self.process_commands();
            match self.pattern.send_from(&mut self.pipes, msg) {
                Ok(()) => {
                    self.close_rejected();
                    return Ok(());
                }
                Err(SlotSendError::Fail(e)) => return Err(e),
                Err(SlotSendError::Again) => {}
            }
            self.wait(seen, wait)?;
        }
    }

    /// Sends every part of a multipart message (SNDMORE on all but the last).
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("tcp://127.0.0.1:*")?;
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// push.connect(&pull.last_endpoint()?)?;
    /// push.send_multipart(["a", "", "c"], 0)?;
    /// let got: Vec<Vec<u8>> = pull.recv_multipart(0)?.iter().map(|m| m.to_vec()).collect();
    /// assert_eq!(got, vec![b"a".to_vec(), vec![], b"c".to_vec()]);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn send_multipart<I, M>(&mut self, parts: I, flags: i32) -> Result<()>
    where
        I: IntoIterator<Item = M>,
        M: Into<Msg>,
    {
        let mut parts = parts.into_iter().peekable();
        while let Some(part) = parts.next() {
            let more = if parts.peek().is_some() { SNDMORE } else { 0 };
            self.send(part, flags | more)?;
        }
        Ok(())
    }

    /// Receives one frame; [`Msg::more`] (or [`Socket::get_rcvmore`]) tells whether more
    /// frames of the message follow. With [`DONTWAIT`], or after RCVTIMEO, fails with
    /// EAGAIN when nothing is there; a blocked call fails with EINTR ([`Error::Intr`]) when
    /// a signal handler runs in this thread.
    ///
    /// ```
    /// use ferromq::{Context, SocketType, Error};
    /// let mut pull = Context::new().socket(SocketType::Pull)?;
    /// pull.set_rcvtimeo(10)?;
    /// assert_eq!(pull.recv(0), Err(Error::Again));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn recv(&mut self, flags: i32) -> Result<Msg> {
        let mut m = Msg::new();
        self.recv_into(&mut m, flags)?;
        Ok(m)
    }

    /// [`Socket::recv`] into `msg`, whose old frame is dropped; on error `msg` is left as
    /// it was. A loop that reuses one `Msg` (as a C program reuses its `zmq_msg_t`) gets
    /// each frame moved once, from the pipe into `msg`.
    ///
    /// ```
    /// use ferromq::{Context, Msg, SocketType};
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("inproc://recv-into")?;
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// push.connect("inproc://recv-into")?;
    /// push.send("one", 0)?;
    /// push.send("two", 0)?;
    /// let mut msg = Msg::new();
    /// pull.recv_into(&mut msg, 0)?;
    /// assert_eq!(&msg[..], b"one");
    /// pull.recv_into(&mut msg, 0)?;
    /// assert_eq!(&msg[..], b"two");
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn recv_into(&mut self, msg: &mut Msg, flags: i32) -> Result<()> {
        self.check_live()?;
        let wait = Wait::new(flags, self.opts.rcvtimeo);
        loop {
            let seen = self.shared.signal.generation();
            self.process_commands();
            let got = self.pattern.recv_into(&mut self.pipes, msg);
            self.reap_finished();
            match got {
                Ok(()) => {
                    self.rcvmore = msg.more();
                    return Ok(());
                }
                Err(Error::Again) => {}
                Err(e) => return Err(e),
            }
            self.wait_recv(seen, wait)?;
        }
    }

    /// Receives all frames of one message.
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("tcp://127.0.0.1:*")?;
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// push.connect(&pull.last_endpoint()?)?;
    /// push.send_multipart(vec![b"x".to_vec(), b"y".to_vec()], 0)?;
    /// assert_eq!(pull.recv_multipart(0)?.len(), 2);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn recv_multipart(&mut self, flags: i32) -> Result<Vec<Msg>> {
        let mut parts = vec![self.recv(flags)?];
        while self.rcvmore {
            // The rest of the message is already here: messages arrive whole.
            parts.push(self.recv(flags & !DONTWAIT)?);
        }
        Ok(parts)
    }

    /// Whether the last frame received has more frames after it (`ZMQ_RCVMORE`).
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert!(!s.get_rcvmore()?);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn get_rcvmore(&self) -> Result<bool> {
        Ok(self.rcvmore)
    }

    /// Closes the socket (the same as dropping it). Queued messages are still sent
    /// within LINGER.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// s.close();
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn close(self) {}

    /// Hands a pipe back to its session for flushing within LINGER.
    fn let_go(&self, pipe: &Pipe) {
        let linger = self.opts.linger;
        // An inproc pipe's messages stay readable by its peer: nothing to flush.
        let guard = (linger != 0 && !pipe.is_inproc()).then(|| self.ctx.linger_guard());
        pipe.close_from_socket(linger, guard);
    }

    fn apply_hwms(&self) {
        let (snd, rcv) = (
            options::hwm(self.opts.sndhwm),
            options::hwm(self.opts.rcvhwm),
        );
        for p in self.pipes.iter() {
            p.set_hwms(snd, rcv);
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // As libzmq: the listeners' CLOSED events come before MONITOR_STOPPED (the I/O
        // thread closes them later, when the monitor is gone).
        for b in &self.binds {
            self.shared.monitor.emit(EVENT_CLOSED, b.fd, &b.endpoint);
        }
        self.shared.monitor.stop();
        self.release_inproc();
        for cmd in self.shared.close() {
            if let SocketCmd::Attach(pipe) = cmd {
                self.let_go(&pipe);
            }
        }
        let pipes: Vec<Arc<Pipe>> = self.pipes.drain().collect();
        for pipe in pipes {
            self.let_go(&pipe);
        }
        for b in self.binds.drain(..) {
            b.io.send(IoCmd::CloseListener {
                token: b.token,
                close_sessions: false,
            });
        }
        self.ctx.remove_socket(&self.shared);
    }
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("type", &self.ty)
            .field("last_endpoint", &self.last_endpoint)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_and_context_can_move_between_threads() {
        fn is_send<T: Send>() {}
        is_send::<Socket>();
        is_send::<crate::Context>();
    }

    #[test]
    fn wait_modes() {
        assert!(matches!(Wait::new(DONTWAIT, -1), Wait::No));
        assert!(matches!(Wait::new(0, 0), Wait::No));
        assert!(matches!(Wait::new(0, -1), Wait::Forever));
        assert!(matches!(Wait::new(0, 5), Wait::Until(_)));
    }
}
