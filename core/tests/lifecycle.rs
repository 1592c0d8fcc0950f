//! Socket and context life cycle: HWM options on live pipes, closing with the default
//! LINGER, context drop, several I/O threads and contexts, misbehaving raw TCP peers.

mod common;

use common::*;
use ferromq::{Context, Error, SocketType, DONTWAIT};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

/// SNDHWM counts messages, not frames: with SNDHWM=2, two 3-frame messages fit.
#[test]
fn sndhwm_counts_multipart_messages_once() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(2).unwrap();
        push.connect(&free_endpoint()).unwrap();
        push.send_multipart(["a", "b", "c"], DONTWAIT).unwrap();
        push.send_multipart(["d", "e", "f"], DONTWAIT).unwrap();
        assert_eq!(push.send_multipart(["g", "h"], DONTWAIT), Err(Error::Again));
        assert_eq!(push.send("i", DONTWAIT), Err(Error::Again));
    });
}

/// Changing SNDHWM after connect applies to the existing pipe (as in libzmq ≥ 4.2).
#[test]
fn sndhwm_change_applies_to_existing_pipe() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&free_endpoint()).unwrap();
        push.set_sndhwm(3).unwrap();
        for i in 0..3 {
            push.send(seq_msg(i), DONTWAIT).unwrap();
        }
        assert_eq!(push.send(seq_msg(3), DONTWAIT), Err(Error::Again));
        push.set_sndhwm(5).unwrap();
        push.send(seq_msg(3), DONTWAIT).unwrap();
        push.send(seq_msg(4), DONTWAIT).unwrap();
        assert_eq!(push.send(seq_msg(5), DONTWAIT), Err(Error::Again));
    });
}

/// SNDHWM=0 means no limit.
#[test]
fn sndhwm_zero_is_unlimited() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(0).unwrap();
        push.connect(&free_endpoint()).unwrap();
        for i in 0..20_000 {
            push.send(seq_msg(i), DONTWAIT)
                .unwrap_or_else(|e| panic!("send {i} with SNDHWM=0: {e:?}"));
        }
    });
}

/// Closing a PUSH with the default LINGER (-1) right after sending: every queued message
/// still reaches the (slow) PULL, and dropping the context waits for that.
#[test]
fn close_with_default_linger_delivers_everything() {
    const N: u64 = 20_000;
    bounded(Duration::from_secs(60), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        pull.set_rcvhwm(10).unwrap();
        let mut push = ctx.socket(SocketType::Push).unwrap();
        assert_eq!(push.linger().unwrap(), -1);
        push.set_sndhwm(0).unwrap();
        push.connect(&ep).unwrap();
        for i in 0..N {
            push.send(seq_msg(i), 0).unwrap();
        }
        push.close();
        let receiver = thread::spawn(move || {
            for i in 0..N {
                assert_eq!(seq_of(&recv_ok(&mut pull, "after close")), i);
            }
            pull
        });
        let pull = receiver.join().expect("receiver");
        drop(pull);
        drop(ctx);
    });
}

/// A PULL with the default LINGER and unread messages does not hold up the context.
#[test]
fn unread_inbound_messages_do_not_block_context_drop() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut pull = ctx.socket(SocketType::Pull).unwrap();
        pull.set_rcvtimeo(IO_TIMEOUT_MS).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        for i in 0..100 {
            push.send(seq_msg(i), 0).unwrap();
        }
        assert_eq!(seq_of(&recv_ok(&mut pull, "first")), 0);
        let start = Instant::now();
        drop(pull);
        drop(push);
        drop(ctx);
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "took {:?}",
            start.elapsed()
        );
    });
}

/// Two I/O threads, many connections: everything arrives; IO_THREADS cannot change
/// once the threads run.
#[test]
fn two_io_threads() {
    const PUSHES: u64 = 6;
    const PER: u64 = 2000;
    bounded(Duration::from_secs(60), || {
        let ctx = Context::new();
        ctx.set_io_threads(2).unwrap();
        let (mut pull, ep) = bound_pull(&ctx);
        assert_eq!(ctx.set_io_threads(3), Err(Error::Invalid));
        assert_eq!(ctx.io_threads(), 2);
        let senders: Vec<_> = (0..PUSHES)
            .map(|p| {
                let mut push = socket(&ctx, SocketType::Push);
                push.set_linger(-1).unwrap();
                push.connect(&ep).unwrap();
                thread::spawn(move || {
                    for i in 0..PER {
                        push.send(seq_msg(p << 32 | i), 0).unwrap();
                    }
                    push
                })
            })
            .collect();
        let mut next = vec![0u64; PUSHES as usize];
        for _ in 0..PUSHES * PER {
            let v = seq_of(&recv_ok(&mut pull, "two io threads"));
            let (p, i) = ((v >> 32) as usize, v & 0xffff_ffff);
            assert_eq!(i, next[p], "sender {p}");
            next[p] += 1;
        }
        for s in senders {
            drop(s.join().unwrap());
        }
    });
}

