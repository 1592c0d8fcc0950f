//! [`DeadlineLock`]: a mutex whose waits can end at a deadline (std's `Mutex` has no timed
//! lock). Uncontended, locking is one compare-and-swap and unlocking one swap, as for
//! std's futex mutex; only a contended lock takes the parking mutex and condition variable.
//!
//! The state word follows the classic three-state futex mutex (Drepper, "Futexes are
//! tricky"): a waiter marks the lock CONTENDED before it sleeps, and an unlock that finds
//! CONTENDED wakes the sleepers. Every transition is a read-modify-write of the one word,
//! so no wake-up can be lost between a waiter's check and its sleep: the waiter checks and
//! marks while holding `park`, and the unlocker takes `park` before it notifies.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
/// Locked, and a waiter may be asleep: the unlock must wake it.
const CONTENDED: u32 = 2;

/// A mutual-exclusion lock with deadline waits and no poisoning (a panic while locked
/// unlocks it: the sockets it guards stay usable, as the bindings expect).
pub(crate) struct DeadlineLock<T> {
    state: AtomicU32,
    park: Mutex<()>,
    wake: Condvar,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through a `DeadlineGuard`, and at most one guard
// exists at a time (the state word), so sharing the lock hands `T` to one thread at a
// time: `T: Send` is enough, as for `std::sync::Mutex`.
unsafe impl<T: Send> Sync for DeadlineLock<T> {}

impl<T> DeadlineLock<T> {
    pub(crate) const fn new(value: T) -> Self {
        DeadlineLock {
            state: AtomicU32::new(UNLOCKED),
            park: Mutex::new(()),
            wake: Condvar::new(),
            value: UnsafeCell::new(value),
        }
    }

    /// The lock if it is free now.
    #[inline]
    pub(crate) fn try_lock(&self) -> Option<DeadlineGuard<'_, T>> {
        self.state
            .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .ok()
            .map(|_| DeadlineGuard { lock: self })
    }

    /// The lock, waiting for it until `deadline` (`None`: no limit); `None` on timeout.
    #[inline]
    pub(crate) fn lock_until(&self, deadline: Option<Instant>) -> Option<DeadlineGuard<'_, T>> {
        match self.try_lock() {
            Some(g) => Some(g),
            None => self.lock_contended(deadline),
        }
    }

    #[cold]
    fn lock_contended(&self, deadline: Option<Instant>) -> Option<DeadlineGuard<'_, T>> {
        let mut park = self.park.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            // Marking CONTENDED while holding `park`: an unlock after this sees it and
            // takes `park` to notify, which it can only do once we sleep in `wait`.
            if self.state.swap(CONTENDED, Ordering::Acquire) == UNLOCKED {
                return Some(DeadlineGuard { lock: self });
            }
            park = match deadline {
                None => self.wake.wait(park).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
                    }
                    self.wake
                        .wait_timeout(park, left)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        }
    }

    fn unlock(&self) {
        if self.state.swap(UNLOCKED, Ordering::Release) == CONTENDED {
            self.wake_waiters();
        }
    }

    #[cold]
    fn wake_waiters(&self) {
        // Taking `park` orders this wake after a waiter's CONTENDED mark and its sleep.
        drop(self.park.lock().unwrap_or_else(|e| e.into_inner()));
        self.wake.notify_all();
    }
}

/// Exclusive access to a [`DeadlineLock`]'s value; unlocks on drop.
pub(crate) struct DeadlineGuard<'a, T> {
    lock: &'a DeadlineLock<T>,
}

impl<T> Deref for DeadlineGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard is the one holder of the lock (see `Sync` above).
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for DeadlineGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard is the one holder of the lock, borrowed mutably.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for DeadlineGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn a_held_lock_times_out_at_the_deadline_and_is_free_after_unlock() {
        let lock = DeadlineLock::new(0u32);
        let held = lock.try_lock().expect("free");
        assert!(lock.try_lock().is_none());
        let start = Instant::now();
        let deadline = start + Duration::from_millis(30);
        assert!(lock.lock_until(Some(deadline)).is_none());
        assert!(Instant::now() >= deadline);
        drop(held);
        *lock.lock_until(Some(Instant::now())).expect("free again") += 1;
        assert_eq!(*lock.try_lock().expect("free"), 1);
    }

    #[test]
    fn waiters_are_woken_by_the_unlock_and_exclude_each_other() {
        let lock = Arc::new(DeadlineLock::new(0u64));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let lock = Arc::clone(&lock);
                std::thread::spawn(move || {
                    for _ in 0..20_000 {
                        let mut g = lock.lock_until(None).expect("no deadline");
                        // A non-atomic read-modify-write: lost updates would show.
                        let v = *g;
                        *g = v + 1;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(*lock.try_lock().expect("free"), 80_000);
    }

    #[test]
    fn a_panic_while_locked_unlocks() {
        let lock = Arc::new(DeadlineLock::new(()));
        let l = Arc::clone(&lock);
        let r = std::thread::spawn(move || {
            let _g = l.lock_until(None);
            panic!("while locked");
        })
        .join();
        assert!(r.is_err());
        assert!(lock.try_lock().is_some());
    }
}
