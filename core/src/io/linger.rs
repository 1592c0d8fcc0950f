//! [`LingerCount`]: how many sessions of closed sockets are still flushing.
//!
//! Dropping the last handle of a context waits for this to reach zero, which is how
//! LINGER decides whether and how long terminating a context blocks, as in libzmq.

use std::sync::{Arc, Condvar, Mutex};

/// A counter that can be waited on until it reaches zero.
///
/// Each pipe let go of with a non-zero LINGER holds one [`LingerGuard`]; the count drops
/// when the pipe itself is dropped, i.e. once both the socket and the session are done
/// with it, whichever finishes last.
#[derive(Debug, Default)]
pub(crate) struct LingerCount {
    count: Mutex<usize>,
    zero: Condvar,
}

impl LingerCount {
    /// Counts one more lingering pipe until the guard is dropped.
    pub fn guard(self: &Arc<Self>) -> LingerGuard {
        *self.count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        LingerGuard(Arc::clone(self))
    }

    fn done(&self) {
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

/// Keeps a [`LingerCount`] raised while it lives.
#[derive(Debug)]
pub(crate) struct LingerGuard(Arc<LingerCount>);

impl Drop for LingerGuard {
    fn drop(&mut self) {
        self.0.done();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_zero_returns_once_every_guard_is_gone() {
        let count = Arc::new(LingerCount::default());
        let g1 = count.guard();
        let g2 = count.guard();
        let t = {
            let count = Arc::clone(&count);
            std::thread::spawn(move || count.wait_zero())
        };
        drop(g1);
        drop(g2);
        t.join().unwrap();
        count.wait_zero();
    }
}
