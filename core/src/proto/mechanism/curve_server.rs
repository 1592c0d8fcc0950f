//! The server side of CURVE, as libzmq 4.3's `curve_server_t` does it: HELLO is checked
//! (exactly 200 bytes, version 1.0, a box from C' to S that opens), WELCOME carries our
//! short-term key S' and a cookie (C' and s' boxed under a key K made for this
//! connection only, so a cookie replayed on another connection does not open);
//! INITIATE must bring the cookie back, then the client's long-term key C and a vouch
//! proving C owns C'; ZAP is asked with C; READY closes the handshake.
//!
//! Lengths are checked before anything is opened; the INITIATE box (whose size the
//! client chooses: CVE-2019-13132 overflowed a fixed buffer here) is copied only after
//! the fixed-size cookie has been verified, into a buffer of exactly its size, and its
//! size is already bounded by the connection's handshake frame limit.

use bytes::{BufMut, Bytes, BytesMut};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::curve_client::{COOKIE_LEN, HELLO_LEN};
use super::curve_traffic::{NonceCounter, Traffic};
use super::wire::{check_structure, command_data, fail, settle_zap, zap_request, READY};
use super::{Mechanism, MechanismStatus, OurProperties, PeerMetadata, Unwrapped, ZapReply};
use crate::proto::command::encode_error;
use crate::proto::curve::boxes::{long_nonce, short_nonce, BoxKey};
use crate::proto::curve::keys::random_bytes;
use crate::proto::curve::{CurvePublicKey, CurveSecretKey, KeyError, KEY_LEN};
use crate::proto::error_code;
use crate::proto::frame::encode_frame_header;
use crate::proto::metadata::Metadata;
use crate::proto::ProtocolError;

const HELLO: &[u8] = b"HELLO";
const WELCOME: &[u8] = b"WELCOME";
const INITIATE: &[u8] = b"INITIATE";

/// INITIATE's least body: name (9), cookie (96), nonce (8), and a box of C (32), the
/// vouch (96) and its tag (16).
const MIN_INITIATE_LEN: usize = 257;

fn crypto(reason: &'static str) -> ProtocolError {
    fail(error_code::ZMTP_CRYPTOGRAPHIC, reason)
}

/// This connection's random material, drawn once when the connection starts.
struct Randomness {
    /// s': our short-term secret key.
    short_term: CurveSecretKey,
    /// K: the cookie key, for this connection only.
    cookie_key: Zeroizing<[u8; KEY_LEN]>,
    cookie_nonce: [u8; 16],
    welcome_nonce: [u8; 16],
}

#[derive(Debug)]
enum State {
    ExpectHello,
    /// WELCOME sent; C' kept to check the cookie.
    ExpectInitiate {
        client_short: CurvePublicKey,
    },
    /// INITIATE verified, ZAP asked with C.
    AwaitZap {
        key: BoxKey,
        metadata: Metadata,
        peer_nonce: u64,
    },
    Done(Traffic),
    Failed,
}

/// A CURVE server, holding its long-term secret key.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::curve::CurveSecretKey;
/// use ferromq::proto::mechanism::{CurveServer, Mechanism, OurProperties};
/// use ferromq::proto::SocketType;
///
/// let secret = CurveSecretKey::generate().unwrap();
/// let server = CurveServer::new(OurProperties::new(SocketType::Rep, Bytes::new()), secret).unwrap();
/// assert!(server.as_server() && server.encodes_frames());
/// ```
pub struct CurveServer {
    ours: OurProperties,
    secret: CurveSecretKey,
    public: CurvePublicKey,
    /// Dropped (and so zeroized) once INITIATE is verified.
    random: Option<Randomness>,
    nonce: NonceCounter,
    state: State,
}

