//! PING/PONG, heartbeat timeout and TTL, and the handshake deadline, on the fake clock.

use std::time::{Duration, Instant};

use super::util::{config, Pair};
use crate::proto::connection::{ConnectionConfig, ConnectionError};
use crate::proto::heartbeat::HeartbeatConfig;
use crate::proto::SocketType;

const MS: Duration = Duration::from_millis(1);

/// A with HEARTBEAT_IVL 100 ms, TIMEOUT `timeout_ms` and TTL `ttl_ds`; B plain.
fn heartbeating(timeout_ms: i32, ttl_ds: u16) -> Pair {
    let mut a = config(SocketType::Dealer);
    a.heartbeat = HeartbeatConfig::new(100, timeout_ms, ttl_ds);
    let mut p = Pair::new(a, config(SocketType::Dealer));
    p.run();
    assert!(p.a.connected() && p.b.connected());
    // Arm A's first PING, as a driver would after the handshake.
    let _ = p.a.conn.poll_timeout();
    p
}

#[test]
fn ping_gets_pong_and_keeps_the_connection() {
    let mut p = heartbeating(250, 0);
    let sent_before = p.b.sent.len();
    p.advance(100 * MS);
    assert!(p.a.sent.ends_with(b"\x04\x07\x04PING\x00\x00"));
    assert!(p.b.sent[sent_before..].ends_with(b"\x04\x05\x04PONG"));
    // The PONG is traffic: no timeout however long this goes on.
    for _ in 0..10 {
        p.advance(100 * MS);
    }
    assert_eq!((&p.a.error, &p.b.error), (&None, &None));
}

#[test]
fn silent_peer_times_out() {
    let mut p = heartbeating(250, 0);
    p.b.hold = true; // B's PONGs never arrive
    p.advance(100 * MS); // PING; timeout armed for 350 ms
    p.advance(200 * MS);
    assert_eq!(p.a.error, None);
    p.advance(49 * MS);
    assert_eq!(p.a.error, None);
    p.advance(MS);
    assert_eq!(p.a.error, Some(ConnectionError::HeartbeatExpired));
}

#[test]
fn ttl_ends_the_peer_that_hears_nothing() {
    // A's PINGs carry a TTL of 1 s (10 ds); B drops A once A goes silent that long.
    let mut p = heartbeating(0, 10);
    p.advance(100 * MS);
    assert!(p.a.sent.ends_with(b"\x04\x07\x04PING\x00\x0a"));
    // B takes its timers: the TTL deadline starts now.
    p.a.hold = true;
    p.advance(MS);
    p.advance(999 * MS);
    assert_eq!(p.b.error, None);
    p.advance(MS);
    assert_eq!(p.b.error, Some(ConnectionError::HeartbeatExpired));
}

#[test]
fn handshake_deadline() {
    let origin = Instant::now();
    let deadline = origin + 500 * MS;
    let a = ConnectionConfig {
        handshake_deadline: Some(deadline),
        ..config(SocketType::Push)
    };
    let mut p = Pair::starting_at(origin, a, config(SocketType::Pull));
    assert_eq!(p.a.conn.poll_timeout(), Some(deadline));
    assert_eq!(p.a.conn.poll_timeout(), None, "handed out once");
    p.b.hold = true; // B's greeting never comes
    p.advance(499 * MS);
    assert_eq!(p.a.error, None);
    p.advance(MS);
    assert_eq!(p.a.error, Some(ConnectionError::HandshakeTimeout));
}

#[test]
fn no_deadline_once_established() {
    let origin = Instant::now();
    let a = ConnectionConfig {
        handshake_deadline: Some(origin + 10 * MS),
        ..config(SocketType::Push)
    };
    let mut p = Pair::starting_at(origin, a, config(SocketType::Pull));
    p.run();
    assert!(p.a.connected());
    p.advance(Duration::from_secs(60));
    assert_eq!(p.a.error, None);
}
