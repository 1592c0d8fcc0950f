//! `proxy` and `proxy_steerable`: forwarding, capture, XSUB/XPUB subscription
//! forwarding, steering and statistics.

mod common;

use common::{bounded, socket, text};
use ferromq::{
    proxy, proxy_echo, proxy_steerable, proxy_steerable_echo, Context, Error, Socket, SocketType,
    DONTWAIT, POLLIN,
};
use std::thread::JoinHandle;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn spawn_proxy(
    mut front: Socket,
    mut back: Socket,
    capture: Option<Socket>,
    control: Option<Socket>,
) -> JoinHandle<ferromq::Result<()>> {
    std::thread::spawn(move || {
        let mut capture = capture;
        let mut control = control;
        proxy_steerable(&mut front, &mut back, capture.as_mut(), control.as_mut())
    })
}

/// Reads the next subscription message an upstream XPUB sees.
fn next_subscription(xpub: &mut Socket) -> Vec<u8> {
    xpub.recv(0).expect("subscription").to_vec()
}

#[test]
fn req_rep_through_a_router_dealer_proxy_with_capture() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut front = socket(&ctx, SocketType::Router);
        front.bind("tcp://127.0.0.1:*").unwrap();
        let front_ep = front.last_endpoint().unwrap();
        let mut back = socket(&ctx, SocketType::Dealer);
        back.bind("inproc://workers").unwrap();
        let mut capture = socket(&ctx, SocketType::Push);
        capture.bind("inproc://capture").unwrap();
        let mut tap = socket(&ctx, SocketType::Pull);
        tap.connect("inproc://capture").unwrap();
        let proxy_thread = spawn_proxy(front, back, Some(capture), None);

        let mut worker = socket(&ctx, SocketType::Rep);
        worker.connect("inproc://workers").unwrap();
        let worker_thread = std::thread::spawn(move || {
            for _ in 0..20 {
                let q = worker.recv(0).unwrap();
                worker.send(format!("re:{}", text(&q)), 0).unwrap();
            }
        });
        let mut req = socket(&ctx, SocketType::Req);
        req.connect(&front_ep).unwrap();
        for i in 0..20 {
            req.send(format!("q{i}"), 0).unwrap();
            assert_eq!(text(&req.recv(0).unwrap()), format!("re:q{i}"));
        }
        worker_thread.join().unwrap();
        // The capture saw every frame of both directions: a request is
        // [routing id, "", body] and a reply the same.
        let mut bodies = Vec::new();
        for _ in 0..40 {
            let parts = tap.recv_multipart(0).unwrap();
            assert_eq!(parts.len(), 3, "whole messages with their envelope");
            bodies.push(text(&parts[2]));
        }
        assert_eq!(bodies[0], "q0");
        assert_eq!(bodies[1], "re:q0");
        ctx.shutdown();
        assert_eq!(proxy_thread.join().unwrap(), Err(Error::Term));
    });
}

#[test]
fn xsub_xpub_proxy_merges_and_cancels_subscriptions_like_libzmq() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        // Upstream publisher is an XPUB, so the test sees what the proxy subscribes.
        let mut upstream = socket(&ctx, SocketType::Xpub);
        upstream.bind("inproc://upstream").unwrap();
        let mut xsub = socket(&ctx, SocketType::Xsub);
        xsub.connect("inproc://upstream").unwrap();
        let mut xpub = socket(&ctx, SocketType::Xpub);
        xpub.bind("tcp://127.0.0.1:*").unwrap();
        let ep = xpub.last_endpoint().unwrap();
        let proxy_thread = spawn_proxy(xpub, xsub, None, None);

        let mut s1 = socket(&ctx, SocketType::Sub);
        s1.connect(&ep).unwrap();
        let mut s2 = socket(&ctx, SocketType::Sub);
        s2.connect(&ep).unwrap();
        s1.set_subscribe(b"A").unwrap();
        assert_eq!(next_subscription(&mut upstream), b"\x01A");
        // The same topic from a second subscriber is merged by the proxy's XPUB.
        s2.set_subscribe(b"A").unwrap();
        s2.set_subscribe(b"B").unwrap();
        assert_eq!(next_subscription(&mut upstream), b"\x01B");

        // Messages flow to both while both are subscribed.
        let deliver = |upstream: &mut Socket, sub: &mut Socket, topic: &str| {
            for _ in 0..200 {
                upstream.send(topic, 0).unwrap();
                while sub.poll(POLLIN, 20).unwrap() == POLLIN {
                    let got = text(&sub.recv(0).unwrap());
                    if got == topic {
                        return got;
                    }
                }
            }
            panic!("{topic} never arrived");
        };
        assert_eq!(deliver(&mut upstream, &mut s1, "A1"), "A1");
        assert_eq!(deliver(&mut upstream, &mut s2, "B1"), "B1");

        // One cancel of a shared topic is not forwarded; the other subscriber still gets it.
        s1.set_unsubscribe(b"A").unwrap();
        while s2.recv(DONTWAIT).is_ok() {}
        assert_eq!(deliver(&mut upstream, &mut s2, "A2"), "A2");
        // A disconnecting subscriber's topics are cancelled: both A and B go upstream.
        drop(s2);
        let mut cancels = [
            next_subscription(&mut upstream),
            next_subscription(&mut upstream),
        ];
        cancels.sort();
        assert_eq!(cancels, [b"\x00A".to_vec(), b"\x00B".to_vec()]);
        ctx.shutdown();
        assert_eq!(proxy_thread.join().unwrap(), Err(Error::Term));
    });
}

