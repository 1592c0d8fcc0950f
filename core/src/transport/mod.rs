//! Transports: endpoint parsing and the set-up of each kind of OS socket.

pub(crate) mod endpoint;
pub(crate) mod ipc;
pub(crate) mod tcp;

pub(crate) use endpoint::Endpoint;
