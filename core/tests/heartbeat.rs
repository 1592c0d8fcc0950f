//! ZMTP heartbeats (HEARTBEAT_IVL / HEARTBEAT_TIMEOUT / HEARTBEAT_TTL): healthy
//! connections survive long idle periods, silent peers are dropped (connect side
//! reconnects), PINGs carry the configured TTL, and a peer's TTL is honoured.

mod common;

use bytes::BytesMut;
use common::*;
use ferromq::proto::command::{encode_ping, encode_ready, parse_command, Command};
use ferromq::proto::{decode_frame, encode_greeting, Frame, SocketType, MECHANISM_NULL};
use ferromq::{Error, DONTWAIT};
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// A raw TCP peer speaking just enough ZMTP (NULL mechanism) to complete a handshake.
struct RawPeer {
    stream: TcpStream,
    buf: BytesMut,
}

impl RawPeer {
    /// Sends our greeting and READY as `ty`, then reads the peer's greeting and READY.
    fn handshake(stream: TcpStream, ty: SocketType) -> RawPeer {
        let mut peer = RawPeer {
            stream,
            buf: BytesMut::new(),
        };
        let mut out = encode_greeting(&MECHANISM_NULL, false).to_vec();
        encode_ready(ty, None, &mut out);
        peer.stream.write_all(&out).expect("send greeting + READY");
        let deadline = Instant::now() + Duration::from_secs(5);
        while peer.buf.len() < 64 {
            assert!(peer.fill(deadline), "no greeting from ferromq");
        }
        let _greeting = peer.buf.split_to(64);
        let ready = peer.frame(deadline).expect("no READY from ferromq");
        assert!(ready.command && ready.body.starts_with(b"\x05READY"));
        peer
    }

    /// Reads more bytes; false on timeout, EOF or error.
    fn fill(&mut self, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        self.stream.set_read_timeout(Some(left)).unwrap();
        let mut chunk = [0u8; 4096];
        match self.stream.read(&mut chunk) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    /// The next frame, or `None` if none arrives before `deadline`.
    fn frame(&mut self, deadline: Instant) -> Option<Frame> {
        loop {
            if let Some(f) = decode_frame(&mut self.buf, None).expect("bad frame from ferromq") {
                return Some(f);
            }
            if !self.fill(deadline) {
                return None;
            }
        }
    }

    /// The next command that is not a PONG; `None` before `deadline`.
    fn command(&mut self, deadline: Instant) -> Option<Command> {
        loop {
            let f = self.frame(deadline)?;
            assert!(f.command, "unexpected message frame");
            match parse_command(&f.body).expect("bad command from ferromq") {
                Command::Pong { .. } => continue,
                c => return Some(c),
            }
        }
    }

    /// How long until ferromq closes the connection (reading and discarding), or `None`
    /// if it is still open after `timeout`.
    fn wait_closed(&mut self, timeout: Duration) -> Option<Duration> {
        let start = Instant::now();
        let deadline = start + timeout;
        let mut chunk = [0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.stream.set_read_timeout(Some(left)).unwrap();
            match self.stream.read(&mut chunk) {
                Ok(0) => return Some(start.elapsed()),
                Ok(_) => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return None
                }
                Err(_) => return Some(start.elapsed()),
            }
        }
    }
}

/// Accepts one connection within `timeout`.
fn accept_within(listener: &TcpListener, timeout: Duration) -> Option<TcpStream> {
    listener.set_nonblocking(true).unwrap();
    let mut got = None;
    wait_until(timeout, || match listener.accept() {
        Ok((s, _)) => {
            got = Some(s);
            true
        }
        Err(_) => false,
    });
    let s = got?;
    s.set_nonblocking(false).unwrap();
    Some(s)
}

/// Two ferromq sockets with heartbeats (and reconnection disabled, so any drop would be
/// final) stay connected through an idle period of 20 × HEARTBEAT_IVL and deliver.
#[test]
fn heartbeats_keep_a_healthy_connection_up() {
    bounded(Duration::from_secs(30), || {
        let ctx = ferromq::Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_heartbeat_ivl(50).unwrap();
        pull.set_heartbeat_timeout(150).unwrap();
        pull.set_heartbeat_ttl(300).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_heartbeat_ivl(50).unwrap();
        push.set_heartbeat_timeout(150).unwrap();
        push.set_heartbeat_ttl(300).unwrap();
        push.set_reconnect_ivl(-1).unwrap();
        push.connect(&pull.last_endpoint().unwrap()).unwrap();

        for round in 0..4u64 {
            push.send(seq_msg(round), 0).unwrap();
            assert_eq!(seq_of(&recv_ok(&mut pull, "round")), round);
            // Idle: only heartbeats cross the connection now.
            thread::sleep(Duration::from_millis(250));
        }
        push.send(seq_msg(99), 0).unwrap();
        assert_eq!(seq_of(&recv_ok(&mut pull, "after idling")), 99);
    });
}

