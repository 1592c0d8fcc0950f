//! The socket option table: every option ferromq knows, one row each. Everything else is
//! generated from it: the [`crate::sockopt`] numbers and their [`TABLE`](crate::sockopt::TABLE)
//! (which the C and Python bindings read), the `Options` struct and its defaults, the typed
//! setters and getters of the stored options with their docs, and `Socket::set_option` /
//! `Socket::get_option` by number. To add an option, add one row (see docs/OPTIONS.md).
//!
//! A row is `"C_NAME" [draft] CONST = number, kind, socket types, ...`:
//! - `[draft]` marks a DRAFT option of libzmq 4.3 (answered by every libzmq build, but not
//!   defined by its stable `zmq.h`, nor by ferromq's);
//! - kind: a [`ValueKind`](crate::sockopt::ValueKind) (`Int`, `IntOrNull`, `Int64`,
//!   `Bytes`, `Str`, `StrictStr`): how the value travels and how C clears it;
//! - socket types: `any`, or the list of types that accept it (EINVAL elsewhere);
//! - `fields` rows are options stored in one `Options` field: `field: type = default`, the
//!   validation (`check`, from the typed value to the stored one), how a value by number
//!   becomes the typed one (`number`), the typed setter and getter (`get(-)`: write-only),
//!   and a sample for the generated doc example (with a value it `rejects`, if any);
//! - `custom` rows are options with side effects or no storage of their own: `set` and
//!   `get` say how a value by number reaches the hand-written typed methods (`(-)`: none);
//! - `state` lists the other `Options` fields the custom options keep.
//!
//! The generators are `macro_rules!` that take the whole table: `sockopt::sockopt_items`,
//! `options::options_struct`, `socket::typed_options::typed_accessors` and
//! `socket::raw_options::by_number`.

