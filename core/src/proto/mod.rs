#![forbid(unsafe_code)]
//! ZMTP 3.x, sans-IO: bytes in, bytes and events out.
//!
//! This module knows the wire protocol and nothing else. It never touches a socket, a
//! thread or a clock: callers hand it the bytes they read and get back parsed values plus
//! the bytes they must write. That keeps every rule testable in memory and lets the I/O
//! layer choose its own buffering and batching.
//!
//! The pieces, each in its own file:
//!
//! * [`socket_type`]: libzmq's socket types, their wire names and the peer table.
//! * [`greeting`]: the fixed 64-byte greeting that opens every connection.
//! * [`frame`]: the `flags | size | body` framing, with a bounded, "need more bytes"-aware
//!   decoder. Every length is checked (checked arithmetic, `max_body`) before anything is
//!   allocated, and no input makes it panic.
//! * [`command`]: command bodies (READY, ERROR, PING, PONG, SUBSCRIBE, CANCEL).
//! * [`metadata`]: READY's property list.
//! * [`mechanism`]: the security mechanisms the handshake runs: NULL, PLAIN (RFC 24) and
//!   CURVE (RFC 26), each a client and a server state machine behind one trait.
//! * [`curve`]: CURVE's keys and NaCl boxes; [`z85`]: the keys' text form (RFC 32).
//! * [`zap`]: ZAP (RFC 27) request and reply frames, for both the connection and the
//!   handler.
//! * [`handshake`]: the handshake as a small state machine (greeting, then the mechanism's
//!   commands, then done) that yields the peer's identity and socket type.
//! * `connection` (crate-internal): one connection as a sans-IO object — handshake,
//!   framing, multipart assembly, PING/PONG, heartbeat and handshake deadlines, the
//!   subscription wire forms (`subscription`) — with its output in a vectored, zero-copy
//!   write buffer (`wbuf`), its chunked read buffer whose chunks decoded frames share
//!   (`rbuf`) and its heartbeat machine (`heartbeat`). The I/O layer only
//!   moves its bytes and arms its timers; `tests` runs two of them back to back in memory.
//! * [`error_code`]: libzmq's `ZMQ_PROTOCOL_ERROR_*` values, which
//!   [`ProtocolError::handshake_code`] maps errors to.
//!
//! Errors are one enum, [`ProtocolError`]. Every error is fatal for the one connection
//! that produced it and for nothing else.
//!
//! ```
//! use bytes::BytesMut;
//! use ferromq::proto::{Handshake, HandshakeConfig, HandshakeStatus, SocketType};
//!
//! // Two in-memory peers: whatever one writes, the other reads. Each starts with the
//! // signature of its greeting.
//! let (mut a_out, mut b_out) = (BytesMut::new(), BytesMut::new());
//! let mut a = Handshake::new(HandshakeConfig::new(SocketType::Push), &mut a_out);
//! let mut b = Handshake::new(HandshakeConfig::new(SocketType::Pull), &mut b_out);
//! // A reads B's signature and sends the rest of its greeting.
//! assert_eq!(a.advance(&mut b_out, &mut a_out).unwrap(), HandshakeStatus::NeedMore);
//! // B reads A's whole greeting: the rest of its own greeting, then its READY, go out.
//! assert_eq!(b.advance(&mut a_out, &mut b_out).unwrap(), HandshakeStatus::NeedMore);
//! // A reads B's greeting and READY, and answers with its READY.
//! let HandshakeStatus::Done(peer) = a.advance(&mut b_out, &mut a_out).unwrap() else {
//!     unreachable!()
//! };
//! assert_eq!(peer.socket_type, SocketType::Pull);
//! // B now gets A's READY.
//! let HandshakeStatus::Done(peer) = b.advance(&mut a_out, &mut b_out).unwrap() else {
//!     unreachable!()
//! };
//! assert_eq!(peer.socket_type, SocketType::Push);
//! ```

use std::fmt;

