//! How a failed connection is reported: the monitor event (and errno) libzmq gives each
//! kind of handshake or traffic failure, and whether the peer refused us (no reconnect).
//! (DISCONNECTED for an established connection is reported later, by `endings`.)

use super::*;

impl Session {
    /// Maps a connection's failure: protocol errors of the handshake are reported with
    /// their code (libzmq reports some not at all), the others only end the connection.
    pub(super) fn failed(&mut self, e: ConnectionError) -> Lost {
        match e {
            // libzmq: HANDSHAKE_FAILED_NO_DETAIL with EFAULT, and no ERROR.
            ConnectionError::Handshake(ProtocolError::NoZapHandler) => self.errno = libc::EFAULT,
            ConnectionError::Handshake(e) => {
                self.protocol_failure = true;
                match &e {
                    ProtocolError::AuthFailed(status) => {
                        if let Some(code) = zap_status(status) {
                            self.emit(EVENT_HANDSHAKE_FAILED_AUTH, code);
                        }
                    }
                    ProtocolError::PeerError(reason) => {
                        self.refused = true;
                        // A ZAP status as the reason: the server's handler refused us.
                        if let Some(code) = zap_status(reason) {
                            self.emit(EVENT_HANDSHAKE_FAILED_AUTH, code);
                        }
                    }
                    _ => {
                        if let Some(code) = e.handshake_code() {
                            self.emit(EVENT_HANDSHAKE_FAILED_PROTOCOL, code);
                        }
                    }
                }
            }
            // libzmq reports the errno its last non-blocking read left: EAGAIN.
            ConnectionError::HandshakeTimeout => self.errno = libc::EAGAIN,
            // A CURVE MESSAGE that does not open (box, nonce, not a MESSAGE): libzmq's
            // mechanism reports it as HANDSHAKE_FAILED_PROTOCOL with its code even after
            // the handshake, before DISCONNECTED; framing errors it reports not at all.
            ConnectionError::Protocol(ProtocolError::Mechanism { code, .. }) => {
                self.emit(EVENT_HANDSHAKE_FAILED_PROTOCOL, code);
            }
            ConnectionError::Protocol(_)
            | ConnectionError::MessageTooLarge
            | ConnectionError::HeartbeatExpired => {}
        }
        Lost
    }
}

/// A ZAP status code (`300`, `400`, `500`) as libzmq's monitor reports it, from a ZAP
/// reply or an ERROR's reason (libzmq's `handle_error_reason`: three characters, `3`
/// to `5` then `00`).
fn zap_status(reason: &[u8]) -> Option<u32> {
    match reason {
        [d @ b'3'..=b'5', b'0', b'0'] => Some(u32::from(d - b'0') * 100),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::zap_status;

    #[test]
    fn zap_statuses_are_three_digit_codes_from_300_to_500() {
        assert_eq!(zap_status(b"300"), Some(300));
        assert_eq!(zap_status(b"400"), Some(400));
        assert_eq!(zap_status(b"500"), Some(500));
        assert_eq!(zap_status(b"200"), None);
        assert_eq!(zap_status(b"401"), None);
        assert_eq!(zap_status(b"40"), None);
        assert_eq!(zap_status(b"Invalid password"), None);
    }
}
