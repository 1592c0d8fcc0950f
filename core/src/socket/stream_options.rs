//! The option only STREAM sockets have.

use super::Socket;
use crate::error::{Error, Result};
use crate::proto::SocketType;

impl Socket {
    /// `ZMQ_STREAM_NOTIFY` (default on): a STREAM socket receives `[routing id, ""]`
    /// when a connection opens and again when it closes. Applies to later connections;
    /// STREAM only (EINVAL otherwise).
    ///
    /// ```
    /// use ferromq::{Context, Error, SocketType};
    /// let ctx = Context::new();
    /// ctx.socket(SocketType::Stream)?.set_stream_notify(false)?;
    /// let mut dealer = ctx.socket(SocketType::Dealer)?;
    /// assert_eq!(dealer.set_stream_notify(false), Err(Error::Invalid));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_stream_notify(&mut self, on: bool) -> Result<()> {
        if self.ty != SocketType::Stream {
            return Err(Error::Invalid);
        }
        self.opts.stream_notify = on;
        Ok(())
    }
}
