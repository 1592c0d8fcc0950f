//! CURVE client against CURVE server, in memory: the whole handshake at every split,
//! traffic after it, and every hostile variation of each command.

use bytes::{BufMut, Bytes, BytesMut};
use proptest::prelude::*;
use zeroize::Zeroizing;

use super::curve_client::CurveClient;
use super::curve_server::CurveServer;
use super::testing::{run, unwrap_frame, zap_status, End};
use super::{Mechanism, MechanismStatus, OurProperties, ZapReply};
use crate::proto::curve::boxes::{long_nonce, short_nonce, BoxKey};
use crate::proto::curve::{CurveKeyPair, CurvePublicKey, CurveSecretKey};
use crate::proto::error_code;
use crate::proto::frame::{decode_frame, encode_frame};
use crate::proto::{ProtocolError, SocketType};

fn seq(start: u8) -> [u8; 32] {
    std::array::from_fn(|i| start.wrapping_add(i as u8))
}

fn server_secret() -> CurveSecretKey {
    CurveSecretKey::from_bytes(seq(101))
}

fn client_pair() -> CurveKeyPair {
    CurveKeyPair::from_secret(CurveSecretKey::from_bytes(seq(50)))
}

/// A client with fixed randomness: short-term secret 1..=32.
fn client_with(long_term: CurveKeyPair, server_key: CurvePublicKey) -> CurveClient {
    CurveClient::with_randomness(
        OurProperties::new(SocketType::Dealer, Bytes::from_static(b"me")),
        long_term,
        server_key,
        CurveSecretKey::from_bytes(seq(1)),
        [7; 16],
    )
}

fn client() -> CurveClient {
    client_with(client_pair(), server_secret().public_key())
}

fn server_with_cookie_key(cookie_key: [u8; 32]) -> CurveServer {
    CurveServer::with_randomness(
        OurProperties::new(SocketType::Router, Bytes::new()),
        server_secret(),
        CurveSecretKey::from_bytes(seq(200)),
        Zeroizing::new(cookie_key),
        [3; 16],
        [4; 16],
    )
}

fn server() -> CurveServer {
    server_with_cookie_key([5; 32])
}

fn code(e: &ProtocolError) -> Option<u32> {
    e.handshake_code()
}

fn err_code(end: &End<'_>) -> Option<u32> {
    code(end.ending.as_ref().unwrap().as_ref().unwrap_err())
}

