//! Handshakes, message framing and socket-type rules between two connections.

use bytes::{Bytes, BytesMut};

use super::util::{config, frames, multipart, Pair, Side};
use crate::msg::Msg;
use crate::proto::connection::{Connection, ConnectionError, Event, WRITE_BATCH};
use crate::proto::mechanism::{NullMechanism, ZapReply};
use crate::proto::socket_type::ALL;
use crate::proto::subscription::subscription_msg;
use crate::proto::{Metadata, ProtocolError, SocketType};

#[test]
fn handshake_matrix_follows_the_socket_type_table() {
    for a in ALL {
        for b in ALL {
            let p = Pair::connected(a, b);
            if a.is_compatible_with(b) {
                assert!(p.a.connected() && p.b.connected(), "{a:?}-{b:?}");
                assert_eq!((&p.a.error, &p.b.error), (&None, &None));
                let Some(Event::HandshakeSucceeded(peer)) = p.a.events.first() else {
                    panic!("{a:?}-{b:?}: no handshake event");
                };
                assert_eq!((peer.socket_type, peer.minor_version), (b, 1));
            } else {
                assert_eq!(
                    p.a.error,
                    Some(ConnectionError::Handshake(
                        ProtocolError::IncompatibleSocketType {
                            ours: a,
                            theirs: b.name().as_bytes().to_vec(),
                        }
                    )),
                    "{a:?}-{b:?}"
                );
                assert!(!p.a.connected() && !p.b.connected());
            }
        }
    }
}

#[test]
fn handshake_byte_by_byte_in_either_order() {
    for b_first in [false, true] {
        let mut p = Pair::new(config(SocketType::Dealer), config(SocketType::Router));
        p.chunk = 1;
        p.b_first = b_first;
        p.run();
        assert!(p.a.connected() && p.b.connected());
        p.send(Side::A, &multipart(&[b"x", b"y"]));
        assert_eq!(frames(&p.b.received), frames(&multipart(&[b"x", b"y"])));
    }
}

#[test]
fn corrupt_greeting_fails_the_handshake() {
    let mut p = Pair::new(config(SocketType::Push), config(SocketType::Pull));
    p.a.hold = true;
    p.step();
    p.step();
    // A's signature, then its greeting's mechanism field, garbled.
    p.wire(Side::A)[12] = b'X';
    p.a.hold = false;
    p.run();
    assert!(matches!(
        p.b.error,
        Some(ConnectionError::Handshake(
            ProtocolError::MechanismMismatch { .. }
        ))
    ));
    assert_eq!(
        p.b.error.as_ref().and_then(|e| match e {
            ConnectionError::Handshake(e) => e.handshake_code(),
            _ => None,
        }),
        Some(crate::proto::error_code::ZMTP_MECHANISM_MISMATCH)
    );
}

#[test]
fn zap_request_and_reply_through_the_connection() {
    let now = std::time::Instant::now();
    let cfg = config(SocketType::Pull);
    let null = NullMechanism::new(cfg.handshake.our_properties(), true);
    let mut server = Connection::with_mechanism(cfg, Box::new(null));
    let mut client = Connection::new(config(SocketType::Push));
    let mut zap = None;
    let pass = |from: &mut Connection, to: &mut Connection| {
        let mut wire = Vec::new();
        while from.pending_bytes() > 0 {
            from.write_to(&mut wire).unwrap();
        }
        to.handle_input(&wire);
        to.poll_event(now).unwrap()
    };
    for _ in 0..3 {
        pass(&mut server, &mut client);
        if let Some(Event::Zap(request)) = pass(&mut client, &mut server) {
            zap = Some(request);
        }
    }
    let Some(request) = zap else {
        panic!("the server asks for ZAP");
    };
    assert_eq!(request.mechanism, b"NULL");
    // Its READY waits for the answer; the client's READY is already in.
    assert_eq!(server.pending_bytes(), 0);
    assert_eq!(server.poll_event(now), Ok(None));
    let reply = ZapReply::Reply {
        status_code: Bytes::from_static(b"200"),
        status_text: Bytes::from_static(b"OK"),
        user_id: Bytes::from_static(b"alice"),
        metadata: Metadata::new(),
    };
    let Ok(Some(Event::HandshakeSucceeded(peer))) = server.zap_reply(reply, now) else {
        panic!("the server is done after the reply");
    };
    assert_eq!(&peer.user_id[..], b"alice");
    assert!(server.pending_bytes() > 0, "READY goes out");
}

#[test]
fn multipart_messages_arrive_whole_or_not_at_all() {
    let mut p = Pair::connected(SocketType::Dealer, SocketType::Dealer);
    let msg = multipart(&[b"one", b"", &[7u8; 300], b"last"]);
    for m in &msg {
        p.a.conn.send(m).unwrap();
    }
    p.b.hold = true;
    p.a.hold = true;
    p.step();
    let total = p.wire(Side::A).len();
    for _ in 0..total - 1 {
        p.deliver(Side::A, 1);
        assert!(p.b.received.is_empty(), "no part before the last byte");
    }
    p.deliver(Side::A, 1);
    assert_eq!(frames(&p.b.received), frames(&msg));
}

