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

/// Whether a raw client connecting to `addr` is let in: a ZMTP listener sends its
/// greeting at once; one whose accept filter refuses the peer closes the connection.
fn greeted<S: std::io::Read>(mut stream: S) -> bool {
    let mut buf = [0u8; 10];
    match stream.read(&mut buf) {
        Ok(n) => n > 0,
        Err(e) => panic!("read: {e}"),
    }
}

#[test]
fn tcp_accept_filter_closes_peers_outside_every_mask() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        for (filters, let_in) in [
            (vec!["127.0.0.2"], false),
            (vec!["10.0.0.0/8", "127.0.0.0/8"], true),
            (vec![], true),
        ] {
            let mut pull = socket(&ctx, SocketType::Pull);
            for f in &filters {
                pull.add_tcp_accept_filter(f).unwrap();
            }
            pull.bind("tcp://127.0.0.1:*").unwrap();
            let port = port_of(&pull.last_endpoint().unwrap());
            let client = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
            client
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            assert_eq!(greeted(&client), let_in, "filters {filters:?}");
        }
        let mut s = socket(&ctx, SocketType::Pull);
        assert_eq!(
            s.add_tcp_accept_filter("::1"),
            Err(Error::Invalid),
            "IPv6 needs IPV6"
        );
        s.set_ipv6(true).unwrap();
        s.add_tcp_accept_filter("::1").unwrap();
    });
}

#[test]
fn ipc_filters_check_the_peer_credentials() {
    bounded(Duration::from_secs(30), || {
        // SAFETY: getuid/getgid/getpid cannot fail.
        let (uid, gid, pid) = unsafe { (libc::getuid(), libc::getgid(), libc::getpid()) };
        let dir = std::env::temp_dir().join(format!("ferromq-ipcfilter-{pid}"));
        std::fs::create_dir_all(&dir).unwrap();
        let ctx = Context::new();
        type Setup = fn(&mut ferromq::Socket, u32, u32, i32);
        let cases: [(&str, Setup, bool); 5] = [
            (
                "other uid",
                |s, uid, _, _| s.add_ipc_filter_uid(uid + 1).unwrap(),
                false,
            ),
            (
                "own uid",
                |s, uid, _, _| s.add_ipc_filter_uid(uid).unwrap(),
                true,
            ),
            (
                "own gid",
                |s, _, gid, _| s.add_ipc_filter_gid(gid).unwrap(),
                true,
            ),
            (
                "own pid",
                |s, uid, _, pid| {
                    s.add_ipc_filter_uid(uid + 1).unwrap();
                    s.add_ipc_filter_pid(pid).unwrap();
                },
                true,
            ),
            (
                "other pid",
                |s, _, _, pid| s.add_ipc_filter_pid(pid + 1).unwrap(),
                false,
            ),
        ];
        for (i, (what, setup, let_in)) in cases.into_iter().enumerate() {
            let mut pull = socket(&ctx, SocketType::Pull);
            setup(&mut pull, uid, gid, pid);
            let path = dir.join(format!("s{i}"));
            pull.bind(&format!("ipc://{}", path.display())).unwrap();
            let client = std::os::unix::net::UnixStream::connect(&path).unwrap();
            client
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            assert_eq!(greeted(&client), let_in, "{what}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    });
}

#[test]
fn use_fd_adopts_a_listening_unix_socket() {
    bounded(Duration::from_secs(30), || {
        use std::os::fd::IntoRawFd;
        let path = std::env::temp_dir().join(format!("ferromq-usefd-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_use_fd(listener.into_raw_fd()).unwrap();
        // The endpoint given is not used: the descriptor's own address is.
        pull.bind("ipc://ignored-when-use-fd-is-set").unwrap();
        let ep = pull.last_endpoint().unwrap();
        assert_eq!(ep, format!("ipc://{}", path.display()));
        // The descriptor has one owner: a second bind cannot adopt it again.
        assert_eq!(pull.bind("ipc://again"), Err(Error::AddrInUse));
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("through the adopted fd", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "use_fd")[..], b"through the adopted fd");
        drop(pull);
        std::fs::remove_file(&path).unwrap();
    });
}

#[test]
fn bindtodevice_is_applied_as_the_kernel_decides() {
    let ctx = Context::new();
    let mut s = socket(&ctx, SocketType::Pull);
    s.set_bindtodevice(b"no-such-if0").unwrap();
    let err = s.bind("tcp://127.0.0.1:*").unwrap_err();
    // ENODEV with CAP_NET_RAW, EPERM without it: never silently ignored.
    assert!(
        matches!(err, Error::NoDev | Error::Os(libc::EPERM)),
        "{err:?}"
    );
    let mut lo = socket(&ctx, SocketType::Pull);
    lo.set_bindtodevice(b"lo").unwrap();
    match lo.bind("tcp://127.0.0.1:*") {
        Ok(()) => {
            let mut push = socket(&ctx, SocketType::Push);
            push.set_bindtodevice(b"lo").unwrap();
            push.connect(&lo.last_endpoint().unwrap()).unwrap();
            push.send("on lo", 0).unwrap();
            assert_eq!(&recv_ok(&mut lo, "bound to lo")[..], b"on lo");
        }
        Err(e) => assert_eq!(e, Error::Os(libc::EPERM), "bind to lo"),
    }
    assert_eq!(s.set_bindtodevice(&[b'x'; 17]), Err(Error::Invalid));
}
