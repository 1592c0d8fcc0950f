//! CURVE's traffic phase: every frame travels inside a MESSAGE,
//! `0x07 "MESSAGE" | short nonce (8) | Box[flags (1) | body]`, as libzmq's
//! `curve_encoding_t` does. On the wire a MESSAGE is a data frame without MORE (libzmq
//! sends it so, and drops one that arrives as a command frame); either kind is accepted. The flags byte carries MORE (bit 0) and COMMAND (bit 1), so
//! PING/PONG/SUBSCRIBE/CANCEL are encrypted too. Nonces are per direction
//! (`CurveZMQMESSAGEC` from the client, `CurveZMQMESSAGES` from the server), continue
//! the handshake's counters and must strictly increase.

use bytes::{BufMut, BytesMut};

use super::wire::{command_data_start, fail};
use super::Unwrapped;
use crate::proto::curve::boxes::{short_nonce, BoxKey, TAG_LEN};
use crate::proto::error_code;
use crate::proto::frame::encode_frame_header;
use crate::proto::ProtocolError;

const MESSAGE: &[u8] = b"MESSAGE";

/// Flag bits inside the box (libzmq's `msg_t::more` and `msg_t::command`).
const FLAG_MORE: u8 = 0x01;
const FLAG_COMMAND: u8 = 0x02;

/// Short nonce (8) plus the tag plus the flags byte: the least a MESSAGE's data holds.
const MIN_MESSAGE_DATA: usize = 8 + TAG_LEN + 1;

/// Our short-nonce counter: starts at 1, one per command or message we box, never
/// reused (exhaustion is an error, not a wrap).
#[derive(Debug)]
pub(super) struct NonceCounter(Option<u64>);

impl NonceCounter {
    pub(super) fn new() -> Self {
        NonceCounter(Some(1))
    }

    /// The next nonce to use.
    pub(super) fn next(&mut self) -> Result<u64, ProtocolError> {
        let n = self.0.ok_or_else(|| {
            fail(
                error_code::ZMTP_INVALID_SEQUENCE,
                "CURVE nonce counter exhausted",
            )
        })?;
        self.0 = n.checked_add(1);
        Ok(n)
    }
}

/// Which way a connection's MESSAGE nonces are prefixed.
const CLIENT_PREFIX: &[u8; 16] = b"CurveZMQMESSAGEC";
const SERVER_PREFIX: &[u8; 16] = b"CurveZMQMESSAGES";

/// The traffic state of an established CURVE connection.
#[derive(Debug)]
pub(super) struct Traffic {
    key: BoxKey,
    ours: &'static [u8; 16],
    theirs: &'static [u8; 16],
    nonce: NonceCounter,
    /// The highest nonce the peer has used (its last handshake command's, at first).
    peer_nonce: u64,
}

impl Traffic {
    /// Traffic boxed with `key` (the short-term keys' precomputation), continuing our
    /// `nonce` counter, after the peer's handshake command with nonce `peer_nonce`.
    pub(super) fn new(key: BoxKey, as_server: bool, nonce: NonceCounter, peer_nonce: u64) -> Self {
        let (ours, theirs) = if as_server {
            (SERVER_PREFIX, CLIENT_PREFIX)
        } else {
            (CLIENT_PREFIX, SERVER_PREFIX)
        };
        Traffic {
            key,
            ours,
            theirs,
            nonce,
            peer_nonce,
        }
    }

    /// Appends the MESSAGE command frame carrying one frame.
    pub(super) fn encode(
        &mut self,
        more: bool,
        command: bool,
        body: &[u8],
        out: &mut BytesMut,
    ) -> Result<(), ProtocolError> {
        let n = self.nonce.next()?;
        let size = 1 + MESSAGE.len() + MIN_MESSAGE_DATA + body.len();
        let rollback = out.len();
        // A data frame without MORE, as libzmq sends it (it would drop a MESSAGE that
        // came in a command frame): MORE and COMMAND travel inside the box.
        encode_frame_header(false, false, size, out);
        out.put_u8(MESSAGE.len() as u8);
        out.put_slice(MESSAGE);
        out.put_u64(n);
        let boxed = out.len();
        out.put_bytes(0, TAG_LEN);
        out.put_u8((u8::from(more) * FLAG_MORE) | (u8::from(command) * FLAG_COMMAND));
        out.put_slice(body);
        if self
            .key
            .seal_in_place(&short_nonce(self.ours, n), &mut out[boxed..])
            .is_err()
        {
            out.truncate(rollback);
            return Err(fail(
                error_code::ZMTP_CRYPTOGRAPHIC,
                "CURVE could not box a message",
            ));
        }
        Ok(())
    }

