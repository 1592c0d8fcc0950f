//! The monitor events sockets emit, checked against what libzmq 4.3.5 emits for the same
//! situations (sequences observed with pyzmq's `get_monitor_socket`).
//!
//! The sink is installed directly on the socket's monitor slot, and is a PAIR connected
//! over TCP to a PAIR the test reads from, so these tests need neither `Socket::monitor`
//! nor inproc.

use super::Socket;
use crate::monitor::*;
use crate::{Context, SocketType};
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// One event: number, value, endpoint.
type Event = (u16, u32, String);

/// A socket of type `ty` whose events can be read from the returned PAIR.
fn monitored(ctx: &Context, ty: SocketType) -> (Socket, Socket) {
    let mut reader = ctx.socket(SocketType::Pair).unwrap();
    reader.set_linger(0).unwrap();
    reader.set_rcvtimeo(5000).unwrap();
    reader.bind("tcp://127.0.0.1:*").unwrap();
    let mut sink = ctx.socket(SocketType::Pair).unwrap();
    sink.set_linger(0).unwrap();
    sink.set_sndtimeo(5000).unwrap();
    sink.connect(&reader.last_endpoint().unwrap()).unwrap();
    // Make sure the link is up, so that no event is dropped for lack of a peer.
    sink.send("up", 0).unwrap();
    assert_eq!(&reader.recv(0).unwrap()[..], b"up");
    let mut s = ctx.socket(ty).unwrap();
    s.set_linger(0).unwrap();
    s.shared.monitor.start(sink, EVENT_ALL);
    (s, reader)
}

fn next_event(reader: &mut Socket) -> Event {
    let parts = reader
        .recv_multipart(0)
        .expect("no monitor event within 5 s");
    assert_eq!(parts.len(), 2);
    let head = &parts[0][..];
    assert_eq!(head.len(), 6);
    let event = u16::from_le_bytes([head[0], head[1]]);
    let value = u32::from_le_bytes([head[2], head[3], head[4], head[5]]);
    let endpoint = String::from_utf8(parts[1].to_vec()).unwrap();
    (event, value, endpoint)
}

/// The next `n` events.
fn events(reader: &mut Socket, n: usize) -> Vec<Event> {
    (0..n).map(|_| next_event(reader)).collect()
}

fn kinds(evs: &[Event]) -> Vec<u16> {
    evs.iter().map(|e| e.0).collect()
}

fn run_bounded(body: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let h = std::thread::spawn(move || {
        body();
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(p) = h.join() {
                std::panic::resume_unwind(p);
            }
        }
        Err(_) => panic!("monitor test did not finish within 30 s"),
    }
}

/// A loopback endpoint where nobody listens.
fn refused_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("tcp://127.0.0.1:{port}")
}

#[test]
fn refused_tcp_connect_is_delayed_closed_retried() {
    run_bounded(|| {
        let ctx = Context::new();
        let (mut s, mut mon) = monitored(&ctx, SocketType::Push);
        s.set_reconnect_ivl(100).unwrap();
        let ep = refused_endpoint();
        s.connect(&ep).unwrap();
        let evs = events(&mut mon, 3);
        assert_eq!(
            kinds(&evs),
            [EVENT_CONNECT_DELAYED, EVENT_CLOSED, EVENT_CONNECT_RETRIED]
        );
        assert_eq!(evs[0].1, libc::EINPROGRESS as u32);
        // RECONNECT_IVL plus a jitter below RECONNECT_IVL.
        assert!((100..200).contains(&evs[2].1), "{evs:?}");
        assert!(evs.iter().all(|e| e.2 == ep));
    });
}

#[test]
fn missing_ipc_path_is_closed_and_retried_without_delay_event() {
    run_bounded(|| {
        let ctx = Context::new();
        let (mut s, mut mon) = monitored(&ctx, SocketType::Push);
        s.set_reconnect_ivl(100).unwrap();
        let ep = format!("ipc:///tmp/ferromq-missing-{}/x.sock", std::process::id());
        s.connect(&ep).unwrap();
        let evs = events(&mut mon, 2);
        assert_eq!(kinds(&evs), [EVENT_CLOSED, EVENT_CONNECT_RETRIED]);
        assert!(evs.iter().all(|e| e.2 == ep));
    });
}

