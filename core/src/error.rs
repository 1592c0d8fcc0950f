//! Errors of the public API and their libzmq errno numbers.
//!
//! One table maps every [`Error`] to the errno value libzmq uses on Linux, so the C and
//! Python bindings report exactly what libzmq would.

/// Base of libzmq's own error numbers (`ZMQ_HAUSNUMERO` in `zmq.h`).
pub const HAUSNUMERO: i32 = 156_384_712;
/// `EFSM`: operation cannot be accomplished in the current state.
pub const EFSM: i32 = HAUSNUMERO + 51;
/// `ENOCOMPATPROTO`: the protocol is not compatible with the socket type.
pub const ENOCOMPATPROTO: i32 = HAUSNUMERO + 52;
/// `ETERM`: the context was terminated.
pub const ETERM: i32 = HAUSNUMERO + 53;
/// `EMTHREAD`: no I/O thread is available.
pub const EMTHREAD: i32 = HAUSNUMERO + 54;

/// An error returned by a ferromq call.
///
/// Each variant corresponds to one errno value of libzmq ([`Error::errno`]).
///
/// ```
/// use ferromq::{Context, Error, SocketType, DONTWAIT};
/// let ctx = Context::new();
/// let mut pull = ctx.socket(SocketType::Pull).unwrap();
/// assert_eq!(pull.recv(DONTWAIT).unwrap_err(), Error::Again);
/// assert_eq!(Error::Again.errno(), 11);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `EAGAIN`: non-blocking mode was requested and the operation would block, or a
    /// timeout (`RCVTIMEO`/`SNDTIMEO`) expired.
    #[error("Resource temporarily unavailable")]
    Again,
    /// `EINVAL`: an argument (endpoint, option value…) is invalid.
    #[error("Invalid argument")]
    Invalid,
    /// `EFSM`: the operation is not allowed in the socket's current state.
    #[error("Operation cannot be accomplished in current state")]
    Fsm,
    /// `ETERM`: the context was terminated.
    #[error("Context was terminated")]
    Term,
    /// `EADDRINUSE`: the address is already in use.
    #[error("Address already in use")]
    AddrInUse,
    /// `EADDRNOTAVAIL`: the address is not local.
    #[error("Cannot assign requested address")]
    AddrNotAvail,
    /// `EPROTONOSUPPORT`: the transport is not supported.
    #[error("Protocol not supported")]
    ProtoNoSupport,
    /// `ENOCOMPATPROTO`: the transport does not work with this socket type.
    #[error("The protocol is not compatible with the socket type")]
    NoCompatProto,
    /// `ENOENT`: the endpoint was not bound or connected.
    #[error("No such file or directory")]
    NoEnt,
    /// `ENOTSUP`: the socket type does not support the operation.
    #[error("Operation not supported")]
    NotSup,
    /// `EHOSTUNREACH`: the message cannot be routed.
    #[error("Host unreachable")]
    HostUnreach,
    /// `EMSGSIZE`: the message is too large.
    #[error("Message too long")]
    MsgSize,
    /// `ENODEV`: the named interface does not exist.
    #[error("No such device")]
    NoDev,
    /// `EINTR`: the call was interrupted by a signal.
    #[error("Interrupted system call")]
    Intr,
    /// `EMFILE`: too many sockets or files are open.
    #[error("Too many open files")]
    MFile,
    /// `EMTHREAD`: no I/O thread is available.
    #[error("No thread available")]
    MThread,
    /// `EFAULT`: an invalid object was passed.
    #[error("Bad address")]
    Fault,
    /// `ENOTSOCK`: the socket is closed or invalid.
    #[error("Socket operation on non-socket")]
    NotSock,
    /// `ENAMETOOLONG`: a path is too long.
    #[error("File name too long")]
    NameTooLong,
    /// Any other operating-system error, by errno.
    #[error("Operating system error {0}")]
    Os(i32),
}

impl Error {
    /// The errno value libzmq reports for this error on Linux.
    ///
    /// ```
    /// assert_eq!(ferromq::Error::Fsm.errno(), 156_384_763);
    /// assert_eq!(ferromq::Error::Invalid.errno(), 22);
    /// ```
    pub fn errno(self) -> i32 {
        match self {
            Error::Again => libc::EAGAIN,
            Error::Invalid => libc::EINVAL,
            Error::Fsm => EFSM,
            Error::Term => ETERM,
            Error::AddrInUse => libc::EADDRINUSE,
            Error::AddrNotAvail => libc::EADDRNOTAVAIL,
            Error::ProtoNoSupport => libc::EPROTONOSUPPORT,
            Error::NoCompatProto => ENOCOMPATPROTO,
            Error::NoEnt => libc::ENOENT,
            Error::NotSup => libc::ENOTSUP,
            Error::HostUnreach => libc::EHOSTUNREACH,
            Error::MsgSize => libc::EMSGSIZE,
            Error::NoDev => libc::ENODEV,
            Error::Intr => libc::EINTR,
            Error::MFile => libc::EMFILE,
            Error::MThread => EMTHREAD,
            Error::Fault => libc::EFAULT,
            Error::NotSock => libc::ENOTSOCK,
            Error::NameTooLong => libc::ENAMETOOLONG,
            Error::Os(n) => n,
        }
    }

    /// The error for an errno value (the inverse of [`Error::errno`]).
    ///
    /// ```
    /// use ferromq::Error;
    /// assert_eq!(Error::from_errno(156_384_765), Error::Term);
    /// assert_eq!(Error::from_errno(Error::AddrInUse.errno()), Error::AddrInUse);
    /// ```
    pub fn from_errno(errno: i32) -> Error {
        const KNOWN: [Error; 19] = [
            Error::Again,
            Error::Invalid,
            Error::Fsm,
            Error::Term,
            Error::AddrInUse,
            Error::AddrNotAvail,
            Error::ProtoNoSupport,
            Error::NoCompatProto,
            Error::NoEnt,
            Error::NotSup,
            Error::HostUnreach,
            Error::MsgSize,
            Error::NoDev,
            Error::Intr,
            Error::MFile,
            Error::MThread,
            Error::Fault,
            Error::NotSock,
            Error::NameTooLong,
        ];
        KNOWN
            .into_iter()
            .find(|e| e.errno() == errno)
            .unwrap_or(Error::Os(errno))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        match e.raw_os_error() {
            Some(n) => Error::from_errno(n),
            None => match e.kind() {
                std::io::ErrorKind::WouldBlock => Error::Again,
                std::io::ErrorKind::InvalidInput => Error::Invalid,
                std::io::ErrorKind::AddrInUse => Error::AddrInUse,
                std::io::ErrorKind::AddrNotAvailable => Error::AddrNotAvail,
                _ => Error::Os(libc::EIO),
            },
        }
    }
}

/// The result type of ferromq calls.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zmq_specific_numbers_match_zmq_h() {
        assert_eq!(EFSM, 156_384_763);
        assert_eq!(ENOCOMPATPROTO, 156_384_764);
        assert_eq!(ETERM, 156_384_765);
        assert_eq!(EMTHREAD, 156_384_766);
    }

    #[test]
    fn errno_round_trips() {
        for e in [Error::Again, Error::NoEnt, Error::MThread, Error::Os(9999)] {
            assert_eq!(Error::from_errno(e.errno()), e);
        }
    }

    #[test]
    fn io_errors_map_to_errno() {
        let e = std::io::Error::from_raw_os_error(libc::EADDRINUSE);
        assert_eq!(Error::from(e), Error::AddrInUse);
    }
}
