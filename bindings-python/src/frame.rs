//! `ferromq._native.Frame`: a message frame whose bytes Python reads without copying.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use ferromq::proto::Metadata;
use ferromq::Msg;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::buffers::to_msg;
use crate::properties::{self, FrameState};
use crate::{bufobj, track};

/// The largest message libzmq keeps inline (`max_vsm_size` on 64-bit targets): sending
/// or copying a larger frame shares its buffer, which `ZMQ_SHARED` then reports. Its
/// decoder keeps a received message of exactly this size by reference as well.
const VSM_MAX: usize = 33;

/// A received message as `bytes`, or with `copy == false` as a Frame carrying `meta`,
/// the properties of the connection it came from.
pub(crate) fn msg_to_py(
    py: Python<'_>,
    msg: Msg,
    copy: bool,
    meta: Option<Arc<Metadata>>,
) -> PyResult<Py<PyAny>> {
    if copy {
        return Ok(PyBytes::new(py, msg.as_bytes()).into_any().unbind());
    }
    let more = msg.more();
    let mut f = Frame::with(msg.into_bytes(), more, None);
    f.meta = meta;
    Ok(Py::new(py, f)?.into_any())
}

/// A received (or to-be-sent) message frame: its bytes are exposed through the buffer
/// protocol without copying.
#[pyclass(frozen, subclass, module = "ferromq._native", name = "Frame")]
pub(crate) struct Frame {
    pub(crate) data: Bytes,
    more: bool,
    pub(crate) tracker: Option<Py<track::Tracker>>,
    /// The peer's properties, for a frame received with `copy=False` from a connection.
    meta: Option<Arc<Metadata>>,
    /// Whether the buffer is shared with a sent message or a copy (`ZMQ_SHARED`).
    shared: AtomicBool,
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
            meta: None,
            shared: AtomicBool::new(false),
            bytes_cache: PyOnceLock::new(),
            buffer_cache: PyOnceLock::new(),
        }
    }

    /// Notes that a message or a copy now shares this frame's bytes (libzmq's
    /// `zmq_msg_copy`, which pyzmq uses to send a Frame): `ZMQ_SHARED` reads 1 after, for
    /// frames too large to be copied inline.
    pub(crate) fn mark_shared(&self) {
        // Only frames received from a connection carry its properties.
        let received = self.meta.is_some();
        if self.data.len() > VSM_MAX || (received && self.data.len() == VSM_MAX) {
            self.shared.store(true, Ordering::Relaxed);
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

    /// A frame option (int: `MORE`, `SRCFD`, `SHARED`) as an int, or a property of the
    /// connection the frame came from (str: `"Socket-Type"`, `"Peer-Address"`,
    /// `"User-Id"`, ZAP metadata...) as a str; ZMQError(EINVAL) if there is none.
    fn get(&self, py: Python<'_>, option: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let state = FrameState {
            more: self.more,
            shared: self.shared.load(Ordering::Relaxed),
            meta: self.meta.as_ref(),
        };
        properties::get(py, state, option)
    }

    /// `frame["User-Id"]`: the same as [`Frame::get`], as pyzmq maps it.
    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.get(py, key)
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

    /// A frame sharing this one's bytes (and tracker and properties).
    fn __copy__(&self, py: Python<'_>) -> Frame {
        self.mark_shared();
        let mut copy = Frame::with(
            self.data.clone(),
            self.more,
            self.tracker.as_ref().map(|t| t.clone_ref(py)),
        );
        copy.meta = self.meta.clone();
        copy.shared = AtomicBool::new(self.shared.load(Ordering::Relaxed));
        copy
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
