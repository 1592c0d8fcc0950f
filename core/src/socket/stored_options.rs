//! Options ferromq accepts and reports like libzmq but that have nothing to act on here:
//! the PGM multicast ones (no `pgm://` transport), AFFINITY (one I/O thread pool serves
//! every socket), LOOPBACK_FASTPATH (Windows only in libzmq), and the ZAP and PLAIN
//! settings, kept until the security mechanisms exist.
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
    /// Sets `ZMQ_AFFINITY`, the I/O thread bit mask for later connections. ferromq keeps
    /// it for libzmq compatibility; connections use the context's I/O threads.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Dealer)?;
    /// assert_eq!(s.affinity()?, 0);
    /// s.set_affinity(3)?;
    /// assert_eq!(s.affinity()?, 3);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_affinity(&mut self, mask: u64) -> Result<()> {
        self.opts.stored.affinity = mask;
        Ok(())
    }

    /// `ZMQ_AFFINITY` (default 0); see [`Socket::set_affinity`].
    pub fn affinity(&self) -> Result<u64> {
        Ok(self.opts.stored.affinity)
    }

    /// Sets `ZMQ_RATE` in kbit/s (PGM multicast; default 100). EINVAL unless > 0.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pub)?;
    /// assert_eq!(s.rate()?, 100);
    /// s.set_rate(1000)?;
    /// assert_eq!(s.rate()?, 1000);
    /// assert!(s.set_rate(0).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_rate(&mut self, v: i32) -> Result<()> {
        self.opts.stored.rate = positive(v)?;
        Ok(())
    }

    /// `ZMQ_RATE`; see [`Socket::set_rate`].
    pub fn rate(&self) -> Result<i32> {
        Ok(self.opts.stored.rate)
    }

    /// Sets `ZMQ_RECOVERY_IVL` in ms (PGM multicast; default 10000). EINVAL if negative.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pub)?;
    /// assert_eq!(s.recovery_ivl()?, 10000);
    /// s.set_recovery_ivl(0)?;
    /// assert_eq!(s.recovery_ivl()?, 0);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_recovery_ivl(&mut self, v: i32) -> Result<()> {
        self.opts.stored.recovery_ivl = crate::options::non_negative(v)?;
        Ok(())
    }

    /// `ZMQ_RECOVERY_IVL`; see [`Socket::set_recovery_ivl`].
    pub fn recovery_ivl(&self) -> Result<i32> {
        Ok(self.opts.stored.recovery_ivl)
    }

    /// Sets `ZMQ_MULTICAST_HOPS` (multicast TTL; default 1). EINVAL unless > 0.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pub)?;
    /// assert_eq!(s.multicast_hops()?, 1);
    /// s.set_multicast_hops(8)?;
    /// assert_eq!(s.multicast_hops()?, 8);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_multicast_hops(&mut self, v: i32) -> Result<()> {
        self.opts.stored.multicast_hops = positive(v)?;
        Ok(())
    }

    /// `ZMQ_MULTICAST_HOPS`; see [`Socket::set_multicast_hops`].
    pub fn multicast_hops(&self) -> Result<i32> {
        Ok(self.opts.stored.multicast_hops)
    }

    /// Sets `ZMQ_MULTICAST_MAXTPDU` in bytes (default 1500). EINVAL unless > 0.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pub)?;
    /// assert_eq!(s.multicast_maxtpdu()?, 1500);
    /// s.set_multicast_maxtpdu(9000)?;
    /// assert_eq!(s.multicast_maxtpdu()?, 9000);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_multicast_maxtpdu(&mut self, v: i32) -> Result<()> {
        self.opts.stored.multicast_maxtpdu = positive(v)?;
        Ok(())
    }

    /// `ZMQ_MULTICAST_MAXTPDU`; see [`Socket::set_multicast_maxtpdu`].
    pub fn multicast_maxtpdu(&self) -> Result<i32> {
        Ok(self.opts.stored.multicast_maxtpdu)
    }

    /// Sets `ZMQ_MULTICAST_LOOP` (default true).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pub)?;
    /// assert!(s.multicast_loop()?);
    /// s.set_multicast_loop(false)?;
    /// assert!(!s.multicast_loop()?);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_multicast_loop(&mut self, on: bool) -> Result<()> {
        self.opts.stored.multicast_loop = on;
        Ok(())
    }

    /// `ZMQ_MULTICAST_LOOP`; see [`Socket::set_multicast_loop`].
    pub fn multicast_loop(&self) -> Result<bool> {
        Ok(self.opts.stored.multicast_loop)
    }

    /// Sets `ZMQ_LOOPBACK_FASTPATH` (a Windows loopback option in libzmq; default false).
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Pair)?;
    /// s.set_loopback_fastpath(true)?;
    /// assert!(s.loopback_fastpath()?);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_loopback_fastpath(&mut self, on: bool) -> Result<()> {
        self.opts.stored.loopback_fastpath = on;
        Ok(())
    }

    /// `ZMQ_LOOPBACK_FASTPATH`; see [`Socket::set_loopback_fastpath`].
    pub fn loopback_fastpath(&self) -> Result<bool> {
        Ok(self.opts.stored.loopback_fastpath)
    }

    /// Sets `ZMQ_ZAP_DOMAIN`: the authentication domain sent to a ZAP handler, 1 to 255
    /// bytes (EINVAL otherwise, as in libzmq). Kept for the security mechanisms; NULL
    /// security does not consult ZAP.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Router)?;
    /// assert!(s.zap_domain()?.is_empty());
    /// s.set_zap_domain(b"global")?;
    /// assert_eq!(s.zap_domain()?, b"global");
    /// assert!(s.set_zap_domain(b"").is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_zap_domain(&mut self, domain: &[u8]) -> Result<()> {
        if domain.is_empty() || domain.len() > 255 {
            return Err(Error::Invalid);
        }
        self.opts.zap_domain = Bytes::copy_from_slice(domain);
        Ok(())
    }

    /// `ZMQ_ZAP_DOMAIN` (empty by default); see [`Socket::set_zap_domain`].
    pub fn zap_domain(&self) -> Result<Vec<u8>> {
        Ok(self.opts.zap_domain.to_vec())
    }

    /// Sets `ZMQ_ZAP_ENFORCE_DOMAIN` (default false), kept for the security mechanisms.
    ///
    /// ```
    /// let mut s = ferromq::Context::new().socket(ferromq::SocketType::Router)?;
    /// s.set_zap_enforce_domain(true)?;
    /// assert!(s.zap_enforce_domain()?);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_zap_enforce_domain(&mut self, on: bool) -> Result<()> {
        self.opts.zap_enforce_domain = on;
        Ok(())
    }

    /// `ZMQ_ZAP_ENFORCE_DOMAIN`; see [`Socket::set_zap_enforce_domain`].
    pub fn zap_enforce_domain(&self) -> Result<bool> {
        Ok(self.opts.zap_enforce_domain)
    }

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

/// Checks a value that must be > 0.
fn positive(v: i32) -> Result<i32> {
    if v > 0 {
        Ok(v)
    } else {
        Err(Error::Invalid)
    }
}
