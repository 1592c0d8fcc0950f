//! Sockets: handles, `zmq_socket`/`zmq_close`, endpoints and byte-buffer send/recv.
//!
//! A socket pointer is a [`SocketHandle`]: a tag plus a [`SharedSocket`], core's socket
//! behind a lock that the Python binding uses too. Handles are never freed, only recycled
//! for later sockets (a global free list, which also keeps them reachable for leak
//! checkers, reused only after a quarantine), so a NULL or closed pointer is reported as
//! ENOTSOCK instead of crashing. `zmq_close` from another thread first interrupts a call
//! blocked in the socket (it fails with ENOTSOCK), then takes the lock and drops the
//! socket ([`SharedSocket::close`]).

use crate::ctx::CtxHandle;
use crate::errno::{CResult, Errno, EINVAL, ENOTSOCK};
use crate::ffi::{byte_slice, c_str, guard, int_len};
use ferromq_core::{LockedSockets, Msg, SharedSocket, Socket, SocketGuard, SocketType};
use std::collections::VecDeque;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

const LIVE: u32 = 0x5a4d_5153;
const CLOSED: u32 = 0;

/// What a C socket pointer points to. The tag comes first (`repr(C)`), so that it can
/// be read through any handle pointer, a context's too.
#[repr(C)]
pub(crate) struct SocketHandle {
    tag: AtomicU32,
    cell: SharedSocket,
}

/// Closed handles, oldest first. One is reused only once more than [`QUARANTINE`] are
/// waiting, so a stale pointer to a just-closed socket keeps failing with ENOTSOCK for a
/// while instead of reaching the next socket made.
static FREE: Mutex<VecDeque<usize>> = Mutex::new(VecDeque::new());

/// How many closed handles wait before one is reused.
const QUARANTINE: usize = 256;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SocketHandle {
    /// The handle behind a C pointer: ENOTSOCK for NULL or a closed socket.
    ///
    /// # Safety
    /// `ptr` is NULL or was returned by `zmq_socket` (closed or not).
    #[inline]
    pub(crate) unsafe fn from_ptr<'a>(ptr: *mut c_void) -> CResult<&'a SocketHandle> {
        if ptr.is_null() {
            return Err(ENOTSOCK);
        }
        // SAFETY: non-NULL pointers come from `zmq_socket` (or, by mistake, from
        // `zmq_ctx_new`): leaked handles, never freed, that start with an AtomicU32 tag.
        let tag = unsafe { &*(ptr as *const AtomicU32) };
        if tag.load(Ordering::Acquire) != LIVE {
            return Err(ENOTSOCK);
        }
        // SAFETY: the tag says this is a socket handle; it lives for the whole process.
        Ok(unsafe { &*(ptr as *const SocketHandle) })
    }
}

/// Runs `f` on the socket behind `ptr`.
///
/// # Safety
/// `ptr` is NULL or was returned by `zmq_socket`.
#[inline]
pub(crate) unsafe fn with_socket<T>(
    ptr: *mut c_void,
    f: impl FnOnce(&mut Socket) -> CResult<T>,
) -> CResult<T> {
    // SAFETY: as the caller guarantees.
    let handle = unsafe { SocketHandle::from_ptr(ptr) }?;
    let mut guard: SocketGuard<'_> = handle.cell.lock()?;
    f(&mut guard)
}

/// The shared cells of the non-NULL pointers of `ptrs`, in order.
///
/// # Safety
/// Every pointer is NULL or was returned by `zmq_socket`.
unsafe fn cells(ptrs: &[*mut c_void]) -> CResult<Vec<&'static SharedSocket>> {
    ptrs.iter()
        .filter(|p| !p.is_null())
        // SAFETY: as the caller guarantees; handles are never freed, hence 'static.
        .map(|&p| unsafe { SocketHandle::from_ptr(p) }.map(|h| &h.cell))
        .collect()
}

