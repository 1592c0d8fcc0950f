//! Socket options by number: Python values in and out, typed by the core's option table.

use ferromq::sockopt::{self as so, OptionType, OptionValue};
use ferromq::Error;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::buffers::to_msg;
use crate::errors::zmq_err;

pub(crate) fn opt_value(
    py: Python<'_>,
    option: i32,
    value: &Bound<'_, PyAny>,
) -> PyResult<OptionValue> {
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

pub(crate) fn opt_to_py(py: Python<'_>, v: OptionValue) -> PyResult<Py<PyAny>> {
    Ok(match v {
        OptionValue::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        OptionValue::Int64(i) => i.into_pyobject(py)?.into_any().unbind(),
        OptionValue::Bytes(b) => PyBytes::new(py, &b).into_any().unbind(),
    })
}

/// The value type of a socket option ("int", "int64" or "bytes"), None if unknown.
#[pyfunction]
pub(crate) fn option_type(option: i32) -> Option<&'static str> {
    so::option_type(option).map(|t| match t {
        OptionType::Int => "int",
        OptionType::Int64 => "int64",
        OptionType::Bytes => "bytes",
    })
}
