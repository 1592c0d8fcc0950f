//! `zmq_proxy`, `zmq_proxy_steerable` and the deprecated `zmq_device`.

use crate::errno::{CResult, EINVAL, ENOTSOCK};
use crate::ffi::guard;
use crate::socket::lock_many;
use ferromq_core::{proxy_steerable, proxy_steerable_echo};
use std::os::raw::{c_int, c_void};

/// Runs the proxy over locked sockets. The frontend and backend may be one socket (an
/// echo: what it receives goes back on it); otherwise all sockets must be distinct.
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
    let echo = frontend == backend;
    let backend = if echo { std::ptr::null_mut() } else { backend };
    let ptrs = [frontend, backend, capture, control];
    // SAFETY: as the caller guarantees.
    let (mut guards, index) = unsafe { lock_many(&ptrs) }?;
    let distinct = guards.len() == ptrs.iter().filter(|p| !p.is_null()).count();
    if !distinct {
        return Err(EINVAL);
    }
    // Hand out one &mut per distinct socket, in the order of `ptrs`.
    let mut slots: Vec<Option<&mut ferromq_core::Socket>> =
        guards.iter_mut().map(|g| Some(g.get())).collect();
    let mut take = |i: usize| index[i].and_then(|g| slots[g].take());
    let f = take(0).ok_or(ENOTSOCK)?;
    let b = take(1);
    let cap = take(2);
    let ctl = take(3);
    match b {
        Some(b) => proxy_steerable(f, b, cap, ctl)?,
        None if echo => proxy_steerable_echo(f, cap, ctl)?,
        None => return Err(ENOTSOCK),
    }
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
