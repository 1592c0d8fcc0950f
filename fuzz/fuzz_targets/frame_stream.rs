//! Frame stream decoding: `flags | size | body` frames, fed piecemeal.
//!
//! Input: `[split seed] [limit selector] stream...`. The stream is decoded twice, at once
//! and in pieces, and the two must give the same frames and the same end (an error, or
//! the same undecoded tail). Every frame must re-encode to bytes that decode to itself,
//! respect the size limit, and the frames plus the tail must account for every byte.
#![no_main]

use bytes::BytesMut;
use ferromq::proto::frame::{decode_frame, encode_frame, parse_frame_header, Frame};
use ferromq::proto::ProtocolError;
use ferromq_fuzz::Chunker;
use libfuzzer_sys::fuzz_target;

/// Frames decoded, and how the stream ended.
#[derive(Debug, PartialEq)]
struct Decoded {
    frames: Vec<Frame>,
    end: Result<usize, ProtocolError>,
}

fn decode(stream: &[u8], seed: u8, max: Option<u64>) -> Decoded {
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    for piece in Chunker::new(stream, seed) {
        buf.extend_from_slice(piece);
        loop {
            match decode_frame(&mut buf, max) {
                Ok(Some(f)) => frames.push(f),
                Ok(None) => break,
                Err(e) => {
                    return Decoded {
                        frames,
                        end: Err(e),
                    }
                }
            }
        }
    }
    Decoded {
        frames,
        end: Ok(buf.len()),
    }
}

fuzz_target!(|data: &[u8]| {
    let [seed, limit, stream @ ..] = data else {
        return;
    };
    // 0: no limit (MAXMSGSIZE -1); otherwise limits around the short/long boundary.
    let max = (*limit != 0).then(|| u64::from(*limit) * 2);

    let whole = decode(stream, 0, max);
    let pieces = decode(stream, *seed, max);
    assert_eq!(whole, pieces, "decoding depends on read sizes");

    let mut used = 0usize;
    for f in &whole.frames {
        if let Some(max) = max {
            assert!(f.body.len() as u64 <= max, "frame above the limit");
        }
        assert!(!(f.more && f.command), "MORE reported on a command");
        let mut wire = BytesMut::new();
        encode_frame(f.more, f.command, &f.body, &mut wire);
        let h = parse_frame_header(&wire, None).unwrap().unwrap();
        assert_eq!(h.frame_len(), wire.len());
        let again = decode_frame(&mut wire, None).unwrap().unwrap();
        assert_eq!(&again, f, "re-encoded frame decodes differently");
        assert!(wire.is_empty());
        // The wire form may have used a long header for a short body.
        let h = parse_frame_header(&stream[used..], max).unwrap().unwrap();
        assert_eq!(h.body_len, f.body.len());
        used += h.frame_len();
    }
    if let Ok(left) = whole.end {
        assert_eq!(used + left, stream.len(), "bytes lost or invented");
        // What is left is an incomplete frame, never a whole one.
        match parse_frame_header(&stream[used..], max) {
            Ok(None) => {}
            Ok(Some(h)) => assert!(h.frame_len() > left, "a whole frame was left over"),
            Err(e) => panic!("tail with a bad header ({e}) was not reported"),
        }
    }
});
