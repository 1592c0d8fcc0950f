//! [`Signal`]: how I/O threads wake an application thread blocked in a socket call.
//!
//! A generation counter plus a condition variable. A blocked call reads the generation,
//! re-checks its pipes, and sleeps only if the generation is unchanged, so a wake-up can
//! never be lost between the check and the sleep. Notifying costs one atomic increment
//! unless somebody is actually asleep, which keeps busy pipes free of syscalls.
//!
//! A signal can also drive an event loop through its readiness FD (`ZMQ_FD`): an eventfd,
//! made on first request, that becomes readable on the first notify after it was last
//! cleared. It is edge-like, as libzmq's: readable means "events may have changed", and
//! clearing it comes before re-checking them, so no change is missed. An idle socket's FD
//! stays unreadable, and a busy one costs one `write` per clear, not per notify.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Instant;

/// A wake-up point for one socket.
#[derive(Debug, Default)]
pub(crate) struct Signal {
    generation: AtomicU64,
    sleepers: AtomicU32,
    lock: Mutex<()>,
    cond: Condvar,
    /// The readiness eventfd, once asked for.
    fd: OnceLock<OwnedFd>,
    /// The eventfd has been written since it was last cleared.
    fd_armed: AtomicBool,
}

impl Signal {
    /// The current generation; pass it to [`Signal::wait`] after checking for work.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Wakes every thread waiting on this signal.
    pub fn notify(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Some(fd) = self.fd.get() {
            if !self.fd_armed.swap(true, Ordering::SeqCst) {
                write_one(fd.as_raw_fd());
            }
        }
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            // Taking the lock orders this notify after a sleeper's generation check; it is
            // released before waking, so the woken thread does not block on it again.
            drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()));
            self.cond.notify_all();
        }
    }

    /// The readiness FD, made (readable) on the first call.
    pub fn readiness_fd(&self) -> io::Result<RawFd> {
        if let Some(fd) = self.fd.get() {
            return Ok(fd.as_raw_fd());
        }
        // SAFETY: eventfd(2) takes no pointers; a non-negative result is a new descriptor
        // that nothing else owns, so OwnedFd may take it.
        let raw = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: see above: `raw` is a fresh descriptor owned by nobody else.
        let owned = unsafe { OwnedFd::from_raw_fd(raw) };
        if self.fd.set(owned).is_ok() {
            // Readable at first, so a loop that waits before checking events still looks.
            self.fd_armed.store(true, Ordering::SeqCst);
            if let Some(fd) = self.fd.get() {
                write_one(fd.as_raw_fd());
            }
        }
        self.fd
            .get()
            .map(|fd| fd.as_raw_fd())
            .ok_or_else(|| io::Error::other("readiness fd"))
    }

    /// Makes the readiness FD unreadable until the next notify. Call it before checking
    /// what changed.
    pub fn clear_readiness(&self) {
        let Some(fd) = self.fd.get() else {
            return;
        };
        if self.fd_armed.swap(false, Ordering::SeqCst) {
            let mut buf = [0u8; 8];
            // SAFETY: reads at most 8 bytes into a local buffer of 8 bytes. A concurrent
            // notify may not have written yet (EAGAIN); it then leaves the FD readable,
            // which only costs the loop a spurious look.
            unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        }
    }

    /// Sleeps until the generation differs from `seen` or `deadline` passes.
    /// Returns `false` on timeout.
    pub fn wait(&self, seen: u64, deadline: Option<Instant>) -> bool {
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        let mut guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let woke = loop {
            if self.generation.load(Ordering::SeqCst) != seen {
                break true;
            }
            match deadline {
                None => guard = self.cond.wait(guard).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        break false;
                    }
                    guard = self
                        .cond
                        .wait_timeout(guard, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        };
        drop(guard);
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
        woke
    }
}

/// Adds one to an eventfd (making it readable).
fn write_one(fd: RawFd) {
    let one = 1u64.to_ne_bytes();
    // SAFETY: writes 8 bytes from a local buffer of 8 bytes to an eventfd this signal
    // owns. It cannot fail short of counter overflow, which one write per clear rules out.
    unsafe { libc::write(fd, one.as_ptr().cast(), one.len()) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn wait_returns_at_once_after_a_missed_notify() {
        let s = Signal::default();
        let seen = s.generation();
        s.notify();
        assert!(s.wait(seen, Some(Instant::now() + Duration::from_secs(5))));
    }

    fn readable(fd: RawFd) -> bool {
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no waiting.
        unsafe { libc::poll(&mut p, 1, 0) == 1 }
    }

    #[test]
    fn readiness_fd_is_readable_after_notify_until_cleared() {
        let s = Signal::default();
        let fd = s.readiness_fd().unwrap();
        assert_eq!(s.readiness_fd().unwrap(), fd, "one fd per signal");
        assert!(readable(fd), "readable when first made");
        s.clear_readiness();
        assert!(!readable(fd));
        s.notify();
        s.notify();
        assert!(readable(fd));
        s.clear_readiness();
        assert!(!readable(fd), "one clear undoes any number of notifies");
    }

    #[test]
    fn wait_times_out_without_notify() {
        let s = Signal::default();
        let seen = s.generation();
        assert!(!s.wait(seen, Some(Instant::now() + Duration::from_millis(10))));
    }

    #[test]
    fn notify_from_another_thread_wakes_the_sleeper() {
        let s = Arc::new(Signal::default());
        let seen = s.generation();
        let s2 = Arc::clone(&s);
        let t = std::thread::spawn(move || s2.wait(seen, None));
        while s.sleepers.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        s.notify();
        assert!(t.join().unwrap());
    }
}
