//! ZMTP 3.x framing: `flags(1) | size(1 or 8, big-endian) | body`.
//!
//! The decoder is a bounded reader. Its contract: on any input it either asks for more
//! bytes (`Ok(None)`), returns a header whose lengths are in range (checked arithmetic,
//! the caller's `max_body`), or returns an error; it never panics and never allocates
//! based on a declared size. Like libzmq's `v2_decoder` it is lenient where that is
//! harmless: reserved flag bits are ignored, LONG frames may carry small sizes, and a
//! MORE bit on a command is ignored.

use bytes::{Buf, BufMut, Bytes, BytesMut};

use super::ProtocolError;

/// Flag bit: more frames of this message follow.
///
/// ```
/// assert_eq!(ferromq::proto::frame::FLAG_MORE, 0x01);
/// ```
pub const FLAG_MORE: u8 = 0x01;
/// Flag bit: the size field is 8 bytes (big-endian) instead of 1.
///
/// ```
/// assert_eq!(ferromq::proto::frame::FLAG_LONG, 0x02);
/// ```
pub const FLAG_LONG: u8 = 0x02;
/// Flag bit: the frame is a command, not part of a message.
///
/// ```
/// assert_eq!(ferromq::proto::frame::FLAG_COMMAND, 0x04);
/// ```
pub const FLAG_COMMAND: u8 = 0x04;

/// The longest frame header: flags plus an 8-byte size.
///
/// ```
/// assert_eq!(ferromq::proto::frame::MAX_HEADER_LEN, 9);
/// ```
pub const MAX_HEADER_LEN: usize = 9;

/// Short headers carry sizes up to this; libzmq switches to LONG only above it.
const MAX_SHORT_BODY: usize = 255;

/// The largest size ZMTP allows (2^63 - 1).
const MAX_WIRE_SIZE: u64 = i64::MAX as u64;

/// A decoded frame header. `header_len + body_len` is guaranteed not to overflow.
///
/// ```
/// use ferromq::proto::frame::parse_frame_header;
///
/// let h = parse_frame_header(&[0x01, 3, b'a'], None).unwrap().unwrap();
/// assert!(h.more && !h.command);
/// assert_eq!((h.header_len, h.body_len), (2, 3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// More frames of the same message follow (always false for commands).
    pub more: bool,
    /// This frame is a command.
    pub command: bool,
    /// Length of the body that follows the header.
    pub body_len: usize,
    /// Length of the header itself: 2 (short) or 9 (long).
    pub header_len: usize,
}

impl FrameHeader {
    /// Total length of the frame on the wire (header plus body).
    ///
    /// ```
    /// use ferromq::proto::frame::parse_frame_header;
    ///
    /// let h = parse_frame_header(&[0x00, 3], None).unwrap().unwrap();
    /// assert_eq!(h.frame_len(), 5);
    /// ```
    pub fn frame_len(&self) -> usize {
        // Cannot overflow: parse_frame_header checked this sum.
        self.header_len + self.body_len
    }
}

