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

/// Generates [`Error`], its errno mapping and [`Error::KNOWN`] from one list: variant,
/// errno name, errno value (libzmq's on Linux), message.
macro_rules! errors {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $name:literal, $errno:expr, $msg:literal;
    )*) => {
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
            $(
                $(#[doc = $doc])*
                #[error($msg)]
                $variant,
            )*
            /// Any other operating-system error, by errno.
            #[error("Operating system error {0}")]
            Os(i32),
        }

        impl Error {
            /// Every error but [`Error::Os`], with its errno name and value: the table the
            /// C header and the Python constants are checked against.
            ///
            /// ```
            /// use ferromq::Error;
            /// assert!(Error::KNOWN.contains(&(Error::Term, "ETERM", ferromq::ETERM)));
            /// ```
            pub const KNOWN: &'static [(Error, &'static str, i32)] = &[
                $((Error::$variant, $name, $errno),)*
            ];

            /// The errno value libzmq reports for this error on Linux.
            ///
            /// ```
            /// assert_eq!(ferromq::Error::Fsm.errno(), 156_384_763);
            /// assert_eq!(ferromq::Error::Invalid.errno(), 22);
            /// ```
            pub fn errno(self) -> i32 {
                match self {
                    $(Error::$variant => $errno,)*
                    Error::Os(n) => n,
                }
            }
        }
    };
}

errors! {
    /// `EAGAIN`: non-blocking mode was requested and the operation would block, or a
    /// timeout (`RCVTIMEO`/`SNDTIMEO`) expired.
    Again = "EAGAIN", libc::EAGAIN, "Resource temporarily unavailable";
    /// `EINVAL`: an argument (endpoint, option value…) is invalid.
    Invalid = "EINVAL", libc::EINVAL, "Invalid argument";
    /// `EFSM`: the operation is not allowed in the socket's current state.
    Fsm = "EFSM", EFSM, "Operation cannot be accomplished in current state";
    /// `ETERM`: the context was terminated.
    Term = "ETERM", ETERM, "Context was terminated";
    /// `EADDRINUSE`: the address is already in use.
    AddrInUse = "EADDRINUSE", libc::EADDRINUSE, "Address already in use";
    /// `EADDRNOTAVAIL`: the address is not local.
    AddrNotAvail = "EADDRNOTAVAIL", libc::EADDRNOTAVAIL, "Cannot assign requested address";
    /// `EPROTONOSUPPORT`: the transport is not supported.
    ProtoNoSupport = "EPROTONOSUPPORT", libc::EPROTONOSUPPORT, "Protocol not supported";
    /// `ENOCOMPATPROTO`: the transport does not work with this socket type.
    NoCompatProto = "ENOCOMPATPROTO", ENOCOMPATPROTO, "The protocol is not compatible with the socket type";
    /// `ENOENT`: the endpoint was not bound or connected.
    NoEnt = "ENOENT", libc::ENOENT, "No such file or directory";
    /// `ENOTSUP`: the socket type does not support the operation.
    NotSup = "ENOTSUP", libc::ENOTSUP, "Operation not supported";
    /// `EHOSTUNREACH`: the message cannot be routed.
    HostUnreach = "EHOSTUNREACH", libc::EHOSTUNREACH, "Host unreachable";
    /// `EMSGSIZE`: the message is too large.
    MsgSize = "EMSGSIZE", libc::EMSGSIZE, "Message too long";
    /// `ENODEV`: the named interface does not exist.
    NoDev = "ENODEV", libc::ENODEV, "No such device";
    /// `EINTR`: the call was interrupted by a signal.
    Intr = "EINTR", libc::EINTR, "Interrupted system call";
    /// `EMFILE`: too many sockets or files are open.
    MFile = "EMFILE", libc::EMFILE, "Too many open files";
    /// `EMTHREAD`: no I/O thread is available.
    MThread = "EMTHREAD", EMTHREAD, "No thread available";
    /// `EFAULT`: an invalid object was passed.
    Fault = "EFAULT", libc::EFAULT, "Bad address";
    /// `ENOTSOCK`: the socket is closed or invalid.
    NotSock = "ENOTSOCK", libc::ENOTSOCK, "Socket operation on non-socket";
    /// `ENAMETOOLONG`: a path is too long.
    NameTooLong = "ENAMETOOLONG", libc::ENAMETOOLONG, "File name too long";
}

impl Error {
    /// The error for an errno value (the inverse of [`Error::errno`]).
    ///
    /// ```
    /// use ferromq::Error;
    /// assert_eq!(Error::from_errno(156_384_765), Error::Term);
    /// assert_eq!(Error::from_errno(Error::AddrInUse.errno()), Error::AddrInUse);
    /// ```
    pub fn from_errno(errno: i32) -> Error {
        Error::KNOWN
            .iter()
            .find(|(_, _, n)| *n == errno)
            .map_or(Error::Os(errno), |(e, _, _)| *e)
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
    fn known_errors_map_to_their_own_errno() {
        for (i, (e, name, n)) in Error::KNOWN.iter().enumerate() {
            assert_eq!(e.errno(), *n, "{name}");
            assert!(
                Error::KNOWN[i + 1..].iter().all(|(_, _, m)| m != n),
                "{name}"
            );
        }
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
