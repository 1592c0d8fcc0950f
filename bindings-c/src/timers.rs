//! `zmq_timers_*`: a set of repeating timers that the application drives itself
//! (`zmq_timers_timeout` to learn how long to wait, `zmq_timers_execute` to run the
//! handlers that are due). The schedule is sans-IO ([`Schedule`], time passed in); the
//! C functions add the clock and the handlers.

use crate::errno::{CResult, EFAULT, EINVAL};
use crate::ffi::guard;
use std::collections::VecDeque;
use std::os::raw::{c_int, c_long, c_void};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A timer handler: `handler(timer_id, arg)`.
type TimerFn = unsafe extern "C" fn(timer_id: c_int, arg: *mut c_void);

#[derive(Debug, Clone, Copy)]
struct Timer<H> {
    id: c_int,
    interval: Duration,
    due: Instant,
    handler: H,
}

/// Repeating timers by id.
#[derive(Debug)]
pub(crate) struct Schedule<H> {
    next_id: c_int,
    timers: Vec<Timer<H>>,
}

impl<H: Copy> Schedule<H> {
    pub(crate) fn new() -> Self {
        Schedule {
            next_id: 1,
            timers: Vec::new(),
        }
    }

    /// Adds a timer first due `interval` after `now`; returns its id (from 1).
    pub(crate) fn add(&mut self, now: Instant, interval: Duration, handler: H) -> c_int {
        let id = self.next_id;
        self.next_id = self.next_id.checked_add(1).unwrap_or(1);
        self.timers.push(Timer {
            id,
            interval,
            due: now + interval,
            handler,
        });
        id
    }

    fn find(&mut self, id: c_int) -> Option<&mut Timer<H>> {
        self.timers.iter_mut().find(|t| t.id == id)
    }

    pub(crate) fn cancel(&mut self, id: c_int) -> bool {
        let before = self.timers.len();
        self.timers.retain(|t| t.id != id);
        self.timers.len() != before
    }

    /// Changes the interval and restarts the timer from `now`.
    pub(crate) fn set_interval(&mut self, now: Instant, id: c_int, interval: Duration) -> bool {
        self.find(id).is_some_and(|t| {
            t.interval = interval;
            t.due = now + interval;
            true
        })
    }

    /// Restarts the timer from `now`.
    pub(crate) fn reset(&mut self, now: Instant, id: c_int) -> bool {
        self.find(id).is_some_and(|t| {
            t.due = now + t.interval;
            true
        })
    }

    /// Time from `now` until the next timer is due (zero if one is overdue), `None`
    /// without timers.
    pub(crate) fn timeout(&self, now: Instant) -> Option<Duration> {
        self.timers
            .iter()
            .map(|t| t.due.saturating_duration_since(now))
            .min()
    }

    /// The timers due at `now` (ids and handlers), each rescheduled one interval later.
    pub(crate) fn take_due(&mut self, now: Instant) -> Vec<(c_int, H)> {
        let mut due = Vec::new();
        for t in self.timers.iter_mut().filter(|t| t.due <= now) {
            t.due = now + t.interval;
            due.push((t.id, t.handler));
        }
        due
    }

    pub(crate) fn contains(&self, id: c_int) -> bool {
        self.timers.iter().any(|t| t.id == id)
    }
}

type Timers = Schedule<(TimerFn, usize)>;

const LIVE: u32 = 0xcafe_daed;
const DEAD: u32 = 0xdead_beef;
/// Destroyed handles wait this long in the free list before reuse, so that a stale
/// pointer keeps failing with EFAULT for a while (as for sockets).
const QUARANTINE: usize = 64;

/// What a C timers pointer points to: a tag first (`repr(C)`), as in context and socket
/// handles, so a foreign handle is told apart (EFAULT) and nothing is written through it.
/// Handles are never freed: a destroyed one drops its timers and is reused later.
#[repr(C)]
struct TimersHandle {
    tag: AtomicU32,
    timers: Mutex<Option<Timers>>,
}

/// Destroyed handles, oldest first.
static FREE: Mutex<VecDeque<usize>> = Mutex::new(VecDeque::new());

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The live handle behind a C pointer: EFAULT for NULL, a destroyed set, or any other
/// object.
///
/// # Safety
/// `timers` is NULL or a pointer returned by `zmq_timers_new`, `zmq_socket` or
/// `zmq_ctx_new` (all start with a 4-byte tag and are never freed).
unsafe fn handle<'a>(timers: *mut c_void) -> CResult<&'a TimersHandle> {
    if timers.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: as the caller guarantees, the pointer starts with an AtomicU32 tag.
    let tag = unsafe { &*(timers as *const AtomicU32) };
    if tag.load(Ordering::Acquire) != LIVE {
        return Err(EFAULT);
    }
    // SAFETY: the tag says this is a timers handle; handles are never freed.
    Ok(unsafe { &*(timers as *const TimersHandle) })
}

