//! `zmq_version`, `zmq_has` and `zmq_sleep`.

use crate::constants::{ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH};
use crate::ffi::guard_infallible;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

/// Writes the libzmq version this library is compatible with (4.3.5).
///
/// # Safety
/// Each pointer is NULL or points to an `int`.
#[no_mangle]
pub unsafe extern "C" fn zmq_version(major: *mut c_int, minor: *mut c_int, patch: *mut c_int) {
    for (p, v) in [
        (major, ZMQ_VERSION_MAJOR),
        (minor, ZMQ_VERSION_MINOR),
        (patch, ZMQ_VERSION_PATCH),
    ] {
        if !p.is_null() {
            // SAFETY: a non-NULL pointer to an int (caller's contract).
            unsafe { *p = v };
        }
    }
}

/// Whether a capability is built in: "ipc" and "curve" yes; "pgm", "tipc", "norm",
/// "gssapi", "vmci", "draft", "WS", "WSS" no.
pub fn has(capability: &[u8]) -> bool {
    matches!(capability, b"ipc" | b"curve")
}

/// 1 if `capability` is supported, else 0.
///
/// # Safety
/// `capability` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn zmq_has(capability: *const c_char) -> c_int {
    guard_infallible(0, || {
        if capability.is_null() {
            return 0;
        }
        // SAFETY: a NUL-terminated string (caller's contract).
        c_int::from(has(unsafe { CStr::from_ptr(capability) }.to_bytes()))
    })
}

/// Sleeps `seconds` seconds.
#[no_mangle]
pub extern "C" fn zmq_sleep(seconds: c_int) {
    guard_infallible((), || {
        let secs = u64::try_from(seconds).unwrap_or(0);
        std::thread::sleep(std::time::Duration::from_secs(secs));
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_capabilities() {
        let (mut a, mut b, mut c) = (0, 0, 0);
        // SAFETY: pointers to ints.
        unsafe { zmq_version(&mut a, &mut b, &mut c) };
        assert_eq!((a, b, c), (4, 3, 5));
        // SAFETY: NUL-terminated strings.
        unsafe {
            assert_eq!(zmq_has(c"ipc".as_ptr()), 1);
            assert_eq!(zmq_has(c"curve".as_ptr()), 1);
            assert_eq!(zmq_has(c"draft".as_ptr()), 0);
        }
    }
}
