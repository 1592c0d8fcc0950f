//! Endpoint forms, LAST_ENDPOINT, and the errors (with libzmq's errno numbers) of bind,
//! connect, unbind, disconnect and of operations a socket type does not support.

mod common;

use common::*;
use ferromq::{Context, Error, Socket, SocketType, DONTWAIT};
use std::time::Duration;

/// Sends one message PUSH→PULL over `connect_to` and checks it arrives.
fn exchange(ctx: &Context, pull: &mut Socket, connect_to: &str) {
    let mut push = socket(ctx, SocketType::Push);
    push.connect(connect_to)
        .unwrap_or_else(|e| panic!("connect {connect_to}: {e:?}"));
    push.send(connect_to, 0).unwrap();
    let m = recv_ok(pull, connect_to);
    assert_eq!(&m[..], connect_to.as_bytes());
}

#[test]
fn wildcard_port_resolves_in_last_endpoint() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        assert_eq!(pull.last_endpoint().unwrap(), "");
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let port = ep
            .strip_prefix("tcp://127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected LAST_ENDPOINT {ep}"));
        let port: u16 = port.parse().expect("numeric port");
        assert_ne!(port, 0);
        exchange(&ctx, &mut pull, &ep);
        // Port 0 is the same as *.
        let mut other = socket(&ctx, SocketType::Pull);
        other.bind("tcp://127.0.0.1:0").unwrap();
        let ep0 = other.last_endpoint().unwrap();
        assert!(
            ep0.starts_with("tcp://127.0.0.1:") && !ep0.ends_with(":0"),
            "{ep0}"
        );
        exchange(&ctx, &mut other, &ep0);
    });
}

#[test]
fn all_interfaces_bind_accepts_loopback() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("tcp://*:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        assert!(
            ep.starts_with("tcp://0.0.0.0:"),
            "LAST_ENDPOINT of tcp://*:* is {ep}"
        );
        exchange(
            &ctx,
            &mut pull,
            &format!("tcp://127.0.0.1:{}", port_of(&ep)),
        );
    });
}

#[test]
fn ipv6_loopback_end_to_end() {
    if !ipv6_loopback_available() {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    }
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_ipv6(true).unwrap();
        pull.bind("tcp://[::1]:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        assert!(ep.starts_with("tcp://[::1]:"), "LAST_ENDPOINT {ep}");
        assert_ne!(port_of(&ep), 0);
        let mut push = socket(&ctx, SocketType::Push);
        push.set_ipv6(true).unwrap();
        push.connect(&ep).unwrap();
        push.send("v6", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "over IPv6")[..], b"v6");
        // An IPv6 listener is not an IPv4 one.
        let mut v4 = socket(&ctx, SocketType::Pull);
        v4.bind(&format!("tcp://127.0.0.1:{}", port_of(&ep)))
            .expect("IPv4 bind on the port of an IPv6-only listener");
    });
}

#[test]
fn connect_by_host_name() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let named = format!("tcp://localhost:{}", port_of(&ep));
        exchange(&ctx, &mut pull, &named);
    });
}

#[test]
fn bind_twice_on_one_port_is_addr_in_use() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut a, ep) = bound_pull(&ctx);
        let mut b = socket(&ctx, SocketType::Pull);
        let err = b.bind(&ep).unwrap_err();
        assert_eq!(err, Error::AddrInUse);
        assert_eq!(err.errno(), 98);
        // The same socket cannot bind it twice either.
        assert_eq!(a.bind(&ep), Err(Error::AddrInUse));
        // The failed binds changed nothing: the first binding still works.
        assert_eq!(a.last_endpoint().unwrap(), ep);
        exchange(&ctx, &mut a, &ep);
    });
}

#[test]
fn unknown_transport_is_protonosupport() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut s = socket(&ctx, SocketType::Pull);
        for ep in ["bogus://127.0.0.1:5555", "udpx://127.0.0.1:5555"] {
            let err = s.bind(ep).unwrap_err();
            assert_eq!(err, Error::ProtoNoSupport, "bind {ep}");
            assert_eq!(err.errno(), 93);
            assert_eq!(s.connect(ep), Err(Error::ProtoNoSupport), "connect {ep}");
        }
    });
}

