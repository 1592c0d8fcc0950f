//! DEALER over TCP loopback: round-robin out, fair-queue in, multipart messages whole.

mod common;

use common::{bounded, socket};
use ferromq::{Context, SocketType};
use std::time::Duration;

#[test]
fn dealers_exchange_multipart_messages_both_ways() {
    bounded(Duration::from_secs(60), || {
        let ctx = Context::new();
        let mut a = socket(&ctx, SocketType::Dealer);
        a.bind("tcp://127.0.0.1:*").unwrap();
        let ep = a.last_endpoint().unwrap();
        let mut b1 = socket(&ctx, SocketType::Dealer);
        let mut b2 = socket(&ctx, SocketType::Dealer);
        b1.connect(&ep).unwrap();
        b2.connect(&ep).unwrap();
        for (i, b) in [&mut b1, &mut b2].into_iter().enumerate() {
            b.send_multipart([format!("hello{i}").as_str(), "", "body"], 0)
                .unwrap();
        }
        let mut got: Vec<Vec<Vec<u8>>> = (0..2)
            .map(|_| {
                a.recv_multipart(0)
                    .unwrap()
                    .iter()
                    .map(|m| m.to_vec())
                    .collect()
            })
            .collect();
        got.sort();
        assert_eq!(got[0], vec![b"hello0".to_vec(), vec![], b"body".to_vec()]);
        assert_eq!(got[1], vec![b"hello1".to_vec(), vec![], b"body".to_vec()]);
        // Both peers are attached now: replies alternate between them.
        for _ in 0..4 {
            a.send("reply", 0).unwrap();
        }
        for b in [&mut b1, &mut b2] {
            for _ in 0..2 {
                assert_eq!(b.recv(0).unwrap().as_bytes(), b"reply");
            }
        }
    });
}
