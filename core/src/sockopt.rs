//! Socket options by libzmq number, for code that works with option numbers
//! (`zmq_setsockopt`/`zmq_getsockopt`, pyzmq's `setsockopt`): see
//! [`Socket::set_option`](crate::Socket::set_option) and
//! [`Socket::get_option`](crate::Socket::get_option).

/// `ZMQ_ROUTING_ID` (alias `ZMQ_IDENTITY`).
pub const ROUTING_ID: i32 = 5;
/// `ZMQ_SUBSCRIBE`.
pub const SUBSCRIBE: i32 = 6;
/// `ZMQ_UNSUBSCRIBE`.
pub const UNSUBSCRIBE: i32 = 7;
/// `ZMQ_SNDBUF`.
pub const SNDBUF: i32 = 11;
/// `ZMQ_RCVBUF`.
pub const RCVBUF: i32 = 12;
/// `ZMQ_RCVMORE`.
pub const RCVMORE: i32 = 13;
/// `ZMQ_FD`.
pub const FD: i32 = 14;
/// `ZMQ_EVENTS`.
pub const EVENTS: i32 = 15;
/// `ZMQ_TYPE`.
pub const TYPE: i32 = 16;
/// `ZMQ_LINGER`.
pub const LINGER: i32 = 17;
/// `ZMQ_RECONNECT_IVL`.
pub const RECONNECT_IVL: i32 = 18;
/// `ZMQ_BACKLOG`.
pub const BACKLOG: i32 = 19;
/// `ZMQ_RECONNECT_IVL_MAX`.
pub const RECONNECT_IVL_MAX: i32 = 21;
/// `ZMQ_MAXMSGSIZE` (64-bit).
pub const MAXMSGSIZE: i32 = 22;
/// `ZMQ_SNDHWM`.
pub const SNDHWM: i32 = 23;
/// `FERROMQ_MAXMSGPARTS` (ferromq extension, not in libzmq): the most frames an incoming
/// message may have; a peer that sends more loses its connection, as with MAXMSGSIZE.
/// Default 65536; -1 = no limit (libzmq's behaviour). The number is far above libzmq's
/// option range, so libzmq will never give it another meaning.
pub const MAXMSGPARTS: i32 = 0x4652_0001;
/// `FERROMQ_MAXMSGTOTALSIZE` (ferromq extension, 64-bit): the most bytes all frames of an
/// incoming message may carry together (MAXMSGSIZE caps one frame). Default -1 = no limit.
pub const MAXMSGTOTALSIZE: i32 = 0x4652_0002;
/// `ZMQ_RCVHWM`.
pub const RCVHWM: i32 = 24;
/// `ZMQ_RCVTIMEO`.
pub const RCVTIMEO: i32 = 27;
/// `ZMQ_SNDTIMEO`.
pub const SNDTIMEO: i32 = 28;
/// `ZMQ_LAST_ENDPOINT`.
pub const LAST_ENDPOINT: i32 = 32;
/// `ZMQ_ROUTER_MANDATORY`.
pub const ROUTER_MANDATORY: i32 = 33;
/// `ZMQ_TCP_KEEPALIVE`.
pub const TCP_KEEPALIVE: i32 = 34;
/// `ZMQ_TCP_KEEPALIVE_CNT`.
pub const TCP_KEEPALIVE_CNT: i32 = 35;
/// `ZMQ_TCP_KEEPALIVE_IDLE`.
pub const TCP_KEEPALIVE_IDLE: i32 = 36;
/// `ZMQ_TCP_KEEPALIVE_INTVL`.
pub const TCP_KEEPALIVE_INTVL: i32 = 37;
/// `ZMQ_IMMEDIATE`.
pub const IMMEDIATE: i32 = 39;
/// `ZMQ_XPUB_VERBOSE`.
pub const XPUB_VERBOSE: i32 = 40;
/// `ZMQ_IPV6`.
pub const IPV6: i32 = 42;
/// `ZMQ_MECHANISM` (read-only: 0 = NULL, 1 = PLAIN once selected, which cannot connect yet).
pub const MECHANISM: i32 = 43;
/// `ZMQ_REQ_CORRELATE`.
pub const REQ_CORRELATE: i32 = 52;
/// `ZMQ_REQ_RELAXED`.
pub const REQ_RELAXED: i32 = 53;
/// `ZMQ_CONFLATE`.
pub const CONFLATE: i32 = 54;
/// `ZMQ_ROUTER_HANDOVER`.
pub const ROUTER_HANDOVER: i32 = 56;
/// `ZMQ_CONNECT_ROUTING_ID`.
pub const CONNECT_ROUTING_ID: i32 = 61;
/// `ZMQ_HANDSHAKE_IVL`.
pub const HANDSHAKE_IVL: i32 = 66;
/// `ZMQ_STREAM_NOTIFY` (STREAM only, write-only).
pub const STREAM_NOTIFY: i32 = 73;
/// `ZMQ_HEARTBEAT_IVL`.
pub const HEARTBEAT_IVL: i32 = 75;
/// `ZMQ_HEARTBEAT_TTL`.
pub const HEARTBEAT_TTL: i32 = 76;
/// `ZMQ_HEARTBEAT_TIMEOUT`.
pub const HEARTBEAT_TIMEOUT: i32 = 77;
/// `ZMQ_XPUB_VERBOSER`.
pub const XPUB_VERBOSER: i32 = 78;
/// `ZMQ_CONNECT_TIMEOUT`.
pub const CONNECT_TIMEOUT: i32 = 79;
/// `ZMQ_THREAD_SAFE` (always 0: sockets are used from one thread at a time).
pub const THREAD_SAFE: i32 = 81;

