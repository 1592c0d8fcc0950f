//! Transport options with an effect visible from outside the socket: IPV6 (dual-stack
//! listeners, IPv6 addresses refused without it, as libzmq does) and CONNECT_TIMEOUT
//! (a connect that cannot complete is abandoned and retried). Buffer sizes and
//! keepalives are checked on real sockets by the unit tests of `transport::tcp`.

mod common;

use common::*;
use ferromq::{Context, Error, SocketType};
use socket2::{Domain, Socket, Type};
use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// With IPV6, `tcp://*:port` listens on `[::]` and takes IPv4 and IPv6 clients.
#[test]
fn ipv6_wildcard_bind_is_dual_stack() {
    if !ipv6_loopback_available() {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    }
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_ipv6(true).unwrap();
        pull.bind("tcp://*:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        assert!(ep.starts_with("tcp://[::]:"), "LAST_ENDPOINT {ep}");
        let port = port_of(&ep);

        let mut v4 = socket(&ctx, SocketType::Push);
        v4.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
        let mut v6 = socket(&ctx, SocketType::Push);
        v6.set_ipv6(true).unwrap();
        v6.connect(&format!("tcp://[::1]:{port}")).unwrap();
        v4.send("from v4", 0).unwrap();
        v6.send("from v6", 0).unwrap();
        let mut got: Vec<Vec<u8>> = (0..2)
            .map(|_| recv_ok(&mut pull, "dual stack").to_vec())
            .collect();
        got.sort();
        assert_eq!(got, vec![b"from v4".to_vec(), b"from v6".to_vec()]);
    });
}

/// With IPV6 an IPv4 address is bound IPv4-mapped, as libzmq reports it.
#[test]
fn ipv6_binds_ipv4_addresses_mapped() {
    if !ipv6_loopback_available() {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    }
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_ipv6(true).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        assert!(ep.starts_with("tcp://[::ffff:127.0.0.1]:"), "{ep}");
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&format!("tcp://127.0.0.1:{}", port_of(&ep)))
            .unwrap();
        push.send("mapped", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "mapped")[..], b"mapped");
    });
}

/// Without IPV6 (libzmq 4.3.5, checked with pyzmq): binding an IPv6 literal is ENODEV;
/// connecting to one is accepted but never gets through.
#[test]
fn ipv6_addresses_without_ipv6_option() {
    if !ipv6_loopback_available() {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    }
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut off = socket(&ctx, SocketType::Pull);
        assert_eq!(off.bind("tcp://[::1]:*"), Err(Error::NoDev));
        assert_eq!(Error::NoDev.errno(), 19);

        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_ipv6(true).unwrap();
        pull.bind("tcp://[::1]:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_reconnect_ivl(10).unwrap();
        push.connect(&ep)
            .expect("connect to an IPv6 literal is accepted");
        push.send("never", 0).unwrap();
        pull.set_rcvtimeo(300).unwrap();
        assert_eq!(pull.recv(0).unwrap_err(), Error::Again);
    });
}

/// Local ports of this machine's TCP sockets in SYN-SENT towards 127.0.0.1:`port`
/// (from /proc/net/tcp: `local rem st` as hex `ADDR:PORT`, state 02 = SYN-SENT).
fn syn_sent_from(port: u16) -> Vec<u16> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let want = format!("0100007F:{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 4 || f[2] != want || f[3] != "02" {
                return None;
            }
            let local_port = f[1].rsplit(':').next()?;
            u16::from_str_radix(local_port, 16).ok()
        })
        .collect()
}

/// A listener that never accepts and whose accept queue is full, so further connects
/// stay in SYN-SENT (Linux drops their SYNs). Returns it, the connections that fill it
/// and its port.
fn full_listener() -> (Socket, Vec<TcpStream>, u16) {
    let l = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    l.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
        .unwrap();
    l.listen(0).unwrap();
    let addr = l.local_addr().unwrap().as_socket().unwrap();
    let mut fill = Vec::new();
    // Connect until one attempt cannot complete: the queue is full then.
    while let Ok(s) = TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
        fill.push(s);
        assert!(fill.len() < 64, "accept queue never filled");
    }
    (l, fill, addr.port())
}

/// CONNECT_TIMEOUT abandons a connect that cannot complete and tries again after
/// RECONNECT_IVL (each attempt a new socket, so new local ports show up in SYN-SENT);
/// without it, the one pending connect is left to the OS.
#[test]
fn connect_timeout_abandons_and_retries_pending_connects() {
    if std::fs::metadata("/proc/net/tcp").is_err() {
        eprintln!("skipped: no /proc/net/tcp");
        return;
    }
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();

        let (_l, _fill, port) = full_listener();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_connect_timeout(100).unwrap();
        push.set_reconnect_ivl(20).unwrap();
        push.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
        let mut seen = HashSet::new();
        let retried = wait_until(Duration::from_secs(10), || {
            seen.extend(syn_sent_from(port));
            seen.len() >= 4
        });
        assert!(retried, "pending connect not retried: local ports {seen:?}");

        // Control: no CONNECT_TIMEOUT, the single pending connect stays for its
        // first SYN retransmission (1 s on Linux) at least.
        let (_l2, _fill2, port2) = full_listener();
        let mut slow = socket(&ctx, SocketType::Push);
        slow.set_reconnect_ivl(20).unwrap();
        slow.connect(&format!("tcp://127.0.0.1:{port2}")).unwrap();
        let mut seen2 = HashSet::new();
        let appeared = wait_until(Duration::from_secs(5), || {
            seen2.extend(syn_sent_from(port2));
            !seen2.is_empty()
        });
        assert!(appeared, "the harness saw no SYN-SENT connect");
        wait_until(Duration::from_millis(600), || {
            seen2.extend(syn_sent_from(port2));
            false
        });
        assert_eq!(seen2.len(), 1, "connect abandoned without CONNECT_TIMEOUT");
    });
}