#[test]
fn decoding_stops_at_the_credit() {
    let mut p = Pair::connected(SocketType::Push, SocketType::Pull);
    p.b.credit = 2;
    let msgs: Vec<Msg> = (0..5u8).map(|i| Msg::from(vec![i; 3])).collect();
    p.send(Side::A, &msgs);
    assert_eq!(p.b.received.len(), 2);
    p.b.credit = usize::MAX;
    let now = p.now;
    p.b.process(now);
    assert_eq!(frames(&p.b.received), frames(&msgs));
}

#[test]
fn large_frames_keep_their_bytes_and_limits_apply_on_the_header() {
    let mut cfg = config(SocketType::Pull);
    cfg.max_parts = Some(2);
    let mut p = Pair::new(config(SocketType::Push), cfg);
    p.run();
    let big = vec![0x5A; 100_000];
    p.send(Side::A, &[Msg::from(big.clone())]);
    assert_eq!(p.b.received.len(), 1);
    assert_eq!(p.b.received[0].to_vec(), big);
    // A third part is refused as soon as its header is in, before its body.
    let msg = multipart(&[b"1", b"2", &[0u8; 50_000]]);
    p.a.hold = true;
    p.send(Side::A, &msg);
    p.deliver(Side::A, 2 + 1 + 2 + 1 + 9);
    assert_eq!(p.b.error, Some(ConnectionError::MessageTooLarge));
}

#[test]
fn oversized_frame_fails_before_its_body() {
    let mut cfg = config(SocketType::Pull);
    cfg.max_frame = 100;
    let mut p = Pair::new(config(SocketType::Push), cfg);
    p.run();
    p.a.hold = true;
    p.send(Side::A, &[Msg::from(vec![1u8; 1000])]);
    p.deliver(Side::A, 9);
    assert_eq!(
        p.b.error,
        Some(ConnectionError::Protocol(ProtocolError::FrameTooLarge {
            size: 1000,
            max: 100
        }))
    );
}

/// A SUB's subscriptions over ZMTP 3.1 and, with the publisher's greeting saying 3.0, as
/// messages; the publisher reads both as the same subscription message.
#[test]
fn subscriptions_in_both_wire_forms() {
    for minor in [1u8, 0] {
        let mut p = Pair::new(config(SocketType::Sub), config(SocketType::Xpub));
        p.b.hold = true;
        p.step();
        p.step();
        // B's greeting is on its wire whole: say 3.0 there if asked.
        assert!(p.wire(Side::B).len() >= 64);
        p.wire(Side::B)[11] = minor;
        p.b.hold = false;
        p.run();
        assert!(p.a.connected() && p.b.connected());
        p.b.hold = true;
        p.a.conn.send(&subscription_msg(b"news", true)).unwrap();
        p.step();
        let wire = p.a.sent.clone();
        if minor == 1 {
            assert!(wire.ends_with(b"\x04\x0e\x09SUBSCRIBEnews"));
        } else {
            assert!(wire.ends_with(b"\x00\x05\x01news"));
        }
        assert_eq!(
            frames(&p.b.received),
            frames(&[subscription_msg(b"news", true)])
        );
    }
}

#[test]
fn pub_drops_inbound_data_but_reads_subscriptions() {
    // A PUB peer that sends data (as a misbehaving XSUB might): dropped whole.
    let mut p = Pair::connected(SocketType::Xsub, SocketType::Pub);
    let mut msgs = multipart(&[b"\x01looks-like-sub", b"tail"]);
    msgs.push(Msg::from("plain data"));
    msgs.push(subscription_msg(b"t", true));
    p.send(Side::A, &msgs);
    assert_eq!(
        frames(&p.b.received),
        frames(&[subscription_msg(b"t", true)])
    );
}

#[test]
fn pongs_coalesce_while_the_output_is_full() {
    let mut p = Pair::connected(SocketType::Pair, SocketType::Pair);
    // B's output fills up (A does not read), beyond a write batch.
    let big = Msg::from(vec![0u8; WRITE_BATCH]);
    p.b.conn.send(&big).unwrap();
    let queued = p.b.conn.pending_bytes();
    assert!(!p.b.conn.wants_messages());
    let mut pings = BytesMut::new();
    for ctx in [&b"1"[..], b"2", b"3"] {
        crate::proto::command::encode_ping(0, ctx, &mut pings);
    }
    let now = p.now;
    p.b.input(&pings, now);
    assert_eq!(p.b.conn.pending_bytes(), queued, "no PONG while full");
    p.b.conn.flush_pending().unwrap();
    let mut out = Vec::new();
    while p.b.conn.pending_bytes() > 0 {
        p.b.conn.write_to(&mut out).unwrap();
    }
    assert!(
        out.ends_with(b"\x04\x06\x04PONG3"),
        "only the newest PING's PONG"
    );
    assert_eq!(out.len(), queued + 8);
}
