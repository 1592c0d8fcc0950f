//! REQ/REP over TCP loopback: alternation (EFSM), envelopes, round-robin over REPs,
//! DEALER talking to REP, and a REQ_RELAXED + REQ_CORRELATE client recovering from a
//! lost reply.

mod common;

use common::{bound, bounded, parts, socket};
use ferromq::{Context, Error, SocketType, DONTWAIT};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn req_rep_round_trips_and_enforces_alternation() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut rep, ep) = bound(&ctx, SocketType::Rep);
        let mut req = socket(&ctx, SocketType::Req);
        req.connect(&ep).unwrap();
        assert_eq!(req.recv(DONTWAIT).unwrap_err(), Error::Fsm);
        assert_eq!(rep.send("x", 0).unwrap_err(), Error::Fsm);
        for i in 0..100 {
            req.send_multipart([format!("q{i}").as_str(), "", "tail"], 0)
                .unwrap();
            assert_eq!(req.send("again", 0).unwrap_err(), Error::Fsm);
            let q = parts(&mut rep);
            assert_eq!(
                q,
                vec![format!("q{i}").into_bytes(), vec![], b"tail".to_vec()]
            );
            assert_eq!(rep.recv(DONTWAIT).unwrap_err(), Error::Fsm);
            rep.send_multipart([format!("r{i}").as_str(), "x"], 0)
                .unwrap();
            assert_eq!(
                parts(&mut req),
                vec![format!("r{i}").into_bytes(), b"x".to_vec()]
            );
        }
    });
}

#[test]
fn req_round_robins_over_reps() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut rep1, ep1) = bound(&ctx, SocketType::Rep);
        let (mut rep2, ep2) = bound(&ctx, SocketType::Rep);
        let mut req = socket(&ctx, SocketType::Req);
        // Connect-side pipes exist at once, so the rotation is exact from the start.
        req.connect(&ep1).unwrap();
        req.connect(&ep2).unwrap();
        for i in 0..10 {
            req.send(format!("{i}"), 0).unwrap();
            let rep = if i % 2 == 0 { &mut rep1 } else { &mut rep2 };
            assert_eq!(rep.recv(0).unwrap().to_vec(), format!("{i}").into_bytes());
            rep.send("ok", 0).unwrap();
            assert_eq!(req.recv(0).unwrap().as_bytes(), b"ok");
        }
    });
}

#[test]
fn dealer_talks_to_rep_with_an_explicit_delimiter() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut rep, ep) = bound(&ctx, SocketType::Rep);
        let mut dealer = socket(&ctx, SocketType::Dealer);
        dealer.connect(&ep).unwrap();
        for i in 0..50 {
            dealer.send_multipart(["", &format!("job{i}")], 0).unwrap();
        }
        for i in 0..50 {
            assert_eq!(
                rep.recv(0).unwrap().to_vec(),
                format!("job{i}").into_bytes()
            );
            rep.send(format!("done{i}"), 0).unwrap();
        }
        for i in 0..50 {
            assert_eq!(
                parts(&mut dealer),
                vec![vec![], format!("done{i}").into_bytes()]
            );
        }
    });
}

#[test]
fn relaxed_correlated_req_recovers_from_a_lost_reply() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut silent, ep1) = bound(&ctx, SocketType::Rep);
        let (mut good, ep2) = bound(&ctx, SocketType::Rep);
        let mut req = socket(&ctx, SocketType::Req);
        req.set_req_relaxed(true).unwrap();
        req.set_req_correlate(true).unwrap();
        req.set_rcvtimeo(200).unwrap();
        req.connect(&ep1).unwrap();
        req.connect(&ep2).unwrap();
        req.send("first", 0).unwrap();
        assert_eq!(silent.recv(0).unwrap().as_bytes(), b"first");
        // The reply never comes: the client times out and retries (lazy pirate).
        assert_eq!(req.recv(0).unwrap_err(), Error::Again);
        req.send("retry", 0).unwrap();
        assert_eq!(good.recv(0).unwrap().as_bytes(), b"retry");
        // A late answer to the abandoned request is dropped, the current one accepted.
        silent.send("late", 0).unwrap();
        good.send("answer", 0).unwrap();
        assert_eq!(req.recv(0).unwrap().as_bytes(), b"answer");
        req.set_rcvtimeo(100).unwrap();
        req.send("next", 0).unwrap();
        assert_eq!(silent.recv(0).unwrap().as_bytes(), b"next");
        assert_eq!(
            req.recv(0).unwrap_err(),
            Error::Again,
            "the stale reply was accepted"
        );
    });
}

#[test]
fn req_options_are_refused_on_other_types() {
    let ctx = Context::new();
    let mut rep = socket(&ctx, SocketType::Rep);
    assert_eq!(rep.set_req_relaxed(true).unwrap_err(), Error::Invalid);
    assert_eq!(rep.set_req_correlate(true).unwrap_err(), Error::Invalid);
}