    /// Opens one MESSAGE frame's body in place; the frame it carries is
    /// `body[unwrapped.start..]`. The body's length was bounded by the connection's
    /// frame limit. On failure the nonce does not move (the connection is closed anyway).
    pub(super) fn decode(&mut self, body: &mut [u8]) -> Result<Unwrapped, ProtocolError> {
        let Some(head) = command_data_start(body, MESSAGE) else {
            return Err(fail(
                error_code::ZMTP_UNEXPECTED_COMMAND,
                "CURVE traffic must be MESSAGE commands",
            ));
        };
        let Some((nonce, boxed)) = body[head..].split_first_chunk_mut::<8>() else {
            return Err(too_short());
        };
        if boxed.len() < TAG_LEN + 1 {
            return Err(too_short());
        }
        let n = u64::from_be_bytes(*nonce);
        if n <= self.peer_nonce {
            return Err(fail(
                error_code::ZMTP_INVALID_SEQUENCE,
                "CURVE MESSAGE nonce did not increase",
            ));
        }
        if self
            .key
            .open_in_place(&short_nonce(self.theirs, n), boxed)
            .is_err()
        {
            return Err(fail(
                error_code::ZMTP_CRYPTOGRAPHIC,
                "CURVE MESSAGE box does not open",
            ));
        }
        self.peer_nonce = n;
        let flags = boxed[TAG_LEN];
        Ok(Unwrapped {
            more: flags & FLAG_MORE != 0,
            command: flags & FLAG_COMMAND != 0,
            start: head + MIN_MESSAGE_DATA,
        })
    }
}

