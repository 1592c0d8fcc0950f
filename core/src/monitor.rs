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

/// A connect completed at the transport level (value: the file descriptor).
pub const EVENT_CONNECTED: u16 = 0x0001;
/// A connect is in progress (value: the errno of the pending connect).
pub const EVENT_CONNECT_DELAYED: u16 = 0x0002;
/// A reconnect is scheduled (value: the interval in ms).
pub const EVENT_CONNECT_RETRIED: u16 = 0x0004;
/// A bind succeeded (value: the listening file descriptor).
pub const EVENT_LISTENING: u16 = 0x0008;
/// A bind failed (value: errno).
pub const EVENT_BIND_FAILED: u16 = 0x0010;
/// A connection was accepted (value: its file descriptor).
pub const EVENT_ACCEPTED: u16 = 0x0020;
/// An accept failed (value: errno).
pub const EVENT_ACCEPT_FAILED: u16 = 0x0040;
/// A listener was closed (value: its file descriptor).
pub const EVENT_CLOSED: u16 = 0x0080;
/// Closing a listener failed (value: errno).
pub const EVENT_CLOSE_FAILED: u16 = 0x0100;
/// A connection ended (value: its file descriptor).
pub const EVENT_DISCONNECTED: u16 = 0x0200;
/// Monitoring stopped; the last event a monitor sends (value: 0).
pub const EVENT_MONITOR_STOPPED: u16 = 0x0400;
/// Every event.
pub const EVENT_ALL: u16 = 0xFFFF;
/// The handshake failed for a reason other than protocol or authentication (value: errno).
pub const EVENT_HANDSHAKE_FAILED_NO_DETAIL: u16 = 0x0800;
/// The ZMTP handshake completed (value: 0).
pub const EVENT_HANDSHAKE_SUCCEEDED: u16 = 0x1000;
/// The peer broke the ZMTP protocol during the handshake (value: a
/// `ZMQ_PROTOCOL_ERROR_*` code).
pub const EVENT_HANDSHAKE_FAILED_PROTOCOL: u16 = 0x2000;
/// The peer failed authentication (value: the status code).
pub const EVENT_HANDSHAKE_FAILED_AUTH: u16 = 0x4000;

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
        if let Some(mut old) = sink.take() {
            send_event(&mut old, EVENT_MONITOR_STOPPED, 0, "");
        }
        *sink = Some(pair);
        self.mask.store(u32::from(mask), Ordering::Release);
    }

    /// Stops monitoring, sending MONITOR_STOPPED (when monitoring was on).
    pub fn stop(&self) {
        self.mask.store(0, Ordering::Release);
        let mut sink = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mut old) = sink.take() {
            send_event(&mut old, EVENT_MONITOR_STOPPED, 0, "");
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
