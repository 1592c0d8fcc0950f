//! The `ipc://` transport (Unix domain sockets): every pattern, reconnection, and the
//! file system behaviour of libzmq 4.3 (checked against pyzmq): a bind unlinks whatever
//! is at its path, `ipc://*` binds `tmpXXXXXX/socket` and removes both when closed, an
//! explicit path is left in place on unbind and close, and addresses longer than
//! `sun_path` fail with ENAMETOOLONG.

mod common;

use common::*;
use ferromq::{Context, Error, Socket, SocketType, DONTWAIT, SNDMORE};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A fresh directory under /tmp (short enough for `sun_path`), removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = PathBuf::from(format!("/tmp/fmq-ipc-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// `ipc://<dir>/<name>` and the path.
    fn endpoint(&self, name: &str) -> (String, PathBuf) {
        let path = self.0.join(name);
        (format!("ipc://{}", path.display()), path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn is_socket_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

/// A bound socket of type `server` and a connected one of type `client`.
fn pair_over(ctx: &Context, ep: &str, server: SocketType, client: SocketType) -> (Socket, Socket) {
    let mut s = socket(ctx, server);
    s.bind(ep).unwrap();
    let mut c = socket(ctx, client);
    c.connect(ep).unwrap();
    (s, c)
}

#[test]
fn push_pull_multipart_and_large_frames() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, path) = dir.endpoint("pp.sock");
        let (mut pull, mut push) = pair_over(&ctx, &ep, SocketType::Pull, SocketType::Push);
        assert!(is_socket_file(&path));
        assert_eq!(pull.last_endpoint().unwrap(), ep);
        assert_eq!(push.last_endpoint().unwrap(), ep);
        let big = vec![0xA5u8; 1 << 20];
        for i in 0..20u64 {
            push.send(seq_msg(i), SNDMORE).unwrap();
            push.send("", SNDMORE).unwrap();
            push.send(big.clone(), 0).unwrap();
        }
        for i in 0..20u64 {
            let parts = pull.recv_multipart(0).unwrap();
            assert_eq!(parts.len(), 3);
            assert_eq!(seq_of(&parts[0]), i);
            assert!(parts[1].is_empty());
            assert_eq!(&parts[2][..], &big[..]);
        }
    });
}

#[test]
fn req_rep_round_trips() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, _) = dir.endpoint("rr.sock");
        let (mut rep, mut req) = pair_over(&ctx, &ep, SocketType::Rep, SocketType::Req);
        for i in 0..50u64 {
            req.send(seq_msg(i), 0).unwrap();
            let m = recv_ok(&mut rep, "rep");
            rep.send(m, 0).unwrap();
            assert_eq!(seq_of(&recv_ok(&mut req, "req")), i);
        }
    });
}

#[test]
fn pub_sub_filters_by_topic() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, _) = dir.endpoint("ps.sock");
        let (mut publisher, mut sub) = pair_over(&ctx, &ep, SocketType::Pub, SocketType::Sub);
        sub.set_subscribe(b"yes").unwrap();
        sub.set_rcvtimeo(20).unwrap();
        // The subscription travels asynchronously: publish until one arrives.
        let mut got = None;
        assert!(wait_until(Duration::from_secs(10), || {
            publisher.send("no.1", 0).unwrap();
            publisher.send("yes.1", 0).unwrap();
            got = sub.recv(0).ok();
            got.is_some()
        }));
        assert_eq!(&got.unwrap()[..], b"yes.1");
        sub.set_rcvtimeo(IO_TIMEOUT_MS).unwrap();
        publisher.send("no.2", 0).unwrap();
        publisher.send("yes.2", 0).unwrap();
        loop {
            let m = recv_ok(&mut sub, "sub");
            assert!(m.starts_with(b"yes."), "unsubscribed topic delivered");
            if &m[..] == b"yes.2" {
                break;
            }
        }
    });
}

