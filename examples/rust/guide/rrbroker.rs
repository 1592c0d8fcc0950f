//! Request-reply broker: a ROUTER frontend for REQ clients and a DEALER backend for REP
//! workers, forwarding whole messages (envelopes included) both ways.
//!
//! ```text
//! cargo run -p ferromq-examples --bin rrbroker [FRONTEND=tcp://*:5559] [BACKEND=tcp://*:5560]
//! ```
//!
//! Until ferromq has a poller, the broker checks both sockets without blocking and
//! waits briefly when neither has work.

#[path = "args.rs"]
mod args;

use ferromq::{Error, Msg, Socket, SocketType, DONTWAIT};
use std::time::Duration;

const USAGE: &str = "rrbroker [FRONTEND] [BACKEND]";

/// Moves one whole message from `from` to `to`; `Ok(false)` when none was waiting.
fn forward(from: &mut Socket, to: &mut Socket) -> ferromq::Result<bool> {
    let first = match from.recv(DONTWAIT) {
        Ok(m) => m,
        Err(Error::Again) => return Ok(false),
        Err(e) => return Err(e),
    };
    let mut parts: Vec<Msg> = vec![first];
    while parts.last().is_some_and(Msg::more) {
        parts.push(from.recv(0)?);
    }
    to.send_multipart(parts, 0)?;
    Ok(true)
}

fn main() -> ferromq::Result<()> {
    let frontend_ep: String = args::arg(1, "tcp://*:5559".to_string(), USAGE);
    let backend_ep: String = args::arg(2, "tcp://*:5560".to_string(), USAGE);
    let ctx = ferromq::Context::new();
    let mut frontend = ctx.socket(SocketType::Router)?;
    frontend.bind(&frontend_ep)?;
    let mut backend = ctx.socket(SocketType::Dealer)?;
    backend.bind(&backend_ep)?;
    println!(
        "rrbroker: clients on {}, workers on {}",
        frontend.last_endpoint()?,
        backend.last_endpoint()?
    );
    loop {
        let requests = forward(&mut frontend, &mut backend)?;
        let replies = forward(&mut backend, &mut frontend)?;
        if !requests && !replies {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}
