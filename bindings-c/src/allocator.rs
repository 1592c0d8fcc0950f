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

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
