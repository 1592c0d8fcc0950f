//! `underlying` addresses and `shadow()`: each native context and socket is registered
//! under the address of its shared state, so that another Python object can be created
//! over the same context or socket from that integer (pyzmq's `Socket.shadow(address)`).
//! Entries hold weak references: shadowing the address of a dropped object fails (EINVAL);
//! as in libzmq, an address is only meaningful while its owner lives.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// address -> weak handle, plus a value copied to shadows (the socket type).
pub struct Registry<T> {
    inner: Mutex<Option<Entries<T>>>,
}

struct Entries<T> {
    map: HashMap<usize, (Weak<T>, i32)>,
    /// Dead entries are pruned when the map has grown to this size (amortized O(1)).
    prune_at: usize,
}

impl<T> Registry<T> {
    pub const fn new() -> Self {
        Registry {
            inner: Mutex::new(None),
        }
    }

    /// Registers `handle` and returns its address.
    pub fn register(&self, handle: &Arc<T>, extra: i32) -> usize {
        let addr = Arc::as_ptr(handle) as usize;
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let e = g.get_or_insert_with(|| Entries {
            map: HashMap::new(),
            prune_at: 64,
        });
        e.map.insert(addr, (Arc::downgrade(handle), extra));
        if e.map.len() >= e.prune_at {
            e.map.retain(|_, (w, _)| w.strong_count() > 0);
            e.prune_at = (e.map.len() * 2).max(64);
        }
        addr
    }

    /// The live handle registered at `addr`, with its extra value.
    pub fn lookup(&self, addr: usize) -> Option<(Arc<T>, i32)> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (w, x) = g.as_ref()?.map.get(&addr)?;
        w.upgrade().map(|h| (h, *x))
    }
}
