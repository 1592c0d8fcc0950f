//! Error reporting to C: errno values, `zmq_errno` and `zmq_strerror`.

use crate::constants::{EFSM, EMTHREAD, ENOCOMPATPROTO, ETERM};
use crate::ffi::guard_infallible;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

/// An errno value to report to C.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Errno(pub c_int);

impl From<ferromq_core::Error> for Errno {
    fn from(e: ferromq_core::Error) -> Errno {
        Errno(e.errno())
    }
}

/// What an export's body returns: its value, or the errno to report.
pub(crate) type CResult<T> = Result<T, Errno>;

/// `EINVAL`.
pub(crate) const EINVAL: Errno = Errno(libc::EINVAL);
/// `EFAULT`.
pub(crate) const EFAULT: Errno = Errno(libc::EFAULT);
/// `ENOTSOCK`.
pub(crate) const ENOTSOCK: Errno = Errno(libc::ENOTSOCK);

/// Sets the calling thread's C `errno`.
pub(crate) fn set_errno(value: c_int) {
    // SAFETY: __errno_location returns a valid pointer to the calling thread's errno.
    unsafe { *libc::__errno_location() = value };
}

/// The calling thread's errno: the error of the last failed call.
#[no_mangle]
pub extern "C" fn zmq_errno() -> c_int {
    // SAFETY: __errno_location returns a valid pointer to the calling thread's errno.
    unsafe { *libc::__errno_location() }
}

/// The text of libzmq's own error numbers, `None` for operating-system ones.
pub(crate) fn zmq_specific_text(errnum: c_int) -> Option<&'static CStr> {
    Some(match errnum {
        EFSM => c"Operation cannot be accomplished in current state",
        ENOCOMPATPROTO => c"The protocol is not compatible with the socket type",
        ETERM => c"Context was terminated",
        EMTHREAD => c"No thread available",
        _ => return None,
    })
}

/// A static, NUL-terminated description of `errnum`.
#[no_mangle]
pub extern "C" fn zmq_strerror(errnum: c_int) -> *const c_char {
    guard_infallible(c"Unknown error".as_ptr(), || {
        if let Some(text) = zmq_specific_text(errnum) {
            return text.as_ptr();
        }
        // SAFETY: strerror accepts any number and returns a pointer to a static (or
        // thread-local) NUL-terminated string, as libzmq relies on too.
        unsafe { libc::strerror(errnum) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_values_match_libzmq_on_linux() {
        assert_eq!(EFSM, 156_384_763);
        assert_eq!(ENOCOMPATPROTO, 156_384_764);
        assert_eq!(ETERM, 156_384_765);
        assert_eq!(EMTHREAD, 156_384_766);
        assert_eq!(Errno::from(ferromq_core::Error::Fsm), Errno(EFSM));
        assert_eq!(Errno::from(ferromq_core::Error::NotSock), Errno(88));
        assert_eq!(Errno::from(ferromq_core::Error::Again), Errno(11));
    }

    #[test]
    fn strerror_texts() {
        // SAFETY: zmq_strerror returns a static NUL-terminated string.
        let text = |n| unsafe { CStr::from_ptr(zmq_strerror(n)) }.to_str().unwrap();
        assert_eq!(
            text(EFSM),
            "Operation cannot be accomplished in current state"
        );
        assert_eq!(text(ETERM), "Context was terminated");
        assert_eq!(text(libc::EAGAIN), "Resource temporarily unavailable");
    }
}