/// Both sides of one connection over `bind_ep`, then the connect side losing it.
fn connection_lifecycle(bind_ep: &str, delayed: bool) {
    let ctx = Context::new();
    let (mut server, mut smon) = monitored(&ctx, SocketType::Pull);
    server.bind(bind_ep).unwrap();
    let ep = server.last_endpoint().unwrap();
    let listening = next_event(&mut smon);
    assert_eq!((listening.0, &listening.2), (EVENT_LISTENING, &ep));

    let (mut client, mut cmon) = monitored(&ctx, SocketType::Push);
    client.set_reconnect_ivl(100).unwrap();
    client.connect(&ep).unwrap();
    let want: &[u16] = match delayed {
        true => &[
            EVENT_CONNECT_DELAYED,
            EVENT_CONNECTED,
            EVENT_HANDSHAKE_SUCCEEDED,
        ],
        false => &[EVENT_CONNECTED, EVENT_HANDSHAKE_SUCCEEDED],
    };
    let cevs = events(&mut cmon, want.len());
    assert_eq!(kinds(&cevs), want);
    assert!(cevs.iter().all(|e| e.2 == ep));
    let client_fd = cevs[want.len() - 2].1;
    assert!(client_fd > 0);

    let sevs = events(&mut smon, 2);
    assert_eq!(kinds(&sevs), [EVENT_ACCEPTED, EVENT_HANDSHAKE_SUCCEEDED]);
    assert!(sevs.iter().all(|e| e.2 == ep));
    assert_eq!(sevs[1].1, 0);

    // Unbinding closes the listener (CLOSED) and the accepted connection (no event on
    // the bind side, as in libzmq); the connect side sees DISCONNECTED then a retry.
    server.unbind(&ep).unwrap();
    let closed = next_event(&mut smon);
    assert_eq!((closed.0, &closed.2), (EVENT_CLOSED, &ep));
    assert_eq!(closed.1, listening.1, "CLOSED names the listening fd");
    let lost = events(&mut cmon, 2);
    assert_eq!(kinds(&lost), [EVENT_DISCONNECTED, EVENT_CONNECT_RETRIED]);
    assert_eq!(lost[0].1, client_fd);
}

#[test]
fn tcp_connection_lifecycle() {
    run_bounded(|| connection_lifecycle("tcp://127.0.0.1:*", true));
}

#[test]
fn ipc_connection_lifecycle() {
    run_bounded(|| {
        let path = format!("/tmp/ferromq-mon-{}.sock", std::process::id());
        connection_lifecycle(&format!("ipc://{path}"), false);
        let _ = std::fs::remove_file(path);
    });
}

#[test]
fn accepted_connection_that_ends_is_disconnected() {
    run_bounded(|| {
        let ctx = Context::new();
        let (mut server, mut smon) = monitored(&ctx, SocketType::Pull);
        server.bind("tcp://127.0.0.1:*").unwrap();
        let ep = server.last_endpoint().unwrap();
        assert_eq!(next_event(&mut smon).0, EVENT_LISTENING);
        let mut client = ctx.socket(SocketType::Push).unwrap();
        client.set_linger(0).unwrap();
        client.connect(&ep).unwrap();
        let up = events(&mut smon, 2);
        assert_eq!(kinds(&up), [EVENT_ACCEPTED, EVENT_HANDSHAKE_SUCCEEDED]);
        drop(client);
        let down = next_event(&mut smon);
        assert_eq!((down.0, down.1), (EVENT_DISCONNECTED, up[0].1));
    });
}

