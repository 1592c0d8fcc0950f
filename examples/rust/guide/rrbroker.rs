//! Request-reply broker: a ROUTER frontend for REQ clients and a DEALER backend for REP
//! workers, forwarding whole messages (envelopes included) both ways.
//!
//! ```text
//! cargo run -p ferromq-examples --bin rrbroker [FRONTEND=tcp://*:5559] [BACKEND=tcp://*:5560]
//! ```
//!
//! It polls both sockets and forwards whatever is ready, as the guide's `rrbroker` does
//! with `zmq_poll` (`ferromq::proxy` does the same job in one call).

#[path = "args.rs"]
mod args;

use ferromq::{poll, Msg, PollItem, Socket, SocketType, POLLIN};

const USAGE: &str = "rrbroker [FRONTEND] [BACKEND]";

/// Moves one whole message from `from` to `to`.
fn forward(from: &mut Socket, to: &mut Socket) -> ferromq::Result<()> {
    let mut parts: Vec<Msg> = vec![from.recv(0)?];
    while parts.last().is_some_and(Msg::more) {
        parts.push(from.recv(0)?);
    }
    to.send_multipart(parts, 0)
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
        let mut items = [
            PollItem::socket(&mut frontend, POLLIN),
            PollItem::socket(&mut backend, POLLIN),
        ];
        poll(&mut items, -1)?;
        let (requests, replies) = (items[0].revents, items[1].revents);
        if requests & POLLIN != 0 {
            forward(&mut frontend, &mut backend)?;
        }
        if replies & POLLIN != 0 {
            forward(&mut backend, &mut frontend)?;
        }
    }
}