/// Parses a frame header from the start of `buf`.
///
/// `Ok(None)` means more bytes are needed (never an error on a partial header). The body
/// need not be present. A declared size above 2^63 - 1, or one that does not fit `usize`
/// together with the header, is [`ProtocolError::SizeOverflow`]; a size above `max_body`
/// is [`ProtocolError::FrameTooLarge`]. Both are reported as soon as the header is in.
///
/// # Errors
///
/// [`ProtocolError::SizeOverflow`] or [`ProtocolError::FrameTooLarge`], as above.
///
/// ```
/// use ferromq::proto::frame::parse_frame_header;
/// use ferromq::proto::ProtocolError;
///
/// assert_eq!(parse_frame_header(&[0x02, 0, 0], None), Ok(None));
/// let huge = [0x02, 0, 0, 0x10, 0, 0, 0, 0, 0];
/// assert_eq!(
///     parse_frame_header(&huge, Some(1 << 20)),
///     Err(ProtocolError::FrameTooLarge { size: 1 << 44, max: 1 << 20 })
/// );
/// ```
pub fn parse_frame_header(
    buf: &[u8],
    max_body: Option<u64>,
) -> Result<Option<FrameHeader>, ProtocolError> {
    let Some(&flags) = buf.first() else {
        return Ok(None);
    };
    let (size, header_len) = if flags & FLAG_LONG != 0 {
        let Some(raw) = buf.get(1..MAX_HEADER_LEN) else {
            return Ok(None);
        };
        let mut be = [0u8; 8];
        be.copy_from_slice(raw);
        (u64::from_be_bytes(be), MAX_HEADER_LEN)
    } else {
        let Some(&len) = buf.get(1) else {
            return Ok(None);
        };
        (u64::from(len), 2)
    };
    if size > MAX_WIRE_SIZE {
        return Err(ProtocolError::SizeOverflow);
    }
    if let Some(max) = max_body {
        if size > max {
            return Err(ProtocolError::FrameTooLarge { size, max });
        }
    }
    let body_len = usize::try_from(size).map_err(|_| ProtocolError::SizeOverflow)?;
    if header_len.checked_add(body_len).is_none() {
        return Err(ProtocolError::SizeOverflow);
    }
    let command = flags & FLAG_COMMAND != 0;
    Ok(Some(FrameHeader {
        // MORE is meaningless on a command; libzmq ignores it there too.
        more: flags & FLAG_MORE != 0 && !command,
        command,
        body_len,
        header_len,
    }))
}

/// Header length used for a body of `body_len` bytes: 2 up to 255 bytes, else 9.
///
/// ```
/// use ferromq::proto::frame::header_len_for;
///
/// assert_eq!(header_len_for(255), 2);
/// assert_eq!(header_len_for(256), 9);
/// ```
pub fn header_len_for(body_len: usize) -> usize {
    if body_len <= MAX_SHORT_BODY {
        2
    } else {
        MAX_HEADER_LEN
    }
}

/// Writes a frame header, in short form iff `body_len <= 255` (as libzmq does).
/// `more` is dropped on commands, which may not carry it.
///
/// ```
/// use ferromq::proto::frame::encode_frame_header;
///
/// let mut out = Vec::new();
/// encode_frame_header(true, false, 3, &mut out);
/// encode_frame_header(false, true, 256, &mut out);
/// assert_eq!(out, [0x01, 3, 0x06, 0, 0, 0, 0, 0, 0, 1, 0]);
/// ```
pub fn encode_frame_header(more: bool, command: bool, body_len: usize, out: &mut impl BufMut) {
    let mut flags = 0;
    if command {
        flags |= FLAG_COMMAND;
    } else if more {
        flags |= FLAG_MORE;
    }
    if body_len <= MAX_SHORT_BODY {
        out.put_u8(flags);
        out.put_u8(body_len as u8);
    } else {
        out.put_u8(flags | FLAG_LONG);
        // usize is at most 64 bits on every platform Rust supports.
        out.put_u64(body_len as u64);
    }
}

/// A whole frame, its body sharing the receive buffer's memory.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::frame::Frame;
///
/// let f = Frame { more: false, command: false, body: Bytes::from_static(b"hi") };
/// assert_eq!(&f.body[..], b"hi");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// More frames of the same message follow.
    pub more: bool,
    /// This frame is a command.
    pub command: bool,
    /// The frame body.
    pub body: Bytes,
}

