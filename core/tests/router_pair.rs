//! ROUTER and PAIR over TCP loopback: routing ids (announced, generated, given with
//! CONNECT_ROUTING_ID), ROUTER_MANDATORY, a ROUTER/DEALER broker under many concurrent
//! requests, and PAIR's single peer.

mod common;

use common::{bound, bounded, parts, socket};
use ferromq::{Context, Error, SocketType, DONTWAIT, SNDMORE};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn router_prefixes_announced_and_generated_ids_and_routes_replies() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut router, ep) = bound(&ctx, SocketType::Router);
        let mut named = socket(&ctx, SocketType::Dealer);
        named.set_routing_id(b"named").unwrap();
        named.connect(&ep).unwrap();
        let mut anon = socket(&ctx, SocketType::Req);
        anon.connect(&ep).unwrap();
        named.send("from-named", 0).unwrap();
        anon.send("from-req", 0).unwrap();
        let mut got = [parts(&mut router), parts(&mut router)];
        got.sort_by_key(|p| p.len());
        assert_eq!(got[0], vec![b"named".to_vec(), b"from-named".to_vec()]);
        let req_id = got[1][0].clone();
        assert_eq!(req_id.len(), 5, "generated ids are 5 bytes");
        assert_eq!(req_id[0], 0);
        assert_eq!(&got[1][1..], &[vec![], b"from-req".to_vec()]);
        router
            .send_multipart([&req_id[..], b"", b"to-req"], 0)
            .unwrap();
        router
            .send_multipart([&b"named"[..], b"to-named"], 0)
            .unwrap();
        assert_eq!(anon.recv(0).unwrap().as_bytes(), b"to-req");
        assert_eq!(named.recv(0).unwrap().as_bytes(), b"to-named");
    });
}

#[test]
fn router_mandatory_reports_unroutable_messages() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut router, _ep) = bound(&ctx, SocketType::Router);
        // Without MANDATORY the message is silently dropped.
        router.send_multipart(["ghost", "x"], 0).unwrap();
        router.set_router_mandatory(true).unwrap();
        let err = router.send("ghost", SNDMORE).unwrap_err();
        assert_eq!(err, Error::HostUnreach);
        assert_eq!(err.errno(), 113);
    });
}

#[test]
fn connect_routing_id_names_the_peer_before_it_answers() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut dealer, ep) = bound(&ctx, SocketType::Dealer);
        let mut router = socket(&ctx, SocketType::Router);
        router.set_connect_routing_id(b"backend").unwrap();
        router.connect(&ep).unwrap();
        router.send_multipart(["backend", "hello"], 0).unwrap();
        assert_eq!(dealer.recv(0).unwrap().as_bytes(), b"hello");
        dealer.send("back", 0).unwrap();
        assert_eq!(
            parts(&mut router),
            vec![b"backend".to_vec(), b"back".to_vec()]
        );
        // ROUTER and REP (a ROUTER inside, in libzmq) have it; other types do not.
        let mut rep = socket(&ctx, SocketType::Rep);
        rep.set_connect_routing_id(b"x").unwrap();
        let mut dealer2 = socket(&ctx, SocketType::Dealer);
        assert_eq!(
            dealer2.set_connect_routing_id(b"x").unwrap_err(),
            Error::Invalid
        );
    });
}

#[test]
fn router_dealer_broker_forwards_many_concurrent_requests() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut frontend, fe) = bound(&ctx, SocketType::Router);
        let (mut backend, be) = bound(&ctx, SocketType::Dealer);
        const CLIENTS: usize = 8;
        const REQUESTS: usize = 200;
        let workers: Vec<_> = (0..3)
            .map(|w| {
                let ctx = ctx.clone();
                let be = be.clone();
                std::thread::spawn(move || {
                    let mut rep = socket(&ctx, SocketType::Rep);
                    rep.set_rcvtimeo(2000).unwrap();
                    rep.connect(&be).unwrap();
                    while let Ok(req) = rep.recv(0) {
                        let mut reply = req.to_vec();
                        reply.extend_from_slice(format!("/w{w}").as_bytes());
                        rep.send(reply, 0).unwrap();
                    }
                })
            })
            .collect();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let ctx = ctx.clone();
                let fe = fe.clone();
                std::thread::spawn(move || {
                    let mut req = socket(&ctx, SocketType::Req);
                    req.connect(&fe).unwrap();
                    for i in 0..REQUESTS {
                        let q = format!("c{c}-{i}");
                        req.send(q.as_str(), 0).unwrap();
                        let r = req.recv(0).unwrap().to_vec();
                        assert!(r.starts_with(q.as_bytes()), "{q} got {r:?}");
                    }
                })
            })
            .collect();
        // The broker: whole messages, envelopes untouched, in both directions.
        let mut served = 0;
        while served < CLIENTS * REQUESTS {
            let mut moved = false;
            if let Ok(first) = frontend.recv(DONTWAIT) {
                let mut msg = vec![first];
                while msg.last().is_some_and(|m| m.more()) {
                    msg.push(frontend.recv(0).unwrap());
                }
                backend.send_multipart(msg, 0).unwrap();
                moved = true;
            }
            if let Ok(first) = backend.recv(DONTWAIT) {
                let mut msg = vec![first];
                while msg.last().is_some_and(|m| m.more()) {
                    msg.push(backend.recv(0).unwrap());
                }
                frontend.send_multipart(msg, 0).unwrap();
                served += 1;
                moved = true;
            }
            if !moved {
                std::thread::yield_now();
            }
        }
        for c in clients {
            c.join().unwrap();
        }
        for w in workers {
            w.join().unwrap();
        }
    });
}

#[test]
fn pair_accepts_one_peer_only() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut pair, ep) = bound(&ctx, SocketType::Pair);
        let mut first = socket(&ctx, SocketType::Pair);
        first.connect(&ep).unwrap();
        first.send("one", 0).unwrap();
        assert_eq!(pair.recv(0).unwrap().as_bytes(), b"one");
        let mut second = socket(&ctx, SocketType::Pair);
        second.connect(&ep).unwrap();
        second.send("intruder", DONTWAIT).unwrap();
        // Messages keep flowing with the first peer only, in both directions.
        for i in 0..20 {
            pair.send(format!("p{i}"), 0).unwrap();
            assert_eq!(
                first.recv(0).unwrap().to_vec(),
                format!("p{i}").into_bytes()
            );
            first.send(format!("f{i}"), 0).unwrap();
            assert_eq!(pair.recv(0).unwrap().to_vec(), format!("f{i}").into_bytes());
        }
        second.set_rcvtimeo(100).unwrap();
        assert_eq!(second.recv(0).unwrap_err(), Error::Again);
        // The intruder's message never reached the PAIR (it would have shown up in turn).
        assert_eq!(pair.recv(DONTWAIT).unwrap_err(), Error::Again);
    });
}
