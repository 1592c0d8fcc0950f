//! Helpers shared by the integration tests: bounded test bodies, condition polling,
//! sockets with safe defaults and free loopback ports.
//!
//! Every test runs its body through [`bounded`], so a hang turns into a failure with a
//! clear message instead of a stuck test run, and every socket made by [`socket`] has
//! LINGER=0 and finite RCVTIMEO/SNDTIMEO, so no call can block forever and dropping the
//! context never waits for unsent messages.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use ferromq::{Context, Error, Msg, Socket, SocketType};
use std::net::{Ipv4Addr, Ipv6Addr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// RCVTIMEO/SNDTIMEO of sockets made by [`socket`]: long enough for a loaded machine,
/// short enough that a lost message fails the test instead of hanging it.
pub const IO_TIMEOUT_MS: i32 = 10_000;

/// Runs `body` on its own thread and fails the test if it takes longer than `limit`.
/// A panic in `body` is propagated with its original message.
pub fn bounded<F>(limit: Duration, body: F)
where
    F: FnOnce() + Send + 'static,
{
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let name = thread::current().name().unwrap_or("test").to_string();
    let handle = thread::Builder::new()
        .name(format!("{name}-body"))
        .spawn(move || {
            body();
            let _ = done_tx.send(());
        })
        .expect("spawn test body");
    match done_rx.recv_timeout(limit) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
            // Finished or panicked: join to propagate a panic.
            if let Err(payload) = handle.join() {
                std::panic::resume_unwind(payload);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("watchdog: test body did not finish within {limit:?}");
        }
    }
}

/// Polls `cond` every millisecond or so until it holds (true) or `timeout` passes (false).
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// A socket with LINGER=0 and RCVTIMEO=SNDTIMEO=[`IO_TIMEOUT_MS`].
pub fn socket(ctx: &Context, ty: SocketType) -> Socket {
    let mut s = ctx.socket(ty).expect("create socket");
    s.set_linger(0).unwrap();
    s.set_rcvtimeo(IO_TIMEOUT_MS).unwrap();
    s.set_sndtimeo(IO_TIMEOUT_MS).unwrap();
    s
}

/// A [`socket`] of type `ty` bound to an ephemeral loopback port, and its resolved
/// endpoint.
pub fn bound(ctx: &Context, ty: SocketType) -> (Socket, String) {
    let mut s = socket(ctx, ty);
    s.bind("tcp://127.0.0.1:*")
        .expect("bind to an ephemeral loopback port");
    let ep = s.last_endpoint().unwrap();
    (s, ep)
}

/// A PULL bound to an ephemeral loopback port, and its resolved endpoint.
pub fn bound_pull(ctx: &Context) -> (Socket, String) {
    bound(ctx, SocketType::Pull)
}

/// All frames of the next message on `s`, as byte vectors.
pub fn parts(s: &mut Socket) -> Vec<Vec<u8>> {
    s.recv_multipart(0)
        .unwrap()
        .iter()
        .map(|m| m.to_vec())
        .collect()
}

/// A frame as text (lossy), for readable assertions.
pub fn text(m: &Msg) -> String {
    String::from_utf8_lossy(m).into_owned()
}

/// A loopback endpoint where nobody listens (a port the kernel just handed out and
/// that was closed again).
pub fn free_endpoint() -> String {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind probe listener");
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("tcp://127.0.0.1:{port}")
}

/// The port of a `tcp://host:port` endpoint.
pub fn port_of(endpoint: &str) -> u16 {
    endpoint
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {endpoint}"))
}

/// Binds `s` to `endpoint`, retrying while the port is still held by a socket that is
/// being closed asynchronously (EADDRINUSE), for at most 5 s.
pub fn bind_when_free(s: &mut Socket, endpoint: &str) {
    let mut last = Ok(());
    let ok = wait_until(Duration::from_secs(5), || {
        last = s.bind(endpoint);
        last != Err(Error::AddrInUse)
    });
    assert!(ok, "port of {endpoint} still in use after 5 s");
    last.unwrap_or_else(|e| panic!("bind {endpoint}: {e:?}"));
}

/// Whether nothing accepts TCP connections on 127.0.0.1:`port` any more.
pub fn port_closed(port: u16) -> bool {
    TcpStream::connect_timeout(
        &(Ipv4Addr::LOCALHOST, port).into(),
        Duration::from_millis(200),
    )
    .is_err()
}

/// Whether this machine has an IPv6 loopback we can bind.
pub fn ipv6_loopback_available() -> bool {
    TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_ok()
}

/// An 8-byte little-endian sequence number message.
pub fn seq_msg(n: u64) -> Vec<u8> {
    n.to_le_bytes().to_vec()
}

/// The sequence number in an 8-byte message.
pub fn seq_of(m: &[u8]) -> u64 {
    let b: [u8; 8] = m
        .try_into()
        .unwrap_or_else(|_| panic!("expected 8 bytes, got {}", m.len()));
    u64::from_le_bytes(b)
}

/// Receives one frame, panicking with `what` on error.
pub fn recv_ok(s: &mut Socket, what: &str) -> Msg {
    s.recv(0)
        .unwrap_or_else(|e| panic!("{what}: recv failed: {e:?}"))
}

/// Asserts that `elapsed` is at least `min` and below `min + margin`.
pub fn assert_elapsed(elapsed: Duration, min: Duration, margin: Duration, what: &str) {
    assert!(
        elapsed >= min,
        "{what}: returned after {elapsed:?}, before the {min:?} timeout"
    );
    assert!(
        elapsed < min + margin,
        "{what}: returned after {elapsed:?}, far beyond the {min:?} timeout"
    );
}