/// `ZMQ_AFFINITY` (64-bit; stored, as ferromq's I/O threads serve every socket).
pub const AFFINITY: i32 = 4;
/// `ZMQ_RATE` (PGM multicast, which ferromq lacks: stored and reported).
pub const RATE: i32 = 8;
/// `ZMQ_RECOVERY_IVL` (PGM multicast: stored and reported).
pub const RECOVERY_IVL: i32 = 9;
/// `ZMQ_MULTICAST_HOPS` (multicast: stored and reported).
pub const MULTICAST_HOPS: i32 = 25;
/// `ZMQ_IPV4ONLY` (deprecated inverse of `ZMQ_IPV6`).
pub const IPV4ONLY: i32 = 31;
/// `ZMQ_TCP_ACCEPT_FILTER` (write-only; bytes: `address[/bits]`, empty clears).
pub const TCP_ACCEPT_FILTER: i32 = 38;
/// `ZMQ_PLAIN_SERVER` (readable; only 0 may be set until PLAIN exists).
pub const PLAIN_SERVER: i32 = 44;
/// `ZMQ_PLAIN_USERNAME` (readable; only clearing it may be set until PLAIN exists).
pub const PLAIN_USERNAME: i32 = 45;
/// `ZMQ_PLAIN_PASSWORD` (readable; only clearing it may be set until PLAIN exists).
pub const PLAIN_PASSWORD: i32 = 46;
/// `ZMQ_PROBE_ROUTER` (write-only; REQ, REP, DEALER, ROUTER).
pub const PROBE_ROUTER: i32 = 51;
/// `ZMQ_ZAP_DOMAIN`.
pub const ZAP_DOMAIN: i32 = 55;
/// `ZMQ_TOS`.
pub const TOS: i32 = 57;
/// `ZMQ_IPC_FILTER_PID` (write-only).
pub const IPC_FILTER_PID: i32 = 58;
/// `ZMQ_IPC_FILTER_UID` (write-only).
pub const IPC_FILTER_UID: i32 = 59;
/// `ZMQ_IPC_FILTER_GID` (write-only).
pub const IPC_FILTER_GID: i32 = 60;
/// `ZMQ_SOCKS_PROXY`.
pub const SOCKS_PROXY: i32 = 68;
/// `ZMQ_XPUB_NODROP` (write-only; PUB, XPUB).
pub const XPUB_NODROP: i32 = 69;
/// `ZMQ_XPUB_MANUAL` (write-only; PUB, XPUB).
pub const XPUB_MANUAL: i32 = 71;
/// `ZMQ_XPUB_WELCOME_MSG` (write-only; PUB, XPUB).
pub const XPUB_WELCOME_MSG: i32 = 72;
/// `ZMQ_INVERT_MATCHING`.
pub const INVERT_MATCHING: i32 = 74;
/// `ZMQ_TCP_MAXRT` (TCP_USER_TIMEOUT on Linux).
pub const TCP_MAXRT: i32 = 80;
/// `ZMQ_MULTICAST_MAXTPDU` (multicast: stored and reported).
pub const MULTICAST_MAXTPDU: i32 = 84;
/// `ZMQ_USE_FD`.
pub const USE_FD: i32 = 89;
/// `ZMQ_BINDTODEVICE`.
pub const BINDTODEVICE: i32 = 92;
/// `ZMQ_ZAP_ENFORCE_DOMAIN` (a DRAFT constant that libzmq 4.3 answers in every build).
pub const ZAP_ENFORCE_DOMAIN: i32 = 93;
/// `ZMQ_LOOPBACK_FASTPATH` (Windows-only in libzmq; stored and reported).
pub const LOOPBACK_FASTPATH: i32 = 94;
/// `ZMQ_MULTICAST_LOOP` (multicast: stored and reported).
pub const MULTICAST_LOOP: i32 = 96;
/// `ZMQ_XPUB_MANUAL_LAST_VALUE` (DRAFT; write-only; PUB, XPUB).
pub const XPUB_MANUAL_LAST_VALUE: i32 = 98;
/// `ZMQ_SOCKS_USERNAME` (DRAFT in libzmq 4.3's header, answered by every build).
pub const SOCKS_USERNAME: i32 = 99;
/// `ZMQ_SOCKS_PASSWORD` (DRAFT in libzmq 4.3's header, answered by every build).
pub const SOCKS_PASSWORD: i32 = 100;

