//! Connect-side sessions outlive their connections: queueing while the peer is away,
//! reconnecting after RECONNECT_IVL, and what unbind/disconnect drop.

mod common;

use common::*;
use ferromq::{Context, Error, SocketType, DONTWAIT};
use std::net::{Ipv4Addr, TcpListener};
use std::thread;
use std::time::{Duration, Instant};

/// A PULL on a fixed port goes away and a new PULL binds the same port later: the
/// messages the PUSH queued meanwhile (in its connect-side pipe) reach the new PULL.
#[test]
fn messages_queued_while_peer_is_gone_reach_the_new_peer() {
    const HWM: u64 = 20;
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        // Take a port, then free it.
        let ep = {
            let (_pull, ep) = bound_pull(&ctx);
            ep
        };
        let port = port_of(&ep);
        let mut pull = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull, &ep);

        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(HWM as i32).unwrap();
        push.set_reconnect_ivl(20).unwrap();
        push.connect(&ep).unwrap();
        push.send("before", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "first peer")[..], b"before");

        drop(pull);
        assert!(
            wait_until(Duration::from_secs(5), || port_closed(port)),
            "the closed PULL still accepts connections"
        );

        // Queue messages until the pipe stays full. Messages the PUSH wrote into the dead
        // connection before noticing it was gone are lost (as in libzmq); those still in
        // the pipe must survive. "Stays full" = no room for 500 ms: the session no longer
        // drains the pipe, i.e. it knows the connection is gone.
        push.set_sndtimeo(500).unwrap();
        let mut sent = 0u64;
        loop {
            match push.send(seq_msg(sent), 0) {
                Ok(()) => sent += 1,
                Err(Error::Again) => break,
                Err(e) => panic!("send while peer gone: {e:?}"),
            }
            assert!(sent < 1_000_000, "the PUSH never blocked without a peer");
        }
        assert!(sent >= HWM, "only {sent} messages fit, SNDHWM is {HWM}");

        let mut pull2 = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull2, &ep);
        let mut got = Vec::new();
        pull2.set_rcvtimeo(5000).unwrap();
        while got.last() != Some(&(sent - 1)) {
            match pull2.recv(0) {
                Ok(m) => got.push(seq_of(&m)),
                Err(e) => panic!("new PULL got {got:?} of {sent} queued, then {e:?}"),
            }
        }
        // The queued tail arrives in order, and nothing else (no duplicates, no "before").
        let tail: Vec<u64> = (sent - HWM..sent).collect();
        assert!(
            got.ends_with(&tail),
            "the last {HWM} queued messages did not all arrive in order: {got:?}"
        );
        assert!(got.windows(2).all(|w| w[0] < w[1]), "reordered: {got:?}");
        pull2.set_rcvtimeo(100).unwrap();
        assert_eq!(pull2.recv(0).unwrap_err(), Error::Again);
        eprintln!(
            "sent {sent} while the peer was gone, {} delivered",
            got.len()
        );
    });
}

/// Connecting before anybody listens: once the peer binds, the PUSH's reconnect (every
/// RECONNECT_IVL) finds it and the queued message arrives.
#[test]
fn connect_before_bind_delivers_after_peer_appears() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let ep = free_endpoint();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_reconnect_ivl(50).unwrap();
        push.connect(&ep).unwrap();
        push.send("queued early", 0).unwrap();
        // Let a few connection attempts fail first.
        thread::sleep(Duration::from_millis(200));
        let mut pull = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull, &ep);
        let bound_at = Instant::now();
        pull.set_rcvtimeo(3000).unwrap();
        let m = pull.recv(0).expect("the queued message never arrived");
        assert_eq!(&m[..], b"queued early");
        // RECONNECT_IVL 50 ms (+ up to 50 ms jitter): no long wait after the bind.
        assert!(
            bound_at.elapsed() < Duration::from_millis(1500),
            "took {:?} after the bind",
            bound_at.elapsed()
        );
    });
}

/// A long RECONNECT_IVL is honoured: a plain TCP listener accepts the PUSH's first
/// connection and closes it, so the PUSH must wait RECONNECT_IVL (plus jitter below
/// RECONNECT_IVL) before trying again, even though a PULL is there right away.
#[test]
fn long_reconnect_ivl_delays_the_next_attempt() {
    const IVL: u64 = 1000;
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let ep = format!("tcp://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let mut push = socket(&ctx, SocketType::Push);
        push.set_reconnect_ivl(IVL as i32).unwrap();
        push.connect(&ep).unwrap();
        push.send("late", 0).unwrap();

        // The first attempt reaches a listener that hangs up before any handshake.
        let (stream, _) = listener.accept().expect("first connection attempt");
        drop(stream);
        drop(listener);
        let dropped_at = Instant::now();

        let mut pull = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull, &ep);
        pull.set_rcvtimeo((4 * IVL) as i32).unwrap();
        let m = pull.recv(0).expect("no reconnect within 4 x RECONNECT_IVL");
        let elapsed = dropped_at.elapsed();
        assert_eq!(&m[..], b"late");
        eprintln!("reconnected and delivered {elapsed:?} after the hang-up");
        assert!(
            elapsed >= Duration::from_millis(IVL - 50),
            "reconnected after {elapsed:?}, before RECONNECT_IVL = {IVL} ms"
        );
        assert!(
            elapsed < Duration::from_millis(2 * IVL + 1500),
            "reconnect took {elapsed:?}, RECONNECT_IVL is {IVL} ms"
        );
    });
}