/// The body of the single command frame in `wire`.
fn body_of(wire: &BytesMut) -> Bytes {
    let mut w = wire.clone();
    let f = decode_frame(&mut w, None).unwrap().unwrap();
    assert!(w.is_empty());
    f.body
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// The client's HELLO with short-term secret 1..=32 to server 101..=132, nonce 1: the
/// box is libsodium's crypto_box (PyNaCl 1.6.2) of 64 zero bytes.
#[test]
fn hello_matches_libsodium() {
    let mut out = BytesMut::new();
    client().start(&mut out).unwrap();
    let mut expect = b"\x05HELLO\x01\x00".to_vec();
    expect.extend_from_slice(&[0; 72]);
    expect.extend_from_slice(&hex(
        "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c",
    ));
    expect.extend_from_slice(&1u64.to_be_bytes());
    expect.extend_from_slice(&hex(
        "52ed755746b2fe7829a350434ea1695310369f2583fe49f7bc69dc45c976790c\
         2abb096244139fdf17781cf04526623f849e9133019cce273a2740f8cead0a20\
         03ef56dfbd48a1a4bc6d626cb4d13f25",
    ));
    assert_eq!(expect.len(), 200);
    assert_eq!(&body_of(&out)[..], &expect[..]);
}

/// Runs a handshake and checks both sides finished, then exchanges traffic both ways.
fn handshake_and_traffic(chunk: usize, zap: &mut dyn FnMut(&super::ZapRequest) -> ZapReply) {
    let (mut c, mut s) = (client(), server());
    let (ce, se) = run(&mut c, &mut s, chunk, zap);
    let from_server = ce.ending.unwrap().unwrap();
    let from_client = se.ending.unwrap().unwrap();
    assert_eq!(
        &from_server.metadata.get("Socket-Type").unwrap()[..],
        b"ROUTER"
    );
    assert_eq!(
        &from_client.metadata.get("Socket-Type").unwrap()[..],
        b"DEALER"
    );
    assert_eq!(&from_client.metadata.get("Identity").unwrap()[..], b"me");
    assert_eq!(
        se.zap_requests[0].credentials,
        [Bytes::copy_from_slice(client_pair().public().as_bytes())]
    );
    assert!(ce.out.is_empty() && se.out.is_empty() && ce.inbox.is_empty());
    let mut wire = BytesMut::new();
    for i in 0..3u8 {
        c.encode_frame(i < 2, false, &[i; 40], &mut wire).unwrap();
        let f = unwrap_frame(&mut s, &body_of(&wire)).unwrap();
        wire.clear();
        assert_eq!(
            (f.more, f.command, &f.body[..]),
            (i < 2, false, &[i; 40][..])
        );
        s.encode_frame(false, true, b"\x04PING\x00\x01", &mut wire)
            .unwrap();
        let f = unwrap_frame(&mut c, &body_of(&wire)).unwrap();
        wire.clear();
        assert_eq!(
            (f.more, f.command, &f.body[..]),
            (false, true, &b"\x04PING\x00\x01"[..])
        );
    }
}

#[test]
fn handshake_at_every_split() {
    for chunk in (1..=80).chain([199, 200, 201, 500]) {
        handshake_and_traffic(chunk, &mut zap_status(b"200"));
    }
    // No handler: CURVE lets the client in (libzmq's "Stonehouse" behaviour).
    handshake_and_traffic(13, &mut |_| ZapReply::NoHandler);
}

#[test]
fn zap_user_id_and_metadata_reach_the_server_side() {
    let (mut c, mut s) = (client(), server());
    let (_, se) = run(&mut c, &mut s, 64, &mut zap_status(b"200"));
    let peer = se.ending.unwrap().unwrap();
    assert_eq!(&peer.user_id[..], b"user");
    assert_eq!(&peer.zap_metadata.get("X-Zap").unwrap()[..], b"yes");
}

#[test]
fn zap_refusals() {
    for (status, client_sees) in [
        (&b"400"[..], Some(ProtocolError::PeerError(b"400".to_vec()))),
        (b"500", Some(ProtocolError::PeerError(b"500".to_vec()))),
        (b"300", None),
    ] {
        let (mut c, mut s) = (client(), server());
        let st: &'static [u8] = match status {
            b"400" => b"400",
            b"500" => b"500",
            _ => b"300",
        };
        let (ce, se) = run(&mut c, &mut s, 50, &mut zap_status(st));
        assert_eq!(
            se.ending.unwrap().unwrap_err(),
            ProtocolError::AuthFailed(status.to_vec())
        );
        assert_eq!(ce.ending.map(|e| e.unwrap_err()), client_sees);
    }
}

#[test]
fn wrong_server_key_fails_at_hello() {
    let other = CurveSecretKey::from_bytes(seq(77)).public_key();
    let (mut c, mut s) = (client_with(client_pair(), other), server());
    let (ce, se) = run(&mut c, &mut s, 9, &mut zap_status(b"200"));
    assert_eq!(err_code(&se), Some(error_code::ZMTP_CRYPTOGRAPHIC));
    assert!(
        ce.ending.is_none(),
        "the client hears nothing, as with libzmq"
    );
    assert!(se.zap_requests.is_empty());
}

