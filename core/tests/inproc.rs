//! inproc:// transport: sockets of one context joined directly by pipes.

mod common;

use common::{bounded, socket, text, wait_until};
use ferromq::{Context, Error, SocketType, DONTWAIT, SNDMORE};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn push_pull_in_order_with_multipart() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("inproc://pipeline").unwrap();
        assert_eq!(pull.last_endpoint().unwrap(), "inproc://pipeline");
        let mut push = socket(&ctx, SocketType::Push);
        push.connect("inproc://pipeline").unwrap();
        let sender = std::thread::spawn(move || {
            for i in 0..100_000u32 {
                push.send(i.to_le_bytes().to_vec(), 0).unwrap();
            }
            push.send_multipart(["a", "", "c"], 0).unwrap();
            push
        });
        for i in 0..100_000u32 {
            assert_eq!(&pull.recv(0).unwrap()[..], &i.to_le_bytes());
        }
        let parts: Vec<String> = pull.recv_multipart(0).unwrap().iter().map(text).collect();
        assert_eq!(parts, ["a", "", "c"]);
        drop(sender.join().unwrap());
    });
}

#[test]
fn works_without_io_threads() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        ctx.set_io_threads(0).unwrap();
        let mut a = socket(&ctx, SocketType::Pair);
        a.bind("inproc://no-io").unwrap();
        let mut b = socket(&ctx, SocketType::Pair);
        b.connect("inproc://no-io").unwrap();
        b.send("ping", 0).unwrap();
        assert_eq!(text(&a.recv(0).unwrap()), "ping");
        a.send("pong", 0).unwrap();
        assert_eq!(text(&b.recv(0).unwrap()), "pong");
        // tcp needs an I/O thread.
        assert_eq!(a.bind("tcp://127.0.0.1:*"), Err(Error::MThread));
    });
}

#[test]
fn connect_before_bind_queues_and_delivers() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect("inproc://later").unwrap();
        for i in 0..10 {
            push.send(format!("m{i}"), 0).unwrap();
        }
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("inproc://later").unwrap();
        for i in 0..10 {
            assert_eq!(text(&pull.recv(0).unwrap()), format!("m{i}"));
        }
    });
}

#[test]
fn hwm_is_sndhwm_plus_peer_rcvhwm() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_rcvhwm(3).unwrap();
        pull.bind("inproc://hwm").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(2).unwrap();
        push.connect("inproc://hwm").unwrap();
        let mut sent = 0;
        while push.send("x", DONTWAIT).is_ok() {
            sent += 1;
            assert!(sent <= 100, "HWM never reached");
        }
        assert_eq!(sent, 5);
        // Reading frees room again. Credit returns per batch (like libzmq's low-water
        // mark): here when the reader, having consumed the 5, comes back for more.
        for _ in 0..5 {
            pull.recv(0).unwrap();
        }
        assert_eq!(pull.recv(DONTWAIT).err(), Some(Error::Again));
        assert!(wait_until(Duration::from_secs(5), || push
            .send("y", DONTWAIT)
            .is_ok()));
    });
}

#[test]
fn unlimited_when_either_hwm_is_zero() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_rcvhwm(0).unwrap();
        pull.bind("inproc://nohwm").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(1).unwrap();
        push.connect("inproc://nohwm").unwrap();
        for _ in 0..10_000 {
            push.send("x", DONTWAIT).unwrap();
        }
    });
}

#[test]
fn req_rep_and_router_dealer_envelopes() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut rep = socket(&ctx, SocketType::Rep);
        rep.bind("inproc://rr").unwrap();
        let mut req = socket(&ctx, SocketType::Req);
        req.connect("inproc://rr").unwrap();
        for i in 0..100 {
            req.send(format!("q{i}"), 0).unwrap();
            assert_eq!(text(&rep.recv(0).unwrap()), format!("q{i}"));
            rep.send(format!("a{i}"), 0).unwrap();
            assert_eq!(text(&req.recv(0).unwrap()), format!("a{i}"));
        }

        let mut router = socket(&ctx, SocketType::Router);
        router.bind("inproc://router").unwrap();
        let mut dealer = socket(&ctx, SocketType::Dealer);
        dealer.set_routing_id(b"worker-7").unwrap();
        dealer.connect("inproc://router").unwrap();
        dealer.send("hello", 0).unwrap();
        let parts: Vec<String> = router.recv_multipart(0).unwrap().iter().map(text).collect();
        assert_eq!(parts, ["worker-7", "hello"]);
        router.send("worker-7", SNDMORE).unwrap();
        router.send("back", 0).unwrap();
        assert_eq!(text(&dealer.recv(0).unwrap()), "back");
    });
}

