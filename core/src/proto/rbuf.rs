//! [`ReadBuf`]: a connection's receive buffer, read into in chunks so that decoded frames
//! can share it instead of being copied out.
//!
//! This is libzmq's `shared_message_memory_allocator` done with `bytes`: the driver reads
//! into the spare room of one chunk (a [`READ_CHUNK`]-sized allocation), and a decoded
//! frame longer than [`INLINE_MAX`](crate::msg::INLINE_MAX) becomes a `Bytes` slice of it —
//! one reference-count increment, no allocation, no copy. When a chunk runs out of room
//! the unread tail (at most one incomplete frame) moves into a fresh chunk, unless every
//! frame cut from the old one is gone already, in which case it is reused in place.
//!
//! What a frame can pin: a chunk is at most one read buffer, [`READ_CHUNK`] bytes, except
//! for a frame that does not fit one, which gets a chunk sized to itself (grown as its
//! bytes arrive, never from the declared size alone). After such a frame the next chunk
//! is allocated at that frame's size, up to [`LARGE_MAX`], so that a stream of large frames
//! reads each into a chunk of its own instead of copying it out of one too small (the peer
//! has already made us hold that much; libzmq reads a large message straight into its own
//! buffer); once a small frame follows, an oversized chunk is let go at the next read, so
//! an idle connection holds at most [`LARGE_MAX`]. A retained frame keeps at most
//! `max(READ_CHUNK, 2 × its own size)` alive ([`ReadBuf::may_share`] copies a frame
//! that would pin more, which only input fed in larger pieces than one read can cause).

use bytes::{Buf, Bytes, BytesMut};

/// The size of one read chunk.
pub(crate) const READ_CHUNK: usize = 64 * 1024;

/// Largest chunk allocated ahead of a frame's bytes, after a frame larger than a chunk.
pub(crate) const LARGE_MAX: usize = 4 * READ_CHUNK;

/// Below this much spare room the next read starts a new chunk (or reclaims this one).
const MIN_SPARE: usize = READ_CHUNK / 16;

/// The receive buffer: unread bytes at the front of the current chunk.
#[derive(Debug, Default)]
pub(crate) struct ReadBuf {
    buf: BytesMut,
    /// Capacity of the current chunk's allocation, as allocated.
    chunk: usize,
    /// Wire size of the last frame taken when it was larger than [`READ_CHUNK`], else 0.
    large: usize,
}

impl ReadBuf {
    /// The unread bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The unread bytes as a buffer the handshake consumes from the front.
    pub fn as_bytes_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Unread byte count.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Makes room for the next read and returns the buffer whose spare capacity the
    /// driver reads into (append only). `want` is the wire size of the frame being
    /// received when its header is in (0 otherwise): room grows towards it only as fast
    /// as its bytes arrive, never more than doubling the unread bytes, since a declared
    /// size is never trusted for an allocation.
    pub fn prepare(&mut self, want: usize) -> &mut BytesMut {
        let len = self.buf.len();
        let spare = self.buf.capacity() - len;
        let missing = want.saturating_sub(len);
        // An oversized chunk no frame needs any more: the tail moves to a smaller one.
        let unwanted = self.chunk > READ_CHUNK.max(self.large).max(want);
        let need = if unwanted {
            missing.min(READ_CHUNK.max(len)).max(READ_CHUNK - MIN_SPARE)
        } else if missing > spare && spare < READ_CHUNK {
            // Grown only once less than a chunk of room is left: a frame larger than
            // its chunk doubles it, so its bytes are copied O(1) times on average.
            missing.min(READ_CHUNK.max(len))
        } else if spare < MIN_SPARE {
            // Doubling, for input fed in pieces larger than a chunk (`extend`).
            (READ_CHUNK - MIN_SPARE).max(len)
        } else {
            return &mut self.buf;
        };
        // Reclaiming succeeds only when no frame cut from this chunk is alive.
        if !unwanted && self.buf.try_reclaim(need) {
            return &mut self.buf;
        }
        // Cannot overflow: `need` is at most `max(READ_CHUNK, len)` and `len` counts
        // bytes held in memory.
        let cap = READ_CHUNK.max(len + need).max(self.large);
        let mut chunk = BytesMut::with_capacity(cap);
        chunk.extend_from_slice(&self.buf);
        self.chunk = chunk.capacity();
        self.buf = chunk;
        &mut self.buf
    }

