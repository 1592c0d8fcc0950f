//! `zmq_sendiov` / `zmq_recviov`: multipart messages from and into `struct iovec`s.

use crate::errno::{Errno, EINVAL};
use crate::ffi::guard;
use crate::ffi::int_len;
use crate::socket::with_socket;
use ferromq_core::{Msg, SNDMORE};
use std::os::raw::{c_int, c_void};

/// `struct iovec` of `<sys/uio.h>` (declared, not defined, by `zmq.h`).
#[repr(C)]
pub struct iovec {
    /// Start of the buffer.
    pub iov_base: *mut c_void,
    /// Its length.
    pub iov_len: usize,
}

/// Sends `count` buffers as frames; all but the last get `ZMQ_SNDMORE` when `flags`
/// has it (the last one keeps `flags` without it). Returns the last frame's size.
///
/// # Safety
/// `s` is NULL or from `zmq_socket`; `iov` points to `count` iovecs describing readable
/// buffers.
#[no_mangle]
pub unsafe extern "C" fn zmq_sendiov(
    s: *mut c_void,
    iov: *mut iovec,
    count: usize,
    flags: c_int,
) -> c_int {
    guard(-1, || {
        if iov.is_null() || count == 0 {
            return Err(EINVAL);
        }
        // SAFETY: `iov` points to `count` iovecs (caller's contract).
        let parts = unsafe { std::slice::from_raw_parts(iov, count) };
        let mut last = 0;
        for (i, part) in parts.iter().enumerate() {
            // SAFETY: each iovec describes a readable buffer (caller's contract).
            let data = unsafe { crate::ffi::byte_slice(part.iov_base, part.iov_len) }?;
            let f = if i + 1 == count {
                flags & !SNDMORE
            } else {
                flags
            };
            let msg = Msg::copy_from_slice(data);
            // SAFETY: as the caller guarantees.
            unsafe { with_socket(s, |sock| Ok(sock.send(msg, f)?)) }?;
            last = int_len(data.len());
        }
        Ok(last)
    })
}

/// Receives up to `*count` frames of one message, each into a new `malloc`ed buffer
/// (the caller frees them); sets `*count` to the number received and returns it too, as
/// libzmq does (not their total size).
///
/// # Safety
/// `s` is NULL or from `zmq_socket`; `iov` points to `*count` writable iovecs.
#[no_mangle]
pub unsafe extern "C" fn zmq_recviov(
    s: *mut c_void,
    iov: *mut iovec,
    count: *mut usize,
    flags: c_int,
) -> c_int {
    guard(-1, || {
        if iov.is_null() || count.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `count` points to a size_t (caller's contract).
        let room = unsafe { *count };
        if room == 0 {
            return Err(EINVAL);
        }
        // SAFETY: `iov` points to `room` iovecs (caller's contract).
        let slots = unsafe { std::slice::from_raw_parts_mut(iov, room) };
        let mut got = 0;
        let mut more = true;
        while more && got < room {
            let fl = if got == 0 {
                flags
            } else {
                flags & !ferromq_core::DONTWAIT
            };
            // SAFETY: as the caller guarantees.
            let msg = unsafe { with_socket(s, |sock| Ok(sock.recv(fl)?)) }?;
            more = msg.more();
            // SAFETY: malloc with any size is safe to call; checked for NULL below.
            let buf = unsafe { libc::malloc(msg.len().max(1)) };
            if buf.is_null() {
                return Err(Errno(libc::ENOMEM));
            }
            // SAFETY: `buf` has room for the frame and does not overlap it.
            unsafe { std::ptr::copy_nonoverlapping(msg.as_ptr(), buf as *mut u8, msg.len()) };
            slots[got] = iovec {
                iov_base: buf,
                iov_len: msg.len(),
            };
            got += 1;
        }
        // SAFETY: as above.
        unsafe { *count = got };
        Ok(int_len(got))
    })
}
