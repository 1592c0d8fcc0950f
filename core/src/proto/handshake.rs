//! The ZMTP handshake: greeting, then the security mechanism's commands, then traffic.
//!
//! [`Handshake`] is a small state machine (expect greeting, run the mechanism, done), in
//! the spirit of rustls's `Expect*` states. Like libzmq it sends the 10-byte signature of
//! our greeting at once and the other 54 bytes as soon as the peer's signature has arrived
//! (never waiting for the peer's whole greeting, which could deadlock against a peer that
//! does the same; a raw peer such as a STREAM socket sees the signature alone first,
//! which libzmq's test_stream checks). Once the peer's greeting checks out, the
//! [`Mechanism`] takes over (NULL sends READY eagerly, as libzmq does on both sides);
//! when it is done, the peer's `Socket-Type` is checked against ours and its `Identity`
//! taken here, for every mechanism alike. It owns no buffers: the caller passes what it
//! has read and gets back what to write.

use bytes::{Buf, Bytes, BytesMut};

use super::frame::{decode_frame, parse_frame_header};
use super::greeting::{check_mechanism, encode_greeting, parse_greeting, GREETING_LEN};
use super::mechanism::{
    mechanism_field, Mechanism, MechanismStatus, NullMechanism, OurProperties, PeerMetadata,
    ZapReply, ZapRequest,
};
use super::metadata::Metadata;
use super::socket_type::SocketType;
use super::ProtocolError;

/// The signature at the start of a greeting: `0xFF`, 8 padding bytes, `0x7F`.
const SIGNATURE_LEN: usize = 10;

/// Our greeting. Its padding holds the routing id's length + 1 as a big-endian u64, as
/// libzmq's does (for ZMTP 1.0 peers, which read it as the size of an identity frame).
/// The as-server flag stays 0 whatever our role, byte for byte as libzmq 4.3.5 sends it
/// (checked against pyzmq's libzmq with a CURVE server); peers do not read it.
fn our_greeting(cfg: &HandshakeConfig, mechanism: &dyn Mechanism) -> [u8; GREETING_LEN] {
    let mut g = encode_greeting(&mechanism_field(mechanism.name()), false);
    let size = u64::try_from(cfg.identity.len()).map_or(u64::MAX, |n| n.saturating_add(1));
    g[1..9].copy_from_slice(&size.to_be_bytes());
    g
}

/// Largest frame body accepted before the handshake completes. READY metadata is tiny;
/// the cap stops an unauthenticated peer from making us buffer much.
///
/// ```
/// assert_eq!(ferromq::proto::handshake::MAX_HANDSHAKE_BODY, 64 * 1024);
/// ```
pub const MAX_HANDSHAKE_BODY: u64 = 64 * 1024;

/// What we announce and enforce during the handshake.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::{HandshakeConfig, SocketType};
///
/// let cfg = HandshakeConfig {
///     socket_type: SocketType::Dealer,
///     identity: Bytes::from_static(b"worker-1"),
///     max_msg_size: Some(1 << 20),
/// };
/// assert_eq!(cfg.socket_type, SocketType::Dealer);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeConfig {
    /// Our socket type, sent as `Socket-Type` and checked against the peer's.
    pub socket_type: SocketType,
    /// Our routing id (at most 255 bytes; the options layer enforces that). Sent as
    /// `Identity` only if `socket_type.sends_identity()`, as libzmq does.
    pub identity: Bytes,
    /// `ZMQ_MAXMSGSIZE`. During the handshake frames are limited to the smaller of this
    /// and [`MAX_HANDSHAKE_BODY`] (libzmq applies MAXMSGSIZE to handshake frames too).
    pub max_msg_size: Option<u64>,
}

impl HandshakeConfig {
    /// A configuration with an empty identity and no message size limit.
    ///
    /// ```
    /// use ferromq::proto::{HandshakeConfig, SocketType};
    ///
    /// let cfg = HandshakeConfig::new(SocketType::Push);
    /// assert!(cfg.identity.is_empty() && cfg.max_msg_size.is_none());
    /// ```
    pub fn new(socket_type: SocketType) -> Self {
        HandshakeConfig {
            socket_type,
            identity: Bytes::new(),
            max_msg_size: None,
        }
    }

    /// The properties our mechanism announces.
    ///
    /// ```
    /// use ferromq::proto::{HandshakeConfig, SocketType};
    ///
    /// let p = HandshakeConfig::new(SocketType::Rep).our_properties();
    /// assert_eq!(p.socket_type, SocketType::Rep);
    /// ```
    pub fn our_properties(&self) -> OurProperties {
        OurProperties::new(self.socket_type, self.identity.clone())
    }
}

