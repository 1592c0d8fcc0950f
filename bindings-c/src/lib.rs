//! # ferromq-c
//!
//! The C ABI of ferromq: `libferromq.so` / `libferromq.a` and `include/zmq.h`, a
//! source-compatible subset of libzmq 4.3's `zmq.h`. Programs written for libzmq compile
//! against the header and link `-lferromq` unchanged; binaries already linked against
//! `libzmq.so.5` run on it through the `ferromq-compat` directory of the install tree.
//!
//! Every exported function catches panics (nothing unwinds into C) and reports errors
//! the way libzmq does: -1 (or NULL) with the C `errno` set to libzmq's number for the
//! error on Linux, also returned by [`zmq_errno`].
//!
//! ## Layout
//! - [`constants`]: the `#define`s of `zmq.h`.
//! - `errno`: error reporting, `zmq_errno`, `zmq_strerror`; `ffi`: the panic guard every
//!   export runs in and the conversions of C arguments.
//! - `ctx`, `socket`, `options`, `msg`, `poll`, `proxy`, `monitor`: the API over
//!   `ferromq` handles.
//! - `iov` (`zmq_sendiov`/`zmq_recviov`), `timers` (`zmq_timers_*`, sans-IO schedule),
//!   `thread` (`zmq_threadstart`/`close`).
//! - `curve` (`zmq_curve_keypair`/`zmq_curve_public`), [`z85`] (`zmq_z85_*` over the
//!   core's codec), `atomic`, `stopwatch`, `version` (`zmq_version`, `zmq_has`,
//!   `zmq_sleep`).
//! - `allocator`: mimalloc as the library's global allocator (feature `mimalloc`, on by
//!   default).

#![allow(non_camel_case_types)]

#[cfg(feature = "mimalloc")]
mod allocator;
pub mod constants;
mod errno;
pub use errno::{zmq_errno, zmq_strerror};
mod atomic;
mod ctx;
mod curve;
mod ffi;
mod iov;
mod monitor;
mod msg;
mod options;
mod poll;
mod properties;
mod proxy;
mod socket;
mod stopwatch;
mod thread;
mod timers;
mod version;
pub mod z85;

pub use atomic::*;
pub use ctx::*;
pub use curve::*;
pub use iov::*;
pub use monitor::*;
pub use msg::*;
pub use options::*;
pub use poll::*;
pub use proxy::*;
pub use socket::*;
pub use stopwatch::*;
pub use thread::*;
pub use timers::*;
pub use version::*;

#[cfg(test)]
mod header {
    use std::path::Path;

    /// Generates `include/zmq.h` from the sources; with `FERROMQ_BLESS=1` writes it.
    #[test]
    fn committed_header_is_fresh() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("config");
        let mut fresh = Vec::new();
        cbindgen::Builder::new()
            .with_crate(dir)
            .with_config(config)
            .generate()
            .expect("cbindgen")
            .write(&mut fresh);
        let path = dir.join("include/zmq.h");
        if std::env::var_os("FERROMQ_BLESS").is_some() {
            std::fs::write(&path, &fresh).expect("write header");
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "include/zmq.h is stale: run `make -C bindings-c header`"
        );
    }
}
