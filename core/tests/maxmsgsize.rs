//! MAXMSGSIZE: a peer that sends an oversized frame loses its own connection only.

mod common;

use common::*;
use ferromq::{Context, Error, SocketType, DONTWAIT};
use std::time::Duration;

/// A PULL with MAXMSGSIZE=1000 and two PUSHes. One PUSH sends a 2000-byte frame: its
/// connection is dropped and the PULL never receives that frame, while the other PUSH's
/// messages keep arriving (a frame of exactly 1000 bytes included). The offender
/// reconnects and its later, small messages get through again.
#[test]
fn oversized_frame_drops_only_that_connection() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_maxmsgsize(1000).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();

        let mut bad = socket(&ctx, SocketType::Push);
        bad.set_reconnect_ivl(20).unwrap();
        bad.connect(&ep).unwrap();
        let mut good = socket(&ctx, SocketType::Push);
        good.connect(&ep).unwrap();

        // Both connections are up.
        bad.send("bad hello", 0).unwrap();
        good.send("good hello", 0).unwrap();
        let mut hellos: Vec<Vec<u8>> = (0..2)
            .map(|_| recv_ok(&mut pull, "hello").to_vec())
            .collect();
        hellos.sort();
        assert_eq!(hellos, vec![b"bad hello".to_vec(), b"good hello".to_vec()]);

        bad.send(vec![0xEE; 2000], 0).unwrap();
        for i in 0..20u64 {
            good.send(seq_msg(i), 0).unwrap();
        }
        good.send(vec![0x11; 1000], 0).unwrap();

        let mut next = 0u64;
        let mut got_limit_sized = false;
        while !got_limit_sized {
            let m = recv_ok(&mut pull, "good PUSH after the oversized frame");
            match m.len() {
                8 => {
                    assert_eq!(seq_of(&m), next, "good PUSH lost or reordered");
                    next += 1;
                }
                1000 => {
                    assert!(m.iter().all(|&b| b == 0x11));
                    assert_eq!(next, 20, "the 1000-byte frame overtook earlier messages");
                    got_limit_sized = true;
                }
                n => panic!("unexpected {n}-byte message (the oversized frame leaked?)"),
            }
        }

        // The offender reconnects; a later small message arrives, the big one never does.
        let mut probe = 0u64;
        let mut reconnected = false;
        let ok = wait_until(Duration::from_secs(10), || {
            let _ = bad.send(seq_msg(1_000_000 + probe), DONTWAIT);
            probe += 1;
            loop {
                match pull.recv(DONTWAIT) {
                    Ok(m) => {
                        assert_eq!(m.len(), 8, "oversized frame delivered");
                        assert!(seq_of(&m) >= 1_000_000);
                        reconnected = true;
                    }
                    Err(Error::Again) => break,
                    Err(e) => panic!("recv: {e:?}"),
                }
            }
            reconnected
        });
        assert!(
            ok,
            "the PUSH that sent the oversized frame never got through again"
        );

        // And the good connection is still alive.
        good.send("still here", 0).unwrap();
        pull.set_rcvtimeo(5000).unwrap();
        loop {
            let m = recv_ok(&mut pull, "still here");
            assert_ne!(m.len(), 2000, "oversized frame delivered");
            if &m[..] == b"still here" {
                break;
            }
        }
    });
}

/// MAXMSGSIZE applies per frame of a multipart message as well: an oversized middle
/// frame drops the whole message, never a part of it.
#[test]
fn oversized_frame_inside_multipart_drops_whole_message() {
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_maxmsgsize(100).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("hello", 0).unwrap();
        assert_eq!(&recv_ok(&mut pull, "hello")[..], b"hello");

        push.send_multipart(vec![b"head".to_vec(), vec![7u8; 101], b"tail".to_vec()], 0)
            .unwrap();
        pull.set_rcvtimeo(500).unwrap();
        match pull.recv(0) {
            Err(Error::Again) => {}
            Ok(m) => panic!(
                "part of the oversized message arrived: {:?}",
                &m[..m.len().min(8)]
            ),
            Err(e) => panic!("recv: {e:?}"),
        }
    });
}