#[test]
fn router_connecting_before_bind_learns_the_binders_id() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut router = socket(&ctx, SocketType::Router);
        router.set_router_mandatory(true).unwrap();
        router.connect("inproc://svc").unwrap();
        assert_eq!(router.send("svc", SNDMORE), Err(Error::HostUnreach));
        let mut dealer = socket(&ctx, SocketType::Dealer);
        dealer.set_routing_id(b"svc").unwrap();
        dealer.bind("inproc://svc").unwrap();
        assert!(wait_until(Duration::from_secs(5), || router
            .send("svc", SNDMORE | DONTWAIT)
            .is_ok()));
        router.send("job", 0).unwrap();
        assert_eq!(text(&dealer.recv(0).unwrap()), "job");
    });
}

#[test]
fn pub_sub_with_subscription_before_bind() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut sub = socket(&ctx, SocketType::Sub);
        sub.set_subscribe(b"a.").unwrap();
        sub.connect("inproc://news").unwrap();
        let mut publ = socket(&ctx, SocketType::Pub);
        publ.bind("inproc://news").unwrap();
        let mut late = socket(&ctx, SocketType::Sub);
        late.set_subscribe(b"b.").unwrap();
        late.connect("inproc://news").unwrap();
        // Both subscriptions reach the publisher without a network round trip, but
        // they are read when the publisher next runs.
        for i in 0..20 {
            publ.send(format!("a.{i}"), 0).unwrap();
            publ.send(format!("b.{i}"), 0).unwrap();
            publ.send(format!("c.{i}"), 0).unwrap();
        }
        for i in 0..20 {
            assert_eq!(text(&sub.recv(0).unwrap()), format!("a.{i}"));
            assert_eq!(text(&late.recv(0).unwrap()), format!("b.{i}"));
        }
        assert_eq!(sub.recv(DONTWAIT).err(), Some(Error::Again));
    });
}

#[test]
fn bind_twice_unbind_and_errors() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut a = socket(&ctx, SocketType::Pull);
        a.bind("inproc://name").unwrap();
        let mut b = socket(&ctx, SocketType::Pull);
        assert_eq!(b.bind("inproc://name"), Err(Error::AddrInUse));
        assert_eq!(b.bind("inproc://"), Err(Error::Invalid));
        assert_eq!(b.unbind("inproc://name"), Err(Error::NoEnt));
        a.unbind("inproc://name").unwrap();
        b.bind("inproc://name").unwrap();
        drop(b);
        // Closing the binder frees the name too.
        a.bind("inproc://name").unwrap();
    });
}

#[test]
fn unbind_drops_the_connections_made_through_it() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("inproc://u").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(1).unwrap();
        push.connect("inproc://u").unwrap();
        push.send("before", 0).unwrap();
        assert_eq!(text(&pull.recv(0).unwrap()), "before");
        pull.unbind("inproc://u").unwrap();
        // The pusher's pipe is gone: its messages are dropped, never received.
        for _ in 0..10 {
            let _ = push.send("after", DONTWAIT);
        }
        assert_eq!(pull.recv(DONTWAIT).err(), Some(Error::Again));
    });
}

#[test]
fn messages_of_a_closed_sender_are_still_read_and_its_pipe_then_goes() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("inproc://closing").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect("inproc://closing").unwrap();
        push.send("last words", 0).unwrap();
        drop(push);
        assert_eq!(text(&pull.recv(0).unwrap()), "last words");

        // A PUSH to two PULLs: once one closes, everything goes to the other.
        let mut p1 = socket(&ctx, SocketType::Pull);
        p1.bind("inproc://one").unwrap();
        let mut p2 = socket(&ctx, SocketType::Pull);
        p2.bind("inproc://two").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect("inproc://one").unwrap();
        push.connect("inproc://two").unwrap();
        drop(p1);
        for i in 0..10 {
            push.send(format!("{i}"), 0).unwrap();
        }
        for i in 0..10 {
            assert_eq!(text(&p2.recv(0).unwrap()), format!("{i}"));
        }
    });
}

#[test]
fn blocked_receiver_is_woken_by_an_inproc_send() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("inproc://wake").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect("inproc://wake").unwrap();
        let t = std::thread::spawn(move || text(&pull.recv(0).unwrap()));
        push.send("wake up", 0).unwrap();
        assert_eq!(t.join().unwrap(), "wake up");
    });
}
