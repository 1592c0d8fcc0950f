//! The client side of CURVE (RFC 26 CurveZMQ over ZMTP), as libzmq 4.3's
//! `curve_client_t`/`curve_client_tools_t` lay the commands out:
//!
//! ```text
//! HELLO    = 0x05 "HELLO" | 1 0 | 72 zeros | C' | nonce | Box[64 zeros](C'->S)
//! WELCOME  = 0x07 "WELCOME" | 16-byte nonce | Box[S' | cookie](S->C')        (168 bytes)
//! INITIATE = 0x08 "INITIATE" | cookie (96) | nonce | Box[C | vouch | metadata](C'->S')
//!            vouch = 16-byte nonce | Box[C' | S](C->S')
//! READY    = 0x05 "READY" | nonce | Box[metadata](S'->C')
//! ```
//!
//! Every key agreement refuses a low-order key, and every failure carries the monitor
//! code libzmq reports.

use bytes::{BufMut, Bytes, BytesMut};
use zeroize::Zeroizing;

use super::curve_traffic::{NonceCounter, Traffic};
use super::wire::{command_data, fail, peer_error, ERROR, READY};
use super::{Mechanism, MechanismStatus, OurProperties, PeerMetadata, Unwrapped, ZapReply};
use crate::proto::curve::boxes::{long_nonce, short_nonce, BoxKey};
use crate::proto::curve::keys::random_bytes;
use crate::proto::curve::{CurveKeyPair, CurvePublicKey, CurveSecretKey, KeyError, KEY_LEN};
use crate::proto::error_code;
use crate::proto::frame::encode_frame_header;
use crate::proto::metadata::Metadata;
use crate::proto::ProtocolError;

const HELLO: &[u8] = b"HELLO";
const WELCOME: &[u8] = b"WELCOME";
const INITIATE: &[u8] = b"INITIATE";

/// HELLO's and WELCOME's whole body lengths.
pub(super) const HELLO_LEN: usize = 200;
pub(super) const WELCOME_LEN: usize = 168;
/// A cookie: 16-byte nonce and an 80-byte secret box.
pub(super) const COOKIE_LEN: usize = 96;
/// READY's least body: name, nonce and an empty box.
const MIN_READY_LEN: usize = 30;

/// The cryptographic failure every bad box or key reports.
fn crypto(reason: &'static str) -> ProtocolError {
    fail(error_code::ZMTP_CRYPTOGRAPHIC, reason)
}

#[derive(Debug)]
enum State {
    /// HELLO not sent yet.
    Start,
    /// HELLO sent; `key` is the (S, c') precomputation that opens WELCOME.
    ExpectWelcome { key: BoxKey },
    /// INITIATE sent; `key` is the (S', c') precomputation of the session.
    ExpectReady { key: BoxKey },
    /// The handshake is over; traffic is boxed.
    Done(Traffic),
    /// Failed; nothing more is accepted.
    Failed,
}

/// A CURVE client: our long-term key pair, the server's public key, a fresh short-term
/// key pair per connection.
///
/// ```
/// use bytes::Bytes;
/// use bytes::BytesMut;
/// use ferromq::proto::curve::CurveKeyPair;
/// use ferromq::proto::mechanism::{CurveClient, Mechanism, OurProperties};
/// use ferromq::proto::SocketType;
///
/// let server = CurveKeyPair::generate().unwrap();
/// let ours = OurProperties::new(SocketType::Req, Bytes::new());
/// let mut client = CurveClient::new(ours, CurveKeyPair::generate().unwrap(), *server.public()).unwrap();
/// let mut out = BytesMut::new();
/// client.start(&mut out).unwrap();
/// assert_eq!(&out[..9], b"\x04\xc8\x05HELLO\x01"); // 200 bytes, version 1.0
/// assert!(client.encodes_frames());
/// ```
#[derive(Debug)]
pub struct CurveClient {
    ours: OurProperties,
    long_term: CurveKeyPair,
    server_key: CurvePublicKey,
    short_term: CurveKeyPair,
    vouch_nonce: [u8; 16],
    nonce: NonceCounter,
    state: State,
}

