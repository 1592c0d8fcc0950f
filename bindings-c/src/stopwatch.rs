//! `zmq_stopwatch_*`: microsecond timers.

use crate::ffi::guard_infallible;
use std::os::raw::{c_ulong, c_void};
use std::time::Instant;

/// Starts a stopwatch.
#[no_mangle]
pub extern "C" fn zmq_stopwatch_start() -> *mut c_void {
    guard_infallible(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(Instant::now())) as *mut c_void
    })
}

fn micros(start: &Instant) -> c_ulong {
    c_ulong::try_from(start.elapsed().as_micros()).unwrap_or(c_ulong::MAX)
}

/// Microseconds since the stopwatch started.
///
/// # Safety
/// `watch` is NULL or from `zmq_stopwatch_start` and not stopped.
#[no_mangle]
pub unsafe extern "C" fn zmq_stopwatch_intermediate(watch: *mut c_void) -> c_ulong {
    // SAFETY: a live stopwatch (caller's contract).
    unsafe { (watch as *const Instant).as_ref() }.map_or(0, micros)
}

/// Microseconds since the stopwatch started; frees it.
///
/// # Safety
/// `watch` is NULL or from `zmq_stopwatch_start` and not stopped.
#[no_mangle]
pub unsafe extern "C" fn zmq_stopwatch_stop(watch: *mut c_void) -> c_ulong {
    if watch.is_null() {
        return 0;
    }
    // SAFETY: `watch` came from Box::into_raw in `zmq_stopwatch_start`.
    let start = unsafe { Box::from_raw(watch as *mut Instant) };
    micros(&start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_elapsed_time() {
        let w = zmq_stopwatch_start();
        std::thread::sleep(std::time::Duration::from_millis(2));
        // SAFETY: a live stopwatch, stopped last.
        unsafe {
            assert!(zmq_stopwatch_intermediate(w) >= 2000);
            assert!(zmq_stopwatch_stop(w) >= 2000);
        }
    }
}