/// libzmq's test_null_server_key / test_null_client_public_key /
/// test_null_client_secret_key, and every other low-order key.
#[test]
fn zero_and_low_order_keys() {
    let low_order = [
        [0u8; 32],
        {
            let mut k = [0u8; 32];
            k[0] = 1;
            k
        },
        {
            let mut k = [0xffu8; 32];
            k[0] = 0xec;
            k[31] = 0x7f;
            k
        },
    ];
    for bad in low_order {
        let bad = CurvePublicKey::from_bytes(bad);
        // As the server key: the client cannot even box HELLO.
        let mut c = client_with(client_pair(), bad);
        let e = c.start(&mut BytesMut::new()).unwrap_err();
        assert_eq!(code(&e), Some(error_code::ZMTP_CRYPTOGRAPHIC));
        // As the client's long-term public key: the server cannot open the vouch.
        let pair = CurveKeyPair::new(bad, CurveSecretKey::from_bytes(seq(50)));
        let (mut c, mut s) = (client_with(pair, server_secret().public_key()), server());
        let (_, se) = run(&mut c, &mut s, 64, &mut zap_status(b"200"));
        assert_eq!(err_code(&se), Some(error_code::ZMTP_CRYPTOGRAPHIC));
        assert!(se.zap_requests.is_empty());
        // As the client's short-term key in HELLO.
        let mut hello = BytesMut::new();
        client().start(&mut hello).unwrap();
        let mut hello = body_of(&hello).to_vec();
        hello[80..112].copy_from_slice(bad.as_bytes());
        let e = server()
            .handle_command(&Bytes::from(hello), &mut BytesMut::new())
            .unwrap_err();
        assert_eq!(code(&e), Some(error_code::ZMTP_CRYPTOGRAPHIC));
    }
    // An all-zero client secret key is a valid (clamped) scalar whose public key is not
    // the one announced: the vouch does not open.
    let pair = CurveKeyPair::new(*client_pair().public(), CurveSecretKey::from_bytes([0; 32]));
    let (mut c, mut s) = (client_with(pair, server_secret().public_key()), server());
    let (_, se) = run(&mut c, &mut s, 64, &mut zap_status(b"200"));
    assert_eq!(err_code(&se), Some(error_code::ZMTP_CRYPTOGRAPHIC));
}

/// The client's HELLO body.
fn hello() -> Bytes {
    let mut out = BytesMut::new();
    client().start(&mut out).unwrap();
    body_of(&out)
}

/// libzmq's invalid_hello_* tests, and every truncation of HELLO.
#[test]
fn malformed_hello() {
    let good = hello();
    let try_hello = |body: Vec<u8>| {
        server()
            .handle_command(&Bytes::from(body), &mut BytesMut::new())
            .unwrap_err()
    };
    for n in 0..good.len() {
        let expect = match n {
            0..=5 => error_code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
            _ => error_code::ZMTP_MALFORMED_COMMAND_HELLO,
        };
        assert_eq!(code(&try_hello(good[..n].to_vec())), Some(expect), "{n}");
    }
    let mut long = good.to_vec();
    long.push(0);
    assert_eq!(
        code(&try_hello(long)),
        Some(error_code::ZMTP_MALFORMED_COMMAND_HELLO)
    );
    let mut version = good.to_vec();
    version[7] = 1;
    assert_eq!(
        code(&try_hello(version)),
        Some(error_code::ZMTP_MALFORMED_COMMAND_HELLO)
    );
    let mut name = good.to_vec();
    name[1] = b'Y';
    assert_eq!(
        code(&try_hello(name)),
        Some(error_code::ZMTP_UNEXPECTED_COMMAND)
    );
    // Any change to C', the nonce or the box: cryptographic.
    for i in 80..200 {
        let mut bad = good.to_vec();
        bad[i] ^= 0x01;
        assert_eq!(
            code(&try_hello(bad)),
            Some(error_code::ZMTP_CRYPTOGRAPHIC),
            "{i}"
        );
    }
}

