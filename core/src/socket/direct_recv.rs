//! The receive fast path on the socket's side: a blocking receive on a socket with one
//! connection reads that connection itself instead of waiting for the I/O thread (see
//! `io::FastLane`'s receiving half).

use super::{Socket, Wait};
use crate::error::{Error, Result};
use crate::proto::SocketType;
use crate::wakeup::Woken;

impl Socket {
    /// [`Socket::wait`] for a receive: when the socket's type delivers in the order one
    /// peer sends (REQ, REP, DEALER, PAIR, PULL) and it has exactly one pipe, whose
    /// session lent its connection, the wait reads that connection on this thread (and
    /// sleeps on its stream as well as on the socket's wake-ups). Otherwise, and for
    /// non-blocking receives, it is [`Socket::wait`].
    pub(super) fn wait_recv(&self, seen: u64, wait: Wait) -> Result<()> {
        let deadline = match wait {
            Wait::No => return self.wait(seen, wait),
            Wait::Forever => None,
            Wait::Until(t) => Some(t),
        };
        // Not SUB/XSUB, although filtering would stay in the pattern: a subscriber is a
        // stream, which its I/O thread feeds in large batches; read here it took smaller
        // ones and parked per batch, ~3x the context switches and 9-13 % more CPU per
        // message (docs/PERFORMANCE.md, issue 14, "PUB → SUB, third pass").
        let direct = matches!(
            self.ty,
            SocketType::Req
                | SocketType::Rep
                | SocketType::Dealer
                | SocketType::Pair
                | SocketType::Pull
        );
        let Some(pipe) = self.pipes.sole().filter(|_| direct) else {
            return self.wait(seen, wait);
        };
        self.check_live()?;
        let signal = &self.shared.signal;
        let Some(woken) = pipe.wait_for_input(|fd| signal.wait_or_readable(seen, deadline, fd))
        else {
            return self.wait(seen, wait);
        };
        self.check_live()?;
        match woken {
            Woken::Notified | Woken::Readable => Ok(()),
            Woken::TimedOut => Err(Error::Again),
            Woken::Interrupted => Err(Error::Intr),
        }
    }
}
