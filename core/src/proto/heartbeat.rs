//! ZMTP heartbeats as a sans-IO state machine, timed like libzmq's `zmtp_engine`.
//!
//! Once the handshake is done, a PING goes out every HEARTBEAT_IVL, carrying
//! HEARTBEAT_TTL in deciseconds. After a PING, HEARTBEAT_TIMEOUT (IVL when unset; 0 =
//! none) is armed unless it already is. A PING from the peer with a TTL arms a TTL
//! deadline of `ttl × 100 ms` unless one is armed. Any bytes received from the peer
//! cancel both deadlines (all traffic is a sign of life); when one passes, the
//! connection is dead. While the session does not read (the socket's queue is full),
//! silence proves nothing, so no deadline is kept, as libzmq arms none while its input
//! is stopped.
//!
//! The connection feeds the machine ([`Heartbeat::traffic`], [`Heartbeat::ping_received`]),
//! asks it what to do at "now" ([`Heartbeat::poll`]) and hands the driver
//! [`Heartbeat::timer_to_arm`] to arm a timer for.

use std::time::{Duration, Instant};

/// Heartbeat settings of a connection, from the socket options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeartbeatConfig {
    /// HEARTBEAT_IVL (`None` = no PINGs).
    pub ivl: Option<Duration>,
    /// How long to wait for traffic after a PING (`None` = no limit).
    pub timeout: Option<Duration>,
    /// The TTL sent in our PINGs, in deciseconds.
    pub ttl_deciseconds: u16,
}

impl HeartbeatConfig {
    /// From HEARTBEAT_IVL and HEARTBEAT_TIMEOUT in ms (negative timeout = use IVL; both
    /// validated by the setters) and HEARTBEAT_TTL already in deciseconds.
    pub fn new(ivl_ms: i32, timeout_ms: i32, ttl_deciseconds: u16) -> HeartbeatConfig {
        let ivl = u64::try_from(ivl_ms)
            .ok()
            .filter(|&ms| ms > 0)
            .map(Duration::from_millis);
        let timeout = match u64::try_from(timeout_ms) {
            Ok(ms) => Some(Duration::from_millis(ms)).filter(|d| !d.is_zero()),
            Err(_) => ivl,
        };
        HeartbeatConfig {
            ivl,
            timeout,
            ttl_deciseconds,
        }
    }
}

/// What the session must do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beat {
    /// Nothing.
    Idle,
    /// Send a PING with this TTL (deciseconds) and no context.
    Ping(u16),
    /// The peer has been silent too long: drop the connection.
    Dead,
}

/// The heartbeat state of one established connection.
#[derive(Debug)]
pub(crate) struct Heartbeat {
    cfg: HeartbeatConfig,
    next_ping: Option<Instant>,
    /// Traffic must arrive before this (armed by our PING).
    timeout_at: Option<Instant>,
    /// Traffic must arrive before this (armed by the peer's PING TTL).
    ttl_at: Option<Instant>,
    /// A TTL from a PING received since the last poll, not yet turned into a deadline.
    ttl_pending: Option<Duration>,
    /// The earliest timer armed and not yet fired.
    armed: Option<Instant>,
}

impl Heartbeat {
    /// Starts heartbeating on a connection whose handshake completed at `now`.
    pub fn new(cfg: HeartbeatConfig, now: Instant) -> Heartbeat {
        Heartbeat {
            cfg,
            next_ping: cfg.ivl.and_then(|ivl| now.checked_add(ivl)),
            timeout_at: None,
            ttl_at: None,
            ttl_pending: None,
            armed: None,
        }
    }

    /// Bytes arrived from the peer: it is alive, so both deadlines are cancelled.
    pub fn traffic(&mut self) {
        self.timeout_at = None;
        self.ttl_at = None;
    }

    /// The peer sent a PING with this TTL; the deadline starts at the next poll.
    pub fn ping_received(&mut self, ttl_deciseconds: u16) {
        if ttl_deciseconds > 0 {
            let ttl = Duration::from_millis(u64::from(ttl_deciseconds) * 100);
            self.ttl_pending = Some(ttl);
        }
    }

