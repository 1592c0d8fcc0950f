//! SOCKS_PROXY end to end: a tcp connect through a small SOCKS5 server written here
//! (RFC 1928 CONNECT, RFC 1929 username/password), which records what it was asked.

mod common;

use common::*;
use ferromq::{Context, SocketType};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What the proxy saw on one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    /// CONNECT to (host as sent, port), after authenticating as this user (if any).
    Connect(String, u16, Option<(String, String)>),
    /// Username/password refused.
    AuthRefused,
}

/// A SOCKS5 proxy on an ephemeral loopback port; `credentials` makes it require
/// username/password authentication.
fn start_proxy(credentials: Option<(&'static str, &'static str)>) -> (u16, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let log = Arc::clone(&log);
            thread::spawn(move || serve(client, credentials, &log));
        }
    });
    (port, seen)
}

fn read_exact(s: &mut TcpStream, n: usize) -> Option<Vec<u8>> {
    let mut b = vec![0; n];
    s.read_exact(&mut b).ok()?;
    Some(b)
}

fn serve(mut c: TcpStream, creds: Option<(&str, &str)>, log: &Mutex<Vec<Seen>>) -> Option<()> {
    c.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let head = read_exact(&mut c, 2)?;
    assert_eq!(head[0], 5, "SOCKS version");
    let methods = read_exact(&mut c, usize::from(head[1]))?;
    let mut user = None;
    match creds {
        None => {
            assert!(methods.contains(&0), "no-auth offered");
            c.write_all(&[5, 0]).ok()?;
        }
        Some((u, p)) => {
            if !methods.contains(&2) {
                c.write_all(&[5, 0xff]).ok()?;
                return None;
            }
            c.write_all(&[5, 2]).ok()?;
            let ver_ulen = read_exact(&mut c, 2)?;
            assert_eq!(ver_ulen[0], 1);
            let name = String::from_utf8(read_exact(&mut c, usize::from(ver_ulen[1]))?).ok()?;
            let plen = read_exact(&mut c, 1)?[0];
            let pass = String::from_utf8(read_exact(&mut c, usize::from(plen))?).ok()?;
            if (name.as_str(), pass.as_str()) != (u, p) {
                log.lock().unwrap().push(Seen::AuthRefused);
                c.write_all(&[1, 1]).ok()?;
                return None;
            }
            c.write_all(&[1, 0]).ok()?;
            user = Some((name, pass));
        }
    }
    let req = read_exact(&mut c, 4)?;
    assert_eq!(&req[..3], &[5, 1, 0], "CONNECT");
    let host = match req[3] {
        1 => read_exact(&mut c, 4)?
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join("."),
        3 => {
            let n = read_exact(&mut c, 1)?[0];
            String::from_utf8(read_exact(&mut c, usize::from(n))?).ok()?
        }
        t => panic!("address type {t}"),
    };
    let p = read_exact(&mut c, 2)?;
    let port = u16::from_be_bytes([p[0], p[1]]);
    log.lock()
        .unwrap()
        .push(Seen::Connect(host.clone(), port, user));
    let target = (host.as_str(), port)
        .to_socket_addrs()
        .ok()?
        .find(|a| a.is_ipv4())?;
    let Ok(upstream) = TcpStream::connect(target) else {
        c.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).ok()?; // connection refused
        return None;
    };
    c.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).ok()?;
    c.set_read_timeout(None).ok()?;
    relay(c, upstream);
    Some(())
}

/// Copies bytes both ways until either side closes.
fn relay(a: TcpStream, b: TcpStream) {
    let (mut a2, mut b2) = (a.try_clone().unwrap(), b.try_clone().unwrap());
    let t = thread::spawn(move || {
        let _ = std::io::copy(&mut a2, &mut b2);
        let _ = b2.shutdown(Shutdown::Write);
    });
    let (mut a, mut b) = (a, b);
    let _ = std::io::copy(&mut b, &mut a);
    let _ = a.shutdown(Shutdown::Write);
    let _ = t.join();
}

