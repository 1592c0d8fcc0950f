//! Typed option setters and getters, with libzmq's option names and defaults.

use super::Socket;
use crate::error::{Error, Result};
use crate::options;
use crate::pattern::PatternOption;
use crate::proto::SocketType;

impl Socket {
    /// Sets `ZMQ_SNDHWM`: the most messages queued per peer for sending (0 = no limit;
    /// default 1000). EINVAL if negative.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// s.set_sndhwm(10)?;
    /// assert_eq!(s.sndhwm()?, 10);
    /// assert!(s.set_sndhwm(-1).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_sndhwm(&mut self, v: i32) -> Result<()> {
        self.opts.sndhwm = options::non_negative(v)?;
        self.apply_hwms();
        Ok(())
    }

    /// `ZMQ_SNDHWM`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// assert_eq!(s.sndhwm()?, 1000);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn sndhwm(&self) -> Result<i32> {
        Ok(self.opts.sndhwm)
    }

    /// Sets `ZMQ_RCVHWM`: the most messages queued per peer for receiving (0 = no limit;
    /// default 1000). EINVAL if negative.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.set_rcvhwm(5)?;
    /// assert_eq!(s.rcvhwm()?, 5);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_rcvhwm(&mut self, v: i32) -> Result<()> {
        self.opts.rcvhwm = options::non_negative(v)?;
        self.apply_hwms();
        Ok(())
    }

    /// `ZMQ_RCVHWM`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert_eq!(s.rcvhwm()?, 1000);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn rcvhwm(&self) -> Result<i32> {
        Ok(self.opts.rcvhwm)
    }

    /// Sets `ZMQ_LINGER` in ms: how long messages queued at close are still sent
    /// (-1 = until sent, the default; 0 = drop them).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// s.set_linger(0)?;
    /// assert_eq!(s.linger()?, 0);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_linger(&mut self, v: i32) -> Result<()> {
        self.opts.linger = options::at_least_minus_one(v)?;
        Ok(())
    }

    /// `ZMQ_LINGER`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// assert_eq!(s.linger()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn linger(&self) -> Result<i32> {
        Ok(self.opts.linger)
    }

    /// Sets `ZMQ_RCVTIMEO` in ms: how long `recv` blocks before EAGAIN (-1 = forever,
    /// the default; 0 = never blocks).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.set_rcvtimeo(250)?;
    /// assert_eq!(s.rcvtimeo()?, 250);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_rcvtimeo(&mut self, v: i32) -> Result<()> {
        self.opts.rcvtimeo = options::at_least_minus_one(v)?;
        Ok(())
    }

    /// `ZMQ_RCVTIMEO`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert_eq!(s.rcvtimeo()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn rcvtimeo(&self) -> Result<i32> {
        Ok(self.opts.rcvtimeo)
    }

    /// Sets `ZMQ_SNDTIMEO` in ms: how long `send` blocks before EAGAIN (-1 = forever,
    /// the default; 0 = never blocks).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// s.set_sndtimeo(0)?;
    /// assert_eq!(s.sndtimeo()?, 0);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_sndtimeo(&mut self, v: i32) -> Result<()> {
        self.opts.sndtimeo = options::at_least_minus_one(v)?;
        Ok(())
    }

    /// `ZMQ_SNDTIMEO`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// assert_eq!(s.sndtimeo()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn sndtimeo(&self) -> Result<i32> {
        Ok(self.opts.sndtimeo)
    }

    /// Sets `ZMQ_MAXMSGSIZE`: the largest frame accepted from a peer, in bytes; a peer
    /// that sends more is disconnected (-1 = no limit, the default). Applies to later
    /// connections.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.set_maxmsgsize(1 << 20)?;
    /// assert_eq!(s.maxmsgsize()?, 1 << 20);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_maxmsgsize(&mut self, v: i64) -> Result<()> {
        if v < -1 {
            return Err(Error::Invalid);
        }
        self.opts.maxmsgsize = v;
        Ok(())
    }

    /// `ZMQ_MAXMSGSIZE`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert_eq!(s.maxmsgsize()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn maxmsgsize(&self) -> Result<i64> {
        Ok(self.opts.maxmsgsize)
    }

    /// Sets `ZMQ_RECONNECT_IVL` in ms: the wait before reconnecting a dropped connection
    /// (default 100; -1 = never reconnect).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// s.set_reconnect_ivl(50)?;
    /// assert_eq!(s.reconnect_ivl()?, 50);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_reconnect_ivl(&mut self, v: i32) -> Result<()> {
        self.opts.reconnect_ivl = options::at_least_minus_one(v)?;
        Ok(())
    }

    /// `ZMQ_RECONNECT_IVL`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// assert_eq!(s.reconnect_ivl()?, 100);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn reconnect_ivl(&self) -> Result<i32> {
        Ok(self.opts.reconnect_ivl)
    }

    /// Sets `ZMQ_RECONNECT_IVL_MAX` in ms: when > 0, reconnect waits double after each
    /// failure up to this value (default 0 = no backoff).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// s.set_reconnect_ivl_max(5000)?;
    /// assert_eq!(s.reconnect_ivl_max()?, 5000);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_reconnect_ivl_max(&mut self, v: i32) -> Result<()> {
        self.opts.reconnect_ivl_max = options::non_negative(v)?;
        Ok(())
    }

    /// `ZMQ_RECONNECT_IVL_MAX`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// assert_eq!(s.reconnect_ivl_max()?, 0);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn reconnect_ivl_max(&self) -> Result<i32> {
        Ok(self.opts.reconnect_ivl_max)
    }

    /// Sets `ZMQ_HANDSHAKE_IVL` in ms: a connection that has not completed the ZMTP
    /// handshake in this time is dropped (default 30000; 0 = no limit).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.set_handshake_ivl(1000)?;
    /// assert_eq!(s.handshake_ivl()?, 1000);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_handshake_ivl(&mut self, v: i32) -> Result<()> {
        self.opts.handshake_ivl = options::non_negative(v)?;
        Ok(())
    }

    /// `ZMQ_HANDSHAKE_IVL`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert_eq!(s.handshake_ivl()?, 30000);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn handshake_ivl(&self) -> Result<i32> {
        Ok(self.opts.handshake_ivl)
    }

    /// `ZMQ_SUBSCRIBE`: receive messages whose first frame starts with `topic` (the
    /// empty topic matches everything). Counted: subscribing twice needs two
    /// unsubscribes. SUB sockets only (EINVAL otherwise).
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut sub = ctx.socket(SocketType::Sub)?;
    /// sub.set_subscribe(b"weather.")?;
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// assert!(push.set_subscribe(b"x").is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_subscribe(&mut self, topic: &[u8]) -> Result<()> {
        self.process_commands();
        self.pattern.subscribe(&mut self.pipes, topic, true)
    }

    /// `ZMQ_UNSUBSCRIBE`: removes one subscription to `topic` (no effect if there is
    /// none). SUB sockets only (EINVAL otherwise).
    ///
    /// ```
    /// let mut sub = ferromq::Context::new().socket(ferromq::SocketType::Sub)?;
    /// sub.set_subscribe(b"a")?;
    /// sub.set_unsubscribe(b"a")?;
    /// sub.set_unsubscribe(b"never")?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_unsubscribe(&mut self, topic: &[u8]) -> Result<()> {
        self.process_commands();
        self.pattern.subscribe(&mut self.pipes, topic, false)
    }

    /// Sets `ZMQ_ROUTING_ID` (alias `ZMQ_IDENTITY`): the id this socket announces to its
    /// peers, which a ROUTER peer uses to address it: 1 to 255 bytes (EINVAL otherwise;
    /// a leading zero byte is allowed, as in libzmq, though ROUTERs generate such ids
    /// for anonymous peers). Applies to later connections.
    ///
    /// ```
    /// let mut dealer = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// dealer.set_routing_id(b"worker-1")?;
    /// assert_eq!(dealer.routing_id()?, b"worker-1");
    /// assert!(dealer.set_routing_id(b"").is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_routing_id(&mut self, id: &[u8]) -> Result<()> {
        self.opts.routing_id = options::routing_id(id)?;
        Ok(())
    }

    /// `ZMQ_ROUTING_ID` (empty when not set).
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert!(s.routing_id()?.is_empty());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn routing_id(&self) -> Result<Vec<u8>> {
        Ok(self.opts.routing_id.to_vec())
    }

    /// `ZMQ_CONNECT_ROUTING_ID`: the routing id this ROUTER gives the peer of its next
    /// `connect` (instead of the one the peer announces), so messages can be routed to it
    /// at once. Same rules as [`Socket::set_routing_id`]; ROUTER and STREAM only (EINVAL
    /// otherwise).
    ///
    /// ```
    /// let mut router = ferromq::Context::new().socket(ferromq::SocketType::Router)?;
    /// router.set_connect_routing_id(b"backend")?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_connect_routing_id(&mut self, id: &[u8]) -> Result<()> {
        // libzmq's REP is a ROUTER underneath and takes it too.
        if !matches!(
            self.ty,
            SocketType::Router | SocketType::Rep | SocketType::Stream
        ) {
            return Err(Error::Invalid);
        }
        self.opts.connect_routing_id = Some(options::routing_id(id)?);
        Ok(())
    }

    /// `ZMQ_ROUTER_MANDATORY`: a message for an unknown peer fails with EHOSTUNREACH,
    /// and one for a peer at its HWM blocks (or EAGAIN), instead of being dropped.
    /// ROUTER only (EINVAL otherwise).
    ///
    /// ```
    /// use ferromq::{Context, Error, SocketType, SNDMORE};
    /// let mut router = Context::new().socket(SocketType::Router)?;
    /// router.set_router_mandatory(true)?;
    /// assert_eq!(router.send("nobody", SNDMORE), Err(Error::HostUnreach));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_router_mandatory(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::RouterMandatory(on))
    }

    /// `ZMQ_ROUTER_HANDOVER`: a new peer announcing a routing id already in use takes it
    /// over (the old connection is closed) instead of being refused. ROUTER only.
    ///
    /// ```
    /// let mut router = ferromq::Context::new().socket(ferromq::SocketType::Router)?;
    /// router.set_router_handover(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_router_handover(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::RouterHandover(on))
    }

    /// `ZMQ_REQ_RELAXED`: allow a new request before the reply to the last one came; the
    /// old reply is then dropped, and the request goes to the next peer (the "lazy
    /// pirate" pattern). REQ only (EINVAL otherwise).
    ///
    /// ```
    /// let mut req = ferromq::Context::new().socket(ferromq::SocketType::Req)?;
    /// req.set_req_relaxed(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_req_relaxed(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::ReqRelaxed(on))
    }

    /// `ZMQ_REQ_CORRELATE`: tag each request with an id and accept only the reply that
    /// carries it back (use with REQ_RELAXED). REQ only (EINVAL otherwise).
    ///
    /// ```
    /// let mut req = ferromq::Context::new().socket(ferromq::SocketType::Req)?;
    /// req.set_req_correlate(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_req_correlate(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::ReqCorrelate(on))
    }

    /// `ZMQ_XPUB_VERBOSE`: pass every subscription up to the application, not only the
    /// first one for each topic. XPUB only (EINVAL otherwise).
    ///
    /// ```
    /// let mut x = ferromq::Context::new().socket(ferromq::SocketType::Xpub)?;
    /// x.set_xpub_verbose(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_xpub_verbose(&mut self, on: bool) -> Result<()> {
        // As libzmq: VERBOSE sets the subscribe half and turns VERBOSER's half off.
        self.pattern.set_option(PatternOption::XpubVerbose {
            subscribes: on,
            unsubscribes: false,
        })?;
        self.opts.xpub_verbose = on;
        self.opts.xpub_verboser = false;
        Ok(())
    }

    /// `ZMQ_XPUB_VERBOSER`: like XPUB_VERBOSE, and pass every unsubscription up too,
    /// not only the last one for each topic (setting it to false turns both off, as in
    /// libzmq). PUB and XPUB only (EINVAL otherwise).
    ///
    /// ```
    /// let mut x = ferromq::Context::new().socket(ferromq::SocketType::Xpub)?;
    /// x.set_xpub_verboser(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_xpub_verboser(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::XpubVerbose {
            subscribes: on,
            unsubscribes: on,
        })?;
        self.opts.xpub_verbose = on;
        self.opts.xpub_verboser = on;
        Ok(())
    }

    /// Sets `ZMQ_BACKLOG`: the listen queue length for later binds (default 100).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.set_backlog(10)?;
    /// assert_eq!(s.backlog()?, 10);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_backlog(&mut self, v: i32) -> Result<()> {
        self.opts.backlog = options::non_negative(v)?;
        Ok(())
    }

    /// `ZMQ_BACKLOG`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert_eq!(s.backlog()?, 100);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn backlog(&self) -> Result<i32> {
        Ok(self.opts.backlog)
    }

    /// Sets `ZMQ_HEARTBEAT_IVL` in ms: send a ZMTP PING every this often on each
    /// connection (default 0 = no heartbeats). EINVAL if negative. Applies to later
    /// connections.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_heartbeat_ivl(1000)?;
    /// assert_eq!(s.heartbeat_ivl()?, 1000);
    /// assert!(s.set_heartbeat_ivl(-1).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_heartbeat_ivl(&mut self, v: i32) -> Result<()> {
        self.opts.heartbeat_ivl = options::non_negative(v)?;
        Ok(())
    }

    /// `ZMQ_HEARTBEAT_IVL`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.heartbeat_ivl()?, 0);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn heartbeat_ivl(&self) -> Result<i32> {
        Ok(self.opts.heartbeat_ivl)
    }

    /// Sets `ZMQ_HEARTBEAT_TTL` in ms: sent in our PINGs, it tells the peer to drop the
    /// connection if it hears nothing from us for this long (default 0 = no limit). It
    /// travels in deciseconds, so it is truncated to a multiple of 100 ms as in libzmq;
    /// EINVAL beyond 6553599 ms or below -99.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_heartbeat_ttl(2050)?;
    /// assert_eq!(s.heartbeat_ttl()?, 2000);
    /// assert!(s.set_heartbeat_ttl(6_553_600).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_heartbeat_ttl(&mut self, v: i32) -> Result<()> {
        self.opts.heartbeat_ttl = options::heartbeat_ttl(v)?;
        Ok(())
    }

    /// `ZMQ_HEARTBEAT_TTL` in ms (a multiple of 100).
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.heartbeat_ttl()?, 0);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn heartbeat_ttl(&self) -> Result<i32> {
        Ok(i32::from(self.opts.heartbeat_ttl) * 100)
    }

    /// Sets `ZMQ_HEARTBEAT_TIMEOUT` in ms: after sending a PING, drop the connection if
    /// nothing at all arrives from the peer within this time (default -1 = use
    /// HEARTBEAT_IVL; it can only be set to a value ≥ 0, as in libzmq). Applies to later
    /// connections.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_heartbeat_timeout(3000)?;
    /// assert_eq!(s.heartbeat_timeout()?, 3000);
    /// assert!(s.set_heartbeat_timeout(-1).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_heartbeat_timeout(&mut self, v: i32) -> Result<()> {
        self.opts.heartbeat_timeout = options::non_negative(v)?;
        Ok(())
    }

    /// `ZMQ_HEARTBEAT_TIMEOUT`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.heartbeat_timeout()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn heartbeat_timeout(&self) -> Result<i32> {
        Ok(self.opts.heartbeat_timeout)
    }

    /// Sets `ZMQ_TCP_KEEPALIVE`: SO_KEEPALIVE on each TCP connection: 1 on, 0 off,
    /// -1 (the default) leaves the OS default. EINVAL otherwise. Applies to later
    /// connections.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_tcp_keepalive(1)?;
    /// assert_eq!(s.tcp_keepalive()?, 1);
    /// assert!(s.set_tcp_keepalive(2).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_tcp_keepalive(&mut self, v: i32) -> Result<()> {
        self.opts.tcp_keepalive = options::keepalive(v)?;
        Ok(())
    }

    /// `ZMQ_TCP_KEEPALIVE`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.tcp_keepalive()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn tcp_keepalive(&self) -> Result<i32> {
        Ok(self.opts.tcp_keepalive)
    }

    /// Sets `ZMQ_TCP_KEEPALIVE_CNT`: TCP_KEEPCNT, the unanswered keepalive probes before a
    /// connection is dropped (-1, the default, leaves the OS default; used only when
    /// TCP_KEEPALIVE is not -1). EINVAL below -1.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_tcp_keepalive_cnt(5)?;
    /// assert_eq!(s.tcp_keepalive_cnt()?, 5);
    /// assert!(s.set_tcp_keepalive_cnt(-2).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_tcp_keepalive_cnt(&mut self, v: i32) -> Result<()> {
        self.opts.tcp_keepalive_cnt = options::at_least_minus_one(v)?;
        Ok(())
    }

    /// `ZMQ_TCP_KEEPALIVE_CNT`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.tcp_keepalive_cnt()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn tcp_keepalive_cnt(&self) -> Result<i32> {
        Ok(self.opts.tcp_keepalive_cnt)
    }

    /// Sets `ZMQ_TCP_KEEPALIVE_IDLE`: TCP_KEEPIDLE in seconds, the idle time before the first
    /// keepalive probe (-1, the default, leaves the OS default; used only when
    /// TCP_KEEPALIVE is not -1). EINVAL below -1.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_tcp_keepalive_idle(60)?;
    /// assert_eq!(s.tcp_keepalive_idle()?, 60);
    /// assert!(s.set_tcp_keepalive_idle(-2).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_tcp_keepalive_idle(&mut self, v: i32) -> Result<()> {
        self.opts.tcp_keepalive_idle = options::at_least_minus_one(v)?;
        Ok(())
    }

    /// `ZMQ_TCP_KEEPALIVE_IDLE`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.tcp_keepalive_idle()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn tcp_keepalive_idle(&self) -> Result<i32> {
        Ok(self.opts.tcp_keepalive_idle)
    }

    /// Sets `ZMQ_TCP_KEEPALIVE_INTVL`: TCP_KEEPINTVL in seconds, between keepalive probes
    /// (-1, the default, leaves the OS default; used only when TCP_KEEPALIVE is not -1).
    /// EINVAL below -1.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_tcp_keepalive_intvl(10)?;
    /// assert_eq!(s.tcp_keepalive_intvl()?, 10);
    /// assert!(s.set_tcp_keepalive_intvl(-2).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_tcp_keepalive_intvl(&mut self, v: i32) -> Result<()> {
        self.opts.tcp_keepalive_intvl = options::at_least_minus_one(v)?;
        Ok(())
    }

    /// `ZMQ_TCP_KEEPALIVE_INTVL`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.tcp_keepalive_intvl()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn tcp_keepalive_intvl(&self) -> Result<i32> {
        Ok(self.opts.tcp_keepalive_intvl)
    }

    /// Sets `ZMQ_SNDBUF`: SO_SNDBUF in bytes for each connection (-1, the default,
    /// leaves the OS default; Linux may round the value). EINVAL below -1. Applies to
    /// later binds and connects.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_sndbuf(65536)?;
    /// assert_eq!(s.sndbuf()?, 65536);
    /// assert!(s.set_sndbuf(-2).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_sndbuf(&mut self, v: i32) -> Result<()> {
        self.opts.sndbuf = options::at_least_minus_one(v)?;
        Ok(())
    }

    /// `ZMQ_SNDBUF`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.sndbuf()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn sndbuf(&self) -> Result<i32> {
        Ok(self.opts.sndbuf)
    }

    /// Sets `ZMQ_RCVBUF`: SO_RCVBUF in bytes for each connection (-1, the default,
    /// leaves the OS default; Linux may round the value). EINVAL below -1. Applies to
    /// later binds and connects.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_rcvbuf(65536)?;
    /// assert_eq!(s.rcvbuf()?, 65536);
    /// assert!(s.set_rcvbuf(-2).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_rcvbuf(&mut self, v: i32) -> Result<()> {
        self.opts.rcvbuf = options::at_least_minus_one(v)?;
        Ok(())
    }

    /// `ZMQ_RCVBUF`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.rcvbuf()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn rcvbuf(&self) -> Result<i32> {
        Ok(self.opts.rcvbuf)
    }

    /// Sets `ZMQ_CONNECT_TIMEOUT`: a TCP connect that has not completed after this many ms is
    /// abandoned and retried after RECONNECT_IVL (default 0 = the OS's own timeout).
    /// EINVAL if negative. Applies to later connects.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_connect_timeout(500)?;
    /// assert_eq!(s.connect_timeout()?, 500);
    /// assert!(s.set_connect_timeout(-1).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_connect_timeout(&mut self, v: i32) -> Result<()> {
        self.opts.connect_timeout = options::non_negative(v)?;
        Ok(())
    }

    /// `ZMQ_CONNECT_TIMEOUT`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.connect_timeout()?, 0);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn connect_timeout(&self) -> Result<i32> {
        Ok(self.opts.connect_timeout)
    }

    /// Sets `ZMQ_IPV6`: allow IPv6. `tcp://*:port` then listens on `[::]` for IPv6 and
    /// IPv4 clients alike, IPv4 addresses are bound IPv4-mapped, and host names may
    /// resolve to IPv6. Without it (the default) binding an IPv6 address is ENODEV and
    /// a connect to one never succeeds, as in libzmq. Applies to later binds and
    /// connects.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert_eq!(s.bind("tcp://[::1]:*"), Err(ferromq::Error::NoDev));
    /// s.set_ipv6(true)?;
    /// assert!(s.ipv6()?);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_ipv6(&mut self, on: bool) -> Result<()> {
        self.opts.ipv6 = on;
        Ok(())
    }

    /// `ZMQ_IPV6`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert!(!s.ipv6()?);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn ipv6(&self) -> Result<bool> {
        Ok(self.opts.ipv6)
    }
}
