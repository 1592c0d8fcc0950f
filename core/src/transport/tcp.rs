//! TCP socket set-up with socket2: listeners with SO_REUSEADDR, non-blocking connects,
//! TCP_NODELAY on every connection.

use crate::error::Result;
use mio::net::{TcpListener, TcpStream};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::SocketAddr;

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

/// Starts a non-blocking connect to `addr`; completion shows as writability.
pub(crate) fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_nonblocking(true)?;
    sock.set_tcp_nodelay(true)?;
    match sock.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e),
    }
    Ok(TcpStream::from_std(sock.into()))
}

/// Prepares an accepted connection.
pub(crate) fn accepted(stream: &TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)
}