/// A connect-side socket pings a peer that completed the handshake with the configured
/// TTL; when that peer falls silent it is dropped within HEARTBEAT_TIMEOUT of the first
/// unanswered PING, and the socket connects again.
#[test]
fn silent_peer_is_dropped_and_connect_side_reconnects() {
    bounded(Duration::from_secs(30), || {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let ep = format!("tcp://{}", listener.local_addr().unwrap());
        let ctx = ferromq::Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_heartbeat_ivl(100).unwrap();
        push.set_heartbeat_timeout(300).unwrap();
        push.set_heartbeat_ttl(1250).unwrap();
        push.set_reconnect_ivl(20).unwrap();
        push.connect(&ep).unwrap();

        let first = accept_within(&listener, Duration::from_secs(5)).expect("first connect");
        let mut peer = RawPeer::handshake(first, SocketType::Pull);
        let start = Instant::now();
        let ping = peer.command(start + Duration::from_secs(5));
        let Some(Command::Ping {
            ttl_deciseconds,
            context,
        }) = ping
        else {
            panic!("expected a PING, got {ping:?}");
        };
        assert_eq!(ttl_deciseconds, 12, "TTL 1250 ms travels as 12 deciseconds");
        assert!(context.is_empty());
        let first_ping = start.elapsed();
        assert!(
            first_ping >= Duration::from_millis(90),
            "PING after {first_ping:?}"
        );

        // Silent from now on: we neither answer nor read.
        let second = accept_within(&listener, Duration::from_secs(5));
        let dropped_after = start.elapsed();
        assert!(
            second.is_some(),
            "no reconnection after the heartbeat timeout"
        );
        assert!(
            dropped_after >= first_ping + Duration::from_millis(250),
            "dropped after {dropped_after:?}, before HEARTBEAT_TIMEOUT"
        );
        assert!(
            dropped_after < first_ping + Duration::from_millis(2000),
            "dropped only after {dropped_after:?}"
        );
        assert!(
            peer.wait_closed(Duration::from_secs(2)).is_some(),
            "the silent connection was not closed"
        );
        // The new connection works.
        let mut again = RawPeer::handshake(second.unwrap(), SocketType::Pull);
        push.send("after reconnect", 0).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let f = loop {
            let f = again
                .frame(deadline)
                .expect("no message after reconnecting");
            if !f.command {
                break f;
            }
        };
        assert_eq!(&f.body[..], b"after reconnect");
    });
}

/// A bind-side socket drops an accepted peer that completes the handshake and then
/// stops reading and writing, within HEARTBEAT_TIMEOUT; other peers are unaffected.
#[test]
fn bind_side_drops_a_silent_peer() {
    bounded(Duration::from_secs(30), || {
        let ctx = ferromq::Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_heartbeat_ivl(100).unwrap();
        pull.set_heartbeat_timeout(200).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let addr = ep.trim_start_matches("tcp://");

        let raw = TcpStream::connect(addr).unwrap();
        let mut peer = RawPeer::handshake(raw, SocketType::Push);
        let start = Instant::now();
        let took = peer
            .wait_closed(Duration::from_secs(5))
            .expect("silent peer never dropped");
        assert!(took >= Duration::from_millis(250), "dropped after {took:?}");
        assert!(took < Duration::from_millis(2300), "dropped after {took:?}");
        assert!(start.elapsed() >= took);

        // A healthy peer still gets through.
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("ok", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "healthy peer")[..], b"ok");
    });
}

/// A peer that sends PING with a TTL (and then falls silent) is dropped after that TTL,
/// even though this socket sends no heartbeats of its own; its PING context is echoed.
#[test]
fn peer_ttl_is_honoured() {
    bounded(Duration::from_secs(30), || {
        let ctx = ferromq::Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let addr = pull.last_endpoint().unwrap();
        let raw = TcpStream::connect(addr.trim_start_matches("tcp://")).unwrap();
        let mut peer = RawPeer::handshake(raw, SocketType::Push);

        let mut ping = Vec::new();
        encode_ping(4, b"ctx", &mut ping);
        peer.stream.write_all(&ping).unwrap();
        let start = Instant::now();
        let f = peer.frame(start + Duration::from_secs(5)).expect("no PONG");
        assert_eq!(
            parse_command(&f.body).unwrap(),
            Command::Pong {
                context: bytes::Bytes::from_static(b"ctx")
            }
        );
        let took = peer
            .wait_closed(Duration::from_secs(5))
            .expect("peer with TTL 400 ms never dropped");
        let total = start.elapsed();
        assert!(
            total >= Duration::from_millis(380),
            "dropped after {total:?}"
        );
        assert!(took < Duration::from_millis(2400), "dropped after {took:?}");
        assert_eq!(pull.recv(DONTWAIT).unwrap_err(), Error::Again);
    });
}

/// A blocked receive on a socket with one connection waits on that connection's stream
/// itself, and the I/O thread's poller stops watching the stream for reading meanwhile:
/// the heartbeat timer still runs there, so a peer that falls silent is dropped while the
/// receive waits, and the receive then takes a message from a healthy peer.
#[test]
fn a_silent_peer_is_dropped_while_a_receive_waits_on_its_connection() {
    bounded(Duration::from_secs(30), || {
        let ctx = ferromq::Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_heartbeat_ivl(100).unwrap();
        pull.set_heartbeat_timeout(300).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let raw = TcpStream::connect(ep.trim_start_matches("tcp://")).unwrap();
        let mut peer = RawPeer::handshake(raw, SocketType::Push);
        // One message (a short frame "one"), so that the connection is in its traffic
        // phase and lent to the receive.
        peer.stream.write_all(&[0x00, 3, b'o', b'n', b'e']).unwrap();
        assert_eq!(&recv_ok(&mut pull, "the first message")[..], b"one");
        let receive = thread::spawn(move || {
            let got = pull.recv(0);
            (pull, got)
        });
        assert!(
            peer.wait_closed(Duration::from_secs(5)).is_some(),
            "the silent peer was not dropped while a receive waited"
        );
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("ok", 0).unwrap();
        let (_pull, got) = receive.join().unwrap();
        assert_eq!(&got.expect("the healthy peer's message")[..], b"ok");
    });
}
