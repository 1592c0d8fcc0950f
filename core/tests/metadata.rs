//! Peer metadata of received messages (what `zmq_msg_gets` reads).

mod common;

use common::{bounded, socket};
use ferromq::{Context, SocketType};
use std::time::Duration;

#[test]
fn received_messages_carry_their_peers_ready_properties() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let mut router = socket(&ctx, SocketType::Router);
        router.bind("tcp://127.0.0.1:*").unwrap();
        let ep = router.last_endpoint().unwrap();
        let mut a = socket(&ctx, SocketType::Dealer);
        a.set_routing_id(b"alpha").unwrap();
        a.connect(&ep).unwrap();
        let mut b = socket(&ctx, SocketType::Req);
        b.connect(&ep).unwrap();
        assert!(
            router.last_peer_metadata().is_none(),
            "nothing received yet"
        );
        a.send("from a", 0).unwrap();
        let parts = router.recv_multipart(0).unwrap();
        assert_eq!(&parts[0][..], b"alpha");
        let meta = router.last_peer_metadata().unwrap();
        assert_eq!(
            meta.get("Socket-Type").map(|v| &v[..]),
            Some(&b"DEALER"[..])
        );
        assert_eq!(meta.get("identity").map(|v| &v[..]), Some(&b"alpha"[..]));
        b.send("from b", 0).unwrap();
        router.recv_multipart(0).unwrap();
        let meta = router.last_peer_metadata().unwrap();
        assert_eq!(meta.get("Socket-Type").map(|v| &v[..]), Some(&b"REQ"[..]));

        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("inproc://meta").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect("inproc://meta").unwrap();
        push.send("x", 0).unwrap();
        pull.recv(0).unwrap();
        assert!(
            pull.last_peer_metadata().is_none(),
            "inproc has no handshake"
        );
    });
}
