//! What a socket's monitor hears about its connections, in libzmq 4.3's terms (values
//! checked against pyzmq): fds and errnos as `u32` (the `ZMQ_PROTOCOL_ERROR_*` codes
//! are proto's: `ProtocolError::handshake_code`).

use std::os::fd::RawFd;

/// A file descriptor or errno as an event value (both are never negative here).
pub(crate) fn value(n: RawFd) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_numbers_become_zero() {
        assert_eq!(value(7), 7);
        assert_eq!(value(-1), 0);
    }
}
