//! PLAIN, CURVE and ZAP on real sockets (tcp and ipc): the mechanism the options select,
//! a ZAP handler written as a REP socket of the same context, its 200/300/400 answers,
//! the `User-Id` property, libzmq's rules without a handler, and the monitor events.

mod common;

use common::{bounded, socket};
use ferromq::monitor::{Event, EventKind, MonitorStream, EVENT_ALL};
use ferromq::proto::curve::CurveKeyPair;
use ferromq::proto::error_code;
use ferromq::{Context, Socket, SocketType};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// One ZAP request as the handler saw it: domain, address, routing id, mechanism,
/// credentials.
#[derive(Debug)]
struct Seen {
    domain: Vec<u8>,
    address: Vec<u8>,
    mechanism: Vec<u8>,
    credentials: Vec<Vec<u8>>,
}

/// A ZAP handler (REP at `inproc://zeromq.zap.01`) on its own thread: PLAIN passes with
/// password `secret` (user id = user name), CURVE always (user id `curve`), NULL by
/// domain (`deny` → 400, `later` → 300, else 200). Requests are reported on `seen`.
struct Handler {
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
    seen: mpsc::Receiver<Seen>,
}

impl Handler {
    fn start(ctx: &Context) -> Handler {
        let ctx = ctx.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = mpsc::channel();
        let (seen_tx, seen) = mpsc::channel();
        let flag = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            let mut rep = socket(&ctx, SocketType::Rep);
            rep.set_rcvtimeo(20).unwrap();
            rep.bind("inproc://zeromq.zap.01").unwrap();
            ready_tx.send(()).unwrap();
            while !flag.load(Ordering::SeqCst) {
                let Ok(req) = rep.recv_multipart(0) else {
                    continue;
                };
                let f: Vec<Vec<u8>> = req.iter().map(|m| m.as_bytes().to_vec()).collect();
                assert_eq!((&f[0][..], &f[1][..]), (&b"1.0"[..], &b"1"[..]));
                let (status, user): (&[u8], Vec<u8>) = match &f[5][..] {
                    b"PLAIN" if f[7] == b"secret" => (b"200", f[6].clone()),
                    b"PLAIN" => (b"400", Vec::new()),
                    b"CURVE" => (b"200", b"curve".to_vec()),
                    _ if f[2] == b"deny" => (b"400", Vec::new()),
                    _ if f[2] == b"later" => (b"300", Vec::new()),
                    _ => (b"200", b"anonymous".to_vec()),
                };
                let _ = seen_tx.send(Seen {
                    domain: f[2].clone(),
                    address: f[3].clone(),
                    mechanism: f[5].clone(),
                    credentials: f[6..].to_vec(),
                });
                let reply: [&[u8]; 6] = [b"1.0", b"1", status, b"text", &user, b""];
                rep.send_multipart(reply, 0).unwrap();
            }
        });
        ready_rx.recv().unwrap();
        Handler {
            stop,
            thread: Some(thread),
            seen,
        }
    }
}

impl Drop for Handler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads events until one of `kind` arrives (failing after 10 s without it).
fn wait_for(stream: &mut MonitorStream, kind: EventKind) -> Event {
    stream.socket().set_rcvtimeo(10_000).unwrap();
    let mut seen = Vec::new();
    loop {
        match stream.recv(0) {
            Ok(ev) if ev.kind == kind => return ev,
            Ok(ev) => seen.push(ev),
            Err(e) => panic!("no {kind:?} after {seen:?}: {e}"),
        }
    }
}

fn endpoints() -> [&'static str; 2] {
    ["tcp://127.0.0.1:*", "ipc://*"]
}

/// A REP server bound with `setup` applied, and a REQ client connected with `client`.
fn pair(
    ctx: &Context,
    at: &str,
    server: impl FnOnce(&mut Socket),
    client: impl FnOnce(&mut Socket),
) -> (Socket, Socket) {
    let mut rep = socket(ctx, SocketType::Rep);
    server(&mut rep);
    rep.bind(at).unwrap();
    let ep = rep.last_endpoint().unwrap();
    let mut req = socket(ctx, SocketType::Req);
    client(&mut req);
    req.connect(&ep).unwrap();
    (rep, req)
}

fn round_trip(rep: &mut Socket, req: &mut Socket) {
    req.send("ping", 0).unwrap();
    assert_eq!(rep.recv(0).unwrap().as_bytes(), b"ping");
    rep.send("pong", 0).unwrap();
    assert_eq!(req.recv(0).unwrap().as_bytes(), b"pong");
}

fn plain_server(s: &mut Socket) {
    s.set_plain_server(true).unwrap();
}

fn plain_client(password: &'static [u8]) -> impl FnOnce(&mut Socket) {
    move |s| {
        s.set_plain_username(b"admin").unwrap();
        s.set_plain_password(password).unwrap();
    }
}

