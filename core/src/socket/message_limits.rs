//! FERROMQ_MAXMSGPARTS and FERROMQ_MAXMSGTOTALSIZE: bounds on a whole incoming message.
//!
//! libzmq's MAXMSGSIZE caps one frame, so a peer can still send a message of millions of
//! tiny frames that all carry MORE, and each frame costs far more memory than its two
//! bytes on the wire. These ferromq extensions bound the frame count (by default) and the
//! total size of a message; a peer that goes beyond loses its connection, as with
//! MAXMSGSIZE. Set to -1, they give libzmq's behaviour.

use super::Socket;
use crate::error::{Error, Result};

impl Socket {
    /// Sets `FERROMQ_MAXMSGPARTS` ([`sockopt::MAXMSGPARTS`](crate::sockopt::MAXMSGPARTS),
    /// a ferromq extension): the most frames an incoming message may have (≥ 1, or -1 for
    /// no limit as in libzmq; default 65536). A peer that sends a longer message loses
    /// its connection. Applies to later connections.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.set_maxmsgparts(16)?;
    /// assert_eq!(s.maxmsgparts()?, 16);
    /// assert!(s.set_maxmsgparts(0).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_maxmsgparts(&mut self, v: i32) -> Result<()> {
        if v == 0 || v < -1 {
            return Err(Error::Invalid);
        }
        self.opts.maxmsgparts = v;
        Ok(())
    }

    /// `FERROMQ_MAXMSGPARTS`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert_eq!(s.maxmsgparts()?, 65536);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn maxmsgparts(&self) -> Result<i32> {
        Ok(self.opts.maxmsgparts)
    }

    /// Sets `FERROMQ_MAXMSGTOTALSIZE`
    /// ([`sockopt::MAXMSGTOTALSIZE`](crate::sockopt::MAXMSGTOTALSIZE), a ferromq
    /// extension): the most bytes all frames of an incoming message may carry together
    /// (≥ 0, or -1 for no limit as in libzmq, the default). A peer that sends a larger
    /// message loses its connection. Applies to later connections.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// s.set_maxmsgtotalsize(1 << 20)?;
    /// assert_eq!(s.maxmsgtotalsize()?, 1 << 20);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_maxmsgtotalsize(&mut self, v: i64) -> Result<()> {
        if v < -1 {
            return Err(Error::Invalid);
        }
        self.opts.maxmsgtotalsize = v;
        Ok(())
    }

    /// `FERROMQ_MAXMSGTOTALSIZE`.
    ///
    /// ```
    /// let s = ferromq::Context::new().socket(ferromq::SocketType::Pull)?;
    /// assert_eq!(s.maxmsgtotalsize()?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn maxmsgtotalsize(&self) -> Result<i64> {
        Ok(self.opts.maxmsgtotalsize)
    }
}

#[cfg(test)]
mod tests {
    use crate::sockopt::{option_type, OptionType, OptionValue, MAXMSGPARTS, MAXMSGTOTALSIZE};
    use crate::{Context, SocketType};

    #[test]
    fn the_extension_options_work_by_number() {
        assert_eq!(option_type(MAXMSGPARTS), Some(OptionType::Int));
        assert_eq!(option_type(MAXMSGTOTALSIZE), Some(OptionType::Int64));
        let mut s = Context::new().socket(SocketType::Pull).unwrap();
        assert_eq!(s.get_option(MAXMSGPARTS), Ok(OptionValue::Int(65_536)));
        s.set_option(MAXMSGPARTS, &OptionValue::Int(-1)).unwrap();
        assert_eq!(s.get_option(MAXMSGPARTS), Ok(OptionValue::Int(-1)));
        assert!(s.set_option(MAXMSGPARTS, &OptionValue::Int(-2)).is_err());
        s.set_option(MAXMSGTOTALSIZE, &OptionValue::Int64(4096))
            .unwrap();
        assert_eq!(s.get_option(MAXMSGTOTALSIZE), Ok(OptionValue::Int64(4096)));
        assert!(s.set_option(MAXMSGTOTALSIZE, &OptionValue::Int(1)).is_err());
    }
}
