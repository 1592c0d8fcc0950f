//! `zmq_z85_encode` / `zmq_z85_decode`: the C functions over the core's Z85 codec
//! ([`ferromq_core::proto::z85`], which follows libzmq's length and character rules).

use crate::errno::EINVAL;
use crate::ffi::guard;
use ferromq_core::proto::z85;
use std::ffi::CStr;
use std::os::raw::c_char;

/// Writes the Z85 text of `size` bytes at `data` (size a multiple of 4) into `dest`,
/// which must hold `size * 5 / 4 + 1` bytes; returns `dest`, or NULL with EINVAL.
///
/// # Safety
/// `data` points to `size` bytes and `dest` to `size * 5 / 4 + 1` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_z85_encode(
    dest: *mut c_char,
    data: *const u8,
    size: usize,
) -> *mut c_char {
    guard(std::ptr::null_mut(), || {
        if dest.is_null() || (data.is_null() && size != 0) {
            return Err(EINVAL);
        }
        let input = if size == 0 {
            &[][..]
        } else {
            // SAFETY: `data` points to `size` bytes (caller's contract).
            unsafe { std::slice::from_raw_parts(data, size) }
        };
        let text = z85::encode(input).map_err(|_| EINVAL)?;
        // SAFETY: `dest` has room for the text and its NUL (caller's contract).
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), dest.cast::<u8>(), text.len());
            *dest.add(text.len()) = 0;
        }
        Ok(dest)
    })
}

/// Decodes the NUL-terminated Z85 `string` (a non-empty multiple of 5 characters) into
/// `dest`, which must hold `strlen(string) * 4 / 5` bytes; returns `dest`, or NULL with
/// EINVAL (bad length, a character outside the alphabet, a group above 2^32 - 1).
/// Nothing is written on failure.
///
/// # Safety
/// `string` is a NUL-terminated string and `dest` has room for the decoded bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_z85_decode(dest: *mut u8, string: *const c_char) -> *mut u8 {
    guard(std::ptr::null_mut(), || {
        if dest.is_null() || string.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `string` is NUL-terminated (caller's contract).
        let text = unsafe { CStr::from_ptr(string) }.to_bytes();
        let bytes = z85::decode(text).map_err(|_| EINVAL)?;
        // SAFETY: `dest` has room for the decoded bytes (caller's contract).
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), dest, bytes.len()) };
        Ok(dest)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_functions() {
        let mut text = [0 as c_char; 11];
        let data = [0x86u8, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
        // SAFETY: buffers of the documented sizes.
        unsafe {
            assert!(!zmq_z85_encode(text.as_mut_ptr(), data.as_ptr(), 8).is_null());
            assert_eq!(CStr::from_ptr(text.as_ptr()).to_bytes(), b"HelloWorld");
            let mut back = [0u8; 8];
            assert!(!zmq_z85_decode(back.as_mut_ptr(), text.as_ptr()).is_null());
            assert_eq!(back, data);
            assert!(zmq_z85_encode(text.as_mut_ptr(), data.as_ptr(), 3).is_null());
            assert_eq!(crate::zmq_errno(), libc::EINVAL);
            assert!(zmq_z85_decode(back.as_mut_ptr(), c"abc".as_ptr()).is_null());
            assert!(zmq_z85_decode(back.as_mut_ptr(), c"".as_ptr()).is_null());
            assert!(zmq_z85_decode(back.as_mut_ptr(), c"%nSc1".as_ptr()).is_null());
            assert_eq!(crate::zmq_errno(), libc::EINVAL);
        }
    }
}
