//! The queues of a socket's pipes: SNDHWM and RCVHWM (which apply to existing pipes too),
//! and where CONFLATE acts.

use super::Socket;
use crate::error::Result;
use crate::options::check;
use crate::proto::SocketType;

impl Socket {
    /// Sets `ZMQ_SNDHWM`: the most messages queued per peer for sending (0 = no limit;
    /// default 1000). EINVAL if negative.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// s.set_sndhwm(10)?;
    /// assert_eq!(s.sndhwm()?, 10);
    /// assert!(s.set_sndhwm(-1).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_sndhwm(&mut self, v: i32) -> Result<()> {
        self.opts.sndhwm = check::non_negative(v)?;
        self.apply_hwms();
        Ok(())
    }

    /// `ZMQ_SNDHWM`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Push)?;
    /// assert_eq!(s.sndhwm()?, 1000);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn sndhwm(&self) -> Result<i32> {
        Ok(self.opts.sndhwm)
    }

    /// Sets `ZMQ_RCVHWM`: the most messages queued per peer for receiving (0 = no limit;
    /// default 1000). EINVAL if negative.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.set_rcvhwm(5)?;
    /// assert_eq!(s.rcvhwm()?, 5);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_rcvhwm(&mut self, v: i32) -> Result<()> {
        self.opts.rcvhwm = check::non_negative(v)?;
        self.apply_hwms();
        Ok(())
    }

    /// `ZMQ_RCVHWM`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert_eq!(s.rcvhwm()?, 1000);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn rcvhwm(&self) -> Result<i32> {
        Ok(self.opts.rcvhwm)
    }

    /// Whether CONFLATE acts on this socket's pipes (libzmq ignores it elsewhere).
    pub(crate) fn conflates(&self) -> bool {
        use SocketType::*;
        self.opts.conflate && matches!(self.ty, Push | Pull | Pub | Sub | Dealer)
    }
}
