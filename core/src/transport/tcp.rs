//! TCP socket set-up with socket2: listeners with SO_REUSEADDR, non-blocking connects,
//! TCP_NODELAY on every connection, and the socket's buffer and keepalive settings.

use super::filter::{IpMask, IpcFilters};
use super::tuning::StreamTuning;
use super::Dial;
use crate::error::Result;
use mio::net::{TcpListener, TcpStream};
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

/// What TCP connections and listeners take from the socket options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TcpConfig {
    pub tuning: StreamTuning,
    /// IPV6: IPv6 addresses may be used, and IPv6 listeners accept IPv4 too.
    pub ipv6: bool,
    /// USE_FD: a descriptor, already bound and listening, that `bind` adopts instead of
    /// creating a socket (-1 = none), for tcp and ipc alike.
    pub use_fd: i32,
    /// TCP_ACCEPT_FILTER masks (empty = accept every peer).
    pub accept_filters: Vec<IpMask>,
    /// IPC_FILTER_UID/GID/PID sets (empty = accept every peer).
    pub ipc_filters: IpcFilters,
}

/// Binds and listens on `addr` (non-blocking). SNDBUF/RCVBUF are set before `listen`,
/// so accepted connections inherit them.
pub(crate) fn listen(addr: SocketAddr, backlog: i32, cfg: &TcpConfig) -> Result<TcpListener> {
    if let Some(sock) = adopted_fd(cfg.use_fd) {
        sock.set_nonblocking(true)?;
        return Ok(TcpListener::from_std(sock.into()));
    }
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_reuse_address(true)?;
    if addr.is_ipv6() {
        // Dual stack (with IPV6 only IPv6 addresses are bound; `[::]` then also accepts
        // IPv4 clients, as libzmq does).
        sock.set_only_v6(!cfg.ipv6)?;
    }
    cfg.tuning.apply_buffers(SockRef::from(&sock))?;
    cfg.tuning
        .apply_before_connect(SockRef::from(&sock), addr.is_ipv6())?;
    sock.bind(&addr.into())?;
    sock.listen(backlog)?;
    sock.set_nonblocking(true)?;
    Ok(TcpListener::from_std(sock.into()))
}

/// Starts a non-blocking connect to `addr`, from local address `source` if given (bound
/// with SO_REUSEADDR first, so several connections may share a source port, as in
/// libzmq; a bind that fails is a failed attempt); completion shows as writability.
/// Without IPV6 an IPv6 address fails (EAFNOSUPPORT), as libzmq's resolver refuses it
/// then. An error means no socket could be made.
pub(crate) fn connect(
    addr: SocketAddr,
    source: Option<SocketAddr>,
    cfg: &TcpConfig,
) -> io::Result<Dial<TcpStream>> {
    if addr.is_ipv6() && !cfg.ipv6 {
        return Err(io::Error::from_raw_os_error(libc::EAFNOSUPPORT));
    }
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_nonblocking(true)?;
    sock.set_tcp_nodelay(true)?;
    cfg.tuning.apply_buffers(SockRef::from(&sock))?;
    cfg.tuning.apply_keepalive(SockRef::from(&sock))?;
    cfg.tuning.apply_maxrt(&SockRef::from(&sock))?;
    cfg.tuning
        .apply_before_connect(SockRef::from(&sock), addr.is_ipv6())?;
    if let Some(src) = source {
        let bound = sock
            .set_reuse_address(true)
            .and_then(|()| sock.bind(&src.into()));
        if bound.is_err() {
            return Ok(Dial::Failed {
                fd: sock.as_raw_fd(),
            });
        }
    }
    let started = match sock.connect(&addr.into()) {
        Ok(()) => Dial::Connected(()),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Dial::InProgress(()),
        Err(_) => Dial::Failed {
            fd: sock.as_raw_fd(),
        },
    };
    Ok(started.map(|()| TcpStream::from_std(sock.into())))
}

/// Prepares an accepted connection.
pub(crate) fn accepted(stream: &TcpStream, cfg: &TcpConfig) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let sock = SockRef::from(stream);
    cfg.tuning
        .apply_tos(&sock, stream.local_addr()?.is_ipv6())?;
    cfg.tuning.apply_maxrt(&sock)?;
    cfg.tuning.apply_keepalive(sock)
}

/// The descriptor USE_FD names, taken over (libzmq closes it with the listener), or
/// `None` without USE_FD.
pub(crate) fn adopted_fd(fd: i32) -> Option<Socket> {
    if fd < 0 {
        return None;
    }
    Some(crate::sys::net::adopt_socket(fd))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use std::time::Duration;

    fn tuned() -> TcpConfig {
        TcpConfig {
            tuning: StreamTuning {
                sndbuf: 48 * 1024,
                rcvbuf: 40 * 1024,
                keepalive: 1,
                keepalive_cnt: 4,
                keepalive_idle: 20,
                keepalive_intvl: 5,
                tos: 0x28,
                maxrt: 0,
                bind_device: bytes::Bytes::new(),
            },
            ipv6: false,
            use_fd: -1,
            accept_filters: Vec::new(),
            ipc_filters: IpcFilters::default(),
        }
    }

    fn assert_tuned(s: SockRef<'_>) {
        let snd = s.send_buffer_size().unwrap();
        let rcv = s.recv_buffer_size().unwrap();
        assert!((48 * 1024..=96 * 1024).contains(&snd), "SO_SNDBUF {snd}");
        assert!((40 * 1024..=80 * 1024).contains(&rcv), "SO_RCVBUF {rcv}");
        assert!(s.keepalive().unwrap());
        assert_eq!(s.tcp_keepalive_retries().unwrap(), 4);
        assert_eq!(s.tcp_keepalive_time().unwrap(), Duration::from_secs(20));
        assert_eq!(s.tcp_keepalive_interval().unwrap(), Duration::from_secs(5));
        assert_eq!(s.tos_v4().unwrap(), 0x28);
    }

    /// Both ends of a connection made by `listen`/`connect`/`accepted` carry the
    /// settings (the accepted end inherits the buffers from the listener).
    #[test]
    fn connections_on_both_sides_are_tuned() {
        let cfg = tuned();
        let listener = listen((Ipv4Addr::LOCALHOST, 0).into(), 10, &cfg).unwrap();
        let addr = listener.local_addr().unwrap();
        let out = match connect(addr, None, &cfg).unwrap() {
            Dial::Connected(s) | Dial::InProgress(s) => s,
            Dial::Failed { .. } => panic!("connect to a live listener failed"),
        };
        assert_tuned(SockRef::from(&out));
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let accepted_stream = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    assert!(std::time::Instant::now() < deadline, "no connection");
                    std::thread::yield_now();
                }
                Err(e) => panic!("accept: {e}"),
            }
        };
        accepted(&accepted_stream, &cfg).unwrap();
        assert_tuned(SockRef::from(&accepted_stream));
        assert!(accepted_stream.nodelay().unwrap());
    }

    #[test]
    fn ipv6_addresses_need_the_ipv6_option() {
        let v6: SocketAddr = "[::1]:9".parse().unwrap();
        let cfg = crate::options::Options::default().tcp_config();
        let err = connect(v6, None, &cfg).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EAFNOSUPPORT));
    }
}
