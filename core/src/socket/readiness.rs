//! `ZMQ_EVENTS`, `ZMQ_FD` and single-socket polling for [`Socket`].

use super::{Socket, Wait};
use crate::error::{Error, Result};
use crate::poll::{POLLIN, POLLOUT};
use std::os::fd::RawFd;

impl Socket {
    /// `ZMQ_EVENTS`: [`POLLIN`] if a `recv` would return a message now, [`POLLOUT`] if a
    /// `send` would not block. It also applies pending work from the I/O threads and
    /// clears the [readiness FD](Socket::fd), so call it after that FD fires.
    ///
    /// ```
    /// use ferromq::{Context, SocketType, POLLIN, POLLOUT};
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("inproc://events")?;
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// push.connect("inproc://events")?;
    /// assert_eq!(pull.events()?, 0);
    /// assert_eq!(push.events()?, POLLOUT);
    /// push.send("x", 0)?;
    /// assert_eq!(pull.events()?, POLLIN);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn events(&mut self) -> Result<i16> {
        self.check_live()?;
        self.shared.signal.clear_readiness();
        self.process_commands();
        let mut ev = 0;
        if self.pattern.has_in(&mut self.pipes) {
            ev |= POLLIN;
        }
        self.reap_finished();
        if self.pattern.has_out(&mut self.pipes) {
            ev |= POLLOUT;
        }
        Ok(ev)
    }

    /// `ZMQ_FD`: a file descriptor that becomes readable when this socket's
    /// [`events`](Socket::events) may have changed, for event loops (epoll, asyncio,
    /// tokio). It is edge-triggered like libzmq's: after it fires, read `events` and
    /// send/receive until EAGAIN before waiting on it again. It stays unreadable while
    /// nothing happens, and it belongs to the socket (do not close it).
    ///
    /// ```
    /// use ferromq::{Context, SocketType, POLLIN};
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("inproc://fd")?;
    /// let fd = pull.fd()?;
    /// assert!(fd >= 0);
    /// assert_eq!(pull.events()? & POLLIN, 0); // clears the FD too
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn fd(&self) -> Result<RawFd> {
        self.check_live()?;
        self.shared.signal.readiness_fd().map_err(Error::from)
    }

    /// Waits up to `timeout_ms` (-1 = forever, 0 = just look) until one of `events`
    /// ([`POLLIN`], [`POLLOUT`]) holds; returns those that do (0 on timeout). pyzmq's
    /// `Socket.poll`.
    ///
    /// ```
    /// use ferromq::{Context, SocketType, POLLIN};
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("inproc://poll-one")?;
    /// assert_eq!(pull.poll(POLLIN, 10)?, 0);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn poll(&mut self, events: i16, timeout_ms: i64) -> Result<i16> {
        let timeout = i32::try_from(timeout_ms.max(-1)).unwrap_or(i32::MAX);
        let wait = Wait::new(0, timeout);
        loop {
            let seen = self.shared.signal.generation();
            let ready = self.events()? & events;
            if ready != 0 {
                return Ok(ready);
            }
            match self.wait(seen, wait) {
                Ok(()) => {}
                Err(Error::Again) => return Ok(0),
                Err(e) => return Err(e),
            }
        }
    }
}