/// A client and server past HELLO/WELCOME; returns the client's INITIATE body.
fn up_to_initiate(c: &mut CurveClient, s: &mut CurveServer) -> Bytes {
    let mut out = BytesMut::new();
    c.start(&mut out).unwrap();
    let hello = body_of(&out);
    out.clear();
    assert_eq!(
        s.handle_command(&hello, &mut out).unwrap(),
        MechanismStatus::NeedMore
    );
    let welcome = body_of(&out);
    assert_eq!(welcome.len(), 168);
    out.clear();
    assert_eq!(
        c.handle_command(&welcome, &mut out).unwrap(),
        MechanismStatus::NeedMore
    );
    body_of(&out)
}

fn initiate_error(body: Vec<u8>) -> ProtocolError {
    let (mut c, mut s) = (client(), server());
    up_to_initiate(&mut c, &mut s);
    s.handle_command(&Bytes::from(body), &mut BytesMut::new())
        .unwrap_err()
}

/// libzmq's invalid_initiate_* tests and every truncation of INITIATE.
#[test]
fn malformed_initiate() {
    let good = up_to_initiate(&mut client(), &mut server());
    for n in 0..good.len() {
        let expect = match n {
            0..=8 => error_code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
            9..=256 => error_code::ZMTP_MALFORMED_COMMAND_INITIATE,
            _ => error_code::ZMTP_CRYPTOGRAPHIC,
        };
        assert_eq!(
            code(&initiate_error(good[..n].to_vec())),
            Some(expect),
            "{n}"
        );
    }
    let mut name = good.to_vec();
    name[2] = b'X';
    assert_eq!(
        code(&initiate_error(name)),
        Some(error_code::ZMTP_UNEXPECTED_COMMAND)
    );
    // Flipping byte 30 (in the cookie) and byte 150 (in the box), as libzmq's tests do,
    // and every other byte after the name.
    for i in 9..good.len() {
        let mut bad = good.to_vec();
        bad[i] ^= 0x01;
        assert_eq!(
            code(&initiate_error(bad)),
            Some(error_code::ZMTP_CRYPTOGRAPHIC),
            "{i}"
        );
    }
}

/// The same client keys on a new connection: the cookie was made under another
/// connection's key K and does not open.
#[test]
fn replayed_cookie_is_refused() {
    let initiate = up_to_initiate(&mut client(), &mut server_with_cookie_key([1; 32]));
    let (mut c, mut s) = (client(), server_with_cookie_key([2; 32]));
    up_to_initiate(&mut c, &mut s);
    let e = s
        .handle_command(&initiate, &mut BytesMut::new())
        .unwrap_err();
    assert_eq!(code(&e), Some(error_code::ZMTP_CRYPTOGRAPHIC));
}

/// What the test knows of the session to forge INITIATEs: the client's short-term
/// secret is 1..=32.
struct Session {
    cookie: Vec<u8>,
    server_short: CurvePublicKey,
    server: CurveServer,
}

fn session() -> Session {
    let mut s = server();
    let mut out = BytesMut::new();
    s.handle_command(&hello(), &mut out).unwrap();
    let welcome = body_of(&out);
    let short = CurveSecretKey::from_bytes(seq(1));
    let key = BoxKey::agree(&short, &server_secret().public_key()).unwrap();
    let mut random = [0u8; 16];
    random.copy_from_slice(&welcome[8..24]);
    let plain = key
        .open(&long_nonce(b"WELCOME-", &random), &welcome[24..])
        .unwrap();
    let mut server_short = [0u8; 32];
    server_short.copy_from_slice(&plain[..32]);
    Session {
        cookie: plain[32..128].to_vec(),
        server_short: CurvePublicKey::from_bytes(server_short),
        server: s,
    }
}