#[test]
fn plain_with_a_handler_passes_the_user_id_as_a_property() {
    bounded(LIMIT, || {
        for at in endpoints() {
            let ctx = Context::new();
            let handler = Handler::start(&ctx);
            let (mut rep, mut req) = pair(&ctx, at, plain_server, plain_client(b"secret"));
            round_trip(&mut rep, &mut req);
            let meta = rep.last_peer_metadata().unwrap();
            assert_eq!(meta.get("User-Id").map(|v| &v[..]), Some(&b"admin"[..]));
            let seen = handler.seen.recv_timeout(LIMIT).unwrap();
            assert_eq!(seen.mechanism, b"PLAIN");
            assert_eq!(seen.credentials, [b"admin".to_vec(), b"secret".to_vec()]);
            if at.starts_with("tcp") {
                assert_eq!(seen.address, b"127.0.0.1");
            }
        }
    });
}

#[test]
fn plain_with_a_wrong_password_is_refused_with_400_on_both_sides() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let _handler = Handler::start(&ctx);
        let mut rep = socket(&ctx, SocketType::Rep);
        plain_server(&mut rep);
        let mut server_events = rep.monitor_stream(EVENT_ALL).unwrap();
        rep.bind("tcp://127.0.0.1:*").unwrap();
        let ep = rep.last_endpoint().unwrap();
        let mut req = socket(&ctx, SocketType::Req);
        plain_client(b"wrong")(&mut req);
        let mut client_events = req.monitor_stream(EVENT_ALL).unwrap();
        req.connect(&ep).unwrap();
        let ev = wait_for(&mut server_events, EventKind::HandshakeFailedAuth);
        assert_eq!(ev.value, 400);
        let ev = wait_for(&mut client_events, EventKind::HandshakeFailedAuth);
        assert_eq!(ev.value, 400);
        // Whether the refused REQ still has a pipe to queue on depends on whether its
        // session has ended yet (it does not reconnect): either way nothing reaches REP.
        let _ = req.send("x", ferromq::DONTWAIT);
        assert!(rep.recv(ferromq::DONTWAIT).is_err());
    });
}

#[test]
fn plain_without_a_handler_is_refused() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut rep = socket(&ctx, SocketType::Rep);
        plain_server(&mut rep);
        let mut events = rep.monitor_stream(EVENT_ALL).unwrap();
        rep.bind("tcp://127.0.0.1:*").unwrap();
        let ep = rep.last_endpoint().unwrap();
        let mut req = socket(&ctx, SocketType::Req);
        plain_client(b"secret")(&mut req);
        req.connect(&ep).unwrap();
        let ev = wait_for(&mut events, EventKind::HandshakeFailedNoDetail);
        assert_eq!(ev.value, libc::EFAULT as u32);
    });
}

fn curve_server(pair: &CurveKeyPair) -> impl FnOnce(&mut Socket) + '_ {
    move |s| {
        s.set_curve_server(true).unwrap();
        s.set_curve_secretkey(pair.secret().as_bytes()).unwrap();
    }
}

fn curve_client<'a>(
    server_public: &'a [u8; 32],
    own: &'a CurveKeyPair,
) -> impl FnOnce(&mut Socket) + 'a {
    move |s| {
        s.set_curve_serverkey(server_public).unwrap();
        s.set_curve_publickey(own.public().as_bytes()).unwrap();
        s.set_curve_secretkey(own.secret().as_bytes()).unwrap();
    }
}

#[test]
fn curve_works_with_and_without_a_handler() {
    bounded(LIMIT, || {
        let server = CurveKeyPair::generate().unwrap();
        let client = CurveKeyPair::generate().unwrap();
        for at in endpoints() {
            for with_handler in [false, true] {
                let ctx = Context::new();
                let handler = with_handler.then(|| Handler::start(&ctx));
                let (mut rep, mut req) = pair(
                    &ctx,
                    at,
                    curve_server(&server),
                    curve_client(server.public().as_bytes(), &client),
                );
                round_trip(&mut rep, &mut req);
                // 1 MiB and multipart through the encrypted boxes.
                let big = vec![7u8; 1 << 20];
                req.send_multipart([&b"a"[..], &big[..]], 0).unwrap();
                let got = rep.recv_multipart(0).unwrap();
                assert_eq!((got[0].as_bytes(), got[1].len()), (&b"a"[..], 1 << 20));
                let meta = rep.last_peer_metadata().unwrap();
                if let Some(h) = handler {
                    assert_eq!(meta.get("User-Id").map(|v| &v[..]), Some(&b"curve"[..]));
                    let seen = h.seen.recv_timeout(LIMIT).unwrap();
                    assert_eq!(seen.credentials, [client.public().as_bytes().to_vec()]);
                } else {
                    assert!(meta.get("User-Id").is_none());
                }
            }
        }
    });
}