#[test]
fn malformed_endpoints_are_invalid() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut s = socket(&ctx, SocketType::Push);
        for ep in [
            "",
            "127.0.0.1:5555",
            "tcp:/127.0.0.1:5555",
            "tcp://127.0.0.1",
            "tcp://127.0.0.1:",
            "tcp://127.0.0.1:port",
            "tcp://127.0.0.1:99999",
            "tcp://127.0.0.1:-1",
            "tcp://:5555",
            "tcp://[::1:5555",
        ] {
            let err = s.bind(ep).unwrap_err();
            assert_eq!(err, Error::Invalid, "bind {ep:?}");
            assert_eq!(err.errno(), 22);
            assert_eq!(s.connect(ep), Err(Error::Invalid), "connect {ep:?}");
        }
        // A wildcard port cannot be connected to.
        assert_eq!(s.connect("tcp://127.0.0.1:*"), Err(Error::Invalid));
        assert_eq!(
            s.last_endpoint().unwrap(),
            "",
            "a failed call set LAST_ENDPOINT"
        );
    });
}

#[test]
fn unbind_and_disconnect_of_unknown_endpoints_are_noent() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let err = pull.unbind("tcp://127.0.0.1:1").unwrap_err();
        assert_eq!(err, Error::NoEnt);
        assert_eq!(err.errno(), 2);
        assert_eq!(
            pull.disconnect(&ep),
            Err(Error::NoEnt),
            "a bound endpoint is not connected"
        );
        let mut push = socket(&ctx, SocketType::Push);
        assert_eq!(push.disconnect(&ep), Err(Error::NoEnt));
        assert_eq!(push.unbind(&ep), Err(Error::NoEnt));
        push.connect(&ep).unwrap();
        assert_eq!(
            push.unbind(&ep),
            Err(Error::NoEnt),
            "a connected endpoint is not bound"
        );
        push.disconnect(&ep).unwrap();
        pull.unbind(&ep).unwrap();
    });
}

#[test]
fn errno_values_match_libzmq() {
    let table = [
        (Error::Again, 11),
        (Error::Invalid, 22),
        (Error::Fsm, 156_384_763),
        (Error::Term, 156_384_765),
        (Error::AddrInUse, 98),
        (Error::ProtoNoSupport, 93),
        (Error::NoEnt, 2),
        (Error::NotSup, 95),
        (Error::NoCompatProto, 156_384_764),
        (Error::MThread, 156_384_766),
        (Error::HostUnreach, 113),
        (Error::MsgSize, 90),
        (Error::AddrNotAvail, 99),
    ];
    for (e, n) in table {
        assert_eq!(e.errno(), n, "{e:?}");
        assert_eq!(Error::from_errno(n), e, "from_errno({n})");
    }
}

#[test]
fn push_cannot_recv_and_pull_cannot_send() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        // Even with RCVTIMEO/SNDTIMEO = -1 (block forever) the answer comes at once.
        push.set_rcvtimeo(-1).unwrap();
        pull.set_sndtimeo(-1).unwrap();
        for flags in [0, DONTWAIT] {
            let err = push.recv(flags).unwrap_err();
            assert_eq!(err, Error::NotSup);
            assert_eq!(err.errno(), 95);
            assert_eq!(push.recv_multipart(flags).unwrap_err(), Error::NotSup);
            assert_eq!(pull.send("x", flags), Err(Error::NotSup));
            assert_eq!(pull.send_multipart(["a", "b"], flags), Err(Error::NotSup));
        }
        // The sockets still work in their own direction.
        push.send("ok", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "after NotSup")[..], b"ok");
    });
}

/// `tcp://source:port;host:port` binds the connection's local end first (libzmq's
/// test_bind_src_address forms connect; the source port is the one the peer sees).
#[test]
fn connect_from_a_source_address() {
    bounded(Duration::from_secs(60), || {
        let ctx = Context::new();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let src_port = probe.local_addr().unwrap().port();
        drop(probe);
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&format!("tcp://127.0.0.1:{src_port};127.0.0.1:{port}"))
            .unwrap();
        let (_conn, peer) = listener.accept().unwrap();
        assert_eq!(peer.port(), src_port, "the peer sees the source port");

        // Any source port, and interface names and host names as sources.
        let (mut pull, ep) = bound_pull(&ctx);
        let dest = ep.trim_start_matches("tcp://");
        for src in ["127.0.0.1:0", "127.0.0.1:*", "lo:0", "localhost:0"] {
            exchange(&ctx, &mut pull, &format!("tcp://{src};{dest}"));
        }
        let mut s = socket(&ctx, SocketType::Pub);
        for ok in [
            "tcp://127.0.0.1:0;localhost:1234",
            "tcp://localhost:5555;localhost:1235",
            "tcp://lo:5555;localhost:1235",
        ] {
            s.connect(ok).unwrap_or_else(|e| panic!("{ok}: {e:?}"));
        }
        assert_eq!(s.bind("tcp://127.0.0.1:0;127.0.0.1:0"), Err(Error::Invalid));
    });
}
