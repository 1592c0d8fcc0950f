//! `zmq_atomic_counter_*`: a heap-allocated atomic integer.

use crate::ffi::guard_infallible;
use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicI32, Ordering};

/// A new counter at 0, or NULL.
#[no_mangle]
pub extern "C" fn zmq_atomic_counter_new() -> *mut c_void {
    guard_infallible(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(AtomicI32::new(0))) as *mut c_void
    })
}

/// # Safety
/// `counter` is NULL or from `zmq_atomic_counter_new` and not destroyed.
unsafe fn counter<'a>(counter: *mut c_void) -> Option<&'a AtomicI32> {
    // SAFETY: a live counter from `zmq_atomic_counter_new` (caller's contract).
    unsafe { (counter as *const AtomicI32).as_ref() }
}

/// Sets the counter to `value`.
///
/// # Safety
/// `counter` is NULL or from `zmq_atomic_counter_new` and not destroyed.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_set(counter_: *mut c_void, value: c_int) {
    // SAFETY: as the caller guarantees.
    if let Some(c) = unsafe { counter(counter_) } {
        c.store(value, Ordering::SeqCst);
    }
}

/// Adds 1; returns the value before.
///
/// # Safety
/// `counter` is NULL or from `zmq_atomic_counter_new` and not destroyed.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_inc(counter_: *mut c_void) -> c_int {
    // SAFETY: as the caller guarantees.
    unsafe { counter(counter_) }.map_or(-1, |c| c.fetch_add(1, Ordering::SeqCst))
}

/// Subtracts 1; returns 1 if the counter is not zero afterwards, else 0.
///
/// # Safety
/// `counter` is NULL or from `zmq_atomic_counter_new` and not destroyed.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_dec(counter_: *mut c_void) -> c_int {
    // SAFETY: as the caller guarantees.
    unsafe { counter(counter_) }.map_or(-1, |c| c_int::from(c.fetch_sub(1, Ordering::SeqCst) != 1))
}

/// The counter's value.
///
/// # Safety
/// `counter` is NULL or from `zmq_atomic_counter_new` and not destroyed.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_value(counter_: *mut c_void) -> c_int {
    // SAFETY: as the caller guarantees.
    unsafe { counter(counter_) }.map_or(-1, |c| c.load(Ordering::SeqCst))
}

/// Frees the counter at `*counter_p` and sets `*counter_p` to NULL.
///
/// # Safety
/// `counter_p` is NULL or points to NULL or a counter from `zmq_atomic_counter_new`.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_destroy(counter_p: *mut *mut c_void) {
    if counter_p.is_null() {
        return;
    }
    // SAFETY: `counter_p` points to a counter pointer (caller's contract).
    let p = unsafe { std::ptr::replace(counter_p, std::ptr::null_mut()) };
    if !p.is_null() {
        // SAFETY: `p` came from Box::into_raw in `zmq_atomic_counter_new`.
        drop(unsafe { Box::from_raw(p as *mut AtomicI32) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_semantics_match_libzmq() {
        let mut c = zmq_atomic_counter_new();
        // SAFETY: a live counter, destroyed last.
        unsafe {
            assert_eq!(zmq_atomic_counter_inc(c), 0);
            assert_eq!(zmq_atomic_counter_inc(c), 1);
            assert_eq!(zmq_atomic_counter_dec(c), 1);
            assert_eq!(zmq_atomic_counter_dec(c), 0);
            zmq_atomic_counter_set(c, 5);
            assert_eq!(zmq_atomic_counter_value(c), 5);
            zmq_atomic_counter_destroy(&mut c);
        }
        assert!(c.is_null());
    }
}
