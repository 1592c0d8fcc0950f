//! PUSH→PULL message flow: back-pressure without loss, ordering, multipart atomicity.

mod common;

use common::*;
use ferromq::{Context, Error, SocketType, DONTWAIT, SNDMORE};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn single_message_round_trip() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("hello", 0).unwrap();
        let m = recv_ok(&mut pull, "hello");
        assert_eq!(&m[..], b"hello");
        assert!(!m.more());
        assert!(!pull.get_rcvmore().unwrap());
    });
}

/// 1,000,000 8-byte messages with SNDHWM=RCVHWM=10: the sender is throttled by the
/// receiver all the way, and every message arrives, once, in order.
#[test]
fn million_messages_in_order_with_tiny_hwm() {
    const N: u64 = 1_000_000;
    bounded(Duration::from_secs(120), || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_rcvhwm(10).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();

        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(10).unwrap();
        push.connect(&ep).unwrap();

        let start = Instant::now();
        let sender = thread::spawn(move || {
            for n in 0..N {
                push.send(seq_msg(n), 0)
                    .unwrap_or_else(|e| panic!("send #{n} failed: {e:?}"));
            }
            push
        });
        for expected in 0..N {
            let m = pull
                .recv(0)
                .unwrap_or_else(|e| panic!("recv #{expected} failed: {e:?}"));
            assert!(!m.more());
            let got = seq_of(&m);
            assert_eq!(got, expected, "message out of order or lost");
        }
        let push = sender.join().expect("sender thread");
        assert_eq!(
            pull.recv(DONTWAIT).unwrap_err(),
            Error::Again,
            "extra message"
        );
        eprintln!("{N} messages in {:?}", start.elapsed());
        drop(push);
    });
}

/// The same back-pressure with the roles of the transport reversed: the PUSH binds and
/// the PULL connects (bind-side pipe on the sender, connect-side pipe on the receiver).
#[test]
fn back_pressure_with_bound_push_and_connecting_pull() {
    const N: u64 = 200_000;
    bounded(Duration::from_secs(60), || {
        let ctx = Context::new();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(10).unwrap();
        push.bind("tcp://127.0.0.1:*").unwrap();
        let ep = push.last_endpoint().unwrap();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_rcvhwm(10).unwrap();
        pull.connect(&ep).unwrap();
        let sender = thread::spawn(move || {
            for n in 0..N {
                push.send(seq_msg(n), 0)
                    .unwrap_or_else(|e| panic!("send #{n} failed: {e:?}"));
            }
            push
        });
        for expected in 0..N {
            let m = pull
                .recv(0)
                .unwrap_or_else(|e| panic!("recv #{expected} failed: {e:?}"));
            assert_eq!(seq_of(&m), expected, "message out of order or lost");
        }
        drop(sender.join().expect("sender thread"));
        assert_eq!(
            pull.recv(DONTWAIT).unwrap_err(),
            Error::Again,
            "extra message"
        );
    });
}

/// The frames of message `seq` from sender `sender`: 3 to 5 frames, the first a header,
/// the rest of sizes cycling through empty, 1 B, 300 B, 100 KiB and 17 B.
fn multipart_for(sender: u32, seq: u32) -> Vec<Vec<u8>> {
    const SIZES: [usize; 5] = [0, 1, 300, 100 * 1024, 17];
    let nframes = 3 + (seq % 3) as usize;
    let mut frames = Vec::with_capacity(nframes);
    let mut header = sender.to_le_bytes().to_vec();
    header.extend_from_slice(&seq.to_le_bytes());
    frames.push(header);
    for i in 1..nframes {
        let size = SIZES[(seq as usize + i) % SIZES.len()];
        let fill = (sender as usize * 31 + seq as usize * 7 + i) as u8;
        frames.push(vec![fill; size]);
    }
    frames
}

