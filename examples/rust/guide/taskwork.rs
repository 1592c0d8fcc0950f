//! Task worker: pulls tasks from the ventilator, "works" (sleeps) for each one's
//! workload in milliseconds, and pushes a result to the sink.
//!
//! ```text
//! cargo run -p ferromq-examples --bin taskwork [VENTILATOR=tcp://localhost:5557] [SINK=tcp://localhost:5558] [IDLE_EXIT_MS=forever]
//! ```
//!
//! With IDLE_EXIT_MS, the worker exits once no task has arrived for that long.

#[path = "args.rs"]
mod args;

use ferromq::{Context, Error, SocketType};
use std::io::Write;
use std::time::Duration;

const USAGE: &str = "taskwork [VENTILATOR] [SINK] [IDLE_EXIT_MS]";

fn main() -> ferromq::Result<()> {
    let ventilator: String = args::arg(1, "tcp://localhost:5557".to_string(), USAGE);
    let sink_endpoint: String = args::arg(2, "tcp://localhost:5558".to_string(), USAGE);
    let idle_exit_ms: i32 = args::arg(3, -1, USAGE);
    let ctx = Context::new();
    let mut receiver = ctx.socket(SocketType::Pull)?;
    receiver.set_rcvtimeo(idle_exit_ms)?;
    receiver.connect(&ventilator)?;
    let mut sink = ctx.socket(SocketType::Push)?;
    sink.connect(&sink_endpoint)?;
    loop {
        let task = match receiver.recv(0) {
            Ok(t) => t,
            Err(Error::Again) => return Ok(()),
            Err(e) => return Err(e),
        };
        let workload: u64 = String::from_utf8_lossy(&task).parse().unwrap_or(0);
        print!(".");
        let _ = std::io::stdout().flush();
        std::thread::sleep(Duration::from_millis(workload));
        sink.send("", 0)?;
    }
}
