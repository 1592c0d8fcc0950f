//! The library's global allocator: mimalloc, for every allocation libferromq makes (the
//! C program's own `malloc` is untouched).
//!
//! Why: a message body is allocated on the application thread (`zmq_msg_init_size`,
//! `zmq_send`'s copy) and freed on an I/O thread once written, or the other way round
//! on receive. glibc's malloc serves that pattern from its arenas under a lock once the
//! per-thread cache runs dry (~17 % of a 64 B sender's time), and it maps a large body
//! afresh each time (a 1 MiB ipc sender: ~256 page faults per message, ~3 with
//! mimalloc). mimalloc frees a block of another thread with one atomic push onto its
//! page and keeps freed pages for reuse. `docs/PERFORMANCE.md` ("the global allocator")
//! has the figures.
//!
//! The `local_dynamic_tls` model is the one mimalloc asks for in a library loaded with
//! `dlopen` (Python extension modules, the `libzmq.so.5` drop-in under a plug-in): the
//! default initial-exec model needs static TLS space such a process may not have.
//!
//! Built without the `mimalloc` feature (`tests/c/run.sh --asan` does), the library uses
//! the system allocator, so that AddressSanitizer and LeakSanitizer see its allocations.

//!
//! mimalloc may leave `errno` changed by a call that succeeds (the libzmq suite's
//! `test_base85` saw `zmq_z85_encode` succeed with errno EINVAL: a system call inside
//! mimalloc had failed harmlessly). glibc's malloc leaves it alone on success, and C
//! callers read `zmq_errno()` after calls that succeeded, so every call through
//! [`ErrnoPreserving`] puts errno back as it found it.

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc;

#[global_allocator]
static ALLOCATOR: ErrnoPreserving = ErrnoPreserving;

/// mimalloc, with the caller's errno left as it was.
struct ErrnoPreserving;

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

// SAFETY: every method forwards to mimalloc's with the same arguments; keep_errno only
// saves and restores errno around the call.
unsafe impl GlobalAlloc for ErrnoPreserving {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        keep_errno(|| unsafe { MiMalloc.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        keep_errno(|| unsafe { MiMalloc.alloc_zeroed(layout) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator (so from mimalloc) with `layout`.
        keep_errno(|| unsafe { MiMalloc.dealloc(ptr, layout) })
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; the caller's contract
        // for `realloc`, passed on.
        keep_errno(|| unsafe { MiMalloc.realloc(ptr, layout, new_size) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::{set_errno, zmq_errno};

    #[test]
    fn an_operation_that_changes_errno_leaves_it_as_it_was() {
        set_errno(0);
        let value = keep_errno(|| {
            set_errno(libc::EINVAL);
            7
        });
        assert_eq!((value, zmq_errno()), (7, 0));
    }

    #[test]
    fn allocating_and_freeing_leave_errno_alone() {
        // Blocks this large (address space only, never touched) are beyond mimalloc's
        // reserved arena, so it maps them from the OS and names the mapping with
        // prctl(PR_SET_VMA_ANON_NAME), which fails with EINVAL on kernels built without
        // CONFIG_ANON_VMA_NAME (this project's CI machines among them).
        set_errno(libc::EAGAIN);
        let blocks: Vec<Vec<u8>> = (0..2).map(|_| Vec::with_capacity(2 << 30)).collect();
        drop(blocks);
        assert_eq!(zmq_errno(), libc::EAGAIN);
    }
}
