//! ZMTP commands: frames with the COMMAND flag whose body is `name-len(1) | name | data`.
//!
//! Parsing slices the frame body without copying. Encoders write the whole frame
//! (header and body) in one go, with libzmq's exact byte layout.

use bytes::{BufMut, Bytes};

use super::frame::encode_frame_header;
use super::metadata::{property_len, put_property, Metadata};
use super::socket_type::SocketType;
use super::ProtocolError;

/// libzmq echoes at most this many bytes of a PING's context, and RFC 37 allows no more.
pub const MAX_PING_CONTEXT: usize = 16;

/// Longest ERROR reason (its length is one byte).
const MAX_ERROR_REASON: usize = 255;

const READY: &[u8] = b"READY";
const ERROR: &[u8] = b"ERROR";
const PING: &[u8] = b"PING";
const PONG: &[u8] = b"PONG";
const SUBSCRIBE: &[u8] = b"SUBSCRIBE";
const CANCEL: &[u8] = b"CANCEL";

const PROP_SOCKET_TYPE: &[u8] = b"Socket-Type";
const PROP_IDENTITY: &[u8] = b"Identity";

/// A parsed command.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::command::{parse_command, Command};
///
/// let c = parse_command(&Bytes::from_static(b"\x09SUBSCRIBEA")).unwrap();
/// assert_eq!(c, Command::Subscribe(Bytes::from_static(b"A")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// NULL mechanism READY with the sender's properties.
    Ready(Metadata),
    /// ERROR with its reason text (fatal; the peer will close).
    Error(Bytes),
    /// Heartbeat request. `ttl_deciseconds` of 0 means no TTL; `context` is at most
    /// [`MAX_PING_CONTEXT`] bytes (anything beyond is dropped).
    Ping {
        /// How long the peer may stay silent before we drop it, in tenths of a second.
        ttl_deciseconds: u16,
        /// Opaque bytes to echo in the PONG.
        context: Bytes,
    },
    /// Heartbeat reply.
    Pong {
        /// The echoed PING context.
        context: Bytes,
    },
    /// ZMTP 3.1 subscription to a topic prefix.
    Subscribe(Bytes),
    /// ZMTP 3.1 cancellation of one subscription.
    Cancel(Bytes),
    /// Any other command, e.g. a newer protocol's; libzmq ignores these after the handshake.
    Unknown {
        /// The command name.
        name: Bytes,
    },
}

/// Parses a command frame's body. Names match exactly (case-sensitive), as in libzmq.
///
/// # Errors
///
/// [`ProtocolError::MalformedCommand`] for an empty body, a name overrunning the body, a
/// PING without its 2-byte TTL or an ERROR whose reason overruns the body;
/// [`ProtocolError::MalformedMetadata`] for a READY with bad properties.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::command::{parse_command, Command};
///
/// let ping = parse_command(&Bytes::from_static(b"\x04PING\x00\x64ctx")).unwrap();
/// assert_eq!(
///     ping,
///     Command::Ping { ttl_deciseconds: 100, context: Bytes::from_static(b"ctx") }
/// );
/// assert!(parse_command(&Bytes::new()).is_err());
/// ```
pub fn parse_command(body: &Bytes) -> Result<Command, ProtocolError> {
    let Some(&name_len) = body.first() else {
        return Err(ProtocolError::MalformedCommand("empty command"));
    };
    let data_start = 1 + usize::from(name_len);
    if body.len() < data_start {
        return Err(ProtocolError::MalformedCommand("name overruns the body"));
    }
    let name = &body[1..data_start];
    let data = body.slice(data_start..);
    Ok(match name {
        READY => Command::Ready(Metadata::parse(&data)?),
        ERROR => {
            let Some(&len) = data.first() else {
                return Err(ProtocolError::MalformedCommand(
                    "ERROR lacks a reason length",
                ));
            };
            let end = 1 + usize::from(len);
            if data.len() < end {
                return Err(ProtocolError::MalformedCommand(
                    "ERROR reason overruns the body",
                ));
            }
            // Bytes after the reason are ignored, as libzmq does.
            Command::Error(data.slice(1..end))
        }
        PING => {
            if data.len() < 2 {
                return Err(ProtocolError::MalformedCommand("PING lacks a TTL"));
            }
            let ttl_deciseconds = u16::from_be_bytes([data[0], data[1]]);
            let end = data.len().min(2 + MAX_PING_CONTEXT);
            Command::Ping {
                ttl_deciseconds,
                context: data.slice(2..end),
            }
        }
        PONG => Command::Pong { context: data },
        SUBSCRIBE => Command::Subscribe(data),
        CANCEL => Command::Cancel(data),
        _ => Command::Unknown {
            name: body.slice(1..data_start),
        },
    })
}

