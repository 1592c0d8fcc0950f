//! TCP socket set-up with socket2: listeners with SO_REUSEADDR, non-blocking connects,
//! TCP_NODELAY on every connection.

use super::Dial;
use crate::error::Result;
use mio::net::{TcpListener, TcpStream};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

/// Binds and listens on `addr` (non-blocking).
pub(crate) fn listen(addr: SocketAddr, backlog: i32) -> Result<TcpListener> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_reuse_address(true)?;
    if addr.is_ipv6() {
        sock.set_only_v6(true)?;
    }
    sock.bind(&addr.into())?;
    sock.listen(backlog)?;
    sock.set_nonblocking(true)?;
    Ok(TcpListener::from_std(sock.into()))
}

/// Starts a non-blocking connect to `addr`. An error means no socket could be made.
pub(crate) fn connect(addr: SocketAddr) -> io::Result<Dial<TcpStream>> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_nonblocking(true)?;
    sock.set_tcp_nodelay(true)?;
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
pub(crate) fn accepted(stream: &TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)
}
