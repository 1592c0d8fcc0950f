//! Options for how connections are made and accepted: TOS, TCP_MAXRT, BINDTODEVICE,
//! USE_FD, the accept filters (TCP_ACCEPT_FILTER, IPC_FILTER_UID/GID/PID) and the SOCKS5
//! proxy. All apply to later binds and connects, as in libzmq.

use super::Socket;
use crate::error::{Error, Result};
use crate::transport::filter::IpMask;
use bytes::Bytes;

/// The longest interface name SO_BINDTODEVICE takes (IFNAMSIZ, NUL included).
const IFNAMSIZ: usize = 16;

impl Socket {
    /// Sets `ZMQ_TOS`: the IP type-of-service byte (IPV6_TCLASS for IPv6) of later
    /// connections and listeners (0, the default, leaves the OS's). EINVAL if negative.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pair)?;
    /// assert_eq!(s.tos()?, 0);
    /// s.set_tos(0x28)?;
    /// assert_eq!(s.tos()?, 0x28);
    /// assert!(s.set_tos(-1).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_tos(&mut self, v: i32) -> Result<()> {
        self.opts.tos = crate::options::non_negative(v)?;
        Ok(())
    }

    /// `ZMQ_TOS`; see [`Socket::set_tos`].
    pub fn tos(&self) -> Result<i32> {
        Ok(self.opts.tos)
    }

    /// Sets `ZMQ_TCP_MAXRT` in ms: how long unacknowledged data may wait before the
    /// connection is dropped (TCP_USER_TIMEOUT; 0, the default, leaves the OS's).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pair)?;
    /// s.set_tcp_maxrt(5000)?;
    /// assert_eq!(s.tcp_maxrt()?, 5000);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_tcp_maxrt(&mut self, v: i32) -> Result<()> {
        self.opts.tcp_maxrt = crate::options::non_negative(v)?;
        Ok(())
    }

    /// `ZMQ_TCP_MAXRT`; see [`Socket::set_tcp_maxrt`].
    pub fn tcp_maxrt(&self) -> Result<i32> {
        Ok(self.opts.tcp_maxrt)
    }

    /// Sets `ZMQ_BINDTODEVICE`: later listeners and connections are bound to this
    /// network interface (SO_BINDTODEVICE), up to 16 bytes; empty removes it. The
    /// kernel decides when the socket is made: `bind` fails with EPERM without
    /// CAP_NET_RAW, ENODEV for an unknown interface.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.set_bindtodevice(b"no-such-if0")?;
    /// assert_eq!(s.bindtodevice()?, b"no-such-if0");
    /// assert!(s.bind("tcp://127.0.0.1:*").is_err()); // ENODEV, or EPERM unprivileged
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_bindtodevice(&mut self, name: &[u8]) -> Result<()> {
        if name.len() > IFNAMSIZ {
            return Err(Error::Invalid);
        }
        self.opts.bind_device = Bytes::copy_from_slice(name);
        Ok(())
    }

    /// `ZMQ_BINDTODEVICE` (empty by default); see [`Socket::set_bindtodevice`].
    pub fn bindtodevice(&self) -> Result<Vec<u8>> {
        Ok(self.opts.bind_device.to_vec())
    }

    /// Sets `ZMQ_USE_FD`: the next `bind` adopts this descriptor, a TCP or Unix socket
    /// already bound and listening, instead of creating one (for socket activation);
    /// the endpoint is then the descriptor's own address. -1 (the default) turns it off.
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
    pub fn set_use_fd(&mut self, fd: i32) -> Result<()> {
        self.opts.use_fd = crate::options::at_least_minus_one(fd)?;
        Ok(())
    }

    /// `ZMQ_USE_FD` (default -1); see [`Socket::set_use_fd`].
    pub fn use_fd(&self) -> Result<i32> {
        Ok(self.opts.use_fd)
    }

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

    /// Sets `ZMQ_SOCKS_PROXY`: later `tcp://` connects go through this SOCKS5 proxy
    /// (`host:port`); empty turns it off.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_socks_proxy(b"127.0.0.1:1080")?;
    /// assert_eq!(s.socks_proxy()?, b"127.0.0.1:1080");
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_socks_proxy(&mut self, address: &[u8]) -> Result<()> {
        self.opts.socks_proxy = Bytes::copy_from_slice(address);
        Ok(())
    }

    /// `ZMQ_SOCKS_PROXY` (empty by default); see [`Socket::set_socks_proxy`].
    pub fn socks_proxy(&self) -> Result<Vec<u8>> {
        Ok(self.opts.socks_proxy.to_vec())
    }

    /// Sets `ZMQ_SOCKS_USERNAME` (up to 255 bytes; empty = no authentication): with
    /// it, the SOCKS5 client offers username/password authentication (RFC 1929).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// s.set_socks_username(b"user")?;
    /// s.set_socks_password(b"secret")?;
    /// assert_eq!(s.socks_username()?, b"user");
    /// assert!(s.set_socks_password(&[b'x'; 256]).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_socks_username(&mut self, name: &[u8]) -> Result<()> {
        self.opts.socks_username = short_string(name)?;
        Ok(())
    }

    /// `ZMQ_SOCKS_USERNAME`; see [`Socket::set_socks_username`].
    pub fn socks_username(&self) -> Result<Vec<u8>> {
        Ok(self.opts.socks_username.to_vec())
    }

    /// Sets `ZMQ_SOCKS_PASSWORD` (up to 255 bytes); see [`Socket::set_socks_username`].
    pub fn set_socks_password(&mut self, password: &[u8]) -> Result<()> {
        self.opts.socks_password = short_string(password)?;
        Ok(())
    }

    /// `ZMQ_SOCKS_PASSWORD`; see [`Socket::set_socks_username`].
    pub fn socks_password(&self) -> Result<Vec<u8>> {
        Ok(self.opts.socks_password.to_vec())
    }
}

/// A string of at most 255 bytes (what RFC 1929 can carry).
fn short_string(v: &[u8]) -> Result<Bytes> {
    if v.len() > 255 {
        return Err(Error::Invalid);
    }
    Ok(Bytes::copy_from_slice(v))
}