/// How an option's value is represented (`int`, `int64_t`, or a byte string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionType {
    /// A C `int`.
    Int,
    /// A C `int64_t`.
    Int64,
    /// Bytes (routing ids, topics, endpoints).
    Bytes,
}

/// The value of an option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionValue {
    /// For [`OptionType::Int`] options.
    Int(i32),
    /// For [`OptionType::Int64`] options.
    Int64(i64),
    /// For [`OptionType::Bytes`] options.
    Bytes(Vec<u8>),
}

/// The representation of option `option`, `None` if ferromq does not know it.
///
/// ```
/// use ferromq::sockopt::{option_type, OptionType, LINGER, MAXMSGSIZE, ROUTING_ID};
/// assert_eq!(option_type(LINGER), Some(OptionType::Int));
/// assert_eq!(option_type(MAXMSGSIZE), Some(OptionType::Int64));
/// assert_eq!(option_type(ROUTING_ID), Some(OptionType::Bytes));
/// assert_eq!(option_type(47), None); // ZMQ_CURVE_SERVER: no CURVE in this build
/// ```
pub fn option_type(option: i32) -> Option<OptionType> {
    Some(match option {
        MAXMSGSIZE | MAXMSGTOTALSIZE | AFFINITY => OptionType::Int64,
        ROUTING_ID | SUBSCRIBE | UNSUBSCRIBE | LAST_ENDPOINT | CONNECT_ROUTING_ID
        | TCP_ACCEPT_FILTER | PLAIN_USERNAME | PLAIN_PASSWORD | ZAP_DOMAIN | SOCKS_PROXY
        | XPUB_WELCOME_MSG | BINDTODEVICE | SOCKS_USERNAME | SOCKS_PASSWORD => OptionType::Bytes,
        RATE
        | RECOVERY_IVL
        | MULTICAST_HOPS
        | IPV4ONLY
        | PLAIN_SERVER
        | PROBE_ROUTER
        | TOS
        | IPC_FILTER_PID
        | IPC_FILTER_UID
        | IPC_FILTER_GID
        | XPUB_NODROP
        | XPUB_MANUAL
        | INVERT_MATCHING
        | TCP_MAXRT
        | MULTICAST_MAXTPDU
        | USE_FD
        | ZAP_ENFORCE_DOMAIN
        | LOOPBACK_FASTPATH
        | MULTICAST_LOOP
        | XPUB_MANUAL_LAST_VALUE => OptionType::Int,
        SNDBUF | RCVBUF | RCVMORE | FD | EVENTS | TYPE | LINGER | RECONNECT_IVL | BACKLOG
        | RECONNECT_IVL_MAX | SNDHWM | RCVHWM | RCVTIMEO | SNDTIMEO | ROUTER_MANDATORY
        | TCP_KEEPALIVE | TCP_KEEPALIVE_CNT | TCP_KEEPALIVE_IDLE | TCP_KEEPALIVE_INTVL
        | IMMEDIATE | XPUB_VERBOSE | IPV6 | MECHANISM | REQ_CORRELATE | REQ_RELAXED | CONFLATE
        | ROUTER_HANDOVER | HANDSHAKE_IVL | HEARTBEAT_IVL | HEARTBEAT_TTL | HEARTBEAT_TIMEOUT
        | XPUB_VERBOSER | CONNECT_TIMEOUT | THREAD_SAFE | MAXMSGPARTS | STREAM_NOTIFY => {
            OptionType::Int
        }
        _ => return None,
    })
}

/// Whether `zmq_getsockopt` returns option `option` as a C string (NUL-terminated, the NUL
/// counted in the length), as libzmq does for its string options.
///
/// ```
/// use ferromq::sockopt::{is_string, LAST_ENDPOINT, ROUTING_ID};
/// assert!(is_string(LAST_ENDPOINT));
/// assert!(!is_string(ROUTING_ID)); // binary
/// ```
pub fn is_string(option: i32) -> bool {
    matches!(
        option,
        LAST_ENDPOINT
            | PLAIN_USERNAME
            | PLAIN_PASSWORD
            | ZAP_DOMAIN
            | SOCKS_PROXY
            | BINDTODEVICE
            | SOCKS_USERNAME
            | SOCKS_PASSWORD
    )
}
