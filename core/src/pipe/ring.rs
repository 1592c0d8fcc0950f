//! [`Ring`]: the lock-free message path of a [`super::Queue`], an unbounded
//! single-producer/single-consumer list of frames in fixed-size chunks, as libzmq's
//! `yqueue_t`/`ypipe_t`.
//!
//! The writer fills slots with plain stores and makes a whole batch visible with one
//! store of the published count; the reader loads that count once and moves every
//! published frame out. Neither side waits for the other: the only memory both touch per
//! message is the slot and the count. A chunk the reader has left is kept as a spare for
//! the writer's next chunk, so a steady stream allocates nothing.
//!
//! Each side is a [`Writer`] or [`Reader`] guard taken from the ring. The guards hold a
//! mutex of their side only (never the other side's), so a second writer waits for the
//! first instead of racing it: the mutex is uncontended in a pipe, where one thread
//! writes and one reads, and its cache line never leaves the writer's (reader's) core.
//!
//! ```text
//! let ring = Ring::new();
//! let mut w = ring.writer();
//! w.push(Msg::from("a"));
//! w.push(Msg::from("b"));
//! w.publish(); // both frames become visible at once
//! drop(w);
//! let mut got = VecDeque::new();
//! assert_eq!(ring.reader().take_all(&mut got), 2);
//! ```

use super::sync::{AtomicPtr, AtomicUsize, Mutex, MutexGuard, Padded, UnsafeCell};
use crate::msg::Msg;
use std::collections::VecDeque;
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::atomic::Ordering;

/// Frames per chunk: small under loom, so that its models cross chunk boundaries.
const CHUNK: usize = if cfg!(loom) { 2 } else { 256 };

struct Chunk {
    slots: [UnsafeCell<MaybeUninit<Msg>>; CHUNK],
    /// The chunk after this one, set by the writer before it publishes a frame there.
    next: AtomicPtr<Chunk>,
}

impl Chunk {
    fn alloc() -> *mut Chunk {
        Box::into_raw(Box::new(Chunk {
            slots: std::array::from_fn(|_| UnsafeCell::new(MaybeUninit::uninit())),
            next: AtomicPtr::new(ptr::null_mut()),
        }))
    }
}

/// Where one side stands: a chunk, the slot in it, and the frames it went past in all.
struct End {
    chunk: *mut Chunk,
    pos: usize,
    count: usize,
}

// SAFETY: the chunk pointer is owned by the ring, which is shared between threads by
// design (every access to a slot is ordered by the published count, see `Ring`); the
// end itself is only used under its side's mutex.
unsafe impl Send for End {}

/// An unbounded SPSC queue of frames (see the module documentation).
pub(super) struct Ring {
    writer: Padded<Mutex<End>>,
    reader: Padded<Mutex<End>>,
    /// Frames the writer made visible (written by the writer, read by the reader).
    published: Padded<AtomicUsize>,
    /// Frames the reader moved out (written by the reader, read by anyone).
    taken: Padded<AtomicUsize>,
    /// A chunk the reader left, for the writer to reuse (null: none).
    spare: AtomicPtr<Chunk>,
}

impl std::fmt::Debug for Ring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ring")
            .field("published", &self.published.load(Ordering::Relaxed))
            .field("taken", &self.taken.load(Ordering::Relaxed))
            .finish()
    }
}

