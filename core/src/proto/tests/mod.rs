//! [`Connection`](super::connection::Connection) tests on the in-memory two-peer harness
//! of [`util`]: no sockets, no threads, no sleeps (the clock is fake).

mod chunks;
mod connection;
mod heartbeat;
mod security;
mod stream;
pub(crate) mod util;