/// Takes one whole frame off the front of `buf`, without copying the body.
///
/// If the frame is not complete yet, returns `Ok(None)` and leaves `buf` untouched (it
/// does not reserve room for the body either: the declared size is not trusted).
///
/// # Errors
///
/// Those of [`parse_frame_header`], as soon as the header is present.
///
/// ```
/// use bytes::BytesMut;
/// use ferromq::proto::frame::decode_frame;
///
/// let mut buf = BytesMut::from(&[0x00, 2, b'h', b'i', 0x00][..]);
/// let f = decode_frame(&mut buf, None).unwrap().unwrap();
/// assert_eq!(&f.body[..], b"hi");
/// assert_eq!(&buf[..], &[0x00]);
/// assert_eq!(decode_frame(&mut buf, None), Ok(None));
/// ```
pub fn decode_frame(
    buf: &mut BytesMut,
    max_body: Option<u64>,
) -> Result<Option<Frame>, ProtocolError> {
    let Some(h) = parse_frame_header(buf, max_body)? else {
        return Ok(None);
    };
    if buf.len() < h.frame_len() {
        return Ok(None);
    }
    let mut frame = buf.split_to(h.frame_len());
    frame.advance(h.header_len);
    Ok(Some(Frame {
        more: h.more,
        command: h.command,
        body: frame.freeze(),
    }))
}

