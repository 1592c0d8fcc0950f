//! Publish-subscribe and probe options end to end, as libzmq's own tests exercise them
//! (test_xpub_manual, test_xpub_nodrop, test_xpub_welcome_msg, test_pub_invert_matching,
//! test_probe_router): over inproc and tcp.

mod common;

use common::*;
use ferromq::{Context, Error, SocketType, DONTWAIT};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

fn endpoints() -> Vec<&'static str> {
    vec!["inproc://opts", "tcp://127.0.0.1:*"]
}

/// Binds `s` on `ep` and returns the endpoint to connect to.
fn bind(s: &mut ferromq::Socket, ep: &str) -> String {
    s.bind(ep).unwrap();
    s.last_endpoint().unwrap()
}

#[test]
fn xpub_manual_subscribes_the_peer_to_what_the_application_chooses() {
    for ep in endpoints() {
        bounded(LIMIT, move || {
            let ctx = Context::new();
            let mut xpub = socket(&ctx, SocketType::Xpub);
            xpub.set_xpub_manual(true).unwrap();
            let at = bind(&mut xpub, ep);
            let mut xsub = socket(&ctx, SocketType::Xsub);
            xsub.connect(&at).unwrap();
            xsub.send(&b"\x01A"[..], 0).unwrap();
            assert_eq!(&recv_ok(&mut xpub, "subscription")[..], b"\x01A");
            // Not applied by the XPUB: the application subscribes the peer to B instead.
            xpub.set_subscribe(b"B").unwrap();
            xpub.send("A", 0).unwrap();
            xpub.send("B", 0).unwrap();
            assert_eq!(&recv_ok(&mut xsub, "B")[..], b"B");
            // Every subscription comes up, even a repeated one.
            xsub.send(&b"\x01A"[..], 0).unwrap();
            assert_eq!(&recv_ok(&mut xpub, "repeat")[..], b"\x01A");
            xpub.set_unsubscribe(b"B").unwrap();
            xpub.send("B", 0).unwrap();
            xpub.set_subscribe(b"C").unwrap();
            xpub.send("C", 0).unwrap();
            assert_eq!(&recv_ok(&mut xsub, "C after B was cancelled")[..], b"C");
            // Without XPUB_MANUAL, SUBSCRIBE on an XPUB is EINVAL.
            let mut plain = socket(&ctx, SocketType::Xpub);
            assert_eq!(plain.set_subscribe(b"x"), Err(Error::Invalid));
        });
    }
}

#[test]
fn xpub_manual_cancels_what_a_departed_peer_asked_for() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut xpub = socket(&ctx, SocketType::Xpub);
        xpub.set_xpub_manual(true).unwrap();
        let at = bind(&mut xpub, "tcp://127.0.0.1:*");
        let mut sub = socket(&ctx, SocketType::Sub);
        sub.connect(&at).unwrap();
        sub.set_subscribe(b"T").unwrap();
        assert_eq!(&recv_ok(&mut xpub, "subscription")[..], b"\x01T");
        drop(sub);
        assert_eq!(&recv_ok(&mut xpub, "cancel on disconnect")[..], b"\x00T");
    });
}

#[test]
fn xpub_nodrop_refuses_instead_of_dropping_at_the_hwm() {
    for ep in endpoints() {
        bounded(LIMIT, move || {
            let ctx = Context::new();
            let mut xpub = socket(&ctx, SocketType::Xpub);
            xpub.set_xpub_nodrop(true).unwrap();
            xpub.set_sndhwm(10).unwrap();
            let at = bind(&mut xpub, ep);
            let mut sub = socket(&ctx, SocketType::Sub);
            sub.set_rcvhwm(10).unwrap();
            sub.connect(&at).unwrap();
            sub.set_subscribe(b"").unwrap();
            assert_eq!(&recv_ok(&mut xpub, "subscription")[..], b"\x01");
            let mut sent = 0u64;
            loop {
                match xpub.send(seq_msg(sent), DONTWAIT) {
                    Ok(()) => sent += 1,
                    Err(Error::Again) => break,
                    Err(e) => panic!("send: {e}"),
                }
                assert!(sent < 1_000_000, "never reached the HWM");
            }
            // Nothing was dropped: everything sent arrives, in order.
            for i in 0..sent {
                assert_eq!(seq_of(&recv_ok(&mut sub, "nodrop")), i);
            }
            // Room again: a blocking send goes through. (The empty read makes the SUB
            // hand back its credit even before credit returns at a low-water mark.)
            assert_eq!(sub.recv(DONTWAIT).unwrap_err(), Error::Again);
            xpub.send(seq_msg(sent), 0).unwrap();
            assert_eq!(seq_of(&recv_ok(&mut sub, "after drain")), sent);
        });
    }
}

