//! ZMTP bytes as libzmq sends them, for the prefixes that put a target past the parts it
//! is not about (the engine target starts most inputs after a valid handshake).

use ferromq::proto::command::encode_ready;
use ferromq::proto::greeting::{encode_greeting, MECHANISM_NULL};
use ferromq::proto::SocketType;

/// A NULL-mechanism greeting and READY from a peer of type `peer`, announcing ZMTP 3.`minor`
/// (3.0 peers send subscriptions as messages, 3.1 peers as commands), with `identity` in
/// the READY when `peer` sends one.
///
/// ```
/// use ferromq::proto::SocketType;
/// use ferromq_fuzz::wire::null_handshake;
///
/// let bytes = null_handshake(SocketType::Push, 1, b"");
/// assert_eq!(bytes.len(), 64 + 28);
/// assert_eq!(&bytes[64..], b"\x04\x1a\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH");
/// ```
pub fn null_handshake(peer: SocketType, minor: u8, identity: &[u8]) -> Vec<u8> {
    let mut out = encode_greeting(&MECHANISM_NULL, false).to_vec();
    out[11] = minor;
    let identity = peer.sends_identity().then_some(identity);
    encode_ready(peer, identity, &mut out);
    out
}
