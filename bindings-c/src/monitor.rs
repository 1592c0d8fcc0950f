//! `zmq_socket_monitor`.

use crate::errno::EINVAL;
use crate::ffi::c_str;
use crate::ffi::guard;
use crate::socket::with_socket;
use std::os::raw::{c_char, c_int, c_void};

/// Publishes the socket's `events` (a mask of `ZMQ_EVENT_*`) on a PAIR socket bound at
/// `addr` (`inproc://` only, else EPROTONOSUPPORT); NULL `addr` stops monitoring.
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`; `addr` is NULL or a string.
#[no_mangle]
pub unsafe extern "C" fn zmq_socket_monitor(
    s: *mut c_void,
    addr: *const c_char,
    events: c_int,
) -> c_int {
    guard(-1, || {
        let endpoint = if addr.is_null() {
            None
        } else {
            // SAFETY: as the caller guarantees.
            Some(unsafe { c_str(addr) }?)
        };
        let mask = u16::try_from(events & 0xffff).map_err(|_| EINVAL)?;
        // SAFETY: as the caller guarantees.
        unsafe { with_socket(s, |sock| Ok(sock.monitor(endpoint, mask)?)) }?;
        Ok(0)
    })
}