/// What we learned about the peer.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::{Metadata, PeerInfo, SocketType};
///
/// let info = PeerInfo {
///     socket_type: SocketType::Req,
///     identity: Bytes::new(),
///     minor_version: 1,
///     metadata: Metadata::new(),
///     user_id: Bytes::new(),
///     zap_metadata: Metadata::new(),
/// };
/// // ZMTP 3.1 peers take SUBSCRIBE/CANCEL as commands; 3.0 peers as messages.
/// assert!(info.minor_version >= 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// The peer's socket type (known and compatible with ours).
    pub socket_type: SocketType,
    /// The peer's `Identity` property, empty if absent. Whether to honour it (ROUTER) and
    /// how to treat ids starting with 0 is the socket's business.
    pub identity: Bytes,
    /// The minor version from the peer's greeting (0 = ZMTP 3.0, 1 = 3.1).
    pub minor_version: u8,
    /// All of the peer's READY (or INITIATE) properties, including the two above.
    pub metadata: Metadata,
    /// The user id the ZAP handler returned (empty without ZAP).
    pub user_id: Bytes,
    /// The metadata the ZAP handler returned (empty without ZAP).
    pub zap_metadata: Metadata,
}

/// Progress of [`Handshake::advance`].
///
/// ```
/// use ferromq::proto::HandshakeStatus;
///
/// assert_eq!(HandshakeStatus::NeedMore, HandshakeStatus::NeedMore);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeStatus {
    /// Feed more input (and write out whatever was appended to `out`).
    NeedMore,
    /// The mechanism asks the ZAP handler: answer with [`Handshake::zap_reply`] (input may
    /// still be fed meanwhile). Reported once.
    Zap(ZapRequest),
    /// The handshake succeeded; traffic may flow.
    Done(PeerInfo),
}

#[derive(Debug)]
enum State {
    /// Waiting for the peer's 64-byte greeting; `rest_sent` once the peer's signature
    /// came and the rest of our greeting went out.
    ExpectGreeting { rest_sent: bool },
    /// Greeting accepted and the mechanism started; feeding it the peer's commands.
    Mechanism { minor: u8 },
    /// Finished; further calls report the same outcome.
    Done(PeerInfo),
    /// Failed; further calls report the same error.
    Failed(ProtocolError),
}

/// A ZMTP 3.1 handshake in progress.
///
/// ```
/// use bytes::BytesMut;
/// use ferromq::proto::{Handshake, HandshakeConfig, HandshakeStatus, SocketType};
///
/// let mut out = BytesMut::new();
/// let mut hs = Handshake::new(HandshakeConfig::new(SocketType::Pull), &mut out);
/// assert_eq!(out.len(), 10); // our signature, sent at once
///
/// // A libzmq PUSH peer: greeting (padding holds id length + 1), then READY, then a message.
/// let mut input = BytesMut::new();
/// input.extend_from_slice(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1]);
/// input.extend_from_slice(b"NULL");
/// input.extend_from_slice(&[0; 48]);
/// input.extend_from_slice(b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH");
/// input.extend_from_slice(b"\x00\x02hi");
///
/// let HandshakeStatus::Done(peer) = hs.advance(&mut input, &mut out).unwrap() else {
///     panic!("handshake incomplete");
/// };
/// assert_eq!(peer.socket_type, SocketType::Push);
/// assert_eq!(&out[64..], b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04PULL");
/// assert_eq!(&input[..], b"\x00\x02hi"); // left for the traffic phase
/// ```
#[derive(Debug)]
pub struct Handshake {
    cfg: HandshakeConfig,
    mechanism: Box<dyn Mechanism>,
    state: State,
}

impl Handshake {
    /// Starts a NULL-mechanism handshake; appends the signature of our greeting (its
    /// first 10 bytes) to `out` immediately. The rest follows from
    /// [`Handshake::advance`] once the peer's signature is in, as libzmq does.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use ferromq::proto::{Handshake, HandshakeConfig, SocketType};
    ///
    /// let mut out = BytesMut::new();
    /// let mut hs = Handshake::new(HandshakeConfig::new(SocketType::Sub), &mut out);
    /// assert_eq!(&out[..], &[0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]); // id length + 1
    /// let mut peer_signature = BytesMut::from(&out[..]);
    /// hs.advance(&mut peer_signature, &mut out).unwrap();
    /// assert_eq!(&out[10..12], &[3, 1]); // ZMTP 3.1 follows
    /// assert_eq!(out.len(), 64);
    /// ```
    pub fn new(cfg: HandshakeConfig, out: &mut BytesMut) -> Handshake {
        let null = NullMechanism::new(cfg.our_properties(), false);
        Handshake::with_mechanism(cfg, Box::new(null), out)
    }

