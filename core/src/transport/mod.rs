//! Transports: endpoint parsing and the set-up of each kind of OS socket.

pub(crate) mod endpoint;
pub(crate) mod tcp;
pub(crate) mod tuning;

pub(crate) use endpoint::Endpoint;