/// Writes a command frame with a constant `name` (1..=255 bytes) and `data_len` bytes of
/// data, leaving the caller to write the data.
fn put_command_head(name: &[u8], data_len: usize, out: &mut impl BufMut) {
    encode_frame_header(false, true, 1 + name.len() + data_len, out);
    out.put_u8(name.len() as u8);
    out.put_slice(name);
}

/// Writes a whole command frame with a constant name and the given data.
fn put_command(name: &[u8], data: &[u8], out: &mut impl BufMut) {
    put_command_head(name, data.len(), out);
    out.put_slice(data);
}

/// Writes a NULL-mechanism READY frame the way libzmq does: `Socket-Type`, then
/// `Identity` if given. libzmq sends `Identity` (possibly empty) only for REQ, DEALER and
/// ROUTER; see [`SocketType::sends_identity`]. Keeping the identity within 255 bytes is
/// the caller's job (libzmq's option limit).
///
/// ```
/// use ferromq::proto::command::encode_ready;
/// use ferromq::proto::SocketType;
///
/// let mut out = Vec::new();
/// encode_ready(SocketType::Pull, None, &mut out);
/// assert_eq!(out, b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04PULL");
/// ```
pub fn encode_ready(socket_type: SocketType, identity: Option<&[u8]>, out: &mut impl BufMut) {
    let type_name = socket_type.name().as_bytes();
    let mut data_len = property_len(PROP_SOCKET_TYPE, type_name);
    if let Some(id) = identity {
        data_len += property_len(PROP_IDENTITY, id);
    }
    put_command_head(READY, data_len, out);
    put_property(PROP_SOCKET_TYPE, type_name, out);
    if let Some(id) = identity {
        put_property(PROP_IDENTITY, id, out);
    }
}

/// Writes an ERROR frame; `reason` is cut to 255 bytes (its length field is one byte).
///
/// ```
/// use ferromq::proto::command::encode_error;
///
/// let mut out = Vec::new();
/// encode_error(b"400", &mut out);
/// assert_eq!(out, b"\x04\x0a\x05ERROR\x03400");
/// ```
pub fn encode_error(reason: &[u8], out: &mut impl BufMut) {
    let reason = &reason[..reason.len().min(MAX_ERROR_REASON)];
    put_command_head(ERROR, 1 + reason.len(), out);
    out.put_u8(reason.len() as u8);
    out.put_slice(reason);
}

/// Writes a PING frame; `context` is cut to 16 bytes ([`MAX_PING_CONTEXT`]).
///
/// ```
/// use ferromq::proto::command::encode_ping;
///
/// let mut out = Vec::new();
/// encode_ping(100, b"", &mut out);
/// assert_eq!(out, b"\x04\x07\x04PING\x00\x64");
/// ```
pub fn encode_ping(ttl_deciseconds: u16, context: &[u8], out: &mut impl BufMut) {
    let context = &context[..context.len().min(MAX_PING_CONTEXT)];
    put_command_head(PING, 2 + context.len(), out);
    out.put_u16(ttl_deciseconds);
    out.put_slice(context);
}

/// Writes a PONG frame echoing `context`, cut to 16 bytes as libzmq does.
///
/// ```
/// use ferromq::proto::command::encode_pong;
///
/// let mut out = Vec::new();
/// encode_pong(b"hi", &mut out);
/// assert_eq!(out, b"\x04\x07\x04PONGhi");
/// ```
pub fn encode_pong(context: &[u8], out: &mut impl BufMut) {
    put_command(PONG, &context[..context.len().min(MAX_PING_CONTEXT)], out);
}

/// Writes a ZMTP 3.1 SUBSCRIBE frame for `topic` (long form if the body exceeds 255).
///
/// ```
/// use ferromq::proto::command::encode_subscribe;
///
/// let mut out = Vec::new();
/// encode_subscribe(b"A", &mut out);
/// assert_eq!(out, b"\x04\x0b\x09SUBSCRIBEA");
/// ```
pub fn encode_subscribe(topic: &[u8], out: &mut impl BufMut) {
    put_command(SUBSCRIBE, topic, out);
}

/// Writes a ZMTP 3.1 CANCEL frame for `topic`.
///
/// ```
/// use ferromq::proto::command::encode_cancel;
///
/// let mut out = Vec::new();
/// encode_cancel(b"A", &mut out);
/// assert_eq!(out, b"\x04\x08\x06CANCELA");
/// ```
pub fn encode_cancel(topic: &[u8], out: &mut impl BufMut) {
    put_command(CANCEL, topic, out);
}

