//! Message trackers: pyzmq's `track=True`. A tracked frame's bytes are wrapped in a
//! [`Tracked`] owner; when the last reference to it is gone (the frame object and every
//! sent copy, i.e. once the message has been written out), the tracker is done.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use bytes::Bytes;
use pyo3::prelude::*;

/// Shared between the owner (which finishes it on drop) and the Python trackers.
#[derive(Default)]
struct TrackState {
    done: Mutex<bool>,
    cv: Condvar,
}

/// Owns the tracked bytes; finishes the tracker when dropped (on any thread, no GIL).
struct Tracked {
    data: Bytes,
    state: Arc<TrackState>,
}

impl AsRef<[u8]> for Tracked {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        *self.state.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.state.cv.notify_all();
    }
}

/// `ferromq._native.Tracker`: whether the tracked message's bytes are released.
#[pyclass(frozen, module = "ferromq._native", name = "Tracker")]
pub struct Tracker {
    state: Arc<TrackState>,
}

#[pymethods]
impl Tracker {
    /// True once the message has left (no reference to its bytes remains).
    #[getter]
    fn done(&self) -> bool {
        *self.state.done.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits (GIL released) up to `timeout` seconds (None: forever); returns `done`.
    #[pyo3(signature = (timeout = None))]
    fn _wait(&self, py: Python<'_>, timeout: Option<f64>) -> bool {
        let state = Arc::clone(&self.state);
        py.detach(move || {
            let g = state.done.lock().unwrap_or_else(|e| e.into_inner());
            match timeout {
                None => *state
                    .cv
                    .wait_while(g, |d| !*d)
                    .unwrap_or_else(|e| e.into_inner()),
                Some(t) => {
                    let t = Duration::try_from_secs_f64(t.max(0.0)).unwrap_or(Duration::MAX);
                    *state
                        .cv
                        .wait_timeout_while(g, t, |d| !*d)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            }
        })
    }
}

/// Wraps `data` so that the returned tracker is done once every clone of the returned
/// bytes is dropped.
pub fn track(data: Bytes) -> (Bytes, Tracker) {
    let state = Arc::new(TrackState::default());
    let owner = Tracked {
        data,
        state: Arc::clone(&state),
    };
    (Bytes::from_owner(owner), Tracker { state })
}
