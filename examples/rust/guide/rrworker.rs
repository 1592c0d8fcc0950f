//! Request-reply worker: a REP socket connected to the broker's backend, answering
//! "Hello" with "World".
//!
//! ```text
//! cargo run -p ferromq-examples --bin rrworker [BACKEND=tcp://localhost:5560] [REQUESTS=forever]
//! ```

#[path = "args.rs"]
mod args;

use ferromq::{Context, SocketType};

const USAGE: &str = "rrworker [BACKEND] [REQUESTS]";

fn main() -> ferromq::Result<()> {
    let backend: String = args::arg(1, "tcp://localhost:5560".to_string(), USAGE);
    let requests: u64 = args::arg(2, u64::MAX, USAGE);
    let ctx = Context::new();
    let mut responder = ctx.socket(SocketType::Rep)?;
    responder.connect(&backend)?;
    for _ in 0..requests {
        let request = responder.recv(0)?;
        println!("Received request: {}", String::from_utf8_lossy(&request));
        responder.send("World", 0)?;
    }
    Ok(())
}
