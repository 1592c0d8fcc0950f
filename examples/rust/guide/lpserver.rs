//! Lazy Pirate server: echoes requests, but every few requests "loses" one (does not
//! answer it), so that `lpclient` has to retry.
//!
//! ```text
//! cargo run -p ferromq-examples --bin lpserver [ENDPOINT=tcp://*:5555] [DROP_EVERY=3] [REQUESTS=forever]
//! ```

#[path = "args.rs"]
mod args;

use ferromq::{Context, SocketType};

const USAGE: &str = "lpserver [ENDPOINT] [DROP_EVERY] [REQUESTS]";

fn main() -> ferromq::Result<()> {
    let endpoint: String = args::arg(1, "tcp://*:5555".to_string(), USAGE);
    let drop_every: u64 = args::arg(2, 3, USAGE);
    let requests: u64 = args::arg(3, u64::MAX, USAGE);
    let ctx = Context::new();
    // A ROUTER, so that a request can go unanswered without breaking the REP state machine.
    let mut server = ctx.socket(SocketType::Router)?;
    server.bind(&endpoint)?;
    println!("lpserver: listening on {}", server.last_endpoint()?);
    for n in 1..=requests {
        let request = server.recv_multipart(0)?;
        if drop_every > 0 && n % drop_every == 0 {
            println!("I: simulating a lost reply");
            continue;
        }
        if let Some(body) = request.last() {
            println!("I: normal request ({})", String::from_utf8_lossy(body));
        }
        server.send_multipart(request, 0)?;
    }
    Ok(())
}