/// Sockets of different contexts talk over TCP like any two peers.
#[test]
fn peers_in_different_contexts() {
    bounded(Duration::from_secs(20), || {
        let a = Context::new();
        let b = Context::new();
        let (mut pull, ep) = bound_pull(&a);
        let mut push = socket(&b, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send_multipart(["x", "yy"], 0).unwrap();
        let parts = pull.recv_multipart(0).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(&parts[1][..], b"yy");
        drop(push);
        drop(b);
        drop(pull);
        drop(a);
    });
}

/// Frames from 0 bytes to 8 MiB arrive intact.
#[test]
fn frame_sizes_from_empty_to_large() {
    bounded(Duration::from_secs(60), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        let sizes = [
            0usize,
            1,
            254,
            255,
            256,
            8191,
            8192,
            8193,
            65_536,
            1 << 20,
            8 << 20,
        ];
        for (k, &n) in sizes.iter().enumerate() {
            let data: Vec<u8> = (0..n).map(|i| (i * 7 + k) as u8).collect();
            push.send(data, 0).unwrap();
        }
        for (k, &n) in sizes.iter().enumerate() {
            let m = recv_ok(&mut pull, "sized frame");
            assert_eq!(m.len(), n, "frame {k}");
            assert!(
                m.iter().enumerate().all(|(i, &b)| b == (i * 7 + k) as u8),
                "frame {k} of {n} bytes corrupted"
            );
        }
    });
}

/// A raw TCP peer that never completes the handshake is dropped after HANDSHAKE_IVL.
#[test]
fn silent_raw_peer_is_dropped_after_handshake_ivl() {
    const IVL: u64 = 300;
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_handshake_ivl(IVL as i32).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let mut raw = TcpStream::connect(("127.0.0.1", port_of(&ep))).unwrap();
        raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let start = Instant::now();
        let mut buf = [0u8; 256];
        loop {
            match raw.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => continue, // the PULL's greeting
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(e) => panic!("the silent peer was not dropped: {e}"),
            }
        }
        assert_elapsed(
            start.elapsed(),
            Duration::from_millis(IVL - 50),
            Duration::from_millis(2000),
            "drop of a silent peer",
        );
    });
}

/// A raw TCP peer sending garbage instead of a greeting loses its connection; the PULL
/// keeps serving proper peers.
#[test]
fn garbage_greeting_drops_only_that_peer() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let mut raw = TcpStream::connect(("127.0.0.1", port_of(&ep))).unwrap();
        raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        raw.write_all(&[0x42; 64]).unwrap();
        let mut buf = [0u8; 256];
        loop {
            match raw.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(e) => panic!("the garbage peer was not dropped: {e}"),
            }
        }
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("proper", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "proper peer")[..], b"proper");
    });
}

/// A PUSH with LINGER=5000 sends 50 MB (more than the kernel buffers hold) to a PULL
/// that has not read yet and is closed; then the PULL reads: every message must arrive.
/// With `drop_ctx_first`, the PUSH's context handle is dropped before the sends.
fn linger_delivers_large_backlog(drop_ctx_first: bool) {
    const N: u64 = 200;
    const SIZE: usize = 256 * 1024;
    let big = |i: u64| {
        let mut v = vec![0x5A; SIZE];
        v[..8].copy_from_slice(&i.to_le_bytes());
        v
    };
    let ctx_pull = Context::new();
    let (mut pull, ep) = bound_pull(&ctx_pull);
    pull.set_rcvhwm(2).unwrap();

    let ctx_push = Context::new();
    let mut push = socket(&ctx_push, SocketType::Push);
    push.set_linger(5000).unwrap();
    push.set_sndhwm(0).unwrap();
    push.connect(&ep).unwrap();
    push.send(big(0), 0).unwrap();
    assert_eq!(recv_ok(&mut pull, "first").len(), SIZE);
    let ctx_push = if drop_ctx_first {
        drop(ctx_push);
        None
    } else {
        Some(ctx_push)
    };
    for i in 1..N {
        push.send(big(i), 0).unwrap();
    }
    // The PULL has not read yet, so most messages are still queued in the PUSH.
    push.close();
    pull.set_rcvtimeo(3000).unwrap();
    for i in 1..N {
        match pull.recv(0) {
            Ok(m) => assert_eq!(seq_of(&m[..8]), i),
            Err(e) => panic!("message {i} of {N} lost after close with LINGER=5000: {e:?}"),
        }
    }
    drop(ctx_push);
}

/// Closing with LINGER > 0 delivers a backlog far larger than the kernel buffers.
#[test]
fn linger_delivers_backlog_larger_than_socket_buffers() {
    bounded(Duration::from_secs(30), || {
        linger_delivers_large_backlog(false)
    });
}

/// The same, but the context handle is dropped while the socket is still open. The
/// socket keeps the context alive, so its LINGER must still be honoured when it closes
/// (in libzmq the I/O threads keep sending until zmq_ctx_term, which waits for them).
#[test]
fn linger_honoured_when_context_handle_dropped_first() {
    bounded(Duration::from_secs(30), || {
        linger_delivers_large_backlog(true)
    });
}
