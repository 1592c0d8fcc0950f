//! Socket options: libzmq's defaults and validation rules.
//!
//! Values are checked when they are set (EINVAL otherwise), so every option a socket holds
//! is one it honours. Most options, as in libzmq, take effect for later binds and connects;
//! `SNDHWM`/`RCVHWM` also apply to later messages on existing pipes, and `LINGER`, timeouts
//! and `MAXMSGSIZE` (for later connections) are read when they are needed.

use crate::error::{Error, Result};
use crate::proto::heartbeat::HeartbeatConfig;
use crate::transport::filter::{IpMask, IpcFilters};
use crate::transport::tcp::TcpConfig;
use crate::transport::tuning::StreamTuning;
use bytes::Bytes;
use std::time::Duration;

/// The options of one socket, with libzmq's defaults.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub sndhwm: i32,
    pub rcvhwm: i32,
    pub linger: i32,
    pub rcvtimeo: i32,
    pub sndtimeo: i32,
    pub maxmsgsize: i64,
    pub reconnect_ivl: i32,
    pub reconnect_ivl_max: i32,
    pub handshake_ivl: i32,
    pub backlog: i32,
    /// IMMEDIATE: connect-side pipes exist for the pattern only while connected.
    pub immediate: bool,
    /// CONFLATE: keep only the newest message per pipe.
    pub conflate: bool,
    pub xpub_verbose: bool,
    pub xpub_verboser: bool,
    pub routing_id: Bytes,
    /// CONNECT_ROUTING_ID for the next connect only.
    pub connect_routing_id: Option<Bytes>,
    pub heartbeat_ivl: i32,
    /// HEARTBEAT_TTL in deciseconds, as it goes on the wire.
    pub heartbeat_ttl: u16,
    /// -1 = use HEARTBEAT_IVL.
    pub heartbeat_timeout: i32,
    pub tcp_keepalive: i32,
    pub tcp_keepalive_cnt: i32,
    pub tcp_keepalive_idle: i32,
    pub tcp_keepalive_intvl: i32,
    pub sndbuf: i32,
    pub rcvbuf: i32,
    pub connect_timeout: i32,
    pub ipv6: bool,
    /// FERROMQ_MAXMSGPARTS (-1 = unlimited).
    pub maxmsgparts: i32,
    /// FERROMQ_MAXMSGTOTALSIZE (-1 = unlimited).
    pub maxmsgtotalsize: i64,
    /// STREAM_NOTIFY: a STREAM socket receives an empty frame when a connection opens
    /// and when it closes.
    pub stream_notify: bool,
    /// TOS: IP_TOS / IPV6_TCLASS of later connections and listeners.
    pub tos: i32,
    /// TCP_MAXRT: TCP_USER_TIMEOUT in ms (0 = the OS default).
    pub tcp_maxrt: i32,
    /// BINDTODEVICE: SO_BINDTODEVICE interface name (empty = none).
    pub bind_device: Bytes,
    /// USE_FD: a listening descriptor the next binds adopt (-1 = none).
    pub use_fd: i32,
    /// TCP_ACCEPT_FILTER: accepted TCP peers must match one mask (empty = all).
    pub tcp_accept_filters: Vec<IpMask>,
    /// IPC_FILTER_UID/GID/PID: accepted ipc peers must match (each empty = any).
    pub ipc_filters: IpcFilters,
    /// INVERT_MATCHING (PUB, XPUB, SUB, XSUB use it).
    pub invert_matching: bool,
    /// PROBE_ROUTER: send an empty message on every new pipe (REQ, REP, DEALER, ROUTER).
    pub probe_router: bool,
    /// XPUB_WELCOME_MSG: sent on every new pipe of a PUB/XPUB (empty = none).
    pub welcome_msg: Bytes,
    /// SOCKS_PROXY: `host:port` of a SOCKS5 proxy for later tcp connects.
    pub socks_proxy: Bytes,
    /// SOCKS_USERNAME / SOCKS_PASSWORD for the proxy (RFC 1929), empty = none.
    pub socks_username: Bytes,
    pub socks_password: Bytes,
    /// PLAIN_SERVER / PLAIN_USERNAME / PLAIN_PASSWORD as libzmq keeps them: the
    /// mechanism they select (MECHANISM reads it), the server role, the credentials.
    pub plain: PlainOptions,
    /// ZAP_DOMAIN and ZAP_ENFORCE_DOMAIN, kept for the security mechanisms.
    pub zap_domain: Bytes,
    pub zap_enforce_domain: bool,
    /// Options of transports ferromq does not have (PGM multicast), stored and
    /// reported like libzmq does: AFFINITY, RATE, RECOVERY_IVL, MULTICAST_HOPS,
    /// MULTICAST_MAXTPDU, MULTICAST_LOOP, LOOPBACK_FASTPATH (a Windows option).
    pub stored: StoredOptions,
}

