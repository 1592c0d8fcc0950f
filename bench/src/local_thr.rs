//! `ferromq_local_thr <bind-to> <message-size> <message-count>`
//!
//! ferromq version of libzmq's `perf/local_thr`: a PULL socket binds to
//! `<bind-to>` and receives `<message-count>` messages of `<message-size>`
//! bytes. The clock starts when the first message has arrived. The output is
//! the same as libzmq's tool, so `bench/run.sh` parses both the same way.
//!
//! Last, it prints its CPU time (`cpu time: <user> <sys> [us]`, every thread's), as
//! the C programs in `bench/c/` do.

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
    if args.len() != 4 {
        println!("usage: local_thr <bind-to> <message-size> <message-count>");
        exit(1);
    }
    let bind_to = &args[1];
    let message_size: usize = args[2].parse().unwrap_or_else(|e| fail("message-size", e));
    let message_count: u64 = args[3].parse().unwrap_or_else(|e| fail("message-count", e));
    if message_count < 1 {
        println!("message count must be at least 1");
        exit(1);
    }

    let ctx = Context::new();
    let mut s = ctx
        .socket(SocketType::Pull)
        .unwrap_or_else(|e| fail("socket", e));
    s.bind(bind_to).unwrap_or_else(|e| fail("bind", e));

    // The first message starts the clock.
    let msg = s.recv(0).unwrap_or_else(|e| fail("recv", e));
    if msg.len() != message_size {
        println!("message of incorrect size received");
        exit(255);
    }
    drop(msg);

    let watch = Instant::now();
    for _ in 1..message_count {
        let msg = s.recv(0).unwrap_or_else(|e| fail("recv", e));
        if msg.len() != message_size {
            println!("message of incorrect size received");
            exit(255);
        }
    }
    // Microseconds, like zmq_stopwatch_stop.
    let elapsed = (watch.elapsed().as_micros() as u64).max(1);

    // Same formula as libzmq's local_thr: count / elapsed.
    let throughput = message_count as f64 / elapsed as f64 * 1_000_000.0;
    let megabits = throughput * message_size as f64 * 8.0 / 1_000_000.0;

    println!("message size: {message_size} [B]");
    println!("message count: {message_count}");
    println!("mean throughput: {} [msg/s]", throughput as u64);
    println!("mean throughput: {megabits:.3} [Mb/s]");

    s.close();
    drop(ctx);
    cpu_time::print();
}
