//! `ferromq._native.Socket`: a core socket in a [`SharedSocket`] (the lock the C binding
//! uses too), so two Python threads using one socket are serialized (closing too), and
//! shadows share it.

use std::sync::Arc;

use ferromq::sockopt as so;
use ferromq::{
    Error, Msg, SharedSocket, Socket, SocketGuard, SocketType, DONTWAIT, POLLIN, POLLOUT, SNDMORE,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::buffers::{drain_releases, to_send_msg, ZERO_COPY_MIN};
use crate::bufffi;
use crate::context::PyContext;
use crate::errors::{zmq_err, IntoPy};
use crate::frame::{msg_to_py, Frame};
use crate::options::{opt_to_py, opt_value};
use crate::shadow::Registry;
use crate::wait::{deadline, wait_events};

/// Every live socket, by `underlying` address (for `Socket.shadow`), with its type.
static SOCKETS: Registry<SharedSocket> = Registry::new();

/// The `ferromq.Socket` core.
#[pyclass(frozen, subclass, module = "ferromq._native", name = "Socket")]
pub(crate) struct PySocket {
    pub(crate) inner: Arc<SharedSocket>,
    socket_type: i32,
    address: usize,
}

impl PySocket {
    /// Locks the open socket; waits for another thread's call without the GIL.
    fn lock(&self, py: Python<'_>) -> PyResult<SocketGuard<'_>> {
        crate::wait::lock(py, &self.inner)
    }

    /// Receives one frame, blocking as the flags and RCVTIMEO say.
    fn recv_msg(py: Python<'_>, s: &mut Socket, flags: i32) -> PyResult<Msg> {
        let first = s.recv(flags | DONTWAIT);
        Self::recv_after(py, s, flags, first)
    }

    /// [`PySocket::recv_msg`] after its non-blocking attempt, `first`.
    fn recv_after(
        py: Python<'_>,
        s: &mut Socket,
        flags: i32,
        first: Result<Msg, Error>,
    ) -> PyResult<Msg> {
        match first {
            Err(Error::Again) if flags & DONTWAIT == 0 => {}
            r => return r.py_err(py),
        }
        let dl = deadline(i64::from(s.rcvtimeo().py_err(py)?));
        loop {
            if !wait_events(py, s, POLLIN, dl)? {
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
        // A failed non-blocking send hands the message back (no clone kept for a retry:
        // cloning a heap frame would allocate its shared header on every send).
        let mut msg = match s.send_or_return(msg, flags | DONTWAIT) {
            Ok(()) => return Ok(()),
            Err((Error::Again, back)) if flags & DONTWAIT == 0 => back,
            Err((e, _)) => return Err(zmq_err(py, e)),
        };
        let dl = deadline(i64::from(s.sndtimeo().py_err(py)?));
        loop {
            if !wait_events(py, s, POLLOUT, dl)? {
                return Err(zmq_err(py, Error::Again));
            }
            match s.send_or_return(msg, flags | DONTWAIT) {
                Ok(()) => return Ok(()),
                Err((Error::Again, back)) => msg = back,
                Err((e, _)) => return Err(zmq_err(py, e)),
            }
        }
    }
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
        let inner = Arc::new(SharedSocket::new(sock));
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
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Closes the socket (idempotent), once a call that another thread is in has ended
    /// (serialized like any other call; `Context.destroy` shuts the context down first,
    /// so that blocked calls end with ETERM).
    fn _close(&self, py: Python<'_>) {
        let cell = &*self.inner;
        py.detach(|| cell.close_when_free());
        drain_releases(py);
    }

    fn _bind(&self, py: Python<'_>, addr: &str) -> PyResult<()> {
        let mut l = self.lock(py)?;
        let s = &mut *l;
        py.detach(|| s.bind(addr)).py_err(py)
    }

    fn _connect(&self, py: Python<'_>, addr: &str) -> PyResult<()> {
        let mut l = self.lock(py)?;
        l.connect(addr).py_err(py)
    }

    fn unbind(&self, py: Python<'_>, addr: &str) -> PyResult<()> {
        let mut l = self.lock(py)?;
        l.unbind(addr).py_err(py)
    }

    fn disconnect(&self, py: Python<'_>, addr: &str) -> PyResult<()> {
        let mut l = self.lock(py)?;
        l.disconnect(addr).py_err(py)
    }

    /// Sets an option by number (int, or bytes/str for bytes options).
    fn _set(&self, py: Python<'_>, option: i32, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let v = opt_value(py, option, value)?;
        let mut l = self.lock(py)?;
        l.set_option(option, &v).py_err(py)
    }

    /// Sets an option only if no other thread is inside a call on this socket; returns
    /// whether it was set (for `Context.destroy`, which must not wait for blocked calls).
    fn _try_set(&self, py: Python<'_>, option: i32, value: &Bound<'_, PyAny>) -> PyResult<bool> {
        let v = opt_value(py, option, value)?;
        match self.inner.try_lock() {
            Ok(mut s) => s.set_option(option, &v).py_err(py).map(|()| true),
            Err(_) => Ok(false),
        }
    }

    /// Reads an option by number.
    fn _get(&self, py: Python<'_>, option: i32) -> PyResult<Py<PyAny>> {
        let mut l = self.lock(py)?;
        let s = &mut *l;
        if option == so::FD {
            return Ok(s.fd().py_err(py)?.into_pyobject(py)?.into_any().unbind());
        }
        let v = s.get_option(option).py_err(py)?;
        opt_to_py(py, v)
    }

    /// The readiness FD (edge-triggered; check `events` after it fires).
    fn fileno(&self, py: Python<'_>) -> PyResult<i32> {
        self.lock(py)?.fd().py_err(py)
    }

    /// `ZMQ_EVENTS`: POLLIN/POLLOUT as they hold now.
    #[getter]
    fn events(&self, py: Python<'_>) -> PyResult<i16> {
        let mut l = self.lock(py)?;
        l.events().py_err(py)
    }

    /// Sends one frame. The common call (no tracking) stays native; `track=True`, or a
    /// Frame made with `track=True`, goes to the Python class's `_send_tracked`, which
    /// returns pyzmq's MessageTracker.
    #[allow(clippy::too_many_arguments)] // pyzmq's signature
    #[pyo3(signature = (data, flags = 0, copy = true, track = false, routing_id = None, group = None))]
    fn send(
        slf: &Bound<'_, Self>,
        data: &Bound<'_, PyAny>,
        flags: i32,
        copy: bool,
        track: bool,
        routing_id: Option<&Bound<'_, PyAny>>,
        group: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        // The common call, `bytes` untracked: one type-pointer comparison, no subtype walk.
        let plain = if track {
            None
        } else {
            data.cast_exact::<PyBytes>().ok()
        };
        if plain.is_none()
            && (track
                || data
                    .cast::<Frame>()
                    .is_ok_and(|f| f.get().tracker.is_some()))
        {
            let tracked = slf
                .getattr(intern!(py, "_send_tracked"))
                .map_err(|_| PyValueError::new_err("track is not supported"))?;
            return Ok(tracked
                .call1((data, flags, copy, track, routing_id, group))?
                .unbind());
        }
        if let Some(b) = plain.map(|b| b.as_bytes()) {
            if b.len() < ZERO_COPY_MIN && routing_id.is_none() && group.is_none() {
                // `_send` for a small `bytes`, with the message built next to the send:
                // coming back through `convert`'s `PyResult`, the 48-byte Msg was copied
                // in pieces that stalled on store forwarding.
                drain_releases(py);
                let msg = Msg::copy_from_slice(b);
                let mut l = slf.get().lock(py)?;
                Self::send_msg(py, &mut l, msg, flags)?;
                return Ok(py.None());
            }
        }
        slf.get()._send(py, data, flags, copy, routing_id, group)?;
        Ok(py.None())
    }

    /// Sends one frame, untracked (`send` without its MessageTracker).
    #[pyo3(signature = (data, flags = 0, copy = true, routing_id = None, group = None))]
    fn _send(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        flags: i32,
        copy: bool,
        routing_id: Option<&Bound<'_, PyAny>>,
        group: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        if routing_id.is_some() || group.is_some() {
            return Err(PyValueError::new_err(
                "routing_id and group are not supported",
            ));
        }
        let msg = to_send_msg(data, copy)?;
        let mut l = self.lock(py)?;
        Self::send_msg(py, &mut l, msg, flags)
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
            let m = to_send_msg(&part, copy).map_err(|_| {
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
        let s = &mut *l;
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
        let first = l.recv(flags | DONTWAIT);
        if copy {
            if let Ok(m) = &first {
                // The common case: `bytes` made from the frame where the core returned
                // it. Moving the 48-byte Msg on (through `PyResult`s) first cost store-
                // forwarding stalls, the larger part of this method's own time.
                let b = PyBytes::new(py, m.as_bytes()).into_any().unbind();
                drop(l);
                return Ok(b);
            }
        }
        let msg = Self::recv_after(py, &mut l, flags, first)?;
        // Only a Frame carries the peer's properties: `bytes` (copy=True) skips the lookup.
        let meta = if copy { None } else { l.last_peer_metadata() };
        drop(l);
        msg_to_py(py, msg, copy, meta)
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
        let s = &mut *l;
        let first = Self::recv_msg(py, s, flags)?;
        // Every frame of a message comes from the same connection.
        let meta = if copy { None } else { s.last_peer_metadata() };
        let list = PyList::empty(py);
        let mut more = first.more();
        list.append(msg_to_py(py, first, copy, meta.clone())?)?;
        while more {
            let m = Self::recv_msg(py, s, 0)?;
            more = m.more();
            list.append(msg_to_py(py, m, copy, meta.clone())?)?;
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
            Self::recv_msg(py, &mut l, flags)
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
        let s = &mut *l;
        let now = s.poll(flags, 0).py_err(py)?;
        let timeout = timeout.unwrap_or(-1);
        if now != 0 || timeout == 0 {
            return Ok(now);
        }
        if wait_events(py, s, flags, deadline(timeout))? {
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
        l.monitor(addr, ev).py_err(py)
    }
}