/// An INITIATE built by hand: `vouch_for` is the C' the vouch names; `metadata` the
/// raw property bytes.
fn forged_initiate(session: &Session, vouch_for: CurvePublicKey, metadata: &[u8]) -> Bytes {
    let short = CurveSecretKey::from_bytes(seq(1));
    let long = client_pair();
    let mut vouch_plain = vouch_for.as_bytes().to_vec();
    vouch_plain.extend_from_slice(server_secret().public_key().as_bytes());
    let mut vouch = BytesMut::new();
    vouch.put_slice(&[8; 16]);
    BoxKey::agree(long.secret(), &session.server_short)
        .unwrap()
        .seal_into(&long_nonce(b"VOUCH---", &[8; 16]), &vouch_plain, &mut vouch)
        .unwrap();
    let mut plain = long.public().as_bytes().to_vec();
    plain.extend_from_slice(&vouch);
    plain.extend_from_slice(metadata);
    let mut body = BytesMut::new();
    body.put_slice(b"\x08INITIATE");
    body.put_slice(&session.cookie);
    body.put_u64(2);
    BoxKey::agree(&short, &session.server_short)
        .unwrap()
        .seal_into(&short_nonce(b"CurveZMQINITIATE", 2), &plain, &mut body)
        .unwrap();
    body.freeze()
}

#[test]
fn forged_initiates() {
    let me = CurveSecretKey::from_bytes(seq(1)).public_key();
    let socket_type = b"\x0bSocket-Type\x00\x00\x00\x06DEALER";
    // The hand-made INITIATE is accepted when honest...
    let mut s = session();
    let good = forged_initiate(&s, me, socket_type);
    let status = s
        .server
        .handle_command(&good, &mut BytesMut::new())
        .unwrap();
    assert!(matches!(status, MechanismStatus::Zap(_)));
    // ...refused when the vouch names another short-term key.
    let mut s = session();
    let other = CurveSecretKey::from_bytes(seq(9)).public_key();
    let bad = forged_initiate(&s, other, socket_type);
    let e = s
        .server
        .handle_command(&bad, &mut BytesMut::new())
        .unwrap_err();
    assert_eq!(code(&e), Some(error_code::ZMTP_KEY_EXCHANGE));
    // A metadata value declaring 2^32 - 1 bytes: invalid metadata, no allocation.
    let mut s = session();
    let bad = forged_initiate(&s, me, b"\x0bSocket-Type\xff\xff\xff\xffDEALER");
    let e = s
        .server
        .handle_command(&bad, &mut BytesMut::new())
        .unwrap_err();
    assert_eq!(code(&e), Some(error_code::ZMTP_INVALID_METADATA));
    // CVE-2019-13132: far more metadata than libzmq's old fixed buffer (256 bytes);
    // handled by size, here 60 KiB in one property.
    let mut s = session();
    let mut big = socket_type.to_vec();
    big.extend_from_slice(b"\x05X-Big\x00\x00\xf0\x00");
    big.extend_from_slice(&vec![b'x'; 0xf000]);
    let body = forged_initiate(&s, me, &big);
    let MechanismStatus::Zap(_) = s
        .server
        .handle_command(&body, &mut BytesMut::new())
        .unwrap()
    else {
        panic!("expected a ZAP request");
    };
    let MechanismStatus::Done(peer) = s
        .server
        .zap_reply(ZapReply::NoHandler, &mut BytesMut::new())
        .unwrap()
    else {
        panic!("expected the end of the handshake");
    };
    assert_eq!(peer.metadata.get("X-Big").unwrap().len(), 0xf000);
}

/// Frames above the connection's handshake limit, or declaring 2^64 - 1 bytes, never
/// reach the mechanism: the frame decoder the connection uses refuses them first.
#[test]
fn oversized_and_overflowing_frames_are_refused_before_the_mechanism() {
    let (mut c, mut s) = (client(), server());
    let (_, _) = (&mut c, &mut s);
    let mut wire = BytesMut::new();
    encode_frame(false, true, &vec![0u8; 64 * 1024 + 1], &mut wire);
    let e = decode_frame(&mut wire, Some(crate::proto::handshake::MAX_HANDSHAKE_BODY));
    assert!(matches!(e, Err(ProtocolError::FrameTooLarge { .. })));
    let mut wire = BytesMut::from(&[0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff][..]);
    assert_eq!(
        decode_frame(&mut wire, Some(crate::proto::handshake::MAX_HANDSHAKE_BODY)),
        Err(ProtocolError::SizeOverflow)
    );
}

