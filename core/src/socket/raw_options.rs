//! Options by libzmq number ([`crate::sockopt`]), dispatched to the typed accessors.

use super::Socket;
use crate::error::{Error, Result};
use crate::sockopt::{self as so, OptionValue};

/// libzmq's strict boolean: 0 or 1.
fn strict_bool(v: i32) -> Result<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::Invalid),
    }
}

/// libzmq's relaxed boolean for pattern options: any non-negative value.
fn relaxed_bool(v: i32) -> Result<bool> {
    if v < 0 {
        return Err(Error::Invalid);
    }
    Ok(v != 0)
}

impl Socket {
    /// Sets option `option` (a [`crate::sockopt`] number) like `zmq_setsockopt`.
    /// EINVAL for unknown or read-only options, a value of the wrong
    /// [type](crate::sockopt::option_type), or a value out of range; ETERM after the
    /// context was terminated.
    ///
    /// ```
    /// use ferromq::sockopt::{OptionValue, LINGER, SUBSCRIBE, TYPE};
    /// use ferromq::{Context, Error, SocketType};
    /// let mut sub = Context::new().socket(SocketType::Sub)?;
    /// sub.set_option(LINGER, &OptionValue::Int(0))?;
    /// sub.set_option(SUBSCRIBE, &OptionValue::Bytes(b"news".to_vec()))?;
    /// assert_eq!(sub.set_option(TYPE, &OptionValue::Int(1)), Err(Error::Invalid));
    /// assert_eq!(sub.set_option(9999, &OptionValue::Int(1)), Err(Error::Invalid));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_option(&mut self, option: i32, value: &OptionValue) -> Result<()> {
        self.check_live()?;
        match value {
            OptionValue::Int(v) => self.set_int_option(option, *v),
            OptionValue::Int64(v) if option == so::MAXMSGSIZE => self.set_maxmsgsize(*v),
            OptionValue::Int64(v) if option == so::MAXMSGTOTALSIZE => self.set_maxmsgtotalsize(*v),
            // The u64 bit mask travels as i64 bits.
            OptionValue::Int64(v) if option == so::AFFINITY => self.set_affinity(*v as u64),
            OptionValue::Bytes(b) => self.set_bytes_option(option, b),
            OptionValue::Int64(_) => Err(Error::Invalid),
        }
    }

    fn set_int_option(&mut self, option: i32, v: i32) -> Result<()> {
        match option {
            so::SNDHWM => self.set_sndhwm(v),
            so::RCVHWM => self.set_rcvhwm(v),
            so::LINGER => self.set_linger(v),
            so::RCVTIMEO => self.set_rcvtimeo(v),
            so::SNDTIMEO => self.set_sndtimeo(v),
            so::RECONNECT_IVL => self.set_reconnect_ivl(v),
            so::RECONNECT_IVL_MAX => self.set_reconnect_ivl_max(v),
            so::HANDSHAKE_IVL => self.set_handshake_ivl(v),
            so::BACKLOG => self.set_backlog(v),
            so::IMMEDIATE => self.set_immediate(strict_bool(v)?),
            so::CONFLATE => self.set_conflate(strict_bool(v)?),
            so::ROUTER_MANDATORY => self.set_router_mandatory(relaxed_bool(v)?),
            so::ROUTER_HANDOVER => self.set_router_handover(relaxed_bool(v)?),
            so::REQ_RELAXED => self.set_req_relaxed(relaxed_bool(v)?),
            so::REQ_CORRELATE => self.set_req_correlate(relaxed_bool(v)?),
            so::XPUB_VERBOSE => self.set_xpub_verbose(relaxed_bool(v)?),
            so::XPUB_VERBOSER => self.set_xpub_verboser(relaxed_bool(v)?),
            so::HEARTBEAT_IVL => self.set_heartbeat_ivl(v),
            so::HEARTBEAT_TTL => self.set_heartbeat_ttl(v),
            so::HEARTBEAT_TIMEOUT => self.set_heartbeat_timeout(v),
            so::TCP_KEEPALIVE => self.set_tcp_keepalive(v),
            so::TCP_KEEPALIVE_CNT => self.set_tcp_keepalive_cnt(v),
            so::TCP_KEEPALIVE_IDLE => self.set_tcp_keepalive_idle(v),
            so::TCP_KEEPALIVE_INTVL => self.set_tcp_keepalive_intvl(v),
            so::SNDBUF => self.set_sndbuf(v),
            so::RCVBUF => self.set_rcvbuf(v),
            so::CONNECT_TIMEOUT => self.set_connect_timeout(v),
            so::IPV6 => self.set_ipv6(strict_bool(v)?),
            so::MAXMSGPARTS => self.set_maxmsgparts(v),
            so::STREAM_NOTIFY => self.set_stream_notify(strict_bool(v)?),
            so::IPV4ONLY => self.set_ipv6(!strict_bool(v)?),
            so::RATE => self.set_rate(v),
            so::RECOVERY_IVL => self.set_recovery_ivl(v),
            so::MULTICAST_HOPS => self.set_multicast_hops(v),
            so::MULTICAST_MAXTPDU => self.set_multicast_maxtpdu(v),
            so::MULTICAST_LOOP => self.set_multicast_loop(v != 0),
            so::LOOPBACK_FASTPATH => self.set_loopback_fastpath(v != 0),
            so::ZAP_ENFORCE_DOMAIN => self.set_zap_enforce_domain(v != 0),
            so::TOS => self.set_tos(v),
            so::TCP_MAXRT => self.set_tcp_maxrt(v),
            so::USE_FD => self.set_use_fd(v),
            so::IPC_FILTER_UID => self.add_ipc_filter_uid(u32::from_ne_bytes(v.to_ne_bytes())),
            so::IPC_FILTER_GID => self.add_ipc_filter_gid(u32::from_ne_bytes(v.to_ne_bytes())),
            so::IPC_FILTER_PID => self.add_ipc_filter_pid(v),
            so::INVERT_MATCHING => self.set_invert_matching(v != 0),
            so::PROBE_ROUTER => self.set_probe_router(relaxed_bool(v)?),
            so::XPUB_NODROP => self.set_xpub_nodrop(relaxed_bool(v)?),
            so::XPUB_MANUAL => self.set_xpub_manual(relaxed_bool(v)?),
            so::XPUB_MANUAL_LAST_VALUE => self.set_xpub_manual_last_value(relaxed_bool(v)?),
            so::PLAIN_SERVER => self.set_plain_server(strict_bool(v)?),
            _ => Err(Error::Invalid),
        }
    }

    fn set_bytes_option(&mut self, option: i32, b: &[u8]) -> Result<()> {
        match option {
            so::ROUTING_ID => self.set_routing_id(b),
            so::CONNECT_ROUTING_ID => self.set_connect_routing_id(b),
            so::SUBSCRIBE => self.set_subscribe(b),
            so::UNSUBSCRIBE => self.set_unsubscribe(b),
            so::TCP_ACCEPT_FILTER if b.is_empty() => self.clear_tcp_accept_filters(),
            // libzmq clears one filter set when its option is set to NULL.
            so::IPC_FILTER_UID if b.is_empty() => {
                self.opts.ipc_filters.uids.clear();
                Ok(())
            }
            so::IPC_FILTER_GID if b.is_empty() => {
                self.opts.ipc_filters.gids.clear();
                Ok(())
            }
            so::IPC_FILTER_PID if b.is_empty() => {
                self.opts.ipc_filters.pids.clear();
                Ok(())
            }
            so::TCP_ACCEPT_FILTER => {
                self.add_tcp_accept_filter(std::str::from_utf8(b).map_err(|_| Error::Invalid)?)
            }
            so::ZAP_DOMAIN => self.set_zap_domain(b),
            so::SOCKS_PROXY => self.set_socks_proxy(b),
            so::SOCKS_USERNAME => self.set_socks_username(b),
            so::SOCKS_PASSWORD => self.set_socks_password(b),
            so::BINDTODEVICE => self.set_bindtodevice(b),
            so::XPUB_WELCOME_MSG => self.set_xpub_welcome_msg(b),
            so::PLAIN_USERNAME => self.set_plain_username(b),
            so::PLAIN_PASSWORD => self.set_plain_password(b),
            _ => Err(Error::Invalid),
        }
    }

    /// Reads option `option` (a [`crate::sockopt`] number) like `zmq_getsockopt`.
    /// EINVAL for unknown or write-only options (SUBSCRIBE, ROUTER_MANDATORY…, as in
    /// libzmq); ETERM after the context was terminated.
    ///
    /// ```
    /// use ferromq::sockopt::{OptionValue, LAST_ENDPOINT, MAXMSGSIZE, SNDHWM, TYPE};
    /// use ferromq::{Context, SocketType};
    /// let mut s = Context::new().socket(SocketType::Pull)?;
    /// assert_eq!(s.get_option(SNDHWM)?, OptionValue::Int(1000));
    /// assert_eq!(s.get_option(TYPE)?, OptionValue::Int(7));
    /// assert_eq!(s.get_option(MAXMSGSIZE)?, OptionValue::Int64(-1));
    /// s.bind("inproc://x")?;
    /// assert_eq!(s.get_option(LAST_ENDPOINT)?, OptionValue::Bytes(b"inproc://x".to_vec()));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn get_option(&mut self, option: i32) -> Result<OptionValue> {
        self.check_live()?;
        let int = |v: i32| Ok(OptionValue::Int(v));
        match option {
            so::SNDHWM => int(self.sndhwm()?),
            so::RCVHWM => int(self.rcvhwm()?),
            so::LINGER => int(self.linger()?),
            so::RCVTIMEO => int(self.rcvtimeo()?),
            so::SNDTIMEO => int(self.sndtimeo()?),
            so::RECONNECT_IVL => int(self.reconnect_ivl()?),
            so::RECONNECT_IVL_MAX => int(self.reconnect_ivl_max()?),
            so::HANDSHAKE_IVL => int(self.handshake_ivl()?),
            so::BACKLOG => int(self.backlog()?),
            so::IMMEDIATE => int(i32::from(self.immediate()?)),
            so::CONFLATE => int(i32::from(self.conflate()?)),
            so::HEARTBEAT_IVL => int(self.heartbeat_ivl()?),
            so::HEARTBEAT_TTL => int(self.heartbeat_ttl()?),
            so::HEARTBEAT_TIMEOUT => int(self.heartbeat_timeout()?),
            so::TCP_KEEPALIVE => int(self.tcp_keepalive()?),
            so::TCP_KEEPALIVE_CNT => int(self.tcp_keepalive_cnt()?),
            so::TCP_KEEPALIVE_IDLE => int(self.tcp_keepalive_idle()?),
            so::TCP_KEEPALIVE_INTVL => int(self.tcp_keepalive_intvl()?),
            so::SNDBUF => int(self.sndbuf()?),
            so::RCVBUF => int(self.rcvbuf()?),
            so::CONNECT_TIMEOUT => int(self.connect_timeout()?),
            so::IPV6 => int(i32::from(self.ipv6()?)),
            so::MAXMSGSIZE => Ok(OptionValue::Int64(self.maxmsgsize()?)),
            so::MAXMSGPARTS => int(self.maxmsgparts()?),
            so::MAXMSGTOTALSIZE => Ok(OptionValue::Int64(self.maxmsgtotalsize()?)),
            so::ROUTING_ID => Ok(OptionValue::Bytes(self.routing_id()?)),
            so::LAST_ENDPOINT => Ok(OptionValue::Bytes(self.last_endpoint()?.into_bytes())),
            so::TYPE => int(self.ty as i32),
            so::RCVMORE => int(i32::from(self.get_rcvmore()?)),
            so::EVENTS => int(i32::from(self.events()?)),
            so::FD => int(self.fd()?),
            so::THREAD_SAFE => int(0),
            so::MECHANISM => int(i32::from(self.opts.plain.selected)),
            so::AFFINITY => Ok(OptionValue::Int64(self.affinity()? as i64)),
            so::RATE => int(self.rate()?),
            so::RECOVERY_IVL => int(self.recovery_ivl()?),
            so::MULTICAST_HOPS => int(self.multicast_hops()?),
            so::MULTICAST_MAXTPDU => int(self.multicast_maxtpdu()?),
            so::MULTICAST_LOOP => int(i32::from(self.multicast_loop()?)),
            so::LOOPBACK_FASTPATH => int(i32::from(self.loopback_fastpath()?)),
            so::ZAP_ENFORCE_DOMAIN => int(i32::from(self.zap_enforce_domain()?)),
            so::IPV4ONLY => int(i32::from(!self.ipv6()?)),
            so::TOS => int(self.tos()?),
            so::TCP_MAXRT => int(self.tcp_maxrt()?),
            so::USE_FD => int(self.use_fd()?),
            so::INVERT_MATCHING => int(i32::from(self.invert_matching()?)),
            so::PLAIN_SERVER => int(i32::from(self.plain_server()?)),
            so::PLAIN_USERNAME => Ok(OptionValue::Bytes(self.plain_username()?)),
            so::PLAIN_PASSWORD => Ok(OptionValue::Bytes(self.plain_password()?)),
            so::ZAP_DOMAIN => Ok(OptionValue::Bytes(self.zap_domain()?)),
            so::SOCKS_PROXY => Ok(OptionValue::Bytes(self.socks_proxy()?)),
            so::SOCKS_USERNAME => Ok(OptionValue::Bytes(self.socks_username()?)),
            so::SOCKS_PASSWORD => Ok(OptionValue::Bytes(self.socks_password()?)),
            so::BINDTODEVICE => Ok(OptionValue::Bytes(self.bindtodevice()?)),
            _ => Err(Error::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sockopt::{option_type, OptionType};
    use crate::{Context, SocketType};

    #[test]
    fn every_known_int_option_round_trips_or_is_write_or_read_only() {
        let ctx = Context::new();
        for opt in 0..130 {
            if option_type(opt) != Some(OptionType::Int) {
                continue;
            }
            let mut s = ctx.socket(SocketType::Dealer).unwrap();
            let Ok(OptionValue::Int(v)) = s.get_option(opt) else {
                continue; // write-only
            };
            if opt == so::HEARTBEAT_TIMEOUT {
                // Its default, -1 ("use HEARTBEAT_IVL"), cannot be set (as in libzmq).
                continue;
            }
            // Read-only options refuse writes; the others take back their own value.
            let read_only = matches!(
                opt,
                so::TYPE | so::RCVMORE | so::EVENTS | so::FD | so::MECHANISM | so::THREAD_SAFE
            );
            if matches!(opt, so::RATE | so::MULTICAST_HOPS | so::MULTICAST_MAXTPDU) {
                // Must be > 0: their defaults are, so they round-trip too.
                assert!(v > 0, "option {opt}");
            }
            assert_eq!(
                s.set_option(opt, &OptionValue::Int(v)).is_ok(),
                !read_only,
                "option {opt}"
            );
        }
    }

    #[test]
    fn booleans_follow_libzmq_strictness() {
        let ctx = Context::new();
        let mut s = ctx.socket(SocketType::Router).unwrap();
        assert_eq!(
            s.set_option(so::IMMEDIATE, &OptionValue::Int(2)),
            Err(Error::Invalid)
        );
        assert!(s
            .set_option(so::ROUTER_MANDATORY, &OptionValue::Int(2))
            .is_ok());
        assert_eq!(
            s.set_option(so::ROUTER_MANDATORY, &OptionValue::Int(-1)),
            Err(Error::Invalid)
        );
        assert_eq!(s.get_option(so::ROUTER_MANDATORY), Err(Error::Invalid));
        assert_eq!(
            s.set_option(so::LINGER, &OptionValue::Int64(0)),
            Err(Error::Invalid)
        );
    }
}