/// Checks that `parts` is exactly one whole message as built by [`multipart_for`];
/// returns its (sender, seq).
fn check_multipart(parts: &[ferromq::Msg]) -> (u32, u32) {
    assert!(!parts.is_empty());
    assert_eq!(
        parts[0].len(),
        8,
        "first frame is not a header: a message was split"
    );
    let sender = u32::from_le_bytes(parts[0][..4].try_into().unwrap());
    let seq = u32::from_le_bytes(parts[0][4..].try_into().unwrap());
    let expected = multipart_for(sender, seq);
    assert_eq!(
        parts.len(),
        expected.len(),
        "sender {sender} message {seq}: wrong number of frames"
    );
    for (i, (got, want)) in parts.iter().zip(&expected).enumerate() {
        assert_eq!(
            got.len(),
            want.len(),
            "sender {sender} msg {seq} frame {i}: size"
        );
        assert!(
            got[..] == want[..],
            "sender {sender} msg {seq} frame {i}: content differs"
        );
        assert_eq!(got.more(), i + 1 < expected.len(), "more flag of frame {i}");
    }
    (sender, seq)
}

/// Several PUSHes send multipart messages concurrently; the PULL gets every message whole,
/// frames of different messages never interleave, and each sender's order is kept.
#[test]
fn multipart_messages_from_several_pushes_stay_whole() {
    const SENDERS: u32 = 3;
    const PER_SENDER: u32 = 150;
    bounded(Duration::from_secs(60), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let mut threads = Vec::new();
        for sender in 0..SENDERS {
            let mut push = socket(&ctx, SocketType::Push);
            push.set_linger(-1).unwrap();
            push.connect(&ep).unwrap();
            threads.push(thread::spawn(move || {
                for seq in 0..PER_SENDER {
                    push.send_multipart(multipart_for(sender, seq), 0).unwrap();
                }
                push
            }));
        }
        let mut next = vec![0u32; SENDERS as usize];
        for _ in 0..SENDERS * PER_SENDER {
            let parts = pull.recv_multipart(0).expect("recv_multipart");
            let (sender, seq) = check_multipart(&parts);
            assert!(sender < SENDERS, "unknown sender {sender}");
            assert_eq!(
                seq, next[sender as usize],
                "sender {sender}: lost or reordered"
            );
            next[sender as usize] += 1;
            assert!(!pull.get_rcvmore().unwrap());
        }
        for t in threads {
            drop(t.join().expect("sender thread"));
        }
        assert_eq!(pull.recv(DONTWAIT).unwrap_err(), Error::Again);
    });
}

/// Frame-by-frame reception with `recv`: `more()` and RCVMORE follow the frames.
#[test]
fn recv_reports_more_frame_by_frame() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("a", SNDMORE).unwrap();
        push.send("", SNDMORE).unwrap();
        push.send("c", 0).unwrap();
        push.send("single", 0).unwrap();
        let expect: [(&[u8], bool); 4] =
            [(b"a", true), (b"", true), (b"c", false), (b"single", false)];
        for (data, more) in expect {
            let m = recv_ok(&mut pull, "frame");
            assert_eq!(&m[..], data);
            assert_eq!(m.more(), more);
            assert_eq!(pull.get_rcvmore().unwrap(), more);
        }
    });
}