impl CurveClient {
    /// A client with `long_term` keys that trusts `server_key`; draws its short-term
    /// key pair from the OS generator.
    ///
    /// # Errors
    ///
    /// [`KeyError::Random`] if the OS generator fails.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use ferromq::proto::curve::CurveKeyPair;
    /// use ferromq::proto::mechanism::{CurveClient, Mechanism, OurProperties};
    /// use ferromq::proto::SocketType;
    ///
    /// let pair = CurveKeyPair::generate().unwrap();
    /// let c = CurveClient::new(OurProperties::new(SocketType::Sub, Bytes::new()), pair.clone(), *pair.public()).unwrap();
    /// assert_eq!(c.name(), b"CURVE");
    /// assert!(!c.as_server());
    /// ```
    pub fn new(
        ours: OurProperties,
        long_term: CurveKeyPair,
        server_key: CurvePublicKey,
    ) -> Result<Self, KeyError> {
        Ok(Self::with_randomness(
            ours,
            long_term,
            server_key,
            CurveSecretKey::generate()?,
            *random_bytes::<16>()?,
        ))
    }

    /// A client whose per-connection randomness is given (tests).
    pub(super) fn with_randomness(
        ours: OurProperties,
        long_term: CurveKeyPair,
        server_key: CurvePublicKey,
        short_term: CurveSecretKey,
        vouch_nonce: [u8; 16],
    ) -> Self {
        CurveClient {
            ours,
            long_term,
            server_key,
            short_term: CurveKeyPair::from_secret(short_term),
            vouch_nonce,
            nonce: NonceCounter::new(),
            state: State::Start,
        }
    }

    /// WELCOME in: learn S' and the cookie, send INITIATE.
    fn on_welcome(
        &mut self,
        hello_key: &BoxKey,
        body: &Bytes,
        out: &mut BytesMut,
    ) -> Result<State, ProtocolError> {
        // libzmq reports a WELCOME of the wrong size as a cryptographic failure.
        if body.len() != WELCOME_LEN {
            return Err(crypto("CURVE WELCOME is not 168 bytes"));
        }
        let mut random = [0u8; 16];
        random.copy_from_slice(&body[8..24]);
        let plain = hello_key
            .open(&long_nonce(b"WELCOME-", &random), &body[24..])
            .map_err(|_| crypto("CURVE WELCOME box does not open"))?;
        let mut server_short = [0u8; KEY_LEN];
        server_short.copy_from_slice(&plain[..KEY_LEN]);
        let server_short = CurvePublicKey::from_bytes(server_short);
        let cookie = &plain[KEY_LEN..KEY_LEN + COOKIE_LEN];

        let key = BoxKey::agree(self.short_term.secret(), &server_short)
            .map_err(|_| crypto("CURVE server short-term key has low order"))?;
        let vouch_key = BoxKey::agree(self.long_term.secret(), &server_short)
            .map_err(|_| crypto("CURVE server short-term key has low order"))?;

        // vouch = nonce | Box[C' | S](C->S')
        let mut vouch_plain = Zeroizing::new([0u8; 2 * KEY_LEN]);
        vouch_plain[..KEY_LEN].copy_from_slice(self.short_term.public().as_bytes());
        vouch_plain[KEY_LEN..].copy_from_slice(self.server_key.as_bytes());
        let mut vouch = BytesMut::with_capacity(16 + 80);
        vouch.put_slice(&self.vouch_nonce);
        vouch_key
            .seal_into(
                &long_nonce(b"VOUCH---", &self.vouch_nonce),
                &vouch_plain[..],
                &mut vouch,
            )
            .map_err(|_| crypto("CURVE could not box the vouch"))?;

        // Box[C | vouch | metadata](C'->S')
        let metadata = self.ours.metadata();
        let mut plain = BytesMut::with_capacity(KEY_LEN + vouch.len() + metadata.encoded_len());
        plain.put_slice(self.long_term.public().as_bytes());
        plain.put_slice(&vouch);
        metadata.encode(&mut plain);
        let n = self.nonce.next()?;
        let mut boxed = BytesMut::with_capacity(16 + plain.len());
        key.seal_into(&short_nonce(b"CurveZMQINITIATE", n), &plain, &mut boxed)
            .map_err(|_| crypto("CURVE could not box INITIATE"))?;

        let size = 1 + INITIATE.len() + COOKIE_LEN + 8 + boxed.len();
        encode_frame_header(false, true, size, out);
        out.put_u8(INITIATE.len() as u8);
        out.put_slice(INITIATE);
        out.put_slice(cookie);
        out.put_u64(n);
        out.put_slice(&boxed);
        Ok(State::ExpectReady { key })
    }

