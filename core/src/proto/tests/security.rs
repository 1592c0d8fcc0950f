//! PLAIN and CURVE through whole [`Connection`]s: greeting, mechanism handshake, a ZAP
//! exchange answered by the test, then traffic both ways (boxed, for CURVE).

use bytes::Bytes;

use super::util::{config, frames, multipart, Pair, Side};
use crate::proto::connection::{Connection, ConnectionError, Event};
use crate::proto::curve::{CurveKeyPair, CurveSecretKey};
use crate::proto::mechanism::{
    CurveClient, CurveServer, Mechanism, PlainClient, PlainCredentials, PlainServer, ZapReply,
};
use crate::proto::{error_code, Metadata, ProtocolError, SocketType};

/// A pair whose sides run these mechanisms (A the client, B the server).
fn pair(
    a: SocketType,
    b: SocketType,
    client: impl FnOnce(&crate::proto::HandshakeConfig) -> Box<dyn Mechanism>,
    server: impl FnOnce(&crate::proto::HandshakeConfig) -> Box<dyn Mechanism>,
) -> Pair {
    let (ca, cb) = (config(a), config(b));
    let (ma, mb) = (client(&ca.handshake), server(&cb.handshake));
    let mut p = Pair::new(ca.clone(), cb.clone());
    p.a.conn = Connection::with_mechanism(ca, ma);
    p.b.conn = Connection::with_mechanism(cb, mb);
    p
}

/// Runs until quiet, answering B's ZAP requests with `status` (or no handler).
fn run_with_zap(p: &mut Pair, status: Option<&'static [u8]>) -> usize {
    let mut asked = 0;
    loop {
        p.run();
        let Some(Event::Zap(_)) = p.b.events.last().cloned() else {
            return asked;
        };
        asked += 1;
        p.b.events.pop();
        let reply = match status {
            None => ZapReply::NoHandler,
            Some(code) => {
                let mut metadata = Metadata::new();
                metadata.push("X-Tenant", "blue");
                ZapReply::Reply {
                    status_code: Bytes::from_static(code),
                    status_text: Bytes::new(),
                    user_id: Bytes::from_static(b"alice"),
                    metadata,
                }
            }
        };
        let now = p.now;
        match p.b.conn.zap_reply(reply, now) {
            Ok(Some(e)) => p.b.events.push(e),
            Ok(None) => {}
            Err(e) => p.b.error = Some(e),
        }
    }
}

fn curve_pair(server_key_ok: bool) -> Pair {
    let server = CurveSecretKey::generate().unwrap();
    let trusted = if server_key_ok {
        server.public_key()
    } else {
        CurveSecretKey::generate().unwrap().public_key()
    };
    let client = CurveKeyPair::generate().unwrap();
    pair(
        SocketType::Dealer,
        SocketType::Router,
        move |cfg| Box::new(CurveClient::new(cfg.our_properties(), client, trusted).unwrap()),
        move |cfg| Box::new(CurveServer::new(cfg.our_properties(), server).unwrap()),
    )
}

fn user_id(p: &Pair) -> Option<Bytes> {
    p.b.events.iter().find_map(|e| match e {
        Event::HandshakeSucceeded(peer) => Some(peer.user_id.clone()),
        _ => None,
    })
}

#[test]
fn curve_connections_handshake_and_box_traffic_at_any_chunking() {
    for chunk in [1, 2, 7, 64, usize::MAX] {
        let mut p = curve_pair(true);
        p.chunk = chunk;
        assert_eq!(run_with_zap(&mut p, Some(b"200")), 1);
        assert!(p.a.connected() && p.b.connected(), "chunk {chunk}");
        assert_eq!(user_id(&p).as_deref(), Some(&b"alice"[..]));
        let secret = b"attack at dawn";
        p.send(Side::A, &multipart(&[b"id", secret]));
        assert_eq!(frames(&p.b.received), frames(&multipart(&[b"id", secret])));
        p.send(Side::B, &multipart(&[&[0x5a; 3000]]));
        assert_eq!(frames(&p.a.received), frames(&multipart(&[&[0x5a; 3000]])));
        // Nothing of the payload is visible on the wire.
        assert!(!p.a.sent.windows(secret.len()).any(|w| w == secret));
    }
}

