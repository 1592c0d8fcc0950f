//! IMMEDIATE and CONFLATE: which pipes queue messages, and how many.

use super::Socket;
use crate::error::Result;
use crate::proto::SocketType;

impl Socket {
    /// Sets `ZMQ_IMMEDIATE`: queue messages only on connections that are up. A connect's
    /// pipe then joins the socket's routing when its handshake completes and leaves it
    /// (dropping what was queued on it) when the connection drops, so sends go to live
    /// peers or block. Applies to later connects (default false).
    ///
    /// ```
    /// use ferromq::{Context, Error, SocketType, DONTWAIT};
    /// let mut push = Context::new().socket(SocketType::Push)?;
    /// push.set_linger(0)?;
    /// push.set_immediate(true)?;
    /// push.connect("tcp://127.0.0.1:9")?; // nobody listens
    /// assert_eq!(push.send("x", DONTWAIT), Err(Error::Again));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_immediate(&mut self, on: bool) -> Result<()> {
        self.opts.immediate = on;
        Ok(())
    }

    /// `ZMQ_IMMEDIATE`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// assert!(!s.immediate()?);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn immediate(&self) -> Result<bool> {
        Ok(self.opts.immediate)
    }

    /// Sets `ZMQ_CONFLATE`: keep only the newest message in each pipe, in both
    /// directions, ignoring the HWMs (for "latest value" feeds; single-frame messages).
    /// Every socket type accepts it, as in libzmq, but only PUSH, PULL, PUB, SUB and
    /// DEALER act on it. Applies to later connections.
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.set_conflate(true)?;
    /// pull.bind("inproc://latest")?;
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// push.connect("inproc://latest")?;
    /// for v in ["1", "2", "3"] {
    ///     push.send(v, 0)?;
    /// }
    /// assert_eq!(&pull.recv(0)?[..], b"3");
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_conflate(&mut self, on: bool) -> Result<()> {
        self.opts.conflate = on;
        Ok(())
    }

    /// Whether CONFLATE acts on this socket's pipes (libzmq ignores it elsewhere).
    pub(crate) fn conflates(&self) -> bool {
        use SocketType::*;
        self.opts.conflate && matches!(self.ty, Push | Pull | Pub | Sub | Dealer)
    }

    /// `ZMQ_CONFLATE`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Sub)?;
    /// assert!(!s.conflate()?);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn conflate(&self) -> Result<bool> {
        Ok(self.opts.conflate)
    }
}
