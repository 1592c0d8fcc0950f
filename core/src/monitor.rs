//! Socket monitoring: the events a socket reports about its connections.
//!
//! As in libzmq, a monitored socket sends each event to a PAIR socket bound on an
//! `inproc://` endpoint, as two frames: 6 bytes (16-bit event number and 32-bit value,
//! little-endian) and then the endpoint the event concerns. Events are produced on
//! whichever thread sees them happen (the I/O thread for connections, the socket's own
//! thread for binds), so the sink sits behind a mutex, and an event that does not fit
//! under the PAIR's high-water mark is dropped rather than blocking an I/O thread.

use crate::socket::{Socket, DONTWAIT, SNDMORE};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// Generates the `EVENT_*` constants and [`EVENTS`] from one list.
macro_rules! events {
    ($($(#[doc = $doc:literal])* $name:ident = $value:literal;)*) => {
        $($(#[doc = $doc])* pub const $name: u16 = $value;)*

        /// Every event with its name (without the `ZMQ_` prefix of C): the table the C
        /// header and the Python constants are checked against.
        ///
        /// ```
        /// use ferromq::monitor::{EVENTS, EVENT_ACCEPTED};
        /// assert!(EVENTS.contains(&("EVENT_ACCEPTED", EVENT_ACCEPTED)));
        /// ```
        pub const EVENTS: &[(&str, u16)] = &[$((stringify!($name), $name),)*];
    };
}

events! {
    /// A connect completed at the transport level (value: the file descriptor).
    EVENT_CONNECTED = 0x0001;
    /// A connect is in progress (value: the errno of the pending connect).
    EVENT_CONNECT_DELAYED = 0x0002;
    /// A reconnect is scheduled (value: the interval in ms).
    EVENT_CONNECT_RETRIED = 0x0004;
    /// A bind succeeded (value: the listening file descriptor).
    EVENT_LISTENING = 0x0008;
    /// A bind failed (value: errno).
    EVENT_BIND_FAILED = 0x0010;
    /// A connection was accepted (value: its file descriptor).
    EVENT_ACCEPTED = 0x0020;
    /// An accept failed (value: errno).
    EVENT_ACCEPT_FAILED = 0x0040;
    /// A listener was closed (value: its file descriptor).
    EVENT_CLOSED = 0x0080;
    /// Closing a listener failed (value: errno).
    EVENT_CLOSE_FAILED = 0x0100;
    /// A connection ended (value: its file descriptor).
    EVENT_DISCONNECTED = 0x0200;
    /// Monitoring stopped; the last event a monitor sends (value: 0).
    EVENT_MONITOR_STOPPED = 0x0400;
    /// Every event.
    EVENT_ALL = 0xFFFF;
    /// The handshake failed for a reason other than protocol or authentication (value: errno).
    EVENT_HANDSHAKE_FAILED_NO_DETAIL = 0x0800;
    /// The ZMTP handshake completed (value: 0).
    EVENT_HANDSHAKE_SUCCEEDED = 0x1000;
    /// The peer broke the ZMTP protocol during the handshake (value: a
    /// `ZMQ_PROTOCOL_ERROR_*` code).
    EVENT_HANDSHAKE_FAILED_PROTOCOL = 0x2000;
    /// The peer failed authentication (value: the status code).
    EVENT_HANDSHAKE_FAILED_AUTH = 0x4000;
}

/// Where a socket's events go, if anywhere.
#[derive(Default)]
pub(crate) struct MonitorSlot {
    /// The events wanted (0 = not monitored), read without the lock on every event.
    mask: AtomicU32,
    sink: Mutex<Option<Socket>>,
}

impl std::fmt::Debug for MonitorSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonitorSlot")
            .field("mask", &self.mask.load(Ordering::Relaxed))
            .finish()
    }
}

impl MonitorSlot {
    /// Reports `event` if it is monitored.
    pub fn emit(&self, event: u16, value: u32, endpoint: &str) {
        if self.mask.load(Ordering::Acquire) & u32::from(event) == 0 {
            return;
        }
        let mut sink = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pair) = sink.as_mut() {
            send_event(pair, event, value, endpoint);
        }
    }

    /// Starts sending the `mask` events to `pair`; a previous monitor is stopped first.
    pub fn start(&self, pair: Socket, mask: u16) {
        let mut sink = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        self.stop_locked(&mut sink);
        *sink = Some(pair);
        self.mask.store(u32::from(mask), Ordering::Release);
    }

    /// Stops monitoring, sending MONITOR_STOPPED when the mask asks for it (as libzmq).
    pub fn stop(&self) {
        let mut sink = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        self.stop_locked(&mut sink);
    }

    fn stop_locked(&self, sink: &mut Option<Socket>) {
        let mask = self.mask.swap(0, Ordering::AcqRel);
        if let Some(mut old) = sink.take() {
            if mask & u32::from(EVENT_MONITOR_STOPPED) != 0 {
                send_event(&mut old, EVENT_MONITOR_STOPPED, 0, "");
            }
        }
    }
}

/// Sends one event as libzmq's two frames, dropping it if the PAIR cannot take it now.
fn send_event(pair: &mut Socket, event: u16, value: u32, endpoint: &str) {
    let mut head = [0u8; 6];
    head[..2].copy_from_slice(&event.to_le_bytes());
    head[2..].copy_from_slice(&value.to_le_bytes());
    if pair.send(&head[..], SNDMORE | DONTWAIT).is_ok() {
        // A PAIR that took the first frame of a message always takes the rest.
        let _ = pair.send(endpoint.as_bytes(), DONTWAIT);
    }
}

/// The kind of a monitor event (libzmq's `ZMQ_EVENT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// `ZMQ_EVENT_CONNECTED`.
    Connected,
    /// `ZMQ_EVENT_CONNECT_DELAYED`.
    ConnectDelayed,
    /// `ZMQ_EVENT_CONNECT_RETRIED`.
    ConnectRetried,
    /// `ZMQ_EVENT_LISTENING`.
    Listening,
    /// `ZMQ_EVENT_BIND_FAILED`.
    BindFailed,
    /// `ZMQ_EVENT_ACCEPTED`.
    Accepted,
    /// `ZMQ_EVENT_ACCEPT_FAILED`.
    AcceptFailed,
    /// `ZMQ_EVENT_CLOSED`.
    Closed,
    /// `ZMQ_EVENT_CLOSE_FAILED`.
    CloseFailed,
    /// `ZMQ_EVENT_DISCONNECTED`.
    Disconnected,
    /// `ZMQ_EVENT_MONITOR_STOPPED`.
    MonitorStopped,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`.
    HandshakeFailedNoDetail,
    /// `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`.
    HandshakeSucceeded,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`.
    HandshakeFailedProtocol,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`.
    HandshakeFailedAuth,
    /// A number this version does not know.
    Other(u16),
}

impl EventKind {
    /// The kind for an event number.
    ///
    /// ```
    /// use ferromq::monitor::{EventKind, EVENT_ACCEPTED};
    /// assert_eq!(EventKind::from_number(EVENT_ACCEPTED), EventKind::Accepted);
    /// assert_eq!(EventKind::from_number(0x8000), EventKind::Other(0x8000));
    /// ```
    pub fn from_number(n: u16) -> EventKind {
        match n {
            EVENT_CONNECTED => EventKind::Connected,
            EVENT_CONNECT_DELAYED => EventKind::ConnectDelayed,
            EVENT_CONNECT_RETRIED => EventKind::ConnectRetried,
            EVENT_LISTENING => EventKind::Listening,
            EVENT_BIND_FAILED => EventKind::BindFailed,
            EVENT_ACCEPTED => EventKind::Accepted,
            EVENT_ACCEPT_FAILED => EventKind::AcceptFailed,
            EVENT_CLOSED => EventKind::Closed,
            EVENT_CLOSE_FAILED => EventKind::CloseFailed,
            EVENT_DISCONNECTED => EventKind::Disconnected,
            EVENT_MONITOR_STOPPED => EventKind::MonitorStopped,
            EVENT_HANDSHAKE_FAILED_NO_DETAIL => EventKind::HandshakeFailedNoDetail,
            EVENT_HANDSHAKE_SUCCEEDED => EventKind::HandshakeSucceeded,
            EVENT_HANDSHAKE_FAILED_PROTOCOL => EventKind::HandshakeFailedProtocol,
            EVENT_HANDSHAKE_FAILED_AUTH => EventKind::HandshakeFailedAuth,
            other => EventKind::Other(other),
        }
    }
}

