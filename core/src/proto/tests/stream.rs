//! A whole traffic stream, cut every way: truncated at every length, and chunked at
//! random, it yields the same messages (or a prefix of them, never a partial message).

use proptest::prelude::*;

use super::util::{config, frames, multipart, Pair, Side};
use crate::msg::Msg;
use crate::proto::SocketType;

/// What A (a DEALER) sends: messages of every framing shape (empty, short, long form,
/// large enough to be shared instead of copied, multipart).
fn messages() -> Vec<Vec<Msg>> {
    vec![
        multipart(&[b"one"]),
        multipart(&[b"", b"empty first", b""]),
        multipart(&[&[0xAB; 255]]),
        multipart(&[&[0xCD; 256], b"x"]),
        multipart(&[&[0xEF; 20_000]]),
        multipart(&[b"a", b"b", b"c", b"d"]),
    ]
}

/// The bytes A writes for the handshake and [`messages`], and the frames B decodes.
fn recorded() -> (Vec<u8>, Vec<(bool, Vec<u8>)>) {
    let mut p = Pair::connected(SocketType::Dealer, SocketType::Router);
    for m in messages() {
        p.send(Side::A, &m);
    }
    (p.a.sent.clone(), frames(&p.b.received))
}

/// A fresh ROUTER fed `chunks` of A's stream (its own output is thrown away).
fn replay<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Pair {
    let mut p = Pair::new(config(SocketType::Dealer), config(SocketType::Router));
    let now = p.now;
    for c in chunks {
        p.b.input(c, now);
    }
    p
}

#[test]
fn every_truncation_yields_whole_messages_only() {
    let (stream, all) = recorded();
    let boundaries: Vec<usize> = {
        let mut n = 0;
        messages()
            .iter()
            .map(|m| {
                n += m.len();
                n
            })
            .collect()
    };
    for len in 0..=stream.len() {
        let p = replay([&stream[..len]]);
        assert_eq!(p.b.error, None, "truncated at {len}");
        let got = frames(&p.b.received);
        assert!(
            got.is_empty() || boundaries.contains(&got.len()),
            "a partial message at {len}"
        );
        assert_eq!(got[..], all[..got.len()], "truncated at {len}");
    }
    assert_eq!(frames(&replay([&stream[..]]).b.received), all);
}

proptest! {
    #[test]
    fn any_chunking_yields_the_same_messages(cuts in proptest::collection::vec(any::<usize>(), 0..40)) {
        let (stream, all) = recorded();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
        cuts.push(0);
        cuts.push(stream.len());
        cuts.sort_unstable();
        let chunks = cuts.windows(2).map(|w| &stream[w[0]..w[1]]);
        let p = replay(chunks);
        prop_assert_eq!(&p.b.error, &None);
        prop_assert_eq!(frames(&p.b.received), all);
    }

    #[test]
    fn corrupted_streams_never_panic(pos in any::<usize>(), byte in any::<u8>(), chunk in 1usize..300) {
        let (mut stream, _) = recorded();
        let pos = pos % stream.len();
        stream[pos] = byte;
        let _ = replay(stream.chunks(chunk));
    }
}
