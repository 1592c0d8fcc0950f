//! Shared pieces of ferromq's fuzz targets (see `fuzz/README.md`).
//!
//! * [`Chunker`]: cuts one input into reads of varying sizes, so every target checks that
//!   feeding bytes piecemeal (as a socket delivers them) gives the same result as feeding
//!   them at once.
//! * [`handshake`]: drives any mechanism's handshake over chunked input and checks the
//!   invariants every mechanism shares. Each mechanism gets its own target
//!   (`handshake_null` today; `handshake_plain`/`handshake_curve` when ferromq has them).
//! * [`wire`]: ZMTP bytes as libzmq writes them, for building prefixes in targets.

pub mod handshake;
pub mod wire;

/// Splits a byte string into successive pieces whose sizes come from a seed byte.
///
/// Seed 0 gives the whole input at once; any other seed drives a small xorshift that
/// picks piece sizes from 1 to 64 bytes, so partial headers, partial greetings and
/// frames straddling reads all occur.
///
/// ```
/// use ferromq_fuzz::Chunker;
///
/// let pieces: Vec<&[u8]> = Chunker::new(b"abcdef", 0).collect();
/// assert_eq!(pieces, [&b"abcdef"[..]]);
/// let joined: Vec<u8> = Chunker::new(b"abcdef", 7).flatten().copied().collect();
/// assert_eq!(joined, b"abcdef");
/// ```
#[derive(Debug, Clone)]
pub struct Chunker<'a> {
    rest: &'a [u8],
    state: u32,
}

impl<'a> Chunker<'a> {
    /// Pieces of `data` whose sizes follow from `seed`.
    pub fn new(data: &'a [u8], seed: u8) -> Self {
        Chunker {
            rest: data,
            state: u32::from(seed),
        }
    }
}

impl<'a> Iterator for Chunker<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let len = if self.state == 0 {
            self.rest.len()
        } else {
            // xorshift32: cheap, and never reaches 0 from a non-zero state.
            self.state ^= self.state << 13;
            self.state ^= self.state >> 17;
            self.state ^= self.state << 5;
            (self.state % 64 + 1) as usize
        };
        let (piece, rest) = self.rest.split_at(len.min(self.rest.len()));
        self.rest = rest;
        Some(piece)
    }
}