fn too_short() -> ProtocolError {
    fail(
        error_code::ZMTP_MALFORMED_COMMAND_MESSAGE,
        "CURVE MESSAGE too short",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::frame::{decode_frame, Frame};
    use bytes::Bytes;

    /// Opens a copy of `body` in place and copies the inner frame out.
    fn open(t: &mut Traffic, body: Bytes) -> Result<Frame, ProtocolError> {
        let mut buf = body.to_vec();
        let inner = t.decode(&mut buf)?;
        Ok(Frame {
            more: inner.more,
            command: inner.command,
            body: Bytes::copy_from_slice(&buf[inner.start..]),
        })
    }

    fn pair() -> (Traffic, Traffic) {
        let key = [9u8; 32];
        (
            Traffic::new(BoxKey::symmetric(&key), false, NonceCounter(Some(3)), 1),
            Traffic::new(BoxKey::symmetric(&key), true, NonceCounter(Some(2)), 2),
        )
    }

    fn one_frame(wire: &mut BytesMut) -> Bytes {
        let f = decode_frame(wire, None).unwrap().unwrap();
        assert!(!f.command && !f.more);
        f.body
    }

    #[test]
    fn frames_round_trip_with_flags() {
        let (mut client, mut server) = pair();
        let mut wire = BytesMut::new();
        let cases: [(bool, bool, &[u8]); 4] = [
            (true, false, b"part one"),
            (false, false, b""),
            (false, true, b"\x04PING\x00\x00"),
            (true, true, &[0xAA; 300]),
        ];
        for (more, command, body) in cases {
            client.encode(more, command, body, &mut wire).unwrap();
            let frame = open(&mut server, one_frame(&mut wire)).unwrap();
            assert_eq!(
                (frame.more, frame.command, &frame.body[..]),
                (more, command, body)
            );
            server.encode(more, command, body, &mut wire).unwrap();
            let frame = open(&mut client, one_frame(&mut wire)).unwrap();
            assert_eq!(
                (frame.more, frame.command, &frame.body[..]),
                (more, command, body)
            );
        }
    }

    #[test]
    fn wire_layout() {
        let (mut client, _) = pair();
        let mut wire = BytesMut::new();
        client.encode(false, false, b"hi", &mut wire).unwrap();
        // Header, name, nonce 3, then tag (16) + flags + "hi".
        assert_eq!(
            &wire[..18],
            b"\x00\x23\x07MESSAGE\x00\x00\x00\x00\x00\x00\x00\x03"
        );
        assert_eq!(wire.len(), 18 + 16 + 1 + 2);
    }

    fn code(r: Result<Frame, ProtocolError>) -> u32 {
        match r {
            Err(ProtocolError::Mechanism { code, .. }) => code,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn replayed_and_old_nonces_are_refused() {
        let (mut client, mut server) = pair();
        let mut wire = BytesMut::new();
        client.encode(false, false, b"a", &mut wire).unwrap();
        let first = one_frame(&mut wire);
        assert!(open(&mut server, first.clone()).is_ok());
        assert_eq!(
            code(open(&mut server, first)),
            error_code::ZMTP_INVALID_SEQUENCE
        );
        // The handshake's last nonce (2, INITIATE's) cannot be reused either.
        let (mut client, mut server) = pair();
        client.nonce = NonceCounter(Some(2));
        client.encode(false, false, b"a", &mut wire).unwrap();
        assert_eq!(
            code(open(&mut server, one_frame(&mut wire))),
            error_code::ZMTP_INVALID_SEQUENCE
        );
    }

    #[test]
    fn nonce_exhaustion_is_an_error() {
        let (mut client, _) = pair();
        client.nonce = NonceCounter(Some(u64::MAX));
        let mut wire = BytesMut::new();
        client.encode(false, false, b"last", &mut wire).unwrap();
        let len = wire.len();
        assert!(client
            .encode(false, false, b"one too many", &mut wire)
            .is_err());
        assert_eq!(wire.len(), len);
    }

    #[test]
    fn tampering_truncation_and_wrong_commands() {
        let (mut client, mut server) = pair();
        let mut wire = BytesMut::new();
        client.encode(true, false, b"payload", &mut wire).unwrap();
        let good = one_frame(&mut wire);
        // Any flipped bit after the nonce breaks the box; nonce flips change the nonce.
        for i in 16..good.len() {
            let mut bad = good.to_vec();
            bad[i] ^= 0x20;
            assert_eq!(
                code(open(&mut server, Bytes::from(bad))),
                error_code::ZMTP_CRYPTOGRAPHIC,
                "{i}"
            );
        }
        // Every truncation: too short, or a box that does not open.
        for n in 0..good.len() {
            let expect = match n {
                0..=7 => error_code::ZMTP_UNEXPECTED_COMMAND,
                8..=32 => error_code::ZMTP_MALFORMED_COMMAND_MESSAGE,
                _ => error_code::ZMTP_CRYPTOGRAPHIC,
            };
            assert_eq!(code(open(&mut server, good.slice(..n))), expect, "{n}");
        }
        assert_eq!(
            code(open(&mut server, Bytes::from_static(b"\x04PING\x00\x00"))),
            error_code::ZMTP_UNEXPECTED_COMMAND
        );
        // The untouched message still opens: failures did not move the nonce.
        assert_eq!(&open(&mut server, good).unwrap().body[..], b"payload");
    }

    #[test]
    fn a_message_from_our_own_direction_does_not_open() {
        let (mut client, _) = pair();
        let (mut other_client, _) = pair();
        let mut wire = BytesMut::new();
        client.encode(false, false, b"x", &mut wire).unwrap();
        // Same key, but a client expects server-prefixed nonces.
        assert_eq!(
            code(open(&mut other_client, one_frame(&mut wire))),
            error_code::ZMTP_CRYPTOGRAPHIC
        );
    }
}
