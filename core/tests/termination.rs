//! Context termination (`term`, `shutdown`), ETERM, and the context options.

mod common;

use common::bounded;
use ferromq::{Context, Error, SocketType, CTX_BLOCKY, CTX_MAX_SOCKETS, DONTWAIT};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn term_wakes_blocked_recv_and_send_with_eterm_and_waits_for_close() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = ctx.socket(SocketType::Pull).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let mut push = ctx.socket(SocketType::Push).unwrap();
        push.set_linger(0).unwrap();
        // No peer: a send blocks.
        let (tx, rx) = std::sync::mpsc::channel();
        let tx2 = tx.clone();
        let receiver = std::thread::spawn(move || {
            let r = pull.recv(0).err();
            // Signalled before the close: term() cannot return until `pull` is closed, so
            // the signal is in the channel by then (sent after the drop, it would race).
            tx.send(()).unwrap();
            drop(pull);
            r
        });
        let sender = std::thread::spawn(move || {
            let r = push.send("x", 0).err();
            tx2.send(()).unwrap();
            drop(push);
            r
        });
        ctx.term();
        // term returned, so both threads had reached their socket's close.
        assert!(rx.try_recv().is_ok() && rx.try_recv().is_ok());
        assert_eq!(receiver.join().unwrap(), Some(Error::Term));
        assert_eq!(sender.join().unwrap(), Some(Error::Term));
        assert_eq!(ctx.socket(SocketType::Pull).err(), Some(Error::Term));
    });
}

#[test]
fn shutdown_does_not_wait_and_every_later_call_fails() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut a = ctx.socket(SocketType::Pair).unwrap();
        a.bind("inproc://s").unwrap();
        let mut b = ctx.socket(SocketType::Pair).unwrap();
        b.connect("inproc://s").unwrap();
        let blocked = std::thread::spawn(move || (a.recv(0).err(), a));
        ctx.shutdown();
        let (err, a) = blocked.join().unwrap();
        assert_eq!(err, Some(Error::Term));
        assert_eq!(b.send("x", DONTWAIT), Err(Error::Term));
        assert_eq!(b.recv(DONTWAIT).err(), Some(Error::Term));
        assert_eq!(b.connect("inproc://t"), Err(Error::Term));
        assert_eq!(b.bind("inproc://t"), Err(Error::Term));
        drop((a, b));
        ctx.term();
    });
}

#[test]
fn term_waits_for_linger_then_gives_up_on_unsent_messages() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut push = ctx.socket(SocketType::Push).unwrap();
        push.set_linger(300).unwrap();
        push.connect("tcp://127.0.0.1:9").unwrap();
        push.send("never delivered", 0).unwrap();
        drop(push);
        let start = Instant::now();
        ctx.term();
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(250),
            "term returned after {took:?}"
        );
    });
}

#[test]
fn blocky_false_gives_new_sockets_linger_zero() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        ctx.set(CTX_BLOCKY, 0).unwrap();
        let mut push = ctx.socket(SocketType::Push).unwrap();
        assert_eq!(push.linger().unwrap(), 0);
        push.connect("tcp://127.0.0.1:9").unwrap();
        push.send("dropped at close", 0).unwrap();
        drop(push);
        // With LINGER 0 nothing holds term back (it would wait forever with -1).
        ctx.term();
    });
}

#[test]
fn max_sockets_gives_emfile_until_one_closes() {
    let ctx = Context::new();
    ctx.set(CTX_MAX_SOCKETS, 2).unwrap();
    let a = ctx.socket(SocketType::Pull).unwrap();
    let _b = ctx.socket(SocketType::Pull).unwrap();
    assert_eq!(ctx.socket(SocketType::Pull).err(), Some(Error::MFile));
    drop(a);
    assert!(ctx.socket(SocketType::Pull).is_ok());
    assert_eq!(ctx.set(CTX_MAX_SOCKETS, 0), Err(Error::Invalid));
}

#[test]
fn sockets_keep_the_context_alive_after_its_last_handle() {
    bounded(LIMIT, || {
        let mut pull = Context::new().socket(SocketType::Pull).unwrap();
        pull.bind("inproc://alive").unwrap();
        let mut push = {
            // A second context handle made only to create the peer... of another context:
            // inproc names are per context, so use the socket's own.
            let ctx = Context::new();
            ctx.socket(SocketType::Push).unwrap()
        };
        assert!(push.connect("inproc://alive").is_ok());
        push.set_linger(0).unwrap();
        // Different contexts: the message waits for a binder that never comes.
        assert!(push.send("x", DONTWAIT).is_ok());
        assert_eq!(pull.recv(DONTWAIT).err(), Some(Error::Again));
        pull.bind("tcp://127.0.0.1:*").unwrap();
    });
}
