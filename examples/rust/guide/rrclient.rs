//! Request-reply client: a REQ socket connected to the broker's frontend.
//!
//! ```text
//! cargo run -p ferromq-examples --bin rrclient [FRONTEND=tcp://localhost:5559] [REQUESTS=10]
//! ```

#[path = "args.rs"]
mod args;

use ferromq::{Context, SocketType};

const USAGE: &str = "rrclient [FRONTEND] [REQUESTS]";

fn main() -> ferromq::Result<()> {
    let frontend: String = args::arg(1, "tcp://localhost:5559".to_string(), USAGE);
    let requests: u32 = args::arg(2, 10, USAGE);
    let ctx = Context::new();
    let mut requester = ctx.socket(SocketType::Req)?;
    requester.connect(&frontend)?;
    for n in 0..requests {
        requester.send("Hello", 0)?;
        let reply = requester.recv(0)?;
        println!("Received reply {n} [{}]", String::from_utf8_lossy(&reply));
    }
    Ok(())
}
