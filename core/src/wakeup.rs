//! [`Signal`]: how I/O threads wake an application thread blocked in a socket call.
//!
//! A generation counter plus a condition variable. A blocked call reads the generation,
//! re-checks its pipes, and sleeps only if the generation is unchanged, so a wake-up can
//! never be lost between the check and the sleep. Notifying costs one atomic increment
//! unless somebody is actually asleep, which keeps busy pipes free of syscalls.
//!
//! A sleeper waits in poll(2) on an eventfd of its own thread, registered with the signal
//! while it sleeps, and not on a condition variable: like libzmq's blocking calls, which
//! wait in poll(2) on their mailbox, the wait then ends with EINTR when a signal handler
//! runs in that thread (poll is never restarted, whatever SA_RESTART says), so a program's
//! SIGINT/SIGALRM handler gets control back from a blocked send or receive.
//!
//! A signal can also drive an event loop through its readiness FD (`ZMQ_FD`): an eventfd,
//! made on first request, that becomes readable on the first notify after it was last
//! cleared. It is edge-like, as libzmq's: readable means "events may have changed", and
//! clearing it comes before re-checking them, so no change is missed. An idle socket's FD
//! stays unreadable, and a busy one costs one `write` per clear, not per notify.

use crate::sys;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// How [`Signal::wait`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Woken {
    /// The generation moved on: something may have changed.
    Notified,
    /// The deadline passed first.
    TimedOut,
    /// A signal handler ran in the waiting thread (EINTR).
    Interrupted,
    /// The extra descriptor given to [`Signal::wait_or_readable`] became readable.
    Readable,
}