#[test]
fn a_stray_message_does_not_stop_an_xsub_xpub_proxy() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut upstream = socket(&ctx, SocketType::Xpub);
        upstream.bind("inproc://up2").unwrap();
        let mut xsub = socket(&ctx, SocketType::Xsub);
        xsub.connect("inproc://up2").unwrap();
        let mut xpub = socket(&ctx, SocketType::Xpub);
        xpub.bind("inproc://down2").unwrap();
        let proxy_thread = spawn_proxy(xpub, xsub, None, None);
        // A raw subscriber that also sends a message that is no subscription.
        let mut raw = socket(&ctx, SocketType::Xsub);
        raw.connect("inproc://down2").unwrap();
        raw.send("stray, not a subscription", 0).unwrap();
        raw.send(&b"\x01T"[..], 0).unwrap();
        // The stray message travels upstream (as in libzmq); the subscription follows.
        let mut got = [
            next_subscription(&mut upstream),
            next_subscription(&mut upstream),
        ];
        got.sort();
        assert_eq!(got[0], b"\x01T");
        assert_eq!(got[1], b"stray, not a subscription");
        upstream.send("T-data", 0).unwrap();
        assert_eq!(text(&raw.recv(0).unwrap()), "T-data");
        assert!(!proxy_thread.is_finished());
        ctx.shutdown();
        assert_eq!(proxy_thread.join().unwrap(), Err(Error::Term));
    });
}

#[test]
fn steerable_pause_resume_statistics_terminate() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut front = socket(&ctx, SocketType::Pull);
        front.bind("inproc://s-in").unwrap();
        let mut back = socket(&ctx, SocketType::Push);
        back.bind("inproc://s-out").unwrap();
        let mut control = socket(&ctx, SocketType::Rep);
        control.bind("inproc://s-control").unwrap();
        let proxy_thread = std::thread::spawn(move || {
            proxy_steerable(&mut front, &mut back, None, Some(&mut control))
        });
        let mut input = socket(&ctx, SocketType::Push);
        input.connect("inproc://s-in").unwrap();
        let mut output = socket(&ctx, SocketType::Pull);
        output.connect("inproc://s-out").unwrap();
        let mut steer = socket(&ctx, SocketType::Req);
        steer.connect("inproc://s-control").unwrap();

        input.send_multipart(["ab", "cde"], 0).unwrap();
        assert_eq!(output.recv_multipart(0).unwrap().len(), 2);

        // A REP control socket answers every command, so a REQ can steer.
        let mut command = |cmd: &str| {
            steer.send(cmd, 0).unwrap();
            steer.recv_multipart(0).unwrap()
        };
        assert_eq!(command("PAUSE").len(), 1);
        input.send("held", 0).unwrap();
        let stats: Vec<u64> = command("STATISTICS")
            .iter()
            .map(|f| u64::from_ne_bytes(f[..].try_into().unwrap()))
            .collect();
        // One 2-part message of 5 bytes went from the frontend to the backend.
        assert_eq!(stats, [1, 5, 0, 0, 0, 0, 1, 5]);
        assert_eq!(
            output.poll(POLLIN, 100).unwrap(),
            0,
            "paused: nothing forwarded"
        );
        assert_eq!(command("no such command").len(), 1);
        command("RESUME");
        assert_eq!(text(&output.recv(0).unwrap()), "held");
        command("TERMINATE");
        assert_eq!(proxy_thread.join().unwrap(), Ok(()));
    });
}

#[test]
fn plain_proxy_returns_eterm_on_shutdown() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut front = socket(&ctx, SocketType::Pull);
        front.bind("inproc://p-in").unwrap();
        let mut back = socket(&ctx, SocketType::Push);
        back.bind("inproc://p-out").unwrap();
        let t = std::thread::spawn(move || proxy(&mut front, &mut back, None));
        ctx.shutdown();
        assert_eq!(t.join().unwrap(), Err(Error::Term));
    });
}

