//! High-water marks, DONTWAIT, RCVTIMEO/SNDTIMEO and LINGER at close.

mod common;

use common::*;
use ferromq::{Context, Error, SocketType, DONTWAIT};
use std::thread;
use std::time::{Duration, Instant};

/// A PUSH with SNDHWM=5 connected where nobody listens: exactly 5 messages fit in its
/// connect-side pipe; the 6th DONTWAIT send fails with EAGAIN (errno 11).
#[test]
fn dontwait_gives_eagain_at_sndhwm() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(5).unwrap();
        push.connect(&free_endpoint()).unwrap();
        for i in 0..5 {
            push.send(seq_msg(i), DONTWAIT)
                .unwrap_or_else(|e| panic!("send {i} below the HWM: {e:?}"));
        }
        let err = push.send(seq_msg(5), DONTWAIT).unwrap_err();
        assert_eq!(err, Error::Again);
        assert_eq!(err.errno(), 11);
        // Still full: it stays EAGAIN, and a multipart message does not fit either.
        assert_eq!(push.send("y", DONTWAIT), Err(Error::Again));
        assert_eq!(push.send_multipart(["a", "b"], DONTWAIT), Err(Error::Again));
    });
}

/// A PUSH without any peer cannot send at all.
#[test]
fn push_without_peers_gives_eagain() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        assert_eq!(push.send("x", DONTWAIT), Err(Error::Again));
        push.set_sndtimeo(0).unwrap();
        assert_eq!(push.send("x", 0), Err(Error::Again));
    });
}

/// SNDTIMEO: a send at the HWM blocks for about the timeout, then fails with EAGAIN.
#[test]
fn sndtimeo_blocks_then_eagain() {
    const TIMEO: u64 = 300;
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(2).unwrap();
        push.set_sndtimeo(TIMEO as i32).unwrap();
        push.connect(&free_endpoint()).unwrap();
        push.send("1", 0).unwrap();
        push.send("2", 0).unwrap();
        let start = Instant::now();
        assert_eq!(push.send("3", 0), Err(Error::Again));
        assert_elapsed(
            start.elapsed(),
            Duration::from_millis(TIMEO),
            Duration::from_millis(1500),
            "send with SNDTIMEO",
        );
    });
}

/// A send blocked at the HWM completes once a peer shows up and takes messages.
#[test]
fn blocked_send_resumes_when_peer_appears() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let ep = free_endpoint();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(3).unwrap();
        push.set_reconnect_ivl(20).unwrap();
        push.connect(&ep).unwrap();
        for i in 0..3 {
            push.send(seq_msg(i), 0).unwrap();
        }
        assert_eq!(push.send(seq_msg(3), DONTWAIT), Err(Error::Again));
        let sender = thread::spawn(move || {
            // Blocks (SNDTIMEO 10 s) until the PULL below drains the pipe.
            for i in 3..10 {
                push.send(seq_msg(i), 0)
                    .unwrap_or_else(|e| panic!("send {i}: {e:?}"));
            }
            push
        });
        let mut pull = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull, &ep);
        for i in 0..10 {
            assert_eq!(seq_of(&recv_ok(&mut pull, "after unblocking")), i);
        }
        drop(sender.join().expect("sender"));
    });
}

/// RCVTIMEO: recv waits for about the timeout, then fails with EAGAIN (errno 11).
#[test]
fn rcvtimeo_expires_with_eagain() {
    const TIMEO: u64 = 250;
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, _ep) = bound_pull(&ctx);
        pull.set_rcvtimeo(TIMEO as i32).unwrap();
        let start = Instant::now();
        let err = pull.recv(0).unwrap_err();
        assert_eq!(err, Error::Again);
        assert_eq!(err.errno(), 11);
        assert_elapsed(
            start.elapsed(),
            Duration::from_millis(TIMEO),
            Duration::from_millis(1500),
            "recv with RCVTIMEO",
        );
        assert_eq!(pull.recv_multipart(0).unwrap_err(), Error::Again);
    });
}

