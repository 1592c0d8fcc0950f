//! Task ventilator: a PUSH socket that hands out tasks (a workload in milliseconds) to
//! workers, after telling the sink how many to expect.
//!
//! ```text
//! cargo run -p ferromq-examples --bin taskvent [BIND=tcp://*:5557] [SINK=tcp://localhost:5558] [TASKS=100]
//! ```
//!
//! Sends block until a worker is connected (a PUSH with no peer holds its messages), so
//! start the workers and the sink in any order.

#[path = "args.rs"]
mod args;

use ferromq::{Context, SocketType};

const USAGE: &str = "taskvent [BIND] [SINK] [TASKS]";

fn main() -> ferromq::Result<()> {
    let bind: String = args::arg(1, "tcp://*:5557".to_string(), USAGE);
    let sink_endpoint: String = args::arg(2, "tcp://localhost:5558".to_string(), USAGE);
    let tasks: u32 = args::arg(3, 100, USAGE);
    let ctx = Context::new();
    let mut sender = ctx.socket(SocketType::Push)?;
    sender.bind(&bind)?;
    let mut sink = ctx.socket(SocketType::Push)?;
    sink.connect(&sink_endpoint)?;
    // The first message to the sink is the number of tasks: it starts the batch.
    sink.send(tasks.to_string(), 0)?;
    let mut seed = 0x9E37_79B9u32;
    let mut total_ms = 0u32;
    for _ in 0..tasks {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let workload = seed % 100 + 1;
        total_ms += workload;
        sender.send(workload.to_string(), 0)?;
    }
    println!("Total expected cost: {total_ms} msec");
    Ok(())
}
