//! ZAP (RFC 27) messages: the request a securing socket sends to the handler bound at
//! [`ZAP_ENDPOINT`], and the handler's reply, frame by frame, as libzmq 4.3 writes and
//! checks them (`src/zap_client.cpp`).
//!
//! Both directions are here: the connection side ([`encode_request`],
//! [`parse_reply`]) and the handler side ([`parse_request`], [`encode_reply`]) that an
//! authenticator needs. Parsing never panics and never copies frame bodies.
//!
//! ```
//! use bytes::Bytes;
//! use ferromq::proto::mechanism::{ZapReply, ZapRequest};
//! use ferromq::proto::zap;
//! use ferromq::proto::Metadata;
//!
//! let asked = ZapRequest {
//!     mechanism: b"PLAIN",
//!     credentials: vec![Bytes::from_static(b"admin"), Bytes::from_static(b"secret")],
//! };
//! let frames = zap::encode_request(b"global", b"127.0.0.1", b"", &asked);
//! // The handler's side.
//! let request = zap::parse_request(&frames).unwrap();
//! assert_eq!(&request.credentials[0][..], b"admin");
//! let reply = zap::encode_reply(&request.request_id, b"200", b"OK", b"admin", &Metadata::new());
//! // Back on the connection's side.
//! let ZapReply::Reply { status_code, user_id, .. } = zap::parse_reply(&reply).unwrap() else {
//!     unreachable!()
//! };
//! assert_eq!((&status_code[..], &user_id[..]), (&b"200"[..], &b"admin"[..]));
//! ```

use bytes::{Bytes, BytesMut};

use super::error_code;
use super::mechanism::{ZapReply, ZapRequest};
use super::metadata::Metadata;
use super::ProtocolError;

/// Where the handler binds (`inproc://zeromq.zap.01`).
///
/// ```
/// assert_eq!(ferromq::proto::zap::ZAP_ENDPOINT, "inproc://zeromq.zap.01");
/// ```
pub const ZAP_ENDPOINT: &str = "inproc://zeromq.zap.01";

/// The only protocol version.
const VERSION: &[u8] = b"1.0";

/// libzmq sends every request with this id (each connection has its own pipe to the
/// handler, so there is never more than one request in flight on it).
const REQUEST_ID: &[u8] = b"1";

/// Frames in a request before the credentials: delimiter, version, request id, domain,
/// address, identity, mechanism.
const REQUEST_HEAD_FRAMES: usize = 7;

/// A request as the handler reads it.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::mechanism::ZapRequest;
/// use ferromq::proto::zap;
///
/// let asked = ZapRequest { mechanism: b"NULL", credentials: vec![] };
/// let r = zap::parse_request(&zap::encode_request(b"d", b"::1", b"id", &asked)).unwrap();
/// assert_eq!((&r.domain[..], &r.address[..], &r.identity[..]), (&b"d"[..], &b"::1"[..], &b"id"[..]));
/// assert_eq!(&r.mechanism[..], b"NULL");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedZapRequest {
    /// The id to echo in the reply.
    pub request_id: Bytes,
    /// The server socket's `ZMQ_ZAP_DOMAIN` (may be empty).
    pub domain: Bytes,
    /// The peer's address (numeric host, no port).
    pub address: Bytes,
    /// The server socket's own routing id (`ZMQ_ROUTING_ID`), as libzmq sends it.
    pub identity: Bytes,
    /// `NULL`, `PLAIN` or `CURVE`.
    pub mechanism: Bytes,
    /// The mechanism's credential frames.
    pub credentials: Vec<Bytes>,
}