#[test]
fn client_refuses_bad_welcome_and_ready() {
    let mut out = BytesMut::new();
    // WELCOME of the wrong size, tampered, or naming a low-order S'.
    let mut s = server();
    s.handle_command(&hello(), &mut out).unwrap();
    let welcome = body_of(&out);
    let try_welcome = |body: Vec<u8>| {
        let mut c = client();
        c.start(&mut BytesMut::new()).unwrap();
        c.handle_command(&Bytes::from(body), &mut BytesMut::new())
    };
    assert!(try_welcome(welcome.to_vec()).is_ok());
    for n in 8..welcome.len() {
        assert_eq!(
            code(&try_welcome(welcome[..n].to_vec()).unwrap_err()),
            Some(error_code::ZMTP_CRYPTOGRAPHIC)
        );
    }
    for i in 8..welcome.len() {
        let mut bad = welcome.to_vec();
        bad[i] ^= 0x80;
        assert_eq!(
            code(&try_welcome(bad).unwrap_err()),
            Some(error_code::ZMTP_CRYPTOGRAPHIC),
            "{i}"
        );
    }
    // A malicious server's WELCOME with S' = 0 (libzmq's client would abort).
    let short = CurveSecretKey::from_bytes(seq(1));
    let mut plain = vec![0u8; 32];
    plain.extend_from_slice(&[0; 96]);
    let mut evil = BytesMut::from(&b"\x07WELCOME"[..]);
    evil.put_slice(&[1; 16]);
    BoxKey::agree(&server_secret(), &short.public_key())
        .unwrap()
        .seal_into(&long_nonce(b"WELCOME-", &[1; 16]), &plain, &mut evil)
        .unwrap();
    assert_eq!(
        code(&try_welcome(evil.to_vec()).unwrap_err()),
        Some(error_code::ZMTP_CRYPTOGRAPHIC)
    );

    // READY: short, tampered.
    let (mut c, mut s) = (client(), server());
    let initiate = up_to_initiate(&mut c, &mut s);
    out.clear();
    s.handle_command(&initiate, &mut out).unwrap();
    s.zap_reply(ZapReply::NoHandler, &mut out).unwrap();
    let ready = body_of(&out);
    for n in 6..30 {
        let (mut c, mut s) = (client(), server());
        up_to_initiate(&mut c, &mut s);
        let e = c
            .handle_command(&ready.slice(..n), &mut BytesMut::new())
            .unwrap_err();
        assert_eq!(code(&e), Some(error_code::ZMTP_MALFORMED_COMMAND_READY));
    }
    for i in 6..ready.len() {
        let (mut c, mut s) = (client(), server());
        up_to_initiate(&mut c, &mut s);
        let mut bad = ready.to_vec();
        bad[i] ^= 0x04;
        let e = c
            .handle_command(&Bytes::from(bad), &mut BytesMut::new())
            .unwrap_err();
        assert_eq!(code(&e), Some(error_code::ZMTP_CRYPTOGRAPHIC), "{i}");
    }
}

