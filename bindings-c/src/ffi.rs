//! The helpers every export uses at the C boundary: the panic guard around its body, and
//! the conversions of C arguments (strings, buffers) and return values (lengths).

use crate::errno::{set_errno, CResult, Errno, EINVAL};
use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs an export's body: returns its value, or sets errno and returns `fail` on an
/// error. A panic never unwinds into C: it is reported as EFAULT.
pub(crate) fn guard<T>(fail: T, body: impl FnOnce() -> CResult<T>) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(v)) => v,
        Ok(Err(Errno(e))) => {
            set_errno(e);
            fail
        }
        Err(_) => {
            set_errno(libc::EFAULT);
            fail
        }
    }
}

/// Runs a body that cannot fail but must not unwind into C either.
pub(crate) fn guard_infallible<T>(fail: T, body: impl FnOnce() -> T) -> T {
    guard(fail, || Ok(body()))
}

/// The NUL-terminated string `s` as UTF-8: EINVAL for NULL or invalid UTF-8.
///
/// # Safety
/// `s` is NULL or a NUL-terminated string.
pub(crate) unsafe fn c_str<'a>(s: *const c_char) -> CResult<&'a str> {
    if s.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: as the caller guarantees.
    unsafe { CStr::from_ptr(s) }.to_str().map_err(|_| EINVAL)
}

/// `len` bytes at `buf` as a slice: EFAULT for NULL with a non-zero length.
///
/// # Safety
/// `buf` is NULL or points to `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn byte_slice<'a>(buf: *const c_void, len: usize) -> CResult<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if buf.is_null() {
        return Err(Errno(libc::EFAULT));
    }
    // SAFETY: as the caller guarantees.
    Ok(unsafe { std::slice::from_raw_parts(buf as *const u8, len) })
}

/// The byte length as libzmq's `int` return value (saturating).
pub(crate) fn int_len(n: usize) -> c_int {
    c_int::try_from(n).unwrap_or(c_int::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::ETERM;
    use crate::errno::zmq_errno;

    #[test]
    fn guard_sets_errno_and_catches_panics() {
        assert_eq!(guard(-1, || Err(Errno(ETERM))), -1);
        assert_eq!(zmq_errno(), ETERM);
        assert_eq!(guard(-1, || -> CResult<i32> { panic!("boom") }), -1);
        assert_eq!(zmq_errno(), libc::EFAULT);
        assert_eq!(guard(-1, || Ok(7)), 7);
    }

    #[test]
    fn c_arguments_are_checked_before_use() {
        // SAFETY: NULL is allowed.
        let null_str = unsafe { c_str(std::ptr::null()) };
        assert_eq!(null_str, Err(EINVAL));
        // SAFETY: the literal is NUL-terminated and static.
        let endpoint = unsafe { c_str(c"tcp://a:1".as_ptr()) };
        assert_eq!(endpoint, Ok("tcp://a:1"));
        // SAFETY: NULL is allowed (it is never read).
        let null_buf = unsafe { byte_slice(std::ptr::null(), 4) };
        assert_eq!(null_buf, Err(Errno(libc::EFAULT)));
        // SAFETY: as above.
        let empty = unsafe { byte_slice(std::ptr::null(), 0) };
        assert_eq!(empty, Ok(&[][..]));
        assert_eq!(int_len(5), 5);
        assert_eq!(int_len(usize::MAX), c_int::MAX, "saturates");
    }
}