pub mod command;
pub(crate) mod connection;
pub mod curve;
pub mod error_code;
pub mod frame;
pub mod greeting;
pub mod handshake;
pub(crate) mod heartbeat;
pub mod mechanism;
pub mod metadata;
pub(crate) mod rbuf;
pub mod socket_type;
pub(crate) mod subscription;
#[cfg(test)]
pub(crate) mod tests;
pub(crate) mod wbuf;
pub mod z85;
pub mod zap;

pub use command::{parse_command, Command};
pub use frame::{decode_frame, encode_frame, parse_frame_header, Frame, FrameHeader};
pub use greeting::{encode_greeting, parse_greeting, PeerGreeting, GREETING_LEN, MECHANISM_NULL};
pub use handshake::{Handshake, HandshakeConfig, HandshakeStatus, PeerInfo};
pub use metadata::Metadata;
pub use socket_type::SocketType;

/// A violation of ZMTP by the peer (or a limit it exceeded). Always fatal for that
/// connection.
///
/// ```
/// use ferromq::proto::ProtocolError;
///
/// let e = ProtocolError::FrameTooLarge { size: 10, max: 5 };
/// assert_eq!(e.to_string(), "frame body of 10 bytes exceeds the limit of 5 bytes");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The greeting does not start with `0xFF` or byte 9 has its low bit clear
    /// (a ZMTP 1.0 peer or not ZMTP at all).
    BadSignature,
    /// The peer's major version is below 3 (ZMTP 1.0/2.0, which we do not speak).
    UnsupportedVersion(u8),
    /// The peer's security mechanism differs from ours (20-byte NUL-padded names).
    MechanismMismatch {
        /// Our mechanism.
        ours: [u8; 20],
        /// The peer's mechanism.
        theirs: [u8; 20],
    },
    /// A frame body is larger than the configured maximum.
    FrameTooLarge {
        /// The size the peer declared.
        size: u64,
        /// The limit in force.
        max: u64,
    },
    /// A declared size exceeds 2^63 - 1, does not fit `usize`, or overflows with its header.
    SizeOverflow,
    /// A command body is malformed; the text says how.
    MalformedCommand(&'static str),
    /// A metadata property list is malformed; the text says how.
    MalformedMetadata(&'static str),
    /// A frame that is not allowed at this point (a message, or a command other than
    /// READY/ERROR, during the handshake).
    UnexpectedCommand,
    /// The peer's `Socket-Type` is unknown or cannot talk to ours.
    IncompatibleSocketType {
        /// Our socket type.
        ours: SocketType,
        /// The peer's `Socket-Type` value as sent.
        theirs: Vec<u8>,
    },
    /// The peer sent an ERROR command with this reason.
    PeerError(Vec<u8>),
    /// The peer's READY has no `Socket-Type` property.
    MissingSocketType,
    /// A security mechanism's own failure (a malformed HELLO, a box that does not open),
    /// with the `ZMQ_PROTOCOL_ERROR_*` code libzmq reports for it (see [`error_code`]).
    Mechanism {
        /// The monitor code, one of [`error_code`]'s constants.
        code: u32,
        /// What went wrong.
        reason: &'static str,
    },
    /// The ZAP handler refused the peer with this status code (`300`, `400`, `500`).
    AuthFailed(Vec<u8>),
    /// The mechanism needs a ZAP handler (a PLAIN server always does) and none is bound
    /// at `inproc://zeromq.zap.01`. libzmq reports `HANDSHAKE_FAILED_NO_DETAIL` with
    /// `EFAULT` and sends no ERROR.
    NoZapHandler,
}

impl ProtocolError {
    /// The code a monitor's `HANDSHAKE_FAILED_PROTOCOL` event carries for this error, or
    /// `None` where libzmq reports no such event (a bad greeting or an incompatible socket
    /// type: only DISCONNECTED follows; a ZAP refusal: `HANDSHAKE_FAILED_AUTH` instead).
    ///
    /// ```
    /// use ferromq::proto::{error_code, ProtocolError};
    ///
    /// let e = ProtocolError::MalformedMetadata("x");
    /// assert_eq!(e.handshake_code(), Some(error_code::ZMTP_INVALID_METADATA));
    /// assert_eq!(ProtocolError::BadSignature.handshake_code(), None);
    /// ```
    pub fn handshake_code(&self) -> Option<u32> {
        match self {
            Self::MechanismMismatch { .. } => Some(error_code::ZMTP_MECHANISM_MISMATCH),
            Self::UnexpectedCommand => Some(error_code::ZMTP_UNEXPECTED_COMMAND),
            Self::MalformedCommand(_) => Some(error_code::ZMTP_MALFORMED_COMMAND_READY),
            Self::MalformedMetadata(_) => Some(error_code::ZMTP_INVALID_METADATA),
            Self::Mechanism { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// The mechanism name without its NUL padding, for messages.
fn mechanism_name(m: &[u8; 20]) -> &[u8] {
    let end = m.iter().position(|&b| b == 0).unwrap_or(m.len());
    &m[..end]
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadSignature => f.write_str("invalid ZMTP greeting signature"),
            Self::UnsupportedVersion(v) => write!(f, "unsupported ZMTP major version {v}"),
            Self::MechanismMismatch { ours, theirs } => write!(
                f,
                "security mechanism mismatch: ours is \"{}\", peer's is \"{}\"",
                mechanism_name(ours).escape_ascii(),
                mechanism_name(theirs).escape_ascii()
            ),
            Self::FrameTooLarge { size, max } => write!(
                f,
                "frame body of {size} bytes exceeds the limit of {max} bytes"
            ),
            Self::SizeOverflow => f.write_str("declared frame size is out of range"),
            Self::MalformedCommand(why) => write!(f, "malformed command: {why}"),
            Self::MalformedMetadata(why) => write!(f, "malformed metadata: {why}"),
            Self::UnexpectedCommand => f.write_str("unexpected frame during the handshake"),
            Self::IncompatibleSocketType { ours, theirs } => write!(
                f,
                "peer socket type \"{}\" is incompatible with {}",
                theirs.escape_ascii(),
                ours.name()
            ),
            Self::PeerError(reason) => {
                write!(f, "peer sent ERROR: \"{}\"", reason.escape_ascii())
            }
            Self::MissingSocketType => f.write_str("peer READY lacks a Socket-Type property"),
            Self::Mechanism { code, reason } => {
                write!(f, "security handshake failed ({code:#x}): {reason}")
            }
            Self::NoZapHandler => {
                f.write_str("no ZAP handler is bound, and this mechanism needs one")
            }
            Self::AuthFailed(status) => write!(
                f,
                "ZAP handler refused the peer with status \"{}\"",
                status.escape_ascii()
            ),
        }
    }
}

impl std::error::Error for ProtocolError {}

#[cfg(test)]
mod error_tests {
    use super::*;

    #[test]
    fn protocol_codes_match_libzmq() {
        let mismatch = ProtocolError::MechanismMismatch {
            ours: [0; 20],
            theirs: [0; 20],
        };
        // The value pyzmq's monitor shows for a peer offering another mechanism.
        assert_eq!(mismatch.handshake_code(), Some(285_212_674));
        assert_eq!(ProtocolError::BadSignature.handshake_code(), None);
        assert_eq!(
            ProtocolError::MalformedMetadata("x").handshake_code(),
            Some(0x1000_0018)
        );
    }

    #[test]
    fn display_is_readable() {
        let e = ProtocolError::MechanismMismatch {
            ours: MECHANISM_NULL,
            theirs: *b"PLAIN\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        };
        assert_eq!(
            e.to_string(),
            "security mechanism mismatch: ours is \"NULL\", peer's is \"PLAIN\""
        );
        let e = ProtocolError::IncompatibleSocketType {
            ours: SocketType::Pull,
            theirs: b"PUB\n".to_vec(),
        };
        assert_eq!(
            e.to_string(),
            "peer socket type \"PUB\\n\" is incompatible with PULL"
        );
    }
}