#[test]
fn commands_out_of_sequence() {
    let mut out = BytesMut::new();
    // Server: INITIATE first; HELLO twice; anything while ZAP is pending.
    let initiate = up_to_initiate(&mut client(), &mut server());
    let e = server().handle_command(&initiate, &mut out).unwrap_err();
    assert_eq!(code(&e), Some(error_code::ZMTP_UNEXPECTED_COMMAND));
    let mut s = server();
    s.handle_command(&hello(), &mut out).unwrap();
    let e = s.handle_command(&hello(), &mut out).unwrap_err();
    assert_eq!(code(&e), Some(error_code::ZMTP_UNEXPECTED_COMMAND));
    let (mut c, mut s) = (client(), server());
    let initiate = up_to_initiate(&mut c, &mut s);
    s.handle_command(&initiate, &mut out).unwrap();
    let e = s.handle_command(&initiate, &mut out).unwrap_err();
    assert_eq!(code(&e), Some(error_code::ZMTP_UNSPECIFIED));
    // No traffic before the end of the handshake.
    assert!(s.encode_frame(false, false, b"x", &mut out).is_err());
    assert!(unwrap_frame(&mut c, &Bytes::from_static(b"\x07MESSAGE")).is_err());
    // Client: READY before WELCOME; ERROR before HELLO; an unknown command.
    let mut c = client();
    assert!(c
        .handle_command(&Bytes::from_static(b"\x05ERROR\x00"), &mut out)
        .is_err());
    let mut c = client();
    c.start(&mut out).unwrap();
    assert_eq!(
        c.handle_command(&Bytes::from_static(b"\x05READY"), &mut out),
        Err(ProtocolError::UnexpectedCommand)
    );
    let mut c = client();
    c.start(&mut out).unwrap();
    assert_eq!(
        c.handle_command(&Bytes::from_static(b"\x05ERROR\x03400"), &mut out),
        Err(ProtocolError::PeerError(b"400".to_vec()))
    );
    let mut c = client();
    c.start(&mut out).unwrap();
    let e = c
        .handle_command(&Bytes::from_static(b"\x04PING\x00\x00"), &mut out)
        .unwrap_err();
    assert_eq!(code(&e), Some(error_code::ZMTP_UNEXPECTED_COMMAND));
}

#[test]
fn real_randomness_differs_per_connection() {
    let ours = OurProperties::new(SocketType::Push, Bytes::new());
    let pair = client_pair();
    let mut hellos = Vec::new();
    for _ in 0..2 {
        let mut c =
            CurveClient::new(ours.clone(), pair.clone(), server_secret().public_key()).unwrap();
        let mut out = BytesMut::new();
        c.start(&mut out).unwrap();
        hellos.push(out);
    }
    assert_ne!(hellos[0], hellos[1]);
    // And a real server accepts a real client.
    let mut c = CurveClient::new(ours.clone(), pair, server_secret().public_key()).unwrap();
    let mut s = CurveServer::new(
        OurProperties::new(SocketType::Pull, Bytes::new()),
        server_secret(),
    )
    .unwrap();
    let (ce, se) = run(&mut c, &mut s, 100, &mut |_| ZapReply::NoHandler);
    assert!(ce.ending.unwrap().is_ok() && se.ending.unwrap().is_ok());
}

proptest! {
    #[test]
    fn arbitrary_commands_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..400),
        stage in 0..3u8,
    ) {
        let (mut c, mut s) = (client(), server());
        if stage > 0 {
            up_to_initiate(&mut c, &mut s);
        }
        let body = Bytes::from(body);
        let _ = s.handle_command(&body, &mut BytesMut::new());
        let _ = c.handle_command(&body, &mut BytesMut::new());
        let _ = unwrap_frame(&mut c, &body);
        let _ = unwrap_frame(&mut s, &body);
    }

    #[test]
    fn traffic_round_trips(
        frames in proptest::collection::vec(
            (any::<bool>(), any::<bool>(), proptest::collection::vec(any::<u8>(), 0..600)),
            1..6,
        ),
    ) {
        let (mut c, mut s) = (client(), server());
        let (ce, se) = run(&mut c, &mut s, 1000, &mut |_| ZapReply::NoHandler);
        prop_assert!(ce.ending.unwrap().is_ok() && se.ending.unwrap().is_ok());
        for (more, command, body) in frames {
            let mut wire = BytesMut::new();
            c.encode_frame(more, command, &body, &mut wire).unwrap();
            let f = unwrap_frame(&mut s, &body_of(&wire)).unwrap();
            prop_assert_eq!((f.more, f.command, &f.body[..]), (more, command, &body[..]));
            wire.clear();
            s.encode_frame(more, command, &body, &mut wire).unwrap();
            let f = unwrap_frame(&mut c, &body_of(&wire)).unwrap();
            prop_assert_eq!((f.more, f.command, &f.body[..]), (more, command, &body[..]));
        }
    }
}
