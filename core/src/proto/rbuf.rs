//! [`ReadBuf`]: a connection's receive buffer, read into in chunks so that decoded frames
//! can share it instead of being copied out.
//!
//! This is libzmq's `shared_message_memory_allocator` done with `bytes`: the driver reads
//! into the spare room of one chunk (a [`READ_CHUNK`]-sized allocation), and a decoded
//! frame longer than [`INLINE_MAX`](crate::msg::INLINE_MAX) becomes a `Bytes` slice of it —
//! one reference-count increment, no allocation, no copy. When a chunk runs out of room
//! the unread tail (at most one incomplete frame) moves into a fresh chunk, unless every
//! frame cut from the old one is gone already, in which case it is reused in place. A
//! full chunk whose frames are still alive is retired into the connection's [`Spares`],
//! and the next chunk is one of those whose frames are gone, if any: a stream of large
//! frames cycles through a few chunks instead of allocating one per frame on this thread
//! and freeing it on the application thread (which made glibc trim and fault the pages in
//! again for every 64 KiB frame).
//!
//! What a frame can pin: a chunk is at most one read buffer, [`READ_CHUNK`] bytes, except
//! for a frame that does not fit one, which gets a chunk sized to itself (grown as its
//! bytes arrive, never from the declared size alone — until the peer has sent a complete
//! frame at least as large: from then on a frame up to that size declared by its header
//! gets a chunk of exactly its size at once, with no doubling and copying). After such a
//! frame the next chunk is allocated at that frame's size, up to [`LARGE_MAX`] (or is a
//! spare up to the frame's size), so that a stream of large frames reads each into a
//! chunk of its own instead of copying it out of one too small (the peer has already made
//! us hold that much; libzmq reads a large message straight into its own buffer); once a
//! small frame follows, an oversized chunk (and every oversized spare) is let go at the
//! next read, and a spare larger than [`LARGE_MAX`] as soon as a small frame is complete
//! (so that a large frame followed by small ones is released with its last view). An
//! idle connection holds its current chunk (at most [`LARGE_MAX`], or a reused spare)
//! and its spares: at most [`SPARES`](spares::SPARES) chunks of
//! [`SPARE_BYTES`](spares::SPARE_BYTES) bytes in all. A retained frame keeps at most
//! `max(READ_CHUNK, 2 × its own size)` alive ([`ReadBuf::may_share`] copies a frame
//! that would pin more, which only input fed in larger pieces than one read can cause).

mod spares;

use bytes::{Buf, Bytes, BytesMut};

