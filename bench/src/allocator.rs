//! Every Rust benchmark program allocates with [`ferromq::Allocator`], the allocator
//! libferromq and the Python module are built with: the "C / Rust" columns of
//! `bench/run_c.sh` then compare the C ABI with the core, not two allocators.

#[global_allocator]
static ALLOCATOR: ferromq::Allocator = ferromq::Allocator;
