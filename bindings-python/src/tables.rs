//! The core's constant tables for the Python package: the option table, the socket types,
//! the errno values and the monitor events. `ferromq.socket` reads the option kinds from
//! here, and the tests check `ferromq.constants` against these tables.

use ferromq::sockopt::{self, OptionType};
use ferromq::{monitor, Error, SocketType};
use pyo3::prelude::*;

/// One option-table row: (C name, number, "int" / "int64" / "bytes", readable, writable,
/// DRAFT in libzmq).
type OptionRow = (&'static str, i32, &'static str, bool, bool, bool);

/// Every option of the core's option table.
#[pyfunction]
pub(crate) fn option_table() -> Vec<OptionRow> {
    sockopt::TABLE
        .iter()
        .map(|o| {
            let ty = match o.kind.option_type() {
                OptionType::Int => "int",
                OptionType::Int64 => "int64",
                OptionType::Bytes => "bytes",
            };
            (o.name, o.number, ty, o.readable, o.writable, o.draft)
        })
        .collect()
}

/// Every socket type: (name, number).
#[pyfunction]
pub(crate) fn socket_types() -> Vec<(&'static str, i32)> {
    SocketType::ALL
        .iter()
        .map(|&t| (t.name(), t as i32))
        .collect()
}

/// Every errno value the core reports by name: (name, value).
#[pyfunction]
pub(crate) fn errnos() -> Vec<(&'static str, i32)> {
    Error::KNOWN.iter().map(|&(_, name, n)| (name, n)).collect()
}

/// Every monitor event: (name, value), names as `EVENT_CONNECTED`.
#[pyfunction]
pub(crate) fn events() -> Vec<(&'static str, u16)> {
    monitor::EVENTS.to_vec()
}
