//! Transports: endpoint parsing and the set-up of each kind of OS socket.

pub(crate) mod endpoint;
pub(crate) mod filter;
pub(crate) mod interface;
pub(crate) mod ipc;
pub(crate) mod socks;
pub(crate) mod tcp;
pub(crate) mod tuning;

pub(crate) use endpoint::Endpoint;

use std::os::fd::RawFd;

/// How a non-blocking connect started (libzmq reports CONNECT_DELAYED for `InProgress`
/// and CLOSED for `Failed`).
#[derive(Debug)]
pub(crate) enum Dial<S> {
    /// Connected at once.
    Connected(S),
    /// EINPROGRESS: completion shows as writability.
    InProgress(S),
    /// Failed at once; the socket that had descriptor `fd` is closed again.
    Failed { fd: RawFd },
}

impl<S> Dial<S> {
    /// The same outcome with the stream converted by `f`.
    pub fn map<T>(self, f: impl FnOnce(S) -> T) -> Dial<T> {
        match self {
            Dial::Connected(s) => Dial::Connected(f(s)),
            Dial::InProgress(s) => Dial::InProgress(f(s)),
            Dial::Failed { fd } => Dial::Failed { fd },
        }
    }
}