#[test]
fn router_echo_sends_each_message_back_to_its_peer() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut echo = socket(&ctx, SocketType::Router);
        echo.bind("tcp://127.0.0.1:*").unwrap();
        let ep = echo.last_endpoint().unwrap();
        let mut capture = socket(&ctx, SocketType::Pull);
        capture.bind("inproc://echo-capture").unwrap();
        let mut capture_in = socket(&ctx, SocketType::Push);
        capture_in.connect("inproc://echo-capture").unwrap();
        let t = std::thread::spawn(move || proxy_echo(&mut echo, Some(&mut capture_in)));
        let mut a = socket(&ctx, SocketType::Dealer);
        a.connect(&ep).unwrap();
        let mut b = socket(&ctx, SocketType::Req);
        b.connect(&ep).unwrap();
        for i in 0..3 {
            a.send_multipart([format!("a{i}"), "two".into()], 0)
                .unwrap();
            b.send(format!("b{i}"), 0).unwrap();
            let got: Vec<String> = a.recv_multipart(0).unwrap().iter().map(text).collect();
            assert_eq!(got, [format!("a{i}"), "two".to_string()]);
            assert_eq!(text(&b.recv(0).unwrap()), format!("b{i}"));
        }
        // Each frame (routing id included) went to the capture socket too.
        let first = capture.recv_multipart(0).unwrap();
        assert!(first.len() >= 2 && first[0].len() == 5);
        ctx.shutdown();
        assert_eq!(t.join().unwrap(), Err(Error::Term));
    });
}

#[test]
fn steerable_echo_counts_received_for_the_frontend_and_sent_for_the_backend() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut echo = socket(&ctx, SocketType::Rep);
        echo.bind("inproc://echo-rep").unwrap();
        let mut control = socket(&ctx, SocketType::Pair);
        control.bind("inproc://echo-control").unwrap();
        let t =
            std::thread::spawn(move || proxy_steerable_echo(&mut echo, None, Some(&mut control)));
        let mut req = socket(&ctx, SocketType::Req);
        req.connect("inproc://echo-rep").unwrap();
        let mut steer = socket(&ctx, SocketType::Pair);
        steer.connect("inproc://echo-control").unwrap();
        req.send("hello", 0).unwrap();
        assert_eq!(text(&req.recv(0).unwrap()), "hello");
        steer.send("STATISTICS", 0).unwrap();
        let stats: Vec<u64> = steer
            .recv_multipart(0)
            .unwrap()
            .iter()
            .map(|f| u64::from_ne_bytes(f[..].try_into().unwrap()))
            .collect();
        assert_eq!(stats, [1, 5, 0, 0, 0, 0, 1, 5]);
        steer.send("TERMINATE", 0).unwrap();
        assert_eq!(t.join().unwrap(), Ok(()));
    });
}

#[test]
fn a_backend_without_peers_does_not_block_the_proxy_in_a_send() {
    // libzmq's test_proxy_terminate: a SUB->PUSH proxy whose PUSH has no puller still
    // obeys TERMINATE after messages arrived, since it reads the frontend only while the
    // backend can take a message.
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut front = socket(&ctx, SocketType::Sub);
        front.set_subscribe(b"").unwrap();
        front.bind("inproc://t-in").unwrap();
        let mut back = socket(&ctx, SocketType::Push);
        back.bind("inproc://t-out").unwrap();
        let mut control = socket(&ctx, SocketType::Rep);
        control.bind("inproc://t-control").unwrap();
        let proxy_thread = std::thread::spawn(move || {
            proxy_steerable(&mut front, &mut back, None, Some(&mut control))
        });
        // An XPUB, to know when the proxy's subscription has arrived.
        let mut publisher = socket(&ctx, SocketType::Xpub);
        publisher.connect("inproc://t-in").unwrap();
        assert_eq!(publisher.recv(0).unwrap().to_vec(), b"\x01".to_vec());
        let mut steer = socket(&ctx, SocketType::Req);
        steer.connect("inproc://t-control").unwrap();
        for _ in 0..3 {
            publisher.send("This is a test", 0).unwrap();
        }
        // The messages are in the proxy's SUB (inproc queues synchronously) when it polls
        // for this command: the proxy sees both at once, and must not take the messages.
        steer.send("STATISTICS", 0).unwrap();
        let stats = steer.recv_multipart(0).unwrap();
        let frontend_in = u64::from_ne_bytes(stats[0][..].try_into().unwrap());
        assert_eq!(frontend_in, 0, "nothing read while the backend cannot send");
        steer.send("TERMINATE", 0).unwrap();
        steer.recv(0).unwrap();
        assert_eq!(proxy_thread.join().unwrap(), Ok(()));
    });
}
