//! Security mechanisms: the pluggable part of the ZMTP handshake (and, for CURVE, of
//! every frame after it).
//!
//! A [`Mechanism`] is a sans-IO state machine driven by the connection. The connection
//! owns the greeting and the framing; the mechanism only sees whole command bodies
//! during the handshake and appends whole command frames to send. Once it reports
//! [`MechanismStatus::Done`], the connection checks the peer's `Socket-Type` and takes
//! its `Identity` (shared by all mechanisms, not repeated in each), then the traffic
//! phase starts. A mechanism that [`encodes_frames`](Mechanism::encodes_frames) (CURVE)
//! wraps every traffic frame in a command of its own; the others (NULL, PLAIN) let the
//! connection frame messages itself, zero-copy.
//!
//! The mechanisms: [`NullMechanism`]; PLAIN's [`PlainClient`] and [`PlainServer`]
//! (user name and password in clear, checked by ZAP); CURVE's [`CurveClient`] and
//! [`CurveServer`] (CurveZMQ: authenticated encryption of the handshake and of every
//! frame after it).
//!
//! Authentication (ZAP, RFC 27) is asked for with [`MechanismStatus::Zap`]; the driver
//! adds the domain, address and routing id, runs the exchange with the handler and hands
//! the answer back through [`Mechanism::zap_reply`].
//!
//! ```
//! use bytes::{Bytes, BytesMut};
//! use ferromq::proto::mechanism::{Mechanism, MechanismStatus, NullMechanism, OurProperties};
//! use ferromq::proto::SocketType;
//!
//! let mut m = NullMechanism::new(OurProperties::new(SocketType::Push, Bytes::new()), false);
//! assert_eq!(m.name(), b"NULL");
//! let mut out = BytesMut::new();
//! assert!(matches!(m.start(&mut out).unwrap(), MechanismStatus::NeedMore));
//! assert_eq!(&out[..], b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH");
//! let peer_ready = Bytes::from_static(b"\x05READY\x0bSocket-Type\x00\x00\x00\x04PULL");
//! let MechanismStatus::Done(peer) = m.handle_command(&peer_ready, &mut out).unwrap() else {
//!     panic!("NULL is done after the peer's READY");
//! };
//! assert_eq!(&peer.metadata.get("Socket-Type").unwrap()[..], b"PULL");
//! ```

use std::fmt;

use bytes::{Bytes, BytesMut};

use super::metadata::Metadata;
use super::socket_type::SocketType;
use super::ProtocolError;

mod curve_client;
mod curve_server;
#[cfg(test)]
mod curve_tests;
mod curve_traffic;
mod null;
mod plain;
#[cfg(test)]
pub(crate) mod testing;
mod wire;

pub use curve_client::CurveClient;
pub use curve_server::CurveServer;
pub use null::NullMechanism;
pub use plain::{PlainClient, PlainCredentials, PlainServer};

/// Length of the greeting's mechanism field.
const MECHANISM_FIELD_LEN: usize = 20;

/// A mechanism name as the greeting carries it: NUL-padded to 20 bytes (longer names
/// are cut; mechanism names are at most 20 bytes by the spec).
///
/// ```
/// use ferromq::proto::mechanism::mechanism_field;
///
/// assert_eq!(mechanism_field(b"NULL"), ferromq::proto::MECHANISM_NULL);
/// ```
pub fn mechanism_field(name: &[u8]) -> [u8; MECHANISM_FIELD_LEN] {
    let mut field = [0u8; MECHANISM_FIELD_LEN];
    let n = name.len().min(MECHANISM_FIELD_LEN);
    field[..n].copy_from_slice(&name[..n]);
    field
}

/// The properties we announce about ourselves (in READY, or CURVE/PLAIN's INITIATE),
/// given to the mechanism when it is built.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::mechanism::OurProperties;
/// use ferromq::proto::SocketType;
///
/// let p = OurProperties::new(SocketType::Dealer, Bytes::from_static(b"w1"));
/// let md = p.metadata();
/// assert_eq!(&md.get("Socket-Type").unwrap()[..], b"DEALER");
/// assert_eq!(&md.get("Identity").unwrap()[..], b"w1");
/// // PUSH does not send its identity, as in libzmq.
/// let p = OurProperties::new(SocketType::Push, Bytes::from_static(b"w1"));
/// assert!(p.metadata().get("Identity").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OurProperties {
    /// Our socket type, sent as `Socket-Type`.
    pub socket_type: SocketType,
    /// Our routing id, sent as `Identity` only if the socket type sends one.
    pub identity: Bytes,
}

impl OurProperties {
    /// Properties for a socket of this type with this routing id.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use ferromq::proto::mechanism::OurProperties;
    /// use ferromq::proto::SocketType;
    ///
    /// let p = OurProperties::new(SocketType::Req, Bytes::new());
    /// assert_eq!(p.socket_type, SocketType::Req);
    /// ```
    pub fn new(socket_type: SocketType, identity: Bytes) -> Self {
        OurProperties {
            socket_type,
            identity,
        }
    }

