//! Z85 (ZeroMQ RFC 32): binary to printable text, 4 bytes to 5 characters. A sans-IO
//! codec ([`encode`], [`decode`]) and the C functions over it.

use crate::errno::EINVAL;
use crate::ffi::guard;
use std::ffi::CStr;
use std::os::raw::c_char;

const ALPHABET: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Encodes `data` (a multiple of 4 bytes long), `None` otherwise.
///
/// `[0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]` encodes as `"HelloWorld"` (the
/// RFC's test vector).
pub fn encode(data: &[u8]) -> Option<String> {
    if data.len() % 4 != 0 {
        return None;
    }
    let mut out = String::with_capacity(data.len() / 4 * 5);
    for chunk in data.chunks_exact(4) {
        let mut value = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let mut group = [0u8; 5];
        for slot in group.iter_mut().rev() {
            *slot = ALPHABET[(value % 85) as usize];
            value /= 85;
        }
        out.extend(group.iter().map(|&b| char::from(b)));
    }
    Some(out)
}

/// Decodes Z85 `text` (a multiple of 5 characters long), `None` if it is not valid.
///
/// `b"HelloWorld"` decodes to `[0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]`.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 5 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 5 * 4);
    for group in text.chunks_exact(5) {
        let mut value: u64 = 0;
        for &c in group {
            let digit = ALPHABET.iter().position(|&a| a == c)?;
            value = value * 85 + digit as u64;
        }
        let value = u32::try_from(value).ok()?;
        out.extend_from_slice(&value.to_be_bytes());
    }
    Some(out)
}

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
        let text = encode(input).ok_or(EINVAL)?;
        // SAFETY: `dest` has room for the text and its NUL (caller's contract).
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), dest as *mut u8, text.len());
            *dest.add(text.len()) = 0;
        }
        Ok(dest)
    })
}

/// Decodes the NUL-terminated Z85 `string` (length a multiple of 5) into `dest`, which
/// must hold `strlen(string) * 4 / 5` bytes; returns `dest`, or NULL with EINVAL.
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
        let bytes = decode(text).ok_or(EINVAL)?;
        // SAFETY: `dest` has room for the decoded bytes (caller's contract).
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), dest, bytes.len()) };
        Ok(dest)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_32_test_vector() {
        let data = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
        assert_eq!(encode(&data).unwrap(), "HelloWorld");
        assert_eq!(decode(b"HelloWorld").unwrap(), data);
    }

    #[test]
    fn round_trips_and_rejects_bad_input() {
        let data: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(encode(&data).unwrap().as_bytes()).unwrap(), data);
        assert_eq!(encode(&[1, 2, 3]), None);
        assert_eq!(decode(b"abcd"), None);
        assert_eq!(decode(b"abc d"), None);
        // Larger than u32::MAX.
        assert_eq!(decode(b"#####"), None);
        assert_eq!(encode(&[]).unwrap(), "");
    }

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
            assert!(zmq_z85_decode(back.as_mut_ptr(), c"abc".as_ptr()).is_null());
        }
    }
}