/// Locks the distinct sockets among `ptrs` (NULL entries are skipped) with
/// [`SharedSocket::lock_many`] (so that two threads locking overlapping sets cannot
/// deadlock), waiting at most until `deadline` (EAGAIN). Returns the locked sockets and,
/// for each entry of `ptrs`, the slot of its socket.
///
/// # Safety
/// Every pointer is NULL or was returned by `zmq_socket`.
pub(crate) unsafe fn lock_many(
    ptrs: &[*mut c_void],
    deadline: Option<Instant>,
) -> CResult<(LockedSockets<'static>, Vec<Option<usize>>)> {
    // SAFETY: as the caller guarantees.
    let cells = unsafe { cells(ptrs) }?;
    let locked = SharedSocket::lock_many(&cells, deadline)?;
    let mut next = 0;
    let slots = ptrs
        .iter()
        .map(|p| {
            (!p.is_null()).then(|| {
                next += 1;
                locked.slot(next - 1)
            })
        })
        .collect();
    Ok((locked, slots))
}

/// The shared cell of socket `ptr`: ENOTSOCK for NULL or a closed socket.
///
/// # Safety
/// `ptr` is NULL or was returned by `zmq_socket`.
pub(crate) unsafe fn cell<'a>(ptr: *mut c_void) -> CResult<&'a SharedSocket> {
    // SAFETY: as the caller guarantees.
    unsafe { SocketHandle::from_ptr(ptr) }.map(|h| &h.cell)
}

/// A new socket of type `type_` in `context`, or NULL (EINVAL for an unknown type,
/// EFAULT for a bad context, ETERM, EMFILE).
///
/// # Safety
/// `context` is NULL or a pointer returned by `zmq_ctx_new`/`zmq_init`.
#[no_mangle]
pub unsafe extern "C" fn zmq_socket(context: *mut c_void, type_: c_int) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: as the caller guarantees.
        let ctx = unsafe { CtxHandle::context(context) }?;
        let ty = SocketType::from_raw(type_).ok_or(EINVAL)?;
        let socket = ctx.socket(ty)?;
        let recycled = {
            let mut free = lock(&FREE);
            if free.len() > QUARANTINE {
                free.pop_front()
            } else {
                None
            }
        };
        let handle: &'static SocketHandle = match recycled {
            // SAFETY: the free list only holds leaked handles from below.
            Some(addr) => unsafe { &*(addr as *const SocketHandle) },
            None => Box::leak(Box::new(SocketHandle {
                tag: AtomicU32::new(CLOSED),
                cell: SharedSocket::closed(),
            })),
        };
        // A handle from the free list (or a new one) is closed: `open` cannot fail.
        handle.cell.open(socket)?;
        handle.tag.store(LIVE, Ordering::Release);
        Ok(handle as *const SocketHandle as *mut c_void)
    })
}

/// Closes a socket (queued messages are still sent within LINGER). A call blocked in it
/// on another thread fails with ENOTSOCK. ENOTSOCK for NULL or an already closed socket.
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`.
#[no_mangle]
pub unsafe extern "C" fn zmq_close(s: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let handle = unsafe { SocketHandle::from_ptr(s) }?;
        if handle
            .tag
            .compare_exchange(LIVE, CLOSED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(ENOTSOCK);
        }
        handle.cell.close();
        lock(&FREE).push_back(handle as *const SocketHandle as usize);
        Ok(0)
    })
}

/// Runs `op` (bind, connect, unbind, disconnect) on socket `s` with endpoint `addr`:
/// 0, or -1 with errno.
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`; `addr` is NULL or a string.
unsafe fn endpoint_call(
    s: *mut c_void,
    addr: *const c_char,
    op: impl FnOnce(&mut Socket, &str) -> ferromq_core::Result<()>,
) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        unsafe { with_socket(s, |sock| Ok(op(sock, c_str(addr)?)?)) }?;
        Ok(0)
    })
}