#[test]
fn connects_through_the_proxy_by_name() {
    bounded(Duration::from_secs(30), || {
        let (proxy, seen) = start_proxy(None);
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let port = port_of(&ep);
        let mut push = socket(&ctx, SocketType::Push);
        push.set_socks_proxy(format!("127.0.0.1:{proxy}").as_bytes())
            .unwrap();
        push.connect(&format!("tcp://localhost:{port}")).unwrap();
        push.send("via socks", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "through the proxy")[..], b"via socks");
        // The name went to the proxy unresolved.
        assert_eq!(
            seen.lock().unwrap()[0],
            Seen::Connect("localhost".into(), port, None)
        );
        // Both directions work (the ZMTP handshake and traffic are relayed).
        let mut rep = socket(&ctx, SocketType::Rep);
        rep.bind("tcp://127.0.0.1:*").unwrap();
        let mut req = socket(&ctx, SocketType::Req);
        req.set_socks_proxy(format!("127.0.0.1:{proxy}").as_bytes())
            .unwrap();
        req.connect(&rep.last_endpoint().unwrap()).unwrap();
        req.send("ping", 0).unwrap();
        assert_eq!(&recv_ok(&mut rep, "request")[..], b"ping");
        rep.send("pong", 0).unwrap();
        assert_eq!(&recv_ok(&mut req, "reply")[..], b"pong");
    });
}

#[test]
fn authenticates_with_username_and_password() {
    bounded(Duration::from_secs(30), || {
        let (proxy, seen) = start_proxy(Some(("alice", "s3cret")));
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let proxy_addr = format!("127.0.0.1:{proxy}");

        // Wrong password: refused, nothing delivered (the connect keeps retrying).
        let mut bad = socket(&ctx, SocketType::Push);
        bad.set_socks_proxy(proxy_addr.as_bytes()).unwrap();
        bad.set_socks_username(b"alice").unwrap();
        bad.set_socks_password(b"wrong").unwrap();
        bad.connect(&ep).unwrap();
        bad.send("must not arrive", ferromq::DONTWAIT).unwrap();
        assert!(wait_until(Duration::from_secs(10), || {
            seen.lock().unwrap().contains(&Seen::AuthRefused)
        }));
        drop(bad);

        let mut good = socket(&ctx, SocketType::Push);
        good.set_socks_proxy(proxy_addr.as_bytes()).unwrap();
        good.set_socks_username(b"alice").unwrap();
        good.set_socks_password(b"s3cret").unwrap();
        good.connect(&ep).unwrap();
        good.send("authenticated", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "after auth")[..], b"authenticated");
        let port = port_of(&ep);
        assert!(seen.lock().unwrap().contains(&Seen::Connect(
            "127.0.0.1".into(),
            port,
            Some(("alice".into(), "s3cret".into()))
        )));
    });
}

#[test]
fn a_silent_proxy_is_dropped_after_handshake_ivl() {
    bounded(Duration::from_secs(30), || {
        // A "proxy" that accepts and never answers: the attempt ends, and is retried.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_handshake_ivl(100).unwrap();
        push.set_socks_proxy(format!("127.0.0.1:{port}").as_bytes())
            .unwrap();
        push.connect("tcp://127.0.0.1:9").unwrap();
        silent.set_nonblocking(false).unwrap();
        let (mut first, _) = silent.accept().unwrap();
        first
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut greeting = [0u8; 3];
        first.read_exact(&mut greeting).unwrap();
        assert_eq!(greeting, [5, 1, 0]);
        // Dropped by the timer: EOF on the first connection, then a new attempt.
        let mut rest = Vec::new();
        assert_eq!(first.read_to_end(&mut rest).unwrap(), 0);
        let (_second, _) = silent.accept().unwrap();
    });
}