impl std::fmt::Debug for CurveServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurveServer")
            .field("ours", &self.ours)
            .field("public", &self.public)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl CurveServer {
    /// A server with long-term secret key `secret`; draws this connection's short-term
    /// key and cookie key from the OS generator.
    ///
    /// # Errors
    ///
    /// [`KeyError::Random`] if the OS generator fails.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use ferromq::proto::curve::CurveSecretKey;
    /// use ferromq::proto::mechanism::{CurveServer, Mechanism, OurProperties};
    /// use ferromq::proto::SocketType;
    ///
    /// let s = CurveServer::new(OurProperties::new(SocketType::Pull, Bytes::new()), CurveSecretKey::generate().unwrap()).unwrap();
    /// assert_eq!(s.name(), b"CURVE");
    /// ```
    pub fn new(ours: OurProperties, secret: CurveSecretKey) -> Result<Self, KeyError> {
        Ok(Self::with_randomness(
            ours,
            secret,
            CurveSecretKey::generate()?,
            random_bytes::<KEY_LEN>()?,
            *random_bytes::<16>()?,
            *random_bytes::<16>()?,
        ))
    }

    /// A server whose per-connection randomness is given (tests).
    pub(super) fn with_randomness(
        ours: OurProperties,
        secret: CurveSecretKey,
        short_term: CurveSecretKey,
        cookie_key: Zeroizing<[u8; KEY_LEN]>,
        cookie_nonce: [u8; 16],
        welcome_nonce: [u8; 16],
    ) -> Self {
        CurveServer {
            ours,
            public: secret.public_key(),
            secret,
            random: Some(Randomness {
                short_term,
                cookie_key,
                cookie_nonce,
                welcome_nonce,
            }),
            nonce: NonceCounter::new(),
            state: State::ExpectHello,
        }
    }

    fn randomness(&self) -> Result<&Randomness, ProtocolError> {
        self.random.as_ref().ok_or(ProtocolError::UnexpectedCommand)
    }

    /// HELLO in, WELCOME out.
    fn on_hello(&self, body: &Bytes, out: &mut BytesMut) -> Result<State, ProtocolError> {
        check_structure(body)?;
        if command_data(body, HELLO).is_none() {
            return Err(fail(
                error_code::ZMTP_UNEXPECTED_COMMAND,
                "CURVE expected HELLO",
            ));
        }
        let malformed = |why| fail(error_code::ZMTP_MALFORMED_COMMAND_HELLO, why);
        if body.len() != HELLO_LEN {
            return Err(malformed("CURVE HELLO is not 200 bytes"));
        }
        if body[6..8] != [1, 0] {
            return Err(malformed("CURVE HELLO version is not 1.0"));
        }
        let mut client_short = [0u8; KEY_LEN];
        client_short.copy_from_slice(&body[80..112]);
        let client_short = CurvePublicKey::from_bytes(client_short);
        let mut n = [0u8; 8];
        n.copy_from_slice(&body[112..120]);
        let hello_key = BoxKey::agree(&self.secret, &client_short)
            .map_err(|_| crypto("CURVE client short-term key has low order"))?;
        hello_key
            .open(
                &short_nonce(b"CurveZMQHELLO---", u64::from_be_bytes(n)),
                &body[120..],
            )
            .map_err(|_| crypto("CURVE HELLO box does not open (wrong server key?)"))?;

        // cookie = nonce | Box[C' | s'](K)
        let random = self.randomness()?;
        let mut cookie_plain = Zeroizing::new([0u8; 2 * KEY_LEN]);
        cookie_plain[..KEY_LEN].copy_from_slice(client_short.as_bytes());
        cookie_plain[KEY_LEN..].copy_from_slice(random.short_term.as_bytes());
        // Box[S' | cookie](S->C')
        let mut plain = BytesMut::with_capacity(KEY_LEN + COOKIE_LEN);
        plain.put_slice(random.short_term.public_key().as_bytes());
        plain.put_slice(&random.cookie_nonce);
        BoxKey::symmetric(&random.cookie_key)
            .seal_into(
                &long_nonce(b"COOKIE--", &random.cookie_nonce),
                &cookie_plain[..],
                &mut plain,
            )
            .map_err(|_| crypto("CURVE could not box the cookie"))?;
        encode_frame_header(false, true, 1 + WELCOME.len() + 16 + 16 + plain.len(), out);
        out.put_u8(WELCOME.len() as u8);
        out.put_slice(WELCOME);
        out.put_slice(&random.welcome_nonce);
        hello_key
            .seal_into(&long_nonce(b"WELCOME-", &random.welcome_nonce), &plain, out)
            .map_err(|_| crypto("CURVE could not box WELCOME"))?;
        Ok(State::ExpectInitiate { client_short })
    }

    /// INITIATE in: cookie, then the box, then the vouch; ZAP is asked with C.
    fn on_initiate(
        &mut self,
        client_short: CurvePublicKey,
        body: &Bytes,
    ) -> Result<(State, CurvePublicKey), ProtocolError> {
        check_structure(body)?;
        if command_data(body, INITIATE).is_none() {
            return Err(fail(
                error_code::ZMTP_UNEXPECTED_COMMAND,
                "CURVE expected INITIATE",
            ));
        }
        if body.len() < MIN_INITIATE_LEN {
            return Err(fail(
                error_code::ZMTP_MALFORMED_COMMAND_INITIATE,
                "CURVE INITIATE too short",
            ));
        }
        // The cookie first: fixed size, and it proves the client got our WELCOME.
        let random = self.randomness()?;
        let mut cookie_nonce = [0u8; 16];
        cookie_nonce.copy_from_slice(&body[9..25]);
        let cookie = BoxKey::symmetric(&random.cookie_key)
            .open(
                &long_nonce(b"COOKIE--", &cookie_nonce),
                &body[25..9 + COOKIE_LEN],
            )
            .map_err(|_| crypto("CURVE INITIATE cookie does not open"))?;
        let same_client = cookie[..KEY_LEN].ct_eq(client_short.as_bytes());
        let same_secret = cookie[KEY_LEN..].ct_eq(random.short_term.as_bytes());
        if !bool::from(same_client & same_secret) {
            return Err(crypto("CURVE INITIATE cookie is not ours"));
        }
        let key = BoxKey::agree(&random.short_term, &client_short)
            .map_err(|_| crypto("CURVE client short-term key has low order"))?;
        let mut n = [0u8; 8];
        n.copy_from_slice(&body[105..113]);
        let n = u64::from_be_bytes(n);
        let plain = key
            .open_to_bytes(&short_nonce(b"CurveZMQINITIATE", n), &body[113..])
            .map_err(|_| crypto("CURVE INITIATE box does not open"))?;

        // C | vouch nonce (16) | vouch box (80) | metadata; at least 128 bytes since the
        // body is at least 257.
        let mut client_long = [0u8; KEY_LEN];
        client_long.copy_from_slice(&plain[..KEY_LEN]);
        let client_long = CurvePublicKey::from_bytes(client_long);
        let mut vouch_nonce = [0u8; 16];
        vouch_nonce.copy_from_slice(&plain[32..48]);
        let vouch = BoxKey::agree(&random.short_term, &client_long)
            .map_err(|_| crypto("CURVE client long-term key has low order"))?
            .open(&long_nonce(b"VOUCH---", &vouch_nonce), &plain[48..128])
            .map_err(|_| crypto("CURVE INITIATE vouch does not open"))?;
        let vouches_short = vouch[..KEY_LEN].ct_eq(client_short.as_bytes());
        let vouches_server = vouch[KEY_LEN..].ct_eq(self.public.as_bytes());
        if !bool::from(vouches_short & vouches_server) {
            return Err(fail(
                error_code::ZMTP_KEY_EXCHANGE,
                "CURVE vouch does not match the handshake's keys",
            ));
        }
        let metadata = Metadata::parse(&plain.slice(128..))?;
        // s' and K are no longer needed: drop (and so zeroize) them.
        self.random = None;
        Ok((
            State::AwaitZap {
                key,
                metadata,
                peer_nonce: n,
            },
            client_long,
        ))
    }
}