/// The PLAIN settings (libzmq's `mechanism`, `as_server`, `plain_username/password`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PlainOptions {
    /// PLAIN was selected (MECHANISM reads 1); otherwise NULL (0).
    pub selected: bool,
    pub server: bool,
    pub username: Bytes,
    pub password: Bytes,
}

/// Options ferromq accepts and reports but that change nothing here (see
/// [`Options::stored`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredOptions {
    pub affinity: u64,
    pub rate: i32,
    pub recovery_ivl: i32,
    pub multicast_hops: i32,
    pub multicast_maxtpdu: i32,
    pub multicast_loop: bool,
    pub loopback_fastpath: bool,
}

impl Default for StoredOptions {
    fn default() -> StoredOptions {
        StoredOptions {
            affinity: 0,
            rate: 100,
            recovery_ivl: 10_000,
            multicast_hops: 1,
            multicast_maxtpdu: 1500,
            multicast_loop: true,
            loopback_fastpath: false,
        }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            sndhwm: 1000,
            rcvhwm: 1000,
            linger: -1,
            rcvtimeo: -1,
            sndtimeo: -1,
            maxmsgsize: -1,
            reconnect_ivl: 100,
            reconnect_ivl_max: 0,
            handshake_ivl: 30_000,
            backlog: 100,
            immediate: false,
            conflate: false,
            xpub_verbose: false,
            xpub_verboser: false,
            routing_id: Bytes::new(),
            connect_routing_id: None,
            heartbeat_ivl: 0,
            heartbeat_ttl: 0,
            heartbeat_timeout: -1,
            tcp_keepalive: -1,
            tcp_keepalive_cnt: -1,
            tcp_keepalive_idle: -1,
            tcp_keepalive_intvl: -1,
            sndbuf: -1,
            rcvbuf: -1,
            connect_timeout: 0,
            ipv6: false,
            maxmsgparts: 65_536,
            maxmsgtotalsize: -1,
            stream_notify: true,
            tos: 0,
            tcp_maxrt: 0,
            bind_device: Bytes::new(),
            use_fd: -1,
            tcp_accept_filters: Vec::new(),
            ipc_filters: IpcFilters::default(),
            invert_matching: false,
            probe_router: false,
            welcome_msg: Bytes::new(),
            socks_proxy: Bytes::new(),
            socks_username: Bytes::new(),
            socks_password: Bytes::new(),
            plain: PlainOptions::default(),
            zap_domain: Bytes::new(),
            zap_enforce_domain: false,
            stored: StoredOptions::default(),
        }
    }
}

/// Checks a routing id: 1 to 255 bytes, any bytes (libzmq accepts a leading 0 too; a
/// ROUTER treats an id that collides with one it generated like any duplicate).
pub(crate) fn routing_id(id: &[u8]) -> Result<Bytes> {
    if id.is_empty() || id.len() > 255 {
        return Err(Error::Invalid);
    }
    Ok(Bytes::copy_from_slice(id))
}

/// Checks a value that must be ≥ 0.
pub(crate) fn non_negative(v: i32) -> Result<i32> {
    if v < 0 {
        Err(Error::Invalid)
    } else {
        Ok(v)
    }
}

/// Checks a value that must be ≥ -1 (where -1 means "infinite" or "disabled").
pub(crate) fn at_least_minus_one(v: i32) -> Result<i32> {
    if v < -1 {
        Err(Error::Invalid)
    } else {
        Ok(v)
    }
}

/// Converts HEARTBEAT_TTL from ms to the deciseconds sent on the wire, truncating
/// towards zero as libzmq does (so -99..=99 mean 0); EINVAL beyond what 16 bits hold.
pub(crate) fn heartbeat_ttl(ms: i32) -> Result<u16> {
    u16::try_from(ms / 100).map_err(|_| Error::Invalid)
}

/// Checks TCP_KEEPALIVE: -1 (OS default), 0 (off) or 1 (on).
pub(crate) fn keepalive(v: i32) -> Result<i32> {
    if (-1..=1).contains(&v) {
        Ok(v)
    } else {
        Err(Error::Invalid)
    }
}

/// A millisecond option where a negative value means "no limit".
pub(crate) fn millis(v: i32) -> Option<Duration> {
    u64::try_from(v).ok().map(Duration::from_millis)
}

