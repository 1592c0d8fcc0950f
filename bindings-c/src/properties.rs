//! NUL-terminated views of peer metadata, for `zmq_msg_gets`.
//!
//! A received message holds the `Arc<Metadata>` of its connection. The C strings made
//! from it live in a table keyed by that `Arc`, built once per connection, and kept while
//! any message still holds the `Arc` (a pointer returned by `zmq_msg_gets` must stay valid
//! until the message is closed). Entries whose `Arc` nobody else holds are dropped when
//! the table is next used.

use ferromq_core::proto::Metadata;
use std::collections::HashMap;
use std::os::raw::c_char;
use std::sync::{Arc, Mutex};

/// One connection's properties as C strings (names lower-cased for lookup).
struct CProps {
    source: Arc<Metadata>,
    entries: Vec<(Vec<u8>, Box<[u8]>)>,
}

static TABLE: Mutex<Option<HashMap<usize, CProps>>> = Mutex::new(None);

/// The value of property `name` (case-insensitive) of `meta` as a NUL-terminated
/// string valid while `meta` is held, or `None` if there is no such property.
pub fn lookup(meta: &Arc<Metadata>, name: &[u8]) -> Option<*const c_char> {
    let mut guard = TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let table = guard.get_or_insert_with(HashMap::new);
    // Forget connections no message refers to any more (only the table holds them).
    table.retain(|_, p| Arc::strong_count(&p.source) > 1);
    let key = Arc::as_ptr(meta) as usize;
    let props = table.entry(key).or_insert_with(|| CProps {
        source: Arc::clone(meta),
        entries: meta
            .iter()
            .map(|(n, v)| {
                let mut value = v.to_vec();
                value.push(0);
                (n.to_ascii_lowercase(), value.into_boxed_slice())
            })
            .collect(),
    });
    let name = name.to_ascii_lowercase();
    props
        .entries
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_ptr().cast::<c_char>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn values_are_nul_terminated_case_insensitive_and_live_while_held() {
        let mut md = Metadata::new();
        md.push("Socket-Type", "PUSH");
        let meta = Arc::new(md);
        let p = lookup(&meta, b"socket-TYPE").unwrap();
        // SAFETY: `lookup` returns a NUL-terminated string alive while `meta` is held.
        assert_eq!(unsafe { CStr::from_ptr(p) }.to_bytes(), b"PUSH");
        assert!(lookup(&meta, b"Identity").is_none());
        let again = lookup(&meta, b"Socket-Type").unwrap();
        assert_eq!(p, again, "built once per connection");
    }
}