#[test]
fn bind_failure_names_the_address_without_scheme() {
    run_bounded(|| {
        let ctx = Context::new();
        let mut first = ctx.socket(SocketType::Pull).unwrap();
        first.bind("tcp://127.0.0.1:*").unwrap();
        let ep = first.last_endpoint().unwrap();
        let (mut s, mut mon) = monitored(&ctx, SocketType::Pull);
        assert!(s.bind(&ep).is_err());
        let ev = next_event(&mut mon);
        assert_eq!(ev.0, EVENT_BIND_FAILED);
        assert_eq!(ev.1, libc::EADDRINUSE as u32);
        assert_eq!(ev.2, ep.trim_start_matches("tcp://"));
    });
}

/// A raw TCP peer connected to a monitored PULL (the events up to ACCEPTED are read).
fn raw_peer(handshake_ivl: i32) -> (Context, Socket, Socket, TcpStream) {
    let ctx = Context::new();
    let (mut server, mut mon) = monitored(&ctx, SocketType::Pull);
    server.set_handshake_ivl(handshake_ivl).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let ep = server.last_endpoint().unwrap();
    assert_eq!(next_event(&mut mon).0, EVENT_LISTENING);
    let raw = TcpStream::connect(ep.trim_start_matches("tcp://")).unwrap();
    assert_eq!(next_event(&mut mon).0, EVENT_ACCEPTED);
    (ctx, server, mon, raw)
}

#[test]
fn handshake_timeout_fails_without_detail() {
    run_bounded(|| {
        let (_ctx, _server, mut mon, _raw) = raw_peer(100);
        let started = Instant::now();
        let evs = events(&mut mon, 2);
        assert_eq!(
            kinds(&evs),
            [EVENT_HANDSHAKE_FAILED_NO_DETAIL, EVENT_DISCONNECTED]
        );
        assert_eq!(evs[0].1, libc::EAGAIN as u32);
        assert!(started.elapsed() < Duration::from_secs(5));
    });
}

#[test]
fn peer_closing_during_handshake_fails_without_detail() {
    run_bounded(|| {
        let (_ctx, _server, mut mon, raw) = raw_peer(30_000);
        drop(raw);
        let evs = events(&mut mon, 2);
        assert_eq!(
            kinds(&evs),
            [EVENT_HANDSHAKE_FAILED_NO_DETAIL, EVENT_DISCONNECTED]
        );
        assert!(
            [libc::EPIPE as u32, libc::ECONNRESET as u32].contains(&evs[0].1),
            "{evs:?}"
        );
    });
}

#[test]
fn mechanism_mismatch_is_a_protocol_failure() {
    run_bounded(|| {
        let (_ctx, _server, mut mon, mut raw) = raw_peer(30_000);
        let mut greeting = [0u8; 64];
        greeting[0] = 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = 3;
        greeting[11] = 1;
        greeting[12..17].copy_from_slice(b"BOGUS");
        raw.write_all(&greeting).unwrap();
        let evs = events(&mut mon, 2);
        assert_eq!(
            kinds(&evs),
            [EVENT_HANDSHAKE_FAILED_PROTOCOL, EVENT_DISCONNECTED]
        );
        // ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH, as libzmq reports it.
        assert_eq!(evs[0].1, 0x1100_0002);
    });
}

#[test]
fn incompatible_socket_type_is_only_disconnected() {
    run_bounded(|| {
        let ctx = Context::new();
        let (mut server, mut mon) = monitored(&ctx, SocketType::Push);
        server.bind("tcp://127.0.0.1:*").unwrap();
        let ep = server.last_endpoint().unwrap();
        assert_eq!(next_event(&mut mon).0, EVENT_LISTENING);
        let mut client = ctx.socket(SocketType::Push).unwrap();
        client.set_linger(0).unwrap();
        client.connect(&ep).unwrap();
        // libzmq: ACCEPTED, then DISCONNECTED without any HANDSHAKE_FAILED_* event.
        let evs = events(&mut mon, 2);
        assert_eq!(kinds(&evs), [EVENT_ACCEPTED, EVENT_DISCONNECTED]);
        assert_eq!(evs[0].1, evs[1].1);
    });
}
