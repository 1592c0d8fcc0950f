//! # ferromq
//!
//! A brokerless, ZeroMQ-compatible messaging library. Peers talk to each other directly
//! over TCP or Unix sockets using ZMTP 3.1, the wire protocol of libzmq, so ferromq
//! sockets interoperate with libzmq, pyzmq, CZMQ, JeroMQ and every other ZeroMQ program;
//! sockets of one [`Context`] can also be joined in memory (`inproc://`).
//!
//! ```
//! use ferromq::{Context, SocketType};
//!
//! let ctx = Context::new();
//! let mut pull = ctx.socket(SocketType::Pull)?;
//! pull.bind("tcp://127.0.0.1:*")?;
//!
//! let mut push = ctx.socket(SocketType::Push)?;
//! push.connect(&pull.last_endpoint()?)?;
//! push.send("hello", 0)?;
//!
//! assert_eq!(&pull.recv(0)?[..], b"hello");
//! # Ok::<(), ferromq::Error>(())
//! ```
//!
//! ## Layout
//! - [`proto`]: the ZMTP 3.x protocol as sans-IO state machines (greeting, frames,
//!   commands, the NULL handshake).
//! - `pattern`: the routing of each socket type (PUSH load-balancing, PULL fair-queueing),
//!   as plain data keyed by pipe ids.
//! - `io`, `transport`: the mio-driven I/O threads and TCP/IPC set-up; they only move
//!   bytes. `inproc`: the in-memory endpoints of a context.
//! - [`Context`], [`Socket`], [`Msg`], [`Error`]: the public API; [`poll`] and the
//!   readiness FD ([`Socket::fd`]); [`monitor`] events; [`proxy`]; [`sockopt`] numbers.
//! - [`SharedSocket`]: a socket shared by threads (closable from any of them, locked in
//!   a deadlock-free order with others), the one lock of the C and Python bindings.

#![warn(missing_docs)]
// Every syscall that needs `unsafe` lives in `sys`, behind safe wrappers.
#![deny(unsafe_code)]

mod context;
mod error;
mod inproc;
mod io;
pub mod monitor;
mod msg;
mod options;
mod pattern;
mod pipe;
mod pipe_table;
mod poll;
pub mod proto;
mod proxy;
mod shared_socket;
mod socket;
mod socket_shared;
pub mod sockopt;
#[allow(unsafe_code)]
mod sys;
#[cfg(feature = "mimalloc")]
pub use sys::allocator::Allocator;
mod transport;
mod wakeup;

pub use context::{
    Context, CTX_BLOCKY, CTX_IO_THREADS, CTX_IPV6, CTX_MAX_MSGSZ, CTX_MAX_SOCKETS, CTX_MSG_T_SIZE,
    CTX_SOCKET_LIMIT, CTX_THREAD_AFFINITY_CPU_ADD, CTX_THREAD_AFFINITY_CPU_REMOVE,
    CTX_THREAD_NAME_PREFIX, CTX_THREAD_PRIORITY, CTX_THREAD_SCHED_POLICY, CTX_ZERO_COPY_RECV,
};
pub use error::{Error, Result, EFSM, EMTHREAD, ENOCOMPATPROTO, ETERM, HAUSNUMERO};
pub use msg::{Msg, INLINE_MAX};
pub use poll::{poll, PollItem, PollTarget, POLLERR, POLLIN, POLLOUT, POLLPRI};
pub use proto::SocketType;
pub use proxy::{proxy, proxy_echo, proxy_steerable, proxy_steerable_echo, SideStats};
pub use shared_socket::{LockedSockets, SharedSocket, SocketGuard};
pub use socket::{Interrupter, Socket, DONTWAIT, SNDMORE};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
