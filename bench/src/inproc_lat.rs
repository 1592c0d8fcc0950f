//! `ferromq_inproc_lat <message-size> <roundtrip-count>`
//!
//! ferromq version of libzmq's `perf/inproc_lat`: one context, two threads.
//! The main thread binds a REQ socket to `inproc://lat_test` and starts a
//! worker thread whose REP socket (same context) connects and echoes
//! `<roundtrip-count>` messages. The main thread times the round trips of
//! `<message-size>` bytes from before the first one (which also waits for the
//! worker to connect, as in libzmq's tool) and prints the one-way latency,
//! elapsed / (roundtrip-count × 2), with the same lines as libzmq's tool.

mod allocator;

use std::process::exit;
use std::thread;
use std::time::Instant;

use ferromq::{Context, SocketType};

fn fail(what: &str, err: impl std::fmt::Debug) -> ! {
    println!("error in {what}: {err:?}");
    exit(255)
}

fn worker(ctx: Context, roundtrip_count: u64) {
    let mut s = ctx
        .socket(SocketType::Rep)
        .unwrap_or_else(|e| fail("socket", e));
    s.connect("inproc://lat_test")
        .unwrap_or_else(|e| fail("connect", e));
    for _ in 0..roundtrip_count {
        let msg = s.recv(0).unwrap_or_else(|e| fail("recv", e));
        // Echo the received message itself, as libzmq's inproc_lat does.
        s.send(msg, 0).unwrap_or_else(|e| fail("send", e));
    }
    s.close();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        println!("usage: inproc_lat <message-size> <roundtrip-count>");
        exit(1);
    }
    let message_size: usize = args[1].parse().unwrap_or_else(|e| fail("message-size", e));
    let roundtrip_count: u64 = args[2]
        .parse()
        .unwrap_or_else(|e| fail("roundtrip-count", e));
    if roundtrip_count < 1 {
        println!("roundtrip count must be at least 1");
        exit(1);
    }

    let ctx = Context::new();
    let mut s = ctx
        .socket(SocketType::Req)
        .unwrap_or_else(|e| fail("socket", e));
    s.bind("inproc://lat_test")
        .unwrap_or_else(|e| fail("bind", e));

    let worker_ctx = ctx.clone();
    let local_thread = thread::spawn(move || worker(worker_ctx, roundtrip_count));

    println!("message size: {message_size} [B]");
    println!("roundtrip count: {roundtrip_count}");

    let buf = vec![0u8; message_size];
    let watch = Instant::now();
    for _ in 0..roundtrip_count {
        s.send(&buf[..], 0).unwrap_or_else(|e| fail("send", e));
        let msg = s.recv(0).unwrap_or_else(|e| fail("recv", e));
        if msg.len() != message_size {
            println!("message of incorrect size received");
            exit(255);
        }
    }
    // Microseconds, like zmq_stopwatch_stop.
    let elapsed = watch.elapsed().as_micros() as u64;

    local_thread
        .join()
        .unwrap_or_else(|_| fail("worker thread", "panicked"));

    let latency = elapsed as f64 / (roundtrip_count * 2) as f64;
    println!("average latency: {latency:.3} [us]");

    s.close();
    drop(ctx);
}
