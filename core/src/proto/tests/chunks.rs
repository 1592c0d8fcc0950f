//! Decoding straight out of the read chunks: frames cut at every chunk boundary arrive
//! intact, frames above the inline size share their chunk, and what a retained frame
//! pins stays bounded.

use bytes::Bytes;

use super::util::{frames, multipart, Pair, Side};
use crate::msg::{Msg, INLINE_MAX};
use crate::proto::connection::Connection;
use crate::proto::rbuf::READ_CHUNK;
use crate::proto::SocketType;

/// A connected PUSH → PULL pair whose A side has queued `msgs`; returns the pair and
/// the bytes A wrote for them.
fn wire_for(msgs: &[Msg]) -> (Pair, Vec<u8>) {
    let mut p = Pair::connected(SocketType::Push, SocketType::Pull);
    p.a.hold = true;
    p.send(Side::A, msgs);
    let wire = std::mem::take(p.wire(Side::A));
    (p, wire)
}

/// Feeds `wire` to `conn` the way the session does: each read fills at most `max_read`
/// bytes of the spare room `read_buf` makes, then everything complete is decoded.
fn read_like_the_driver(conn: &mut Connection, mut wire: &[u8], max_read: usize) -> Vec<Msg> {
    let mut out = Vec::new();
    while !wire.is_empty() {
        let buf = conn.read_buf();
        let spare = buf.capacity() - buf.len();
        assert!(spare > 0, "read_buf always makes room");
        let n = spare.min(max_read).min(wire.len());
        buf.extend_from_slice(&wire[..n]);
        wire = &wire[n..];
        conn.received();
        conn.decode_into(&mut out, usize::MAX, false).unwrap();
    }
    out
}

fn shared(m: &Msg) -> &Bytes {
    m.shared().expect("above the inline size")
}

#[test]
fn frames_cut_at_every_chunk_boundary_arrive_intact() {
    // Sizes around the inline limit, both header forms, and frames larger than a chunk,
    // in a stream several chunks long, so that boundaries fall at many offsets.
    let mut msgs = Vec::new();
    let sizes = [
        0,
        1,
        INLINE_MAX,
        INLINE_MAX + 1,
        255,
        256,
        4000,
        READ_CHUNK - 1,
        READ_CHUNK + 3,
    ];
    for round in 0..40 {
        for (i, &size) in sizes.iter().enumerate() {
            let byte = (round * sizes.len() + i) as u8;
            msgs.extend(multipart(&[&vec![byte; size], &[byte ^ 0xFF; 77]]));
        }
    }
    let (_, wire) = wire_for(&msgs);
    for max_read in [usize::MAX, READ_CHUNK, 8191, 1000, 97] {
        let (mut p, _) = wire_for(&[]);
        let got = read_like_the_driver(&mut p.b.conn, &wire, max_read);
        assert_eq!(frames(&got), frames(&msgs), "reads of {max_read}");
    }
}

#[test]
fn frames_above_the_inline_size_share_their_chunk() {
    let msgs: Vec<Msg> = (0..3u8).map(|i| Msg::from(vec![i; 100])).collect();
    let (mut p, wire) = wire_for(&msgs);
    let got = read_like_the_driver(&mut p.b.conn, &wire, usize::MAX);
    assert_eq!(frames(&got), frames(&msgs));
    // One read, one chunk: each body starts right after the previous frame's 2-byte
    // header, and the chunk is shared, not copied.
    let at = |i: usize| shared(&got[i]).as_ptr() as usize;
    assert_eq!(at(1) - at(0), 102);
    assert_eq!(at(2) - at(1), 102);
    assert!(!shared(&got[0]).is_unique());
    // Small frames are inline, not references into the chunk.
    let (mut p, wire) = wire_for(&[Msg::from(vec![1u8; INLINE_MAX])]);
    let got = read_like_the_driver(&mut p.b.conn, &wire, usize::MAX);
    assert!(got[0].shared().is_none());
}

#[test]
fn a_frame_larger_than_a_chunk_gets_a_chunk_of_its_own() {
    let big = vec![0xA5u8; 5 * READ_CHUNK + 11];
    let msgs = [Msg::from(big.clone()), Msg::from(vec![7u8; 100])];
    let (mut p, wire) = wire_for(&msgs);
    let got = read_like_the_driver(&mut p.b.conn, &wire, usize::MAX);
    assert_eq!(frames(&got), frames(&msgs));
    // The small frame after it was read into a fresh chunk: holding the small one does
    // not keep the large one's memory, which is released with the large frame alone.
    let (large, small) = (shared(&got[0]).clone(), shared(&got[1]).clone());
    let large_end = large.as_ptr() as usize + large.len();
    assert_ne!(
        small.as_ptr() as usize,
        large_end + 2,
        "not in the large chunk"
    );
    drop(got);
    assert!(
        large.is_unique(),
        "the large frame's chunk holds nothing else"
    );
}

#[test]
fn input_fed_in_large_pieces_never_lets_a_small_frame_pin_a_large_chunk() {
    // `handle_input` of a whole stream grows one chunk past READ_CHUNK; the small frames
    // decoded from it are copied rather than left pinning it.
    let msgs: Vec<Msg> = (0..2000u32)
        .map(|i| Msg::from(vec![i as u8; 100]))
        .collect();
    let (mut p, wire) = wire_for(&msgs);
    assert!(wire.len() > 2 * READ_CHUNK);
    p.b.input(&wire, p.now);
    assert_eq!(frames(&p.b.received), frames(&msgs));
    assert!(p.b.received.iter().all(|m| shared(m).is_unique()));
}