#[test]
fn xpub_welcome_msg_greets_every_new_subscriber() {
    for ep in endpoints() {
        bounded(LIMIT, move || {
            let ctx = Context::new();
            let mut xpub = socket(&ctx, SocketType::Xpub);
            xpub.set_xpub_welcome_msg(b"W").unwrap();
            let at = bind(&mut xpub, ep);
            for _ in 0..2 {
                let mut sub = socket(&ctx, SocketType::Sub);
                sub.set_subscribe(b"W").unwrap();
                sub.connect(&at).unwrap();
                assert_eq!(&recv_ok(&mut xpub, "subscription")[..], b"\x01W");
                assert_eq!(&recv_ok(&mut sub, "welcome")[..], b"W");
                drop(sub);
                assert_eq!(&recv_ok(&mut xpub, "cancel")[..], b"\x00W");
            }
            let mut push = socket(&ctx, SocketType::Push);
            assert_eq!(push.set_xpub_welcome_msg(b"W"), Err(Error::Invalid));
        });
    }
}

#[test]
fn invert_matching_delivers_what_does_not_match() {
    for ep in endpoints() {
        bounded(LIMIT, move || {
            let ctx = Context::new();
            let mut publisher = socket(&ctx, SocketType::Pub);
            publisher.set_invert_matching(true).unwrap();
            let at = bind(&mut publisher, ep);
            let mut sub = socket(&ctx, SocketType::Sub);
            sub.set_invert_matching(true).unwrap();
            sub.set_subscribe(b"prefix").unwrap();
            sub.connect(&at).unwrap();
            // Until the subscription has reached the publisher it sends everything
            // (nothing matches), and the SUB drops "prefix..." itself: publish pairs
            // until the other topic arrives, then check the filtered one never does.
            let mut got = None;
            assert!(
                wait_until(Duration::from_secs(10), || {
                    publisher.send("prefix: never", 0).unwrap();
                    publisher.send("other", 0).unwrap();
                    got = sub.recv(DONTWAIT).ok();
                    got.is_some()
                }),
                "nothing arrived"
            );
            assert_eq!(&got.unwrap()[..], b"other");
            while let Ok(m) = sub.recv(DONTWAIT) {
                assert_eq!(&m[..], b"other");
            }
            assert!(sub.invert_matching().unwrap());
            // XPUB too.
            let mut xpub = socket(&ctx, SocketType::Xpub);
            xpub.set_invert_matching(true).unwrap();
            let xat = bind(
                &mut xpub,
                if ep.starts_with("inproc") {
                    "inproc://opts-x"
                } else {
                    ep
                },
            );
            let mut a = socket(&ctx, SocketType::Sub);
            a.set_invert_matching(true).unwrap();
            a.set_subscribe(b"A").unwrap();
            a.connect(&xat).unwrap();
            assert_eq!(&recv_ok(&mut xpub, "sub A")[..], b"\x01A");
            xpub.send("A1", 0).unwrap();
            xpub.send("B1", 0).unwrap();
            assert_eq!(&recv_ok(&mut a, "B1")[..], b"B1");
            assert_eq!(a.recv(DONTWAIT).unwrap_err(), Error::Again);
        });
    }
}

#[test]
fn probe_router_announces_each_peer_with_an_empty_message() {
    for ep in endpoints() {
        bounded(LIMIT, move || {
            let ctx = Context::new();
            let mut router = socket(&ctx, SocketType::Router);
            router.set_probe_router(true).unwrap();
            let at = bind(&mut router, ep);
            let mut dealer = socket(&ctx, SocketType::Dealer);
            dealer.set_routing_id(b"X").unwrap();
            dealer.set_probe_router(true).unwrap();
            dealer.connect(&at).unwrap();
            let probe = router.recv_multipart(0).unwrap();
            assert_eq!(probe.len(), 2);
            assert_eq!(&probe[0][..], b"X");
            assert!(probe[1].is_empty());
            // The ROUTER can address the peer at once, and the DEALER got its probe too.
            router.send("X", ferromq::SNDMORE).unwrap();
            router.send("hi", 0).unwrap();
            assert!(recv_ok(&mut dealer, "router's probe").is_empty());
            assert_eq!(&recv_ok(&mut dealer, "hi")[..], b"hi");

            // A REQ's probe does not disturb its request/reply turn.
            let mut req = socket(&ctx, SocketType::Req);
            req.set_routing_id(b"R").unwrap();
            req.set_probe_router(true).unwrap();
            req.connect(&at).unwrap();
            let probe = router.recv_multipart(0).unwrap();
            assert_eq!((&probe[0][..], probe[1].len()), (&b"R"[..], 0));
            req.send("request", 0).unwrap();
            let request = router.recv_multipart(0).unwrap();
            assert_eq!(&request[2][..], b"request");
            router.send_multipart(request, 0).unwrap();
            assert_eq!(&recv_ok(&mut req, "reply")[..], b"request");

            let mut push = socket(&ctx, SocketType::Push);
            assert_eq!(push.set_probe_router(true), Err(Error::Invalid));
        });
    }
}