/// The frames of a ZAP request, in libzmq's order: an empty delimiter, `"1.0"`, request
/// id `"1"`, `domain`, `address`, `routing_id` (the server socket's own, as libzmq
/// sends), the mechanism name and its credentials. Every frame but the last has MORE
/// set when sent.
///
/// ```
/// use ferromq::proto::mechanism::ZapRequest;
/// use ferromq::proto::zap::encode_request;
///
/// let frames = encode_request(b"", b"10.0.0.1", b"", &ZapRequest { mechanism: b"NULL", credentials: vec![] });
/// let frames: Vec<&[u8]> = frames.iter().map(|f| &f[..]).collect();
/// assert_eq!(frames, [&b""[..], b"1.0", b"1", b"", b"10.0.0.1", b"", b"NULL"]);
/// ```
pub fn encode_request(
    domain: &[u8],
    address: &[u8],
    routing_id: &[u8],
    request: &ZapRequest,
) -> Vec<Bytes> {
    let mut frames = Vec::with_capacity(REQUEST_HEAD_FRAMES + request.credentials.len());
    frames.push(Bytes::new());
    frames.push(Bytes::from_static(VERSION));
    frames.push(Bytes::from_static(REQUEST_ID));
    frames.push(Bytes::copy_from_slice(domain));
    frames.push(Bytes::copy_from_slice(address));
    frames.push(Bytes::copy_from_slice(routing_id));
    frames.push(Bytes::from_static(request.mechanism));
    frames.extend(request.credentials.iter().cloned());
    frames
}

/// Reads a request on the handler's side (one whole multipart message, starting with
/// the empty delimiter).
///
/// # Errors
///
/// [`ProtocolError::Mechanism`] with [`error_code::ZAP_MALFORMED_REPLY`] if there are
/// fewer than 7 frames or the delimiter is not empty, [`error_code::ZAP_BAD_VERSION`]
/// for a version other than `"1.0"`.
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::zap::parse_request;
///
/// assert!(parse_request(&[Bytes::new(), Bytes::from_static(b"1.0")]).is_err());
/// ```
pub fn parse_request(frames: &[Bytes]) -> Result<ParsedZapRequest, ProtocolError> {
    let [delimiter, version, request_id, domain, address, identity, mechanism, credentials @ ..] =
        frames
    else {
        return Err(zap_error(
            error_code::ZAP_MALFORMED_REPLY,
            "ZAP request has fewer than 7 frames",
        ));
    };
    if !delimiter.is_empty() {
        return Err(zap_error(
            error_code::ZAP_MALFORMED_REPLY,
            "ZAP request lacks its empty delimiter",
        ));
    }
    if &version[..] != VERSION {
        return Err(zap_error(
            error_code::ZAP_BAD_VERSION,
            "ZAP request version is not 1.0",
        ));
    }
    Ok(ParsedZapRequest {
        request_id: request_id.clone(),
        domain: domain.clone(),
        address: address.clone(),
        identity: identity.clone(),
        mechanism: mechanism.clone(),
        credentials: credentials.to_vec(),
    })
}

/// The frames of a reply on the handler's side: delimiter, `"1.0"`, the echoed
/// `request_id`, `status_code` (`200`, `300`, `400` or `500`), `status_text`, `user_id`
/// and the `metadata` in ZMTP property form.
///
/// ```
/// use ferromq::proto::zap::encode_reply;
/// use ferromq::proto::Metadata;
///
/// let frames = encode_reply(b"1", b"400", b"No access", b"", &Metadata::new());
/// assert_eq!(frames.len(), 7);
/// assert_eq!(&frames[3][..], b"400");
/// ```
pub fn encode_reply(
    request_id: &[u8],
    status_code: &[u8],
    status_text: &[u8],
    user_id: &[u8],
    metadata: &Metadata,
) -> Vec<Bytes> {
    let mut md = BytesMut::with_capacity(metadata.encoded_len());
    metadata.encode(&mut md);
    vec![
        Bytes::new(),
        Bytes::from_static(VERSION),
        Bytes::copy_from_slice(request_id),
        Bytes::copy_from_slice(status_code),
        Bytes::copy_from_slice(status_text),
        Bytes::copy_from_slice(user_id),
        md.freeze(),
    ]
}

