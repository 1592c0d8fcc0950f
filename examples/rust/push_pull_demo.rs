//! PUSH/PULL over TCP loopback: the "hello world" of a ferromq pipeline.
//!
//! A PULL socket binds to `tcp://127.0.0.1:*` (an ephemeral port), a PUSH socket on another
//! thread connects to it and sends one million small messages, and the main thread receives
//! and counts them, checking that they arrive complete and in order. It prints a few sample
//! messages, the counts, and the throughput (messages/s and MB/s).
//!
//! ```text
//! cargo run --release -p ferromq-examples --bin push_pull_demo [COUNT]
//! ```

use std::process::ExitCode;
use std::thread;
use std::time::Instant;

use ferromq::{Context, SocketType};

/// Messages sent when no count is given on the command line.
const DEFAULT_COUNT: u64 = 1_000_000;

fn main() -> ExitCode {
    let count = match std::env::args().nth(1).map(|a| a.parse::<u64>()) {
        None => DEFAULT_COUNT,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: push_pull_demo [COUNT]");
            return ExitCode::from(2);
        }
    };
    match run(count) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("push_pull_demo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The body of message `i`: short, human-readable and easy to check.
fn body(i: u64) -> String {
    format!("message #{i:07}")
}

/// Runs the demo; returns `Ok(false)` if a message was lost, duplicated or reordered.
fn run(count: u64) -> ferromq::Result<bool> {
    let ctx = Context::new();

    let mut pull = ctx.socket(SocketType::Pull)?;
    pull.bind("tcp://127.0.0.1:*")?;
    let endpoint = pull.last_endpoint()?;
    println!("PULL bound to {endpoint}");
    // Never hang forever if something goes wrong: give up after 10 s of silence.
    pull.set_rcvtimeo(10_000)?;

    let mut push = ctx.socket(SocketType::Push)?;
    push.set_sndtimeo(10_000)?;
    push.connect(&endpoint)?;
    println!("PUSH connected to {endpoint}, sending {count} messages from a thread");

    let start = Instant::now();
    let sender = thread::spawn(move || -> ferromq::Result<u64> {
        let mut bytes = 0u64;
        for i in 0..count {
            let msg = body(i);
            bytes += msg.len() as u64;
            push.send(msg, 0)?;
        }
        // LINGER is -1 by default: whatever is still queued is delivered before the socket goes.
        push.close();
        Ok(bytes)
    });

    let mut received = 0u64;
    let mut received_bytes = 0u64;
    let mut in_order = true;
    while received < count {
        let msg = match pull.recv(0) {
            Ok(msg) => msg,
            Err(e) => {
                eprintln!("recv failed after {received} messages: {e}");
                break;
            }
        };
        if received < 3 || received + 1 == count {
            println!("  received: {:?}", String::from_utf8_lossy(&msg));
        } else if received == 3 {
            println!("  ...");
        }
        if in_order && &msg[..] != body(received).as_bytes() {
            eprintln!(
                "message {received} is {:?}, expected {:?}",
                String::from_utf8_lossy(&msg),
                body(received)
            );
            in_order = false;
        }
        received_bytes += msg.len() as u64;
        received += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();

    let sent_bytes = match sender.join() {
        Ok(result) => result?,
        Err(_) => {
            eprintln!("the sender thread panicked");
            return Ok(false);
        }
    };
    println!("sent     {count} messages, {sent_bytes} bytes");
    println!("received {received} messages, {received_bytes} bytes, in order: {in_order}");
    println!(
        "{:.3} s: {:.0} msgs/s, {:.1} MB/s",
        elapsed,
        received as f64 / elapsed,
        received_bytes as f64 / elapsed / 1e6
    );
    Ok(in_order && received == count)
}