impl Ring {
    /// An empty ring.
    pub(super) fn new() -> Ring {
        let first = Chunk::alloc();
        let end = || End {
            chunk: first,
            pos: 0,
            count: 0,
        };
        Ring {
            writer: Padded(Mutex::new(end())),
            reader: Padded(Mutex::new(end())),
            published: Padded(AtomicUsize::new(0)),
            taken: Padded(AtomicUsize::new(0)),
            spare: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The writing side (waits for another writer, never for the reader).
    pub(super) fn writer(&self) -> Writer<'_> {
        Writer {
            ring: self,
            end: self.writer.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// The reading side (waits for another reader, never for the writer).
    pub(super) fn reader(&self) -> Reader<'_> {
        Reader {
            ring: self,
            end: self.reader.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Whether every published frame has been taken (from any thread).
    pub(super) fn is_empty(&self) -> bool {
        self.published.load(Ordering::Acquire) == self.taken.load(Ordering::Acquire)
    }
}

/// The writing side of a [`Ring`], held while one thread writes.
pub(super) struct Writer<'a> {
    ring: &'a Ring,
    end: MutexGuard<'a, End>,
}

impl Writer<'_> {
    /// Whether the reader has taken every frame published so far.
    pub(super) fn reader_caught_up(&self) -> bool {
        self.ring.is_empty()
    }

    /// Appends a frame, invisible to the reader until [`Writer::publish`].
    // Inline: called out of line, the frame goes through a stack temporary stored and
    // reloaded at other widths, a store-forwarding stall per message (issue 14).
    #[inline]
    pub(super) fn push(&mut self, msg: Msg) {
        let pos = self.claim_slot();
        // SAFETY: slot `pos` of the writer's chunk is past the published count, so the
        // reader does not touch it; the writer's mutex keeps other writers out.
        unsafe {
            (*self.end.chunk).slots[pos].with_mut(|slot| (*slot).write(msg));
        }
        self.end.pos += 1;
        self.end.count += 1;
    }

    /// [`Writer::push`] of the frame in `from`, which is left empty. The frame is copied
    /// as 48 plain bytes: moved as a typed value it is split into its fields and copied
    /// at odd offsets and widths, and reloading what was just stored at other widths
    /// stalls store-to-load forwarding, once per message (issue 14).
    #[inline]
    pub(super) fn push_from(&mut self, from: &mut Msg) {
        let pos = self.claim_slot();
        // SAFETY: as in `push`, slot `pos` is this writer's alone. The frame's bytes are
        // moved into it, then `from` is overwritten without being dropped: ownership of
        // whatever the frame holds passed to the slot, and the empty frame written back
        // owns nothing.
        unsafe {
            (*self.end.chunk).slots[pos].with_mut(|slot| {
                ptr::copy_nonoverlapping(from as *const Msg, (*slot).as_mut_ptr(), 1);
                ptr::write(from, Msg::new());
            });
        }
        self.end.pos += 1;
        self.end.count += 1;
    }

    /// The next slot to write, after linking a new chunk when the current one is full.
    #[inline]
    fn claim_slot(&mut self) -> usize {
        if self.end.pos == CHUNK {
            let spare = self.ring.spare.swap(ptr::null_mut(), Ordering::Acquire);
            let next = if spare.is_null() {
                Chunk::alloc()
            } else {
                // SAFETY: the reader gave the spare up with the swap that put it there
                // (Release, paired with the Acquire above) and no longer refers to it.
                unsafe { (*spare).next.store(ptr::null_mut(), Ordering::Relaxed) };
                spare
            };
            // SAFETY: the writer's chunk is live: the reader frees a chunk only after
            // moving past it, which it does only to read a frame published after this
            // link (the Release publish orders the link before that frame).
            unsafe { (*self.end.chunk).next.store(next, Ordering::Release) };
            self.end.chunk = next;
            self.end.pos = 0;
        }
        self.end.pos
    }

    /// Makes every pushed frame visible to the reader at once (Release: the frames and
    /// the chunk links written before it come with it).
    pub(super) fn publish(&mut self) {
        self.ring.published.store(self.end.count, Ordering::Release);
    }
}

/// The reading side of a [`Ring`], held while one thread reads.
pub(super) struct Reader<'a> {
    ring: &'a Ring,
    end: MutexGuard<'a, End>,
}

impl Reader<'_> {
    /// Moves every published frame to the back of `into`; returns how many.
    pub(super) fn take_all(&mut self, into: &mut VecDeque<Msg>) -> usize {
        self.take_messages(into, usize::MAX)
    }

