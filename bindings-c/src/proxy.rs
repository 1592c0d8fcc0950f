//! `zmq_proxy`, `zmq_proxy_steerable` and the deprecated `zmq_device`.

use crate::errno::{CResult, ENOTSOCK};
use crate::ffi::guard;
use crate::socket::cell;
use ferromq_core::SharedSocket;
use std::os::raw::{c_int, c_void};

/// Runs the proxy over the shared sockets ([`SharedSocket::proxy`]: locked in a
/// deadlock-free order for the whole run). The frontend and backend may be one socket
/// (an echo: what it receives goes back on it); otherwise all sockets must be distinct.
///
/// # Safety
/// Every pointer is NULL or was returned by `zmq_socket`.
unsafe fn run(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> CResult<c_int> {
    if frontend.is_null() || backend.is_null() {
        return Err(ENOTSOCK);
    }
    let optional = |p: *mut c_void| {
        // SAFETY: as the caller guarantees.
        (!p.is_null()).then(|| unsafe { cell(p) }).transpose()
    };
    // SAFETY: as the caller guarantees.
    let (f, b) = unsafe { (cell(frontend)?, cell(backend)?) };
    let (cap, ctl) = (optional(capture)?, optional(control)?);
    SharedSocket::proxy(f, b, cap, ctl)?;
    Ok(0)
}

/// Forwards messages between `frontend` and `backend` (copying them to `capture` if not
/// NULL) until the context is terminated: then -1 with ETERM. `frontend` and `backend`
/// may be the same socket: it then sends back what it receives (an echo).
///
/// # Safety
/// Every pointer is NULL (only `capture` may be) or was returned by `zmq_socket`.
#[no_mangle]
pub unsafe extern "C" fn zmq_proxy(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
) -> c_int {
    // SAFETY: as the caller guarantees.
    guard(-1, || unsafe {
        run(frontend, backend, capture, std::ptr::null_mut())
    })
}

/// [`zmq_proxy`] steered by messages on `control`: PAUSE, RESUME, TERMINATE (returns 0)
/// and STATISTICS.
///
/// # Safety
/// Every pointer is NULL (only `capture` and `control` may be) or was returned by
/// `zmq_socket`.
#[no_mangle]
pub unsafe extern "C" fn zmq_proxy_steerable(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> c_int {
    // SAFETY: as the caller guarantees.
    guard(-1, || unsafe { run(frontend, backend, capture, control) })
}

/// Deprecated: [`zmq_proxy`] without capture; `type_` (`ZMQ_STREAMER`, `ZMQ_FORWARDER`,
/// `ZMQ_QUEUE`) is ignored, as libzmq does.
///
/// # Safety
/// As [`zmq_proxy`].
#[no_mangle]
pub unsafe extern "C" fn zmq_device(
    type_: c_int,
    frontend: *mut c_void,
    backend: *mut c_void,
) -> c_int {
    let _ = type_;
    // SAFETY: same contract.
    unsafe { zmq_proxy(frontend, backend, std::ptr::null_mut()) }
}
