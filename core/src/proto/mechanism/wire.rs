//! Pieces of the handshake commands that PLAIN and CURVE share: writing a command
//! frame, recognising a command by name, reading an ERROR, failing with libzmq's
//! monitor code, and turning a ZAP answer into go / no-go.

use bytes::{BufMut, Bytes, BytesMut};

use super::{ZapReply, ZapRequest};
use crate::proto::frame::encode_frame_header;
use crate::proto::metadata::Metadata;
use crate::proto::ProtocolError;

/// ERROR's name.
pub(super) const ERROR: &[u8] = b"ERROR";
/// READY's name.
pub(super) const READY: &[u8] = b"READY";

/// A mechanism failure carrying libzmq's `ZMQ_PROTOCOL_ERROR_*` code.
pub(super) fn fail(code: u32, reason: &'static str) -> ProtocolError {
    ProtocolError::Mechanism { code, reason }
}

/// Appends a command frame: the name (1..=255 bytes, a constant) and `parts` one after
/// the other.
pub(super) fn put_command(name: &[u8], parts: &[&[u8]], out: &mut BytesMut) {
    let data_len: usize = parts.iter().map(|p| p.len()).sum();
    encode_frame_header(false, true, 1 + name.len() + data_len, out);
    out.put_u8(name.len() as u8);
    out.put_slice(name);
    for part in parts {
        out.put_slice(part);
    }
}

/// Appends a command frame whose data is a property list (PLAIN's INITIATE and READY).
pub(super) fn put_metadata_command(name: &[u8], metadata: &Metadata, out: &mut BytesMut) {
    encode_frame_header(false, true, 1 + name.len() + metadata.encoded_len(), out);
    out.put_u8(name.len() as u8);
    out.put_slice(name);
    metadata.encode(out);
}

/// The data after the name if `body` is the command `name`; libzmq matches the
/// length-prefixed name as a byte prefix.
pub(super) fn command_data(body: &Bytes, name: &[u8]) -> Option<Bytes> {
    command_data_start(body, name).map(|head| body.slice(head..))
}

/// Where the data after the name starts if `body` is the command `name` (as
/// [`command_data`], for a body that is not shared bytes).
pub(super) fn command_data_start(body: &[u8], name: &[u8]) -> Option<usize> {
    let head = 1 + name.len();
    (body.len() >= head && usize::from(body[0]) == name.len() && &body[1..head] == name)
        .then_some(head)
}

/// libzmq's `check_basic_command_structure`: at least two bytes, and a name that does
/// not overrun the body.
pub(super) fn check_structure(body: &[u8]) -> Result<(), ProtocolError> {
    match body.first() {
        Some(&n) if body.len() > 1 && body.len() > usize::from(n) => Ok(()),
        _ => Err(fail(
            crate::proto::error_code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
            "command name overruns the body",
        )),
    }
}

/// Reads an ERROR command's data (`reason-len | reason`, trailing bytes ignored as in
/// libzmq) into the error the handshake ends with.
pub(super) fn peer_error(data: &[u8]) -> ProtocolError {
    match data.split_first() {
        Some((&len, rest)) if rest.len() >= usize::from(len) => {
            ProtocolError::PeerError(rest[..usize::from(len)].to_vec())
        }
        _ => fail(
            crate::proto::error_code::ZMTP_MALFORMED_COMMAND_ERROR,
            "ERROR reason overruns the command",
        ),
    }
}

/// What the ZAP handler granted: the user id and metadata that become message
/// properties.
pub(super) struct Granted {
    pub(super) user_id: Bytes,
    pub(super) metadata: Metadata,
}

/// How a mechanism writes its ERROR command (PLAIN's differs, see
/// [`put_libzmq_plain_error`]).
pub(super) type ErrorWriter = fn(&[u8], &mut BytesMut);

/// The ERROR libzmq's PLAIN server really sends. libzmq spells the prefix
/// `"\x05ERROR"` in C, where the hex escape swallows the `E`: the bytes are
/// `"^RROR"` (0x5E), then the reason length and reason. libzmq's PLAIN client compares
/// against the same five bytes and takes a well-formed `0x05 "ERROR"` for an unknown
/// command, so a PLAIN server must send this form for libzmq clients to see the
/// status (libzmq 4.3.5 and master).
pub(super) const LIBZMQ_PLAIN_ERROR: &[u8] = b"\x5eRROR";

/// Writes PLAIN's ERROR in libzmq's form (see [`LIBZMQ_PLAIN_ERROR`]); `reason` is a
/// 3-digit status code.
pub(super) fn put_libzmq_plain_error(reason: &[u8], out: &mut BytesMut) {
    let reason = &reason[..reason.len().min(255)];
    encode_frame_header(
        false,
        true,
        LIBZMQ_PLAIN_ERROR.len() + 1 + reason.len(),
        out,
    );
    out.put_slice(LIBZMQ_PLAIN_ERROR);
    out.put_u8(reason.len() as u8);
    out.put_slice(reason);
}

