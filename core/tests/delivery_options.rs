//! IMMEDIATE and CONFLATE over tcp.

mod common;

use common::{bind_when_free, bounded, free_endpoint, socket, wait_until};
use ferromq::{Context, Error, SocketType, DONTWAIT, POLLIN};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn immediate_routes_only_to_connected_peers() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let dead = free_endpoint();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_immediate(true).unwrap();
        push.connect(&dead).unwrap();
        push.connect(&pull.last_endpoint().unwrap()).unwrap();
        // Until the live connection is up, nothing can be sent at all.
        assert!(wait_until(Duration::from_secs(10), || push
            .send("first", DONTWAIT)
            .is_ok()));
        for i in 0..10 {
            push.send(format!("{i}"), 0).unwrap();
        }
        // Every message reached the live peer: none sat in the dead endpoint's pipe.
        assert_eq!(&pull.recv(0).unwrap()[..], b"first");
        for i in 0..10 {
            assert_eq!(pull.recv(0).unwrap().to_vec(), format!("{i}").into_bytes());
        }
    });
}

#[test]
fn without_immediate_messages_queue_for_a_peer_that_is_not_up() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let dead = free_endpoint();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&dead).unwrap();
        assert!(push.send("queued", DONTWAIT).is_ok());
    });
}

#[test]
fn immediate_stops_routing_to_a_peer_that_went_away() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_immediate(true).unwrap();
        push.set_reconnect_ivl(-1).unwrap();
        push.connect(&pull.last_endpoint().unwrap()).unwrap();
        assert!(wait_until(Duration::from_secs(10), || push
            .send("hello", DONTWAIT)
            .is_ok()));
        assert_eq!(&pull.recv(0).unwrap()[..], b"hello");
        drop(pull);
        // Once the drop is noticed, sends fail instead of queueing for a dead peer.
        assert!(wait_until(Duration::from_secs(10), || push
            .send("x", DONTWAIT)
            == Err(Error::Again)));
    });
}

#[test]
fn conflate_keeps_only_the_newest_message() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_conflate(true).unwrap();
        push.set_sndhwm(1).unwrap();
        let ep = free_endpoint();
        push.connect(&ep).unwrap();
        // No peer and HWM 1, yet every send succeeds: each replaces the last.
        for i in 0..100 {
            push.send(format!("v{i}"), DONTWAIT).unwrap();
        }
        let mut pull = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull, &ep);
        assert_eq!(&pull.recv(0).unwrap()[..], b"v99");
        assert_eq!(
            pull.poll(POLLIN, 100).unwrap(),
            0,
            "only the newest was kept"
        );
    });
}