/// One event, as read from a monitor endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The event number as sent (`ZMQ_EVENT_*`).
    pub number: u16,
    /// The event's value: a file descriptor, an errno or an interval (see the constants).
    pub value: u32,
    /// The endpoint concerned.
    pub endpoint: String,
}

impl Event {
    /// Parses the two frames of a monitor message; `None` if they are not one.
    ///
    /// ```
    /// use ferromq::monitor::{Event, EventKind};
    /// let head = [0x20, 0x00, 7, 0, 0, 0];
    /// let ev = Event::parse(&head, b"tcp://127.0.0.1:5555").unwrap();
    /// assert_eq!(ev.kind, EventKind::Accepted);
    /// assert_eq!(ev.value, 7);
    /// assert!(Event::parse(b"short", b"").is_none());
    /// ```
    pub fn parse(head: &[u8], endpoint: &[u8]) -> Option<Event> {
        let head: &[u8; 6] = head.try_into().ok()?;
        let number = u16::from_le_bytes([head[0], head[1]]);
        let value = u32::from_le_bytes([head[2], head[3], head[4], head[5]]);
        Some(Event {
            kind: EventKind::from_number(number),
            number,
            value,
            endpoint: String::from_utf8_lossy(endpoint).into_owned(),
        })
    }
}

/// A typed stream of a socket's events (see [`Socket::monitor_stream`]).
///
/// ```
/// use ferromq::monitor::EventKind;
/// use ferromq::{Context, SocketType};
/// let ctx = Context::new();
/// let mut pull = ctx.socket(SocketType::Pull)?;
/// let mut events = pull.monitor_stream(ferromq::monitor::EVENT_ALL)?;
/// pull.bind("tcp://127.0.0.1:*")?;
/// let ev = events.recv(0)?;
/// assert_eq!(ev.kind, EventKind::Listening);
/// assert_eq!(ev.endpoint, pull.last_endpoint()?);
/// # Ok::<(), ferromq::Error>(())
/// ```
pub struct MonitorStream {
    pair: Socket,
}

impl std::fmt::Debug for MonitorStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonitorStream").finish()
    }
}

impl MonitorStream {
    pub(crate) fn new(pair: Socket) -> MonitorStream {
        MonitorStream { pair }
    }

    /// The next event. `flags` and RCVTIMEO work as for [`Socket::recv`]: with
    /// [`DONTWAIT`] it fails with EAGAIN when no event is waiting.
    pub fn recv(&mut self, flags: i32) -> crate::Result<Event> {
        loop {
            let parts = self.pair.recv_multipart(flags)?;
            if let [head, endpoint] = parts.as_slice() {
                if let Some(ev) = Event::parse(head, endpoint) {
                    return Ok(ev);
                }
            }
        }
    }

    /// The PAIR socket the events arrive on (to poll it, or set RCVTIMEO).
    pub fn socket(&mut self) -> &mut Socket {
        &mut self.pair
    }
}
