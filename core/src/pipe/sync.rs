//! The synchronisation types of the pipe's queues: std's, or loom's when the crate is
//! built with `--cfg loom` for the model checks of [`super::ring`] and [`super::queue`]
//! (`RUSTFLAGS="--cfg loom" cargo test -p ferromq --lib --release pipe::`).
//!
//! [`UnsafeCell`] has loom's closure API in both builds, so the code that reads and
//! writes the ring's slots is the same code loom checks.

#[cfg(loom)]
pub(super) use loom::cell::UnsafeCell;
#[cfg(loom)]
pub(super) use loom::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicUsize};
#[cfg(loom)]
pub(super) use loom::sync::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(super) use std::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicUsize};
#[cfg(not(loom))]
pub(super) use std::sync::{Mutex, MutexGuard};

/// `std::cell::UnsafeCell` with loom's access API.
#[cfg(not(loom))]
#[derive(Debug)]
pub(super) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(super) const fn new(value: T) -> UnsafeCell<T> {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// Runs `f` with a pointer for reading the value.
    pub(super) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Runs `f` with a pointer for writing the value.
    pub(super) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// A value on a cache line of its own, so that what one side writes often does not
/// slow the other side's reads of its neighbours (false sharing).
#[derive(Debug, Default)]
#[repr(align(64))]
pub(super) struct Padded<T>(pub(super) T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Padded<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}
