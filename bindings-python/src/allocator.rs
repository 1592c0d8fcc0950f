//! The module's global allocator: [`ferromq::Allocator`] (mimalloc for blocks under
//! 64 KiB, the system allocator for larger ones), for the allocations of the Rust side
//! (message bodies, queues, read buffers); Python objects stay with Python's allocator.
//! A body copied from a `bytes` on the Python thread is freed on an I/O thread once
//! written, and a received one the other way round: see its documentation for why.

#[global_allocator]
static ALLOCATOR: ferromq::Allocator = ferromq::Allocator;
