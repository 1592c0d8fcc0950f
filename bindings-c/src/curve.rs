//! `zmq_curve_keypair` and `zmq_curve_public`: CURVE keys as 40-character Z85 C strings,
//! made by the core's key types ([`ferromq_core::proto::curve`]).

use crate::errno::{Errno, EINVAL};
use crate::ffi::guard;
use ferromq_core::proto::curve::{CurveKeyPair, CurveSecretKey, Z85_KEY_LEN};
use ferromq_core::proto::z85;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};
use zeroize::Zeroizing;

/// Copies a 40-character key and its NUL into a 41-byte C buffer.
///
/// # Safety
/// `dest` points to 41 writable bytes.
unsafe fn write_key(dest: *mut c_char, text: &str) {
    debug_assert_eq!(text.len(), Z85_KEY_LEN);
    // SAFETY: `dest` holds Z85_KEY_LEN + 1 bytes (caller's contract); `text` is that long.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), dest.cast::<u8>(), Z85_KEY_LEN);
        *dest.add(Z85_KEY_LEN) = 0;
    }
}

/// Generates a new key pair and writes both keys as Z85 text with a NUL (41 bytes
/// each); 0, or -1 with EINVAL for a NULL buffer (or the OS random generator's errno
/// EIO if it fails).
///
/// # Safety
/// Both pointers point to 41 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_curve_keypair(
    z85_public_key: *mut c_char,
    z85_secret_key: *mut c_char,
) -> c_int {
    guard(-1, || {
        if z85_public_key.is_null() || z85_secret_key.is_null() {
            return Err(EINVAL);
        }
        let pair = CurveKeyPair::generate().map_err(|_| Errno(libc::EIO))?;
        // SAFETY: both buffers hold 41 bytes (caller's contract).
        unsafe {
            write_key(z85_public_key, &pair.public().to_z85());
            write_key(z85_secret_key, &pair.secret().to_z85());
        }
        Ok(0)
    })
}

/// Derives the public key of the Z85 secret key `z85_secret_key` (40 characters) and
/// writes it as Z85 text with a NUL into `z85_public_key` (41 bytes); 0, or -1 with
/// EINVAL if the secret is not 40 valid Z85 characters (nothing is written then).
///
/// # Safety
/// `z85_secret_key` is a NUL-terminated string; `z85_public_key` points to 41 writable
/// bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_curve_public(
    z85_public_key: *mut c_char,
    z85_secret_key: *const c_char,
) -> c_int {
    guard(-1, || {
        if z85_public_key.is_null() || z85_secret_key.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: a NUL-terminated string (caller's contract).
        let text = unsafe { CStr::from_ptr(z85_secret_key) }.to_bytes();
        let bytes = Zeroizing::new(z85::decode_array::<32>(text).map_err(|_| EINVAL)?);
        let public = CurveSecretKey::from_bytes(*bytes).public_key();
        // SAFETY: the buffer holds 41 bytes (caller's contract).
        unsafe { write_key(z85_public_key, &public.to_z85()) };
        Ok(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(buf: &[c_char; 41]) -> &[u8] {
        // SAFETY: the functions wrote a NUL-terminated string into the buffer.
        unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes()
    }

    #[test]
    fn zmq_curve_adoc_vectors() {
        let mut public = [0 as c_char; 41];
        // SAFETY: a 41-byte buffer and a NUL-terminated string.
        let rc = unsafe {
            zmq_curve_public(
                public.as_mut_ptr(),
                c"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs".as_ptr(),
            )
        };
        assert_eq!(rc, 0);
        assert_eq!(text(&public), b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    }

    #[test]
    fn keypair_is_consistent_and_bad_secrets_fail() {
        let (mut public, mut secret, mut derived) = ([0 as c_char; 41], [0; 41], [0; 41]);
        // SAFETY: 41-byte buffers.
        unsafe {
            assert_eq!(
                zmq_curve_keypair(public.as_mut_ptr(), secret.as_mut_ptr()),
                0
            );
            assert_eq!(zmq_curve_public(derived.as_mut_ptr(), secret.as_ptr()), 0);
        }
        assert_eq!(text(&public), text(&derived));
        assert_eq!(text(&secret).len(), 40);
        // SAFETY: 41-byte buffers and NUL-terminated strings.
        unsafe {
            assert_eq!(
                zmq_curve_public(derived.as_mut_ptr(), c"HelloWorld".as_ptr()),
                -1
            );
            assert_eq!(crate::zmq_errno(), libc::EINVAL);
            let spaced = c"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%c ";
            assert_eq!(zmq_curve_public(derived.as_mut_ptr(), spaced.as_ptr()), -1);
            assert_eq!(
                zmq_curve_keypair(std::ptr::null_mut(), secret.as_mut_ptr()),
                -1
            );
        }
    }
}