    /// Moves published frames to the back of `into`, whole messages only, until at least
    /// `max` frames were moved or none is left; returns how many. The writer publishes
    /// whole messages, so a message begun here always ends within what is published.
    pub(super) fn take_messages(&mut self, into: &mut VecDeque<Msg>, max: usize) -> usize {
        let published = self.ring.published.load(Ordering::Acquire);
        let available = published.wrapping_sub(self.end.count);
        let mut n = 0;
        let mut mid_message = false;
        while n < available && (n < max || mid_message) {
            if self.end.pos == CHUNK {
                // SAFETY: a frame beyond this chunk is published, so the writer linked
                // the next chunk before publishing it (Release store, read above).
                let next = unsafe { (*self.end.chunk).next.load(Ordering::Acquire) };
                let done = std::mem::replace(&mut self.end.chunk, next);
                self.end.pos = 0;
                self.recycle(done);
            }
            let pos = self.end.pos;
            // SAFETY: slot `pos` holds a frame the writer wrote and published (the
            // count read above covers it) and nobody else reads: it is moved out once.
            let msg =
                unsafe { (*self.end.chunk).slots[pos].with(|slot| ptr::read(slot).assume_init()) };
            mid_message = msg.more();
            into.push_back(msg);
            self.end.pos += 1;
            n += 1;
        }
        self.end.count += n;
        self.ring.taken.store(self.end.count, Ordering::Release);
        n
    }

