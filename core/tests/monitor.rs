//! Socket monitor events: order and values for connect, accept, handshake, disconnect.

mod common;

use common::{bounded, socket};
use ferromq::monitor::{Event, EventKind, MonitorStream, EVENT_ALL};
use ferromq::{Context, Error, SocketType};
use std::io::Write;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// Reads events until `last` arrives (failing after 10 s without it).
fn events_until(stream: &mut MonitorStream, last: EventKind) -> Vec<Event> {
    stream.socket().set_rcvtimeo(10_000).unwrap();
    let mut seen = Vec::new();
    loop {
        match stream.recv(0) {
            Ok(ev) => {
                let done = ev.kind == last;
                seen.push(ev);
                if done {
                    return seen;
                }
            }
            Err(e) => panic!("no {last:?} after {seen:?}: {e}"),
        }
    }
}

fn kinds(evs: &[Event]) -> Vec<EventKind> {
    evs.iter().map(|e| e.kind).collect()
}

/// Whether `want` occurs in `got` in this order (other events may come between).
fn in_order(got: &[EventKind], want: &[EventKind]) -> bool {
    let mut it = got.iter();
    want.iter().all(|w| it.any(|g| g == w))
}

#[test]
fn connect_side_events_in_order() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        let mut events = push.monitor_stream(EVENT_ALL).unwrap();
        push.connect(&ep).unwrap();
        let up = events_until(&mut events, EventKind::HandshakeSucceeded);
        assert!(
            in_order(
                &kinds(&up),
                &[EventKind::Connected, EventKind::HandshakeSucceeded]
            ),
            "{up:?}"
        );
        assert!(up.iter().all(|e| e.endpoint == ep), "{up:?}");
        let connected = up.iter().find(|e| e.kind == EventKind::Connected).unwrap();
        assert!(connected.value > 2, "the value is the connection's fd");

        drop(pull);
        let down = events_until(&mut events, EventKind::ConnectRetried);
        assert!(
            in_order(
                &kinds(&down),
                &[EventKind::Disconnected, EventKind::ConnectRetried]
            ),
            "{down:?}"
        );
        let retried = down.last().unwrap();
        assert!(
            retried.value >= 100,
            "the reconnect delay in ms: {retried:?}"
        );
    });
}

#[test]
fn bind_side_events_in_order_and_monitor_stopped_at_close() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        let mut events = pull.monitor_stream(EVENT_ALL).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let listening = events_until(&mut events, EventKind::Listening);
        assert_eq!(listening.last().unwrap().endpoint, ep);

        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("x", 0).unwrap();
        assert_eq!(&pull.recv(0).unwrap()[..], b"x");
        let up = events_until(&mut events, EventKind::HandshakeSucceeded);
        assert!(
            in_order(
                &kinds(&up),
                &[EventKind::Accepted, EventKind::HandshakeSucceeded]
            ),
            "{up:?}"
        );
        drop(push);
        events_until(&mut events, EventKind::Disconnected);
        pull.unbind(&ep).unwrap();
        let closed = events_until(&mut events, EventKind::Closed);
        assert_eq!(closed.last().unwrap().endpoint, ep);
        // Closing a socket that still listens: CLOSED, then MONITOR_STOPPED (libzmq).
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep2 = pull.last_endpoint().unwrap();
        events_until(&mut events, EventKind::Listening);
        drop(pull);
        let end = events_until(&mut events, EventKind::MonitorStopped);
        assert_eq!(
            kinds(&end),
            [EventKind::Closed, EventKind::MonitorStopped],
            "{end:?}"
        );
        assert_eq!(end[0].endpoint, ep2);
    });
}

#[test]
fn handshake_failure_and_bind_failure_are_reported() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        let mut events = pull.monitor_stream(EVENT_ALL).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let addr = ep.trim_start_matches("tcp://").to_string();
        let mut raw = std::net::TcpStream::connect(&addr).unwrap();
        raw.write_all(&[0x42; 64]).unwrap(); // not a ZMTP greeting
        let evs = events_until(&mut events, EventKind::Disconnected);
        // A garbage greeting has no ZMTP error code: libzmq reports only the disconnect.
        let ks = kinds(&evs);
        assert!(
            in_order(&ks, &[EventKind::Accepted, EventKind::Disconnected]),
            "{evs:?}"
        );
        assert!(!ks.contains(&EventKind::HandshakeSucceeded), "{evs:?}");

        let mut other = socket(&ctx, SocketType::Pull);
        let mut other_events = other.monitor_stream(EVENT_ALL).unwrap();
        assert_eq!(other.bind(&ep), Err(Error::AddrInUse));
        let failed = events_until(&mut other_events, EventKind::BindFailed);
        assert_eq!(failed.last().unwrap().value, libc::EADDRINUSE as u32);
    });
}

#[test]
fn ipc_connection_events() {
    bounded(LIMIT, || {
        let dir = std::env::temp_dir().join(format!("ferromq-monitor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ep = format!("ipc://{}/sock", dir.display());
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        let mut events = pull.monitor_stream(EVENT_ALL).unwrap();
        pull.bind(&ep).unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        let evs = events_until(&mut events, EventKind::HandshakeSucceeded);
        assert!(
            in_order(
                &kinds(&evs),
                &[
                    EventKind::Listening,
                    EventKind::Accepted,
                    EventKind::HandshakeSucceeded
                ]
            ),
            "{evs:?}"
        );
        drop((push, pull));
        let _ = std::fs::remove_dir_all(&dir);
    });
}

#[test]
fn monitor_endpoint_must_be_inproc_and_can_be_stopped() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut s = socket(&ctx, SocketType::Pull);
        assert_eq!(
            s.monitor(Some("tcp://127.0.0.1:5555"), EVENT_ALL),
            Err(Error::ProtoNoSupport)
        );
        s.monitor(Some("inproc://mon"), EVENT_ALL).unwrap();
        let mut reader = socket(&ctx, SocketType::Pair);
        reader.connect("inproc://mon").unwrap();
        s.monitor(None, 0).unwrap();
        let parts = reader.recv_multipart(0).unwrap();
        let ev = Event::parse(&parts[0], &parts[1]).unwrap();
        assert_eq!(ev.kind, EventKind::MonitorStopped);
    });
}
