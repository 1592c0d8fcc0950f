//! Waiting with the GIL released: for another thread's call on a socket (its lock) and
//! for a socket's events. A wait goes in slices of at most [`SLICE_MS`] milliseconds and
//! runs Python signal handlers between them, so Ctrl-C interrupts it and a handler that
//! does not raise lets it go on, with the caller's timeout honoured.

use std::time::{Duration, Instant};

use ferromq::{Error, LockedSockets, SharedSocket, Socket, SocketGuard};
use pyo3::prelude::*;

use crate::errors::{zmq_err, IntoPy};

/// Longest wait without running Python signal handlers.
pub(crate) const SLICE_MS: i64 = 100;
const SLICE: Duration = Duration::from_millis(SLICE_MS as u64);

/// A deadline from a timeout in ms (-1 = none).
pub(crate) fn deadline(timeout_ms: i64) -> Option<Instant> {
    u64::try_from(timeout_ms)
        .ok()
        .map(|ms| Instant::now() + Duration::from_millis(ms))
}

/// The next slice to wait: `None` when the deadline has passed.
pub(crate) fn next_slice(deadline: Option<Instant>) -> Option<i64> {
    match deadline {
        None => Some(SLICE_MS),
        Some(d) => {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                None
            } else {
                let ms = i64::try_from(left.as_millis()).unwrap_or(i64::MAX);
                Some(ms.clamp(1, SLICE_MS))
            }
        }
    }
}

/// The open socket of `cell`. If another thread is in a call on it, waits for the call
/// to end without the GIL (which that thread may need to finish).
pub(crate) fn lock<'a>(py: Python<'_>, cell: &'a SharedSocket) -> PyResult<SocketGuard<'a>> {
    match cell.try_lock() {
        Err(Error::Again) => {}
        r => return r.py_err(py),
    }
    loop {
        let slice_end = Instant::now() + SLICE;
        match py.detach(|| cell.lock_until(Some(slice_end))) {
            Err(Error::Again) => py.check_signals()?,
            r => return r.py_err(py),
        }
    }
}

/// The distinct sockets of `cells`, locked in [`SharedSocket::lock_many`]'s deadlock-free
/// order, waiting (without the GIL) at most until `deadline`: `None` when it passes first.
pub(crate) fn lock_many<'a>(
    py: Python<'_>,
    cells: &[&'a SharedSocket],
    deadline: Option<Instant>,
) -> PyResult<Option<LockedSockets<'a>>> {
    // Free sockets lock without releasing the GIL.
    match SharedSocket::lock_many(cells, Some(Instant::now())) {
        Err(Error::Again) => {}
        r => return r.py_err(py).map(Some),
    }
    loop {
        let slice_end = Instant::now() + SLICE;
        let end = deadline.map_or(slice_end, |d| d.min(slice_end));
        match py.detach(|| SharedSocket::lock_many(cells, Some(end))) {
            Err(Error::Again) => {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Ok(None);
                }
                py.check_signals()?;
            }
            r => return r.py_err(py).map(Some),
        }
    }
}

/// Waits until `events` hold on `s` or the deadline passes. Returns false on timeout.
pub(crate) fn wait_events(
    py: Python<'_>,
    s: &mut Socket,
    events: i16,
    deadline: Option<Instant>,
) -> PyResult<bool> {
    loop {
        let Some(slice) = next_slice(deadline) else {
            return Ok(false);
        };
        let r = py.detach(|| s.poll(events, slice));
        match r {
            Ok(0) | Err(Error::Intr) => {}
            Ok(_) => return Ok(true),
            Err(e) => return Err(zmq_err(py, e)),
        }
        py.check_signals()?;
    }
}
