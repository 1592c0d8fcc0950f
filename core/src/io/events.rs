//! What a socket's monitor hears about its connections, in libzmq 4.3's terms (values
//! checked against pyzmq): fds, errnos and `ZMQ_PROTOCOL_ERROR_*` codes as `u32`.

use crate::proto::ProtocolError;
use std::os::fd::RawFd;

/// A file descriptor or errno as an event value (both are never negative here).
pub(crate) fn value(n: RawFd) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// The code HANDSHAKE_FAILED_PROTOCOL carries for `e` (the mapping lives in proto:
/// [`ProtocolError::handshake_code`]).
pub(crate) fn handshake_protocol_code(e: &ProtocolError) -> Option<u32> {
    e.handshake_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_codes_match_libzmq() {
        let mismatch = ProtocolError::MechanismMismatch {
            ours: [0; 20],
            theirs: [0; 20],
        };
        // The value pyzmq's monitor shows for a peer offering another mechanism.
        assert_eq!(handshake_protocol_code(&mismatch), Some(285_212_674));
        assert_eq!(handshake_protocol_code(&ProtocolError::BadSignature), None);
        assert_eq!(
            handshake_protocol_code(&ProtocolError::MalformedMetadata("x")),
            Some(0x1000_0018)
        );
    }

    #[test]
    fn negative_numbers_become_zero() {
        assert_eq!(value(7), 7);
        assert_eq!(value(-1), 0);
    }
}
