//! The security settings, kept until the security mechanisms exist (the ZAP options are
//! stored by the option table).
//!
//! The PLAIN options are set and read exactly as in libzmq (every libzmq build has
//! PLAIN), but the mechanism itself is not built yet: a socket with PLAIN selected
//! refuses to bind or connect (ENOTSUP) rather than run NULL security in its place,
//! which would let anyone in. CURVE and GSSAPI options are EINVAL for both get and set,
//! as in a libzmq built without them.

use super::Socket;
use crate::error::{Error, Result};
use bytes::Bytes;

impl Socket {
    /// Sets `ZMQ_PLAIN_SERVER`: selects the PLAIN mechanism as a server (or, false, the
    /// NULL mechanism), as libzmq does. PLAIN itself is not built yet: while it is
    /// selected, `bind` and `connect` fail with ENOTSUP instead of running NULL security.
    ///
    /// ```
    /// use ferromq::{sockopt, Error};
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Rep)?;
    /// s.set_plain_server(true)?;
    /// assert!(s.plain_server()?);
    /// assert_eq!(s.get_option(sockopt::MECHANISM)?, sockopt::OptionValue::Int(1));
    /// assert_eq!(s.bind("tcp://127.0.0.1:*"), Err(Error::NotSup));
    /// s.set_plain_server(false)?;
    /// s.bind("tcp://127.0.0.1:*")?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_plain_server(&mut self, on: bool) -> Result<()> {
        self.opts.plain.server = on;
        self.opts.plain.selected = on;
        Ok(())
    }

    /// `ZMQ_PLAIN_SERVER`: true while PLAIN is selected as a server.
    pub fn plain_server(&self) -> Result<bool> {
        Ok(self.opts.plain.server && self.opts.plain.selected)
    }

    /// Sets `ZMQ_PLAIN_USERNAME` (1 to 255 bytes): selects PLAIN as a client, as in
    /// libzmq; empty selects the NULL mechanism again. See [`Socket::set_plain_server`].
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Req)?;
    /// s.set_plain_username(b"admin")?;
    /// s.set_plain_password(b"secret")?;
    /// assert_eq!(s.plain_username()?, b"admin");
    /// assert!(s.connect("tcp://127.0.0.1:9").is_err()); // PLAIN is not built yet
    /// s.set_plain_username(b"")?;
    /// s.connect("tcp://127.0.0.1:9")?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_plain_username(&mut self, name: &[u8]) -> Result<()> {
        if let Some(v) = self.plain_credential(name)? {
            self.opts.plain.username = v;
        }
        Ok(())
    }

    /// `ZMQ_PLAIN_USERNAME`; see [`Socket::set_plain_username`].
    pub fn plain_username(&self) -> Result<Vec<u8>> {
        Ok(self.opts.plain.username.to_vec())
    }

    /// Sets `ZMQ_PLAIN_PASSWORD` (1 to 255 bytes; empty selects NULL again).
    pub fn set_plain_password(&mut self, password: &[u8]) -> Result<()> {
        if let Some(v) = self.plain_credential(password)? {
            self.opts.plain.password = v;
        }
        Ok(())
    }

    /// `ZMQ_PLAIN_PASSWORD`; see [`Socket::set_plain_password`].
    pub fn plain_password(&self) -> Result<Vec<u8>> {
        Ok(self.opts.plain.password.to_vec())
    }

    /// libzmq's rule for both credentials: empty turns PLAIN off, a value selects PLAIN
    /// as a client.
    fn plain_credential(&mut self, value: &[u8]) -> Result<Option<Bytes>> {
        if value.is_empty() {
            self.opts.plain.selected = false;
            return Ok(None);
        }
        if value.len() > 255 {
            return Err(Error::Invalid);
        }
        self.opts.plain.server = false;
        self.opts.plain.selected = true;
        Ok(Some(Bytes::copy_from_slice(value)))
    }

    /// ENOTSUP while a security mechanism ferromq does not have yet is selected: better
    /// no connection than one without the security the application asked for.
    pub(crate) fn check_mechanism(&self) -> Result<()> {
        if self.opts.plain.selected {
            return Err(Error::NotSup);
        }
        Ok(())
    }
}