impl Mechanism for CurveServer {
    fn name(&self) -> &'static [u8] {
        b"CURVE"
    }

    fn as_server(&self) -> bool {
        true
    }

    fn start(&mut self, _out: &mut BytesMut) -> Result<MechanismStatus, ProtocolError> {
        Ok(MechanismStatus::NeedMore)
    }

    fn handle_command(
        &mut self,
        body: &Bytes,
        out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::ExpectHello => {
                self.state = self.on_hello(body, out)?;
                Ok(MechanismStatus::NeedMore)
            }
            State::ExpectInitiate { client_short } => {
                let (state, client_long) = self.on_initiate(client_short, body)?;
                self.state = state;
                Ok(MechanismStatus::Zap(zap_request(
                    b"CURVE",
                    vec![Bytes::copy_from_slice(client_long.as_bytes())],
                )))
            }
            // libzmq: a command while waiting for ZAP, or after the end, is
            // ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED.
            _ => Err(fail(
                error_code::ZMTP_UNSPECIFIED,
                "CURVE command out of sequence",
            )),
        }
    }

    fn zap_reply(
        &mut self,
        reply: ZapReply,
        out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError> {
        let State::AwaitZap {
            key,
            metadata,
            peer_nonce,
        } = std::mem::replace(&mut self.state, State::Failed)
        else {
            return Err(ProtocolError::UnexpectedCommand);
        };
        let granted = settle_zap(reply, false, encode_error, out)?;
        // READY = nonce | Box[metadata](S'->C')
        let ours = self.ours.metadata();
        let mut plain = BytesMut::with_capacity(ours.encoded_len());
        ours.encode(&mut plain);
        let n = self.nonce.next()?;
        let mut boxed = BytesMut::with_capacity(16 + plain.len());
        key.seal_into(&short_nonce(b"CurveZMQREADY---", n), &plain, &mut boxed)
            .map_err(|_| crypto("CURVE could not box READY"))?;
        encode_frame_header(false, true, 1 + READY.len() + 8 + boxed.len(), out);
        out.put_u8(READY.len() as u8);
        out.put_slice(READY);
        out.put_u64(n);
        out.put_slice(&boxed);
        let nonce = std::mem::replace(&mut self.nonce, NonceCounter::new());
        self.state = State::Done(Traffic::new(key, true, nonce, peer_nonce));
        Ok(MechanismStatus::Done(PeerMetadata {
            metadata,
            user_id: granted.user_id,
            zap_metadata: granted.metadata,
        }))
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
