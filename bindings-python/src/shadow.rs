//! `underlying` addresses and `shadow()`: each native context and socket is registered
//! under the address of its shared state, so that another Python object can be created
//! over the same context or socket from that integer (pyzmq's `Socket.shadow(address)`).
//! Entries hold weak references: shadowing the address of a dropped object fails (EINVAL); as in
//! libzmq, an address is only meaningful while its owner lives.

use std::sync::{Arc, Mutex, Weak};

/// address -> weak handle, plus a value copied to shadows (the socket type).
pub struct Registry<T> {
    entries: Mutex<Vec<(usize, Weak<T>, i32)>>,
}

impl<T> Registry<T> {
    pub const fn new() -> Self {
        Registry {
            entries: Mutex::new(Vec::new()),
        }
    }

    /// Registers `handle` and returns its address (dead entries are pruned here).
    pub fn register(&self, handle: &Arc<T>, extra: i32) -> usize {
        let addr = Arc::as_ptr(handle) as usize;
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        e.retain(|(_, w, _)| w.strong_count() > 0);
        e.push((addr, Arc::downgrade(handle), extra));
        addr
    }

    /// The live handle registered at `addr`, with its extra value.
    pub fn lookup(&self, addr: usize) -> Option<(Arc<T>, i32)> {
        let e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        e.iter()
            .find(|(a, _, _)| *a == addr)
            .and_then(|(_, w, x)| w.upgrade().map(|h| (h, *x)))
    }
}
