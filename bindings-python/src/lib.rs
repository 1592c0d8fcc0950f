//! `ferromq._native`: the compiled core of the `ferromq` Python package (pyo3, abi3).
//!
//! Only the context, the socket, frames, poll and proxy live here; the pyzmq-compatible
//! sugar (attribute options, json/pyobj helpers, Poller, asyncio) is pure Python in
//! `python/ferromq/`.
//!
//! Blocking calls try a non-blocking attempt first with the GIL held; only if that would
//! block they release the GIL and wait in slices of at most `SLICE_MS` (100) milliseconds,
//! running Python signal handlers between slices (so Ctrl-C interrupts a blocking recv
//! and a handler that does not raise lets it go on, with RCVTIMEO/SNDTIMEO honoured).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferromq::sockopt::{self as so, OptionType, OptionValue};
use ferromq::{
    Context, Error, Msg, PollItem, Socket, SocketType, DONTWAIT, POLLIN, POLLOUT, SNDMORE,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
mod bufffi;
mod bufobj;
mod shadow;
mod tables;
mod track;

use shadow::Registry;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString, PyTuple};

/// Longest wait without running Python signal handlers.
const SLICE_MS: i64 = 100;
/// Sends of `bytes` at least this large keep a reference to the object instead of copying.
const ZERO_COPY_MIN: usize = 64 * 1024;

static ERROR_FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception (from `ferromq.error`) for a core error.
fn zmq_err(py: Python<'_>, e: Error) -> PyErr {
    let errno = e.errno();
    let factory = ERROR_FACTORY.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("ferromq.error")?
            .getattr("_error_for_errno")?
            .unbind())
    });
    match factory.and_then(|f| f.bind(py).call1((errno,))) {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

trait IntoPy<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for ferromq::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| zmq_err(py, e))
    }
}

/// A deadline from a timeout in ms (-1 = none).
fn deadline(timeout_ms: i64) -> Option<Instant> {
    u64::try_from(timeout_ms)
        .ok()
        .map(|ms| Instant::now() + Duration::from_millis(ms))
}

/// The next slice to wait: `None` when the deadline has passed.
fn next_slice(deadline: Option<Instant>) -> Option<i64> {
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

/// The `ferromq.Context` core.
#[pyclass(frozen, subclass, module = "ferromq._native", name = "Context")]
struct PyContext {
    ctx: Arc<Context>,
    address: usize,
}

/// Every live context, by `underlying` address (for `Context.shadow`).
static CONTEXTS: Registry<Context> = Registry::new();
/// Every live socket, by `underlying` address (for `Socket.shadow`), with its type.
static SOCKETS: Registry<Mutex<Option<Socket>>> = Registry::new();

#[pymethods]
impl PyContext {
    #[new]
    #[pyo3(signature = (io_threads = None, *_args, shadow = 0, **_kwargs))]
    fn new(
        py: Python<'_>,
        io_threads: Option<&Bound<'_, PyAny>>,
        _args: &Bound<'_, PyTuple>,
        shadow: usize,
        _kwargs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        // pyzmq: Context(other_context) shadows it, as does Context(shadow=address).
        let shadow = match io_threads.map(|c| c.cast::<PyContext>()) {
            Some(Ok(other)) => other.get().address,
            _ => shadow,
        };
        if shadow != 0 {
            let (ctx, _) = CONTEXTS
                .lookup(shadow)
                .ok_or_else(|| zmq_err(py, Error::Invalid))?;
            return Ok(PyContext {
                ctx,
                address: shadow,
            });
        }
        // A subclass may take other positional arguments (its own __init__ handles
        // them): only an int is an io_threads count.
        let io_threads: i32 = io_threads.and_then(|n| n.extract().ok()).unwrap_or(1);
        let ctx = Arc::new(Context::new());
        if io_threads != 1 {
            ctx.set_io_threads(io_threads).py_err(py)?;
        }
        let address = CONTEXTS.register(&ctx, 0);
        Ok(PyContext { ctx, address })
    }

    /// The address of the shared context state (`Context.shadow(address)` reuses it).
    #[getter]
    fn underlying(&self) -> usize {
        self.address
    }

    /// Terminates the context: blocked calls in other threads fail with ETERM, then
    /// waits until every socket is closed (and its linger has passed).
    fn _term(&self, py: Python<'_>) {
        let ctx = self.ctx.clone();
        py.detach(move || ctx.term());
    }

    /// Makes blocked and future calls fail with ETERM, without waiting.
    fn _shutdown(&self, py: Python<'_>) {
        let ctx = self.ctx.clone();
        py.detach(move || ctx.shutdown());
    }

    fn _ctx_set(&self, py: Python<'_>, option: i32, value: i32) -> PyResult<()> {
        self.ctx.set(option, value).py_err(py)
    }

    fn _ctx_get(&self, py: Python<'_>, option: i32) -> PyResult<i32> {
        self.ctx.get(option).py_err(py)
    }
}

/// The `ferromq.Socket` core: a core socket behind a mutex, so two Python threads using
/// one socket are serialized (never undefined behaviour).
#[pyclass(frozen, subclass, module = "ferromq._native", name = "Socket")]
struct PySocket {
    inner: Arc<Mutex<Option<Socket>>>,
    socket_type: i32,
    address: usize,
}

/// A locked, open socket.
struct Locked<'a>(MutexGuard<'a, Option<Socket>>);

