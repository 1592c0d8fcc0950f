//! `ferromq._native.Frame`: a message frame whose bytes Python reads without copying.

use bytes::Bytes;
use ferromq::{Error, Msg};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::buffers::to_msg;
use crate::errors::zmq_err;
use crate::{bufobj, track};

pub(crate) fn msg_to_py(py: Python<'_>, msg: Msg, copy: bool) -> PyResult<Py<PyAny>> {
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
pub(crate) struct Frame {
    pub(crate) data: Bytes,
    more: bool,
    pub(crate) tracker: Option<Py<track::Tracker>>,
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