#[cfg(test)]
mod tests {
    use super::super::frame::decode_frame;
    use super::*;
    use bytes::BytesMut;
    use proptest::prelude::*;

    /// Decodes exactly one command frame from `wire`.
    fn decode_one(wire: &[u8]) -> Command {
        let mut buf = BytesMut::from(wire);
        let f = decode_frame(&mut buf, None).unwrap().unwrap();
        assert!(f.command && !f.more && buf.is_empty());
        parse_command(&f.body).unwrap()
    }

    fn ready_with(props: &[(&str, &[u8])]) -> Command {
        let mut md = Metadata::new();
        for (n, v) in props {
            md.push(n.to_string(), v.to_vec());
        }
        Command::Ready(md)
    }

    #[test]
    fn libzmq_ready_bytes() {
        // rfc 37 worked examples as kept in libzmq's tests/testutil.hpp.
        let dealer = b"\x04\x29\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\
                       \x08Identity\x00\x00\x00\x00";
        assert_eq!(dealer.len(), 43);
        let mut out = Vec::new();
        encode_ready(SocketType::Dealer, Some(b""), &mut out);
        assert_eq!(out, dealer);
        assert_eq!(
            decode_one(dealer),
            ready_with(&[("Socket-Type", b"DEALER"), ("Identity", b"")])
        );

        let sub = b"\x04\x19\x05READY\x0bSocket-Type\x00\x00\x00\x03SUB";
        assert_eq!(sub.len(), 27);
        out.clear();
        encode_ready(SocketType::Sub, None, &mut out);
        assert_eq!(out, sub);

        let xpub = b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04XPUB";
        assert_eq!(xpub.len(), 28);
        out.clear();
        encode_ready(SocketType::Xpub, None, &mut out);
        assert_eq!(out, xpub);

        // [observed] libzmq 4.3.4 DEALER with identity "abc".
        let abc = b"\x04\x2c\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\
                    \x08Identity\x00\x00\x00\x03abc";
        out.clear();
        encode_ready(SocketType::Dealer, Some(b"abc"), &mut out);
        assert_eq!(out, abc);
        assert_eq!(
            decode_one(abc),
            ready_with(&[("Socket-Type", b"DEALER"), ("Identity", b"abc")])
        );
    }

    #[test]
    fn libzmq_subscribe_bytes() {
        // From libzmq's tests/test_mock_pub_sub.cpp and an observed SUB.
        assert_eq!(
            decode_one(b"\x04\x0b\x09SUBSCRIBEA"),
            Command::Subscribe(Bytes::from_static(b"A"))
        );
        assert_eq!(
            decode_one(b"\x04\x0c\x09SUBSCRIBEAB"),
            Command::Subscribe(Bytes::from_static(b"AB"))
        );
        assert_eq!(
            decode_one(b"\x04\x0a\x09SUBSCRIBE"),
            Command::Subscribe(Bytes::new())
        );
    }

    #[test]
    fn long_subscribe_uses_long_frame() {
        let topic = vec![b't'; 300];
        let mut out = Vec::new();
        encode_subscribe(&topic, &mut out);
        assert_eq!(out[0], 0x06);
        assert_eq!(decode_one(&out), Command::Subscribe(Bytes::from(topic)));
    }

    #[test]
    fn ping_context_is_capped_at_16() {
        let body = Bytes::from_static(b"\x04PING\x00\x0a0123456789abcdefXYZ");
        assert_eq!(
            parse_command(&body).unwrap(),
            Command::Ping {
                ttl_deciseconds: 10,
                context: Bytes::from_static(b"0123456789abcdef"),
            }
        );
        let mut out = Vec::new();
        encode_ping(10, b"0123456789abcdefXYZ", &mut out);
        assert_eq!(out, b"\x04\x17\x04PING\x00\x0a0123456789abcdef");
        out.clear();
        encode_pong(b"0123456789abcdefXYZ", &mut out);
        assert_eq!(out, b"\x04\x15\x04PONG0123456789abcdef");
    }

    #[test]
    fn ping_without_ttl_is_malformed() {
        for body in [&b"\x04PING"[..], b"\x04PING\x00"] {
            assert!(matches!(
                parse_command(&Bytes::copy_from_slice(body)),
                Err(ProtocolError::MalformedCommand(_))
            ));
        }
    }