#[test]
fn dealer_router_routes_replies_by_identity() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, _) = dir.endpoint("dr.sock");
        let mut router = socket(&ctx, SocketType::Router);
        router.bind(&ep).unwrap();
        let mut dealer = socket(&ctx, SocketType::Dealer);
        dealer.set_routing_id(b"d1").unwrap();
        dealer.connect(&ep).unwrap();
        dealer.send_multipart(["a", "b"], 0).unwrap();
        let parts = router.recv_multipart(0).unwrap();
        let parts: Vec<&[u8]> = parts.iter().map(|m| &m[..]).collect();
        assert_eq!(parts, [&b"d1"[..], b"a", b"b"]);
        router.send_multipart(["d1", "reply"], 0).unwrap();
        assert_eq!(&recv_ok(&mut dealer, "dealer")[..], b"reply");
    });
}

#[test]
fn pair_talks_both_ways() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, _) = dir.endpoint("pair.sock");
        let (mut a, mut b) = pair_over(&ctx, &ep, SocketType::Pair, SocketType::Pair);
        b.send("ping", 0).unwrap();
        assert_eq!(&recv_ok(&mut a, "a")[..], b"ping");
        a.send("pong", 0).unwrap();
        assert_eq!(&recv_ok(&mut b, "b")[..], b"pong");
    });
}

#[test]
fn connect_before_bind_delivers_once_bound() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, _) = dir.endpoint("late.sock");
        let mut push = socket(&ctx, SocketType::Push);
        push.set_reconnect_ivl(10).unwrap();
        // Nothing at the path yet: not an error, the session retries.
        push.connect(&ep).unwrap();
        push.send("early", 0).unwrap();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind(&ep).unwrap();
        assert_eq!(&recv_ok(&mut pull, "pull")[..], b"early");
    });
}

#[test]
fn connector_reconnects_when_the_binder_restarts_at_the_same_path() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, _) = dir.endpoint("restart.sock");
        let mut push = socket(&ctx, SocketType::Push);
        push.set_reconnect_ivl(10).unwrap();
        push.connect(&ep).unwrap();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind(&ep).unwrap();
        push.send("one", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "first binder")[..], b"one");
        drop(pull);

        // The old file is still there (libzmq does not unlink it); the new bind replaces it.
        let mut pull2 = socket(&ctx, SocketType::Pull);
        pull2.bind(&ep).unwrap();
        pull2.set_rcvtimeo(20).unwrap();
        // Messages written into the dead connection may be lost: send until one arrives.
        let mut n = 0u64;
        let mut got = None;
        assert!(
            wait_until(Duration::from_secs(10), || {
                let _ = push.send(seq_msg(n), DONTWAIT);
                n += 1;
                got = pull2.recv(0).ok();
                got.is_some()
            }),
            "the connector never reached the new binder"
        );
    });
}

#[test]
fn bind_replaces_a_stale_socket_file_or_any_file() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, path) = dir.endpoint("stale.sock");
        // A socket file left behind by a process that is gone.
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        assert!(is_socket_file(&path));
        let (mut pull, mut push) = pair_over(&ctx, &ep, SocketType::Pull, SocketType::Push);
        push.send("x", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "pull")[..], b"x");

        // libzmq unlinks whatever is at the path, even a regular file.
        let (ep2, path2) = dir.endpoint("plain-file");
        std::fs::write(&path2, b"not a socket").unwrap();
        let mut s = socket(&ctx, SocketType::Pull);
        s.bind(&ep2).unwrap();
        assert!(is_socket_file(&path2));
    });
}

#[test]
fn a_second_bind_takes_over_a_live_path() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, _) = dir.endpoint("live.sock");
        let mut first = socket(&ctx, SocketType::Pull);
        first.bind(&ep).unwrap();
        let mut second = socket(&ctx, SocketType::Pull);
        // libzmq unlinks the live file too: the new bind wins, the old one is orphaned.
        second.bind(&ep).unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("to the second", 0).unwrap();
        assert_eq!(&recv_ok(&mut second, "second")[..], b"to the second");
        first.set_rcvtimeo(0).unwrap();
        assert_eq!(first.recv(0).unwrap_err(), Error::Again);
    });
}

