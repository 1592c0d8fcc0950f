//! `zmq_poll` over `ferromq::poll`: the sockets are locked together in a deadlock-free
//! order (`SharedSocket::lock_many`), each once however often it is listed, for at most
//! the poll's timeout.

use crate::errno::{Errno, EFAULT};
use crate::ffi::guard;
use crate::socket::lock_many;
use ferromq_core::{poll, PollItem};
use std::os::raw::{c_int, c_long, c_short, c_void};
use std::time::{Duration, Instant};

/// One entry of a `zmq_poll` call: a socket (when not NULL) or a file descriptor, the
/// events of interest and, on return, the events that hold.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct zmq_pollitem_t {
    /// A socket from `zmq_socket`, or NULL to poll `fd`.
    pub socket: *mut c_void,
    /// A file descriptor, used when `socket` is NULL.
    pub fd: c_int,
    /// `ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLPRI` (descriptors only).
    pub events: c_short,
    /// Set by `zmq_poll`.
    pub revents: c_short,
}

/// Waits until one of the `nitems` items has one of its events, or `timeout`
/// milliseconds pass (-1: no limit). Returns the number of items with events.
///
/// # Safety
/// `items` points to `nitems` items (it may be NULL when `nitems` is 0), whose sockets
/// are NULL or pointers returned by `zmq_socket`.
#[no_mangle]
pub unsafe extern "C" fn zmq_poll(
    items: *mut zmq_pollitem_t,
    nitems: c_int,
    timeout: c_long,
) -> c_int {
    guard(-1, || {
        let n = usize::try_from(nitems).map_err(|_| Errno(libc::EINVAL))?;
        if n == 0 {
            if timeout > 0 {
                std::thread::sleep(Duration::from_millis(timeout as u64));
            } else if timeout < 0 {
                // Nothing could ever wake the caller.
                return Err(Errno(libc::EINVAL));
            }
            return Ok(0);
        }
        if items.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: `items` points to `n` items (caller's contract), used only here.
        let items = unsafe { std::slice::from_raw_parts_mut(items, n) };
        let ptrs: Vec<*mut c_void> = items.iter().map(|i| i.socket).collect();
        // Waiting for another thread's call on one of the sockets counts against the
        // timeout: when it passes first, nothing was seen ready.
        let deadline = u64::try_from(timeout)
            .ok()
            .map(|ms| Instant::now() + Duration::from_millis(ms));
        // SAFETY: the sockets are NULL or from zmq_socket (caller's contract).
        let (mut locked, index) = match unsafe { lock_many(&ptrs, deadline) } {
            Err(Errno(libc::EAGAIN)) => {
                items.iter_mut().for_each(|i| i.revents = 0);
                return Ok(0);
            }
            r => r?,
        };
        // What is left of the timeout, rounded up so that a short one is not cut to 0.
        let timeout = match deadline {
            Some(d) => {
                let left_us = d.saturating_duration_since(Instant::now()).as_micros();
                c_long::try_from(left_us.div_ceil(1000)).unwrap_or(c_long::MAX)
            }
            None => timeout,
        };
        // One poll entry per distinct socket (asking for the union of its items' events),
        // then one per descriptor.
        let mut wanted = vec![0i16; locked.len()];
        for (item, idx) in items.iter().zip(&index) {
            if let Some(g) = idx {
                wanted[*g] |= item.events;
            }
        }
        let mut entries: Vec<PollItem<'_>> = locked
            .sockets_mut()
            .into_iter()
            .zip(&wanted)
            .map(|(s, &ev)| PollItem::socket(s, ev))
            .collect();
        let first_fd = entries.len();
        for item in items.iter().filter(|i| i.socket.is_null()) {
            entries.push(PollItem::fd(item.fd, item.events));
        }
        poll(&mut entries, timeout)?;
        let mut ready = 0;
        let mut next_fd = first_fd;
        for (item, idx) in items.iter_mut().zip(&index) {
            item.revents = match idx {
                Some(g) => entries[*g].revents & item.events,
                None => {
                    let r = entries[next_fd].revents;
                    next_fd += 1;
                    r
                }
            };
            if item.revents != 0 {
                ready += 1;
            }
        }
        Ok(ready)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::{ZMQ_POLLIN, ZMQ_POLLOUT, ZMQ_PULL, ZMQ_PUSH};
    use crate::{zmq_bind, zmq_close, zmq_connect, zmq_ctx_new, zmq_ctx_term, zmq_errno};
    use crate::{zmq_send, zmq_socket};

    fn item(socket: *mut c_void, events: c_int) -> zmq_pollitem_t {
        zmq_pollitem_t {
            socket,
            fd: -1,
            events: events as c_short,
            revents: 0,
        }
    }

    #[test]
    fn the_same_socket_twice_and_closed_sockets() {
        let ctx = zmq_ctx_new();
        // SAFETY: live context and sockets, closed before term.
        unsafe {
            let pull = zmq_socket(ctx, ZMQ_PULL);
            let push = zmq_socket(ctx, ZMQ_PUSH);
            assert_eq!(zmq_bind(pull, c"inproc://poll-twice".as_ptr()), 0);
            assert_eq!(zmq_connect(push, c"inproc://poll-twice".as_ptr()), 0);
            assert_eq!(zmq_send(push, b"x".as_ptr().cast(), 1, 0), 1);
            let mut items = [
                item(pull, ZMQ_POLLIN),
                item(push, ZMQ_POLLOUT),
                item(pull, ZMQ_POLLIN | ZMQ_POLLOUT),
            ];
            assert_eq!(zmq_poll(items.as_mut_ptr(), 3, 1000), 3);
            assert_eq!(items[0].revents, ZMQ_POLLIN as c_short);
            assert_eq!(items[1].revents, ZMQ_POLLOUT as c_short);
            assert_eq!(items[2].revents, ZMQ_POLLIN as c_short);
            assert_eq!(zmq_close(push), 0);
            assert_eq!(zmq_poll(items.as_mut_ptr(), 3, 0), -1);
            assert_eq!(zmq_errno(), libc::ENOTSOCK);
            assert_eq!(zmq_close(pull), 0);
            assert_eq!(zmq_ctx_term(ctx), 0);
        }
    }

    #[test]
    fn closing_a_socket_wakes_a_poll_in_another_thread() {
        let ctx = zmq_ctx_new();
        // SAFETY: live context and socket.
        let pull = unsafe { zmq_socket(ctx, ZMQ_PULL) } as usize;
        let t = std::thread::spawn(move || {
            let mut items = [item(pull as *mut c_void, ZMQ_POLLIN)];
            // SAFETY: a socket pointer (closed meanwhile by the other thread).
            let rc = unsafe { zmq_poll(items.as_mut_ptr(), 1, -1) };
            (rc, zmq_errno())
        });
        std::thread::sleep(Duration::from_millis(50));
        // SAFETY: the socket from above; the context is terminated last.
        unsafe {
            assert_eq!(zmq_close(pull as *mut c_void), 0);
            assert_eq!(t.join().unwrap(), (-1, libc::ENOTSOCK));
            assert_eq!(zmq_ctx_term(ctx), 0);
        }
    }
}
