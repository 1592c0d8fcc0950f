//! [`Signal`]: how I/O threads wake an application thread blocked in a socket call.
//!
//! A generation counter plus a condition variable. A blocked call reads the generation,
//! re-checks its pipes, and sleeps only if the generation is unchanged, so a wake-up can
//! never be lost between the check and the sleep. Notifying costs one atomic increment
//! unless somebody is actually asleep, which keeps busy pipes free of syscalls.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

/// A wake-up point for one socket.
#[derive(Debug, Default)]
pub(crate) struct Signal {
    generation: AtomicU64,
    sleepers: AtomicU32,
    lock: Mutex<()>,
    cond: Condvar,
}

impl Signal {
    /// The current generation; pass it to [`Signal::wait`] after checking for work.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Wakes every thread waiting on this signal.
    pub fn notify(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            // Taking the lock orders this notify after a sleeper's generation check; it is
            // released before waking, so the woken thread does not block on it again.
            drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()));
            self.cond.notify_all();
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
