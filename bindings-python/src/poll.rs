//! `poll` (`zmq_poll` over sockets and file descriptors) and `proxy`. Both lock their
//! sockets together through [`SharedSocket`], in its deadlock-free order and once per
//! distinct socket, so two threads passing the same sockets in opposite orders, or one
//! socket passed twice, cannot hang.

use ferromq::{Error, PollItem, SharedSocket};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::errors::{zmq_err, IntoPy};
use crate::socket::PySocket;
use crate::wait::{deadline, lock_many, next_slice};

/// `zmq_poll` over `[(socket or fd, events)]`: returns each item's revents. Waiting for
/// another thread's call on one of the sockets counts against the timeout.
#[pyfunction]
#[pyo3(signature = (items, timeout = -1), text_signature = "(items, timeout=-1)")]
pub(crate) fn poll(py: Python<'_>, items: &Bound<'_, PyList>, timeout: i64) -> PyResult<Vec<i16>> {
    let mut holders: Vec<Bound<'_, PySocket>> = Vec::with_capacity(items.len());
    // (index into `holders` for a socket, descriptor, events)
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
    let cells: Vec<&SharedSocket> = holders.iter().map(|h| &*h.get().inner).collect();
    let dl = deadline(timeout);
    let Some(mut locked) = lock_many(py, &cells, dl)? else {
        return Ok(vec![0; specs.len()]);
    };
    let slots: Vec<usize> = (0..cells.len()).map(|i| locked.slot(i)).collect();
    // One poll entry per distinct socket (asking for the union of its items' events),
    // then one per descriptor.
    let mut wanted = vec![0i16; locked.len()];
    for (idx, _, ev) in &specs {
        if let Some(i) = idx {
            wanted[slots[*i]] |= *ev;
        }
    }
    let mut entries: Vec<PollItem<'_>> = locked
        .sockets_mut()
        .into_iter()
        .zip(&wanted)
        .map(|(s, &ev)| PollItem::socket(s, ev))
        .collect();
    let first_fd = entries.len();
    for (idx, fd, ev) in &specs {
        if idx.is_none() {
            entries.push(PollItem::fd(*fd, *ev));
        }
    }
    let n = ferromq::poll(&mut entries, 0).py_err(py)?;
    if n == 0 && timeout != 0 {
        while let Some(slice) = next_slice(dl) {
            let r = py.detach(|| ferromq::poll(&mut entries, slice));
            match r {
                Ok(0) | Err(Error::Intr) => {}
                Ok(_) => break,
                Err(e) => return Err(zmq_err(py, e)),
            }
            py.check_signals()?;
        }
    }
    let mut next_fd = first_fd;
    Ok(specs
        .iter()
        .map(|(idx, _, ev)| match idx {
            Some(i) => entries[slots[*i]].revents & ev,
            None => {
                next_fd += 1;
                entries[next_fd - 1].revents
            }
        })
        .collect())
}

/// `zmq_proxy_steerable` (GIL released; returns when TERMINATE arrives, or raises).
/// `frontend` and `backend` may be the same socket: it then sends back what it receives;
/// any other socket given twice is ZMQError(EINVAL).
#[pyfunction]
#[pyo3(signature = (frontend, backend, capture = None, control = None))]
pub(crate) fn proxy(
    py: Python<'_>,
    frontend: &Bound<'_, PySocket>,
    backend: &Bound<'_, PySocket>,
    capture: Option<&Bound<'_, PySocket>>,
    control: Option<&Bound<'_, PySocket>>,
) -> PyResult<()> {
    let f = &*frontend.get().inner;
    let b = &*backend.get().inner;
    let c = capture.map(|c| &*c.get().inner);
    let k = control.map(|k| &*k.get().inner);
    py.detach(|| SharedSocket::proxy(f, b, c, k)).py_err(py)
}
