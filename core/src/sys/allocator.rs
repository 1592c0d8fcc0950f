//! [`Allocator`]: the global allocator of libferromq, the Python module and the benchmark
//! programs (cargo feature `mimalloc`): mimalloc for blocks under 64 KiB, the system
//! allocator for larger ones, with the caller's errno left as it found it.
//!
//! Why mimalloc: a message body is allocated on one thread and freed on another (the
//! application thread and an I/O thread). glibc's malloc serves that from its arenas
//! under a lock once the per-thread cache runs dry (~17 % of a 64 B C sender's time);
//! mimalloc frees a block of another thread with one atomic push onto its page. The
//! `local_dynamic_tls` model is the one mimalloc asks for in a library loaded with
//! `dlopen` (Python extension modules, the `libzmq.so.5` drop-in under a plug-in).
//!
//! Why not for large blocks: with mimalloc's 64 KiB and 1 MiB bodies, the kernel's copy
//! of a reply from the body just received (`_copy_from_iter` in `sendmsg`) took several
//! times longer, and one-way latency at 1 MiB rose from ~0.28 ms to ~0.7-0.9 ms (tcp,
//! `local_lat`/`remote_lat`), against ~0.2 ms for libzmq. Not diagnosed further
//! (`docs/PERFORMANCE.md`, "the global allocator"); glibc keeps that latency, at the
//! price of mimalloc's gain in large-message throughput.
//!
//! Transparent huge pages: built with mimalloc's `no_thp` (`MI_NO_THP`), mimalloc does
//! not ask for them (`madvise(MADV_HUGEPAGE)` on its arenas). With it, where the system
//! leaves THP to `madvise` (Debian's default), an idle socket with 1,000 peers took
//! 107 MiB of RSS instead of 25, and a stalled consumer grew 2 MiB at a time. (mimalloc's
//! run-time switch, `allow_thp=0`, would turn THP off for the whole process instead.)
//!
//! errno: mimalloc names each mapping it takes from the OS with
//! `prctl(PR_SET_VMA_ANON_NAME)`, which fails with EINVAL on kernels built without
//! `CONFIG_ANON_VMA_NAME` and leaves errno changed by a call that succeeded. glibc's
//! malloc leaves it alone on success, and C callers read `zmq_errno()` after calls that
//! succeeded (libzmq's `test_base85` does).

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// Blocks of this size and more come from the system allocator.
const LARGE: usize = 64 * 1024;

/// The global allocator the crate's bindings are built with (feature `mimalloc`).
///
/// ```ignore
/// #[global_allocator]
/// static ALLOCATOR: ferromq::Allocator = ferromq::Allocator;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Allocator;

fn large(layout: &Layout) -> bool {
    layout.size() >= LARGE
}

/// Runs `op` and restores the calling thread's errno if `op` changed it.
fn keep_errno<T>(op: impl FnOnce() -> T) -> T {
    // SAFETY: __errno_location returns a valid pointer to the calling thread's errno,
    // which lives as long as the thread.
    let errno = unsafe { libc::__errno_location() };
    // SAFETY: as above.
    let saved = unsafe { *errno };
    let result = op();
    // SAFETY: as above; the same thread, so the same location.
    unsafe {
        if *errno != saved {
            *errno = saved;
        }
    }
    result
}

// SAFETY: a block is always served and returned by the same allocator: which one is
// decided by its layout's size, the same at allocation and deallocation; `realloc`
// across the boundary allocates anew, copies and frees. Each call forwards the caller's
// contract unchanged.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if large(&layout) {
            // SAFETY: the caller's contract for `alloc`, passed on.
            return keep_errno(|| unsafe { System.alloc(layout) });
        }
        // SAFETY: the caller's contract for `alloc`, passed on.
        keep_errno(|| unsafe { MiMalloc.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if large(&layout) {
            // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
            return keep_errno(|| unsafe { System.alloc_zeroed(layout) });
        }
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        keep_errno(|| unsafe { MiMalloc.alloc_zeroed(layout) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if large(&layout) {
            // SAFETY: `ptr` came from `System` (its size says so) with `layout`.
            return keep_errno(|| unsafe { System.dealloc(ptr, layout) });
        }
        // SAFETY: `ptr` came from mimalloc (its size says so) with `layout`.
        keep_errno(|| unsafe { MiMalloc.dealloc(ptr, layout) })
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        match (large(&layout), large(&new)) {
            (true, true) => {
                // SAFETY: `ptr` came from `System` with `layout`; the caller's contract
                // for `realloc`, passed on.
                keep_errno(|| unsafe { System.realloc(ptr, layout, new_size) })
            }
            (false, false) => {
                // SAFETY: `ptr` came from mimalloc with `layout`; the caller's contract
                // for `realloc`, passed on.
                keep_errno(|| unsafe { MiMalloc.realloc(ptr, layout, new_size) })
            }
            _ => {
                // SAFETY: `new` has a non-zero size (one of the two is at least LARGE,
                // and a shrink to below it is still a valid layout of the same align).
                let moved = unsafe { self.alloc(new) };
                if !moved.is_null() {
                    // SAFETY: both blocks are valid for the smaller of the two sizes and
                    // distinct; `ptr` is freed with the layout it was allocated with.
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errno() -> i32 {
        std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
    }

    fn set_errno(value: i32) {
        // SAFETY: __errno_location returns a valid pointer to the calling thread's errno.
        unsafe { *libc::__errno_location() = value };
    }

    // End to end, libzmq's test_base85 (tests/libzmq-suite) checks errno after a
    // zmq_z85_encode that is libferromq's first allocation, when mimalloc maps memory.
    #[test]
    fn an_operation_that_changes_errno_leaves_it_as_it_was() {
        set_errno(0);
        let value = keep_errno(|| {
            set_errno(libc::EINVAL);
            7
        });
        assert_eq!((value, errno()), (7, 0));
    }

    #[test]
    fn a_block_keeps_its_bytes_when_it_grows_or_shrinks_across_the_boundary() {
        let small = Layout::from_size_align(1000, 8).expect("layout");
        // SAFETY: a valid non-zero layout; every block is freed with its own layout.
        unsafe {
            let p = Allocator.alloc(small);
            assert!(!p.is_null());
            for i in 0..1000 {
                *p.add(i) = (i % 251) as u8;
            }
            let big = Allocator.realloc(p, small, 3 * LARGE);
            assert!(!big.is_null());
            let grown = Layout::from_size_align(3 * LARGE, 8).expect("layout");
            assert!((0..1000).all(|i| *big.add(i) == (i % 251) as u8));
            let back = Allocator.realloc(big, grown, 500);
            assert!(!back.is_null());
            assert!((0..500).all(|i| *back.add(i) == (i % 251) as u8));
            Allocator.dealloc(back, Layout::from_size_align(500, 8).expect("layout"));
        }
    }
}