/// Runs `f` on the live timers at `timers` (EFAULT as [`handle`] says).
///
/// # Safety
/// As for [`handle`].
unsafe fn with_timers<T>(
    timers: *mut c_void,
    f: impl FnOnce(&mut Timers) -> CResult<T>,
) -> CResult<T> {
    // SAFETY: as the caller guarantees.
    let h = unsafe { handle(timers) }?;
    let mut guard = lock(&h.timers);
    f(guard.as_mut().ok_or(EFAULT)?)
}

/// A new, empty set of timers.
#[no_mangle]
pub extern "C" fn zmq_timers_new() -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let recycled = {
            let mut free = lock(&FREE);
            if free.len() > QUARANTINE {
                free.pop_front()
            } else {
                None
            }
        };
        let h: &'static TimersHandle = match recycled {
            // SAFETY: the free list only holds leaked handles from below.
            Some(addr) => unsafe { &*(addr as *const TimersHandle) },
            None => Box::leak(Box::new(TimersHandle {
                tag: AtomicU32::new(DEAD),
                timers: Mutex::new(None),
            })),
        };
        *lock(&h.timers) = Some(Timers::new());
        h.tag.store(LIVE, Ordering::Release);
        Ok(h as *const TimersHandle as *mut c_void)
    })
}

/// Frees the timers at `*timers_p` and sets `*timers_p` to NULL; EFAULT (and nothing
/// written) when `*timers_p` is not a live set of timers.
///
/// # Safety
/// `timers_p` is NULL or points to a pointer as [`zmq_timers_add`] takes.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_destroy(timers_p: *mut *mut c_void) -> c_int {
    guard(-1, || {
        if timers_p.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: `timers_p` points to a timers pointer (caller's contract).
        let p = unsafe { *timers_p };
        // SAFETY: as the caller guarantees.
        let h = unsafe { handle(p) }?;
        if h.tag
            .compare_exchange(LIVE, DEAD, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(EFAULT);
        }
        let timers = lock(&h.timers).take();
        drop(timers);
        lock(&FREE).push_back(p as usize);
        // SAFETY: as above.
        unsafe { *timers_p = std::ptr::null_mut() };
        Ok(0)
    })
}

/// Adds a timer calling `handler(id, arg)` every `interval` ms; returns its id.
///
/// # Safety
/// `timers` is NULL or a pointer returned by `zmq_timers_new` (or, by mistake, by
/// `zmq_socket` or `zmq_ctx_new`: EFAULT).
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_add(
    timers: *mut c_void,
    interval: usize,
    handler: Option<unsafe extern "C" fn(timer_id: c_int, arg: *mut c_void)>,
    arg: *mut c_void,
) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        unsafe {
            with_timers(timers, |t| {
                let handler = handler.ok_or(EFAULT)?;
                let interval = Duration::from_millis(interval as u64);
                Ok(t.add(Instant::now(), interval, (handler, arg as usize)))
            })
        }
    })
}

/// Removes a timer; EINVAL if there is none with that id.
///
/// # Safety
/// As for [`zmq_timers_add`].
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_cancel(timers: *mut c_void, timer_id: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        unsafe {
            with_timers(timers, |t| {
                if t.cancel(timer_id) {
                    Ok(0)
                } else {
                    Err(EINVAL)
                }
            })
        }
    })
}

/// Changes a timer's interval (restarting it); EINVAL if there is none with that id.
///
/// # Safety
/// As for [`zmq_timers_add`].
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_set_interval(
    timers: *mut c_void,
    timer_id: c_int,
    interval: usize,
) -> c_int {
    guard(-1, || {
        let interval = Duration::from_millis(interval as u64);
        // SAFETY: as the caller guarantees.
        unsafe {
            with_timers(timers, |t| {
                if t.set_interval(Instant::now(), timer_id, interval) {
                    Ok(0)
                } else {
                    Err(EINVAL)
                }
            })
        }
    })
}

/// Restarts a timer; EINVAL if there is none with that id.
///
/// # Safety
/// As for [`zmq_timers_add`].
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_reset(timers: *mut c_void, timer_id: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        unsafe {
            with_timers(timers, |t| {
                if t.reset(Instant::now(), timer_id) {
                    Ok(0)
                } else {
                    Err(EINVAL)
                }
            })
        }
    })
}

