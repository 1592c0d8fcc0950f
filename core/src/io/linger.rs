//! [`LingerCount`]: how many sessions of closed sockets are still flushing.
//!
//! Dropping the last handle of a context waits for this to reach zero, which is how
//! LINGER decides whether and how long terminating a context blocks, as in libzmq.

use std::sync::{Condvar, Mutex};

/// A counter that can be waited on until it reaches zero.
#[derive(Debug, Default)]
pub(crate) struct LingerCount {
    count: Mutex<usize>,
    zero: Condvar,
}

impl LingerCount {
    pub fn add(&self) {
        *self.count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    }

    pub fn done(&self) {
        let mut c = self.count.lock().unwrap_or_else(|e| e.into_inner());
        *c = c.saturating_sub(1);
        if *c == 0 {
            self.zero.notify_all();
        }
    }

    /// Blocks until no session is lingering.
    pub fn wait_zero(&self) {
        let mut c = self.count.lock().unwrap_or_else(|e| e.into_inner());
        while *c > 0 {
            c = self.zero.wait(c).unwrap_or_else(|e| e.into_inner());
        }
    }
}
