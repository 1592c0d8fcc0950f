//! What the I/O thread's poller watches a session's stream for.
//!
//! A session registers its stream for both readable and writable events. While a
//! receive on the application thread waits on the lent stream itself (see
//! [`receive`](super::receive)), the I/O thread has nothing to do with its readable
//! events, yet epoll would wake it for every message, only for it to note that a receive
//! waits: one context switch more per message, on the CPU the application thread wants.
//! So a receive that parks takes readable interest out of the poller (and writable
//! interest too unless the session waits to write), and whoever ends the parking puts
//! readable interest back: the receive after its read, or the session when it takes the
//! connection back. Writable interest returns only when the session waits to write again
//! (a write met EAGAIN): with edge-triggered epoll, changing the interest looks at the
//! stream's readiness again, and a stream that is writable, as it nearly always is,
//! would wake the I/O thread at once.
//!
//! Nothing is lost meanwhile: the parked receive polls the stream itself (errors and
//! hang-ups are reported to the poller whatever the interest), and putting readable
//! interest back reports at once any byte the receive left unread.

use crate::sys::fd::epoll_modify;
use std::io;
use std::os::fd::RawFd;

/// The events the I/O thread's poller asks of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Watch {
    pub readable: bool,
    pub writable: bool,
}

impl Watch {
    /// Both, as a session registers its stream.
    pub const ALL: Watch = Watch {
        readable: true,
        writable: true,
    };
}

/// A stream as registered with the I/O thread's poller (the session's token there).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Registration {
    pub epoll: RawFd,
    pub fd: RawFd,
    pub token: u64,
}

impl Registration {
    /// Asks the poller for `watch`'s events of the stream from now on.
    pub fn set(&self, watch: Watch) -> io::Result<()> {
        epoll_modify(
            self.epoll,
            self.fd,
            self.token,
            watch.readable,
            watch.writable,
        )
    }
}
