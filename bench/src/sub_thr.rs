//! `ferromq_sub_thr <connect-to> <control-connect-to> <message-size> <message-count> [hwm]`
//!
//! ferromq version of `bench/c/sub_thr.c`, the subscriber of the PUB → SUB
//! throughput benchmark (see `ferromq_pub_thr` for the handshake).
//!
//! A SUB socket (RCVHWM `<hwm>`, default 100000) subscribes to everything and
//! connects to `<connect-to>`; a PUSH socket connects to
//! `<control-connect-to>`. On the first warm-up marker it sends `R` (ready),
//! then counts data messages until the end marker, and sends `D` (done).
//!
//! As in `local_thr`, the clock starts when the first data message arrives and
//! stops at the `<message-count>`-th one (or at the end marker, if some were
//! dropped). Throughput = received / elapsed; "messages received" below
//! `<message-count>` means the publisher dropped messages at its HWM. Prints its CPU
//! time last (`cpu_time`).

mod allocator;
mod cpu_time;

use std::process::exit;
use std::time::Instant;

use ferromq::{Context, SocketType};

fn fail(what: &str, err: impl std::fmt::Debug) -> ! {
    println!("error in {what}: {err:?}");
    exit(255)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 && args.len() != 6 {
        println!(
            "usage: sub_thr <connect-to> <control-connect-to> <message-size> \
             <message-count> [hwm]"
        );
        exit(1);
    }
    let connect_to = &args[1];
    let control_connect_to = &args[2];
    let message_size: usize = args[3].parse().unwrap_or_else(|e| fail("message-size", e));
    let message_count: u64 = args[4].parse().unwrap_or_else(|e| fail("message-count", e));
    let hwm: i32 = match args.get(5) {
        Some(a) => a.parse().unwrap_or_else(|e| fail("hwm", e)),
        None => 100_000,
    };
    if message_count < 1 {
        println!("message count must be at least 1");
        exit(1);
    }

    let ctx = Context::new();
    let mut s = ctx
        .socket(SocketType::Sub)
        .unwrap_or_else(|e| fail("socket", e));
    let mut ctl = ctx
        .socket(SocketType::Push)
        .unwrap_or_else(|e| fail("socket", e));
    s.set_rcvhwm(hwm).unwrap_or_else(|e| fail("setsockopt", e));
    s.set_subscribe(b"")
        .unwrap_or_else(|e| fail("setsockopt", e));
    s.connect(connect_to).unwrap_or_else(|e| fail("connect", e));
    ctl.connect(control_connect_to)
        .unwrap_or_else(|e| fail("connect (control)", e));

    let mut ready = false;
    let mut received = 0u64;
    let mut watch = None;
    let mut elapsed = None;
    loop {
        let msg = s.recv(0).unwrap_or_else(|e| fail("recv", e));
        if msg.more() {
            // A marker: the second frame says which.
            let kind = s.recv(0).unwrap_or_else(|e| fail("recv", e));
            if kind.as_bytes() == b"E" {
                break;
            }
            if !ready {
                ctl.send(&b"R"[..], 0).unwrap_or_else(|e| fail("send", e));
                ready = true;
            }
            continue;
        }
        if msg.len() != message_size {
            println!("message of incorrect size received");
            exit(255);
        }
        received += 1;
        // The first data message starts the clock.
        if received == 1 {
            watch = Some(Instant::now());
        } else if received == message_count {
            elapsed = watch.map(|w| w.elapsed());
        }
    }
    if elapsed.is_none() {
        elapsed = watch.map(|w| w.elapsed());
    }
    // Microseconds, like zmq_stopwatch_stop.
    let elapsed = (elapsed.map_or(0, |e| e.as_micros() as u64)).max(1);

    ctl.send(&b"D"[..], 0).unwrap_or_else(|e| fail("send", e));

    let throughput = received as f64 / elapsed as f64 * 1_000_000.0;
    let megabits = throughput * message_size as f64 * 8.0 / 1_000_000.0;
    println!("message size: {message_size} [B]");
    println!("message count: {message_count}");
    println!("messages received: {received}");
    println!("mean throughput: {} [msg/s]", throughput as u64);
    println!("mean throughput: {megabits:.3} [Mb/s]");

    s.close();
    // Default linger: "D" is delivered before the context goes.
    ctl.close();
    drop(ctx);
    cpu_time::print();
}
