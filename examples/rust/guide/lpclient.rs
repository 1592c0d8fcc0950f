//! Lazy Pirate client: reliable request-reply on the client side. Each request waits
//! REQUEST_TIMEOUT for a reply and is retried up to RETRIES times before giving up.
//!
//! ```text
//! cargo run -p ferromq-examples --bin lpclient [ENDPOINT=tcp://localhost:5555] [REQUESTS=10] [RETRIES=3] [TIMEOUT_MS=2500]
//! ```
//!
//! The guide's version closes and reopens its REQ socket after a timeout; with
//! REQ_RELAXED and REQ_CORRELATE the same socket can simply send again, and a late reply
//! to an abandoned request is dropped for us. Run it against `lpserver`.

#[path = "args.rs"]
mod args;

use ferromq::{Context, Error, SocketType};
use std::process::ExitCode;

const USAGE: &str = "lpclient [ENDPOINT] [REQUESTS] [RETRIES] [TIMEOUT_MS]";

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("lpclient: {e}");
            ExitCode::from(1)
        }
    }
}

/// `Ok(false)` when the server seems to be offline.
fn run() -> ferromq::Result<bool> {
    let endpoint: String = args::arg(1, "tcp://localhost:5555".to_string(), USAGE);
    let requests: u32 = args::arg(2, 10, USAGE);
    let retries: u32 = args::arg(3, 3, USAGE);
    let timeout_ms: i32 = args::arg(4, 2500, USAGE);
    let ctx = Context::new();
    let mut client = ctx.socket(SocketType::Req)?;
    client.set_req_relaxed(true)?;
    client.set_req_correlate(true)?;
    client.set_rcvtimeo(timeout_ms)?;
    client.set_linger(0)?;
    client.connect(&endpoint)?;
    for sequence in 1..=requests {
        let request = sequence.to_string();
        let mut answered = false;
        for attempt in 0..=retries {
            if attempt > 0 {
                println!("W: no response from server, retrying...");
            }
            client.send(request.as_str(), 0)?;
            match client.recv(0) {
                Ok(reply) if reply.as_bytes() == request.as_bytes() => {
                    println!("I: server replied OK ({request})");
                    answered = true;
                    break;
                }
                Ok(reply) => println!("E: malformed reply from server: {reply:?}"),
                Err(Error::Again) => {}
                Err(e) => return Err(e),
            }
        }
        if !answered {
            println!("E: server seems to be offline, abandoning");
            return Ok(false);
        }
    }
    Ok(true)
}
