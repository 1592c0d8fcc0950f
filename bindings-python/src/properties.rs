//! `Frame.get`: a received frame's message properties, as pyzmq reads them through
//! libzmq 4.3's `zmq_msg_get` (int options) and `zmq_msg_gets` (str or bytes names).
//!
//! The properties are those of the connection the frame came from (`Socket-Type`,
//! `Identity`, `Peer-Address`, the ZAP handler's `User-Id` and metadata, and any others
//! the peer sent). libzmq looks names up exactly (case-sensitive), so does this: pyzmq on
//! libzmq 4.3.5 raises EINVAL for `frame.get("socket-type")`.

use std::sync::Arc;

use ferromq::proto::Metadata;
use ferromq::Error;
use pyo3::exceptions::{PyTypeError, PyUnicodeDecodeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyString};

use crate::errors::zmq_err;

/// `zmq_msg_get` options (zmq.h's `ZMQ_MORE`, `ZMQ_SRCFD`, `ZMQ_SHARED`).
const ZMQ_MORE: i32 = 1;
const ZMQ_SRCFD: i32 = 2;
const ZMQ_SHARED: i32 = 3;

/// The private property holding the connection's descriptor (set by the core).
const SOURCE_FD: &[u8] = b"__fd";

/// What `Frame.get` reads: the frame's own flags and its connection's properties.
pub(crate) struct FrameState<'a> {
    pub(crate) more: bool,
    pub(crate) shared: bool,
    pub(crate) meta: Option<&'a Arc<Metadata>>,
}

/// `Frame.get(option)`: an int option gives an int, a str/bytes property name a str.
pub(crate) fn get(
    py: Python<'_>,
    frame: FrameState<'_>,
    option: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    if option.is_instance_of::<PyInt>() {
        let n = int_option(py, &frame, option.extract()?)?;
        return Ok(n.into_pyobject(py)?.into_any().unbind());
    }
    if let Ok(s) = option.cast::<PyString>() {
        match s.to_cow()?.as_ref() {
            // pyzmq reads these through the draft API (zmq_msg_routing_id/_group): no
            // ferromq socket type sets them, and a message without them has routing id 0
            // and the empty group.
            "routing_id" => return Ok(0i32.into_pyobject(py)?.into_any().unbind()),
            "group" => return Ok(PyString::new(py, "").into_any().unbind()),
            name => return string_property(py, frame.meta, name.as_bytes()),
        }
    }
    if let Ok(b) = option.cast::<PyBytes>() {
        return string_property(py, frame.meta, b.as_bytes());
    }
    Err(PyTypeError::new_err(format!(
        "expected str, got: {}",
        option.repr()?
    )))
}

/// `zmq_msg_get`: MORE, SRCFD (the connection's descriptor; EINVAL without one, e.g. for
/// a frame built locally or received over inproc) and SHARED; EINVAL for anything else.
fn int_option(py: Python<'_>, frame: &FrameState<'_>, option: i32) -> PyResult<i32> {
    match option {
        ZMQ_MORE => Ok(i32::from(frame.more)),
        ZMQ_SHARED => Ok(i32::from(frame.shared)),
        ZMQ_SRCFD => lookup(frame.meta, SOURCE_FD)
            .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
            .ok_or_else(|| zmq_err(py, Error::Invalid)),
        _ => Err(zmq_err(py, Error::Invalid)),
    }
}

/// `zmq_msg_gets`: the property's value as a str, ZMQError(EINVAL) if the frame has no
/// such property. The name and the value are C strings there, so both end at their
/// first NUL, and the value is decoded as UTF-8 as pyzmq does.
fn string_property(
    py: Python<'_>,
    meta: Option<&Arc<Metadata>>,
    name: &[u8],
) -> PyResult<Py<PyAny>> {
    let value = lookup(meta, until_nul(name)).ok_or_else(|| zmq_err(py, Error::Invalid))?;
    let value = until_nul(value);
    match std::str::from_utf8(value) {
        Ok(s) => Ok(PyString::new(py, s).into_any().unbind()),
        Err(e) => Err(PyErr::from_value(
            PyUnicodeDecodeError::new_utf8(py, value, e)?.into_any(),
        )),
    }
}

/// The value of the first property named exactly `name`. Asked for `Identity` (the name
/// on the wire) and without one, libzmq 4.3 answers with a `Routing-Id` property if the
/// peer sent that (the name of the property in its draft API).
fn lookup<'m>(meta: Option<&'m Arc<Metadata>>, name: &[u8]) -> Option<&'m [u8]> {
    let meta = meta?;
    let exact = |wanted: &[u8]| {
        meta.iter()
            .find(|(n, _)| n.as_ref() == wanted)
            .map(|(_, v)| v.as_ref())
    };
    exact(name).or_else(|| {
        if name == b"Identity" {
            exact(b"Routing-Id")
        } else {
            None
        }
    })
}

/// `s` up to (not including) its first NUL.
fn until_nul(s: &[u8]) -> &[u8] {
    s.iter().position(|&c| c == 0).map_or(s, |i| &s[..i])
}