/// Calls `$gen! { fields { .. } custom { .. } state { .. } }` with the option table.
macro_rules! option_table {
    ($gen:ident) => {
        $gen! {
            fields {
                /// Sets `ZMQ_LINGER` in ms: how long messages queued at close are still sent
                /// (-1 = until sent, the default; 0 = drop them). EINVAL below -1.
                "ZMQ_LINGER" LINGER = 17, Int, any,
                    linger: i32 = (-1), check at_least_minus_one, number int,
                    set_linger(i32), get(linger -> i32), example Push 0, rejects (-2);
                /// Sets `ZMQ_RCVTIMEO` in ms: how long `recv` blocks before EAGAIN (-1 = forever,
                /// the default; 0 = never blocks). EINVAL below -1.
                "ZMQ_RCVTIMEO" RCVTIMEO = 27, Int, any,
                    rcvtimeo: i32 = (-1), check at_least_minus_one, number int,
                    set_rcvtimeo(i32), get(rcvtimeo -> i32), example Pull 250, rejects (-2);
                /// Sets `ZMQ_SNDTIMEO` in ms: how long `send` blocks before EAGAIN (-1 = forever,
                /// the default; 0 = never blocks). EINVAL below -1.
                "ZMQ_SNDTIMEO" SNDTIMEO = 28, Int, any,
                    sndtimeo: i32 = (-1), check at_least_minus_one, number int,
                    set_sndtimeo(i32), get(sndtimeo -> i32), example Push 0, rejects (-2);
                /// Sets `ZMQ_MAXMSGSIZE` (64-bit): the largest frame accepted from a peer, in
                /// bytes; a peer that sends more is disconnected (-1 = no limit, the default).
                /// Applies to later connections.
                "ZMQ_MAXMSGSIZE" MAXMSGSIZE = 22, Int64, any,
                    maxmsgsize: i64 = (-1), check at_least_minus_one_64, number int64,
                    set_maxmsgsize(i64), get(maxmsgsize -> i64), example Pull (1 << 20), rejects (-2);
                /// Sets `ZMQ_RECONNECT_IVL` in ms: the wait before reconnecting a dropped
                /// connection (default 100; -1 = never reconnect).
                "ZMQ_RECONNECT_IVL" RECONNECT_IVL = 18, Int, any,
                    reconnect_ivl: i32 = 100, check at_least_minus_one, number int,
                    set_reconnect_ivl(i32), get(reconnect_ivl -> i32), example Push 50, rejects (-2);
                /// Sets `ZMQ_RECONNECT_IVL_MAX` in ms: when > 0, reconnect waits double after
                /// each failure up to this value (default 0 = no backoff).
                "ZMQ_RECONNECT_IVL_MAX" RECONNECT_IVL_MAX = 21, Int, any,
                    reconnect_ivl_max: i32 = 0, check non_negative, number int,
                    set_reconnect_ivl_max(i32), get(reconnect_ivl_max -> i32),
                    example Push 5000, rejects (-1);
                /// Sets `ZMQ_HANDSHAKE_IVL` in ms: a connection that has not completed the ZMTP
                /// handshake in this time is dropped (default 30000; 0 = no limit).
                "ZMQ_HANDSHAKE_IVL" HANDSHAKE_IVL = 66, Int, any,
                    handshake_ivl: i32 = 30_000, check non_negative, number int,
                    set_handshake_ivl(i32), get(handshake_ivl -> i32), example Pull 1000, rejects (-1);
                /// Sets `ZMQ_BACKLOG`: the listen queue length for later binds (default 100).
                "ZMQ_BACKLOG" BACKLOG = 19, Int, any,
                    backlog: i32 = 100, check non_negative, number int,
                    set_backlog(i32), get(backlog -> i32), example Pull 10, rejects (-1);
                /// Sets `ZMQ_HEARTBEAT_IVL` in ms: send a ZMTP PING every this often on each
                /// connection (default 0 = no heartbeats). EINVAL if negative. Applies to later
                /// connections.
                "ZMQ_HEARTBEAT_IVL" HEARTBEAT_IVL = 75, Int, any,
                    heartbeat_ivl: i32 = 0, check non_negative, number int,
                    set_heartbeat_ivl(i32), get(heartbeat_ivl -> i32), example Dealer 1000, rejects (-1);
                /// Sets `ZMQ_HEARTBEAT_TIMEOUT` in ms: after sending a PING, drop the connection
                /// if nothing at all arrives from the peer within this time (default -1 = use
                /// HEARTBEAT_IVL; it can only be set to a value ≥ 0, as in libzmq). Applies to
                /// later connections.
                "ZMQ_HEARTBEAT_TIMEOUT" HEARTBEAT_TIMEOUT = 77, Int, any,
                    heartbeat_timeout: i32 = (-1), check non_negative, number int,
                    set_heartbeat_timeout(i32), get(heartbeat_timeout -> i32),
                    example Dealer 3000, rejects (-1);
                /// Sets `ZMQ_TCP_KEEPALIVE`: SO_KEEPALIVE on each TCP connection: 1 on, 0 off,
                /// -1 (the default) leaves the OS default. EINVAL otherwise. Applies to later
                /// connections.
                "ZMQ_TCP_KEEPALIVE" TCP_KEEPALIVE = 34, Int, any,
                    tcp_keepalive: i32 = (-1), check keepalive, number int,
                    set_tcp_keepalive(i32), get(tcp_keepalive -> i32), example Dealer 1, rejects (2);
                /// Sets `ZMQ_TCP_KEEPALIVE_CNT`: TCP_KEEPCNT, the unanswered keepalive probes
                /// before a connection is dropped (-1, the default, leaves the OS default; used
                /// only when TCP_KEEPALIVE is not -1). EINVAL below -1.
                "ZMQ_TCP_KEEPALIVE_CNT" TCP_KEEPALIVE_CNT = 35, Int, any,
                    tcp_keepalive_cnt: i32 = (-1), check at_least_minus_one, number int,
                    set_tcp_keepalive_cnt(i32), get(tcp_keepalive_cnt -> i32),
                    example Dealer 5, rejects (-2);
                /// Sets `ZMQ_TCP_KEEPALIVE_IDLE`: TCP_KEEPIDLE in seconds, the idle time before
                /// the first keepalive probe (-1, the default, leaves the OS default; used only
                /// when TCP_KEEPALIVE is not -1). EINVAL below -1.
                "ZMQ_TCP_KEEPALIVE_IDLE" TCP_KEEPALIVE_IDLE = 36, Int, any,
                    tcp_keepalive_idle: i32 = (-1), check at_least_minus_one, number int,
                    set_tcp_keepalive_idle(i32), get(tcp_keepalive_idle -> i32),
                    example Dealer 60, rejects (-2);
                /// Sets `ZMQ_TCP_KEEPALIVE_INTVL`: TCP_KEEPINTVL in seconds, between keepalive
                /// probes (-1, the default, leaves the OS default; used only when TCP_KEEPALIVE
                /// is not -1). EINVAL below -1.
                "ZMQ_TCP_KEEPALIVE_INTVL" TCP_KEEPALIVE_INTVL = 37, Int, any,
                    tcp_keepalive_intvl: i32 = (-1), check at_least_minus_one, number int,
                    set_tcp_keepalive_intvl(i32), get(tcp_keepalive_intvl -> i32),
                    example Dealer 10, rejects (-2);
                /// Sets `ZMQ_SNDBUF`: SO_SNDBUF in bytes for each connection (-1, the default,
                /// leaves the OS default; Linux may round the value). EINVAL below -1. Applies
                /// to later binds and connects.
                "ZMQ_SNDBUF" SNDBUF = 11, Int, any,
                    sndbuf: i32 = (-1), check at_least_minus_one, number int,
                    set_sndbuf(i32), get(sndbuf -> i32), example Dealer 65536, rejects (-2);
                /// Sets `ZMQ_RCVBUF`: SO_RCVBUF in bytes for each connection (-1, the default,
                /// leaves the OS default; Linux may round the value). EINVAL below -1. Applies
                /// to later binds and connects.
                "ZMQ_RCVBUF" RCVBUF = 12, Int, any,
                    rcvbuf: i32 = (-1), check at_least_minus_one, number int,
                    set_rcvbuf(i32), get(rcvbuf -> i32), example Dealer 65536, rejects (-2);
                /// Sets `ZMQ_CONNECT_TIMEOUT`: a TCP connect that has not completed after this
                /// many ms is abandoned and retried after RECONNECT_IVL (default 0 = the OS's
                /// own timeout). EINVAL if negative. Applies to later connects.
                "ZMQ_CONNECT_TIMEOUT" CONNECT_TIMEOUT = 79, Int, any,
                    connect_timeout: i32 = 0, check non_negative, number int,
                    set_connect_timeout(i32), get(connect_timeout -> i32),
                    example Dealer 500, rejects (-1);
                /// Sets `ZMQ_IPV6`: allow IPv6. `tcp://*:port` then listens on `[::]` for IPv6
                /// and IPv4 clients alike, IPv4 addresses are bound IPv4-mapped, and host names
                /// may resolve to IPv6. Without it (the default) binding an IPv6 address is
                /// ENODEV and a connect to one never succeeds, as in libzmq. Applies to later
                /// binds and connects.
                ///
                /// ```
                /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
                /// assert_eq!(s.bind("tcp://[::1]:*"), Err(ferromq::Error::NoDev));
                /// # Ok::<(), ferromq::Error>(())
                /// ```
                "ZMQ_IPV6" IPV6 = 42, Int, any,
                    ipv6: bool = false, check any, number strict_bool,
                    set_ipv6(bool), get(ipv6 -> bool), example Pull true, rejects (-);
                /// Sets `ZMQ_IMMEDIATE`: queue messages only on connections that are up. A
                /// connect's pipe then joins the socket's routing when its handshake completes
                /// and leaves it (dropping what was queued on it) when the connection drops, so
                /// sends go to live peers or block. Applies to later connects (default false).
                ///
                /// ```
                /// use ferromq::{Context, Error, SocketType, DONTWAIT};
                /// let mut push = Context::new().socket(SocketType::Push)?;
                /// push.set_linger(0)?;
                /// push.set_immediate(true)?;
                /// push.connect("tcp://127.0.0.1:9")?; // nobody listens
                /// assert_eq!(push.send("x", DONTWAIT), Err(Error::Again));
                /// # Ok::<(), ferromq::Error>(())
                /// ```
                "ZMQ_IMMEDIATE" IMMEDIATE = 39, Int, any,
                    immediate: bool = false, check any, number strict_bool,
                    set_immediate(bool), get(immediate -> bool), example Push true, rejects (-);
                /// Sets `ZMQ_CONFLATE`: keep only the newest message in each pipe, in both
                /// directions, ignoring the HWMs (for "latest value" feeds; single-frame
                /// messages). Every socket type accepts it, as in libzmq, but only PUSH, PULL,
                /// PUB, SUB and DEALER act on it. Applies to later connections.
                ///
                /// ```
                /// use ferromq::{Context, SocketType};
                /// let ctx = Context::new();
                /// let mut pull = ctx.socket(SocketType::Pull)?;
                /// pull.set_conflate(true)?;
                /// pull.bind("inproc://latest")?;
                /// let mut push = ctx.socket(SocketType::Push)?;
                /// push.connect("inproc://latest")?;
                /// for v in ["1", "2", "3"] {
                ///     push.send(v, 0)?;
                /// }
                /// assert_eq!(&pull.recv(0)?[..], b"3");
                /// # Ok::<(), ferromq::Error>(())
                /// ```
                "ZMQ_CONFLATE" CONFLATE = 54, Int, any,
                    conflate: bool = false, check any, number strict_bool,
                    set_conflate(bool), get(conflate -> bool), example Sub true, rejects (-);
                /// Sets `ZMQ_TOS`: the IP type-of-service byte (IPV6_TCLASS for IPv6) of later
                /// connections and listeners (0, the default, leaves the OS's). EINVAL if
                /// negative.
                "ZMQ_TOS" TOS = 57, Int, any,
                    tos: i32 = 0, check non_negative, number int,
                    set_tos(i32), get(tos -> i32), example Pair 0x28, rejects (-1);
                /// Sets `ZMQ_TCP_MAXRT` in ms: how long unacknowledged data may wait before the
                /// connection is dropped (TCP_USER_TIMEOUT; 0, the default, leaves the OS's).
                "ZMQ_TCP_MAXRT" TCP_MAXRT = 80, Int, any,
                    tcp_maxrt: i32 = 0, check non_negative, number int,
                    set_tcp_maxrt(i32), get(tcp_maxrt -> i32), example Pair 5000, rejects (-1);
                /// Sets `ZMQ_USE_FD`: the next `bind` adopts this descriptor, a TCP or Unix
                /// socket already bound and listening, instead of creating one (for socket
                /// activation); the endpoint is then the descriptor's own address. -1 (the
                /// default) turns it off.
                ///
                /// ```
                /// use std::os::fd::IntoRawFd;
                /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
                /// let port = listener.local_addr()?.port();
                /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
                /// s.set_use_fd(listener.into_raw_fd())?;
                /// s.bind("tcp://127.0.0.1:*")?;
                /// assert_eq!(s.last_endpoint()?, format!("tcp://127.0.0.1:{port}"));
                /// # Ok::<(), Box<dyn std::error::Error>>(())
                /// ```
                "ZMQ_USE_FD" USE_FD = 89, Int, any,
                    use_fd: i32 = (-1), check at_least_minus_one, number int,
                    set_use_fd(i32), get(use_fd -> i32), example Pull (-1), rejects (-2);
                /// Sets `FERROMQ_MAXMSGPARTS` (a ferromq extension, not in libzmq; its number is
                /// far above libzmq's option range): the most frames an incoming message may
                /// have (≥ 1, or -1 for no limit as in libzmq; default 65536). A peer that sends
                /// a longer message loses its connection, as with MAXMSGSIZE. Applies to later
                /// connections.
                "FERROMQ_MAXMSGPARTS" MAXMSGPARTS = 0x4652_0001, Int, any,
                    maxmsgparts: i32 = 65_536, check msg_parts, number int,
                    set_maxmsgparts(i32), get(maxmsgparts -> i32), example Pull 16, rejects (0);
                /// Sets `FERROMQ_MAXMSGTOTALSIZE` (a ferromq extension, 64-bit): the most bytes
                /// all frames of an incoming message may carry together (MAXMSGSIZE caps one
                /// frame; ≥ 0, or -1 for no limit as in libzmq, the default). A peer that sends
                /// a larger message loses its connection. Applies to later connections.
                "FERROMQ_MAXMSGTOTALSIZE" MAXMSGTOTALSIZE = 0x4652_0002, Int64, any,
                    maxmsgtotalsize: i64 = (-1), check at_least_minus_one_64, number int64,
                    set_maxmsgtotalsize(i64), get(maxmsgtotalsize -> i64),
                    example Pull (1 << 20), rejects (-2);
                /// Sets `ZMQ_ROUTING_ID` (alias `ZMQ_IDENTITY`): the id this socket announces to
                /// its peers, which a ROUTER peer uses to address it: 1 to 255 bytes (EINVAL
                /// otherwise; a leading zero byte is allowed, as in libzmq, though ROUTERs
                /// generate such ids for anonymous peers). Empty until set. Applies to later
                /// connections.
                "ZMQ_ROUTING_ID" ROUTING_ID = 5, Bytes, any,
                    routing_id: Bytes = (Bytes::new()), check routing_id, number bytes,
                    set_routing_id(&[u8]), get(routing_id -> Vec<u8>),
                    example Dealer b"worker-1", rejects (b"");
                /// Sets `ZMQ_PROBE_ROUTER`: send an empty message to every peer as soon as it
                /// connects, so a ROUTER on the other side learns this socket's routing id
                /// without waiting for a first request.
                ///
                /// ```
                /// use ferromq::{Context, SocketType};
                /// let ctx = Context::new();
                /// let mut router = ctx.socket(SocketType::Router)?;
                /// router.bind("inproc://probe")?;
                /// let mut dealer = ctx.socket(SocketType::Dealer)?;
                /// dealer.set_routing_id(b"D")?;
                /// dealer.set_probe_router(true)?;
                /// dealer.connect("inproc://probe")?;
                /// let probe = router.recv_multipart(0)?;
                /// assert_eq!(&probe[0][..], b"D");
                /// assert!(probe[1].is_empty());
                /// # Ok::<(), ferromq::Error>(())
                /// ```
                "ZMQ_PROBE_ROUTER" PROBE_ROUTER = 51, Int, [Req, Rep, Dealer, Router],
                    probe_router: bool = false, check any, number relaxed_bool,
                    set_probe_router(bool), get(-), example Dealer true, rejects (-);
                /// Sets `ZMQ_STREAM_NOTIFY` (default on): a STREAM socket receives
                /// `[routing id, ""]` when a connection opens and again when it closes. Applies
                /// to later connections.
                "ZMQ_STREAM_NOTIFY" STREAM_NOTIFY = 73, Int, [Stream],
                    stream_notify: bool = true, check any, number strict_bool,
                    set_stream_notify(bool), get(-), example Stream false, rejects (-);
                /// Sets `ZMQ_XPUB_WELCOME_MSG`: a message the PUB/XPUB sends to every new
                /// subscriber as soon as it connects (empty removes it). The subscriber must
                /// subscribe to it to see it.
                ///
                /// ```
                /// use ferromq::{Context, SocketType};
                /// let ctx = Context::new();
                /// let mut xpub = ctx.socket(SocketType::Xpub)?;
                /// xpub.set_xpub_welcome_msg(b"W")?;
                /// xpub.bind("inproc://welcome")?;
                /// let mut sub = ctx.socket(SocketType::Sub)?;
                /// sub.set_subscribe(b"W")?;
                /// sub.connect("inproc://welcome")?;
                /// // The XPUB meets the new pipe (and greets it) when it next runs: here, in recv.
                /// assert_eq!(&xpub.recv(0)?[..], b"\x01W");
                /// assert_eq!(&sub.recv(0)?[..], b"W");
                /// # Ok::<(), ferromq::Error>(())
                /// ```
                "ZMQ_XPUB_WELCOME_MSG" XPUB_WELCOME_MSG = 72, Bytes, [Pub, Xpub],
                    welcome_msg: Bytes = (Bytes::new()), check any_bytes, number bytes,
                    set_xpub_welcome_msg(&[u8]), get(-), example Xpub b"W", rejects (-);
                /// Sets `ZMQ_BINDTODEVICE`: later listeners and connections are bound to this
                /// network interface (SO_BINDTODEVICE), up to 16 bytes; empty (the default)
                /// removes it. The kernel decides when the socket is made: `bind` fails with
                /// EPERM without CAP_NET_RAW, ENODEV for an unknown interface.
                ///
                /// ```
                /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
                /// s.set_bindtodevice(b"no-such-if0")?;
                /// assert!(s.bind("tcp://127.0.0.1:*").is_err()); // ENODEV, or EPERM unprivileged
                /// # Ok::<(), ferromq::Error>(())
                /// ```
                "ZMQ_BINDTODEVICE" BINDTODEVICE = 92, StrictStr, any,
                    bind_device: Bytes = (Bytes::new()), check ifname, number bytes,
                    set_bindtodevice(&[u8]), get(bindtodevice -> Vec<u8>),
                    example Pull b"eth0", rejects (&[b'x'; 17]);
                /// Sets `ZMQ_SOCKS_PROXY`: later `tcp://` connects go through this SOCKS5 proxy
                /// (`host:port`); empty (the default) turns it off.
                "ZMQ_SOCKS_PROXY" SOCKS_PROXY = 68, StrictStr, any,
                    socks_proxy: Bytes = (Bytes::new()), check any_bytes, number bytes,
                    set_socks_proxy(&[u8]), get(socks_proxy -> Vec<u8>),
                    example Dealer b"127.0.0.1:1080", rejects (-);
                /// Sets `ZMQ_SOCKS_USERNAME` (a DRAFT number of libzmq 4.3 that every build
                /// answers; up to 255 bytes; empty, the default, = no authentication): with
                /// it, the SOCKS5 client offers username/password authentication (RFC 1929).
                "ZMQ_SOCKS_USERNAME" [draft] SOCKS_USERNAME = 99, Str, any,
                    socks_username: Bytes = (Bytes::new()), check short_bytes, number bytes,
                    set_socks_username(&[u8]), get(socks_username -> Vec<u8>),
                    example Dealer b"user", rejects (&[b'x'; 256]);
                /// Sets `ZMQ_SOCKS_PASSWORD` (DRAFT number, up to 255 bytes); see
                /// [`Socket::set_socks_username`].
                "ZMQ_SOCKS_PASSWORD" [draft] SOCKS_PASSWORD = 100, Str, any,
                    socks_password: Bytes = (Bytes::new()), check short_bytes, number bytes,
                    set_socks_password(&[u8]), get(socks_password -> Vec<u8>),
                    example Dealer b"secret", rejects (&[b'x'; 256]);
                /// Sets `ZMQ_ZAP_DOMAIN`: the authentication domain sent to a ZAP handler, 1 to
                /// 255 bytes (EINVAL otherwise, as in libzmq; empty until set). Kept for the
                /// security mechanisms; with it, NULL security consults ZAP too (libzmq 4.3).
                "ZMQ_ZAP_DOMAIN" ZAP_DOMAIN = 55, Str, any,
                    zap_domain: Bytes = (Bytes::new()), check routing_id, number bytes,
                    set_zap_domain(&[u8]), get(zap_domain -> Vec<u8>),
                    example Router b"global", rejects (b"");
                /// Sets `ZMQ_ZAP_ENFORCE_DOMAIN` (a DRAFT constant that libzmq 4.3 answers in
                /// every build; default false): with a ZAP_DOMAIN set, a missing ZAP handler
                /// refuses peers instead of letting them in.
                "ZMQ_ZAP_ENFORCE_DOMAIN" [draft] ZAP_ENFORCE_DOMAIN = 93, Int, any,
                    zap_enforce_domain: bool = false, check any, number nonzero_bool,
                    set_zap_enforce_domain(bool), get(zap_enforce_domain -> bool),
                    example Router true, rejects (-);
                /// Sets `ZMQ_AFFINITY` (64-bit), the I/O thread bit mask for later connections
                /// (default 0). ferromq keeps it for libzmq compatibility; connections use the
                /// context's I/O threads. By number, the mask travels as the bits of an
                /// `int64_t`.
                "ZMQ_AFFINITY" AFFINITY = 4, Int64, any,
                    affinity: u64 = 0, check any, number mask_bits,
                    set_affinity(u64), get(affinity -> u64), example Dealer 3, rejects (-);
                /// Sets `ZMQ_RATE` in kbit/s (PGM multicast, which ferromq lacks: stored and
                /// reported; default 100). EINVAL unless > 0.
                "ZMQ_RATE" RATE = 8, Int, any,
                    rate: i32 = 100, check positive, number int,
                    set_rate(i32), get(rate -> i32), example Pub 1000, rejects (0);
                /// Sets `ZMQ_RECOVERY_IVL` in ms (PGM multicast: stored and reported; default
                /// 10000). EINVAL if negative.
                "ZMQ_RECOVERY_IVL" RECOVERY_IVL = 9, Int, any,
                    recovery_ivl: i32 = 10_000, check non_negative, number int,
                    set_recovery_ivl(i32), get(recovery_ivl -> i32), example Pub 0, rejects (-1);
                /// Sets `ZMQ_MULTICAST_HOPS` (multicast TTL: stored and reported; default 1).
                /// EINVAL unless > 0.
                "ZMQ_MULTICAST_HOPS" MULTICAST_HOPS = 25, Int, any,
                    multicast_hops: i32 = 1, check positive, number int,
                    set_multicast_hops(i32), get(multicast_hops -> i32), example Pub 8, rejects (0);
                /// Sets `ZMQ_MULTICAST_MAXTPDU` in bytes (multicast: stored and reported;
                /// default 1500). EINVAL unless > 0.
                "ZMQ_MULTICAST_MAXTPDU" MULTICAST_MAXTPDU = 84, Int, any,
                    multicast_maxtpdu: i32 = 1500, check positive, number int,
                    set_multicast_maxtpdu(i32), get(multicast_maxtpdu -> i32),
                    example Pub 9000, rejects (0);
                /// Sets `ZMQ_MULTICAST_LOOP` (multicast: stored and reported; default true).
                "ZMQ_MULTICAST_LOOP" [draft] MULTICAST_LOOP = 96, Int, any,
                    multicast_loop: bool = true, check any, number nonzero_bool,
                    set_multicast_loop(bool), get(multicast_loop -> bool),
                    example Pub false, rejects (-);
                /// Sets `ZMQ_LOOPBACK_FASTPATH` (a Windows loopback option in libzmq: stored and
                /// reported; default false).
                "ZMQ_LOOPBACK_FASTPATH" [draft] LOOPBACK_FASTPATH = 94, Int, any,
                    loopback_fastpath: bool = false, check any, number nonzero_bool,
                    set_loopback_fastpath(bool), get(loopback_fastpath -> bool),
                    example Pair true, rejects (-);
            }
            custom {
                /// `ZMQ_SNDHWM`: see [`Socket::set_sndhwm`](crate::Socket::set_sndhwm).
                "ZMQ_SNDHWM" SNDHWM = 23, Int, any,
                    set(|s, v| s.set_sndhwm(v)), get(|s| s.sndhwm());
                /// `ZMQ_RCVHWM`: see [`Socket::set_rcvhwm`](crate::Socket::set_rcvhwm).
                "ZMQ_RCVHWM" RCVHWM = 24, Int, any,
                    set(|s, v| s.set_rcvhwm(v)), get(|s| s.rcvhwm());
                /// `ZMQ_HEARTBEAT_TTL`: see
                /// [`Socket::set_heartbeat_ttl`](crate::Socket::set_heartbeat_ttl).
                "ZMQ_HEARTBEAT_TTL" HEARTBEAT_TTL = 76, Int, any,
                    set(|s, v| s.set_heartbeat_ttl(v)), get(|s| s.heartbeat_ttl());
                /// `ZMQ_SUBSCRIBE` (write-only; an XPUB takes it under XPUB_MANUAL): see
                /// [`Socket::set_subscribe`](crate::Socket::set_subscribe).
                "ZMQ_SUBSCRIBE" SUBSCRIBE = 6, Bytes, [Sub, Xpub],
                    set(|s, v| s.set_subscribe(v)), get(-);
                /// `ZMQ_UNSUBSCRIBE` (write-only; an XPUB takes it under XPUB_MANUAL).
                "ZMQ_UNSUBSCRIBE" UNSUBSCRIBE = 7, Bytes, [Sub, Xpub],
                    set(|s, v| s.set_unsubscribe(v)), get(-);
                /// `ZMQ_CONNECT_ROUTING_ID` (write-only; libzmq's REP is a ROUTER underneath
                /// and takes it too).
                "ZMQ_CONNECT_ROUTING_ID" CONNECT_ROUTING_ID = 61, Bytes, [Router, Rep, Stream],
                    set(|s, v| s.set_connect_routing_id(v)), get(-);
                /// `ZMQ_ROUTER_MANDATORY` (write-only).
                "ZMQ_ROUTER_MANDATORY" ROUTER_MANDATORY = 33, Int, [Router],
                    set(|s, v| s.set_router_mandatory(relaxed_bool(v)?)), get(-);
                /// `ZMQ_ROUTER_HANDOVER` (write-only).
                "ZMQ_ROUTER_HANDOVER" ROUTER_HANDOVER = 56, Int, [Router],
                    set(|s, v| s.set_router_handover(relaxed_bool(v)?)), get(-);
                /// `ZMQ_REQ_CORRELATE` (write-only).
                "ZMQ_REQ_CORRELATE" REQ_CORRELATE = 52, Int, [Req],
                    set(|s, v| s.set_req_correlate(relaxed_bool(v)?)), get(-);
                /// `ZMQ_REQ_RELAXED` (write-only).
                "ZMQ_REQ_RELAXED" REQ_RELAXED = 53, Int, [Req],
                    set(|s, v| s.set_req_relaxed(relaxed_bool(v)?)), get(-);
                /// `ZMQ_XPUB_VERBOSE` (write-only).
                "ZMQ_XPUB_VERBOSE" XPUB_VERBOSE = 40, Int, [Pub, Xpub],
                    set(|s, v| s.set_xpub_verbose(relaxed_bool(v)?)), get(-);
                /// `ZMQ_XPUB_VERBOSER` (write-only).
                "ZMQ_XPUB_VERBOSER" XPUB_VERBOSER = 78, Int, [Pub, Xpub],
                    set(|s, v| s.set_xpub_verboser(relaxed_bool(v)?)), get(-);
                /// `ZMQ_XPUB_NODROP` (write-only).
                "ZMQ_XPUB_NODROP" XPUB_NODROP = 69, Int, [Pub, Xpub],
                    set(|s, v| s.set_xpub_nodrop(relaxed_bool(v)?)), get(-);
                /// `ZMQ_XPUB_MANUAL` (write-only).
                "ZMQ_XPUB_MANUAL" XPUB_MANUAL = 71, Int, [Pub, Xpub],
                    set(|s, v| s.set_xpub_manual(relaxed_bool(v)?)), get(-);
                /// `ZMQ_XPUB_MANUAL_LAST_VALUE` (DRAFT; write-only).
                "ZMQ_XPUB_MANUAL_LAST_VALUE" [draft] XPUB_MANUAL_LAST_VALUE = 98, Int, [Pub, Xpub],
                    set(|s, v| s.set_xpub_manual_last_value(relaxed_bool(v)?)), get(-);
                /// `ZMQ_INVERT_MATCHING` (PUB, XPUB, SUB act on it; others store it).
                "ZMQ_INVERT_MATCHING" INVERT_MATCHING = 74, Int, any,
                    set(|s, v| s.set_invert_matching(v != 0)), get(|s| s.invert_matching());
                /// `ZMQ_IPV4ONLY` (deprecated inverse of `ZMQ_IPV6`).
                "ZMQ_IPV4ONLY" IPV4ONLY = 31, Int, any,
                    set(|s, v| s.set_ipv6(!strict_bool(v)?)), get(|s| s.ipv6().map(|v| !v));
                /// `ZMQ_TCP_ACCEPT_FILTER` (write-only; bytes: `address[/bits]`, empty clears).
                "ZMQ_TCP_ACCEPT_FILTER" TCP_ACCEPT_FILTER = 38, StrictStr, any,
                    set(|s, v| if v.is_empty() {
                        s.clear_tcp_accept_filters()
                    } else {
                        s.add_tcp_accept_filter(std::str::from_utf8(v).map_err(|_| Error::Invalid)?)
                    }), get(-);
                /// `ZMQ_IPC_FILTER_PID` (write-only; NULL clears the set).
                "ZMQ_IPC_FILTER_PID" IPC_FILTER_PID = 58, IntOrNull, any,
                    set(|s, v| match v {
                        Some(pid) => s.add_ipc_filter_pid(pid),
                        None => {
                            s.opts.ipc_filters.pids.clear();
                            Ok(())
                        }
                    }), get(-);
                /// `ZMQ_IPC_FILTER_UID` (write-only; NULL clears the set).
                "ZMQ_IPC_FILTER_UID" IPC_FILTER_UID = 59, IntOrNull, any,
                    set(|s, v| match v {
                        Some(uid) => s.add_ipc_filter_uid(u32::from_ne_bytes(uid.to_ne_bytes())),
                        None => {
                            s.opts.ipc_filters.uids.clear();
                            Ok(())
                        }
                    }), get(-);
                /// `ZMQ_IPC_FILTER_GID` (write-only; NULL clears the set).
                "ZMQ_IPC_FILTER_GID" IPC_FILTER_GID = 60, IntOrNull, any,
                    set(|s, v| match v {
                        Some(gid) => s.add_ipc_filter_gid(u32::from_ne_bytes(gid.to_ne_bytes())),
                        None => {
                            s.opts.ipc_filters.gids.clear();
                            Ok(())
                        }
                    }), get(-);
                /// `ZMQ_PLAIN_SERVER`: see
                /// [`Socket::set_plain_server`](crate::Socket::set_plain_server).
                "ZMQ_PLAIN_SERVER" PLAIN_SERVER = 44, Int, any,
                    set(|s, v| s.set_plain_server(strict_bool(v)?)), get(|s| s.plain_server());
                /// `ZMQ_PLAIN_USERNAME`: see
                /// [`Socket::set_plain_username`](crate::Socket::set_plain_username).
                "ZMQ_PLAIN_USERNAME" PLAIN_USERNAME = 45, StrictStr, any,
                    set(|s, v| s.set_plain_username(v)), get(|s| s.plain_username());
                /// `ZMQ_PLAIN_PASSWORD`: see
                /// [`Socket::set_plain_password`](crate::Socket::set_plain_password).
                "ZMQ_PLAIN_PASSWORD" PLAIN_PASSWORD = 46, StrictStr, any,
                    set(|s, v| s.set_plain_password(v)), get(|s| s.plain_password());
                /// `ZMQ_CURVE_SERVER`: see
                /// [`Socket::set_curve_server`](crate::Socket::set_curve_server).
                "ZMQ_CURVE_SERVER" CURVE_SERVER = 47, Int, any,
                    set(|s, v| s.set_curve_server(strict_bool(v)?)), get(|s| s.curve_server());
                /// `ZMQ_CURVE_PUBLICKEY` (by number: the 32 raw bytes; C reads Z85 with a
                /// 41-byte buffer): see
                /// [`Socket::set_curve_publickey`](crate::Socket::set_curve_publickey).
                "ZMQ_CURVE_PUBLICKEY" CURVE_PUBLICKEY = 48, Bytes, any,
                    set(|s, v| s.set_curve_publickey(v)),
                    get(|s| s.curve_publickey().map(|k| k.to_vec()));
                /// `ZMQ_CURVE_SECRETKEY`: see
                /// [`Socket::set_curve_secretkey`](crate::Socket::set_curve_secretkey).
                "ZMQ_CURVE_SECRETKEY" CURVE_SECRETKEY = 49, Bytes, any,
                    set(|s, v| s.set_curve_secretkey(v)),
                    get(|s| s.curve_secretkey().map(|k| k.to_vec()));
                /// `ZMQ_CURVE_SERVERKEY`: see
                /// [`Socket::set_curve_serverkey`](crate::Socket::set_curve_serverkey).
                "ZMQ_CURVE_SERVERKEY" CURVE_SERVERKEY = 50, Bytes, any,
                    set(|s, v| s.set_curve_serverkey(v)),
                    get(|s| s.curve_serverkey().map(|k| k.to_vec()));
                /// `ZMQ_MECHANISM` (read-only: 0 = NULL, 1 = PLAIN, 2 = CURVE).
                "ZMQ_MECHANISM" MECHANISM = 43, Int, any,
                    set(-), get(|s| Ok(s.opts.security.mechanism as i32));
                /// `ZMQ_TYPE` (read-only): the socket type's number.
                "ZMQ_TYPE" TYPE = 16, Int, any,
                    set(-), get(|s| Ok(s.ty as i32));
                /// `ZMQ_RCVMORE` (read-only): see
                /// [`Socket::get_rcvmore`](crate::Socket::get_rcvmore).
                "ZMQ_RCVMORE" RCVMORE = 13, Int, any,
                    set(-), get(|s| s.get_rcvmore());
                /// `ZMQ_FD` (read-only): see [`Socket::fd`](crate::Socket::fd).
                "ZMQ_FD" FD = 14, Int, any,
                    set(-), get(|s| s.fd());
                /// `ZMQ_EVENTS` (read-only): see [`Socket::events`](crate::Socket::events).
                "ZMQ_EVENTS" EVENTS = 15, Int, any,
                    set(-), get(|s| s.events().map(i32::from));
                /// `ZMQ_LAST_ENDPOINT` (read-only): see
                /// [`Socket::last_endpoint`](crate::Socket::last_endpoint).
                "ZMQ_LAST_ENDPOINT" LAST_ENDPOINT = 32, Str, any,
                    set(-), get(|s| s.last_endpoint());
                /// `ZMQ_THREAD_SAFE` (read-only; always 0: sockets are used from one thread at
                /// a time).
                "ZMQ_THREAD_SAFE" THREAD_SAFE = 81, Int, any,
                    set(-), get(|_s| Ok(0_i32));
            }
            state {
                /// SNDHWM (0 = unlimited; applies to existing pipes too).
                sndhwm: i32 = 1000;
                /// RCVHWM (0 = unlimited; applies to existing pipes too).
                rcvhwm: i32 = 1000;
                /// HEARTBEAT_TTL in deciseconds, as it goes on the wire.
                heartbeat_ttl: u16 = 0;
                /// XPUB_VERBOSE as last set (XPUB_VERBOSER sets both halves).
                xpub_verbose: bool = false;
                /// XPUB_VERBOSER as last set.
                xpub_verboser: bool = false;
                /// INVERT_MATCHING (PUB, XPUB, SUB, XSUB use it).
                invert_matching: bool = false;
                /// CONNECT_ROUTING_ID for the next connect only.
                connect_routing_id: Option<Bytes> = None;
                /// TCP_ACCEPT_FILTER: accepted TCP peers must match one mask (empty = all).
                tcp_accept_filters: Vec<IpMask> = Vec::new();
                /// IPC_FILTER_UID/GID/PID: accepted ipc peers must match (each empty = any).
                ipc_filters: IpcFilters = IpcFilters::default();
                /// The PLAIN and CURVE options as libzmq keeps them: the mechanism they select
                /// (MECHANISM reads it), the server role, the credentials and keys.
                security: SecurityOptions = SecurityOptions::default();
            }
        }
    };
}

pub(crate) use option_table;
