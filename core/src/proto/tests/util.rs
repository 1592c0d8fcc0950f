//! Two [`Connection`]s wired back to back in memory, with a fake clock: the bytes one
//! writes wait "on the wire" until the test delivers them, split into chunks of any size,
//! held back, interleaved either way, or corrupted. Nothing touches a socket, a thread or
//! the real clock (after reading it once for an origin).

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::msg::Msg;
use crate::proto::connection::{Connection, ConnectionConfig, ConnectionError, Event};
use crate::proto::heartbeat::HeartbeatConfig;
use crate::proto::{HandshakeConfig, SocketType};

/// A configuration with no limits, no heartbeats and no handshake deadline.
pub(crate) fn config(socket_type: SocketType) -> ConnectionConfig {
    ConnectionConfig {
        handshake: HandshakeConfig::new(socket_type),
        max_frame: u64::MAX >> 1,
        max_parts: None,
        max_msg_bytes: None,
        handshake_deadline: None,
        heartbeat: HeartbeatConfig::new(0, -1, 0),
    }
}

/// One side: its connection and everything it produced.
#[derive(Debug)]
pub(crate) struct Peer {
    pub conn: Connection,
    /// Messages decoded, frames in order (MORE set on all but a message's last).
    pub received: Vec<Msg>,
    pub events: Vec<Event>,
    /// The first error; the side stops processing after it.
    pub error: Option<ConnectionError>,
    /// Complete messages it still takes (its RCVHWM credit).
    pub credit: usize,
    /// What it wrote, ever (for tests that replay a stream).
    pub sent: Vec<u8>,
    /// Written, not yet delivered to the other side.
    wire: Vec<u8>,
    /// Bytes stay on its wire until released.
    pub hold: bool,
}

impl Peer {
    fn new(conn: Connection) -> Peer {
        Peer {
            conn,
            received: Vec::new(),
            events: Vec::new(),
            error: None,
            credit: usize::MAX,
            sent: Vec::new(),
            wire: Vec::new(),
            hold: false,
        }
    }

    /// Moves everything the connection wants to write onto the wire.
    fn transmit(&mut self) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.conn.flush_pending() {
            self.error = Some(e);
            return;
        }
        let before = self.wire.len();
        while self.conn.pending_bytes() > 0 {
            self.conn
                .write_to(&mut self.wire)
                .expect("writing to a Vec cannot fail");
        }
        self.sent.extend_from_slice(&self.wire[before..]);
        self.conn.take_written_messages();
    }

    /// Takes `data` as read from the peer, then runs the handshake and decodes.
    pub fn input(&mut self, data: &[u8], now: Instant) {
        if self.error.is_some() {
            return;
        }
        self.conn.handle_input(data);
        self.process(now);
    }

    /// Runs the handshake and decodes what the credit allows.
    pub fn process(&mut self, now: Instant) {
        if self.error.is_some() {
            return;
        }
        let result = (|| {
            while let Some(e) = self.conn.poll_event(now)? {
                self.events.push(e);
            }
            let n = self
                .conn
                .decode_into(&mut self.received, self.credit, false)?;
            if self.credit != usize::MAX {
                self.credit -= n;
            }
            Ok(())
        })();
        if let Err(e) = result {
            self.error = Some(e);
        }
    }

    /// The peer's socket type from the handshake, if it completed.
    pub fn connected(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, Event::HandshakeSucceeded(_)))
    }
}

/// Which side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    A,
    B,
}

/// Two connections back to back.
#[derive(Debug)]
pub(crate) struct Pair {
    pub a: Peer,
    pub b: Peer,
    /// The fake clock.
    pub now: Instant,
    /// Deliver at most this many bytes per chunk (`usize::MAX` = all at once).
    pub chunk: usize,
    /// Deliver B's bytes before A's in each round.
    pub b_first: bool,
}

impl Pair {
    /// Two connections with these configurations; nothing is exchanged yet.
    pub fn new(a: ConnectionConfig, b: ConnectionConfig) -> Pair {
        Pair::starting_at(Instant::now(), a, b)
    }

    /// The same with the fake clock starting at `now` (for deadlines set in advance).
    pub fn starting_at(now: Instant, a: ConnectionConfig, b: ConnectionConfig) -> Pair {
        Pair {
            a: Peer::new(Connection::new(a)),
            b: Peer::new(Connection::new(b)),
            now,
            chunk: usize::MAX,
            b_first: false,
        }
    }

    /// Two connections of these types, run until they are quiet.
    pub fn connected(a: SocketType, b: SocketType) -> Pair {
        let mut p = Pair::new(config(a), config(b));
        p.run();
        p
    }

    pub fn peer(&mut self, side: Side) -> &mut Peer {
        match side {
            Side::A => &mut self.a,
            Side::B => &mut self.b,
        }
    }

    /// The bytes written by `from` and not delivered yet.
    pub fn wire(&mut self, from: Side) -> &mut Vec<u8> {
        &mut self.peer(from).wire
    }

    /// Moves output to the wires, then delivers one chunk from each unheld side (in the
    /// configured order). Returns whether any byte moved.
    pub fn step(&mut self) -> bool {
        self.a.transmit();
        self.b.transmit();
        let order = match self.b_first {
            false => [Side::A, Side::B],
            true => [Side::B, Side::A],
        };
        let mut moved = false;
        for from in order {
            if !self.peer(from).hold {
                moved |= self.deliver(from, self.chunk);
            }
        }
        moved
    }

    /// Delivers up to `n` bytes written by `from` to the other side, held or not.
    pub fn deliver(&mut self, from: Side, n: usize) -> bool {
        let now = self.now;
        let (src, dst) = match from {
            Side::A => (&mut self.a, &mut self.b),
            Side::B => (&mut self.b, &mut self.a),
        };
        if src.wire.is_empty() {
            return false;
        }
        let n = n.min(src.wire.len());
        let chunk: Vec<u8> = src.wire.drain(..n).collect();
        dst.input(&chunk, now);
        true
    }

    /// Steps until no byte moves.
    pub fn run(&mut self) {
        while self.step() {}
    }

    /// Advances the fake clock and runs both sides' timers (as a driver would when their
    /// deadlines pass), then lets bytes flow.
    pub fn advance(&mut self, d: Duration) {
        self.now += d;
        let now = self.now;
        for p in [&mut self.a, &mut self.b] {
            if p.error.is_some() {
                continue;
            }
            let reading = p.credit > 0;
            if let Err(e) = p.conn.handle_timeout(now, reading) {
                p.error = Some(e);
            }
            while p.conn.poll_timeout().is_some() {}
        }
        self.run();
    }

    /// Queues `msgs` on `side` (which must be connected) and runs.
    pub fn send(&mut self, side: Side, msgs: &[Msg]) {
        for m in msgs {
            self.peer(side).conn.send(m).expect("send");
        }
        self.run();
    }
}

/// A multipart message from its parts.
pub(crate) fn multipart(parts: &[&[u8]]) -> Vec<Msg> {
    let last = parts.len().saturating_sub(1);
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut m = Msg::from(Bytes::copy_from_slice(p));
            m.set_more(i < last);
            m
        })
        .collect()
}

/// Frames as (more, bytes), for comparisons.
pub(crate) fn frames(msgs: &[Msg]) -> Vec<(bool, Vec<u8>)> {
    msgs.iter().map(|m| (m.more(), m.to_vec())).collect()
}