/// Milliseconds until the next timer is due (0 if one is overdue), -1 without timers.
///
/// # Safety
/// As for [`zmq_timers_add`].
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_timeout(timers: *mut c_void) -> c_long {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        unsafe {
            with_timers(timers, |t| {
                Ok(t.timeout(Instant::now()).map_or(-1, |d| {
                    c_long::try_from(d.as_micros().div_ceil(1000)).unwrap_or(c_long::MAX)
                }))
            })
        }
    })
}

/// Runs the handlers of the timers that are due (a handler may add or cancel timers).
///
/// # Safety
/// As for [`zmq_timers_add`].
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_execute(timers: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees; the lock is released before any handler runs.
        let due = unsafe { with_timers(timers, |t| Ok(t.take_due(Instant::now()))) }?;
        for (id, (handler, arg)) in due {
            // SAFETY: as above; only a check (a handler may have cancelled this timer or
            // destroyed the whole set).
            if !unsafe { with_timers(timers, |t| Ok(t.contains(id))) }? {
                continue;
            }
            // SAFETY: the application's handler with its own argument.
            unsafe { handler(id, arg as *mut c_void) };
        }
        Ok(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_runs_due_timers_and_reschedules() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut s: Schedule<u8> = Schedule::new();
        assert_eq!(s.timeout(t0), None);
        let a = s.add(t0, ms(10), 1);
        let b = s.add(t0, ms(30), 2);
        assert_eq!((a, b), (1, 2));
        assert_eq!(s.timeout(t0), Some(ms(10)));
        assert!(s.take_due(t0 + ms(5)).is_empty());
        assert_eq!(s.take_due(t0 + ms(10)), vec![(1, 1)]);
        assert_eq!(s.timeout(t0 + ms(10)), Some(ms(10)));
        assert!(s.cancel(a));
        assert!(!s.cancel(a));
        assert_eq!(s.timeout(t0 + ms(10)), Some(ms(20)));
        assert!(s.set_interval(t0 + ms(10), b, ms(1)));
        assert!(s.reset(t0 + ms(10), b));
        assert_eq!(s.take_due(t0 + ms(40)), vec![(2, 2)]);
        assert!(!s.reset(t0, 99));
    }

    static mut FIRED: c_int = 0;

    unsafe extern "C" fn fire(id: c_int, arg: *mut c_void) {
        // SAFETY: single-threaded test; `arg` is the timers set itself.
        unsafe {
            FIRED += id;
            zmq_timers_cancel(arg, id);
        }
    }

    #[test]
    fn c_timers_fire_and_may_cancel_themselves() {
        let mut timers = zmq_timers_new();
        // SAFETY: live timers, destroyed last.
        unsafe {
            let id = zmq_timers_add(timers, 0, Some(fire), timers);
            assert_eq!(id, 1);
            assert_eq!(zmq_timers_timeout(timers), 0);
            assert_eq!(zmq_timers_execute(timers), 0);
            assert_eq!(*std::ptr::addr_of!(FIRED), 1);
            assert_eq!(zmq_timers_timeout(timers), -1);
            assert_eq!(zmq_timers_cancel(timers, id), -1);
            assert_eq!(zmq_timers_add(timers, 5, None, timers), -1);
            assert_eq!(zmq_timers_destroy(&mut timers), 0);
        }
        assert!(timers.is_null());
    }

    #[test]
    fn foreign_and_destroyed_handles_fail_with_efault_and_are_not_written() {
        // A foreign object that does not start with the timers tag: a zeroed buffer.
        let mut foreign = [0u64; 8];
        let fp = foreign.as_mut_ptr() as *mut c_void;
        // SAFETY: every call gets a pointer to at least 4 readable bytes.
        unsafe {
            assert_eq!(zmq_timers_add(fp, 1, Some(fire), fp), -1);
            assert_eq!(crate::errno::zmq_errno(), libc::EFAULT);
            assert_eq!(zmq_timers_timeout(fp), -1);
            assert_eq!(zmq_timers_execute(fp), -1);
            let mut p = fp;
            assert_eq!(zmq_timers_destroy(&mut p), -1);
            assert_eq!(p, fp, "the caller's pointer is left alone");
        }
        assert_eq!(
            foreign, [0u64; 8],
            "nothing written through a foreign pointer"
        );
        let mut timers = zmq_timers_new();
        let stale = timers;
        // SAFETY: live timers, then a destroyed (never freed) handle.
        unsafe {
            assert_eq!(zmq_timers_destroy(&mut timers), 0);
            assert_eq!(zmq_timers_add(stale, 1, Some(fire), stale), -1);
            assert_eq!(crate::errno::zmq_errno(), libc::EFAULT);
            let mut again = stale;
            assert_eq!(zmq_timers_destroy(&mut again), -1);
        }
    }
}
