//! CURVE keys and Z85 for Python (`curve_keypair`, `curve_public`, `z85_encode`,
//! `z85_decode`): the core's key types and codec, with pyzmq's value types (Z85 text as
//! `bytes`).

use ferromq::proto::curve::{CurveKeyPair, CurveSecretKey};
use ferromq::proto::z85;
use ferromq::Error;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use zeroize::Zeroizing;

use crate::errors::zmq_err;

/// A new key pair as (public, secret), each 40 bytes of Z85 text.
#[pyfunction]
pub(crate) fn curve_keypair(py: Python<'_>) -> PyResult<(Py<PyBytes>, Py<PyBytes>)> {
    // The OS random generator failing is an OSError (libzmq would abort).
    let pair = CurveKeyPair::generate().map_err(|e| PyOSError::new_err(e.to_string()))?;
    let public = PyBytes::new(py, pair.public().to_z85().as_bytes()).unbind();
    let secret = PyBytes::new(py, pair.secret().to_z85().as_bytes()).unbind();
    Ok((public, secret))
}

/// The public key (40 bytes of Z85) of a secret key given as 40 bytes of Z85; a
/// ZMQError(EINVAL) if it is not valid Z85 (the caller checks the length).
#[pyfunction]
pub(crate) fn curve_public(py: Python<'_>, secret: &[u8]) -> PyResult<Py<PyBytes>> {
    let bytes = z85::decode_array::<32>(secret).map_err(|_| zmq_err(py, Error::Invalid))?;
    let bytes = Zeroizing::new(bytes);
    let public = CurveSecretKey::from_bytes(*bytes).public_key();
    Ok(PyBytes::new(py, public.to_z85().as_bytes()).unbind())
}

/// Z85 text of `data` (a multiple of 4 bytes long); ValueError otherwise.
#[pyfunction]
pub(crate) fn z85_encode(py: Python<'_>, data: &[u8]) -> PyResult<Py<PyBytes>> {
    let text = z85::encode(data).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyBytes::new(py, text.as_bytes()).unbind())
}

/// The bytes of Z85 `text` (a non-empty multiple of 5 characters from the alphabet, no
/// group above 2^32 - 1); ValueError otherwise.
#[pyfunction]
pub(crate) fn z85_decode(py: Python<'_>, text: &[u8]) -> PyResult<Py<PyBytes>> {
    let data = z85::decode(text).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyBytes::new(py, &data).unbind())
}
