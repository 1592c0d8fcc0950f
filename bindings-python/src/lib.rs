//! `ferromq._native`: the compiled core of the `ferromq` Python package (pyo3, abi3).
//!
//! Only the context, the socket, frames, poll and proxy live here; the pyzmq-compatible
//! sugar (attribute options, json/pyobj helpers, Poller, asyncio) is pure Python in
//! `python/ferromq/`.
//!
//! Blocking calls try a non-blocking attempt first with the GIL held; only if that would
//! block they release the GIL and wait in slices (see `wait`), running Python signal
//! handlers between slices (so Ctrl-C interrupts a blocking recv and a handler that does
//! not raise lets it go on, with RCVTIMEO/SNDTIMEO honoured).
//!
//! ## Layout (one file per domain)
//! - `context`: `Context`; `socket`: `Socket` (a `ferromq::SharedSocket`, the socket lock
//!   shared with the C binding); `options`: socket options by number.
//! - `frame`: `Frame`, with `properties` (`Frame.get`); `buffers`: Python objects as
//!   messages (zero copy for large ones), with `bufffi`/`bufobj` (the buffer protocol)
//!   and `track` (`Tracker`).
//! - `poll`: `poll` and `proxy`; `wait`: waits without the GIL, in slices.
//! - `curve`: CURVE key pairs and Z85 (`curve_keypair`, `curve_public`, `z85_*`).
//! - `errors`: core errors as `ferromq.error` exceptions, `strerror`; `shadow`: the
//!   `underlying` address registries.
//! - `allocator`: mimalloc as the module's global allocator.

mod allocator;
mod buffers;
mod bufffi;
mod bufobj;
mod context;
mod curve;
mod errors;
mod frame;
mod options;
mod poll;
mod properties;
mod shadow;
mod socket;
mod tables;
mod track;
mod wait;

use pyo3::prelude::*;

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<context::PyContext>()?;
    m.add_class::<socket::PySocket>()?;
    m.add_class::<frame::Frame>()?;
    m.add_class::<track::Tracker>()?;
    m.add_function(wrap_pyfunction!(poll::poll, m)?)?;
    m.add_function(wrap_pyfunction!(poll::poll_ready, m)?)?;
    m.add_function(wrap_pyfunction!(poll::proxy, m)?)?;
    m.add_function(wrap_pyfunction!(errors::strerror, m)?)?;
    m.add_function(wrap_pyfunction!(options::option_type, m)?)?;
    m.add_function(wrap_pyfunction!(tables::option_table, m)?)?;
    m.add_function(wrap_pyfunction!(tables::socket_types, m)?)?;
    m.add_function(wrap_pyfunction!(tables::errnos, m)?)?;
    m.add_function(wrap_pyfunction!(tables::events, m)?)?;
    m.add_function(wrap_pyfunction!(curve::curve_keypair, m)?)?;
    m.add_function(wrap_pyfunction!(curve::curve_public, m)?)?;
    m.add_function(wrap_pyfunction!(curve::z85_encode, m)?)?;
    m.add_function(wrap_pyfunction!(curve::z85_decode, m)?)?;
    m.add("ferromq_version", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