#[test]
fn curve_messages_are_data_frames_and_plain_frames_are_refused() {
    let mut p = curve_pair(true);
    run_with_zap(&mut p, Some(b"200"));
    let before = p.a.sent.len();
    p.send(Side::A, &multipart(&[b"one"]));
    // libzmq sends MESSAGE as a data frame without MORE (and drops one in a command
    // frame); we do the same.
    assert_eq!(&p.a.sent[before..before + 3], b"\x00\x24\x07");
    assert_eq!(frames(&p.b.received), frames(&multipart(&[b"one"])));
    // An unboxed frame after a CURVE handshake never reaches the socket.
    let now = p.now;
    p.b.input(b"\x00\x05hello", now);
    let Some(ConnectionError::Protocol(e)) = &p.b.error else {
        panic!("expected a protocol error, got {:?}", p.b.error);
    };
    assert_eq!(
        e.handshake_code(),
        Some(error_code::ZMTP_UNEXPECTED_COMMAND)
    );
    assert_eq!(p.b.received.len(), 1);
}

#[test]
fn curve_without_zap_handler_is_accepted() {
    let mut p = curve_pair(true);
    run_with_zap(&mut p, None);
    assert!(p.a.connected() && p.b.connected());
}

#[test]
fn curve_wrong_server_key_fails_the_server_side() {
    let mut p = curve_pair(false);
    assert_eq!(run_with_zap(&mut p, Some(b"200")), 0);
    let Some(ConnectionError::Handshake(e)) = &p.b.error else {
        panic!("expected a handshake error, got {:?}", p.b.error);
    };
    assert_eq!(e.handshake_code(), Some(error_code::ZMTP_CRYPTOGRAPHIC));
    assert!(!p.a.connected());
}

#[test]
fn curve_zap_denial_reaches_the_client_as_error() {
    let mut p = curve_pair(true);
    run_with_zap(&mut p, Some(b"400"));
    assert_eq!(
        p.b.error,
        Some(ConnectionError::Handshake(ProtocolError::AuthFailed(
            b"400".to_vec()
        )))
    );
    // The harness stops a side at its first error; a driver still writes out what the
    // connection queued (the ERROR) before closing, as libzmq does.
    let mut last_words = Vec::new();
    while p.b.conn.pending_bytes() > 0 {
        p.b.conn.write_to(&mut last_words).unwrap();
    }
    let now = p.now;
    p.a.input(&last_words, now);
    assert_eq!(
        p.a.error,
        Some(ConnectionError::Handshake(ProtocolError::PeerError(
            b"400".to_vec()
        )))
    );
}

fn plain_pair(password: &str) -> Pair {
    let creds = PlainCredentials::new("admin", password.to_owned()).unwrap();
    pair(
        SocketType::Req,
        SocketType::Rep,
        move |cfg| Box::new(PlainClient::new(cfg.our_properties(), creds)),
        |cfg| Box::new(PlainServer::new(cfg.our_properties())),
    )
}

#[test]
fn plain_connections_handshake_and_carry_messages() {
    for chunk in [1, 3, usize::MAX] {
        let mut p = plain_pair("secret");
        p.chunk = chunk;
        assert_eq!(run_with_zap(&mut p, Some(b"200")), 1);
        assert!(p.a.connected() && p.b.connected());
        assert_eq!(user_id(&p).as_deref(), Some(&b"alice"[..]));
        p.send(Side::A, &multipart(&[b"", b"hello"]));
        assert_eq!(frames(&p.b.received), frames(&multipart(&[b"", b"hello"])));
    }
}

#[test]
fn plain_without_zap_handler_is_refused() {
    let mut p = plain_pair("secret");
    run_with_zap(&mut p, None);
    assert_eq!(
        p.b.error,
        Some(ConnectionError::Handshake(ProtocolError::NoZapHandler))
    );
    assert!(!p.a.connected() && p.a.error.is_none());
}

#[test]
fn mechanism_mismatch_closes() {
    let server = CurveSecretKey::generate().unwrap();
    let mut p = pair(
        SocketType::Push,
        SocketType::Pull,
        |cfg| {
            Box::new(PlainClient::new(
                cfg.our_properties(),
                PlainCredentials::new("u", "p").unwrap(),
            ))
        },
        move |cfg| Box::new(CurveServer::new(cfg.our_properties(), server).unwrap()),
    );
    run_with_zap(&mut p, Some(b"200"));
    for side in [&p.a, &p.b] {
        assert!(matches!(
            side.error,
            Some(ConnectionError::Handshake(
                ProtocolError::MechanismMismatch { .. }
            ))
        ));
    }
}
