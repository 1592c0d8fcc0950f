//! The security settings as libzmq keeps them (`options_t::mechanism`, `as_server`, the
//! PLAIN credentials and the three CURVE keys), and the mechanism a connection built from
//! them runs.
//!
//! libzmq's rules, which the setters in `socket::security_options` follow: PLAIN_SERVER
//! and CURVE_SERVER select their mechanism as a server (0 selects NULL again); a PLAIN
//! user name or password selects PLAIN as a client (an empty one selects NULL); any CURVE
//! key selects CURVE, and the server key makes the socket a client.

use std::fmt;

use bytes::Bytes;
use zeroize::Zeroizing;

use crate::proto::curve::{CurveKeyPair, CurvePublicKey, CurveSecretKey};
use crate::proto::mechanism::{
    CurveClient, CurveServer, Mechanism, NullMechanism, OurProperties, PlainClient,
    PlainCredentials, PlainServer,
};
use crate::proto::{error_code, ProtocolError};

/// The error of a socket whose CURVE keys cannot be used.
const BAD_KEYS: ProtocolError = ProtocolError::Mechanism {
    code: error_code::ZMTP_CRYPTOGRAPHIC,
    reason: "unusable CURVE keys",
};

/// The security mechanism a socket selected (ZMQ_MECHANISM's values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum MechanismKind {
    #[default]
    Null = 0,
    Plain = 1,
    Curve = 2,
}

/// The security options of one socket.
#[derive(Clone, Default)]
pub(crate) struct SecurityOptions {
    pub mechanism: MechanismKind,
    /// The server role of PLAIN or CURVE (libzmq's `as_server`).
    pub as_server: bool,
    pub plain_username: Bytes,
    pub plain_password: Bytes,
    pub curve_public: [u8; 32],
    pub curve_secret: Zeroizing<[u8; 32]>,
    pub curve_server_key: [u8; 32],
}

impl fmt::Debug for SecurityOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the password nor the secret key is printed.
        f.debug_struct("SecurityOptions")
            .field("mechanism", &self.mechanism)
            .field("as_server", &self.as_server)
            .field("plain_username", &self.plain_username)
            .finish_non_exhaustive()
    }
}

impl SecurityOptions {
    /// The mechanism one connection runs, announcing `ours`; `zap_domain` says whether
    /// NULL asks ZAP (libzmq 4.3: only with a ZAP_DOMAIN).
    ///
    /// A CURVE socket whose keys are not a usable X25519 key pair fails here (a
    /// cryptographic error, as libsodium's refusal is in libzmq), on this connection only.
    pub fn mechanism(
        &self,
        ours: OurProperties,
        zap_domain: bool,
    ) -> Result<Box<dyn Mechanism>, ProtocolError> {
        Ok(match (self.mechanism, self.as_server) {
            (MechanismKind::Null, _) => Box::new(NullMechanism::new(ours, zap_domain)),
            (MechanismKind::Plain, true) => Box::new(PlainServer::new(ours)),
            (MechanismKind::Plain, false) => {
                // libzmq sends whatever is set, empty included.
                let creds =
                    PlainCredentials::new(self.plain_username.clone(), self.plain_password.clone())
                        .ok_or(BAD_KEYS)?;
                Box::new(PlainClient::new(ours, creds))
            }
            (MechanismKind::Curve, true) => {
                Box::new(CurveServer::new(ours, self.secret_key()).map_err(|_| BAD_KEYS)?)
            }
            (MechanismKind::Curve, false) => {
                let pair = CurveKeyPair::new(
                    CurvePublicKey::from_bytes(self.curve_public),
                    self.secret_key(),
                );
                Box::new(
                    CurveClient::new(
                        ours,
                        pair,
                        CurvePublicKey::from_bytes(self.curve_server_key),
                    )
                    .map_err(|_| BAD_KEYS)?,
                )
            }
        })
    }

    fn secret_key(&self) -> CurveSecretKey {
        CurveSecretKey::from_bytes(*self.curve_secret)
    }
}
