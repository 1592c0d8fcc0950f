//! Options for how connections are made and accepted that the option table does not
//! store in one field: the accept filters (TCP_ACCEPT_FILTER, IPC_FILTER_UID/GID/PID),
//! HEARTBEAT_TTL (kept in the deciseconds of the wire) and CONNECT_ROUTING_ID (for the next
//! connect only). All apply to later binds and connects, as in libzmq.

use super::Socket;
use crate::error::{Error, Result};
use crate::options::check;
use crate::sockopt;
use crate::transport::filter::IpMask;

impl Socket {
    /// `ZMQ_TCP_ACCEPT_FILTER`: later TCP listeners accept only peers inside one of the
    /// added masks, `address` or `address/bits` (numeric; IPv6 needs IPV6). EINVAL for
    /// anything else. Connections from other peers are closed at once.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.add_tcp_accept_filter("127.0.0.1")?;
    /// s.add_tcp_accept_filter("10.0.0.0/8")?;
    /// assert!(s.add_tcp_accept_filter("localhost").is_err());
    /// s.clear_tcp_accept_filters()?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn add_tcp_accept_filter(&mut self, mask: &str) -> Result<()> {
        if mask.is_empty() || mask.len() > 255 {
            return Err(Error::Invalid);
        }
        let mask = IpMask::parse(mask, self.opts.ipv6)?;
        self.opts.tcp_accept_filters.push(mask);
        Ok(())
    }

    /// Removes every TCP accept filter (`ZMQ_TCP_ACCEPT_FILTER` set to empty).
    pub fn clear_tcp_accept_filters(&mut self) -> Result<()> {
        self.opts.tcp_accept_filters.clear();
        Ok(())
    }

    /// `ZMQ_IPC_FILTER_UID`: later ipc listeners accept only peers whose user id (or
    /// group or process id, with the other filters) is listed; see
    /// [`Socket::add_ipc_filter_gid`].
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.add_ipc_filter_uid(0)?;
    /// s.clear_ipc_filters()?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn add_ipc_filter_uid(&mut self, uid: u32) -> Result<()> {
        self.opts.ipc_filters.uids.insert(uid);
        Ok(())
    }

    /// `ZMQ_IPC_FILTER_GID`: accept ipc peers whose primary group, or one of whose
    /// groups, is listed (libzmq checks group membership too).
    pub fn add_ipc_filter_gid(&mut self, gid: u32) -> Result<()> {
        self.opts.ipc_filters.gids.insert(gid);
        Ok(())
    }

    /// `ZMQ_IPC_FILTER_PID`: accept ipc peers whose process id is listed.
    pub fn add_ipc_filter_pid(&mut self, pid: i32) -> Result<()> {
        self.opts.ipc_filters.pids.insert(pid);
        Ok(())
    }

    /// Removes every ipc filter (what setting any IPC_FILTER option to NULL does in
    /// libzmq, for that filter's set).
    pub fn clear_ipc_filters(&mut self) -> Result<()> {
        self.opts.ipc_filters = Default::default();
        Ok(())
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
        self.opts.heartbeat_ttl = check::heartbeat_ttl(v)?;
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
        self.check_accepts(sockopt::CONNECT_ROUTING_ID)?;
        self.opts.connect_routing_id = Some(check::routing_id(id)?);
        Ok(())
    }
}
