//! Command bodies (READY, ERROR, PING, PONG, SUBSCRIBE, CANCEL, unknown) and READY's
//! property list.
//!
//! Input: `[mode] bytes...`. Mode even: the bytes are a command body; whatever parses must
//! re-encode (with ferromq's own encoders, as a whole frame) to a body that parses to the
//! same command. Mode odd: the bytes are a property list; whatever parses must encode back
//! to exactly the same bytes (the format has one encoding), and every property must be
//! found by name, case-insensitively.
#![no_main]

use bytes::{BufMut, Bytes, BytesMut};
use ferromq::proto::command::{
    encode_cancel, encode_error, encode_ping, encode_pong, encode_subscribe, parse_command,
    Command, MAX_PING_CONTEXT,
};
use ferromq::proto::frame::{decode_frame, encode_frame};
use ferromq::proto::Metadata;
use libfuzzer_sys::fuzz_target;

/// The body of the single command frame in `wire`.
fn body_of(wire: Vec<u8>) -> Bytes {
    let mut buf = BytesMut::from(&wire[..]);
    let f = decode_frame(&mut buf, None).unwrap().unwrap();
    assert!(
        f.command && buf.is_empty(),
        "encoder wrote something besides one command"
    );
    f.body
}

fn check_command(body: Bytes) {
    let Ok(cmd) = parse_command(&body) else {
        return;
    };
    let mut wire = Vec::new();
    match &cmd {
        Command::Ready(md) => {
            let mut b = BytesMut::new();
            b.put_u8(5);
            b.put_slice(b"READY");
            md.encode(&mut b);
            assert_eq!(b, body, "READY re-encodes differently");
            encode_frame(false, true, &b, &mut wire);
        }
        Command::Error(reason) => {
            assert!(reason.len() <= 255);
            encode_error(reason, &mut wire);
        }
        Command::Ping {
            ttl_deciseconds,
            context,
        } => {
            assert!(context.len() <= MAX_PING_CONTEXT);
            encode_ping(*ttl_deciseconds, context, &mut wire);
        }
        Command::Pong { context } => encode_pong(context, &mut wire),
        Command::Subscribe(topic) => encode_subscribe(topic, &mut wire),
        Command::Cancel(topic) => encode_cancel(topic, &mut wire),
        Command::Unknown { name } => {
            assert_eq!(&body[1..=name.len()], &name[..]);
            return;
        }
    }
    let again = parse_command(&body_of(wire)).expect("our own encoding must parse");
    let expected = match cmd {
        // A PONG we send echoes at most 16 bytes, as libzmq's does; one we receive may
        // carry more.
        Command::Pong { context } => Command::Pong {
            context: context.slice(..context.len().min(MAX_PING_CONTEXT)),
        },
        other => other,
    };
    assert_eq!(again, expected, "command does not survive a round trip");
}

fn check_metadata(data: Bytes) {
    let Ok(md) = Metadata::parse(&data) else {
        return;
    };
    let mut out = BytesMut::new();
    md.encode(&mut out);
    assert_eq!(out, data, "metadata re-encodes differently");
    assert_eq!(md.encoded_len(), data.len());
    assert_eq!(md.is_empty(), md.iter().next().is_none());
    assert_eq!(md.len(), md.iter().count());
    for (name, _) in md.iter() {
        let name = std::str::from_utf8(name).expect("property names are ASCII");
        let first = md
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()));
        let found = md.get(&name.to_ascii_uppercase());
        assert_eq!(
            found,
            first.map(|(_, v)| v),
            "lookup by name misses the first match"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let rest = Bytes::copy_from_slice(rest);
    if mode & 1 == 0 {
        check_command(rest);
    } else {
        check_metadata(rest);
    }
});
