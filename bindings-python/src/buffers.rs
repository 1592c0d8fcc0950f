//! Python objects as messages: `bytes`, frames and any buffer, large ones kept by
//! reference (zero copy) until the core is done with them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use bytes::Bytes;
use ferromq::Msg;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

use crate::bufffi;
use crate::frame::Frame;

/// Sends of `bytes` at least this large keep a reference to the object instead of copying.
pub(crate) const ZERO_COPY_MIN: usize = 64 * 1024;

/// Keeps a Python `bytes` object alive while the core holds its data.
struct PyBytesOwner {
    _obj: Py<PyBytes>,
    ptr: *const u8,
    len: usize,
}

// SAFETY: the pointer targets the immutable contents of a `bytes` object that `_obj`
// keeps alive; reading it needs no GIL, and `Py<T>` defers its decref when dropped
// without the GIL.
unsafe impl Send for PyBytesOwner {}
// SAFETY: as above; the data is never written.
unsafe impl Sync for PyBytesOwner {}

impl AsRef<[u8]> for PyBytesOwner {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: `ptr`/`len` describe the contents of the live, immutable bytes object.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// The message for a Python object: bytes (large ones without copying), Frame,
/// bytearray, memoryview or any other buffer; str is a TypeError as in pyzmq.
pub(crate) fn to_msg(data: &Bound<'_, PyAny>) -> PyResult<Msg> {
    convert(data, true, false)
}

/// The message to send for a Python object: [`to_msg`]; with `copy == false` (pyzmq's
/// zero-copy send) large mutable buffers are shared too. A Frame's bytes are shared
/// with the message, which the frame's `ZMQ_SHARED` property then reports.
pub(crate) fn to_send_msg(data: &Bound<'_, PyAny>, copy: bool) -> PyResult<Msg> {
    convert(data, copy, true)
}

fn convert(data: &Bound<'_, PyAny>, copy: bool, sending: bool) -> PyResult<Msg> {
    drain_releases(data.py());
    // An exact `bytes` (the usual case) is one type-pointer comparison.
    if let Ok(b) = data
        .cast_exact::<PyBytes>()
        .or_else(|_| data.cast::<PyBytes>())
    {
        let s = b.as_bytes();
        if s.len() < ZERO_COPY_MIN {
            return Ok(Msg::copy_from_slice(s));
        }
        let owner = PyBytesOwner {
            ptr: s.as_ptr(),
            len: s.len(),
            _obj: b.clone().unbind(),
        };
        return Ok(Msg::from_bytes(Bytes::from_owner(owner)));
    }
    if let Ok(f) = data.cast::<Frame>() {
        let f = f.get();
        if sending {
            f.mark_shared();
        }
        if f.tracker.is_some() {
            // Kept by reference however small, so the tracker sees when it has left.
            return Ok(Msg::from_shared_bytes(f.data.clone()));
        }
        return Ok(Msg::from_bytes(f.data.clone()));
    }
    if data.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("unicode not allowed, use send_string"));
    }
    if copy {
        if let Ok(b) = data.cast::<PyByteArray>() {
            return Ok(Msg::from(b.to_vec()));
        }
    }
    buffer_msg(data, !copy)
}

/// A buffer view (`PyObject_GetBuffer`) kept while the core holds its data.
struct PyBufferOwner {
    view: Box<bufffi::Py_buffer>,
}

// SAFETY: the exporter keeps `buf` valid and unmoved until PyBuffer_Release, which is
// only ever called with the GIL held (the view is handed to `RELEASE_QUEUE` on drop and
// released by `drain_releases`); reading the bytes needs no GIL.
unsafe impl Send for PyBufferOwner {}
// SAFETY: as above; the data is only read.
unsafe impl Sync for PyBufferOwner {}

