//! The module's global allocator: mimalloc, for the allocations of the Rust side (message
//! bodies, queues, read buffers); Python objects stay with Python's allocator.
//!
//! A body copied from a `bytes` on the Python thread is freed on an I/O thread once
//! written, and a received one the other way round. glibc's malloc serves that pattern
//! from its arenas under a lock; mimalloc frees another thread's block with one atomic
//! push (the same choice and figures as libferromq's, `bindings-c/src/allocator.rs`).
//! The extension is loaded with `dlopen`, hence mimalloc's `local_dynamic_tls` model.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