    /// Appends `data` through the same chunks a driver's reads would fill.
    pub fn extend(&mut self, mut data: &[u8], want: usize) {
        while !data.is_empty() {
            let buf = self.prepare(want);
            let n = data.len().min(buf.capacity() - buf.len());
            buf.extend_from_slice(&data[..n]);
            data = &data[n..];
        }
    }

    /// Whether a body of `len` bytes may share the chunk rather than be copied (see the
    /// module documentation for the bound this keeps).
    pub fn may_share(&self, len: usize) -> bool {
        self.chunk <= READ_CHUNK || len >= self.chunk / 2
    }

    /// A whole frame of `wire_len` bytes (header included) is in: sizes the next chunk.
    pub fn frame_complete(&mut self, wire_len: usize) {
        self.large = if wire_len > READ_CHUNK {
            wire_len.min(LARGE_MAX)
        } else {
            0
        };
    }

    /// Drops `n` bytes from the front.
    pub fn advance(&mut self, n: usize) {
        self.buf.advance(n);
    }

    /// Takes `n` bytes off the front, sharing the chunk.
    pub fn split_to(&mut self, n: usize) -> Bytes {
        self.buf.split_to(n).freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(rb: &mut ReadBuf, want: usize, byte: u8) -> usize {
        let buf = rb.prepare(want);
        let n = buf.capacity() - buf.len();
        buf.resize(buf.len() + n, byte);
        n
    }

    #[test]
    fn a_fresh_buffer_reads_one_chunk() {
        let mut rb = ReadBuf::default();
        assert_eq!(filled(&mut rb, 0, 1), READ_CHUNK);
        assert_eq!(rb.len(), READ_CHUNK);
    }

    #[test]
    fn slices_share_the_chunk_and_a_full_chunk_moves_only_its_tail() {
        let mut rb = ReadBuf::default();
        rb.extend(&[7; 100], 0);
        let a = rb.split_to(60);
        let start = a.as_ptr();
        assert_eq!(rb.bytes().as_ptr(), start.wrapping_add(60), "no copy");
        filled(&mut rb, 0, 9);
        // `a` is alive: the chunk cannot be reclaimed, the 40 + spare unread bytes move.
        let tail = rb.len();
        let buf = rb.prepare(0);
        assert!(buf.capacity() - buf.len() >= MIN_SPARE);
        assert_eq!(rb.len(), tail);
        assert_ne!(rb.bytes().as_ptr(), start.wrapping_add(60));
        assert_eq!(&a[..], &[7; 60][..], "the old chunk lives on in `a`");
        assert_eq!(rb.bytes()[..40], [7; 40]);
    }

    #[test]
    fn a_chunk_nobody_holds_is_reused_in_place() {
        let mut rb = ReadBuf::default();
        filled(&mut rb, 0, 3);
        let base = rb.bytes().as_ptr();
        drop(rb.split_to(READ_CHUNK - 10));
        let buf = rb.prepare(0);
        assert!(buf.capacity() - buf.len() >= MIN_SPARE);
        assert_eq!(
            rb.bytes().as_ptr(),
            base,
            "the 10 unread bytes moved to the front"
        );
        assert_eq!(rb.bytes(), &[3; 10][..]);
    }

    #[test]
    fn a_large_frame_grows_its_own_chunk_no_faster_than_its_bytes() {
        let mut rb = ReadBuf::default();
        let want = 10 * READ_CHUNK;
        rb.extend(&[0; 9], want);
        let mut caps = Vec::new();
        while rb.len() < want {
            let before = rb.len();
            let buf = rb.prepare(want);
            assert!(buf.capacity() <= (2 * before).max(READ_CHUNK).max(before + READ_CHUNK));
            caps.push(buf.capacity());
            filled(&mut rb, want, 1);
        }
        assert_eq!(rb.len(), want, "the last chunk is exactly the frame");
        assert_eq!(caps.last(), Some(&want));
        assert!(rb.may_share(want - 9));
        assert!(
            !rb.may_share(1000),
            "a small frame never pins a large chunk"
        );
        // Once the frame is gone, the next read gets an ordinary chunk.
        let frame = rb.split_to(want);
        assert_eq!(filled(&mut rb, 0, 2), READ_CHUNK);
        assert!(rb.may_share(100));
        drop(frame);
    }

    #[test]
    fn after_a_large_frame_the_next_chunk_holds_one_as_large() {
        let mut rb = ReadBuf::default();
        let want = READ_CHUNK + 9;
        while rb.len() < want {
            filled(&mut rb, want, 4);
        }
        rb.frame_complete(want);
        let frame = rb.split_to(want);
        assert_eq!(filled(&mut rb, 0, 5), want, "room for the next one at once");
        assert!(!rb.may_share(100), "small frames in it are copied");
        drop(frame);
        rb.frame_complete(want);
        let base = rb.bytes().as_ptr();
        drop(rb.split_to(want));
        assert_eq!(filled(&mut rb, 0, 6), want, "nobody holds it: reclaimed");
        assert_eq!(rb.bytes().as_ptr(), base, "in place");
        rb.frame_complete(100);
        drop(rb.split_to(want));
        assert_eq!(
            filled(&mut rb, 0, 7),
            READ_CHUNK,
            "the last frame was small"
        );
    }

    #[test]
    fn an_oversized_chunk_is_let_go_once_a_small_frame_follows() {
        let mut rb = ReadBuf::default();
        rb.frame_complete(10 * READ_CHUNK);
        let buf = rb.prepare(0);
        assert_eq!(buf.capacity(), LARGE_MAX, "the chunk ahead is capped");
        buf.extend_from_slice(&[1; 150]);
        rb.frame_complete(100);
        let small = rb.split_to(100);
        let buf = rb.prepare(0);
        assert_eq!(buf.capacity(), READ_CHUNK, "the 50 unread bytes moved");
        assert_eq!(rb.bytes(), &[1; 50][..]);
        assert!(small.is_unique(), "nothing else holds the large chunk");
    }

    #[test]
    fn extend_splits_input_across_chunks_in_order() {
        let mut rb = ReadBuf::default();
        let data: Vec<u8> = (0..3 * READ_CHUNK).map(|i| (i % 251) as u8).collect();
        rb.extend(&data, 0);
        assert_eq!(rb.bytes(), &data[..]);
    }
}
#[cfg(test)]
mod growth_tests {
    use super::*;

    /// A frame much larger than a chunk, read in pieces: the buffer doubles, so growing
    /// copies about the frame's size once, not once per read (pyzmq's 2 GiB
    /// `test_large_send` took minutes when every read re-allocated).
    #[test]
    fn a_large_frame_grows_geometrically() {
        let want = 64 * 1024 * 1024 + 9;
        let mut rb = ReadBuf::default();
        let (mut copied, mut last_ptr) = (0usize, 0usize);
        while rb.len() < want {
            let len_before = rb.len();
            let buf = rb.prepare(want);
            if buf.as_ptr() as usize != last_ptr {
                copied += len_before;
                last_ptr = buf.as_ptr() as usize;
            }
            let n = (buf.capacity() - buf.len())
                .min(256 * 1024)
                .min(want - buf.len());
            buf.resize(buf.len() + n, 7);
        }
        assert!(
            copied <= 2 * want,
            "copied {copied} bytes growing a {want}-byte frame"
        );
    }
}