/// A wake-up point for one socket.
#[derive(Debug, Default)]
pub(crate) struct Signal {
    generation: AtomicU64,
    sleepers: AtomicU32,
    /// The wake eventfds of the threads sleeping on this signal.
    waiters: Mutex<Vec<RawFd>>,
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
            // A sleeper registers its fd under this lock before it checks the generation,
            // so it either sees the new generation or is in the list written to here.
            let waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
            for &fd in waiters.iter() {
                write_one(fd);
            }
        }
    }

    /// The readiness FD, made (readable) on the first call.
    pub fn readiness_fd(&self) -> io::Result<RawFd> {
        if let Some(fd) = self.fd.get() {
            return Ok(fd.as_raw_fd());
        }
        let owned = sys::fd::new_eventfd()?;
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
            // A concurrent notify may not have written yet (EAGAIN); it then leaves the
            // FD readable, which only costs the loop a spurious look.
            sys::fd::eventfd_drain(fd.as_raw_fd());
        }
    }

    /// Sleeps until the generation differs from `seen`, `deadline` passes, or a signal
    /// handler runs in this thread.
    pub fn wait(&self, seen: u64, deadline: Option<Instant>) -> Woken {
        self.wait_with(seen, deadline, None)
    }

    /// [`Signal::wait`], also ending with [`Woken::Readable`] when `extra` becomes
    /// readable (or reports an error or hang-up): a blocked receive that reads its
    /// connection itself waits on the stream too (see `io::FastLane`).
    pub fn wait_or_readable(&self, seen: u64, deadline: Option<Instant>, extra: RawFd) -> Woken {
        self.wait_with(seen, deadline, Some(extra))
    }

    fn wait_with(&self, seen: u64, deadline: Option<Instant>, extra: Option<RawFd>) -> Woken {
        let Ok(fd) = thread_wake_fd() else {
            // No eventfd to sleep on (EMFILE…): poll the generation instead, briefly.
            return self.wait_by_polling(seen, deadline, extra);
        };
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        self.waiters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(fd);
        let woken = loop {
            if self.generation.load(Ordering::SeqCst) != seen {
                break Woken::Notified;
            }
            let timeout_ms = match deadline {
                None => -1,
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        break Woken::TimedOut;
                    }
                    // Rounded up, so the wait never ends just before the deadline.
                    let ms = (d - now).as_micros().div_ceil(1000);
                    i32::try_from(ms).unwrap_or(i32::MAX)
                }
            };
            let mut fds = [pollin(fd), pollin(extra.unwrap_or(-1))];
            // A negative fd is ignored by poll(2); leaving it out costs nothing either.
            let n = if extra.is_some() { 2 } else { 1 };
            match sys::fd::poll(&mut fds[..n], timeout_ms) {
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => break Woken::Interrupted,
                Ok(_) => {
                    if fds[0].revents != 0 {
                        // A notify, possibly one meant for an earlier wait: the loop
                        // re-checks the generation.
                        sys::fd::eventfd_drain(fd);
                    }
                    if fds[1].revents != 0 {
                        break Woken::Readable;
                    }
                }
                _ => {}
            }
        };
        {
            let mut waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = waiters.iter().position(|&w| w == fd) {
                waiters.swap_remove(i);
            }
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
        woken
    }

    /// [`Signal::wait`] for a thread that cannot have a wake eventfd: looks at the
    /// generation (and at `extra`) every millisecond.
    fn wait_by_polling(&self, seen: u64, deadline: Option<Instant>, extra: Option<RawFd>) -> Woken {
        loop {
            if self.generation.load(Ordering::SeqCst) != seen {
                return Woken::Notified;
            }
            if extra.is_some_and(|fd| sys::fd::poll_readable(fd, 0).unwrap_or(true)) {
                return Woken::Readable;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Woken::TimedOut;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

/// Blocks every signal in the calling thread, as libzmq does in its own threads: a signal
/// sent to the process (SIGINT, SIGALRM…) is then handled by an application thread, whose
/// blocked call returns EINTR, and never by an I/O thread, where it would go unseen.
pub(crate) fn block_all_signals() {
    sys::process::block_all_signals();
}

thread_local! {
    /// This thread's wake eventfd, made on its first blocking wait, closed at thread exit.
    static WAKE_FD: OnceLock<OwnedFd> = const { OnceLock::new() };
}

/// The calling thread's wake eventfd.
fn thread_wake_fd() -> io::Result<RawFd> {
    WAKE_FD.with(|cell| {
        if let Some(fd) = cell.get() {
            return Ok(fd.as_raw_fd());
        }
        let made = sys::fd::new_eventfd()?;
        let fd = cell.get_or_init(|| made);
        Ok(fd.as_raw_fd())
    })
}

/// A `pollfd` waiting for `fd` to be readable.
fn pollin(fd: RawFd) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }
}

/// Adds one to an eventfd (making it readable). The fd is open: the signal's own, or a
/// sleeper's, which stays open while it is in `waiters` (it is removed under the lock
/// `notify` holds while writing).
fn write_one(fd: RawFd) {
    sys::fd::eventfd_add_one(fd);
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
        assert_eq!(
            s.wait(seen, Some(Instant::now() + Duration::from_secs(5))),
            Woken::Notified
        );
    }

    fn readable(fd: RawFd) -> bool {
        sys::fd::poll_readable(fd, 0).unwrap()
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
    fn a_readable_extra_fd_ends_the_wait_and_a_notify_still_does() {
        let s = Signal::default();
        let extra = sys::fd::new_eventfd().unwrap();
        let seen = s.generation();
        let soon = || Some(Instant::now() + Duration::from_millis(20));
        assert_eq!(
            s.wait_or_readable(seen, soon(), extra.as_raw_fd()),
            Woken::TimedOut,
            "nothing to read"
        );
        write_one(extra.as_raw_fd());
        assert_eq!(
            s.wait_or_readable(
                seen,
                Some(Instant::now() + Duration::from_secs(5)),
                extra.as_raw_fd()
            ),
            Woken::Readable
        );
        sys::fd::eventfd_drain(extra.as_raw_fd());
        s.notify();
        assert_eq!(
            s.wait_or_readable(
                seen,
                Some(Instant::now() + Duration::from_secs(5)),
                extra.as_raw_fd()
            ),
            Woken::Notified
        );
    }

    #[test]
    fn wait_times_out_without_notify() {
        let s = Signal::default();
        let seen = s.generation();
        let start = Instant::now();
        assert_eq!(
            s.wait(seen, Some(start + Duration::from_millis(10))),
            Woken::TimedOut
        );
        assert!(start.elapsed() >= Duration::from_millis(10));
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
        assert_eq!(t.join().unwrap(), Woken::Notified);
    }

    #[test]
    fn a_stale_wake_up_does_not_end_the_next_wait() {
        let s = Signal::default();
        let fd = thread_wake_fd().unwrap();
        write_one(fd); // as a notify that raced with the end of an earlier wait
        let seen = s.generation();
        assert_eq!(
            s.wait(seen, Some(Instant::now() + Duration::from_millis(20))),
            Woken::TimedOut
        );
    }

    #[test]
    fn a_signal_handler_ends_the_wait_with_interrupted() {
        // SIGUSR1 with a handler that does nothing and SA_RESTART, as signal(3) installs
        // it: poll(2) still fails with EINTR, as libzmq's waits do.
        sys::process::install_noop_handler(libc::SIGUSR1);
        let s = Arc::new(Signal::default());
        let seen = s.generation();
        let s2 = Arc::clone(&s);
        let (tx, rx) = std::sync::mpsc::channel();
        let t = std::thread::spawn(move || {
            tx.send(sys::thread::current()).unwrap();
            s2.wait(seen, Some(Instant::now() + Duration::from_secs(10)))
        });
        let thread = rx.recv().unwrap();
        while s.sleepers.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        // A signal that lands after the sleeper registered but before it entered poll(2)
        // runs its handler without interrupting anything (a loaded machine makes that
        // window real): signal again until the wait has ended. `thread` is alive until
        // then (it is joined below); a signal racing with its exit is ignored.
        while !t.is_finished() {
            let _ = sys::thread::kill(thread, libc::SIGUSR1);
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(t.join().unwrap(), Woken::Interrupted);
        assert!(
            s.waiters.lock().unwrap().is_empty(),
            "the sleeper unregistered"
        );
    }
}
