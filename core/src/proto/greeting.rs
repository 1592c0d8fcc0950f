//! The 64-byte ZMTP 3.x greeting:
//! `FF | padding(8) | 7F | major | minor | mechanism(20) | as-server | filler(31)`.
//!
//! The padding and filler are never inspected: libzmq writes its routing-id length + 1
//! into the padding (a ZMTP 1.0 compatibility trick). Errors are reported as soon as the
//! offending byte has arrived, because a libzmq peer sends its greeting in stages and a
//! non-ZMTP peer may never send 64 bytes.

use super::ProtocolError;

/// Length of a ZMTP 3.x greeting.
///
/// ```
/// assert_eq!(ferromq::proto::greeting::GREETING_LEN, 64);
/// ```
pub const GREETING_LEN: usize = 64;

/// The NULL mechanism's name as it appears in the greeting: `"NULL"`, NUL-padded to 20.
///
/// ```
/// use ferromq::proto::greeting::MECHANISM_NULL;
///
/// assert_eq!(&MECHANISM_NULL[..5], b"NULL\0");
/// ```
pub const MECHANISM_NULL: [u8; 20] = *b"NULL\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

/// The version we speak: ZMTP 3.1.
const OUR_MAJOR: u8 = 3;
const OUR_MINOR: u8 = 1;

/// Builds our greeting: ZMTP 3.1 with the given mechanism. Padding and filler are zero.
///
/// ```
/// use ferromq::proto::greeting::{encode_greeting, MECHANISM_NULL};
///
/// let g = encode_greeting(&MECHANISM_NULL, false);
/// assert_eq!(&g[..12], &[0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3, 1]);
/// assert_eq!(&g[12..16], b"NULL");
/// assert_eq!(g[32], 0);
/// ```
pub fn encode_greeting(mechanism: &[u8; 20], as_server: bool) -> [u8; GREETING_LEN] {
    let mut g = [0u8; GREETING_LEN];
    g[0] = 0xFF;
    g[9] = 0x7F;
    g[10] = OUR_MAJOR;
    g[11] = OUR_MINOR;
    g[12..32].copy_from_slice(mechanism);
    g[32] = u8::from(as_server);
    g
}

/// What we learn from the peer's greeting.
///
/// ```
/// use ferromq::proto::greeting::{encode_greeting, parse_greeting, MECHANISM_NULL};
///
/// let g = parse_greeting(&encode_greeting(&MECHANISM_NULL, false)).unwrap().unwrap();
/// assert_eq!((g.major, g.minor, g.as_server), (3, 1, false));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerGreeting {
    /// Major version (3 or higher; lower is rejected).
    pub major: u8,
    /// Minor version: 0 means ZMTP 3.0 (no SUBSCRIBE/CANCEL commands), 1 or more 3.1.
    pub minor: u8,
    /// The mechanism name, NUL-padded.
    pub mechanism: [u8; 20],
    /// The as-server byte (libzmq always sends 0 and never reads it).
    pub as_server: bool,
}

/// Parses the peer's greeting from the start of `buf`.
///
/// Returns `Ok(None)` until all 64 bytes are present, but fails as soon as the bytes that
/// prove the peer is not a ZMTP 3.x peer have arrived: byte 0 must be `0xFF`, byte 9 must
/// have its low bit set, and byte 10 (major version) must be at least 3. Bytes after the
/// first 64 are ignored.
///
/// # Errors
///
/// [`ProtocolError::BadSignature`] or [`ProtocolError::UnsupportedVersion`], as above.
///
/// ```
/// use ferromq::proto::greeting::parse_greeting;
/// use ferromq::proto::ProtocolError;
///
/// assert_eq!(parse_greeting(&[0xFF, 0, 0]), Ok(None));
/// assert_eq!(parse_greeting(b"GET / HTTP/1.1"), Err(ProtocolError::BadSignature));
/// ```
pub fn parse_greeting(buf: &[u8]) -> Result<Option<PeerGreeting>, ProtocolError> {
    match buf.first() {
        None => return Ok(None),
        Some(&b) if b != 0xFF => return Err(ProtocolError::BadSignature),
        Some(_) => {}
    }
    if let Some(&b) = buf.get(9) {
        if b & 1 == 0 {
            return Err(ProtocolError::BadSignature);
        }
    }
    if let Some(&major) = buf.get(10) {
        if major < 3 {
            return Err(ProtocolError::UnsupportedVersion(major));
        }
    }
    let Some(g) = buf.get(..GREETING_LEN) else {
        return Ok(None);
    };
    let mut mechanism = [0u8; 20];
    mechanism.copy_from_slice(&g[12..32]);
    Ok(Some(PeerGreeting {
        major: g[10],
        minor: g[11],
        mechanism,
        as_server: g[32] != 0,
    }))
}