/// Writes a whole frame (header and body).
///
/// ```
/// use ferromq::proto::frame::encode_frame;
///
/// let mut out = Vec::new();
/// encode_frame(false, false, b"hi", &mut out);
/// assert_eq!(out, [0x00, 2, b'h', b'i']);
/// ```
pub fn encode_frame(more: bool, command: bool, body: &[u8], out: &mut impl BufMut) {
    encode_frame_header(more, command, body.len(), out);
    out.put_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn long_header(flags: u8, size: u64) -> Vec<u8> {
        let mut v = vec![flags | FLAG_LONG];
        v.extend_from_slice(&size.to_be_bytes());
        v
    }

    #[test]
    fn short_and_long_headers() {
        let h = parse_frame_header(&[0x00, 0], None).unwrap().unwrap();
        assert_eq!(
            h,
            FrameHeader {
                more: false,
                command: false,
                body_len: 0,
                header_len: 2
            }
        );
        let h = parse_frame_header(&long_header(FLAG_MORE, 300), None)
            .unwrap()
            .unwrap();
        assert_eq!((h.more, h.body_len, h.header_len), (true, 300, 9));
    }

    #[test]
    fn long_form_with_small_size_is_accepted() {
        let mut buf = BytesMut::from(&long_header(0, 2)[..]);
        buf.extend_from_slice(b"ok");
        let f = decode_frame(&mut buf, Some(10)).unwrap().unwrap();
        assert_eq!(&f.body[..], b"ok");
        assert!(buf.is_empty());
    }

    #[test]
    fn reserved_bits_are_ignored() {
        let h = parse_frame_header(&[0xF0 | FLAG_MORE, 1], None)
            .unwrap()
            .unwrap();
        assert!(h.more && !h.command);
        let h = parse_frame_header(&[0xF8 | FLAG_COMMAND, 1], None)
            .unwrap()
            .unwrap();
        assert!(h.command && !h.more);
        let h = parse_frame_header(&long_header(0xF0, 7), None)
            .unwrap()
            .unwrap();
        assert_eq!(h.body_len, 7);
    }

    #[test]
    fn more_on_command_is_ignored() {
        let h = parse_frame_header(&[FLAG_COMMAND | FLAG_MORE, 0], None)
            .unwrap()
            .unwrap();
        assert!(h.command && !h.more);
    }

    #[test]
    fn huge_sizes_fail_with_only_the_header_present() {
        let max = 1u64 << 20;
        for (size, limit, want) in [
            (
                1u64 << 44,
                Some(max),
                ProtocolError::FrameTooLarge { size: 1 << 44, max },
            ),
            (
                i64::MAX as u64,
                Some(max),
                ProtocolError::FrameTooLarge {
                    size: i64::MAX as u64,
                    max,
                },
            ),
            (
                max + 1,
                Some(max),
                ProtocolError::FrameTooLarge { size: max + 1, max },
            ),
            (1u64 << 63, None, ProtocolError::SizeOverflow),
            (u64::MAX, None, ProtocolError::SizeOverflow),
            (u64::MAX, Some(max), ProtocolError::SizeOverflow),
        ] {
            let hdr = long_header(0, size);
            assert_eq!(parse_frame_header(&hdr, limit), Err(want.clone()));
            let mut buf = BytesMut::from(&hdr[..]);
            assert_eq!(decode_frame(&mut buf, limit), Err(want));
            // Nothing was reserved for the declared body.
            assert!(buf.capacity() < 1024);
        }
        // Exactly at the limit is fine.
        let h = parse_frame_header(&long_header(0, max), Some(max)).unwrap();
        assert_eq!(h.map(|h| h.body_len), Some(max as usize));
        // A short frame over a tiny limit.
        assert_eq!(
            parse_frame_header(&[0x00, 10], Some(9)),
            Err(ProtocolError::FrameTooLarge { size: 10, max: 9 })
        );
    }

    #[test]
    fn huge_size_without_limit_waits_without_allocating() {
        // 2^63 - 1 is a legal ZMTP size; with no limit, it is "need more", not an error
        // (on 64-bit targets, where it fits usize).
        let mut buf = BytesMut::from(&long_header(0, i64::MAX as u64)[..]);
        let before = buf.capacity();
        if usize::BITS >= 64 {
            assert_eq!(decode_frame(&mut buf, None), Ok(None));
        }
        assert_eq!(buf.len(), 9);
        assert_eq!(buf.capacity(), before);
    }

    #[test]
    fn every_prefix_needs_more() {
        for body_len in [0usize, 1, 255, 256, 1000] {
            let mut wire = Vec::new();
            encode_frame(true, false, &vec![7u8; body_len], &mut wire);
            for n in 0..wire.len() {
                let mut buf = BytesMut::from(&wire[..n]);
                assert_eq!(
                    decode_frame(&mut buf, Some(4096)),
                    Ok(None),
                    "{body_len}/{n}"
                );
                assert_eq!(buf.len(), n, "buffer must be left untouched");
                if n < header_len_for(body_len) {
                    assert_eq!(parse_frame_header(&wire[..n], None), Ok(None));
                }
            }
        }
    }

    #[test]
    fn encoder_uses_long_form_only_above_255() {
        let mut out = Vec::new();
        encode_frame_header(false, false, 255, &mut out);
        assert_eq!(out, [0x00, 0xFF]);
        out.clear();
        encode_frame_header(false, false, 256, &mut out);
        assert_eq!(out, [0x02, 0, 0, 0, 0, 0, 0, 1, 0]);
        out.clear();
        encode_frame_header(true, true, 0, &mut out);
        assert_eq!(out, [0x04, 0]);
    }

    proptest! {
        #[test]
        fn round_trip(
            frames in proptest::collection::vec(
                (any::<bool>(), any::<bool>(), prop_oneof![
                    4 => proptest::collection::vec(any::<u8>(), 0..300),
                    1 => proptest::collection::vec(any::<u8>(), 256..1000),
                ]),
                0..8,
            )
        ) {
            let mut wire = BytesMut::new();
            for (more, command, body) in &frames {
                encode_frame(*more, *command, body, &mut wire);
            }
            for (more, command, body) in &frames {
                let f = decode_frame(&mut wire, Some(1000)).unwrap().unwrap();
                prop_assert_eq!(f.more, *more && !*command);
                prop_assert_eq!(f.command, *command);
                prop_assert_eq!(&f.body[..], &body[..]);
            }
            prop_assert!(wire.is_empty());
        }

        #[test]
        fn arbitrary_bytes_never_panic(
            data in proptest::collection::vec(any::<u8>(), 0..64),
            max in proptest::option::of(any::<u64>()),
        ) {
            let _ = parse_frame_header(&data, max);
            let mut buf = BytesMut::from(&data[..]);
            while let Ok(Some(_)) = decode_frame(&mut buf, max) {}
        }

        #[test]
        fn header_lengths_are_consistent(data in proptest::collection::vec(any::<u8>(), 0..12)) {
            if let Ok(Some(h)) = parse_frame_header(&data, None) {
                prop_assert!(h.header_len == 2 || h.header_len == 9);
                prop_assert!(h.header_len <= data.len());
                prop_assert!(h.header_len.checked_add(h.body_len).is_some());
            }
        }
    }
}