/// Binds the socket to `addr`.
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`; `addr` is NULL or a string.
#[no_mangle]
pub unsafe extern "C" fn zmq_bind(s: *mut c_void, addr: *const c_char) -> c_int {
    // SAFETY: as the caller guarantees.
    unsafe { endpoint_call(s, addr, Socket::bind) }
}

/// Connects the socket to `addr`.
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`; `addr` is NULL or a string.
#[no_mangle]
pub unsafe extern "C" fn zmq_connect(s: *mut c_void, addr: *const c_char) -> c_int {
    // SAFETY: as the caller guarantees.
    unsafe { endpoint_call(s, addr, Socket::connect) }
}

/// Stops listening on `addr`.
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`; `addr` is NULL or a string.
#[no_mangle]
pub unsafe extern "C" fn zmq_unbind(s: *mut c_void, addr: *const c_char) -> c_int {
    // SAFETY: as the caller guarantees.
    unsafe { endpoint_call(s, addr, Socket::unbind) }
}

/// Disconnects from `addr`.
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`; `addr` is NULL or a string.
#[no_mangle]
pub unsafe extern "C" fn zmq_disconnect(s: *mut c_void, addr: *const c_char) -> c_int {
    // SAFETY: as the caller guarantees.
    unsafe { endpoint_call(s, addr, Socket::disconnect) }
}