    #[test]
    fn error_reason() {
        assert_eq!(
            parse_command(&Bytes::from_static(b"\x05ERROR\x03500")).unwrap(),
            Command::Error(Bytes::from_static(b"500"))
        );
        assert_eq!(
            parse_command(&Bytes::from_static(b"\x05ERROR\x00")).unwrap(),
            Command::Error(Bytes::new())
        );
        for bad in [&b"\x05ERROR"[..], b"\x05ERROR\x04500"] {
            assert!(matches!(
                parse_command(&Bytes::copy_from_slice(bad)),
                Err(ProtocolError::MalformedCommand(_))
            ));
        }
        let mut out = Vec::new();
        encode_error(&[b'x'; 300], &mut out);
        assert_eq!(
            decode_one(&out),
            Command::Error(Bytes::from(vec![b'x'; 255]))
        );
    }

    #[test]
    fn names_are_exact() {
        assert_eq!(
            parse_command(&Bytes::from_static(b"\x05ready")).unwrap(),
            Command::Unknown {
                name: Bytes::from_static(b"ready")
            }
        );
        assert_eq!(
            parse_command(&Bytes::from_static(b"\x05HELLOdata")).unwrap(),
            Command::Unknown {
                name: Bytes::from_static(b"HELLO")
            }
        );
        assert_eq!(
            parse_command(&Bytes::from_static(b"\x00")).unwrap(),
            Command::Unknown { name: Bytes::new() }
        );
    }

    #[test]
    fn malformed_bodies() {
        for bad in [&b""[..], b"\x05READ", b"\xffPING"] {
            assert!(matches!(
                parse_command(&Bytes::copy_from_slice(bad)),
                Err(ProtocolError::MalformedCommand(_))
            ));
        }
        assert!(matches!(
            parse_command(&Bytes::from_static(
                b"\x05READY\x0bSocket-Type\x00\x00\x00\x09PULL"
            )),
            Err(ProtocolError::MalformedMetadata(_))
        ));
    }

    fn command_strategy() -> impl Strategy<Value = Command> {
        let bytes =
            |max: usize| proptest::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from);
        prop_oneof![
            bytes(256).prop_map(Command::Error),
            (any::<u16>(), bytes(17)).prop_map(|(ttl_deciseconds, context)| Command::Ping {
                ttl_deciseconds,
                context
            }),
            bytes(17).prop_map(|context| Command::Pong { context }),
            bytes(400).prop_map(Command::Subscribe),
            bytes(400).prop_map(Command::Cancel),
            (0..11i32, proptest::option::of(bytes(256))).prop_map(|(t, id)| {
                let mut md = Metadata::new();
                let t = SocketType::from_raw(t).unwrap();
                md.push("Socket-Type", t.name());
                if let Some(id) = id {
                    md.push("Identity", id);
                }
                Command::Ready(md)
            }),
        ]
    }

    fn encode(c: &Command, out: &mut Vec<u8>) {
        match c {
            Command::Ready(md) => {
                let t = SocketType::from_name(md.get("Socket-Type").unwrap()).unwrap();
                encode_ready(t, md.get("Identity").map(|v| &v[..]), out)
            }
            Command::Error(r) => encode_error(r, out),
            Command::Ping {
                ttl_deciseconds,
                context,
            } => encode_ping(*ttl_deciseconds, context, out),
            Command::Pong { context } => encode_pong(context, out),
            Command::Subscribe(t) => encode_subscribe(t, out),
            Command::Cancel(t) => encode_cancel(t, out),
            Command::Unknown { .. } => unreachable!(),
        }
    }

    /// What parsing should give back: the encoders cut long PING/PONG contexts.
    fn expected(c: Command) -> Command {
        match c {
            Command::Ping {
                ttl_deciseconds,
                context,
            } => Command::Ping {
                ttl_deciseconds,
                context: context.slice(..context.len().min(MAX_PING_CONTEXT)),
            },
            Command::Pong { context } => Command::Pong {
                context: context.slice(..context.len().min(MAX_PING_CONTEXT)),
            },
            Command::Error(r) => Command::Error(r.slice(..r.len().min(MAX_ERROR_REASON))),
            other => other,
        }
    }

    proptest! {
        #[test]
        fn round_trip(c in command_strategy()) {
            let mut out = Vec::new();
            encode(&c, &mut out);
            prop_assert_eq!(decode_one(&out), expected(c));
        }

        #[test]
        fn arbitrary_bodies_never_panic(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_command(&Bytes::from(data));
        }

        #[test]
        fn known_prefixes_never_panic(
            name in prop_oneof![
                Just(&b"READY"[..]), Just(&b"ERROR"[..]), Just(&b"PING"[..]),
                Just(&b"PONG"[..]), Just(&b"SUBSCRIBE"[..]), Just(&b"CANCEL"[..]),
            ],
            data in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut body = vec![name.len() as u8];
            body.extend_from_slice(name);
            body.extend_from_slice(&data);
            let _ = parse_command(&Bytes::from(body));
        }
    }
}
