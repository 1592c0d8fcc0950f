//! Weather update client: a SUB socket that subscribes to one zipcode and averages the
//! temperatures of the updates it receives.
//!
//! ```text
//! cargo run -p ferromq-examples --bin wuclient [ENDPOINT=tcp://localhost:5556] [ZIPCODE=10001] [UPDATES=100]
//! ```

#[path = "args.rs"]
mod args;

use ferromq::{Context, SocketType};

const USAGE: &str = "wuclient [ENDPOINT] [ZIPCODE] [UPDATES]";

fn main() -> ferromq::Result<()> {
    let endpoint: String = args::arg(1, "tcp://localhost:5556".to_string(), USAGE);
    let zipcode: String = args::arg(2, "10001".to_string(), USAGE);
    let updates: u32 = args::arg(3, 100, USAGE);
    let ctx = Context::new();
    let mut subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.connect(&endpoint)?;
    // The trailing space makes "10001" not match "100010".
    subscriber.set_subscribe(format!("{zipcode} ").as_bytes())?;
    println!("Collecting updates from weather server...");
    let mut total = 0i64;
    for _ in 0..updates {
        let update = subscriber.recv(0)?;
        let text = String::from_utf8_lossy(&update);
        let temperature: i64 = text
            .split_whitespace()
            .nth(1)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        total += temperature;
    }
    println!(
        "Average temperature for zipcode '{zipcode}' was {}F",
        total / i64::from(updates.max(1))
    );
    Ok(())
}