/// RCVTIMEO also bounds a recv that is woken by activity that brings no message (a
/// connecting peer), and does not restart the timeout on each wake-up.
#[test]
fn rcvtimeo_not_extended_by_wakeups() {
    const TIMEO: u64 = 400;
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        pull.set_rcvtimeo(TIMEO as i32).unwrap();
        let connector = thread::spawn({
            let ctx = ctx.clone();
            move || {
                // Peers come and go while the PULL waits, without sending anything.
                let mut socks = Vec::new();
                for _ in 0..8 {
                    let mut p = socket(&ctx, SocketType::Push);
                    p.connect(&ep).unwrap();
                    socks.push(p);
                    thread::sleep(Duration::from_millis(30));
                }
                socks
            }
        });
        let start = Instant::now();
        assert_eq!(pull.recv(0).unwrap_err(), Error::Again);
        assert_elapsed(
            start.elapsed(),
            Duration::from_millis(TIMEO),
            Duration::from_millis(1500),
            "recv while peers connect",
        );
        drop(connector.join().unwrap());
    });
}

/// RCVTIMEO=0 and DONTWAIT never block.
#[test]
fn zero_timeout_and_dontwait_return_at_once() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, _ep) = bound_pull(&ctx);
        let start = Instant::now();
        assert_eq!(pull.recv(DONTWAIT).unwrap_err(), Error::Again);
        pull.set_rcvtimeo(0).unwrap();
        assert_eq!(pull.recv(0).unwrap_err(), Error::Again);
        assert!(
            start.elapsed() < Duration::from_millis(200),
            "{:?}",
            start.elapsed()
        );
    });
}

/// Sends `n` messages on a PUSH with `linger` connected where nobody listens, closes
/// it, and returns the endpoint and how long the close took.
fn queue_and_close(ctx: &Context, linger: i32, n: u64) -> (String, Duration) {
    let ep = free_endpoint();
    let mut push = socket(ctx, SocketType::Push);
    push.set_linger(linger).unwrap();
    push.set_reconnect_ivl(20).unwrap();
    push.connect(&ep).unwrap();
    for i in 0..n {
        push.send(seq_msg(i), 0).unwrap();
    }
    let start = Instant::now();
    push.close();
    (ep, start.elapsed())
}

/// LINGER=0: messages still queued at close are dropped; a PULL binding afterwards
/// receives nothing.
#[test]
fn linger_zero_drops_queued_messages() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (ep, closing) = queue_and_close(&ctx, 0, 10);
        assert!(
            closing < Duration::from_millis(500),
            "close blocked {closing:?}"
        );
        let mut pull = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull, &ep);
        pull.set_rcvtimeo(500).unwrap();
        assert_eq!(
            pull.recv(0).unwrap_err(),
            Error::Again,
            "LINGER=0 still delivered"
        );
        let start = Instant::now();
        drop(pull);
        drop(ctx);
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "context drop blocked"
        );
    });
}

/// LINGER=2000: close returns at once, and the queued messages are still delivered to a
/// PULL that binds soon after.
#[test]
fn linger_positive_delivers_after_close() {
    const N: u64 = 50;
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (ep, closing) = queue_and_close(&ctx, 2000, N);
        assert!(
            closing < Duration::from_millis(500),
            "close blocked {closing:?}"
        );
        let mut pull = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull, &ep);
        pull.set_rcvtimeo(3000).unwrap();
        for i in 0..N {
            match pull.recv(0) {
                Ok(m) => assert_eq!(seq_of(&m), i),
                Err(e) => panic!("lingering message {i} of {N} not delivered: {e:?}"),
            }
        }
        // Nothing left to linger for: the context goes at once.
        let start = Instant::now();
        drop(pull);
        drop(ctx);
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "context drop blocked"
        );
    });
}

/// A LINGER that expires: dropping the context waits for the lingering session, but
/// only about LINGER, not forever; the messages are gone afterwards.
#[test]
fn context_drop_waits_for_linger_to_expire() {
    const LINGER: u64 = 400;
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (ep, _) = queue_and_close(&ctx, LINGER as i32, 5);
        let start = Instant::now();
        drop(ctx);
        assert_elapsed(
            start.elapsed(),
            Duration::from_millis(LINGER - 100),
            Duration::from_millis(2000),
            "context drop with a lingering socket",
        );
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull, &ep);
        pull.set_rcvtimeo(300).unwrap();
        assert_eq!(
            pull.recv(0).unwrap_err(),
            Error::Again,
            "delivered after LINGER expired"
        );
    });
}
