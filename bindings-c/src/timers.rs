//! `zmq_timers_*`: a set of repeating timers that the application drives itself
//! (`zmq_timers_timeout` to learn how long to wait, `zmq_timers_execute` to run the
//! handlers that are due). The schedule is sans-IO ([`Schedule`], time passed in); the
//! C functions add the clock and the handlers.

use crate::errno::{guard, CResult, EFAULT, EINVAL};
use std::os::raw::{c_int, c_long, c_void};
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

/// # Safety
/// `timers` is NULL or from `zmq_timers_new` and not destroyed; no other reference to
/// it is live.
unsafe fn timers_mut<'a>(timers: *mut c_void) -> CResult<&'a mut Timers> {
    // SAFETY: as the caller guarantees.
    unsafe { (timers as *mut Timers).as_mut() }.ok_or(EFAULT)
}

/// A new, empty set of timers.
#[no_mangle]
pub extern "C" fn zmq_timers_new() -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        Ok(Box::into_raw(Box::new(Timers::new())) as *mut c_void)
    })
}

/// Frees the timers at `*timers_p` and sets `*timers_p` to NULL.
///
/// # Safety
/// `timers_p` is NULL or points to NULL or to timers from `zmq_timers_new`.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_destroy(timers_p: *mut *mut c_void) -> c_int {
    guard(-1, || {
        if timers_p.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: `timers_p` points to a timers pointer (caller's contract).
        let p = unsafe { std::ptr::replace(timers_p, std::ptr::null_mut()) };
        if p.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: `p` came from Box::into_raw in `zmq_timers_new`.
        drop(unsafe { Box::from_raw(p as *mut Timers) });
        Ok(0)
    })
}

/// Adds a timer calling `handler(id, arg)` every `interval` ms; returns its id.
///
/// # Safety
/// `timers` is NULL or from `zmq_timers_new` and not destroyed.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_add(
    timers: *mut c_void,
    interval: usize,
    handler: Option<unsafe extern "C" fn(timer_id: c_int, arg: *mut c_void)>,
    arg: *mut c_void,
) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let t = unsafe { timers_mut(timers) }?;
        let handler = handler.ok_or(EFAULT)?;
        let interval = Duration::from_millis(interval as u64);
        Ok(t.add(Instant::now(), interval, (handler, arg as usize)))
    })
}

/// Removes a timer; EINVAL if there is none with that id.
///
/// # Safety
/// `timers` is NULL or from `zmq_timers_new` and not destroyed.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_cancel(timers: *mut c_void, timer_id: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let t = unsafe { timers_mut(timers) }?;
        if t.cancel(timer_id) {
            Ok(0)
        } else {
            Err(EINVAL)
        }
    })
}

/// Changes a timer's interval (restarting it); EINVAL if there is none with that id.
///
/// # Safety
/// `timers` is NULL or from `zmq_timers_new` and not destroyed.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_set_interval(
    timers: *mut c_void,
    timer_id: c_int,
    interval: usize,
) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let t = unsafe { timers_mut(timers) }?;
        let interval = Duration::from_millis(interval as u64);
        if t.set_interval(Instant::now(), timer_id, interval) {
            Ok(0)
        } else {
            Err(EINVAL)
        }
    })
}

/// Restarts a timer; EINVAL if there is none with that id.
///
/// # Safety
/// `timers` is NULL or from `zmq_timers_new` and not destroyed.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_reset(timers: *mut c_void, timer_id: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let t = unsafe { timers_mut(timers) }?;
        if t.reset(Instant::now(), timer_id) {
            Ok(0)
        } else {
            Err(EINVAL)
        }
    })
}

/// Milliseconds until the next timer is due (0 if one is overdue), -1 without timers.
///
/// # Safety
/// `timers` is NULL or from `zmq_timers_new` and not destroyed.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_timeout(timers: *mut c_void) -> c_long {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let t = unsafe { timers_mut(timers) }?;
        Ok(t.timeout(Instant::now()).map_or(-1, |d| {
            c_long::try_from(d.as_micros().div_ceil(1000)).unwrap_or(c_long::MAX)
        }))
    })
}

/// Runs the handlers of the timers that are due (a handler may add or cancel timers).
///
/// # Safety
/// `timers` is NULL or from `zmq_timers_new` and not destroyed.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_execute(timers: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees; the borrow ends before any handler runs.
        let due = unsafe { timers_mut(timers) }?.take_due(Instant::now());
        for (id, (handler, arg)) in due {
            // SAFETY: as above; re-borrowed for the check only (a handler may have
            // cancelled this timer).
            if !unsafe { timers_mut(timers) }?.contains(id) {
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
}
