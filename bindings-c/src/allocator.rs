//! The library's global allocator: [`ferromq_core::Allocator`], mimalloc for blocks under
//! 64 KiB and the system allocator for larger ones, with errno left as it was (the C
//! program's own `malloc` is untouched). Its documentation says why; the figures are in
//! `docs/PERFORMANCE.md` ("the global allocator").
//!
//! Built without the `mimalloc` feature (`tests/c/run.sh --asan` does), the library uses
//! the system allocator alone, so that AddressSanitizer and LeakSanitizer see its
//! allocations.

#[global_allocator]
static ALLOCATOR: ferromq_core::Allocator = ferromq_core::Allocator;