    /// Starts a handshake with the given mechanism (which announces
    /// `cfg.our_properties()`); appends our greeting's signature to `out`.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use ferromq::proto::mechanism::NullMechanism;
    /// use ferromq::proto::{Handshake, HandshakeConfig, SocketType};
    ///
    /// let cfg = HandshakeConfig::new(SocketType::Pair);
    /// let null = NullMechanism::new(cfg.our_properties(), false);
    /// let mut out = BytesMut::new();
    /// let hs = Handshake::with_mechanism(cfg, Box::new(null), &mut out);
    /// assert_eq!(hs.mechanism().name(), b"NULL");
    /// ```
    pub fn with_mechanism(
        cfg: HandshakeConfig,
        mechanism: Box<dyn Mechanism>,
        out: &mut BytesMut,
    ) -> Handshake {
        out.extend_from_slice(&our_greeting(&cfg, mechanism.as_ref())[..SIGNATURE_LEN]);
        Handshake {
            cfg,
            mechanism,
            state: State::ExpectGreeting { rest_sent: false },
        }
    }

    /// The mechanism (after the handshake, it encodes traffic frames if it
    /// [`encodes_frames`](Mechanism::encodes_frames)).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use ferromq::proto::{Handshake, HandshakeConfig, SocketType};
    ///
    /// let hs = Handshake::new(HandshakeConfig::new(SocketType::Pair), &mut BytesMut::new());
    /// assert!(!hs.mechanism().encodes_frames());
    /// ```
    pub fn mechanism(&self) -> &dyn Mechanism {
        self.mechanism.as_ref()
    }

    /// The mechanism, mutably (for the traffic phase's frame encoding).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use ferromq::proto::{Handshake, HandshakeConfig, SocketType};
    ///
    /// let mut hs = Handshake::new(HandshakeConfig::new(SocketType::Pair), &mut BytesMut::new());
    /// assert!(!hs.mechanism_mut().as_server());
    /// ```
    pub fn mechanism_mut(&mut self) -> &mut dyn Mechanism {
        self.mechanism.as_mut()
    }

    /// Consumes as much of `input` as it can (removing consumed bytes from the front of
    /// `input`) and appends whatever we must send to `out` (the rest of our greeting once
    /// the peer's signature is in, then the mechanism's commands). Returns `Done(PeerInfo)`
    /// once the peer's greeting AND the mechanism's exchange are complete and valid; any
    /// bytes after the last handshake frame stay in `input` for the traffic phase. Errors
    /// are fatal for the connection.
    ///
    /// The machine is fused: after `Done` it returns the same `Done` without touching
    /// `input`; after an error it returns the same error.
    ///
    /// # Errors
    ///
    /// From the greeting: [`ProtocolError::BadSignature`],
    /// [`ProtocolError::UnsupportedVersion`], [`ProtocolError::MechanismMismatch`]. From
    /// the mechanism (for NULL, the READY): [`ProtocolError::PeerError`] if the peer sent
    /// ERROR, [`ProtocolError::UnexpectedCommand`] for any other frame,
    /// [`ProtocolError::MissingSocketType`], [`ProtocolError::IncompatibleSocketType`],
    /// and the frame, command and metadata decoding errors. Handshake frames are limited
    /// to [`MAX_HANDSHAKE_BODY`] bytes (or `max_msg_size`, if smaller).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use ferromq::proto::{Handshake, HandshakeConfig, ProtocolError, SocketType};
    ///
    /// let mut out = BytesMut::new();
    /// let mut hs = Handshake::new(HandshakeConfig::new(SocketType::Pull), &mut out);
    /// let mut input = BytesMut::from(&b"GET / HTTP/1.1\r\n"[..]);
    /// assert_eq!(hs.advance(&mut input, &mut out), Err(ProtocolError::BadSignature));
    /// ```
    pub fn advance(
        &mut self,
        input: &mut BytesMut,
        out: &mut BytesMut,
    ) -> Result<HandshakeStatus, ProtocolError> {
        let result = self.run(input, out);
        self.settle(result)
    }

