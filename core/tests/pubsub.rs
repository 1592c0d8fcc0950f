//! PUB/SUB and XPUB/XSUB over TCP loopback: filtering, never-blocking fan-out, counted
//! subscriptions, re-subscription after a publisher restart, and a forwarding proxy.

mod common;

use common::{bind_when_free, bounded, free_endpoint, socket, wait_until};
use ferromq::{Context, Error, Socket, SocketType, DONTWAIT};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// Publishes `msg` until `sub` receives it (bounded): the slow-joiner dance, since a PUB
/// drops everything sent before the subscription reaches it. Other messages `sub` gets
/// meanwhile are skipped; copies of `msg` still in flight may arrive later.
fn publish_until_received(publisher: &mut Socket, sub: &mut Socket, msg: &[u8]) -> Vec<u8> {
    let ok = wait_until(Duration::from_secs(10), || {
        publisher.send(msg, 0).expect("publish");
        loop {
            match sub.recv(DONTWAIT) {
                Ok(m) if m.as_bytes() == msg => return true,
                Ok(_) => {}
                Err(Error::Again) => return false,
                Err(e) => panic!("recv: {e:?}"),
            }
        }
    });
    assert!(ok, "no message reached the subscriber");
    msg.to_vec()
}

/// Receives until `last`, leaving out late copies of the sync message `skip`.
fn recv_until(sub: &mut Socket, skip: &[u8], last: &[u8]) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    loop {
        let m = sub.recv(0).expect("recv").to_vec();
        if m == skip {
            continue;
        }
        let end = m == last;
        got.push(m);
        if end {
            return got;
        }
    }
}

fn drain(s: &mut Socket) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Ok(m) = s.recv(DONTWAIT) {
        out.push(m.to_vec());
    }
    out
}

#[test]
fn sub_receives_only_subscribed_prefixes() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut publisher = socket(&ctx, SocketType::Pub);
        publisher.bind("tcp://127.0.0.1:*").unwrap();
        let mut sub = socket(&ctx, SocketType::Sub);
        sub.connect(&publisher.last_endpoint().unwrap()).unwrap();
        sub.set_subscribe(b"A").unwrap();
        publish_until_received(&mut publisher, &mut sub, b"A-sync");
        drain(&mut sub);
        for m in [&b"B1"[..], b"A1", b"C1", b"AB1", b""] {
            publisher.send(m, 0).unwrap();
        }
        publisher.send("A-end", 0).unwrap();
        let got = recv_until(&mut sub, b"A-sync", b"A-end");
        assert_eq!(
            got,
            vec![b"A1".to_vec(), b"AB1".to_vec(), b"A-end".to_vec()]
        );
        assert_eq!(publisher.recv(DONTWAIT).unwrap_err(), Error::NotSup);
        assert_eq!(sub.send("x", 0).unwrap_err(), Error::NotSup);
    });
}

#[test]
fn subscriptions_are_counted_and_unsubscribe_stops_delivery() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut publisher = socket(&ctx, SocketType::Pub);
        publisher.bind("tcp://127.0.0.1:*").unwrap();
        let mut sub = socket(&ctx, SocketType::Sub);
        sub.connect(&publisher.last_endpoint().unwrap()).unwrap();
        sub.set_subscribe(b"T").unwrap();
        sub.set_subscribe(b"T").unwrap();
        sub.set_subscribe(b"S").unwrap();
        publish_until_received(&mut publisher, &mut sub, b"T-sync");
        sub.set_unsubscribe(b"T").unwrap();
        // One subscription to T is left: still delivered.
        publish_until_received(&mut publisher, &mut sub, b"T-still");
        sub.set_unsubscribe(b"T").unwrap();
        // Once the cancel has reached the publisher, T stops while S goes on. The cancel
        // and the S messages travel in order, so after an S arrives no T may follow.
        publish_until_received(&mut publisher, &mut sub, b"S-sync");
        drain(&mut sub);
        for _ in 0..100 {
            publisher.send("T-gone", 0).unwrap();
        }
        publisher.send("S-end", 0).unwrap();
        assert_eq!(
            recv_until(&mut sub, b"S-sync", b"S-end"),
            vec![b"S-end".to_vec()]
        );
    });
}

