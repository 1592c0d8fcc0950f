//! `ferromq._native.Context`: a core context, registered for `Context.shadow`.

use std::sync::Arc;

use ferromq::{Context, Error};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::errors::{zmq_err, IntoPy};
use crate::shadow::Registry;

/// The `ferromq.Context` core.
#[pyclass(frozen, subclass, module = "ferromq._native", name = "Context")]
pub(crate) struct PyContext {
    pub(crate) ctx: Arc<Context>,
    pub(crate) address: usize,
}

/// Every live context, by `underlying` address (for `Context.shadow`).
static CONTEXTS: Registry<Context> = Registry::new();

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
