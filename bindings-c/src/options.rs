//! `zmq_setsockopt` / `zmq_getsockopt`: options by libzmq number, with libzmq's size
//! rules (an `int` option takes exactly `sizeof(int)` bytes, strings come back
//! NUL-terminated with the NUL counted).

use crate::errno::{CResult, Errno, EINVAL};
use crate::ffi::{byte_slice, guard};
use crate::socket::with_socket;
use ferromq_core::proto::z85;
use ferromq_core::sockopt::{self, OptionType, OptionValue, ValueKind};
use std::os::raw::{c_int, c_void};

/// The value of a `zmq_setsockopt` call as ferromq takes it.
fn parse_value(option: c_int, bytes: &[u8]) -> CResult<OptionValue> {
    let kind = sockopt::info(option).ok_or(EINVAL)?.kind;
    // libzmq clears an IPC filter set when its option is given NULL (no bytes).
    if bytes.is_empty() && kind == ValueKind::IntOrNull {
        return Ok(OptionValue::Bytes(Vec::new()));
    }
    match kind.option_type() {
        OptionType::Int => {
            let raw: [u8; 4] = bytes.try_into().map_err(|_| EINVAL)?;
            Ok(OptionValue::Int(i32::from_ne_bytes(raw)))
        }
        OptionType::Int64 => {
            let raw: [u8; 8] = bytes.try_into().map_err(|_| EINVAL)?;
            Ok(OptionValue::Int64(i64::from_ne_bytes(raw)))
        }
        OptionType::Bytes => Ok(OptionValue::Bytes(bytes.to_vec())),
    }
}

/// The bytes `zmq_getsockopt` writes for `value` of `option`.
fn encode_value(option: c_int, value: OptionValue) -> Vec<u8> {
    match value {
        OptionValue::Int(v) => v.to_ne_bytes().to_vec(),
        OptionValue::Int64(v) => v.to_ne_bytes().to_vec(),
        OptionValue::Bytes(mut b) => {
            if sockopt::is_string(option) {
                b.push(0);
            }
            b
        }
    }
}

/// Whether a value of `len` bytes may be written into a buffer of `room`: libzmq wants
/// the exact size for the numeric options it keeps in its option table, and enough room
/// for the others (RCVMORE, FD, EVENTS, THREAD_SAFE, strings, routing ids).
fn fits(room: usize, len: usize, exact: bool) -> bool {
    if exact {
        room == len
    } else {
        room >= len
    }
}

/// Options that libzmq clears only with `(NULL, 0)`: a non-NULL empty value is EINVAL
/// there (its "strict" strings and the IPC filter sets; the option table's kinds).
fn empty_needs_null(option: c_int) -> bool {
    sockopt::info(option)
        .is_some_and(|row| matches!(row.kind, ValueKind::StrictStr | ValueKind::IntOrNull))
}

/// Sets socket option `option` from `optvallen` bytes at `optval`.
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`; `optval` points to `optvallen`
/// readable bytes (it may be NULL when `optvallen` is 0).
#[no_mangle]
pub unsafe extern "C" fn zmq_setsockopt(
    s: *mut c_void,
    option: c_int,
    optval: *const c_void,
    optvallen: usize,
) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let bytes = unsafe { byte_slice(optval, optvallen) }.map_err(|_| EINVAL)?;
        // SAFETY: as the caller guarantees.
        unsafe {
            with_socket(s, |sock| {
                if bytes.is_empty() && !optval.is_null() && empty_needs_null(option) {
                    return Err(EINVAL);
                }
                let value = parse_value(option, bytes)?;
                Ok(sock.set_option(option, &value)?)
            })
        }?;
        Ok(0)
    })
}

/// Reads socket option `option` into `optval`, which has room for `*optvallen` bytes;
/// sets `*optvallen` to the length written. EINVAL when the buffer is too small (or, for
/// most numeric options, as in libzmq, not exactly the option's size).
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`; `optvallen` is NULL or points to a
/// `size_t`, and `optval` to that many writable bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_getsockopt(
    s: *mut c_void,
    option: c_int,
    optval: *mut c_void,
    optvallen: *mut usize,
) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let value = unsafe { with_socket(s, |sock| Ok(sock.get_option(option)?)) }?;
        if optvallen.is_null() {
            return Err(Errno(libc::EFAULT));
        }
        // SAFETY: `optvallen` is non-NULL and points to a size_t (caller's contract).
        let room = unsafe { *optvallen };
        let exact = matches!(value, OptionValue::Int(_) | OptionValue::Int64(_))
            && !matches!(
                option,
                sockopt::RCVMORE | sockopt::FD | sockopt::EVENTS | sockopt::THREAD_SAFE
            );
        let bytes = match curve_key_text(option, room, &value) {
            Some(key) => key?,
            None => encode_value(option, value),
        };
        if !fits(room, bytes.len(), exact) || (optval.is_null() && !bytes.is_empty()) {
            return Err(EINVAL);
        }
        if !bytes.is_empty() {
            // SAFETY: `optval` has room for `room` >= `bytes.len()` bytes.
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), optval as *mut u8, bytes.len())
            };
        }
        if zero_fills(option) && room > bytes.len() && !optval.is_null() {
            // SAFETY: `optval` has room for `room` bytes (caller's contract); this writes
            // the ones after the value.
            unsafe {
                std::ptr::write_bytes((optval as *mut u8).add(bytes.len()), 0, room - bytes.len())
            };
        }
        // SAFETY: as above.
        unsafe { *optvallen = bytes.len() };
        Ok(0)
    })
}

