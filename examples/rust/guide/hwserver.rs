//! Hello World server: a REP socket that answers each "Hello" with "World".
//!
//! ```text
//! cargo run -p ferromq-examples --bin hwserver [ENDPOINT=tcp://*:5555] [REQUESTS=forever]
//! ```

#[path = "args.rs"]
mod args;

use ferromq::{Context, SocketType};

const USAGE: &str = "hwserver [ENDPOINT] [REQUESTS]";

fn main() -> ferromq::Result<()> {
    let endpoint: String = args::arg(1, "tcp://*:5555".to_string(), USAGE);
    let requests: u64 = args::arg(2, u64::MAX, USAGE);
    let ctx = Context::new();
    let mut responder = ctx.socket(SocketType::Rep)?;
    responder.bind(&endpoint)?;
    println!("hwserver: listening on {}", responder.last_endpoint()?);
    for _ in 0..requests {
        let request = responder.recv(0)?;
        println!("Received {}", String::from_utf8_lossy(&request));
        responder.send("World", 0)?;
    }
    Ok(())
}