/// After `unbind`, the connections the endpoint accepted are dropped: the PUSH's later
/// messages do not reach this PULL. The port is free again, and a new PULL on it gets
/// the PUSH's messages once the PUSH has reconnected.
#[test]
fn unbind_drops_accepted_connections() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let mut push = socket(&ctx, SocketType::Push);
        push.set_reconnect_ivl(20).unwrap();
        push.connect(&ep).unwrap();
        push.send("before unbind", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "before unbind")[..], b"before unbind");

        // The wildcard form is not the bound endpoint.
        assert_eq!(pull.unbind("tcp://127.0.0.1:*"), Err(Error::NoEnt));
        pull.unbind(&ep).unwrap();
        assert_eq!(pull.unbind(&ep), Err(Error::NoEnt), "unbound twice");

        for i in 0..10u64 {
            push.send(seq_msg(i), 0).unwrap();
        }
        pull.set_rcvtimeo(500).unwrap();
        match pull.recv(0) {
            Err(Error::Again) => {}
            Ok(m) => panic!("the unbound PULL still received {:?}", m.to_vec()),
            Err(e) => panic!("recv: {e:?}"),
        }

        // The port is released; a new PULL there gets later messages after reconnect.
        let mut pull2 = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull2, &ep);
        let mut probe = 1000u64;
        let mut got_probe = false;
        let ok = wait_until(Duration::from_secs(10), || {
            let _ = push.send(seq_msg(probe), DONTWAIT);
            probe += 1;
            while let Ok(m) = pull2.recv(DONTWAIT) {
                got_probe |= seq_of(&m) >= 1000;
            }
            got_probe
        });
        assert!(
            ok,
            "the PUSH never reached the PULL bound on the freed port"
        );
        assert_eq!(pull.recv(DONTWAIT).unwrap_err(), Error::Again);
    });
}

/// `disconnect` drops the connection and its queued messages (LINGER=0): a PULL that
/// binds afterwards gets nothing from that PUSH; unknown endpoints give ENOENT.
#[test]
fn disconnect_stops_delivery() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let ep = free_endpoint();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("queued", 0).unwrap();
        assert_eq!(push.disconnect("tcp://127.0.0.1:1"), Err(Error::NoEnt));
        push.disconnect(&ep).unwrap();
        assert_eq!(push.disconnect(&ep), Err(Error::NoEnt));
        // No peer left: nothing can take a message.
        assert_eq!(push.send("x", DONTWAIT), Err(Error::Again));

        let mut pull = socket(&ctx, SocketType::Pull);
        bind_when_free(&mut pull, &ep);
        pull.set_rcvtimeo(500).unwrap();
        assert_eq!(
            pull.recv(0).unwrap_err(),
            Error::Again,
            "disconnected PUSH delivered"
        );
    });
}

/// The receiving side can be the connecting one: a PULL connected to a bound PUSH keeps
/// its session when the PUSH goes away and receives from a new PUSH on the same port.
#[test]
fn connecting_pull_follows_a_restarted_push() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.bind("tcp://127.0.0.1:*").unwrap();
        let ep = push.last_endpoint().unwrap();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_reconnect_ivl(20).unwrap();
        pull.connect(&ep).unwrap();
        push.send("first", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "first PUSH")[..], b"first");
        drop(push);

        let mut push2 = socket(&ctx, SocketType::Push);
        bind_when_free(&mut push2, &ep);
        // Blocks (SNDTIMEO) until the PULL has reconnected and its pipe is attached.
        push2.send("second", 0).expect("the PULL never reconnected");
        assert_eq!(&recv_ok(&mut pull, "second PUSH")[..], b"second");
    });
}

/// A bound PUSH without peers blocks in send until a PULL connects; the send then
/// completes and the message arrives.
#[test]
fn send_blocked_without_peers_completes_when_one_connects() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.bind("tcp://127.0.0.1:*").unwrap();
        let ep = push.last_endpoint().unwrap();
        assert_eq!(push.send("nobody", DONTWAIT), Err(Error::Again));
        let sender = thread::spawn(move || {
            let start = Instant::now();
            push.send("somebody", 0).expect("send never completed");
            (push, start.elapsed())
        });
        thread::sleep(Duration::from_millis(200)); // the send is blocked meanwhile
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.connect(&ep).unwrap();
        assert_eq!(&recv_ok(&mut pull, "after blocking")[..], b"somebody");
        let (_push, blocked) = sender.join().unwrap();
        assert!(
            blocked >= Duration::from_millis(150),
            "send returned after {blocked:?}"
        );
    });
}
