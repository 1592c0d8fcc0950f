//! `ferromq_remote_lat <connect-to> <message-size> <roundtrip-count>`
//!
//! ferromq version of libzmq's `perf/remote_lat`: a REQ socket connects to
//! `<connect-to>` and does `<roundtrip-count>` round trips (send a message of
//! `<message-size>` bytes, receive the echo). The clock runs from just after
//! `connect` to the last reply, so, as in libzmq's tool, the first round trip
//! includes connection set-up. The reported latency is one way:
//! elapsed / (roundtrip-count × 2), printed like libzmq's tool.

mod allocator;

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
        println!("usage: remote_lat <connect-to> <message-size> <roundtrip-count>");
        exit(1);
    }
    let connect_to = &args[1];
    let message_size: usize = args[2].parse().unwrap_or_else(|e| fail("message-size", e));
    let roundtrip_count: u64 = args[3]
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
    s.connect(connect_to).unwrap_or_else(|e| fail("connect", e));

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

    let latency = elapsed as f64 / (roundtrip_count * 2) as f64;
    println!("message size: {message_size} [B]");
    println!("roundtrip count: {roundtrip_count}");
    println!("average latency: {latency:.3} [us]");

    s.close();
    drop(ctx);
}