#[test]
fn curve_with_a_wrong_server_key_shows_in_the_monitor() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let server = CurveKeyPair::generate().unwrap();
        let other = CurveKeyPair::generate().unwrap();
        let client = CurveKeyPair::generate().unwrap();
        let mut rep = socket(&ctx, SocketType::Rep);
        curve_server(&server)(&mut rep);
        let mut events = rep.monitor_stream(EVENT_ALL).unwrap();
        rep.bind("tcp://127.0.0.1:*").unwrap();
        let ep = rep.last_endpoint().unwrap();
        let mut req = socket(&ctx, SocketType::Req);
        curve_client(other.public().as_bytes(), &client)(&mut req);
        req.connect(&ep).unwrap();
        let ev = wait_for(&mut events, EventKind::HandshakeFailedProtocol);
        assert_eq!(ev.value, error_code::ZMTP_CRYPTOGRAPHIC);
    });
}

#[test]
fn null_asks_zap_only_with_a_domain() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let handler = Handler::start(&ctx);
        // No domain: no request, the peer is in.
        let (mut rep, mut req) = pair(&ctx, "tcp://127.0.0.1:*", |_| {}, |_| {});
        round_trip(&mut rep, &mut req);
        assert!(handler.seen.try_recv().is_err());
        // A domain: the handler is asked and its user id arrives.
        let (mut rep, mut req) = pair(
            &ctx,
            "tcp://127.0.0.1:*",
            |s| s.set_zap_domain(b"global").unwrap(),
            |_| {},
        );
        round_trip(&mut rep, &mut req);
        let meta = rep.last_peer_metadata().unwrap();
        assert_eq!(meta.get("User-Id").map(|v| &v[..]), Some(&b"anonymous"[..]));
        let seen = handler.seen.recv_timeout(LIMIT).unwrap();
        assert_eq!(
            (seen.domain, seen.mechanism),
            (b"global".to_vec(), b"NULL".to_vec())
        );
    });
}

#[test]
fn null_refusals_400_and_300() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let _handler = Handler::start(&ctx);
        for (domain, code) in [(&b"deny"[..], 400), (&b"later"[..], 300)] {
            let mut rep = socket(&ctx, SocketType::Rep);
            rep.set_zap_domain(domain).unwrap();
            let mut events = rep.monitor_stream(EVENT_ALL).unwrap();
            rep.bind("tcp://127.0.0.1:*").unwrap();
            let ep = rep.last_endpoint().unwrap();
            let mut req = socket(&ctx, SocketType::Req);
            let mut client_events = req.monitor_stream(EVENT_ALL).unwrap();
            req.connect(&ep).unwrap();
            let ev = wait_for(&mut events, EventKind::HandshakeFailedAuth);
            assert_eq!(ev.value, code);
            if code == 400 {
                let ev = wait_for(&mut client_events, EventKind::HandshakeFailedAuth);
                assert_eq!(ev.value, 400);
            }
        }
    });
}

#[test]
fn enforced_domain_without_a_handler_refuses() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        // Without enforcement a domain and no handler let the peer in.
        let (mut rep, mut req) = pair(
            &ctx,
            "tcp://127.0.0.1:*",
            |s| s.set_zap_domain(b"d").unwrap(),
            |_| {},
        );
        round_trip(&mut rep, &mut req);
        let mut rep = socket(&ctx, SocketType::Rep);
        rep.set_zap_domain(b"d").unwrap();
        rep.set_zap_enforce_domain(true).unwrap();
        let mut events = rep.monitor_stream(EVENT_ALL).unwrap();
        rep.bind("tcp://127.0.0.1:*").unwrap();
        let ep = rep.last_endpoint().unwrap();
        let mut req = socket(&ctx, SocketType::Req);
        req.connect(&ep).unwrap();
        let ev = wait_for(&mut events, EventKind::HandshakeFailedNoDetail);
        assert_eq!(ev.value, libc::EFAULT as u32);
    });
}

#[test]
fn a_mechanism_mismatch_is_a_protocol_failure() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let server = CurveKeyPair::generate().unwrap();
        let mut rep = socket(&ctx, SocketType::Rep);
        curve_server(&server)(&mut rep);
        let mut events = rep.monitor_stream(EVENT_ALL).unwrap();
        rep.bind("tcp://127.0.0.1:*").unwrap();
        let ep = rep.last_endpoint().unwrap();
        let mut req = socket(&ctx, SocketType::Req);
        plain_client(b"secret")(&mut req);
        req.connect(&ep).unwrap();
        let ev = wait_for(&mut events, EventKind::HandshakeFailedProtocol);
        assert_eq!(ev.value, error_code::ZMTP_MECHANISM_MISMATCH);
    });
}