/// Checks and reads the handler's reply (one whole multipart message), with libzmq's
/// checks in libzmq's order.
///
/// # Errors
///
/// [`ProtocolError::Mechanism`] with the code libzmq reports:
/// [`error_code::ZAP_MALFORMED_REPLY`] unless there are exactly 7 frames,
/// [`error_code::ZAP_UNSPECIFIED`] for a non-empty delimiter,
/// [`error_code::ZAP_BAD_VERSION`], [`error_code::ZAP_BAD_REQUEST_ID`] (not `"1"`),
/// [`error_code::ZAP_INVALID_STATUS_CODE`] (not one of `200 300 400 500`),
/// [`error_code::ZAP_INVALID_METADATA`].
///
/// ```
/// use bytes::Bytes;
/// use ferromq::proto::zap::{encode_reply, parse_reply};
/// use ferromq::proto::{error_code, Metadata, ProtocolError};
///
/// let mut frames = encode_reply(b"1", b"201", b"", b"", &Metadata::new());
/// assert!(matches!(
///     parse_reply(&frames),
///     Err(ProtocolError::Mechanism { code: error_code::ZAP_INVALID_STATUS_CODE, .. })
/// ));
/// frames.push(Bytes::new());
/// assert!(matches!(
///     parse_reply(&frames),
///     Err(ProtocolError::Mechanism { code: error_code::ZAP_MALFORMED_REPLY, .. })
/// ));
/// ```
pub fn parse_reply(frames: &[Bytes]) -> Result<ZapReply, ProtocolError> {
    let [delimiter, version, request_id, status_code, status_text, user_id, metadata] = frames
    else {
        return Err(zap_error(
            error_code::ZAP_MALFORMED_REPLY,
            "ZAP reply does not have 7 frames",
        ));
    };
    if !delimiter.is_empty() {
        return Err(zap_error(
            error_code::ZAP_UNSPECIFIED,
            "ZAP reply delimiter is not empty",
        ));
    }
    if &version[..] != VERSION {
        return Err(zap_error(
            error_code::ZAP_BAD_VERSION,
            "ZAP reply version is not 1.0",
        ));
    }
    if &request_id[..] != REQUEST_ID {
        return Err(zap_error(
            error_code::ZAP_BAD_REQUEST_ID,
            "ZAP reply request id is not 1",
        ));
    }
    if !matches!(&status_code[..], [b'2'..=b'5', b'0', b'0']) {
        return Err(zap_error(
            error_code::ZAP_INVALID_STATUS_CODE,
            "ZAP status code is not 200, 300, 400 or 500",
        ));
    }
    let metadata = Metadata::parse(metadata).map_err(|_| {
        zap_error(
            error_code::ZAP_INVALID_METADATA,
            "ZAP reply metadata is malformed",
        )
    })?;
    Ok(ZapReply::Reply {
        status_code: status_code.clone(),
        status_text: status_text.clone(),
        user_id: user_id.clone(),
        metadata,
    })
}

