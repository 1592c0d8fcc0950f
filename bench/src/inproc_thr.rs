//! `ferromq_inproc_thr <message-size> <message-count>`
//!
//! ferromq version of libzmq's `perf/inproc_thr`: one context, two threads.
//! The main thread binds a PULL socket to `inproc://thr_test`, then starts a
//! worker thread that connects a PUSH socket of the same context and sends
//! `<message-count>` messages of `<message-size>` bytes. The main thread's
//! clock starts when the first message has arrived. The output is the same as
//! libzmq's tool (and `local_thr`), so `bench/run_inproc.sh` parses both alike.
//!
//! Diagnostic knob: with `FERROMQ_BENCH_SEND=shared` in the environment the
//! worker sends clones of one message (no per-message allocation)
//! instead of a new `Msg::zeroed` each (the C program's `zmq_msg_init_size`); the scripts never set it.
//!
//! Last, it prints its CPU time (`cpu time: <user> <sys> [us]`, every thread's), as
//! the C programs in `bench/c/` do.

mod allocator;
mod cpu_time;

use std::process::exit;
use std::thread;
use std::time::Instant;

use ferromq::{Context, Msg, SocketType};

fn fail(what: &str, err: impl std::fmt::Debug) -> ! {
    println!("error in {what}: {err:?}");
    exit(255)
}

fn worker(ctx: Context, message_size: usize, message_count: u64) {
    let mut s = ctx
        .socket(SocketType::Push)
        .unwrap_or_else(|e| fail("socket", e));
    s.connect("inproc://thr_test")
        .unwrap_or_else(|e| fail("connect", e));

    // A fresh message of the requested size each time, as bench/c/inproc_thr.c does
    // with zmq_msg_init_size (see ferromq_remote_thr). FERROMQ_BENCH_SEND=shared
    // sends clones of one Msg instead (a reference count, no allocation), to tell the
    // cost of the pipe from that of building messages.
    if std::env::var("FERROMQ_BENCH_SEND").is_ok_and(|v| v == "shared") {
        let msg = Msg::zeroed(message_size);
        for _ in 0..message_count {
            s.send(msg.clone(), 0).unwrap_or_else(|e| fail("send", e));
        }
    } else {
        for _ in 0..message_count {
            s.send(Msg::zeroed(message_size), 0)
                .unwrap_or_else(|e| fail("send", e));
        }
    }
    s.close();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        println!("usage: inproc_thr <message-size> <message-count>");
        exit(1);
    }
    let message_size: usize = args[1].parse().unwrap_or_else(|e| fail("message-size", e));
    let message_count: u64 = args[2].parse().unwrap_or_else(|e| fail("message-count", e));
    if message_count < 1 {
        println!("message count must be at least 1");
        exit(1);
    }

    let ctx = Context::new();
    let mut s = ctx
        .socket(SocketType::Pull)
        .unwrap_or_else(|e| fail("socket", e));
    s.bind("inproc://thr_test")
        .unwrap_or_else(|e| fail("bind", e));

    let worker_ctx = ctx.clone();
    let local_thread = thread::spawn(move || worker(worker_ctx, message_size, message_count));

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

    local_thread
        .join()
        .unwrap_or_else(|_| fail("worker thread", "panicked"));

    // Same formula as libzmq's inproc_thr: count / elapsed.
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