    /// The property list in libzmq's order: `Socket-Type`, then `Identity` (possibly
    /// empty) for the types that send one.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use ferromq::proto::mechanism::OurProperties;
    /// use ferromq::proto::SocketType;
    ///
    /// let md = OurProperties::new(SocketType::Router, Bytes::new()).metadata();
    /// assert_eq!(md.len(), 2);
    /// ```
    pub fn metadata(&self) -> Metadata {
        let mut md = Metadata::new();
        md.push(
            Bytes::from_static(b"Socket-Type"),
            Bytes::from_static(self.socket_type.name().as_bytes()),
        );
        if self.socket_type.sends_identity() {
            md.push(Bytes::from_static(b"Identity"), self.identity.clone());
        }
        md
    }
}

/// What the mechanism learned about the peer when the handshake is complete.
///
/// ```
/// use ferromq::proto::mechanism::PeerMetadata;
///
/// let p = PeerMetadata::default();
/// assert!(p.metadata.is_empty() && p.user_id.is_empty() && p.zap_metadata.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerMetadata {
    /// The peer's properties (READY or INITIATE), including `Socket-Type` and `Identity`.
    pub metadata: Metadata,
    /// The user id the ZAP handler returned (empty without ZAP).
    pub user_id: Bytes,
    /// The metadata the ZAP handler returned (empty without ZAP).
    pub zap_metadata: Metadata,
}

/// A ZAP request as far as the mechanism knows it: the driver adds the version, request
/// id, domain, address and routing id.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::mechanism::ZapRequest;
///
/// let r = ZapRequest {
///     mechanism: b"PLAIN",
///     credentials: vec![Bytes::from_static(b"admin"), Bytes::from_static(b"secret")],
/// };
/// assert_eq!(r.credentials.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZapRequest {
    /// The mechanism name (`NULL`, `PLAIN`, `CURVE`).
    pub mechanism: &'static [u8],
    /// The mechanism's credential frames (none for NULL, user + password for PLAIN,
    /// the client's long-term public key for CURVE).
    pub credentials: Vec<Bytes>,
}

/// The ZAP handler's answer, as the driver hands it to the mechanism.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::mechanism::ZapReply;
/// use ferromq::proto::Metadata;
///
/// let ok = ZapReply::Reply {
///     status_code: Bytes::from_static(b"200"),
///     status_text: Bytes::from_static(b"OK"),
///     user_id: Bytes::from_static(b"alice"),
///     metadata: Metadata::new(),
/// };
/// assert!(ok.is_success());
/// assert!(ZapReply::NoHandler.is_success());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZapReply {
    /// No handler is bound to `inproc://zeromq.zap.01`: libzmq then lets the peer in
    /// (the driver fails the handshake itself where the options demand a handler).
    NoHandler,
    /// The handler's reply.
    Reply {
        /// `200` (success), `300` (temporary error), `400` (denied) or `500` (error).
        status_code: Bytes,
        /// Human-readable reason.
        status_text: Bytes,
        /// The authenticated user id (becomes the messages' `User-Id` property).
        user_id: Bytes,
        /// Extra properties for the peer's messages.
        metadata: Metadata,
    },
}

impl ZapReply {
    /// Whether the peer is let in (status `200`, or no handler at all).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use ferromq::proto::mechanism::ZapReply;
    /// use ferromq::proto::Metadata;
    ///
    /// let denied = ZapReply::Reply {
    ///     status_code: Bytes::from_static(b"400"),
    ///     status_text: Bytes::new(),
    ///     user_id: Bytes::new(),
    ///     metadata: Metadata::new(),
    /// };
    /// assert!(!denied.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        match self {
            ZapReply::NoHandler => true,
            ZapReply::Reply { status_code, .. } => &status_code[..] == b"200",
        }
    }
}

/// Progress of a mechanism's handshake.
///
/// ```
/// use ferromq::proto::mechanism::MechanismStatus;
///
/// assert!(matches!(MechanismStatus::NeedMore, MechanismStatus::NeedMore));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MechanismStatus {
    /// Waiting for the peer's next command (or for a ZAP reply already asked for).
    NeedMore,
    /// Ask the ZAP handler; answer with [`Mechanism::zap_reply`]. Commands from the peer
    /// may still arrive meanwhile and must still be passed in.
    Zap(ZapRequest),
    /// The handshake is complete on our side; the traffic phase may start.
    Done(PeerMetadata),
}

