//! The kinds of OS socket sessions and listeners drive: TCP and Unix domain (`ipc://`).
//!
//! Small enums instead of trait objects: a session's hot path only needs the raw fd (for
//! `read`) and `write_vectored`, and a `match` on two variants costs nothing there.
//!
//! Every write goes through `sendmsg(2)` with `MSG_NOSIGNAL`: a peer that vanished makes
//! the write fail with EPIPE instead of raising SIGPIPE, which would kill a C program
//! that keeps the default disposition (Rust and Python ignore SIGPIPE, C does not).

use crate::error::Result;
use crate::transport::endpoint::tcp_uri;
use crate::transport::ipc::{self, TempSocketDir};
use crate::transport::tcp::TcpConfig;
use crate::transport::{tcp, Dial, Endpoint};
use mio::event::Source;
use mio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use mio::{Interest, Registry, Token};
use std::io::{self, IoSlice, Write};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

/// A connected (or connecting) stream.
#[derive(Debug)]
pub(crate) enum Stream {
    Tcp(TcpStream),
    Ipc(UnixStream),
}

/// Where a connect-side session connects to.
#[derive(Debug, Clone)]
pub(crate) enum PeerAddr {
    /// The peer, and the local address to connect from (`tcp://src:port;host:port`).
    Tcp(SocketAddr, Option<SocketAddr>),
    Ipc(socket2::SockAddr),
}

/// A listening socket.
#[derive(Debug)]
pub(crate) enum ListenSocket {
    Tcp(TcpListener),
    Ipc(UnixListener),
}

/// A socket bound by [`ListenSocket::open`].
pub(crate) struct Bound {
    pub socket: ListenSocket,
    /// The resolved endpoint (`LAST_ENDPOINT` form).
    pub endpoint: String,
    /// The generated file and directory of an `ipc://*` bind.
    pub temp: Option<TempSocketDir>,
}

impl PeerAddr {
    /// The address to connect to for `ep`, and the `LAST_ENDPOINT` form of it.
    pub fn resolve(ep: &Endpoint, ipv6: bool) -> Result<(PeerAddr, String)> {
        match ep {
            Endpoint::Tcp(t) => {
                let addr = t.connect_addr(ipv6)?;
                let source = t.source.as_ref().map(|s| s.bind_addr(addr, ipv6));
                Ok((PeerAddr::Tcp(addr, source.transpose()?), tcp_uri(addr)))
            }
            Endpoint::Ipc(i) => Ok((
                PeerAddr::Ipc(i.sock_addr()?),
                format!("ipc://{}", i.address),
            )),
        }
    }

    /// Starts a non-blocking connect; completion shows as writability. An error means no
    /// socket could be made at all.
    pub fn connect(&self, cfg: &TcpConfig) -> io::Result<Dial<Stream>> {
        Ok(match self {
            PeerAddr::Tcp(a, source) => tcp::connect(*a, *source, cfg)?.map(Stream::Tcp),
            PeerAddr::Ipc(a) => ipc::connect(a)?.map(Stream::Ipc),
        })
    }
}

impl Stream {
    /// The pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        match self {
            Stream::Tcp(s) => s.take_error(),
            Stream::Ipc(s) => s.take_error(),
        }
    }

    /// Whether a non-blocking connect has completed (`Ok(false)`: still in progress).
    pub fn is_connected(&self) -> io::Result<bool> {
        let peer = match self {
            Stream::Tcp(s) => s.peer_addr().map(drop),
            Stream::Ipc(s) => s.peer_addr().map(drop),
        };
        match peer {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl ListenSocket {
    /// Binds and listens on `ep` (non-blocking).
    pub fn open(ep: &Endpoint, backlog: i32, cfg: &TcpConfig) -> Result<Bound> {
        match ep {
            Endpoint::Tcp(t) => {
                let l = tcp::listen(t.bind_addr(cfg.ipv6)?, backlog, cfg)?;
                Ok(Bound {
                    endpoint: tcp_uri(l.local_addr()?),
                    socket: ListenSocket::Tcp(l),
                    temp: None,
                })
            }
            Endpoint::Ipc(i) => {
                let l = ipc::listen(i, backlog, cfg.use_fd)?;
                Ok(Bound {
                    socket: ListenSocket::Ipc(l.listener),
                    endpoint: l.endpoint,
                    temp: l.temp,
                })
            }
        }
    }

    /// Accepts one connection, set up for ZMTP.
    pub fn accept(&self, cfg: &TcpConfig) -> io::Result<Stream> {
        match self {
            ListenSocket::Tcp(l) => {
                let (s, _) = l.accept()?;
                // A connection that cannot be set up is dropped like an aborted one.
                tcp::accepted(&s, cfg)
                    .map_err(|_| io::Error::from_raw_os_error(libc::ECONNABORTED))?;
                Ok(Stream::Tcp(s))
            }
            ListenSocket::Ipc(l) => l.accept().map(|(s, _)| Stream::Ipc(s)),
        }
    }
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Ipc(s) => s.as_raw_fd(),
        }
    }
}

impl AsRawFd for ListenSocket {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            ListenSocket::Tcp(l) => l.as_raw_fd(),
            ListenSocket::Ipc(l) => l.as_raw_fd(),
        }
    }
}

/// Read at least this much per `read` call when the buffer has to grow.
const READ_CHUNK: usize = 64 * 1024;

/// Reads once from `fd` into the spare room of `buf`, growing it first if needed: towards
/// `want` (the size of a frame whose header is in) only as fast as its bytes arrive,
/// since a declared size is never trusted for an allocation. Returns the byte count
/// (0 = the peer closed).
pub(crate) fn read_into(fd: RawFd, buf: &mut bytes::BytesMut, want: usize) -> io::Result<usize> {
    let len = buf.len();
    let spare = buf.capacity() - len;
    let missing = want.saturating_sub(len);
    let target = if missing > spare {
        missing.min(READ_CHUNK.max(len))
    } else if spare < READ_CHUNK / 16 {
        READ_CHUNK
    } else {
        0
    };
    if target > spare {
        buf.reserve(target);
    }
    crate::sys::fd::read_spare(fd, buf)
}

pub(crate) use crate::sys::fd::read_slice;

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        crate::sys::fd::send_vectored(self.as_raw_fd(), &[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        crate::sys::fd::send_vectored(self.as_raw_fd(), bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Delegates mio registration to the inner socket.
macro_rules! delegate_source {
    ($ty:ident, $($variant:ident),+) => {
        impl Source for $ty {
            fn register(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
                match self {
                    $($ty::$variant(s) => s.register(r, t, i),)+
                }
            }

            fn reregister(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
                match self {
                    $($ty::$variant(s) => s.reregister(r, t, i),)+
                }
            }

            fn deregister(&mut self, r: &Registry) -> io::Result<()> {
                match self {
                    $($ty::$variant(s) => s.deregister(r),)+
                }
            }
        }
    };
}

delegate_source!(Stream, Tcp, Ipc);
delegate_source!(ListenSocket, Tcp, Ipc);