/// A high-water mark where 0 means "unlimited".
pub(crate) fn hwm(v: i32) -> usize {
    usize::try_from(v).unwrap_or(0)
}

impl Options {
    /// The per-frame byte limit for incoming frames: MAXMSGSIZE, or when that is -1
    /// ("unlimited"), the machine's physical memory. A peer declaring a frame that could
    /// never fit in memory is dropped at once, as libzmq drops it when its allocation
    /// fails, instead of being allowed to stream bytes into a frame that cannot complete.
    pub fn max_frame(&self) -> u64 {
        u64::try_from(self.maxmsgsize).unwrap_or_else(|_| physical_memory())
    }

    /// The heartbeat settings of later connections.
    pub fn heartbeat(&self) -> HeartbeatConfig {
        HeartbeatConfig::new(
            self.heartbeat_ivl,
            self.heartbeat_timeout,
            self.heartbeat_ttl,
        )
    }

    /// The TCP settings of later connections and listeners.
    pub fn tcp_config(&self) -> TcpConfig {
        TcpConfig {
            tuning: StreamTuning {
                sndbuf: self.sndbuf,
                rcvbuf: self.rcvbuf,
                keepalive: self.tcp_keepalive,
                keepalive_cnt: self.tcp_keepalive_cnt,
                keepalive_idle: self.tcp_keepalive_idle,
                keepalive_intvl: self.tcp_keepalive_intvl,
                tos: self.tos,
                maxrt: self.tcp_maxrt,
                bind_device: self.bind_device.clone(),
            },
            ipv6: self.ipv6,
            use_fd: self.use_fd,
            accept_filters: self.tcp_accept_filters.clone(),
            ipc_filters: self.ipc_filters.clone(),
        }
    }
}

/// Bytes of physical memory (or `u64::MAX` if unknown).
fn physical_memory() -> u64 {
    // SAFETY: sysconf only reads system configuration values; it takes no pointers.
    let (pages, page_size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    match (u64::try_from(pages), u64::try_from(page_size)) {
        (Ok(p), Ok(s)) if p > 0 && s > 0 => p.saturating_mul(s),
        _ => u64::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_libzmq() {
        let o = Options::default();
        assert_eq!((o.sndhwm, o.rcvhwm, o.linger), (1000, 1000, -1));
        assert_eq!((o.rcvtimeo, o.sndtimeo, o.maxmsgsize), (-1, -1, -1));
        assert_eq!((o.reconnect_ivl, o.reconnect_ivl_max), (100, 0));
        assert_eq!((o.handshake_ivl, o.backlog), (30_000, 100));
        assert_eq!(
            (o.heartbeat_ivl, o.heartbeat_ttl, o.heartbeat_timeout),
            (0, 0, -1)
        );
        assert_eq!((o.tcp_keepalive, o.tcp_keepalive_cnt), (-1, -1));
        assert_eq!((o.tcp_keepalive_idle, o.tcp_keepalive_intvl), (-1, -1));
        assert_eq!(
            (o.sndbuf, o.rcvbuf, o.connect_timeout, o.ipv6),
            (-1, -1, 0, false)
        );
        let mem = o.max_frame();
        assert!((1 << 26..1 << 44).contains(&mem), "physical memory {mem}");
    }

    #[test]
    fn validation() {
        assert_eq!(non_negative(-1), Err(Error::Invalid));
        assert_eq!(at_least_minus_one(-2), Err(Error::Invalid));
        assert_eq!(at_least_minus_one(-1), Ok(-1));
        assert_eq!(millis(-1), None);
        assert_eq!(millis(5), Some(Duration::from_millis(5)));
        assert_eq!(hwm(0), 0);
        assert_eq!(keepalive(-2), Err(Error::Invalid));
        assert_eq!(keepalive(2), Err(Error::Invalid));
        assert_eq!(keepalive(0), Ok(0));
        assert_eq!(heartbeat_ttl(-99), Ok(0));
        assert_eq!(heartbeat_ttl(150), Ok(1));
        assert_eq!(heartbeat_ttl(6_553_599), Ok(65_535));
        assert_eq!(heartbeat_ttl(6_553_600), Err(Error::Invalid));
        assert_eq!(heartbeat_ttl(-100), Err(Error::Invalid));
        assert!(routing_id(b"a").is_ok());
        assert_eq!(routing_id(b""), Err(Error::Invalid));
        assert!(routing_id(b"\0x").is_ok());
        assert_eq!(routing_id(&[1; 256]), Err(Error::Invalid));
    }
}