#[test]
fn abstract_namespace() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let ep = format!(
            "ipc://@ferromq-test-{}-{}",
            std::process::id(),
            port_of(&free_endpoint())
        );
        let (mut pull, mut push) = pair_over(&ctx, &ep, SocketType::Pull, SocketType::Push);
        assert_eq!(pull.last_endpoint().unwrap(), ep);
        push.send("abstract", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "pull")[..], b"abstract");
        // Nothing appears in the file system.
        assert!(!Path::new(&ep["ipc://".len()..]).exists());
    });
}

#[test]
fn wildcard_binds_a_temp_file_that_unbind_and_close_remove() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("ipc://*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let path = PathBuf::from(ep.strip_prefix("ipc://").unwrap());
        assert_eq!(path.file_name().unwrap(), "socket", "{ep}");
        let dir = path.parent().unwrap().to_path_buf();
        assert!(dir
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("tmp"));
        assert!(is_socket_file(&path));

        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("via wildcard", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "pull")[..], b"via wildcard");

        // `ipc://*` itself names no bound endpoint (as libzmq: ENOENT).
        assert_eq!(pull.unbind("ipc://*"), Err(Error::NoEnt));
        pull.unbind(&ep).unwrap();
        assert!(
            wait_until(Duration::from_secs(5), || !path.exists() && !dir.exists()),
            "unbind left {ep} behind"
        );

        pull.bind("ipc://*").unwrap();
        let ep2 = pull.last_endpoint().unwrap();
        assert_ne!(ep2, ep);
        let path2 = PathBuf::from(ep2.strip_prefix("ipc://").unwrap());
        assert!(is_socket_file(&path2));
        drop(pull);
        assert!(
            wait_until(Duration::from_secs(5), || !path2.exists()
                && !path2.parent().unwrap().exists()),
            "close left {ep2} behind"
        );
    });
}

#[test]
fn explicit_paths_stay_after_unbind_and_close_as_in_libzmq() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, path) = dir.endpoint("keep.sock");
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind(&ep).unwrap();
        pull.unbind(&ep).unwrap();
        assert_eq!(pull.unbind(&ep), Err(Error::NoEnt));
        // The listener is gone: connecting fails although the file remains.
        assert!(wait_until(Duration::from_secs(5), || {
            std::os::unix::net::UnixStream::connect(&path).is_err()
        }));
        assert!(is_socket_file(&path));
        pull.bind(&ep).unwrap();
        drop(pull);
        assert!(is_socket_file(&path));
    });
}

#[test]
fn address_errors_match_libzmq() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let mut s = socket(&ctx, SocketType::Pull);
        let long = format!("ipc:///tmp/{}", "x".repeat(120));
        assert_eq!(s.bind(&long), Err(Error::NameTooLong));
        assert_eq!(s.connect(&long), Err(Error::NameTooLong));
        assert_eq!(Error::NameTooLong.errno(), 36);
        let long_abstract = format!("ipc://@{}", "x".repeat(107));
        assert_eq!(s.bind(&long_abstract), Err(Error::NameTooLong));
        assert_eq!(s.bind("ipc://"), Err(Error::Invalid));
        assert_eq!(s.connect("ipc://@"), Err(Error::Invalid));
        assert_eq!(
            s.bind("ipc:///nonexistent-ferromq-dir/a.sock"),
            Err(Error::NoEnt)
        );
        // Connecting to a path nobody serves is fine: the socket retries.
        s.connect("ipc:///nonexistent-ferromq-dir/a.sock").unwrap();
        assert_eq!(
            s.last_endpoint().unwrap(),
            "ipc:///nonexistent-ferromq-dir/a.sock"
        );
    });
}

#[test]
fn many_small_messages_through_back_pressure() {
    bounded(Duration::from_secs(60), || {
        let ctx = Context::new();
        let dir = TempDir::new();
        let (ep, _) = dir.endpoint("many.sock");
        let (mut push, mut pull) = pair_over(&ctx, &ep, SocketType::Push, SocketType::Pull);
        let n = 200_000u64;
        let sender = std::thread::spawn(move || {
            for i in 0..n {
                push.send(seq_msg(i), 0).unwrap();
            }
            push
        });
        for i in 0..n {
            assert_eq!(seq_of(&recv_ok(&mut pull, "pull")), i);
        }
        drop(sender.join().unwrap());
    });
}