use spares::Spares;

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
    /// Wire size of the largest frame taken so far: a declared size up to this is
    /// trusted for an allocation.
    earned: usize,
    /// Full chunks whose frames may still be alive, for reuse once they are not.
    spares: Spares,
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
    /// received when its header is in (0 otherwise; it has been checked against
    /// MAXMSGSIZE): room grows towards it only as fast as its bytes arrive, never more
    /// than doubling the unread bytes, since a declared size is not trusted for an
    /// allocation — unless the peer has already sent a complete frame at least as large,
    /// in which case the whole frame gets room at once.
    pub fn prepare(&mut self, want: usize) -> &mut BytesMut {
        let len = self.buf.len();
        let spare = self.buf.capacity() - len;
        let missing = want.saturating_sub(len);
        // The largest chunk this read may use: a larger one is let go.
        let fits = READ_CHUNK.max(self.large).max(want);
        // An oversized chunk no frame needs any more: the tail moves to a smaller one.
        let unwanted = self.chunk > fits;
        let need = if unwanted {
            self.spares.release_larger_than(fits);
            missing.min(READ_CHUNK.max(len)).max(READ_CHUNK - MIN_SPARE)
        } else if missing > spare && want <= self.earned {
            // The peer has sent a frame this large before: room for all of it at once.
            missing
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
        // Cannot overflow: `need` is at most `max(READ_CHUNK, len)` or, for a frame no
        // larger than one already received, what is missing of it; `len` counts bytes
        // held in memory.
        let cap = READ_CHUNK.max(len + need).max(self.large.min(LARGE_MAX));
        let mut chunk = self
            .spares
            .take(cap, fits)
            .unwrap_or_else(|| BytesMut::with_capacity(cap));
        chunk.extend_from_slice(&self.buf);
        let old = std::mem::replace(&mut self.buf, chunk);
        // A chunk that would have done, had no frame cut from it been alive, comes back
        // from the spares once they are gone; an outgrown or oversized one is let go.
        if !unwanted && self.chunk >= READ_CHUNK.max(len + need) {
            self.spares.retire(old, self.chunk);
        }
        self.chunk = self.buf.capacity();
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
        self.large = if wire_len > READ_CHUNK { wire_len } else { 0 };
        self.earned = self.earned.max(self.large);
        // Spares beyond what a chunk ahead may be are kept only while large frames
        // follow each other: a large frame is then released with its last view.
        if self.large == 0 && !self.spares.is_empty() {
            self.spares.release_larger_than(LARGE_MAX);
        }
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
mod reuse_tests {
    use super::spares::{SPARES, SPARE_BYTES};
    use super::*;

    /// Reads one whole frame of `wire` bytes the way a driver does (header first, then
    /// as much as each chunk has room for) and cuts it off, as `decode_into` does.
    fn read_frame(rb: &mut ReadBuf, wire: usize, byte: u8) -> Bytes {
        rb.extend(&[byte; 9], 0);
        while rb.len() < wire {
            let buf = rb.prepare(wire);
            let n = (buf.capacity() - buf.len()).min(wire - buf.len());
            buf.resize(buf.len() + n, byte);
        }
        rb.frame_complete(wire);
        rb.advance(9);
        rb.split_to(wire - 9)
    }

    #[test]
    fn a_stream_of_large_frames_cycles_through_the_same_chunks() {
        let wire = READ_CHUNK + 9;
        let mut rb = ReadBuf::default();
        drop(read_frame(&mut rb, wire, 0));
        let mut seen = std::collections::HashSet::new();
        for i in 0..100 {
            // The application holds the newest frame while the next one is read.
            let frame = read_frame(&mut rb, wire, i);
            assert_eq!(frame.len(), READ_CHUNK);
            assert!(frame.iter().all(|&b| b == i), "frame {i} intact");
            seen.insert(frame.as_ptr() as usize);
            drop(frame);
        }
        assert!(seen.len() <= 3, "{} distinct chunks", seen.len());
    }

    #[test]
    fn a_chunk_comes_back_only_after_its_frame_is_dropped() {
        let wire = READ_CHUNK + 9;
        let mut rb = ReadBuf::default();
        drop(read_frame(&mut rb, wire, 0));
        let held = read_frame(&mut rb, wire, 1);
        let next = read_frame(&mut rb, wire, 2);
        assert!(held.iter().all(|&b| b == 1), "not overwritten while held");
        let held_at = held.as_ptr();
        drop(held);
        let after = read_frame(&mut rb, wire, 3);
        assert_eq!(after.as_ptr(), held_at, "reused once dropped");
        assert!(next.iter().all(|&b| b == 2));
    }

    #[test]
    fn frames_the_application_keeps_leave_at_most_the_bounded_spares() {
        let wire = READ_CHUNK + 9;
        let mut rb = ReadBuf::default();
        let kept: Vec<Bytes> = (0..50).map(|i| read_frame(&mut rb, wire, i)).collect();
        assert!(rb.spares.len() <= SPARES);
        assert!(rb.spares.bytes() <= SPARE_BYTES);
        for (i, frame) in kept.iter().enumerate() {
            assert!(frame.iter().all(|&b| b == i as u8), "frame {i} intact");
        }
        // Chunks pushed out of the pool are owned by their frames alone.
        assert!(kept[0].is_unique());
        drop(kept);
        drop(rb);
    }

    #[test]
    fn a_frame_no_larger_than_one_received_gets_its_whole_chunk_at_once() {
        let wire = 1024 * 1024 + 9;
        let mut rb = ReadBuf::default();
        // The first one grows as its bytes arrive: the declared size is not trusted.
        rb.extend(&[0; 9], 0);
        assert!(rb.prepare(wire).capacity() < wire);
        while rb.len() < wire {
            let buf = rb.prepare(wire);
            let n = (buf.capacity() - buf.len()).min(wire - buf.len());
            buf.resize(buf.len() + n, 0);
        }
        rb.frame_complete(wire);
        let first = rb.split_to(wire);
        // The next one, its header read into the chunk ahead while the first is held:
        rb.extend(&[1; 9], 0);
        let buf = rb.prepare(wire);
        assert_eq!(buf.capacity(), wire, "exactly the frame, at once");
        let at = buf.as_ptr();
        buf.resize(wire, 1);
        rb.frame_complete(wire);
        let second = rb.split_to(wire);
        assert_eq!(second.as_ptr(), at, "read in place, never copied");
        let first_at = first.as_ptr();
        drop(first);
        // The first frame's chunk is reused for the third frame, header and all.
        rb.extend(&[2; 9], 0);
        assert_eq!(rb.bytes().as_ptr(), first_at);
        assert_eq!(rb.prepare(wire).capacity(), wire);
        drop(second);
        // A frame larger than any received is not trusted either.
        rb.advance(9);
        rb.frame_complete(9);
        let bigger = 2 * wire;
        rb.extend(&[3; 9], 0);
        assert!(rb.prepare(bigger).capacity() < bigger - 9);
    }

    #[test]
    fn small_frames_after_large_ones_let_the_large_spares_go() {
        let wire = 1024 * 1024 + 9;
        let mut rb = ReadBuf::default();
        let frames: Vec<Bytes> = (0..3).map(|i| read_frame(&mut rb, wire, i)).collect();
        assert!(!rb.spares.is_empty());
        rb.extend(&[4; 200], 0);
        rb.frame_complete(100);
        rb.advance(100);
        rb.prepare(0);
        assert_eq!(rb.spares.len(), 0, "oversized spares released");
        assert!(rb.chunk <= READ_CHUNK);
        assert!(frames.iter().all(|f| f.is_unique()));
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
