//! [`Spares`]: read chunks a connection has moved on from, kept so that the next chunk
//! reuses one instead of asking malloc.
//!
//! Why: a frame larger than [`INLINE_MAX`](crate::msg::INLINE_MAX) is a slice of its read
//! chunk, and the last slice is usually dropped on the application thread. glibc then
//! frees the chunk there, into the I/O thread's arena, and trims the arena (`madvise`)
//! when the chunk is larger than its consolidation threshold (64 KiB), so the next chunk
//! faults every page in again (the profile in docs/PERFORMANCE.md, "Issue 14: read-chunk
//! reuse and large frames"). A retired chunk kept here holds one reference to its
//! allocation, so the application thread's drop only decrements a count; once no frame
//! cut from the chunk is alive the reader takes it back ([`BytesMut::try_reclaim`]), and
//! an allocation that is finally freed is freed by the connection's owner.
//!
//! Bounded: at most [`SPARES`] chunks and [`SPARE_BYTES`] bytes of allocations; a chunk
//! that would exceed them pushes out the oldest, and everything is released with the
//! connection (an allocation a frame still uses lives on in that frame only).

use bytes::BytesMut;

/// Most retired chunks kept per connection.
pub(crate) const SPARES: usize = 4;

/// Most bytes of retired chunks (their whole allocations) kept per connection: three
/// 1 MiB frames' chunks, sixty-four 64 KiB ones (of which [`SPARES`] are kept).
pub(crate) const SPARE_BYTES: usize = 4 * 1024 * 1024;

/// Retired read chunks, oldest first, with the size of each one's allocation.
#[derive(Debug, Default)]
pub(crate) struct Spares {
    chunks: Vec<(BytesMut, usize)>,
    bytes: usize,
}

impl Spares {
    /// Keeps `chunk`, whose allocation holds `cap` bytes and whose unread bytes have
    /// moved elsewhere, pushing out the oldest spares while the bounds would be
    /// exceeded. A chunk larger than [`SPARE_BYTES`] is not kept.
    pub fn retire(&mut self, mut chunk: BytesMut, cap: usize) {
        if cap > SPARE_BYTES {
            return;
        }
        chunk.clear();
        while self.chunks.len() >= SPARES || self.bytes + cap > SPARE_BYTES {
            // Cannot underflow: `bytes` is the sum of the kept chunks' `cap`.
            let (_, old) = self.chunks.remove(0);
            self.bytes -= old;
        }
        self.bytes += cap;
        self.chunks.push((chunk, cap));
    }

    /// An empty chunk of between `min` and `max` bytes no frame uses any more, taken out
    /// of the pool (the oldest such one: frames are consumed in order).
    pub fn take(&mut self, min: usize, max: usize) -> Option<BytesMut> {
        let i = self
            .chunks
            .iter_mut()
            .position(|(chunk, cap)| (min..=max).contains(cap) && chunk.try_reclaim(*cap))?;
        let (chunk, cap) = self.chunks.remove(i);
        self.bytes -= cap;
        Some(chunk)
    }

    /// Lets go of every spare larger than `max` (the frames have become smaller).
    pub fn release_larger_than(&mut self, max: usize) {
        self.chunks.retain(|&(_, cap)| cap <= max);
        self.bytes = self.chunks.iter().map(|&(_, cap)| cap).sum();
    }

    /// Whether no chunk is kept.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// How many chunks are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    /// Bytes of allocations kept.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunk of `cap` bytes with one frame cut from it, as the reader leaves it.
    fn used_chunk(cap: usize) -> (BytesMut, bytes::Bytes) {
        let mut chunk = BytesMut::with_capacity(cap);
        chunk.resize(cap, 1);
        let frame = chunk.split_to(cap / 2).freeze();
        (chunk, frame)
    }

    #[test]
    fn a_chunk_comes_back_once_its_last_frame_is_dropped() {
        let mut spares = Spares::default();
        let (chunk, frame) = used_chunk(1000);
        let base = frame.as_ptr();
        spares.retire(chunk, 1000);
        assert!(spares.take(1000, 1000).is_none(), "a frame still uses it");
        assert_eq!(spares.len(), 1, "kept for later");
        // The frame may be dropped on any thread: only the count changes there.
        std::thread::spawn(move || drop(frame)).join().unwrap();
        let chunk = spares.take(1000, 1000).expect("reclaimed");
        assert_eq!(chunk.as_ptr(), base, "the same allocation, from its start");
        assert_eq!((chunk.len(), chunk.capacity()), (0, 1000));
        assert_eq!((spares.len(), spares.bytes()), (0, 0));
    }

    #[test]
    fn take_skips_chunks_outside_the_size_range() {
        let mut spares = Spares::default();
        spares.retire(BytesMut::with_capacity(100), 100);
        spares.retire(BytesMut::with_capacity(300), 300);
        assert!(spares.take(101, 200).is_none());
        assert_eq!(spares.take(200, 400).map(|c| c.capacity()), Some(300));
        assert_eq!(spares.take(0, 100).map(|c| c.capacity()), Some(100));
    }

    #[test]
    fn the_pool_is_bounded_in_count_and_bytes() {
        let mut spares = Spares::default();
        let mut frames = Vec::new();
        for _ in 0..3 * SPARES {
            let (chunk, frame) = used_chunk(1000);
            frames.push(frame);
            spares.retire(chunk, 1000);
            assert!(spares.len() <= SPARES);
        }
        assert_eq!(spares.len(), SPARES);
        // Pushed-out chunks live on only in their frames.
        assert!(frames[0].is_unique());
        assert!(!frames[3 * SPARES - 1].is_unique());

        let big = SPARE_BYTES / 2 + 1;
        spares.retire(BytesMut::with_capacity(big), big);
        assert_eq!(spares.bytes(), big + (SPARES - 1) * 1000);
        spares.retire(BytesMut::with_capacity(big), big);
        assert_eq!((spares.len(), spares.bytes()), (1, big), "bytes bound");
        spares.retire(BytesMut::new(), SPARE_BYTES + 1);
        assert_eq!(spares.len(), 1, "too large to keep at all");
    }

    #[test]
    fn release_larger_than_lets_big_chunks_go() {
        let mut spares = Spares::default();
        let (chunk, frame) = used_chunk(5000);
        spares.retire(chunk, 5000);
        spares.retire(BytesMut::with_capacity(100), 100);
        spares.release_larger_than(1000);
        assert_eq!((spares.len(), spares.bytes()), (1, 100));
        assert!(frame.is_unique(), "the frame is the last user of its chunk");
    }
}