    /// Hands the ZAP handler's answer to the mechanism (after
    /// [`HandshakeStatus::Zap`]); whatever it must send is appended to `out`.
    ///
    /// # Errors
    ///
    /// Those of [`Mechanism::zap_reply`] (e.g. [`ProtocolError::AuthFailed`]), and the
    /// socket-type checks if this completes the handshake.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use ferromq::proto::mechanism::ZapReply;
    /// use ferromq::proto::{Handshake, HandshakeConfig, ProtocolError, SocketType};
    ///
    /// let mut out = BytesMut::new();
    /// let mut hs = Handshake::new(HandshakeConfig::new(SocketType::Pull), &mut out);
    /// // NULL without ZAP never asked for an answer.
    /// assert_eq!(
    ///     hs.zap_reply(ZapReply::NoHandler, &mut out),
    ///     Err(ProtocolError::UnexpectedCommand)
    /// );
    /// ```
    pub fn zap_reply(
        &mut self,
        reply: ZapReply,
        out: &mut BytesMut,
    ) -> Result<HandshakeStatus, ProtocolError> {
        let result = match self.state {
            State::Mechanism { minor } => self
                .mechanism
                .zap_reply(reply, out)
                .and_then(|status| self.mechanism_status(status, minor)),
            State::Failed(ref e) => Err(e.clone()),
            _ => Err(ProtocolError::UnexpectedCommand),
        };
        self.settle(result)
    }

    /// Records a failure so the machine stays failed.
    fn settle(
        &mut self,
        result: Result<HandshakeStatus, ProtocolError>,
    ) -> Result<HandshakeStatus, ProtocolError> {
        if let Err(e) = &result {
            self.state = State::Failed(e.clone());
        }
        result
    }

    /// Moves through as many states as the input allows.
    fn run(
        &mut self,
        input: &mut BytesMut,
        out: &mut BytesMut,
    ) -> Result<HandshakeStatus, ProtocolError> {
        loop {
            match &self.state {
                State::ExpectGreeting { rest_sent } => {
                    // Fails early on a bad signature: nothing more goes to such a peer.
                    let parsed = parse_greeting(input)?;
                    if !*rest_sent && input.len() >= SIGNATURE_LEN {
                        let g = our_greeting(&self.cfg, self.mechanism.as_ref());
                        out.extend_from_slice(&g[SIGNATURE_LEN..]);
                        self.state = State::ExpectGreeting { rest_sent: true };
                    }
                    let Some(peer) = parsed else {
                        return Ok(HandshakeStatus::NeedMore);
                    };
                    check_mechanism(&mechanism_field(self.mechanism.name()), &peer)?;
                    input.advance(GREETING_LEN);
                    let minor = peer.minor;
                    self.state = State::Mechanism { minor };
                    let status = self.mechanism.start(out)?;
                    match self.mechanism_status(status, minor)? {
                        HandshakeStatus::NeedMore => {}
                        other => return Ok(other),
                    }
                }
                State::Mechanism { minor } => {
                    let minor = *minor;
                    let Some(body) = self.read_command(input)? else {
                        return Ok(HandshakeStatus::NeedMore);
                    };
                    let status = self.mechanism.handle_command(&body, out)?;
                    match self.mechanism_status(status, minor)? {
                        HandshakeStatus::NeedMore => {}
                        other => return Ok(other),
                    }
                }
                State::Done(info) => return Ok(HandshakeStatus::Done(info.clone())),
                State::Failed(e) => return Err(e.clone()),
            }
        }
    }

    /// Turns the mechanism's progress into ours (checking the peer when it is done).
    fn mechanism_status(
        &mut self,
        status: MechanismStatus,
        minor: u8,
    ) -> Result<HandshakeStatus, ProtocolError> {
        Ok(match status {
            MechanismStatus::NeedMore => HandshakeStatus::NeedMore,
            MechanismStatus::Zap(request) => HandshakeStatus::Zap(request),
            MechanismStatus::Done(peer) => {
                let info = self.accept_peer(peer, minor)?;
                self.state = State::Done(info.clone());
                HandshakeStatus::Done(info)
            }
        })
    }

    /// The frame size limit before the handshake completes.
    fn frame_limit(&self) -> u64 {
        self.cfg
            .max_msg_size
            .map_or(MAX_HANDSHAKE_BODY, |m| m.min(MAX_HANDSHAKE_BODY))
    }

    /// Takes the next handshake command frame's body, if it is all there.
    fn read_command(&self, input: &mut BytesMut) -> Result<Option<Bytes>, ProtocolError> {
        let limit = Some(self.frame_limit());
        // Look at the header first so a message frame fails before its body arrives.
        match parse_frame_header(input, limit)? {
            None => return Ok(None),
            Some(h) if !h.command => return Err(ProtocolError::UnexpectedCommand),
            Some(_) => {}
        }
        Ok(decode_frame(input, limit)?.map(|frame| frame.body))
    }