/// A CURVE key as libzmq's `do_getsockopt_curve_key` writes it: raw into a 32-byte
/// buffer, Z85 and a NUL into a 41-byte one, EINVAL for any other size; `None` for the
/// other options.
fn curve_key_text(option: c_int, room: usize, value: &OptionValue) -> Option<CResult<Vec<u8>>> {
    if !matches!(
        option,
        sockopt::CURVE_PUBLICKEY | sockopt::CURVE_SECRETKEY | sockopt::CURVE_SERVERKEY
    ) {
        return None;
    }
    let OptionValue::Bytes(key) = value else {
        return Some(Err(EINVAL));
    };
    Some(match room {
        32 => Ok(key.clone()),
        41 => z85::encode(key).map_err(|_| EINVAL).map(|text| {
            let mut out = text.into_bytes();
            out.push(0);
            out
        }),
        _ => Err(EINVAL),
    })
}

/// Options that libzmq's socket layer (not its option table) answers, accepting a larger
/// buffer and zeroing the rest of it: an `int64_t` read of ZMQ_RCVMORE is then 0 or 1.
fn zero_fills(option: c_int) -> bool {
    matches!(
        option,
        sockopt::RCVMORE
            | sockopt::FD
            | sockopt::EVENTS
            | sockopt::THREAD_SAFE
            | sockopt::LAST_ENDPOINT
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_options_need_exactly_an_int() {
        assert_eq!(
            parse_value(sockopt::LINGER, &5i32.to_ne_bytes()),
            Ok(OptionValue::Int(5))
        );
        assert_eq!(parse_value(sockopt::LINGER, &[0; 8]), Err(EINVAL));
        assert_eq!(parse_value(sockopt::MAXMSGSIZE, &[0; 4]), Err(EINVAL));
        assert_eq!(parse_value(9999, &[0; 4]), Err(EINVAL));
    }

    #[test]
    fn null_rules_follow_the_table() {
        assert!(empty_needs_null(sockopt::SOCKS_PROXY));
        assert!(empty_needs_null(sockopt::IPC_FILTER_GID));
        assert!(!empty_needs_null(sockopt::ROUTING_ID));
        assert_eq!(
            parse_value(sockopt::IPC_FILTER_UID, &[]),
            Ok(OptionValue::Bytes(Vec::new()))
        );
        assert_eq!(parse_value(sockopt::LINGER, &[]), Err(EINVAL));
    }

    #[test]
    fn getsockopt_size_rules() {
        assert!(fits(4, 4, true));
        assert!(!fits(8, 4, true));
        assert!(fits(8, 4, false));
        assert!(!fits(3, 4, false));
    }

    #[test]
    fn curve_keys_come_raw_or_as_z85() {
        let key = OptionValue::Bytes(vec![0; 32]);
        let k = sockopt::CURVE_SERVERKEY;
        assert_eq!(curve_key_text(k, 32, &key), Some(Ok(vec![0; 32])));
        let z85 = curve_key_text(k, 41, &key).unwrap().unwrap();
        assert_eq!(&z85[..], b"0000000000000000000000000000000000000000\0");
        assert_eq!(curve_key_text(k, 40, &key), Some(Err(EINVAL)));
        assert_eq!(curve_key_text(sockopt::ROUTING_ID, 32, &key), None);
    }

    #[test]
    fn last_endpoint_is_nul_terminated() {
        let v = encode_value(
            sockopt::LAST_ENDPOINT,
            OptionValue::Bytes(b"tcp://x:1".to_vec()),
        );
        assert_eq!(v, b"tcp://x:1\0");
        let id = encode_value(sockopt::ROUTING_ID, OptionValue::Bytes(b"id".to_vec()));
        assert_eq!(id, b"id");
    }
}
