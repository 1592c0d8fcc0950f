//! Task sink: collects one result per task from the workers and reports how long the
//! whole batch took.
//!
//! ```text
//! cargo run -p ferromq-examples --bin tasksink [BIND=tcp://*:5558]
//! ```

#[path = "args.rs"]
mod args;

use ferromq::{Context, SocketType};
use std::time::Instant;

const USAGE: &str = "tasksink [BIND]";

fn main() -> ferromq::Result<()> {
    let bind: String = args::arg(1, "tcp://*:5558".to_string(), USAGE);
    let ctx = Context::new();
    let mut receiver = ctx.socket(SocketType::Pull)?;
    receiver.bind(&bind)?;
    println!("tasksink: collecting on {}", receiver.last_endpoint()?);
    // The ventilator's first message says how many results to wait for.
    let start = receiver.recv(0)?;
    let tasks: u32 = String::from_utf8_lossy(&start).parse().unwrap_or(0);
    let started = Instant::now();
    for _ in 0..tasks {
        receiver.recv(0)?;
    }
    println!(
        "Collected {tasks} results in {} msec",
        started.elapsed().as_millis()
    );
    Ok(())
}