    /// READY in: the server's metadata; the session starts.
    fn on_ready(
        key: BoxKey,
        nonce: NonceCounter,
        body: &Bytes,
    ) -> Result<(Traffic, Metadata), ProtocolError> {
        if body.len() < MIN_READY_LEN {
            return Err(fail(
                error_code::ZMTP_MALFORMED_COMMAND_READY,
                "CURVE READY too short",
            ));
        }
        let mut n = [0u8; 8];
        n.copy_from_slice(&body[6..14]);
        let n = u64::from_be_bytes(n);
        let plain = key
            .open_to_bytes(&short_nonce(b"CurveZMQREADY---", n), &body[14..])
            .map_err(|_| crypto("CURVE READY box does not open"))?;
        let metadata = Metadata::parse(&plain)?;
        Ok((Traffic::new(key, false, nonce, n), metadata))
    }
}

impl Mechanism for CurveClient {
    fn name(&self) -> &'static [u8] {
        b"CURVE"
    }

    fn as_server(&self) -> bool {
        false
    }

    fn start(&mut self, out: &mut BytesMut) -> Result<MechanismStatus, ProtocolError> {
        if !matches!(self.state, State::Start) {
            return Err(ProtocolError::UnexpectedCommand);
        }
        self.state = State::Failed;
        let key = BoxKey::agree(self.short_term.secret(), &self.server_key)
            .map_err(|_| crypto("CURVE server key has low order"))?;
        let n = self.nonce.next()?;
        let mut signature = BytesMut::with_capacity(80);
        key.seal_into(
            &short_nonce(b"CurveZMQHELLO---", n),
            &[0; 64],
            &mut signature,
        )
        .map_err(|_| crypto("CURVE could not box HELLO"))?;
        encode_frame_header(false, true, HELLO_LEN, out);
        out.put_u8(HELLO.len() as u8);
        out.put_slice(HELLO);
        out.put_slice(&[1, 0]);
        out.put_bytes(0, 72);
        out.put_slice(self.short_term.public().as_bytes());
        out.put_u64(n);
        out.put_slice(&signature);
        self.state = State::ExpectWelcome { key };
        Ok(MechanismStatus::NeedMore)
    }

    fn handle_command(
        &mut self,
        body: &Bytes,
        out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError> {
        let state = std::mem::replace(&mut self.state, State::Failed);
        if command_data(body, WELCOME).is_some() {
            let State::ExpectWelcome { key } = state else {
                return Err(ProtocolError::UnexpectedCommand);
            };
            self.state = self.on_welcome(&key, body, out)?;
            Ok(MechanismStatus::NeedMore)
        } else if command_data(body, READY).is_some() {
            let State::ExpectReady { key } = state else {
                return Err(ProtocolError::UnexpectedCommand);
            };
            let nonce = std::mem::replace(&mut self.nonce, NonceCounter::new());
            let (traffic, metadata) = Self::on_ready(key, nonce, body)?;
            self.state = State::Done(traffic);
            Ok(MechanismStatus::Done(PeerMetadata {
                metadata,
                ..PeerMetadata::default()
            }))
        } else if let Some(data) = command_data(body, ERROR) {
            match state {
                State::ExpectWelcome { .. } | State::ExpectReady { .. } => Err(peer_error(&data)),
                _ => Err(ProtocolError::UnexpectedCommand),
            }
        } else {
            Err(fail(
                error_code::ZMTP_UNEXPECTED_COMMAND,
                "unexpected command in the CURVE handshake",
            ))
        }
    }

    fn zap_reply(
        &mut self,
        _reply: ZapReply,
        _out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError> {
        // A client never asks ZAP.
        Err(ProtocolError::UnexpectedCommand)
    }

    fn encodes_frames(&self) -> bool {
        true
    }

    fn encode_frame(
        &mut self,
        more: bool,
        command: bool,
        body: &[u8],
        out: &mut BytesMut,
    ) -> Result<(), ProtocolError> {
        match &mut self.state {
            State::Done(traffic) => traffic.encode(more, command, body, out),
            _ => Err(ProtocolError::UnexpectedCommand),
        }
    }

    fn decode_frame(&mut self, body: &mut [u8]) -> Result<Unwrapped, ProtocolError> {
        match &mut self.state {
            State::Done(traffic) => traffic.decode(body),
            _ => Err(ProtocolError::UnexpectedCommand),
        }
    }
}
