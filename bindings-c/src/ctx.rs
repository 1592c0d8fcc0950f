//! Contexts: `zmq_ctx_*` and the deprecated `zmq_init`/`zmq_term`/`zmq_ctx_destroy`.
//!
//! A context pointer is a leaked [`CtxHandle`] with a tag. Terminating the context
//! releases the ferromq context but keeps the small handle (listed in a global, so leak
//! checkers see it as reachable), so a late call with the same pointer fails with EFAULT
//! instead of touching freed memory.

use crate::errno::{CResult, Errno, EFAULT, EINVAL};
use crate::ffi::guard;
use ferromq_core::Context;
use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

const LIVE: u32 = 0xabad_cafe;
const DEAD: u32 = 0xdead_beef;

/// What a C context pointer points to. The tag comes first (`repr(C)`), as in a socket
/// handle, so that either can be told from the other.
#[repr(C)]
pub(crate) struct CtxHandle {
    tag: AtomicU32,
    ctx: Mutex<Option<Context>>,
}

/// Every context handle ever made (they are never freed, see the module docs).
static HANDLES: Mutex<Vec<usize>> = Mutex::new(Vec::new());

impl CtxHandle {
    /// The live context behind a C pointer: EFAULT for NULL or a terminated context.
    ///
    /// # Safety
    /// `ptr` is NULL or was returned by `zmq_ctx_new`/`zmq_init`.
    pub(crate) unsafe fn context(ptr: *mut c_void) -> CResult<Context> {
        if ptr.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: non-NULL pointers come from `new_handle` (or, by mistake, from
        // `zmq_socket`): leaked handles, never freed, that start with an AtomicU32 tag.
        let tag = unsafe { &*(ptr as *const AtomicU32) };
        if tag.load(Ordering::Acquire) != LIVE {
            return Err(EFAULT);
        }
        // SAFETY: the tag says this is a context handle; it lives for the whole process.
        let handle = unsafe { &*(ptr as *const CtxHandle) };
        let ctx = handle.ctx.lock().unwrap_or_else(|e| e.into_inner());
        ctx.clone().ok_or(EFAULT)
    }
}

fn new_handle(ctx: Context) -> *mut c_void {
    let handle: &'static CtxHandle = Box::leak(Box::new(CtxHandle {
        tag: AtomicU32::new(LIVE),
        ctx: Mutex::new(Some(ctx)),
    }));
    let ptr = handle as *const CtxHandle as usize;
    HANDLES.lock().unwrap_or_else(|e| e.into_inner()).push(ptr);
    ptr as *mut c_void
}

/// A new context, or NULL.
#[no_mangle]
pub extern "C" fn zmq_ctx_new() -> *mut c_void {
    guard(std::ptr::null_mut(), || Ok(new_handle(Context::new())))
}

/// Terminates `context`: blocks until all its sockets are closed (calls blocked in them
/// fail with ETERM), then frees it. Fails with EINTR, the context still valid, when a
/// signal handler runs while it waits; it may then be called again.
///
/// # Safety
/// `context` is NULL or a pointer returned by `zmq_ctx_new`/`zmq_init`.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_term(context: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let ctx = unsafe { CtxHandle::context(context) }?;
        // EINTR (as libzmq) when a signal handler runs while sockets are still open; the
        // context stays valid, and zmq_ctx_term may be called again.
        ctx.term_interruptible()?;
        // SAFETY: `context` was checked by `CtxHandle::context` above: a leaked handle.
        let handle = unsafe { &*(context as *const CtxHandle) };
        if handle
            .tag
            .compare_exchange(LIVE, DEAD, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            handle.ctx.lock().unwrap_or_else(|e| e.into_inner()).take();
        }
        Ok(0)
    })
}

/// Makes every blocking call on `context`'s sockets fail with ETERM, without waiting.
///
/// # Safety
/// `context` is NULL or a pointer returned by `zmq_ctx_new`/`zmq_init`.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_shutdown(context: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        unsafe { CtxHandle::context(context) }?.shutdown();
        Ok(0)
    })
}

/// Sets context option `option` (see `ferromq::Context::set`: `ZMQ_IO_THREADS`,
/// `ZMQ_MAX_SOCKETS`, `ZMQ_IPV6`, `ZMQ_BLOCKY`, `ZMQ_MAX_MSGSZ`, the `ZMQ_THREAD_*`
/// options of the I/O threads, and `ZMQ_ZERO_COPY_RECV` by number).
///
/// # Safety
/// `context` is NULL or a pointer returned by `zmq_ctx_new`/`zmq_init`.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_set(context: *mut c_void, option: c_int, optval: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        unsafe { CtxHandle::context(context) }?.set(option, optval)?;
        Ok(0)
    })
}

/// The value of context option `option`, or -1 with EINVAL (`ferromq::Context::get`).
///
/// # Safety
/// `context` is NULL or a pointer returned by `zmq_ctx_new`/`zmq_init`.
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_get(context: *mut c_void, option: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        Ok(unsafe { CtxHandle::context(context) }?.get(option)?)
    })
}

/// Deprecated: a new context with `io_threads` I/O threads.
#[no_mangle]
pub extern "C" fn zmq_init(io_threads: c_int) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        if io_threads < 0 {
            return Err(EINVAL);
        }
        let ctx = Context::new();
        ctx.set_io_threads(io_threads).map_err(Errno::from)?;
        Ok(new_handle(ctx))
    })
}

/// Deprecated: [`zmq_ctx_term`].
///
/// # Safety
/// As [`zmq_ctx_term`].
#[no_mangle]
pub unsafe extern "C" fn zmq_term(context: *mut c_void) -> c_int {
    // SAFETY: same contract.
    unsafe { zmq_ctx_term(context) }
}

/// Deprecated: [`zmq_ctx_term`].
///
/// # Safety
/// As [`zmq_ctx_term`].
#[no_mangle]
pub unsafe extern "C" fn zmq_ctx_destroy(context: *mut c_void) -> c_int {
    // SAFETY: same contract.
    unsafe { zmq_ctx_term(context) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::zmq_errno;

    #[test]
    fn null_and_terminated_contexts_are_efault() {
        // SAFETY: NULL is allowed.
        assert_eq!(unsafe { zmq_ctx_term(std::ptr::null_mut()) }, -1);
        assert_eq!(zmq_errno(), libc::EFAULT);
        let ctx = zmq_ctx_new();
        // SAFETY: a live context.
        unsafe {
            assert_eq!(zmq_ctx_get(ctx, 6), 64);
            assert_eq!(zmq_ctx_set(ctx, 1, 2), 0);
            assert_eq!(zmq_ctx_get(ctx, 1), 2);
            assert_eq!(
                zmq_ctx_get(ctx, crate::constants::ZMQ_MAX_MSGSZ),
                c_int::MAX
            );
            assert_eq!(zmq_ctx_get(ctx, 9999), -1);
            assert_eq!(zmq_errno(), libc::EINVAL);
            let s = crate::zmq_socket(ctx, crate::constants::ZMQ_PUB);
            assert_eq!(zmq_ctx_term(s), -1);
            assert_eq!(zmq_errno(), libc::EFAULT);
            assert_eq!(crate::zmq_close(ctx), -1);
            assert_eq!(zmq_errno(), libc::ENOTSOCK);
            assert_eq!(crate::zmq_close(s), 0);
            assert_eq!(zmq_ctx_term(ctx), 0);
            assert_eq!(zmq_ctx_get(ctx, 1), -1);
            assert_eq!(zmq_errno(), libc::EFAULT);
        }
    }
}
