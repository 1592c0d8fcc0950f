//! `ferromq_pub_thr <bind-to> <control-bind-to> <message-size> <message-count> <subscribers> [hwm]`
//!
//! ferromq version of `bench/c/pub_thr.c`, the publisher of the PUB → SUB
//! throughput benchmark (`ferromq_sub_thr` is the subscriber).
//!
//! A PUB socket binds to `<bind-to>` and a PULL socket (the control channel)
//! to `<control-bind-to>`; SNDHWM is `<hwm>` (default 100000).
//!
//! Handshake against the slow-joiner problem: until every one of the
//! `<subscribers>` subscribers has reported "ready" on the control channel,
//! the publisher sends a warm-up marker about once per millisecond. A
//! subscriber reports ready on its first warm-up marker, which proves that its
//! subscription has reached the publisher; a PUB pipe being FIFO, every later
//! message reaches it too unless a high-water mark drops it. Then the
//! publisher sends `<message-count>` data messages of `<message-size>` bytes,
//! then an end marker, repeated every 10 ms until every subscriber has
//! reported "done" (so a marker dropped at the HWM cannot hang a subscriber).
//!
//! Data messages have one frame; markers have two (an empty frame, then `W`
//! for warm-up or `E` for end), so a subscriber tells them apart by the
//! "more" flag of the first frame, whatever `<message-size>` is.
//!
//! Prints the sending rate (count / time to hand all messages to the socket),
//! for information only: throughput is measured by the subscribers; then its CPU
//! time (`cpu_time`).

mod allocator;
mod cpu_time;

use std::process::exit;
use std::thread::sleep;
use std::time::{Duration, Instant};

use ferromq::{Context, Error, Socket, SocketType, DONTWAIT, SNDMORE};

fn fail(what: &str, err: impl std::fmt::Debug) -> ! {
    println!("error in {what}: {err:?}");
    exit(255)
}

fn send_marker(s: &mut Socket, kind: &[u8]) {
    s.send(&b""[..], SNDMORE | DONTWAIT)
        .unwrap_or_else(|e| fail("send", e));
    s.send(kind, DONTWAIT).unwrap_or_else(|e| fail("send", e));
}

/// Counts the control messages starting with `kind` that are waiting.
fn drain_control(ctl: &mut Socket, kind: u8) -> u64 {
    let mut n = 0;
    loop {
        match ctl.recv(DONTWAIT) {
            Ok(m) => {
                if m.first() == Some(&kind) {
                    n += 1;
                }
            }
            Err(Error::Again) => return n,
            Err(e) => fail("recv (control)", e),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 6 && args.len() != 7 {
        println!(
            "usage: pub_thr <bind-to> <control-bind-to> <message-size> \
             <message-count> <subscribers> [hwm]"
        );
        exit(1);
    }
    let bind_to = &args[1];
    let control_bind_to = &args[2];
    let message_size: usize = args[3].parse().unwrap_or_else(|e| fail("message-size", e));
    let message_count: u64 = args[4].parse().unwrap_or_else(|e| fail("message-count", e));
    let subscribers: u64 = args[5].parse().unwrap_or_else(|e| fail("subscribers", e));
    let hwm: i32 = match args.get(6) {
        Some(a) => a.parse().unwrap_or_else(|e| fail("hwm", e)),
        None => 100_000,
    };
    if message_count < 1 || subscribers < 1 {
        println!("message count and subscribers must be at least 1");
        exit(1);
    }

    let ctx = Context::new();
    let mut s = ctx
        .socket(SocketType::Pub)
        .unwrap_or_else(|e| fail("socket", e));
    let mut ctl = ctx
        .socket(SocketType::Pull)
        .unwrap_or_else(|e| fail("socket", e));
    s.set_sndhwm(hwm).unwrap_or_else(|e| fail("setsockopt", e));
    s.bind(bind_to).unwrap_or_else(|e| fail("bind", e));
    ctl.bind(control_bind_to)
        .unwrap_or_else(|e| fail("bind (control)", e));

    // Warm-up until every subscriber is known to receive.
    let mut ready = 0;
    let mut warmups = 0u64;
    while ready < subscribers {
        send_marker(&mut s, b"W");
        warmups += 1;
        sleep(Duration::from_millis(1));
        ready += drain_control(&mut ctl, b'R');
    }

    // One buffer, reused for every message (each send builds a Msg from it).
    let buf = vec![0u8; message_size];
    let watch = Instant::now();
    for _ in 0..message_count {
        s.send(&buf[..], 0).unwrap_or_else(|e| fail("send", e));
    }
    let elapsed = (watch.elapsed().as_micros() as u64).max(1);

    // End marker until everybody is done.
    let mut done = 0;
    while done < subscribers {
        send_marker(&mut s, b"E");
        sleep(Duration::from_millis(10));
        done += drain_control(&mut ctl, b'D');
    }

    let rate = message_count as f64 / elapsed as f64 * 1_000_000.0;
    println!("message size: {message_size} [B]");
    println!("message count: {message_count}");
    println!("subscribers: {subscribers}");
    println!("warm-up markers: {warmups}");
    println!("send rate: {} [msg/s]", rate as u64);

    ctl.close();
    s.close();
    drop(ctx);
    cpu_time::print();
}
