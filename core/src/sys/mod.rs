//! Every `unsafe` system call of the crate, behind safe wrappers, one file per domain.
//!
//! The rest of the crate is compiled with `#![deny(unsafe_code)]`; only this module may
//! call into libc directly, so the syscalls that take raw pointers can be reviewed in one
//! place. Each `unsafe` block carries a `// SAFETY:` comment that says why its pointers and
//! descriptors are valid for the call.
//!
//! - [`fd`]: reading and writing descriptors (stream sockets, eventfds) and `poll(2)`.
//! - [`process`]: credentials, users and groups, memory, signal masks, temporary dirs.
//! - [`thread`]: scheduling policy, priority and CPU affinity of the calling thread.
//! - [`net`]: interface addresses and adopting a socket descriptor (`USE_FD`).
//! - `allocator` (feature `mimalloc`): the bindings' global allocator, [`crate::Allocator`].

#[cfg(feature = "mimalloc")]
pub(crate) mod allocator;
pub(crate) mod fd;
pub(crate) mod net;
pub(crate) mod process;
pub(crate) mod thread;