/// A ZMTP security mechanism (RFC 23 §"Security Mechanisms"): NULL, PLAIN or CURVE.
///
/// Calls come in this order: [`start`](Mechanism::start) once the peer's greeting is
/// accepted, then [`handle_command`](Mechanism::handle_command) for every handshake
/// command frame (and [`zap_reply`](Mechanism::zap_reply) once after a
/// [`MechanismStatus::Zap`]) until one returns [`MechanismStatus::Done`]; after that,
/// only the traffic-phase methods. Whatever a method appends to `out` is sent, even when
/// it then returns an error (an ERROR command explaining a refusal goes out before the
/// connection closes, as in libzmq).
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use ferromq::proto::mechanism::{Mechanism, NullMechanism, OurProperties};
/// use ferromq::proto::SocketType;
///
/// let m: Box<dyn Mechanism> =
///     Box::new(NullMechanism::new(OurProperties::new(SocketType::Sub, Bytes::new()), false));
/// assert!(!m.as_server() && !m.encodes_frames());
/// ```
pub trait Mechanism: Send + fmt::Debug {
    /// The mechanism's name as the greeting carries it (before NUL padding), e.g. `b"NULL"`.
    fn name(&self) -> &'static [u8];

    /// The greeting's as-server byte (PLAIN and CURVE servers set it; NULL never does).
    fn as_server(&self) -> bool;

    /// Called once, when the peer's greeting has been accepted. Appends whole command
    /// frames to `out` (NULL's READY, a PLAIN/CURVE client's HELLO).
    ///
    /// # Errors
    ///
    /// A [`ProtocolError`]; fatal for the connection.
    fn start(&mut self, out: &mut BytesMut) -> Result<MechanismStatus, ProtocolError>;

    /// Handles one handshake command frame's body (name length, name, data).
    ///
    /// # Errors
    ///
    /// [`ProtocolError::PeerError`] for an ERROR command, [`ProtocolError::UnexpectedCommand`]
    /// for a command out of sequence, malformed-command and metadata errors,
    /// [`ProtocolError::Mechanism`] for the mechanism's own failures.
    fn handle_command(
        &mut self,
        body: &Bytes,
        out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError>;

    /// Takes the ZAP handler's answer to the request made with [`MechanismStatus::Zap`].
    ///
    /// # Errors
    ///
    /// [`ProtocolError::AuthFailed`] when the handler refused the peer (after appending
    /// the ERROR command libzmq sends), [`ProtocolError::UnexpectedCommand`] if no request
    /// was outstanding.
    fn zap_reply(
        &mut self,
        reply: ZapReply,
        out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError>;

    /// Whether traffic frames go through [`encode_frame`](Mechanism::encode_frame) and
    /// [`decode_frame`](Mechanism::decode_frame). False (NULL, PLAIN): the connection
    /// frames messages itself, zero-copy.
    fn encodes_frames(&self) -> bool {
        false
    }

    /// Wraps one traffic frame (a message part, or a PING/PONG/SUBSCRIBE/CANCEL command)
    /// and appends the resulting frame to `out`. Only called if
    /// [`encodes_frames`](Mechanism::encodes_frames).
    ///
    /// # Errors
    ///
    /// A [`ProtocolError`] (e.g. a nonce exhausted); fatal for the connection.
    fn encode_frame(
        &mut self,
        more: bool,
        command: bool,
        body: &[u8],
        out: &mut BytesMut,
    ) -> Result<(), ProtocolError> {
        // Mechanisms that do not encode frames are never asked to.
        let _ = (more, command, body, out);
        Err(ProtocolError::UnexpectedCommand)
    }

    /// Unwraps one traffic frame in place: `body` is the body of any frame received
    /// after the handshake, data or command (CURVE's MESSAGE, which libzmq sends as a
    /// data frame); on success the inner frame's body is `body[unwrapped.start..]`
    /// (decrypted where it lies: the connection then copies a small body out or hands a
    /// large one on without copying). Only called if
    /// [`encodes_frames`](Mechanism::encodes_frames).
    ///
    /// # Errors
    ///
    /// A [`ProtocolError`] (a bad box, a replayed nonce); fatal for the connection.
    fn decode_frame(&mut self, body: &mut [u8]) -> Result<Unwrapped, ProtocolError> {
        let _ = body;
        Err(ProtocolError::UnexpectedCommand)
    }
}

/// What [`Mechanism::decode_frame`] found inside a traffic frame: the inner frame's flags
/// and where its body starts in the buffer it was unwrapped in.
///
/// ```
/// use ferromq::proto::mechanism::Unwrapped;
///
/// let buf = *b"MESSAGE hello";
/// let inner = Unwrapped { more: false, command: false, start: 8 };
/// assert_eq!(&buf[inner.start..], b"hello");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unwrapped {
    /// More frames of the same message follow.
    pub more: bool,
    /// The inner frame is a command.
    pub command: bool,
    /// Offset of the inner frame's body in the unwrapped buffer (it runs to the end).
    pub start: usize,
}
