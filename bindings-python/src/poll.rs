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
    let targets = targets(items)?;
    revents(py, &targets, timeout)
}

/// `Poller.poll`: [`poll`], returning only the ready items as `[(key, revents)]`, the key
/// being the socket, the int fd given, or an object's `fileno()` (as pyzmq reports raw
/// files by their fd number). One native call instead of Python list building around
/// [`poll`].
#[pyfunction]
#[pyo3(signature = (items, timeout = -1), text_signature = "(items, timeout=-1)")]
pub(crate) fn poll_ready<'py>(
    py: Python<'py>,
    items: &Bound<'py, PyList>,
    timeout: i64,
) -> PyResult<Bound<'py, PyList>> {
    let targets = targets(items)?;
    let revents = revents(py, &targets, timeout)?;
    let ready = PyList::empty(py);
    for (t, ev) in targets.into_iter().zip(revents) {
        if ev != 0 {
            ready.append((t.key, ev))?;
        }
    }
    Ok(ready)
}

/// One poll item: a socket, or a descriptor (an int, or an object's `fileno()`).
struct Target<'py> {
    /// What `Poller.poll` reports the item as.
    key: Bound<'py, PyAny>,
    socket: Option<Bound<'py, PySocket>>,
    fd: i32,
    events: i16,
}

fn targets<'py>(items: &Bound<'py, PyList>) -> PyResult<Vec<Target<'py>>> {
    let mut targets = Vec::with_capacity(items.len());
    for item in items.iter() {
        let (obj, events): (Bound<'py, PyAny>, i16) = item.extract()?;
        if let Ok(s) = obj.cast::<PySocket>() {
            let socket = Some(s.clone());
            targets.push(Target {
                key: obj,
                socket,
                fd: -1,
                events,
            });
        } else if let Ok(fd) = obj.extract::<i32>() {
            targets.push(Target {
                key: obj,
                socket: None,
                fd,
                events,
            });
        } else {
            let key = obj.call_method0("fileno")?;
            let fd = key.extract()?;
            targets.push(Target {
                key,
                socket: None,
                fd,
                events,
            });
        }
    }
    Ok(targets)
}

fn revents(py: Python<'_>, targets: &[Target<'_>], timeout: i64) -> PyResult<Vec<i16>> {
    let holders: Vec<(usize, &Bound<'_, PySocket>)> = targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.socket.as_ref().map(|s| (i, s)))
        .collect();
    let cells: Vec<&SharedSocket> = holders.iter().map(|(_, h)| &*h.get().inner).collect();
    let dl = deadline(timeout);
    let Some(mut locked) = lock_many(py, &cells, dl)? else {
        return Ok(vec![0; targets.len()]);
    };
    // The slot of each target's socket among the distinct locked sockets.
    let mut slot = vec![usize::MAX; targets.len()];
    for (k, (i, _)) in holders.iter().enumerate() {
        slot[*i] = locked.slot(k);
    }
    // One poll entry per distinct socket (asking for the union of its items' events),
    // then one per descriptor.
    let mut wanted = vec![0i16; locked.len()];
    for (t, &sl) in targets.iter().zip(&slot) {
        if t.socket.is_some() {
            wanted[sl] |= t.events;
        }
    }
    if holders.len() == targets.len() {
        // Sockets only: their events say whether anything is ready now, without the
        // poll(2) of their wake-up descriptors that `ferromq::poll`'s first look makes.
        let mut now = Vec::with_capacity(wanted.len());
        for (s, &ev) in locked.sockets_mut().into_iter().zip(&wanted) {
            now.push(s.events().py_err(py)? & ev);
        }
        if timeout == 0 || now.iter().any(|&ev| ev != 0) {
            return Ok(targets
                .iter()
                .zip(&slot)
                .map(|(t, &sl)| now[sl] & t.events)
                .collect());
        }
    }
    let mut entries: Vec<PollItem<'_>> = locked
        .sockets_mut()
        .into_iter()
        .zip(&wanted)
        .map(|(s, &ev)| PollItem::socket(s, ev))
        .collect();
    let first_fd = entries.len();
    for t in targets {
        if t.socket.is_none() {
            entries.push(PollItem::fd(t.fd, t.events));
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
    Ok(targets
        .iter()
        .zip(&slot)
        .map(|(t, &sl)| {
            if t.socket.is_some() {
                entries[sl].revents & t.events
            } else {
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
