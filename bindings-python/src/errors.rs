//! Errors: core errors as the Python exceptions of `ferromq.error` (`ZMQError` and its
//! subclasses, chosen by errno there), and `strerror`.

use ferromq::Error;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static ERROR_FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception (from `ferromq.error`) for a core error.
pub(crate) fn zmq_err(py: Python<'_>, e: Error) -> PyErr {
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

pub(crate) trait IntoPy<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for ferromq::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| zmq_err(py, e))
    }
}

/// Error message for an errno (libzmq's `zmq_strerror`).
#[pyfunction]
pub(crate) fn strerror(errno: i32) -> String {
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