/// Sends a frame holding a copy of `len` bytes at `buf`; returns `len`.
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`; `buf` points to `len` readable
/// bytes (it may be NULL when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn zmq_send(
    s: *mut c_void,
    buf: *const c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let data = unsafe { byte_slice(buf, len) }?;
        // SAFETY: as the caller guarantees.
        unsafe { with_socket(s, |sock| Ok(sock.send(Msg::copy_from_slice(data), flags)?)) }?;
        Ok(int_len(len))
    })
}

/// A static buffer wrapped without copying (`zmq_send_const`).
struct ConstBuf {
    ptr: *const u8,
    len: usize,
}

// SAFETY: the buffer is constant and outlives the message (the zmq_send_const contract),
// so sharing it between threads is sound.
unsafe impl Send for ConstBuf {}

impl AsRef<[u8]> for ConstBuf {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: `ptr`/`len` describe a constant buffer that outlives the message.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// Sends `len` bytes at `buf` without copying: the buffer must stay unchanged until the
/// library no longer needs it (in practice: forever). Returns `len`.
///
/// # Safety
/// As [`zmq_send`], and the buffer stays valid and constant for the life of the process.
#[no_mangle]
pub unsafe extern "C" fn zmq_send_const(
    s: *mut c_void,
    buf: *const c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    guard(-1, || {
        if buf.is_null() && len != 0 {
            return Err(Errno(libc::EFAULT));
        }
        let owner = ConstBuf {
            ptr: if len == 0 {
                [].as_ptr()
            } else {
                buf as *const u8
            },
            len,
        };
        let msg = Msg::from_bytes(bytes::Bytes::from_owner(owner));
        // SAFETY: as the caller guarantees.
        unsafe { with_socket(s, |sock| Ok(sock.send(msg, flags)?)) }?;
        Ok(int_len(len))
    })
}

/// Receives a frame into `buf`, copying at most `len` bytes; returns the frame's full
/// size (larger than `len` when truncated).
///
/// # Safety
/// `s` is NULL or a pointer returned by `zmq_socket`; `buf` points to `len` writable
/// bytes (it may be NULL when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn zmq_recv(
    s: *mut c_void,
    buf: *mut c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    guard(-1, || {
        if buf.is_null() && len != 0 {
            return Err(Errno(libc::EFAULT));
        }
        // SAFETY: as the caller guarantees.
        let msg = unsafe { with_socket(s, |sock| Ok(sock.recv(flags)?)) }?;
        let n = msg.len().min(len);
        if n > 0 {
            // SAFETY: `buf` has room for `len` >= `n` bytes and cannot overlap the
            // message, which the library owns.
            unsafe { std::ptr::copy_nonoverlapping(msg.as_ptr(), buf as *mut u8, n) };
        }
        Ok(int_len(msg.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::{EFSM, ETERM, ZMQ_PULL, ZMQ_REP, ZMQ_REQ};
    use crate::{zmq_ctx_new, zmq_ctx_shutdown, zmq_ctx_term, zmq_errno};

    #[test]
    fn req_rep_truncation_and_errno() {
        let ctx = zmq_ctx_new();
        // SAFETY: live context and sockets, closed before term.
        unsafe {
            let rep = zmq_socket(ctx, ZMQ_REP);
            let req = zmq_socket(ctx, ZMQ_REQ);
            assert!(zmq_socket(ctx, 99).is_null());
            assert_eq!(zmq_errno(), libc::EINVAL);
            assert_eq!(zmq_bind(rep, c"inproc://req-rep".as_ptr()), 0);
            assert_eq!(zmq_connect(req, c"inproc://req-rep".as_ptr()), 0);
            assert_eq!(zmq_bind(rep, std::ptr::null()), -1);
            assert_eq!(zmq_errno(), libc::EINVAL);
            assert_eq!(zmq_send(req, b"hello".as_ptr().cast(), 5, 0), 5);
            assert_eq!(zmq_send(req, b"hello".as_ptr().cast(), 5, 0), -1);
            assert_eq!(zmq_errno(), EFSM);
            let mut buf = [0u8; 2];
            assert_eq!(zmq_recv(rep, buf.as_mut_ptr().cast(), 2, 0), 5);
            assert_eq!(&buf, b"he");
            static REPLY: [u8; 5] = *b"world";
            assert_eq!(zmq_send_const(rep, REPLY.as_ptr().cast(), 5, 0), 5);
            let mut got = [0u8; 8];
            assert_eq!(zmq_recv(req, got.as_mut_ptr().cast(), 8, 0), 5);
            assert_eq!(&got[..5], b"world");
            assert_eq!(zmq_close(req), 0);
            assert_eq!(zmq_close(rep), 0);
            assert_eq!(zmq_send(rep, b"x".as_ptr().cast(), 1, 0), -1);
            assert_eq!(zmq_errno(), libc::ENOTSOCK);
            assert_eq!(zmq_ctx_term(ctx), 0);
        }
    }

    #[test]
    fn closed_handles_are_reused_after_the_quarantine() {
        let ctx = zmq_ctx_new();
        let mut seen = std::collections::HashSet::new();
        // SAFETY: live context; every socket is closed right away.
        unsafe {
            for _ in 0..3 * QUARANTINE {
                let s = zmq_socket(ctx, ZMQ_PULL);
                assert!(!s.is_null());
                seen.insert(s as usize);
                assert_eq!(zmq_close(s), 0);
                assert_eq!(zmq_close(s), -1);
            }
            assert_eq!(zmq_ctx_term(ctx), 0);
        }
        assert!(seen.len() < 3 * QUARANTINE);
    }

    #[test]
    fn close_or_shutdown_from_another_thread_wakes_a_blocked_recv() {
        let ctx = zmq_ctx_new();
        let blocked_recv = |s: usize| {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4];
                // SAFETY: a socket pointer, closed meanwhile by another thread at most.
                let rc = unsafe { zmq_recv(s as *mut c_void, buf.as_mut_ptr().cast(), 4, 0) };
                (rc, zmq_errno())
            })
        };
        // SAFETY: live context and sockets.
        unsafe {
            let a = zmq_socket(ctx, ZMQ_PULL) as usize;
            let t = blocked_recv(a);
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert_eq!(zmq_close(a as *mut c_void), 0);
            assert_eq!(t.join().unwrap(), (-1, libc::ENOTSOCK));

            let b = zmq_socket(ctx, ZMQ_PULL) as usize;
            let t = blocked_recv(b);
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert_eq!(zmq_ctx_shutdown(ctx), 0);
            assert_eq!(t.join().unwrap(), (-1, ETERM));
            assert_eq!(zmq_close(b as *mut c_void), 0);
            assert_eq!(zmq_ctx_term(ctx), 0);
        }
    }
}
