//! `ferromq_remote_thr <connect-to> <message-size> <message-count>`
//!
//! ferromq version of libzmq's `perf/remote_thr`: a PUSH socket connects to
//! `<connect-to>` and sends `<message-count>` messages of `<message-size>`
//! bytes (a new `Msg::zeroed` each, as the C program's `zmq_msg_init_size`), then closes with the default linger (every queued message is
//! delivered) and drops the context.
//!
//! If `BENCH_CLOSE_DELAY_MS` is set in the environment, it first sleeps that
//! long before closing, as `bench/c/remote_thr.c` does (there to work around
//! libzmq issue #4660 over ipc); the scripts set it for both libraries alike.
//!
//! Last, it prints its CPU time (`cpu time: <user> <sys> [us]`, every thread's), as
//! the C programs in `bench/c/` do.

mod allocator;
mod cpu_time;

use std::process::exit;

use ferromq::{Context, Msg, SocketType};

fn fail(what: &str, err: impl std::fmt::Debug) -> ! {
    println!("error in {what}: {err:?}");
    exit(255)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        println!("usage: remote_thr <connect-to> <message-size> <message-count>");
        exit(1);
    }
    let connect_to = &args[1];
    let message_size: usize = args[2].parse().unwrap_or_else(|e| fail("message-size", e));
    let message_count: u64 = args[3].parse().unwrap_or_else(|e| fail("message-count", e));

    let ctx = Context::new();
    let mut s = ctx
        .socket(SocketType::Push)
        .unwrap_or_else(|e| fail("socket", e));
    s.connect(connect_to).unwrap_or_else(|e| fail("connect", e));

    // A fresh message of the requested size each time, as bench/c/remote_thr.c does with
    // zmq_msg_init_size (and libzmq's perf tool): small ones are built inline, larger
    // ones allocated. (The C ABI's buffer is uninitialised, `Msg::zeroed` zero-fills it,
    // the one difference left: safe Rust has no message of undefined content.)
    for _ in 0..message_count {
        s.send(Msg::zeroed(message_size), 0)
            .unwrap_or_else(|e| fail("send", e));
    }

    if let Some(ms) = std::env::var("BENCH_CLOSE_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }

    // Default linger (-1): closing waits until everything queued is written.
    s.close();
    drop(ctx);
    cpu_time::print();
}
