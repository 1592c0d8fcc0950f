//! Hello World client: a REQ socket that sends "Hello" and waits for each "World".
//!
//! ```text
//! cargo run -p ferromq-examples --bin hwclient [ENDPOINT=tcp://localhost:5555] [REQUESTS=10]
//! ```

#[path = "args.rs"]
mod args;

use ferromq::{Context, SocketType};

const USAGE: &str = "hwclient [ENDPOINT] [REQUESTS]";

fn main() -> ferromq::Result<()> {
    let endpoint: String = args::arg(1, "tcp://localhost:5555".to_string(), USAGE);
    let requests: u32 = args::arg(2, 10, USAGE);
    let ctx = Context::new();
    let mut requester = ctx.socket(SocketType::Req)?;
    requester.connect(&endpoint)?;
    for n in 0..requests {
        println!("Sending Hello {n}...");
        requester.send("Hello", 0)?;
        let reply = requester.recv(0)?;
        println!("Received {} {n}", String::from_utf8_lossy(&reply));
    }
    Ok(())
}