    /// Keeps a chunk the reader is done with as the spare, freeing the previous spare.
    fn recycle(&self, done: *mut Chunk) {
        let old = self.ring.spare.swap(done, Ordering::AcqRel);
        if !old.is_null() {
            // SAFETY: a spare is referenced by nobody: the writer takes it out with a
            // swap before using it, and this swap took it out of the slot.
            drop(unsafe { Box::from_raw(old) });
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        let written = self
            .writer
            .get_mut()
            .map_or_else(|e| e.into_inner().count, |w| w.count);
        let reader = self.reader.get_mut().unwrap_or_else(|e| e.into_inner());
        let (mut chunk, mut pos) = (reader.chunk, reader.pos);
        for _ in reader.count..written {
            if pos == CHUNK {
                // SAFETY: `&mut self`: no other thread uses the ring; the chunks from
                // the reader's on are live and linked up to the writer's.
                chunk = unsafe { (*chunk).next.load(Ordering::Acquire) };
                pos = 0;
            }
            // SAFETY: written and not taken: an initialised frame, dropped once.
            unsafe { (*chunk).slots[pos].with_mut(|slot| (*slot).assume_init_drop()) };
            pos += 1;
        }
        let mut chunk = reader.chunk;
        while !chunk.is_null() {
            // SAFETY: the chunks from the reader's on are owned by the ring alone now,
            // and each is freed once (the last one's `next` is null).
            let boxed = unsafe { Box::from_raw(chunk) };
            chunk = boxed.next.load(Ordering::Acquire);
        }
        let spare = self.spare.swap(ptr::null_mut(), Ordering::Acquire);
        if !spare.is_null() {
            // SAFETY: the spare is not linked from any chunk and referenced by nobody.
            drop(unsafe { Box::from_raw(spare) });
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn texts(q: &VecDeque<Msg>) -> Vec<String> {
        q.iter()
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .collect()
    }

    #[test]
    fn frames_appear_only_when_published_and_in_order_across_chunks() {
        let ring = Ring::new();
        let n = CHUNK * 2 + 3;
        let mut w = ring.writer();
        for i in 0..n {
            w.push(Msg::from(i.to_string()));
        }
        let mut got = VecDeque::new();
        assert_eq!(ring.reader().take_all(&mut got), 0, "nothing published yet");
        w.publish();
        drop(w);
        assert_eq!(ring.reader().take_all(&mut got), n);
        let want: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        assert_eq!(texts(&got), want);
        assert!(ring.is_empty());
    }

    #[test]
    fn a_bounded_take_moves_whole_messages_and_leaves_the_rest_in_order() {
        let ring = Ring::new();
        let mut w = ring.writer();
        // Single frames 0..CHUNK, then a three-frame message across the bound, then more.
        for i in 0..CHUNK {
            w.push(Msg::from(i.to_string()));
        }
        for (part, more) in [("p1", true), ("p2", true), ("p3", false)] {
            let mut m = Msg::from(part);
            m.set_more(more);
            w.push(m);
        }
        w.push(Msg::from("last"));
        w.publish();
        drop(w);
        let mut got = VecDeque::new();
        assert_eq!(
            ring.reader().take_messages(&mut got, 3),
            3,
            "three single frames"
        );
        assert_eq!(texts(&got), ["0", "1", "2"]);
        got.clear();
        // The bound falls inside the multipart message: it is taken whole.
        assert_eq!(ring.reader().take_messages(&mut got, CHUNK - 2), CHUNK);
        let tail = &texts(&got)[CHUNK - 4..];
        assert_eq!(
            tail,
            [
                (CHUNK - 1).to_string(),
                "p1".into(),
                "p2".into(),
                "p3".into()
            ]
        );
        assert!(!got.back().unwrap().more());
        assert!(!ring.is_empty(), "one message left");
        got.clear();
        assert_eq!(ring.reader().take_messages(&mut got, 100), 1);
        assert_eq!(texts(&got), ["last"]);
        assert!(ring.is_empty());
        assert_eq!(ring.reader().take_messages(&mut got, 100), 0);
    }

    #[test]
    fn dropping_a_ring_drops_the_frames_it_still_holds() {
        let shared = bytes::Bytes::from(vec![7u8; 1000]);
        let ring = Ring::new();
        let mut w = ring.writer();
        for _ in 0..CHUNK + 5 {
            w.push(Msg::from(shared.clone()));
        }
        w.publish();
        drop(w);
        let mut got = VecDeque::new();
        ring.reader().take_all(&mut got);
        let mut w = ring.writer();
        for _ in 0..CHUNK * 3 {
            w.push(Msg::from(shared.clone()));
        }
        drop(w); // pushed, never published: still the ring's to drop
        drop(got);
        drop(ring);
        assert!(shared.is_unique(), "every clone was dropped");
    }

    #[test]
    fn a_steady_stream_reuses_the_spare_chunk() {
        let ring = Ring::new();
        let mut got = VecDeque::new();
        for round in 0..4 {
            let mut w = ring.writer();
            for i in 0..CHUNK {
                w.push(Msg::from(format!("{round}-{i}")));
            }
            w.publish();
            drop(w);
            got.clear();
            assert_eq!(ring.reader().take_all(&mut got), CHUNK);
            assert_eq!(texts(&got)[CHUNK - 1], format!("{round}-{}", CHUNK - 1));
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::Arc;

    #[test]
    fn the_reader_sees_whole_batches_in_order() {
        loom::model(|| {
            let ring = Arc::new(Ring::new());
            let w = Arc::clone(&ring);
            let t = loom::thread::spawn(move || {
                let mut g = w.writer();
                g.push(Msg::from("a"));
                g.push(Msg::from("b"));
                g.publish();
                g.push(Msg::from("c"));
                g.publish();
            });
            let mut got = VecDeque::new();
            let n = ring.reader().take_all(&mut got);
            assert!(n == 0 || n == 2 || n == 3, "batches stay whole: {n}");
            t.join().unwrap();
            ring.reader().take_all(&mut got);
            let texts: Vec<&[u8]> = got.iter().map(|m| &m[..]).collect();
            assert_eq!(texts, [&b"a"[..], b"b", b"c"]);
        });
    }
}