#[test]
fn slow_subscriber_at_hwm_does_not_slow_a_fast_one() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut publisher = socket(&ctx, SocketType::Pub);
        publisher.set_sndhwm(10).unwrap();
        publisher.bind("tcp://127.0.0.1:*").unwrap();
        let ep = publisher.last_endpoint().unwrap();
        let mut fast = socket(&ctx, SocketType::Sub);
        let mut slow = socket(&ctx, SocketType::Sub);
        slow.set_rcvhwm(10).unwrap();
        for s in [&mut fast, &mut slow] {
            s.connect(&ep).unwrap();
            s.set_subscribe(b"").unwrap();
            publish_until_received(&mut publisher, s, b"sync");
        }
        drain(&mut fast);
        // Lock-step with the fast subscriber: if the publisher ever blocked on the slow
        // one, the fast one would time out.
        let payload = vec![7u8; 1024];
        let n = 20_000u32;
        for i in 0..n {
            let mut m = i.to_be_bytes().to_vec();
            m.extend_from_slice(&payload);
            publisher.send(m, 0).unwrap();
            let mut got = fast.recv(0).expect("fast subscriber starved");
            while got.as_bytes() == b"sync" {
                got = fast.recv(0).expect("fast subscriber starved");
            }
            assert_eq!(&got[..4], &i.to_be_bytes());
        }
        let slow_got = drain(&mut slow).len() + 1;
        assert!(
            slow_got < n as usize,
            "the slow subscriber lost nothing ({slow_got})"
        );
    });
}

#[test]
fn subscriptions_survive_a_publisher_restart() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let ep = free_endpoint();
        let mut sub = socket(&ctx, SocketType::Sub);
        sub.set_reconnect_ivl(20).unwrap();
        sub.connect(&ep).unwrap();
        sub.set_subscribe(b"keep").unwrap();
        {
            let mut first = socket(&ctx, SocketType::Pub);
            bind_when_free(&mut first, &ep);
            publish_until_received(&mut first, &mut sub, b"keep-1");
        }
        let mut second = socket(&ctx, SocketType::Pub);
        bind_when_free(&mut second, &ep);
        publish_until_received(&mut second, &mut sub, b"keep-2");
    });
}

#[test]
fn xpub_sees_subscriptions_and_xsub_sends_them() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut xpub = socket(&ctx, SocketType::Xpub);
        xpub.bind("tcp://127.0.0.1:*").unwrap();
        let ep = xpub.last_endpoint().unwrap();
        let mut sub1 = socket(&ctx, SocketType::Sub);
        let mut sub2 = socket(&ctx, SocketType::Sub);
        sub1.connect(&ep).unwrap();
        sub2.connect(&ep).unwrap();
        sub1.set_subscribe(b"news").unwrap();
        assert_eq!(xpub.recv(0).unwrap().as_bytes(), b"\x01news");
        sub2.set_subscribe(b"news").unwrap();
        // A duplicate is not passed up without XPUB_VERBOSE; sync on another topic.
        sub2.set_subscribe(b"sport").unwrap();
        assert_eq!(xpub.recv(0).unwrap().as_bytes(), b"\x01sport");
        // The topic stays until both subscribers cancel.
        sub1.set_unsubscribe(b"news").unwrap();
        sub1.set_subscribe(b"sync").unwrap();
        assert_eq!(xpub.recv(0).unwrap().as_bytes(), b"\x01sync");
        drop(sub2);
        let mut cancelled: Vec<Vec<u8>> = (0..2).map(|_| xpub.recv(0).unwrap().to_vec()).collect();
        cancelled.sort();
        assert_eq!(cancelled, vec![b"\x00news".to_vec(), b"\x00sport".to_vec()]);

        let mut xsub = socket(&ctx, SocketType::Xsub);
        xsub.connect(&ep).unwrap();
        xsub.send(&b"\x01xs"[..], 0).unwrap();
        assert_eq!(xpub.recv(0).unwrap().as_bytes(), b"\x01xs");
        publish_until_received(&mut xpub, &mut xsub, b"xs-data");
    });
}

#[test]
fn xsub_xpub_proxy_forwards_both_ways() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut publisher = socket(&ctx, SocketType::Pub);
        publisher.bind("tcp://127.0.0.1:*").unwrap();
        let mut xsub = socket(&ctx, SocketType::Xsub);
        xsub.connect(&publisher.last_endpoint().unwrap()).unwrap();
        let mut xpub = socket(&ctx, SocketType::Xpub);
        xpub.bind("tcp://127.0.0.1:*").unwrap();
        let mut sub = socket(&ctx, SocketType::Sub);
        sub.connect(&xpub.last_endpoint().unwrap()).unwrap();
        sub.set_subscribe(b"p").unwrap();
        // One hop by hand: the subscription goes up through the proxy.
        let subscription = xpub.recv(0).unwrap();
        xsub.send(subscription, 0).unwrap();
        let ok = wait_until(Duration::from_secs(10), || {
            publisher.send("p-data", 0).unwrap();
            publisher.send("q-data", 0).unwrap();
            while let Ok(m) = xsub.recv(DONTWAIT) {
                xpub.send(m, 0).unwrap();
            }
            matches!(sub.recv(DONTWAIT), Ok(m) if m.as_bytes() == b"p-data")
        });
        assert!(ok, "no data through the proxy");
        assert!(drain(&mut sub).iter().all(|m| m == b"p-data"));
    });
}