    /// What to do at `now`; `reading` is false while the session leaves incoming data
    /// unread.
    pub fn poll(&mut self, now: Instant, reading: bool) -> Beat {
        if self.armed.is_some_and(|at| at <= now) {
            self.armed = None;
        }
        let ttl = self.ttl_pending.take();
        if !reading {
            self.traffic();
        } else if let Some(ttl) = ttl {
            if self.ttl_at.is_none() {
                self.ttl_at = now.checked_add(ttl);
            }
        }
        let due = |at: Option<Instant>| at.is_some_and(|at| at <= now);
        if due(self.timeout_at) || due(self.ttl_at) {
            return Beat::Dead;
        }
        match (self.cfg.ivl, self.next_ping) {
            (Some(ivl), Some(at)) if at <= now => {
                self.next_ping = now.checked_add(ivl);
                if reading && self.timeout_at.is_none() {
                    self.timeout_at = self.cfg.timeout.and_then(|t| now.checked_add(t));
                }
                Beat::Ping(self.cfg.ttl_deciseconds)
            }
            _ => Beat::Idle,
        }
    }

    /// A deadline the session must arm a timer for, if the earliest one is not covered
    /// by a timer already armed. Call after [`Heartbeat::poll`].
    pub fn timer_to_arm(&mut self) -> Option<Instant> {
        let next = [self.next_ping, self.timeout_at, self.ttl_at]
            .into_iter()
            .flatten()
            .min()?;
        if self.armed.is_some_and(|at| at <= next) {
            return None;
        }
        self.armed = Some(next);
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn cfg(ivl: i32, timeout: i32, ttl: u16) -> HeartbeatConfig {
        HeartbeatConfig::new(ivl, timeout, ttl)
    }

    #[test]
    fn config_from_options() {
        let off = cfg(0, -1, 0);
        assert_eq!((off.ivl, off.timeout, off.ttl_deciseconds), (None, None, 0));
        let c = cfg(100, -1, 5);
        let want = (Some(100 * MS), Some(100 * MS), 5);
        assert_eq!((c.ivl, c.timeout, c.ttl_deciseconds), want);
        assert_eq!(cfg(100, 30, 0).timeout, Some(30 * MS));
        assert_eq!(cfg(100, 0, 0).timeout, None);
    }

    #[test]
    fn pings_every_interval_and_times_out_without_traffic() {
        let t0 = Instant::now();
        let mut hb = Heartbeat::new(cfg(100, 250, 20), t0);
        assert_eq!(hb.poll(t0, true), Beat::Idle);
        assert_eq!(hb.timer_to_arm(), Some(t0 + 100 * MS));
        assert_eq!(hb.timer_to_arm(), None, "already armed");
        assert_eq!(hb.poll(t0 + 99 * MS, true), Beat::Idle);
        assert_eq!(hb.poll(t0 + 100 * MS, true), Beat::Ping(20));
        assert_eq!(hb.timer_to_arm(), Some(t0 + 200 * MS));
        // The timeout is armed by the first PING only, not pushed back by later ones.
        assert_eq!(hb.poll(t0 + 200 * MS, true), Beat::Ping(20));
        assert_eq!(hb.timer_to_arm(), Some(t0 + 300 * MS));
        assert_eq!(hb.poll(t0 + 300 * MS, true), Beat::Ping(20));
        assert_eq!(hb.timer_to_arm(), Some(t0 + 350 * MS));
        assert_eq!(hb.poll(t0 + 349 * MS, true), Beat::Idle);
        assert_eq!(hb.poll(t0 + 350 * MS, true), Beat::Dead);
    }

    #[test]
    fn traffic_cancels_the_timeout() {
        let t0 = Instant::now();
        let mut hb = Heartbeat::new(cfg(100, -1, 0), t0);
        assert_eq!(hb.poll(t0 + 100 * MS, true), Beat::Ping(0));
        hb.traffic();
        assert_eq!(hb.poll(t0 + 199 * MS, true), Beat::Idle);
        assert_eq!(hb.poll(t0 + 200 * MS, true), Beat::Ping(0));
        hb.traffic();
        assert_eq!(hb.poll(t0 + 300 * MS, true), Beat::Ping(0));
        // No traffic after this PING: dead one IVL later (timeout defaults to IVL).
        assert_eq!(hb.poll(t0 + 399 * MS, true), Beat::Idle);
        assert_eq!(hb.poll(t0 + 400 * MS, true), Beat::Dead);
    }

    #[test]
    fn peer_ttl_drops_a_silent_peer_even_without_our_pings() {
        let t0 = Instant::now();
        let mut hb = Heartbeat::new(cfg(0, -1, 0), t0);
        assert_eq!(hb.poll(t0, true), Beat::Idle);
        assert_eq!(hb.timer_to_arm(), None, "nothing to time");
        hb.traffic();
        hb.ping_received(3);
        assert_eq!(hb.poll(t0 + 10 * MS, true), Beat::Idle);
        assert_eq!(hb.timer_to_arm(), Some(t0 + 310 * MS));
        // Another PING without TTL change does not push the deadline back unless traffic
        // cancelled it first (as in libzmq, the PING itself is traffic).
        hb.ping_received(3);
        assert_eq!(hb.poll(t0 + 100 * MS, true), Beat::Idle);
        assert_eq!(hb.timer_to_arm(), None);
        hb.traffic();
        hb.ping_received(3);
        assert_eq!(hb.poll(t0 + 200 * MS, true), Beat::Idle);
        assert_eq!(
            hb.timer_to_arm(),
            None,
            "the timer at 310 ms is still armed"
        );
        assert_eq!(hb.poll(t0 + 310 * MS, true), Beat::Idle);
        assert_eq!(hb.timer_to_arm(), Some(t0 + 500 * MS));
        assert_eq!(hb.poll(t0 + 500 * MS, true), Beat::Dead);
    }

    #[test]
    fn zero_ttl_arms_nothing() {
        let t0 = Instant::now();
        let mut hb = Heartbeat::new(cfg(0, -1, 0), t0);
        hb.ping_received(0);
        assert_eq!(hb.poll(t0 + 10 * MS, true), Beat::Idle);
        assert_eq!(hb.timer_to_arm(), None);
    }

    #[test]
    fn largest_ttl_does_not_overflow() {
        let t0 = Instant::now();
        let mut hb = Heartbeat::new(cfg(i32::MAX, i32::MAX, u16::MAX), t0);
        hb.ping_received(u16::MAX);
        assert_eq!(hb.poll(t0, true), Beat::Idle);
        assert_eq!(hb.timer_to_arm(), Some(t0 + 6_553_500 * MS));
    }

    #[test]
    fn zero_timeout_never_drops() {
        let t0 = Instant::now();
        let mut hb = Heartbeat::new(cfg(100, 0, 0), t0);
        for i in 1..10 {
            assert_eq!(hb.poll(t0 + i * 100 * MS, true), Beat::Ping(0));
        }
    }

    #[test]
    fn no_deadline_while_not_reading() {
        let t0 = Instant::now();
        let mut hb = Heartbeat::new(cfg(100, 50, 0), t0);
        assert_eq!(hb.poll(t0 + 100 * MS, true), Beat::Ping(0));
        // Our queue filled up: the armed timeout is dropped and no new one is armed.
        hb.ping_received(1);
        assert_eq!(hb.poll(t0 + 120 * MS, false), Beat::Idle);
        assert_eq!(hb.poll(t0 + 200 * MS, false), Beat::Ping(0));
        assert_eq!(hb.timer_to_arm(), Some(t0 + 300 * MS));
        assert_eq!(hb.poll(t0 + 300 * MS, true), Beat::Ping(0));
        assert_eq!(hb.poll(t0 + 350 * MS, true), Beat::Dead);
    }
}
