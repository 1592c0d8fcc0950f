//! The security options (PLAIN and CURVE), set and read exactly as in libzmq 4.3
//! (`options.cpp`): the server options select their mechanism as a server (false
//! selects NULL again), a PLAIN credential selects PLAIN as a client, any CURVE key
//! selects CURVE and the server's key makes the socket a client. The ZAP options are
//! stored by the option table.

use super::Socket;
use crate::error::{Error, Result};
use crate::options::MechanismKind;
use crate::proto::curve::CurvePublicKey;
use bytes::Bytes;

impl Socket {
    /// Sets `ZMQ_PLAIN_SERVER`: selects the PLAIN mechanism as a server (or, false, the
    /// NULL mechanism), as libzmq does. A PLAIN server lets a peer in only when the ZAP
    /// handler (bound at `inproc://zeromq.zap.01` in the context) accepts its user name
    /// and password; without a handler every peer is refused.
    ///
    /// ```
    /// use ferromq::sockopt;
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Rep)?;
    /// s.set_plain_server(true)?;
    /// assert!(s.plain_server()?);
    /// assert_eq!(s.get_option(sockopt::MECHANISM)?, sockopt::OptionValue::Int(1));
    /// s.set_plain_server(false)?;
    /// assert_eq!(s.get_option(sockopt::MECHANISM)?, sockopt::OptionValue::Int(0));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_plain_server(&mut self, on: bool) -> Result<()> {
        self.select_server(on, MechanismKind::Plain);
        Ok(())
    }

    /// `ZMQ_PLAIN_SERVER`: true while PLAIN is selected as a server.
    pub fn plain_server(&self) -> Result<bool> {
        Ok(self.is_server_of(MechanismKind::Plain))
    }

    /// Sets `ZMQ_PLAIN_USERNAME` (1 to 255 bytes): selects PLAIN as a client, as in
    /// libzmq; empty selects the NULL mechanism again (and keeps the old name).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Req)?;
    /// s.set_plain_username(b"admin")?;
    /// s.set_plain_password(b"secret")?;
    /// assert_eq!(s.plain_username()?, b"admin");
    /// assert!(!s.plain_server()?);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_plain_username(&mut self, name: &[u8]) -> Result<()> {
        if let Some(v) = self.plain_credential(name)? {
            self.opts.security.plain_username = v;
        }
        Ok(())
    }

    /// `ZMQ_PLAIN_USERNAME`; see [`Socket::set_plain_username`].
    pub fn plain_username(&self) -> Result<Vec<u8>> {
        Ok(self.opts.security.plain_username.to_vec())
    }

    /// Sets `ZMQ_PLAIN_PASSWORD` (1 to 255 bytes; empty selects NULL again).
    pub fn set_plain_password(&mut self, password: &[u8]) -> Result<()> {
        if let Some(v) = self.plain_credential(password)? {
            self.opts.security.plain_password = v;
        }
        Ok(())
    }

    /// `ZMQ_PLAIN_PASSWORD`; see [`Socket::set_plain_password`].
    pub fn plain_password(&self) -> Result<Vec<u8>> {
        Ok(self.opts.security.plain_password.to_vec())
    }

    /// Sets `ZMQ_CURVE_SERVER`: selects CURVE as a server (or, false, the NULL
    /// mechanism), as libzmq does. A CURVE server needs its secret key
    /// ([`Socket::set_curve_secretkey`]); clients need its public key.
    ///
    /// ```
    /// use ferromq::proto::curve::CurveKeyPair;
    /// use ferromq::sockopt;
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Rep)?;
    /// let pair = CurveKeyPair::generate().unwrap();
    /// s.set_curve_server(true)?;
    /// s.set_curve_secretkey(pair.secret().as_bytes())?;
    /// assert!(s.curve_server()?);
    /// assert_eq!(s.get_option(sockopt::MECHANISM)?, sockopt::OptionValue::Int(2));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_curve_server(&mut self, on: bool) -> Result<()> {
        self.select_server(on, MechanismKind::Curve);
        Ok(())
    }

    /// `ZMQ_CURVE_SERVER`: true while CURVE is selected as a server.
    pub fn curve_server(&self) -> Result<bool> {
        Ok(self.is_server_of(MechanismKind::Curve))
    }

    /// Sets `ZMQ_CURVE_PUBLICKEY`, this socket's long-term public key: 32 bytes, or 40
    /// Z85 characters (41 with a trailing NUL); EINVAL otherwise. Selects CURVE, as in
    /// libzmq (which, like ferromq, does not check it against the secret key).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Req)?;
    /// s.set_curve_publickey(b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID")?;
    /// assert_eq!(s.curve_publickey()?[0], 0xBB);
    /// assert_eq!(s.set_curve_publickey(b"abc"), Err(ferromq::Error::Invalid));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_curve_publickey(&mut self, key: &[u8]) -> Result<()> {
        self.opts.security.curve_public = curve_key(key)?;
        self.opts.security.mechanism = MechanismKind::Curve;
        Ok(())
    }

    /// `ZMQ_CURVE_PUBLICKEY` (all zero until set).
    pub fn curve_publickey(&self) -> Result<[u8; 32]> {
        Ok(self.opts.security.curve_public)
    }

    /// Sets `ZMQ_CURVE_SECRETKEY`, this socket's long-term secret key (32 bytes or Z85,
    /// as [`Socket::set_curve_publickey`]). Selects CURVE.
    pub fn set_curve_secretkey(&mut self, key: &[u8]) -> Result<()> {
        *self.opts.security.curve_secret = curve_key(key)?;
        self.opts.security.mechanism = MechanismKind::Curve;
        Ok(())
    }

    /// `ZMQ_CURVE_SECRETKEY` (all zero until set).
    pub fn curve_secretkey(&self) -> Result<[u8; 32]> {
        Ok(*self.opts.security.curve_secret)
    }

    /// Sets `ZMQ_CURVE_SERVERKEY`, the server's public key a CURVE client connects with
    /// (32 bytes or Z85). Selects CURVE as a client, as in libzmq.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Req)?;
    /// s.set_curve_server(true)?;
    /// s.set_curve_serverkey(&[7; 32])?;
    /// assert!(!s.curve_server()?);
    /// assert_eq!(s.curve_serverkey()?, [7; 32]);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_curve_serverkey(&mut self, key: &[u8]) -> Result<()> {
        self.opts.security.curve_server_key = curve_key(key)?;
        self.opts.security.mechanism = MechanismKind::Curve;
        self.opts.security.as_server = false;
        Ok(())
    }

    /// `ZMQ_CURVE_SERVERKEY` (all zero until set).
    pub fn curve_serverkey(&self) -> Result<[u8; 32]> {
        Ok(self.opts.security.curve_server_key)
    }

    /// libzmq's PLAIN_SERVER/CURVE_SERVER: the role, and the mechanism or NULL.
    fn select_server(&mut self, on: bool, mechanism: MechanismKind) {
        self.opts.security.as_server = on;
        self.opts.security.mechanism = if on { mechanism } else { MechanismKind::Null };
    }

    fn is_server_of(&self, mechanism: MechanismKind) -> bool {
        self.opts.security.as_server && self.opts.security.mechanism == mechanism
    }

    /// libzmq's rule for both credentials: empty turns PLAIN off, a value selects PLAIN
    /// as a client.
    fn plain_credential(&mut self, value: &[u8]) -> Result<Option<Bytes>> {
        if value.is_empty() {
            self.opts.security.mechanism = MechanismKind::Null;
            return Ok(None);
        }
        if value.len() > 255 {
            return Err(Error::Invalid);
        }
        self.opts.security.as_server = false;
        self.opts.security.mechanism = MechanismKind::Plain;
        Ok(Some(Bytes::copy_from_slice(value)))
    }
}

/// A CURVE key option's value: 32 raw bytes, 40 Z85 characters, or 40 and a NUL.
fn curve_key(value: &[u8]) -> Result<[u8; 32]> {
    CurvePublicKey::parse(value)
        .map(|k| *k.as_bytes())
        .map_err(|_| Error::Invalid)
}
