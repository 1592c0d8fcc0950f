//! Weather update server: a PUB socket publishing random "zipcode temperature humidity"
//! updates.
//!
//! ```text
//! cargo run -p ferromq-examples --bin wuserver [ENDPOINT=tcp://*:5556] [UPDATES=forever]
//! ```

#[path = "args.rs"]
mod args;

use ferromq::{Context, SocketType};

const USAGE: &str = "wuserver [ENDPOINT] [UPDATES]";

/// A small xorshift generator: the updates only need to look random.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn main() -> ferromq::Result<()> {
    let endpoint: String = args::arg(1, "tcp://*:5556".to_string(), USAGE);
    let updates: u64 = args::arg(2, u64::MAX, USAGE);
    let ctx = Context::new();
    let mut publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind(&endpoint)?;
    println!("wuserver: publishing on {}", publisher.last_endpoint()?);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for _ in 0..updates {
        let zipcode = rng.below(100_000);
        let temperature = rng.below(215) as i64 - 80;
        let humidity = rng.below(50) + 10;
        publisher.send(format!("{zipcode:05} {temperature} {humidity}"), 0)?;
    }
    Ok(())
}
