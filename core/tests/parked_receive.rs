//! A blocked receive on a socket with one connection reads that connection on the
//! application thread and waits on its stream; meanwhile the I/O thread's poller does
//! not watch the stream for reading. What only the I/O thread does must still happen:
//! the peer's end is noticed and reported, and the next message (on a new connection)
//! reaches the waiting receive.

mod common;

use common::{bounded, socket};
use ferromq::monitor::{EventKind, EVENT_ALL};
use ferromq::{poll, Context, Error, PollItem, Socket, SocketType, DONTWAIT, POLLIN};
use std::thread;
use std::time::Duration;

/// Binds `pull` on `transport`, connects a PUSH to it and receives its first message, so
/// that the PULL's connection is established and lent; returns the PUSH and the endpoint.
fn first_message(ctx: &Context, pull: &mut Socket, transport: &str) -> (Socket, String) {
    pull.bind(transport).unwrap();
    let ep = pull.last_endpoint().unwrap();
    let mut push = socket(ctx, SocketType::Push);
    push.connect(&ep).unwrap();
    push.send("one", 0).unwrap();
    assert_eq!(&pull.recv(0).unwrap()[..], b"one");
    (push, ep)
}

#[test]
fn a_peer_that_goes_away_is_reported_while_a_receive_waits_on_its_connection() {
    for transport in ["tcp://127.0.0.1:*", "ipc://*"] {
        bounded(Duration::from_secs(30), move || {
            let ctx = Context::new();
            let mut pull = socket(&ctx, SocketType::Pull);
            let mut events = pull.monitor_stream(EVENT_ALL).unwrap();
            events.socket().set_rcvtimeo(10_000).unwrap();
            let (push, ep) = first_message(&ctx, &mut pull, transport);
            let receive = thread::spawn(move || {
                let got = pull.recv(0);
                (pull, got)
            });
            drop(push);
            loop {
                let ev = events
                    .recv(0)
                    .expect("no DISCONNECTED while a receive waited");
                if ev.kind == EventKind::Disconnected {
                    break;
                }
            }
            let mut push = socket(&ctx, SocketType::Push);
            push.connect(&ep).unwrap();
            push.send("two", 0).unwrap();
            let (_pull, got) = receive.join().unwrap();
            assert_eq!(&got.expect("the new peer's message")[..], b"two");
        });
    }
}

/// A receive that stops waiting without a message (RCVTIMEO) leaves the stream watched by
/// the I/O thread again: a message that arrives afterwards, with no receive waiting, is
/// read by the I/O thread and reported to `poll`.
#[test]
fn a_message_after_a_receive_timed_out_is_seen_by_poll() {
    for transport in ["tcp://127.0.0.1:*", "ipc://*"] {
        bounded(Duration::from_secs(30), move || {
            let ctx = Context::new();
            let mut pull = socket(&ctx, SocketType::Pull);
            let (mut push, _) = first_message(&ctx, &mut pull, transport);
            pull.set_rcvtimeo(20).unwrap();
            assert_eq!(pull.recv(0).unwrap_err(), Error::Again);
            push.send("two", 0).unwrap();
            let ready = poll(&mut [PollItem::socket(&mut pull, POLLIN)], 10_000).unwrap();
            assert_eq!(
                ready, 1,
                "the message after the timed-out receive was never read"
            );
            assert_eq!(&pull.recv(DONTWAIT).unwrap()[..], b"two");
        });
    }
}