impl Locked<'_> {
    fn sock(&mut self) -> &mut Socket {
        // Checked open by `PySocket::lock`.
        self.0.as_mut().expect("checked open")
    }
}

impl PySocket {
    /// Locks the socket; waits for another thread's call without holding the GIL.
    fn lock_any<'a>(&'a self, py: Python<'_>) -> MutexGuard<'a, Option<Socket>> {
        loop {
            match self.inner.try_lock() {
                Ok(g) => return g,
                Err(std::sync::TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {
                    let m = &self.inner;
                    py.detach(|| drop(m.lock()));
                }
            }
        }
    }

    fn lock<'a>(&'a self, py: Python<'_>) -> PyResult<Locked<'a>> {
        let g = self.lock_any(py);
        if g.is_none() {
            return Err(zmq_err(py, Error::NotSock));
        }
        Ok(Locked(g))
    }

    /// Waits (GIL released, in slices, running signal handlers) until `events` hold or
    /// the deadline passes. Returns false on timeout.
    fn wait(
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

    /// Receives one frame, blocking as the flags and RCVTIMEO say.
    fn recv_msg(py: Python<'_>, s: &mut Socket, flags: i32) -> PyResult<Msg> {
        match s.recv(flags | DONTWAIT) {
            Err(Error::Again) if flags & DONTWAIT == 0 => {}
            r => return r.py_err(py),
        }
        let dl = deadline(i64::from(s.rcvtimeo().py_err(py)?));
        loop {
            if !Self::wait(py, s, POLLIN, dl)? {
                return Err(zmq_err(py, Error::Again));
            }
            match s.recv(DONTWAIT) {
                Err(Error::Again) => continue,
                r => return r.py_err(py),
            }
        }
    }

    /// Sends one frame, blocking as the flags and SNDTIMEO say.
    fn send_msg(py: Python<'_>, s: &mut Socket, msg: Msg, flags: i32) -> PyResult<()> {
        // A failed non-blocking send consumes the message: keep a cheap clone to retry.
        let retry = msg.clone();
        match s.send(msg, flags | DONTWAIT) {
            Err(Error::Again) if flags & DONTWAIT == 0 => {}
            r => return r.py_err(py),
        }
        let dl = deadline(i64::from(s.sndtimeo().py_err(py)?));
        loop {
            if !Self::wait(py, s, POLLOUT, dl)? {
                return Err(zmq_err(py, Error::Again));
            }
            match s.send(retry.clone(), flags | DONTWAIT) {
                Err(Error::Again) => continue,
                r => return r.py_err(py),
            }
        }
    }
}

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
fn to_msg(data: &Bound<'_, PyAny>) -> PyResult<Msg> {
    to_msg_copy(data, true)
}

/// [`to_msg`]; with `copy == false` (pyzmq's zero-copy send) large mutable buffers are
/// shared too.
fn to_msg_copy(data: &Bound<'_, PyAny>, copy: bool) -> PyResult<Msg> {
    drain_releases(data.py());
    if let Ok(b) = data.cast::<PyBytes>() {
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

fn empty_view() -> bufffi::Py_buffer {
    // SAFETY: Py_buffer is plain old data; all-zero is its "no view" state.
    unsafe { std::mem::zeroed() }
}

/// Releases the views of sent messages (GIL held).
fn drain_releases(_py: Python<'_>) {
    if !RELEASE_PENDING.swap(false, Ordering::Acquire) {
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

fn opt_value(py: Python<'_>, option: i32, value: &Bound<'_, PyAny>) -> PyResult<OptionValue> {
    match so::option_type(option) {
        Some(OptionType::Bytes) => {
            if let Ok(s) = value.cast::<PyString>() {
                return Ok(OptionValue::Bytes(s.to_cow()?.as_bytes().to_vec()));
            }
            Ok(OptionValue::Bytes(to_msg(value)?.as_bytes().to_vec()))
        }
        Some(OptionType::Int64) => Ok(OptionValue::Int64(value.extract()?)),
        Some(_) => Ok(OptionValue::Int(value.extract()?)),
        None => Err(zmq_err(py, Error::Invalid)),
    }
}

fn opt_to_py(py: Python<'_>, v: OptionValue) -> PyResult<Py<PyAny>> {
    Ok(match v {
        OptionValue::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        OptionValue::Int64(i) => i.into_pyobject(py)?.into_any().unbind(),
        OptionValue::Bytes(b) => PyBytes::new(py, &b).into_any().unbind(),
    })
}

#[pymethods]
impl PySocket {
    #[new]
    #[pyo3(signature = (context = None, socket_type = 0, *_args, shadow = 0, **_kwargs))]
    fn new(
        py: Python<'_>,
        context: Option<&Bound<'_, PyAny>>,
        socket_type: i32,
        _args: &Bound<'_, PyTuple>,
        shadow: usize,
        _kwargs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        // pyzmq: Socket(other_socket) shadows it, as does Socket(shadow=address).
        let shadow = match context.map(|c| c.cast::<PySocket>()) {
            Some(Ok(other)) => other.get().address,
            _ => shadow,
        };
        if shadow != 0 {
            let (inner, socket_type) = SOCKETS
                .lookup(shadow)
                .ok_or_else(|| zmq_err(py, Error::Invalid))?;
            return Ok(PySocket {
                inner,
                socket_type,
                address: shadow,
            });
        }
        let context = context
            .ok_or_else(|| PyTypeError::new_err("a Context (or shadow=address) is required"))?
            .cast::<PyContext>()
            .map_err(|_| PyTypeError::new_err("context must be a Context"))?;
        let ty = SocketType::from_raw(socket_type).ok_or_else(|| zmq_err(py, Error::Invalid))?;
        let sock = context.get().ctx.socket(ty).py_err(py)?;
        let inner = Arc::new(Mutex::new(Some(sock)));
        let address = SOCKETS.register(&inner, socket_type);
        Ok(PySocket {
            inner,
            socket_type,
            address,
        })
    }

    /// The address of the shared socket state (`Socket.shadow(address)` reuses it).
    #[getter]
    fn underlying(&self) -> usize {
        self.address
    }

    /// The socket type number.
    #[getter]
    fn socket_type(&self) -> i32 {
        self.socket_type
    }

    /// True once closed.
    #[getter]
    fn closed(&self, py: Python<'_>) -> bool {
        self.lock_any(py).is_none()
    }

    /// Closes the socket (idempotent).
    fn _close(&self, py: Python<'_>) {
        let sock = self.lock_any(py).take();
        drop(sock);
        drain_releases(py);
    }

    fn _bind(&self, py: Python<'_>, addr: &str) -> PyResult<()> {
        let mut l = self.lock(py)?;
        let s = l.sock();
        py.detach(|| s.bind(addr)).py_err(py)
    }

    fn _connect(&self, py: Python<'_>, addr: &str) -> PyResult<()> {
        let mut l = self.lock(py)?;
        l.sock().connect(addr).py_err(py)
    }

    fn unbind(&self, py: Python<'_>, addr: &str) -> PyResult<()> {
        let mut l = self.lock(py)?;
        l.sock().unbind(addr).py_err(py)
    }

    fn disconnect(&self, py: Python<'_>, addr: &str) -> PyResult<()> {
        let mut l = self.lock(py)?;
        l.sock().disconnect(addr).py_err(py)
    }

    /// Sets an option by number (int, or bytes/str for bytes options).
    fn _set(&self, py: Python<'_>, option: i32, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let v = opt_value(py, option, value)?;
        let mut l = self.lock(py)?;
        l.sock().set_option(option, &v).py_err(py)
    }

    /// Sets an option only if no other thread is inside a call on this socket; returns
    /// whether it was set (for `Context.destroy`, which must not wait for blocked calls).
    fn _try_set(&self, py: Python<'_>, option: i32, value: &Bound<'_, PyAny>) -> PyResult<bool> {
        let v = opt_value(py, option, value)?;
        let Ok(mut g) = self.inner.try_lock() else {
            return Ok(false);
        };
        match g.as_mut() {
            Some(s) => s.set_option(option, &v).py_err(py).map(|()| true),
            None => Ok(false),
        }
    }

    /// Reads an option by number.
    fn _get(&self, py: Python<'_>, option: i32) -> PyResult<Py<PyAny>> {
        let mut l = self.lock(py)?;
        let s = l.sock();
        if option == so::FD {
            return Ok(s.fd().py_err(py)?.into_pyobject(py)?.into_any().unbind());
        }
        let v = s.get_option(option).py_err(py)?;
        opt_to_py(py, v)
    }

    /// The readiness FD (edge-triggered; check `events` after it fires).
    fn fileno(&self, py: Python<'_>) -> PyResult<i32> {
        let mut l = self.lock(py)?;
        l.sock().fd().py_err(py)
    }

    /// `ZMQ_EVENTS`: POLLIN/POLLOUT as they hold now.
    #[getter]
    fn events(&self, py: Python<'_>) -> PyResult<i16> {
        let mut l = self.lock(py)?;
        l.sock().events().py_err(py)
    }

    /// Sends one frame.
    #[allow(clippy::too_many_arguments)] // pyzmq's signature
    #[pyo3(signature = (data, flags = 0, copy = true, track = false, routing_id = None, group = None))]
    fn send(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        flags: i32,
        copy: bool,
        track: bool,
        routing_id: Option<&Bound<'_, PyAny>>,
        group: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<Py<PyAny>>> {
        if track || routing_id.is_some() || group.is_some() {
            return Err(PyValueError::new_err(
                "track, routing_id and group are not supported",
            ));
        }
        let msg = to_msg_copy(data, copy)?;
        let mut l = self.lock(py)?;
        Self::send_msg(py, l.sock(), msg, flags)?;
        Ok(None)
    }

    /// Sends a multipart message (SNDMORE on all parts but the last).
    #[pyo3(signature = (msg_parts, flags = 0, copy = true, track = false))]
    fn send_multipart(
        &self,
        py: Python<'_>,
        msg_parts: &Bound<'_, PyAny>,
        flags: i32,
        copy: bool,
        track: bool,
    ) -> PyResult<Option<Py<PyAny>>> {
        if track {
            return Err(PyValueError::new_err("track is not supported"));
        }
        let mut msgs = Vec::new();
        for (i, part) in msg_parts.try_iter()?.enumerate() {
            let part = part?;
            let m = to_msg_copy(&part, copy).map_err(|_| {
                PyTypeError::new_err(format!(
                    "Frame {i} ({}) does not support the buffer interface.",
                    part.repr()
                        .map(|r| r.to_string())
                        .unwrap_or_else(|_| "?".into())
                ))
            })?;
            msgs.push(m);
        }
        let n = msgs.len();
        let mut l = self.lock(py)?;
        let s = l.sock();
        for (i, m) in msgs.into_iter().enumerate() {
            let f = if i + 1 < n { flags | SNDMORE } else { flags };
            Self::send_msg(py, s, m, f)?;
        }
        Ok(None)
    }

    /// Receives one frame: bytes, or a Frame with `copy=False`.
    #[pyo3(signature = (flags = 0, copy = true, track = false))]
    fn recv(&self, py: Python<'_>, flags: i32, copy: bool, track: bool) -> PyResult<Py<PyAny>> {
        let _ = track;
        let mut l = self.lock(py)?;
        let msg = Self::recv_msg(py, l.sock(), flags)?;
        drop(l);
        msg_to_py(py, msg, copy)
    }

    /// Receives every frame of one message.
    #[pyo3(signature = (flags = 0, copy = true, track = false))]
    fn recv_multipart(
        &self,
        py: Python<'_>,
        flags: i32,
        copy: bool,
        track: bool,
    ) -> PyResult<Py<PyList>> {
        let _ = track;
        let mut l = self.lock(py)?;
        let s = l.sock();
        let first = Self::recv_msg(py, s, flags)?;
        let list = PyList::empty(py);
        let mut more = first.more();
        list.append(msg_to_py(py, first, copy)?)?;
        while more {
            let m = Self::recv_msg(py, s, 0)?;
            more = m.more();
            list.append(msg_to_py(py, m, copy)?)?;
        }
        Ok(list.unbind())
    }

    /// Receives one frame into a writable buffer; returns the frame's full size.
    #[pyo3(signature = (buffer, nbytes = 0, flags = 0))]
    fn recv_into(
        &self,
        py: Python<'_>,
        buffer: &Bound<'_, PyAny>,
        nbytes: usize,
        flags: i32,
    ) -> PyResult<usize> {
        let mut view = std::mem::MaybeUninit::<bufffi::Py_buffer>::zeroed();
        // SAFETY: `view` is storage for a Py_buffer; the GIL is held.
        let rc = unsafe {
            bufffi::PyObject_GetBuffer(buffer.as_ptr(), view.as_mut_ptr(), bufffi::PyBUF_WRITABLE)
        };
        if rc != 0 {
            return Err(PyErr::fetch(py));
        }
        let result = (|| {
            let mut l = self.lock(py)?;
            Self::recv_msg(py, l.sock(), flags)
        })();
        // SAFETY: GetBuffer succeeded, so `view` is initialised and `buf`/`len` describe
        // writable memory until PyBuffer_Release, which is called exactly once below.
        unsafe {
            let v = view.assume_init_mut();
            let cap = usize::try_from(v.len).unwrap_or(0);
            let n = if let Ok(msg) = &result {
                let mut n = msg.len().min(cap);
                if nbytes > 0 {
                    n = n.min(nbytes);
                }
                if n > 0 {
                    std::ptr::copy_nonoverlapping(msg.as_ptr(), v.buf as *mut u8, n);
                }
                msg.len()
            } else {
                0
            };
            bufffi::PyBuffer_Release(v);
            result.map(|_| n)
        }
    }

    /// Waits up to `timeout` ms (None/-1 = forever) for `flags` events; returns them.
    #[pyo3(signature = (timeout = None, flags = 1))]
    fn poll(&self, py: Python<'_>, timeout: Option<i64>, flags: i16) -> PyResult<i16> {
        let mut l = self.lock(py)?;
        let s = l.sock();
        let now = s.poll(flags, 0).py_err(py)?;
        let timeout = timeout.unwrap_or(-1);
        if now != 0 || timeout == 0 {
            return Ok(now);
        }
        if Self::wait(py, s, flags, deadline(timeout))? {
            s.poll(flags, 0).py_err(py)
        } else {
            Ok(0)
        }
    }

    /// Starts publishing monitor events on `addr` (inproc), None stops.
    #[pyo3(signature = (addr, events = 0xffff))]
    fn monitor(&self, py: Python<'_>, addr: Option<&str>, events: i32) -> PyResult<()> {
        let mut l = self.lock(py)?;
        let ev = if events == -1 { 0xffff } else { events as u16 };
        l.sock().monitor(addr, ev).py_err(py)
    }
}

fn msg_to_py(py: Python<'_>, msg: Msg, copy: bool) -> PyResult<Py<PyAny>> {
    if copy {
        return Ok(PyBytes::new(py, msg.as_bytes()).into_any().unbind());
    }
    let more = msg.more();
    let f = Frame::with(msg.into_bytes(), more, None);
    Ok(Py::new(py, f)?.into_any())
}

/// A received (or to-be-sent) message frame: its bytes are exposed through the buffer
/// protocol without copying.
#[pyclass(frozen, subclass, module = "ferromq._native", name = "Frame")]
struct Frame {
    data: Bytes,
    more: bool,
    tracker: Option<Py<track::Tracker>>,
    /// `bytes` and `buffer` are made once (pyzmq: `f.bytes is f.bytes`).
    bytes_cache: PyOnceLock<Py<PyBytes>>,
    buffer_cache: PyOnceLock<Py<PyAny>>,
}

impl Frame {
    fn with(data: Bytes, more: bool, tracker: Option<Py<track::Tracker>>) -> Frame {
        Frame {
            data,
            more,
            tracker,
            bytes_cache: PyOnceLock::new(),
            buffer_cache: PyOnceLock::new(),
        }
    }
}

#[pymethods]
impl Frame {
    #[new]
    #[pyo3(signature = (data = None, *_args, track = false, **_kwargs))]
    fn new(
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        _args: &Bound<'_, PyTuple>,
        track: bool,
        _kwargs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let data = match data {
            None => Bytes::new(),
            Some(d) => {
                if d.is_instance_of::<PyString>() {
                    return Err(PyTypeError::new_err(
                        "Str objects not allowed. Only: bytes, buffer interfaces.",
                    ));
                }
                to_msg(d)?.into_bytes()
            }
        };
        if track {
            let (data, tracker) = track::track(data);
            return Ok(Frame::with(data, false, Some(Py::new(py, tracker)?)));
        }
        Ok(Frame::with(data, false, None))
    }

    /// A frame property: `MORE` (as int), or ZMQError(EINVAL) for others; metadata
    /// properties (strings) are not kept on ferromq frames (ZMQError(EINVAL)).
    fn get(&self, py: Python<'_>, option: &Bound<'_, PyAny>) -> PyResult<i32> {
        const ZMQ_MORE: i32 = 1;
        if let Ok(n) = option.extract::<i32>() {
            if n == ZMQ_MORE {
                return Ok(i32::from(self.more));
            }
        }
        Err(zmq_err(py, Error::Invalid))
    }

    /// pyzmq's form: `<zmq.Frame(b'12 first bytes'...2kB)>`.
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let name: String = py
            .import("ferromq.socket")?
            .getattr("_repr_cls")?
            .call1((slf.get_type(),))?
            .extract()?;
        let data = &slf.get().data;
        let n = data.len();
        let shown = if n <= 16 { &data[..] } else { &data[..12] };
        let body = PyBytes::new(py, shown).repr()?.to_string();
        if n <= 16 {
            return Ok(format!("<{name}({body})>"));
        }
        let size = match n {
            0..=999 => format!("{n}B"),
            1_000..=999_999 => format!("{}kB", n / 1_000),
            1_000_000..=999_999_999 => format!("{}MB", n / 1_000_000),
            _ => format!("{}GB", n / 1_000_000_000),
        };
        Ok(format!("<{name}({body}...{size})>"))
    }

    fn __str__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Self::__repr__(slf)
    }

    /// The frame's tracker (done once its bytes are released), or None if untracked.
    #[getter]
    fn tracker(&self, py: Python<'_>) -> Option<Py<track::Tracker>> {
        self.tracker.as_ref().map(|t| t.clone_ref(py))
    }

    /// A frame sharing this one's bytes (and tracker).
    fn __copy__(&self, py: Python<'_>) -> Frame {
        Frame::with(
            self.data.clone(),
            self.more,
            self.tracker.as_ref().map(|t| t.clone_ref(py)),
        )
    }

    fn __deepcopy__(&self, py: Python<'_>, _memo: &Bound<'_, PyAny>) -> Frame {
        self.__copy__(py)
    }

    /// A copy of the frame's bytes.
    #[getter]
    fn bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.bytes_cache
            .get_or_init(py, || PyBytes::new(py, &self.data).unbind())
            .bind(py)
            .clone()
    }

    /// True if more frames of this message follow.
    #[getter]
    fn more(&self) -> bool {
        self.more
    }

    fn __len__(&self) -> usize {
        self.data.len()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        if let Ok(f) = other.cast::<Frame>() {
            return f.get().data == self.data;
        }
        if let Ok(b) = other.cast::<PyBytes>() {
            return b.as_bytes() == &self.data[..];
        }
        false
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.data)
    }

    /// The frame's bytes as a read-only memoryview (no copy).
    #[getter]
    fn buffer<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let f = slf.get();
        if let Some(v) = f.buffer_cache.get(py) {
            return Ok(v.bind(py).clone());
        }
        let v = bufobj::memoryview(py, f.data.clone())?;
        Ok(f.buffer_cache
            .get_or_init(py, || v.unbind())
            .bind(py)
            .clone())
    }
}

/// `zmq_poll` over `[(socket or fd, events)]`: returns each item's revents.
#[pyfunction]
#[pyo3(signature = (items, timeout = -1))]
fn poll(py: Python<'_>, items: &Bound<'_, PyList>, timeout: i64) -> PyResult<Vec<i16>> {
    enum Target<'a> {
        Sock(Locked<'a>),
        Fd(i32),
    }
    let mut holders: Vec<Bound<'_, PySocket>> = Vec::with_capacity(items.len());
    let mut specs: Vec<(Option<usize>, i32, i16)> = Vec::with_capacity(items.len());
    for item in items.iter() {
        let (obj, ev): (Bound<'_, PyAny>, i16) = item.extract()?;
        if let Ok(s) = obj.cast::<PySocket>() {
            specs.push((Some(holders.len()), -1, ev));
            holders.push(s.clone());
        } else {
            let fd: i32 = match obj.extract::<i32>() {
                Ok(fd) => fd,
                Err(_) => obj.call_method0("fileno")?.extract()?,
            };
            specs.push((None, fd, ev));
        }
    }
    let refs: Vec<&PySocket> = holders.iter().map(|h| h.get()).collect();
    let mut targets = Vec::with_capacity(specs.len());
    for (idx, fd, _) in &specs {
        targets.push(match idx {
            Some(i) => Target::Sock(refs[*i].lock(py)?),
            None => Target::Fd(*fd),
        });
    }
    let mut poll_items: Vec<PollItem<'_>> = targets
        .iter_mut()
        .zip(&specs)
        .map(|(t, (_, _, ev))| match t {
            Target::Sock(l) => PollItem::socket(l.sock(), *ev),
            Target::Fd(fd) => PollItem::fd(*fd, *ev),
        })
        .collect();
    let n = ferromq::poll(&mut poll_items, 0).py_err(py)?;
    if n == 0 && timeout != 0 {
        let dl = deadline(timeout);
        while let Some(slice) = next_slice(dl) {
            let r = py.detach(|| ferromq::poll(&mut poll_items, slice));
            match r {
                Ok(0) | Err(Error::Intr) => {}
                Ok(_) => break,
                Err(e) => return Err(zmq_err(py, e)),
            }
            py.check_signals()?;
        }
    }
    Ok(poll_items.iter().map(|i| i.revents).collect())
}

/// `zmq_proxy_steerable` (GIL released; returns when TERMINATE arrives, or raises).
/// `frontend` and `backend` may be the same socket: it then sends back what it receives.
#[pyfunction]
#[pyo3(signature = (frontend, backend, capture = None, control = None))]
fn proxy(
    py: Python<'_>,
    frontend: &Bound<'_, PySocket>,
    backend: &Bound<'_, PySocket>,
    capture: Option<&Bound<'_, PySocket>>,
    control: Option<&Bound<'_, PySocket>>,
) -> PyResult<()> {
    let mut f = frontend.get().lock(py)?;
    let mut b = if frontend.is(backend) {
        None
    } else {
        Some(backend.get().lock(py)?)
    };
    let mut c = capture.map(|c| c.get().lock(py)).transpose()?;
    let mut k = control.map(|c| c.get().lock(py)).transpose()?;
    let fs = f.sock();
    let bs = b.as_mut().map(|b| b.sock());
    let cs = c.as_mut().map(|c| c.sock());
    let ks = k.as_mut().map(|c| c.sock());
    py.detach(|| match bs {
        Some(bs) => ferromq::proxy_steerable(fs, bs, cs, ks),
        None => ferromq::proxy_steerable_echo(fs, cs, ks),
    })
    .py_err(py)
}

/// The value type of a socket option ("int", "int64" or "bytes"), None if unknown.
#[pyfunction]
fn option_type(option: i32) -> Option<&'static str> {
    so::option_type(option).map(|t| match t {
        OptionType::Int => "int",
        OptionType::Int64 => "int64",
        OptionType::Bytes => "bytes",
    })
}

/// Error message for an errno (libzmq's `zmq_strerror`).
#[pyfunction]
fn strerror(errno: i32) -> String {
    match Error::from_errno(errno) {
        Error::Os(n) => std::io::Error::from_raw_os_error(n)
            .to_string()
            .split(" (os error")
            .next()
            .unwrap_or("Unknown error")
            .to_string(),
        e => e.to_string(),
    }
}

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyContext>()?;
    m.add_class::<PySocket>()?;
    m.add_class::<Frame>()?;
    m.add_class::<track::Tracker>()?;
    m.add_function(wrap_pyfunction!(poll, m)?)?;
    m.add_function(wrap_pyfunction!(proxy, m)?)?;
    m.add_function(wrap_pyfunction!(strerror, m)?)?;
    m.add_function(wrap_pyfunction!(option_type, m)?)?;
    m.add_function(wrap_pyfunction!(tables::option_table, m)?)?;
    m.add_function(wrap_pyfunction!(tables::socket_types, m)?)?;
    m.add_function(wrap_pyfunction!(tables::errnos, m)?)?;
    m.add_function(wrap_pyfunction!(tables::events, m)?)?;
    m.add("ferromq_version", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
