//! Descriptor I/O: vectored writes that never raise SIGPIPE, reads into spare buffer
//! room, eventfds, and `poll(2)`.

use std::io::{self, IoSlice};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// Writes `bufs` to the socket `fd` with one `sendmsg(2)` that never raises SIGPIPE.
pub(crate) fn send_vectored(fd: RawFd, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    // SAFETY: an all-zero msghdr is valid (no name, no control data, no iovecs).
    let mut hdr: libc::msghdr = unsafe { std::mem::zeroed() };
    // `IoSlice` is guaranteed ABI-compatible with `struct iovec` on Unix; sendmsg only
    // reads through the pointers, which borrow `bufs` for the duration of the call.
    hdr.msg_iov = bufs.as_ptr() as *mut libc::iovec;
    hdr.msg_iovlen = bufs.len() as _;
    // SAFETY: `hdr` points at `bufs.len()` valid iovecs that outlive the call; `fd` is a
    // stream socket owned by the caller.
    let n = unsafe { libc::sendmsg(fd, &hdr, libc::MSG_NOSIGNAL) };
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}

/// Reads once from `fd` into the spare room of `buf` (which the caller has reserved);
/// 0 = the peer closed.
pub(crate) fn read_spare(fd: RawFd, buf: &mut bytes::BytesMut) -> io::Result<usize> {
    let len = buf.len();
    let spare = buf.spare_capacity_mut();
    // SAFETY: read(2) writes at most `spare.len()` bytes into memory this buffer owns,
    // which stays valid for the call, and never reads the uninitialized contents.
    let n = unsafe { libc::read(fd, spare.as_mut_ptr().cast(), spare.len()) };
    let n = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
    // SAFETY: the kernel initialized exactly `n` bytes after the current length.
    unsafe { buf.set_len(len + n) };
    Ok(n)
}

/// Reads once from `fd` into `buf`; 0 = the peer closed.
pub(crate) fn read_slice(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: read(2) writes at most `buf.len()` bytes into `buf`, which is borrowed
    // mutably for the whole call.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}

/// A new non-blocking, close-on-exec eventfd with counter 0.
pub(crate) fn new_eventfd() -> io::Result<OwnedFd> {
    // SAFETY: eventfd(2) takes no pointers.
    let raw = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a non-negative result is a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// Resets the eventfd `fd` to unreadable. A concurrent reset only makes this fail with
/// EAGAIN (the fd is non-blocking), which is ignored.
pub(crate) fn eventfd_drain(fd: RawFd) {
    let mut buf = [0u8; 8];
    // SAFETY: reads at most 8 bytes into a local buffer of 8 bytes.
    unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
}

/// Adds one to the eventfd `fd` (making it readable). The caller keeps `fd` open for the
/// call; it cannot fail short of counter overflow, which takes 2^64 writes.
pub(crate) fn eventfd_add_one(fd: RawFd) {
    let one = 1u64.to_ne_bytes();
    // SAFETY: writes 8 bytes from a local buffer of 8 bytes; no memory of ours is shared.
    unsafe { libc::write(fd, one.as_ptr().cast(), one.len()) };
}

/// `poll(2)` on `fds` for up to `timeout_ms` (-1 = no limit); the number of ready entries.
pub(crate) fn poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> io::Result<usize> {
    let n = libc::nfds_t::try_from(fds.len())
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: `fds` is a valid, exclusively borrowed array of `n` pollfd structs for the
    // duration of the call.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), n, timeout_ms) };
    usize::try_from(rc).map_err(|_| io::Error::last_os_error())
}

/// Waits up to `timeout_ms` (-1 = no limit) for `fd` to be readable.
pub(crate) fn poll_readable(fd: RawFd, timeout_ms: i32) -> io::Result<bool> {
    let mut p = [libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }];
    poll(&mut p, timeout_ms).map(|n| n > 0)
}

/// Changes what the epoll instance `epoll` reports for `fd` (registered there under
/// `token`, edge-triggered, as mio registers it): readable (with the peer's end) and/or
/// writable; with neither, only errors and hang-ups. Like any `EPOLL_CTL_MOD`, the
/// descriptor's readiness is looked at again: an event that is ready now under the new
/// interest is reported at once.
pub(crate) fn epoll_modify(
    epoll: RawFd,
    fd: RawFd,
    token: u64,
    readable: bool,
    writable: bool,
) -> io::Result<()> {
    let mut events = libc::EPOLLET;
    if readable {
        events |= libc::EPOLLIN | libc::EPOLLRDHUP;
    }
    if writable {
        events |= libc::EPOLLOUT;
    }
    let mut ev = libc::epoll_event {
        events: events as u32,
        u64: token,
    };
    // SAFETY: `ev` is a valid epoll_event for the call; a stale `epoll` or `fd` makes the
    // call fail with EBADF/ENOENT, it touches no memory of ours besides `ev`.
    let rc = unsafe { libc::epoll_ctl(epoll, libc::EPOLL_CTL_MOD, fd, &mut ev) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