/// Checks that the peer uses exactly our mechanism (all 20 bytes, as libzmq compares).
///
/// # Errors
///
/// [`ProtocolError::MechanismMismatch`] if they differ.
///
/// ```
/// use ferromq::proto::greeting::{
///     check_mechanism, encode_greeting, parse_greeting, MECHANISM_NULL,
/// };
///
/// let peer = parse_greeting(&encode_greeting(&MECHANISM_NULL, false)).unwrap().unwrap();
/// assert!(check_mechanism(&MECHANISM_NULL, &peer).is_ok());
/// ```
pub fn check_mechanism(ours: &[u8; 20], peer: &PeerGreeting) -> Result<(), ProtocolError> {
    if *ours == peer.mechanism {
        Ok(())
    } else {
        Err(ProtocolError::MechanismMismatch {
            ours: *ours,
            theirs: peer.mechanism,
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A greeting as libzmq 4.3.x sends it: padding holds routing-id length + 1.
    pub(in crate::proto) fn libzmq_greeting(id_len_plus_one: u8, minor: u8) -> [u8; 64] {
        let mut g = [0u8; 64];
        g[0] = 0xFF;
        g[8] = id_len_plus_one;
        g[9] = 0x7F;
        g[10] = 3;
        g[11] = minor;
        g[12..16].copy_from_slice(b"NULL");
        g
    }

    #[test]
    fn accepts_libzmq_greetings() {
        for (pad, minor) in [(1, 1), (4, 1), (1, 0), (4, 0)] {
            let g = parse_greeting(&libzmq_greeting(pad, minor))
                .unwrap()
                .unwrap();
            assert_eq!(g.major, 3);
            assert_eq!(g.minor, minor);
            assert_eq!(g.mechanism, MECHANISM_NULL);
            assert!(!g.as_server);
        }
    }

    #[test]
    fn ignores_padding_and_filler() {
        let mut g = libzmq_greeting(1, 1);
        g[1..9].fill(0xAB);
        g[33..].fill(0xCD);
        assert!(parse_greeting(&g).unwrap().is_some());
    }

    #[test]
    fn accepts_higher_versions() {
        let mut g = libzmq_greeting(1, 7);
        g[10] = 4;
        let p = parse_greeting(&g).unwrap().unwrap();
        assert_eq!((p.major, p.minor), (4, 7));
    }

    #[test]
    fn every_prefix_needs_more() {
        let g = encode_greeting(&MECHANISM_NULL, false);
        for n in 0..GREETING_LEN {
            assert_eq!(parse_greeting(&g[..n]), Ok(None), "prefix {n}");
        }
        assert!(parse_greeting(&g).unwrap().is_some());
    }

    #[test]
    fn bad_signature_fails_early() {
        assert_eq!(parse_greeting(&[0x00]), Err(ProtocolError::BadSignature));
        let mut g = libzmq_greeting(1, 1);
        g[9] = 0x7E;
        assert_eq!(parse_greeting(&g[..10]), Err(ProtocolError::BadSignature));
        assert_eq!(parse_greeting(&g), Err(ProtocolError::BadSignature));
        // Nine bytes cannot yet show a bad byte 9.
        assert_eq!(parse_greeting(&g[..9]), Ok(None));
    }

    #[test]
    fn old_major_fails_early() {
        let mut g = libzmq_greeting(1, 0);
        g[10] = 2;
        assert_eq!(
            parse_greeting(&g[..11]),
            Err(ProtocolError::UnsupportedVersion(2))
        );
        g[10] = 1;
        assert_eq!(
            parse_greeting(&g),
            Err(ProtocolError::UnsupportedVersion(1))
        );
    }

    #[test]
    fn mechanism_must_match_exactly() {
        let mut g = libzmq_greeting(1, 1);
        g[12..17].copy_from_slice(b"PLAIN");
        let peer = parse_greeting(&g).unwrap().unwrap();
        assert_eq!(
            check_mechanism(&MECHANISM_NULL, &peer),
            Err(ProtocolError::MechanismMismatch {
                ours: MECHANISM_NULL,
                theirs: *b"PLAIN\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
            })
        );
        // A stray byte after the NUL padding is a different name too.
        let mut g = libzmq_greeting(1, 1);
        g[31] = b'X';
        let peer = parse_greeting(&g).unwrap().unwrap();
        assert!(check_mechanism(&MECHANISM_NULL, &peer).is_err());
    }

    #[test]
    fn encode_as_server_flag() {
        assert_eq!(encode_greeting(&MECHANISM_NULL, true)[32], 1);
        let g = encode_greeting(&MECHANISM_NULL, false);
        assert!(g[33..].iter().all(|&b| b == 0));
    }
}
