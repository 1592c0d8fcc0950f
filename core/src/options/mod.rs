//! Socket options: libzmq's defaults and validation rules.
//!
//! Values are checked when they are set (EINVAL otherwise), so every option a socket holds
//! is one it honours. Most options, as in libzmq, take effect for later binds and connects;
//! `SNDHWM`/`RCVHWM` also apply to later messages on existing pipes, and `LINGER`, timeouts
//! and `MAXMSGSIZE` (for later connections) are read when they are needed.
//!
//! The [`Options`] struct and its defaults are generated from the option table
//! ([`table`]); the validation rules its rows name are in [`check`].

pub(crate) mod check;
mod security;
mod table;

pub(crate) use security::{MechanismKind, SecurityOptions};

pub(crate) use table::option_table;

use crate::proto::heartbeat::HeartbeatConfig;
use crate::transport::filter::{IpMask, IpcFilters};
use crate::transport::tcp::TcpConfig;
use crate::transport::tuning::StreamTuning;
use bytes::Bytes;
use std::time::Duration;

/// A row's default as an expression (rows group multi-token defaults in parentheses).
macro_rules! unparen {
    (($($t:tt)*)) => {
        $($t)*
    };
    ($t:tt) => {
        $t
    };
}

/// Generates the `Options` struct (one field per stored option, then the state the other
/// options keep) and its `Default` (libzmq's defaults) from the option table.
macro_rules! options_struct {
    (
        fields { $(
            $(#[doc = $doc:literal])*
            $cname:literal $([$draft:ident])? $name:ident = $num:expr, $kind:ident, $types:tt,
            $field:ident: $fty:ty = $default:tt, check $check:ident, number $conv:ident,
            $set:ident($arg:ty), get $get:tt, example $ex:ident $sample:tt, rejects $bad:tt;
        )* }
        custom { $($custom:tt)* }
        state { $(
            $(#[doc = $sdoc:literal])*
            $sfield:ident: $sfty:ty = $sdefault:expr;
        )* }
    ) => {
        /// The options of one socket, with libzmq's defaults.
        #[derive(Debug, Clone)]
        pub(crate) struct Options {
            $(
                #[doc = concat!("`", $cname, "`.")]
                pub $field: $fty,
            )*
            $(
                $(#[doc = $sdoc])*
                pub $sfield: $sfty,
            )*
        }

        impl Default for Options {
            fn default() -> Options {
                Options {
                    $($field: unparen!($default),)*
                    $($sfield: $sdefault,)*
                }
            }
        }
    };
}

option_table!(options_struct);

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
        u64::try_from(self.maxmsgsize).unwrap_or_else(|_| crate::sys::process::physical_memory())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_and_hwm() {
        assert_eq!(millis(-1), None);
        assert_eq!(millis(5), Some(Duration::from_millis(5)));
        assert_eq!(hwm(0), 0);
        assert_eq!(hwm(7), 7);
    }

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
        assert_eq!((o.rate, o.recovery_ivl, o.multicast_hops), (100, 10_000, 1));
        assert_eq!((o.multicast_maxtpdu, o.multicast_loop), (1500, true));
        assert_eq!(
            (o.maxmsgparts, o.maxmsgtotalsize, o.stream_notify),
            (65_536, -1, true)
        );
        let mem = o.max_frame();
        assert!((1 << 26..1 << 44).contains(&mem), "physical memory {mem}");
    }
}
