//! `ferromq_local_lat <bind-to> <message-size> <roundtrip-count>`
//!
//! ferromq version of libzmq's `perf/local_lat`: a REP socket binds to
//! `<bind-to>`, then receives `<roundtrip-count>` messages of `<message-size>`
//! bytes and sends each one straight back. Prints nothing on success.

mod allocator;

use std::process::exit;

use ferromq::{Context, SocketType};

fn fail(what: &str, err: impl std::fmt::Debug) -> ! {
    println!("error in {what}: {err:?}");
    exit(255)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        println!("usage: local_lat <bind-to> <message-size> <roundtrip-count>");
        exit(1);
    }
    let bind_to = &args[1];
    let message_size: usize = args[2].parse().unwrap_or_else(|e| fail("message-size", e));
    let roundtrip_count: u64 = args[3]
        .parse()
        .unwrap_or_else(|e| fail("roundtrip-count", e));

    let ctx = Context::new();
    let mut s = ctx
        .socket(SocketType::Rep)
        .unwrap_or_else(|e| fail("socket", e));
    s.bind(bind_to).unwrap_or_else(|e| fail("bind", e));

    for _ in 0..roundtrip_count {
        let msg = s.recv(0).unwrap_or_else(|e| fail("recv", e));
        if msg.len() != message_size {
            println!("message of incorrect size received");
            exit(255);
        }
        // Echo the received message itself, as libzmq's local_lat does.
        s.send(msg, 0).unwrap_or_else(|e| fail("send", e));
    }

    // Default linger (-1): closing waits until the last reply is written.
    s.close();
    drop(ctx);
}