/// Applies a ZAP answer as libzmq's servers do: `200` lets the peer in; `300` closes
/// quietly; any other status sends ERROR (written by `send_error`) with the status code
/// first. Without a handler the peer is let in unless `handler_required` (PLAIN), which
/// fails with no ERROR.
pub(super) fn settle_zap(
    reply: ZapReply,
    handler_required: bool,
    send_error: ErrorWriter,
    out: &mut BytesMut,
) -> Result<Granted, ProtocolError> {
    match reply {
        ZapReply::NoHandler if handler_required => Err(ProtocolError::NoZapHandler),
        ZapReply::NoHandler => Ok(Granted {
            user_id: Bytes::new(),
            metadata: Metadata::new(),
        }),
        ZapReply::Reply {
            status_code,
            user_id,
            metadata,
            ..
        } => match &status_code[..] {
            b"200" => Ok(Granted { user_id, metadata }),
            b"300" => Err(ProtocolError::AuthFailed(status_code.to_vec())),
            _ => {
                send_error(&status_code, out);
                Err(ProtocolError::AuthFailed(status_code.to_vec()))
            }
        },
    }
}

/// A ZAP request for `mechanism` with these credential frames.
pub(super) fn zap_request(mechanism: &'static [u8], credentials: Vec<Bytes>) -> ZapRequest {
    ZapRequest {
        mechanism,
        credentials,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::command::encode_error;
    use crate::proto::error_code;

    #[test]
    fn structure_and_names() {
        for bad in [&b""[..], b"\x00", b"\x05", b"\x05HELL"] {
            assert!(check_structure(bad).is_err(), "{bad:?}");
        }
        assert!(check_structure(b"\x05HELLO").is_ok());
        let body = Bytes::from_static(b"\x05HELLOxyz");
        assert_eq!(&command_data(&body, b"HELLO").unwrap()[..], b"xyz");
        assert!(command_data(&body, b"HELL").is_none());
        assert!(command_data(&Bytes::from_static(b"\x05HEL"), b"HELLO").is_none());
    }

    #[test]
    fn error_reasons() {
        assert_eq!(
            peer_error(b"\x03400"),
            ProtocolError::PeerError(b"400".to_vec())
        );
        assert_eq!(
            peer_error(b"\x00junk"),
            ProtocolError::PeerError(Vec::new())
        );
        for bad in [&b""[..], b"\x04400"] {
            assert!(matches!(
                peer_error(bad),
                ProtocolError::Mechanism {
                    code: error_code::ZMTP_MALFORMED_COMMAND_ERROR,
                    ..
                }
            ));
        }
    }

    fn reply(status: &'static [u8]) -> ZapReply {
        ZapReply::Reply {
            status_code: Bytes::from_static(status),
            status_text: Bytes::new(),
            user_id: Bytes::from_static(b"bob"),
            metadata: Metadata::new(),
        }
    }

    #[test]
    fn libzmq_plain_error_bytes() {
        // What a libzmq 4.3.5 PLAIN server behind pyzmq's ThreadAuthenticator sent to a
        // raw client with a wrong password.
        let mut out = BytesMut::new();
        put_libzmq_plain_error(b"400", &mut out);
        assert_eq!(&out[..], b"\x04\x09^RROR\x03400");
    }

    #[test]
    fn zap_outcomes() {
        let mut out = BytesMut::new();
        let granted = settle_zap(reply(b"200"), true, encode_error, &mut out).unwrap();
        assert_eq!(&granted.user_id[..], b"bob");
        assert!(out.is_empty());
        assert!(settle_zap(ZapReply::NoHandler, false, encode_error, &mut out).is_ok());
        assert_eq!(
            settle_zap(ZapReply::NoHandler, true, encode_error, &mut out).err(),
            Some(ProtocolError::NoZapHandler)
        );
        assert_eq!(
            settle_zap(reply(b"300"), false, encode_error, &mut out).err(),
            Some(ProtocolError::AuthFailed(b"300".to_vec()))
        );
        assert!(out.is_empty(), "300 closes without ERROR");
        for status in [&b"400"[..], b"500"] {
            out.clear();
            let s = Bytes::from_static(status);
            assert_eq!(
                settle_zap(reply(status), false, encode_error, &mut out).err(),
                Some(ProtocolError::AuthFailed(s.to_vec()))
            );
            let mut expect = BytesMut::new();
            encode_error(status, &mut expect);
            assert_eq!(out, expect);
        }
    }
}