/// A PUSH closed with LINGER=0 in the middle of a stream of large multipart messages:
/// the PULL receives a gap-free prefix of its messages, each one whole, never the head of
/// a message without its tail; a second PUSH's messages keep flowing meanwhile.
#[test]
fn linger_zero_close_mid_stream_never_delivers_partial_messages() {
    const KILLED: u32 = 7;
    const STEADY: u32 = 8;
    const KILLED_MSGS: u32 = 400;
    const STEADY_MSGS: u32 = 200;
    bounded(Duration::from_secs(60), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        pull.set_rcvhwm(4).unwrap();

        let mut killed = socket(&ctx, SocketType::Push);
        killed.set_sndhwm(0).unwrap();
        killed.connect(&ep).unwrap();
        let mut steady = socket(&ctx, SocketType::Push);
        steady.set_linger(-1).unwrap();
        steady.connect(&ep).unwrap();

        // Make sure the killed PUSH's connection is up, so the close really cuts a stream.
        killed.send_multipart(multipart_for(KILLED, 0), 0).unwrap();
        let first = pull.recv_multipart(0).unwrap();
        assert_eq!(check_multipart(&first), (KILLED, 0));

        let killer = thread::spawn(move || {
            for seq in 1..KILLED_MSGS {
                killed
                    .send_multipart(multipart_for(KILLED, seq), 0)
                    .unwrap();
            }
            // Dozens of MB are still queued: LINGER=0 drops them, mid-message on the wire.
            drop(killed);
        });
        let steady_thread = thread::spawn(move || {
            for seq in 0..STEADY_MSGS {
                steady
                    .send_multipart(multipart_for(STEADY, seq), 0)
                    .unwrap();
            }
            steady
        });

        let mut next: HashMap<u32, u32> = HashMap::from([(KILLED, 1), (STEADY, 0)]);
        while next[&STEADY] < STEADY_MSGS {
            assert!(receive_checked(&mut pull, &mut next), "steady PUSH stalled");
        }
        killer.join().expect("killer thread");
        // Drain what is left of the killed PUSH's messages.
        pull.set_rcvtimeo(300).unwrap();
        while receive_checked(&mut pull, &mut next) {}
        eprintln!(
            "killed PUSH: {} of {KILLED_MSGS} messages delivered before the LINGER=0 close",
            next[&KILLED]
        );
        drop(steady_thread.join().expect("steady thread"));
    });
}

/// Receives one multipart message, checks it is whole and next in its sender's order.
/// `false` on EAGAIN.
fn receive_checked(pull: &mut ferromq::Socket, next: &mut HashMap<u32, u32>) -> bool {
    match pull.recv_multipart(0) {
        Ok(parts) => {
            let (sender, seq) = check_multipart(&parts);
            let n = next.get_mut(&sender).expect("unknown sender");
            assert_eq!(seq, *n, "sender {sender}: gap or reordering");
            *n += 1;
            true
        }
        Err(Error::Again) => false,
        Err(e) => panic!("recv_multipart: {e:?}"),
    }
}

/// A multipart message cut short by closing the socket (SNDMORE frames, no last frame)
/// is never delivered, and the PULL sees no stray frames from it.
#[test]
fn unfinished_multipart_is_discarded_on_close() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let mut push = socket(&ctx, SocketType::Push);
        push.set_linger(1000).unwrap();
        push.connect(&ep).unwrap();
        push.send_multipart(["whole", "message"], 0).unwrap();
        let parts = pull.recv_multipart(0).unwrap();
        assert_eq!(parts.len(), 2);
        push.send("head", SNDMORE).unwrap();
        push.send("middle", SNDMORE).unwrap();
        drop(push);
        pull.set_rcvtimeo(500).unwrap();
        assert_eq!(
            pull.recv(0).unwrap_err(),
            Error::Again,
            "a partial message leaked"
        );
    });
}

/// Messages sent by a thread are delivered while the receiver blocks in recv on another
/// thread (the wake-up crosses threads).
#[test]
fn blocked_recv_wakes_on_arrival() {
    bounded(Duration::from_secs(20), || {
        let ctx = Context::new();
        let (mut pull, ep) = bound_pull(&ctx);
        let waiting = Arc::new(AtomicBool::new(false));
        let w = Arc::clone(&waiting);
        let receiver = thread::spawn(move || {
            w.store(true, Ordering::SeqCst);
            let m = pull.recv(0).expect("blocked recv");
            m.to_vec()
        });
        assert!(wait_until(Duration::from_secs(5), || waiting.load(Ordering::SeqCst)));
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        push.send("wake up", 0).unwrap();
        assert_eq!(receiver.join().unwrap(), b"wake up".to_vec());
    });
}