impl AsRef<[u8]> for PyBufferOwner {
    fn as_ref(&self) -> &[u8] {
        let len = usize::try_from(self.view.len).unwrap_or(0);
        if len == 0 {
            return &[];
        }
        // SAFETY: the view is live (not yet released) and describes `len` readable bytes.
        unsafe { std::slice::from_raw_parts(self.view.buf as *const u8, len) }
    }
}

/// Views whose messages are gone, waiting for the GIL to be released.
struct PendingView(Box<bufffi::Py_buffer>);
// SAFETY: only moved between threads; released with the GIL in `drain_releases`.
unsafe impl Send for PendingView {}

static RELEASE_QUEUE: Mutex<Vec<PendingView>> = Mutex::new(Vec::new());
/// Set after a view is queued: lets `drain_releases` skip the lock when there is none.
static RELEASE_PENDING: AtomicBool = AtomicBool::new(false);

impl Drop for PyBufferOwner {
    fn drop(&mut self) {
        // May run on an I/O thread: never take the GIL here, queue the release instead.
        let view = std::mem::replace(&mut self.view, Box::new(empty_view()));
        RELEASE_QUEUE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(PendingView(view));
        RELEASE_PENDING.store(true, Ordering::Release);
    }
}

pub(crate) fn empty_view() -> bufffi::Py_buffer {
    // SAFETY: Py_buffer is plain old data; all-zero is its "no view" state.
    unsafe { std::mem::zeroed() }
}

/// Releases the views of sent messages (GIL held).
pub(crate) fn drain_releases(_py: Python<'_>) {
    // A plain load first: the common case (nothing queued) costs no locked instruction.
    if !RELEASE_PENDING.load(Ordering::Relaxed) || !RELEASE_PENDING.swap(false, Ordering::Acquire) {
        return;
    }
    let pending = {
        let mut q = RELEASE_QUEUE.lock().unwrap_or_else(|e| e.into_inner());
        if q.is_empty() {
            return;
        }
        std::mem::take(&mut *q)
    };
    for mut v in pending {
        // SAFETY: each view came from a successful PyObject_GetBuffer and is released
        // exactly once, with the GIL held (`_py`).
        unsafe { bufffi::PyBuffer_Release(&mut *v.0) };
    }
}

/// Any object supporting the buffer protocol: large read-only buffers (or any large
/// buffer with `zero_copy`) are kept by reference, the rest is copied.
fn buffer_msg(data: &Bound<'_, PyAny>, zero_copy: bool) -> PyResult<Msg> {
    let mut view = Box::new(empty_view());
    // SAFETY: `view` is writable storage for a Py_buffer; the GIL is held.
    let rc = unsafe { bufffi::PyObject_GetBuffer(data.as_ptr(), &mut *view, bufffi::PyBUF_SIMPLE) };
    if rc != 0 {
        // Replace the exporter's error with pyzmq's message, except a BufferError (a
        // buffer that exists but cannot be used, e.g. not contiguous), kept as pyzmq does.
        if let Some(e) = PyErr::take(data.py()) {
            if e.is_instance_of::<pyo3::exceptions::PyBufferError>(data.py()) {
                return Err(e);
            }
        }
        return Err(PyTypeError::new_err(format!(
            "expected bytes or a buffer, got {}",
            data.get_type().name()?
        )));
    }
    let len = usize::try_from(view.len).unwrap_or(0);
    if len >= ZERO_COPY_MIN && (zero_copy || view.readonly != 0) {
        return Ok(Msg::from_bytes(Bytes::from_owner(PyBufferOwner { view })));
    }
    let msg = if len == 0 {
        Msg::new()
    } else {
        // SAFETY: GetBuffer succeeded: `buf`/`len` describe readable memory until release.
        Msg::copy_from_slice(unsafe { std::slice::from_raw_parts(view.buf as *const u8, len) })
    };
    // SAFETY: released exactly once, GIL held.
    unsafe { bufffi::PyBuffer_Release(&mut *view) };
    Ok(msg)
}
