//! Driving a handshake state machine with fuzzed peer bytes, per mechanism.
//!
//! Every mechanism's handshake has the shape of [`ferromq::proto::Handshake::advance`]:
//! it takes the bytes read so far and appends what to send. [`Outcome::drive`] runs such a
//! machine over one input, delivered in pieces ([`crate::Chunker`]), and records where it
//! ended. A target for a mechanism builds its machine twice (once fed at once, once fed
//! piecemeal), calls [`Outcome::assert_same`], then checks what is particular to it.
//!
//! ```
//! use bytes::BytesMut;
//! use ferromq::proto::{Handshake, HandshakeConfig, SocketType};
//! use ferromq_fuzz::handshake::Outcome;
//!
//! let peer = b"GET / HTTP/1.1\r\n";
//! let run = |seed| {
//!     let mut out = BytesMut::new();
//!     let mut hs = Handshake::new(HandshakeConfig::new(SocketType::Pull), &mut out);
//!     Outcome::drive(peer, seed, out, |input, out| hs.advance(input, out))
//! };
//! let (whole, pieces) = (run(0), run(3));
//! whole.assert_same(&pieces);
//! assert!(whole.result.is_err());
//! ```

use bytes::BytesMut;
use ferromq::proto::{HandshakeStatus, ProtocolError};

use crate::Chunker;

/// Where a handshake ended after all the peer's bytes were offered.
#[derive(Debug)]
pub struct Outcome {
    /// The last status, or the error that ended the handshake.
    pub result: Result<HandshakeStatus, ProtocolError>,
    /// Everything the machine asked to send, in order.
    pub sent: BytesMut,
    /// The peer's bytes the machine has not consumed (those after the handshake on
    /// success; what was pending at the end or at the error otherwise). Bytes not yet
    /// offered when the machine finished are included.
    pub left: BytesMut,
}

impl Outcome {
    /// Feeds `peer` to `advance` in pieces chosen by `seed`, starting from what the
    /// machine sent at creation (`sent`). Stops at the first error or at `Done`.
    ///
    /// # Panics
    ///
    /// If the machine consumed bytes it was not given (the input grew).
    pub fn drive(
        peer: &[u8],
        seed: u8,
        mut sent: BytesMut,
        mut advance: impl FnMut(&mut BytesMut, &mut BytesMut) -> Result<HandshakeStatus, ProtocolError>,
    ) -> Outcome {
        let mut input = BytesMut::new();
        let mut offered = 0;
        let mut result = Ok(HandshakeStatus::NeedMore);
        for piece in Chunker::new(peer, seed) {
            input.extend_from_slice(piece);
            offered += piece.len();
            let before = input.len();
            result = advance(&mut input, &mut sent);
            assert!(input.len() <= before, "the handshake grew its input");
            if !matches!(result, Ok(HandshakeStatus::NeedMore)) {
                break;
            }
        }
        input.extend_from_slice(&peer[offered..]);
        Outcome {
            result,
            sent,
            left: input,
        }
    }

    /// Asserts that two runs over the same bytes ended alike, which is what feeding a
    /// socket's reads piecemeal must give. On failure the bytes are consumed as far as the
    /// failing frame, which may differ with the piece sizes, so `left` is compared only on
    /// success; and what went out before the error was seen may differ too (as in libzmq,
    /// the rest of our greeting answers the peer's signature, which a read may deliver
    /// before the bad version that follows it), so on failure one run's bytes sent need
    /// only be a prefix of the other's.
    ///
    /// # Panics
    ///
    /// If the results differ, the bytes sent differ (on failure: beyond one being a prefix
    /// of the other), or on success the bytes left over.
    pub fn assert_same(&self, other: &Outcome) {
        assert_eq!(self.result, other.result, "result depends on read sizes");
        if self.result.is_ok() {
            assert_eq!(self.sent, other.sent, "bytes sent depend on read sizes");
            assert_eq!(self.left, other.left, "bytes left depend on read sizes");
        } else {
            let (short, long) = match self.sent.len() <= other.sent.len() {
                true => (&self.sent, &other.sent),
                false => (&other.sent, &self.sent),
            };
            assert!(
                long.starts_with(short),
                "bytes sent before the error differ beyond timing: {short:?} vs {long:?}"
            );
        }
    }
}