    /// Checks the peer's properties against our socket type (for every mechanism).
    fn accept_peer(&self, peer: PeerMetadata, minor: u8) -> Result<PeerInfo, ProtocolError> {
        let ours = self.cfg.socket_type;
        let metadata = peer.metadata;
        let raw = metadata
            .get("Socket-Type")
            .ok_or(ProtocolError::MissingSocketType)?;
        let socket_type = SocketType::from_name(raw)
            .filter(|&theirs| ours.is_compatible_with(theirs))
            .ok_or_else(|| ProtocolError::IncompatibleSocketType {
                ours,
                theirs: raw.to_vec(),
            })?;
        let identity = metadata.get("Identity").cloned().unwrap_or_default();
        Ok(PeerInfo {
            socket_type,
            identity,
            minor_version: minor,
            metadata,
            user_id: peer.user_id,
            zap_metadata: peer.zap_metadata,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::command::{encode_error, encode_ping, encode_ready};
    use super::super::frame::{encode_frame, Frame};
    use super::*;
    use proptest::prelude::*;

    use super::super::greeting::tests::libzmq_greeting;
    use super::super::socket_type::ALL;

    const DEALER_ABC_READY: &[u8] = b"\x04\x2c\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\
                                      \x08Identity\x00\x00\x00\x03abc";

    /// Greeting plus READY from a libzmq DEALER with identity "abc" advertising 3.0.
    fn dealer_abc_prefix() -> Vec<u8> {
        let mut v = libzmq_greeting(4, 0).to_vec();
        v.extend_from_slice(DEALER_ABC_READY);
        v
    }

    /// A traffic phase exercising every framing shape the decoder must handle.
    fn traffic() -> (Vec<u8>, Vec<Frame>) {
        let frame = |more, command, body: &[u8]| Frame {
            more,
            command,
            body: Bytes::copy_from_slice(body),
        };
        let frames = vec![
            frame(true, false, b"part1"),
            frame(true, false, b""),
            frame(false, false, &[0xAB; 255]),
            frame(false, false, &[0xCD; 256]),
            frame(false, false, b"small but long"),
            frame(false, true, b"\x04PING\x00\x0actx"),
            frame(false, false, &[0xEF; 1000]),
        ];
        let mut wire = Vec::new();
        for f in &frames {
            if &f.body[..] == b"small but long" {
                // LONG flag with a small size: legal, libzmq accepts it.
                wire.push(0x02);
                wire.extend_from_slice(&(f.body.len() as u64).to_be_bytes());
                wire.extend_from_slice(&f.body);
            } else if f.command {
                encode_ping(10, b"ctx", &mut wire);
            } else {
                encode_frame(f.more, f.command, &f.body, &mut wire);
            }
        }
        (wire, frames)
    }

    fn full_stream() -> (Vec<u8>, Vec<Frame>) {
        let (t, frames) = traffic();
        let mut v = dealer_abc_prefix();
        v.extend_from_slice(&t);
        (v, frames)
    }

    fn router_cfg() -> HandshakeConfig {
        HandshakeConfig {
            socket_type: SocketType::Router,
            identity: Bytes::from_static(b"me"),
            max_msg_size: Some(4096),
        }
    }

    type Outcome = (Option<PeerInfo>, Vec<Frame>, Vec<u8>, usize);

    /// Feeds `chunks` to a ROUTER handshake, then decodes traffic frames. Returns the peer
    /// info, the frames, everything we wrote, and the bytes left undecoded.
    fn drive<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Result<Outcome, ProtocolError> {
        let mut out = BytesMut::new();
        let mut hs = Handshake::new(router_cfg(), &mut out);
        let mut input = BytesMut::new();
        let mut peer = None;
        let mut frames = Vec::new();
        for chunk in chunks {
            input.extend_from_slice(chunk);
            if peer.is_none() {
                match hs.advance(&mut input, &mut out)? {
                    HandshakeStatus::Done(p) => peer = Some(p),
                    HandshakeStatus::NeedMore | HandshakeStatus::Zap(_) => continue,
                }
            }
            while let Some(f) = decode_frame(&mut input, Some(4096))? {
                frames.push(f);
            }
        }
        Ok((peer, frames, out.to_vec(), input.len()))
    }

    fn router_greeting() -> [u8; GREETING_LEN] {
        let cfg = router_cfg();
        our_greeting(&cfg, &NullMechanism::new(cfg.our_properties(), false))
    }

    fn expected_output() -> Vec<u8> {
        let mut v = router_greeting().to_vec();
        encode_ready(SocketType::Router, Some(b"me"), &mut v);
        v
    }

    #[test]
    fn one_shot_libzmq_dealer() {
        let (stream, frames) = full_stream();
        let (peer, got, out, left) = drive([&stream[..]]).unwrap();
        let peer = peer.unwrap();
        assert_eq!(peer.socket_type, SocketType::Dealer);
        assert_eq!(&peer.identity[..], b"abc");
        assert_eq!(peer.minor_version, 0);
        assert_eq!(peer.metadata.len(), 2);
        assert_eq!(got, frames);
        assert_eq!(out, expected_output());
        assert_eq!(left, 0);
    }

    #[test]
    fn every_two_way_split_decodes_the_same() {
        let (stream, _) = full_stream();
        let want = drive([&stream[..]]).unwrap();
        for i in 0..=stream.len() {
            let got = drive([&stream[..i], &stream[i..]]).unwrap();
            assert_eq!(got, want, "split at {i}");
        }
    }

    #[test]
    fn byte_by_byte_decodes_the_same() {
        let (stream, _) = full_stream();
        let want = drive([&stream[..]]).unwrap();
        assert_eq!(drive(stream.chunks(1)).unwrap(), want);
        for n in [2, 3, 7, 63, 64, 65, 100] {
            assert_eq!(drive(stream.chunks(n)).unwrap(), want, "chunks of {n}");
        }
    }

    #[test]
    fn every_truncation_needs_more() {
        let prefix = dealer_abc_prefix();
        let greeting_only = router_greeting().to_vec();
        assert_eq!(greeting_only[8], 3, "\"me\" is 2 bytes long");
        for n in 0..prefix.len() {
            let (peer, frames, out, left) = drive([&prefix[..n]]).unwrap();
            assert!(peer.is_none() && frames.is_empty(), "prefix {n}");
            if n < SIGNATURE_LEN {
                assert_eq!(
                    out,
                    greeting_only[..SIGNATURE_LEN],
                    "only our signature before theirs"
                );
                assert_eq!(left, n);
            } else if n < GREETING_LEN {
                assert_eq!(out, greeting_only, "nothing but our greeting before theirs");
                assert_eq!(left, n, "a partial greeting is not consumed");
            } else {
                assert_eq!(
                    out,
                    expected_output(),
                    "READY goes out right after the greeting"
                );
                assert_eq!(left, n - GREETING_LEN);
            }
        }
    }

    #[test]
    fn ready_without_identity_for_non_identity_types() {
        let mut out = BytesMut::new();
        let cfg = HandshakeConfig {
            identity: Bytes::from_static(b"ignored"),
            ..HandshakeConfig::new(SocketType::Push)
        };
        let mut hs = Handshake::new(cfg, &mut out);
        let mut input = BytesMut::from(&libzmq_greeting(1, 1)[..]);
        assert_eq!(
            hs.advance(&mut input, &mut out),
            Ok(HandshakeStatus::NeedMore)
        );
        assert_eq!(
            &out[64..],
            b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH"
        );
        // An empty identity is still sent by identity-sending types (libzmq does).
        let mut out = BytesMut::new();
        let mut hs = Handshake::new(HandshakeConfig::new(SocketType::Dealer), &mut out);
        let mut input = BytesMut::from(&libzmq_greeting(1, 1)[..]);
        hs.advance(&mut input, &mut out).unwrap();
        assert_eq!(
            &out[64..],
            b"\x04\x29\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\
              \x08Identity\x00\x00\x00\x00"
        );
    }

    /// Runs two handshakes against each other in memory.
    fn pair(
        a: SocketType,
        b: SocketType,
    ) -> (
        Result<HandshakeStatus, ProtocolError>,
        Result<HandshakeStatus, ProtocolError>,
    ) {
        let (mut a_out, mut b_out) = (BytesMut::new(), BytesMut::new());
        let mut ha = Handshake::new(HandshakeConfig::new(a), &mut a_out);
        let mut hb = Handshake::new(HandshakeConfig::new(b), &mut b_out);
        let mut ra = ha.advance(&mut b_out, &mut a_out);
        let mut rb = hb.advance(&mut a_out, &mut b_out);
        if ra == Ok(HandshakeStatus::NeedMore) {
            ra = ha.advance(&mut b_out, &mut a_out);
        }
        if rb == Ok(HandshakeStatus::NeedMore) {
            rb = hb.advance(&mut a_out, &mut b_out);
        }
        (ra, rb)
    }

    #[test]
    fn all_type_pairs_follow_the_table() {
        for a in ALL {
            for b in ALL {
                let (ra, rb) = pair(a, b);
                if a.is_compatible_with(b) {
                    let (Ok(HandshakeStatus::Done(pa)), Ok(HandshakeStatus::Done(pb))) = (ra, rb)
                    else {
                        panic!("{a:?}-{b:?} should connect");
                    };
                    assert_eq!((pa.socket_type, pb.socket_type), (b, a));
                    assert_eq!((pa.minor_version, pb.minor_version), (1, 1));
                    assert_eq!(pa.metadata.get("Identity").is_some(), b.sends_identity());
                } else {
                    assert_eq!(
                        ra,
                        Err(ProtocolError::IncompatibleSocketType {
                            ours: a,
                            theirs: b.name().as_bytes().to_vec(),
                        })
                    );
                    assert!(rb.is_err());
                }
            }
        }
    }

    /// Feeds a libzmq greeting plus `after` to a PULL handshake in one go.
    fn pull_with(after: &[u8]) -> Result<HandshakeStatus, ProtocolError> {
        let mut out = BytesMut::new();
        let mut hs = Handshake::new(HandshakeConfig::new(SocketType::Pull), &mut out);
        let mut input = BytesMut::from(&libzmq_greeting(1, 1)[..]);
        input.extend_from_slice(after);
        hs.advance(&mut input, &mut out)
    }

    fn ready_frame(props: &[u8]) -> Vec<u8> {
        let mut body = b"\x05READY".to_vec();
        body.extend_from_slice(props);
        let mut v = Vec::new();
        encode_frame(false, true, &body, &mut v);
        v
    }

    #[test]
    fn peer_errors() {
        let mut err = Vec::new();
        encode_error(b"500", &mut err);
        assert_eq!(
            pull_with(&err),
            Err(ProtocolError::PeerError(b"500".to_vec()))
        );

        // A message (even before its body arrives) or another command before READY.
        assert_eq!(pull_with(&[0x00, 5]), Err(ProtocolError::UnexpectedCommand));
        assert_eq!(pull_with(&[0x01, 0]), Err(ProtocolError::UnexpectedCommand));
        let mut ping = Vec::new();
        encode_ping(0, b"", &mut ping);
        assert_eq!(pull_with(&ping), Err(ProtocolError::UnexpectedCommand));
        let mut sub = Vec::new();
        super::super::command::encode_subscribe(b"", &mut sub);
        assert_eq!(pull_with(&sub), Err(ProtocolError::UnexpectedCommand));
        assert_eq!(
            pull_with(b"\x04\x06\x05HELLO"),
            Err(ProtocolError::UnexpectedCommand)
        );
        assert!(matches!(
            pull_with(b"\x04\x00"),
            Err(ProtocolError::MalformedCommand(_))
        ));
    }

    #[test]
    fn socket_type_checks() {
        assert_eq!(
            pull_with(&ready_frame(b"")),
            Err(ProtocolError::MissingSocketType)
        );
        assert_eq!(
            pull_with(&ready_frame(b"\x08Identity\x00\x00\x00\x00")),
            Err(ProtocolError::MissingSocketType)
        );
        // The property name is matched case-insensitively...
        let ok = pull_with(&ready_frame(b"\x0bsocket-type\x00\x00\x00\x04PUSH")).unwrap();
        assert!(matches!(ok, HandshakeStatus::Done(p) if p.socket_type == SocketType::Push));
        // ...but the value exactly, like libzmq.
        for (value, raw) in [
            (&b"\x00\x00\x00\x04push"[..], &b"push"[..]),
            (b"\x00\x00\x00\x03PUB", b"PUB"),
            (b"\x00\x00\x00\x06STREAM", b"STREAM"),
            (b"\x00\x00\x00\x00", b""),
        ] {
            let mut props = b"\x0bSocket-Type".to_vec();
            props.extend_from_slice(value);
            assert_eq!(
                pull_with(&ready_frame(&props)),
                Err(ProtocolError::IncompatibleSocketType {
                    ours: SocketType::Pull,
                    theirs: raw.to_vec(),
                })
            );
        }
    }

    #[test]
    fn malformed_ready_metadata() {
        // Trailing junk.
        assert!(matches!(
            pull_with(&ready_frame(b"\x0bSocket-Type\x00\x00\x00\x04PUSH\x01")),
            Err(ProtocolError::MalformedMetadata(_))
        ));
        // Value length overrunning the frame.
        assert!(matches!(
            pull_with(&ready_frame(b"\x0bSocket-Type\x00\x00\x01\x00PUSH")),
            Err(ProtocolError::MalformedMetadata(_))
        ));
    }

    #[test]
    fn greeting_errors() {
        let mut plain = libzmq_greeting(1, 1);
        plain[12..17].copy_from_slice(b"PLAIN");
        assert!(matches!(
            drive([&plain[..]]),
            Err(ProtocolError::MechanismMismatch { .. })
        ));
        assert_eq!(
            drive([&[0x01u8, 0x00][..]]),
            Err(ProtocolError::BadSignature)
        );
        let mut g = libzmq_greeting(1, 1);
        g[9] = 0x7E;
        assert_eq!(drive([&g[..10]]), Err(ProtocolError::BadSignature));
        let mut g = libzmq_greeting(1, 1);
        g[10] = 2;
        assert_eq!(drive([&g[..11]]), Err(ProtocolError::UnsupportedVersion(2)));
    }

    #[test]
    fn oversized_handshake_frame_fails_at_once() {
        // Only the 9 header bytes are present; the declared 1 MiB is never waited for.
        let mut hdr = vec![0x06];
        hdr.extend_from_slice(&(1u64 << 20).to_be_bytes());
        assert_eq!(
            pull_with(&hdr),
            Err(ProtocolError::FrameTooLarge {
                size: 1 << 20,
                max: MAX_HANDSHAKE_BODY
            })
        );
        hdr[1..].copy_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(pull_with(&hdr), Err(ProtocolError::SizeOverflow));
        // A smaller MAXMSGSIZE applies too.
        let mut out = BytesMut::new();
        let cfg = HandshakeConfig {
            max_msg_size: Some(8),
            ..HandshakeConfig::new(SocketType::Pull)
        };
        let mut hs = Handshake::new(cfg, &mut out);
        let mut input = BytesMut::from(&libzmq_greeting(1, 1)[..]);
        input.extend_from_slice(&ready_frame(b"\x0bSocket-Type\x00\x00\x00\x04PUSH"));
        assert_eq!(
            hs.advance(&mut input, &mut out),
            Err(ProtocolError::FrameTooLarge { size: 26, max: 8 })
        );
    }

    #[test]
    fn fused_after_done_and_after_error() {
        let mut out = BytesMut::new();
        let mut hs = Handshake::new(HandshakeConfig::new(SocketType::Router), &mut out);
        let mut input = BytesMut::from(&dealer_abc_prefix()[..]);
        input.extend_from_slice(b"\x00\x01x");
        let first = hs.advance(&mut input, &mut out).unwrap();
        assert!(matches!(first, HandshakeStatus::Done(_)));
        let out_len = out.len();
        assert_eq!(hs.advance(&mut input, &mut out).unwrap(), first);
        assert_eq!(&input[..], b"\x00\x01x");
        assert_eq!(out.len(), out_len);

        let mut out = BytesMut::new();
        let mut hs = Handshake::new(HandshakeConfig::new(SocketType::Router), &mut out);
        let mut input = BytesMut::from(&b"\x00"[..]);
        assert_eq!(
            hs.advance(&mut input, &mut out),
            Err(ProtocolError::BadSignature)
        );
        let mut input = BytesMut::from(&dealer_abc_prefix()[..]);
        assert_eq!(
            hs.advance(&mut input, &mut out),
            Err(ProtocolError::BadSignature)
        );
    }

    proptest! {
        #[test]
        fn random_chunking_decodes_the_same(cuts in proptest::collection::vec(0usize..2000, 0..12)) {
            let (stream, _) = full_stream();
            let want = drive([&stream[..]]).unwrap();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
            cuts.push(0);
            cuts.push(stream.len());
            cuts.sort_unstable();
            let chunks: Vec<&[u8]> = cuts.windows(2).map(|w| &stream[w[0]..w[1]]).collect();
            prop_assert_eq!(drive(chunks).unwrap(), want);
        }

        #[test]
        fn arbitrary_input_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = drive(data.chunks(17));
        }

        #[test]
        fn arbitrary_input_after_greeting_never_panics(
            data in proptest::collection::vec(any::<u8>(), 0..200),
            chunk in 1usize..50,
        ) {
            let mut v = libzmq_greeting(1, 1).to_vec();
            v.extend_from_slice(&data);
            let _ = drive(v.chunks(chunk));
        }

        #[test]
        fn mutated_stream_never_panics(pos in 0usize..2000, byte in any::<u8>()) {
            let (mut stream, _) = full_stream();
            let pos = pos % stream.len();
            stream[pos] = byte;
            let _ = drive(stream.chunks(13));
        }
    }
}
