//! PUSH round-robin across PULLs and PULL fair-queueing across PUSHes.

mod common;

use common::*;
use ferromq::{Context, Error, Socket, SocketType, DONTWAIT};
use std::collections::HashSet;
use std::time::Duration;

/// Receives messages from `pull` until `timeout_ms` passes with nothing new.
fn drain_seqs(pull: &mut Socket, timeout_ms: i32) -> Vec<u64> {
    pull.set_rcvtimeo(timeout_ms).unwrap();
    let mut got = Vec::new();
    loop {
        match pull.recv(0) {
            Ok(m) => got.push(seq_of(&m)),
            Err(Error::Again) => return got,
            Err(e) => panic!("recv: {e:?}"),
        }
    }
}

/// The PULLs bind and one PUSH connects to all three: connect-side pipes exist from the
/// start, so the round-robin is exact from the first message, and each PULL gets every
/// third message, in order.
#[test]
fn round_robin_over_three_connected_pulls() {
    const PER_PULL: u64 = 300;
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let mut pulls: Vec<(Socket, String)> = (0..3).map(|_| bound_pull(&ctx)).collect();
        let mut push = socket(&ctx, SocketType::Push);
        for (_, ep) in &pulls {
            push.connect(ep).unwrap();
        }
        for n in 0..3 * PER_PULL {
            push.send(seq_msg(n), 0).unwrap();
        }
        let mut residues = HashSet::new();
        for (i, (pull, _)) in pulls.iter_mut().enumerate() {
            let mut got = Vec::new();
            for _ in 0..PER_PULL {
                got.push(seq_of(&recv_ok(pull, "round robin")));
            }
            assert_eq!(
                pull.recv(DONTWAIT).unwrap_err(),
                Error::Again,
                "PULL {i}: extra message"
            );
            let r = got[0] % 3;
            assert!(
                got.iter().enumerate().all(|(k, &s)| s == r + 3 * k as u64),
                "PULL {i} did not get every third message in order: {:?}",
                &got[..got.len().min(12)]
            );
            residues.insert(r);
        }
        assert_eq!(residues.len(), 3, "two PULLs got the same share");
    });
}

/// The PUSH binds and the PULLs connect. Once every PULL has received a probe (so all
/// three connections are attached), 3N messages split exactly N per PULL.
#[test]
fn round_robin_over_three_accepted_pulls_once_attached() {
    const PER_PULL: usize = 200;
    const PROBE: u64 = u64::MAX;
    bounded(Duration::from_secs(30), || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.bind("tcp://127.0.0.1:*").unwrap();
        let ep = push.last_endpoint().unwrap();
        let mut pulls: Vec<Socket> = (0..3)
            .map(|_| {
                let mut p = socket(&ctx, SocketType::Pull);
                p.connect(&ep).unwrap();
                p
            })
            .collect();
        // Probe until each PULL has seen one: then all three pipes are attached.
        let mut seen = [false; 3];
        let attached = wait_until(Duration::from_secs(10), || {
            match push.send(seq_msg(PROBE), DONTWAIT) {
                Ok(()) | Err(Error::Again) => {}
                Err(e) => panic!("probe send: {e:?}"),
            }
            for (i, p) in pulls.iter_mut().enumerate() {
                if let Ok(m) = p.recv(DONTWAIT) {
                    assert_eq!(seq_of(&m), PROBE);
                    seen[i] = true;
                }
            }
            seen.iter().all(|&s| s)
        });
        assert!(attached, "not every PULL got attached: {seen:?}");
        for n in 0..(3 * PER_PULL) as u64 {
            push.send(seq_msg(n), 0).unwrap();
        }
        let mut total = 0;
        for (i, p) in pulls.iter_mut().enumerate() {
            let got: Vec<u64> = drain_seqs(p, 500)
                .into_iter()
                .filter(|&s| s != PROBE)
                .collect();
            assert_eq!(got.len(), PER_PULL, "PULL {i} got {} messages", got.len());
            assert!(
                got.windows(2).all(|w| w[1] == w[0] + 3),
                "PULL {i}: not every third"
            );
            total += got.len();
        }
        assert_eq!(total, 3 * PER_PULL);
    });
}

/// Three PUSHes fill their connections to one PULL (RCVHWM=100) until each is blocked.
/// Then every pipe of the PULL holds 100 messages, and the first 300 the PULL reads
/// come one from each sender in turn. Afterwards, everything arrives, per sender in order.
#[test]
fn fair_queueing_across_three_backed_up_pushes() {
    const RCVHWM: usize = 100;
    const SIZE: usize = 32 * 1024;
    bounded(Duration::from_secs(60), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_rcvhwm(RCVHWM as i32).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();

        let mut pushes: Vec<Socket> = (0..3)
            .map(|_| {
                let mut p = socket(&ctx, SocketType::Push);
                p.set_sndhwm(1).unwrap();
                p.connect(&ep).unwrap();
                p
            })
            .collect();
        // message = [sender, seq (u32 LE), padding]
        let make = |sender: u8, seq: u32| {
            let mut v = vec![sender; SIZE];
            v[1..5].copy_from_slice(&seq.to_le_bytes());
            v
        };
        let mut sent = [0u32; 3];
        for (i, push) in pushes.iter_mut().enumerate() {
            // Blocked = no room for 500 ms: the PULL's session has stopped reading, which it
            // does only when the PULL's pipe holds RCVHWM messages.
            push.set_sndtimeo(500).unwrap();
            loop {
                match push.send(make(i as u8, sent[i]), 0) {
                    Ok(()) => sent[i] += 1,
                    Err(Error::Again) => break,
                    Err(e) => panic!("PUSH {i}: {e:?}"),
                }
                assert!(sent[i] < 100_000, "PUSH {i} never blocked");
            }
            assert!(
                sent[i] as usize >= RCVHWM,
                "PUSH {i} blocked after {} messages",
                sent[i]
            );
        }
        eprintln!("messages queued per PUSH before blocking: {sent:?}");

        let mut next = [0u32; 3];
        let mut order = Vec::new();
        let check = |m: &[u8], next: &mut [u32; 3]| -> usize {
            assert_eq!(m.len(), SIZE);
            let sender = m[0] as usize;
            let seq = u32::from_le_bytes(m[1..5].try_into().unwrap());
            assert_eq!(seq, next[sender], "sender {sender}: lost or reordered");
            next[sender] += 1;
            sender
        };
        for _ in 0..3 * RCVHWM {
            let m = recv_ok(&mut pull, "fair queue");
            order.push(check(&m, &mut next));
        }
        for (k, w) in order.chunks(3).enumerate() {
            let distinct: HashSet<_> = w.iter().collect();
            assert_eq!(
                distinct.len(),
                3,
                "round {k} of the first {} messages is not one per sender: {:?}",
                3 * RCVHWM,
                &order[..order.len().min(30)]
            );
        }
        let mut counts = [0usize; 3];
        for &s in &order {
            counts[s] += 1;
        }
        assert_eq!(counts, [RCVHWM; 3]);

        // The rest arrives too, nothing lost under back-pressure.
        let total: u32 = sent.iter().sum();
        for _ in (3 * RCVHWM as u32)..total {
            let m = recv_ok(&mut pull, "rest");
            check(&m, &mut next);
        }
        assert_eq!(next, sent);
        assert_eq!(pull.recv(DONTWAIT).unwrap_err(), Error::Again);
        drop(pushes);
    });
}