fn zap_error(code: u32, reason: &'static str) -> ProtocolError {
    ProtocolError::Mechanism { code, reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code_of(r: Result<ZapReply, ProtocolError>) -> u32 {
        match r {
            Err(ProtocolError::Mechanism { code, .. }) => code,
            other => panic!("expected a ZAP error, got {other:?}"),
        }
    }

    fn good_reply() -> Vec<Bytes> {
        let mut md = Metadata::new();
        md.push("Hello", "World");
        encode_reply(b"1", b"200", b"OK", b"anonymous", &md)
    }

    #[test]
    fn libzmq_request_layout() {
        // What libzmq's curve_server sends: the client's 32-byte key as the credential.
        let key = Bytes::from(vec![0xAB; 32]);
        let frames = encode_request(
            b"",
            b"127.0.0.1",
            b"IDENT",
            &ZapRequest {
                mechanism: b"CURVE",
                credentials: vec![key.clone()],
            },
        );
        let expect: [&[u8]; 8] = [
            b"",
            b"1.0",
            b"1",
            b"",
            b"127.0.0.1",
            b"IDENT",
            b"CURVE",
            &key,
        ];
        assert_eq!(frames.iter().map(|f| &f[..]).collect::<Vec<_>>(), expect);
    }

    #[test]
    fn reply_checks_in_libzmq_order() {
        let ok = parse_reply(&good_reply()).unwrap();
        let ZapReply::Reply {
            status_code,
            status_text,
            user_id,
            metadata,
        } = ok
        else {
            unreachable!()
        };
        assert_eq!(&status_code[..], b"200");
        assert_eq!(&status_text[..], b"OK");
        assert_eq!(&user_id[..], b"anonymous");
        assert_eq!(&metadata.get("Hello").unwrap()[..], b"World");

        // libzmq's test_security_zap cases and the rest of zap_client.cpp's checks.
        let with = |i: usize, v: &'static [u8]| {
            let mut f = good_reply();
            f[i] = Bytes::from_static(v);
            f
        };
        assert_eq!(
            code_of(parse_reply(&with(0, b"x"))),
            error_code::ZAP_UNSPECIFIED
        );
        assert_eq!(
            code_of(parse_reply(&with(1, b"2.0"))),
            error_code::ZAP_BAD_VERSION
        );
        assert_eq!(
            code_of(parse_reply(&with(2, b"2"))),
            error_code::ZAP_BAD_REQUEST_ID
        );
        for bad in [
            &b"invalid"[..],
            b"100",
            b"600",
            b"210",
            b"201",
            b"20",
            b"2000",
            b"",
        ] {
            assert_eq!(
                code_of(parse_reply(&with(3, bad))),
                error_code::ZAP_INVALID_STATUS_CODE,
                "{bad:?}"
            );
        }
        for status in [&b"200"[..], b"300", b"400", b"500"] {
            assert!(parse_reply(&with(3, status)).is_ok());
        }
        assert_eq!(
            code_of(parse_reply(&with(6, b"\x05Hello\x00\x00\x00\x09World"))),
            error_code::ZAP_INVALID_METADATA
        );
        let mut too_many = good_reply();
        too_many.push(Bytes::new());
        assert_eq!(
            code_of(parse_reply(&too_many)),
            error_code::ZAP_MALFORMED_REPLY
        );
        for n in 0..7 {
            assert_eq!(
                code_of(parse_reply(&good_reply()[..n])),
                error_code::ZAP_MALFORMED_REPLY
            );
        }
        // The version is checked before the request id, as in libzmq.
        let mut both = with(1, b"0.9");
        both[2] = Bytes::from_static(b"7");
        assert_eq!(code_of(parse_reply(&both)), error_code::ZAP_BAD_VERSION);
    }

    #[test]
    fn request_parse_errors() {
        let frames = encode_request(
            b"d",
            b"a",
            b"i",
            &ZapRequest {
                mechanism: b"NULL",
                credentials: vec![],
            },
        );
        for n in 0..REQUEST_HEAD_FRAMES {
            assert!(parse_request(&frames[..n]).is_err());
        }
        let mut bad = frames.clone();
        bad[0] = Bytes::from_static(b"x");
        assert!(parse_request(&bad).is_err());
        let mut bad = frames;
        bad[1] = Bytes::from_static(b"1.1");
        assert!(matches!(
            parse_request(&bad),
            Err(ProtocolError::Mechanism {
                code: error_code::ZAP_BAD_VERSION,
                ..
            })
        ));
    }

    fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
        proptest::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
    }

    proptest! {
        #[test]
        fn request_round_trip(
            domain in bytes(40), address in bytes(40), identity in bytes(256),
            mechanism in prop_oneof![Just(&b"NULL"[..]), Just(&b"PLAIN"[..]), Just(&b"CURVE"[..])],
            credentials in proptest::collection::vec(bytes(64), 0..3),
        ) {
            let asked = ZapRequest { mechanism, credentials: credentials.clone() };
            let r = parse_request(&encode_request(&domain, &address, &identity, &asked)).unwrap();
            prop_assert_eq!(&r.request_id[..], b"1");
            prop_assert_eq!(r.domain, domain);
            prop_assert_eq!(r.address, address);
            prop_assert_eq!(r.identity, identity);
            prop_assert_eq!(&r.mechanism[..], mechanism);
            prop_assert_eq!(r.credentials, credentials);
        }

        #[test]
        fn reply_round_trip(
            status in prop_oneof![Just(&b"200"[..]), Just(&b"300"[..]), Just(&b"400"[..]), Just(&b"500"[..])],
            text in bytes(40), user in bytes(40), value in bytes(100),
        ) {
            let mut md = Metadata::new();
            md.push("X-Key", value);
            let reply = parse_reply(&encode_reply(b"1", status, &text, &user, &md)).unwrap();
            prop_assert_eq!(reply, ZapReply::Reply {
                status_code: Bytes::from_static(status),
                status_text: text,
                user_id: user,
                metadata: md,
            });
        }

        #[test]
        fn arbitrary_replies_never_panic(frames in proptest::collection::vec(bytes(12), 0..9)) {
            let _ = parse_reply(&frames);
            let _ = parse_request(&frames);
        }
    }
}
