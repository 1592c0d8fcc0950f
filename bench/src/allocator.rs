//! Every Rust benchmark program allocates with mimalloc, the allocator libferromq and the
//! Python module are built with (`bindings-c/src/allocator.rs`): the "C / Rust" columns
//! of `bench/run_c.sh` then compare the C ABI with the core, not two allocators.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
