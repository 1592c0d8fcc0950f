//! PLAIN (RFC 24): a user name and password in clear text, checked by the server's ZAP
//! handler, as libzmq 4.3 does it (`src/plain_client.cpp`, `src/plain_server.cpp`).
//!
//! ```text
//! client                          server
//! HELLO(username, password)  ->
//!                                 (ZAP request: PLAIN, [username, password])
//!                            <-   WELCOME            (or ERROR "400"/"500"; nothing for 300)
//! INITIATE(metadata)         ->
//!                            <-   READY(metadata)
//! ```
//!
//! Unlike CURVE, a PLAIN server without a ZAP handler refuses every client, as libzmq
//! does ("there is no point to PLAIN if ZAP is not set up"). Traffic is framed by the
//! connection as for NULL.

use bytes::{Bytes, BytesMut};

use super::wire::{
    check_structure, command_data, fail, peer_error, put_command, put_libzmq_plain_error,
    put_metadata_command, settle_zap, zap_request, ERROR, LIBZMQ_PLAIN_ERROR, READY,
};
use super::{Mechanism, MechanismStatus, OurProperties, PeerMetadata, ZapReply};
use crate::proto::error_code;
use crate::proto::metadata::Metadata;
use crate::proto::ProtocolError;

const HELLO: &[u8] = b"HELLO";
const WELCOME: &[u8] = b"WELCOME";
const INITIATE: &[u8] = b"INITIATE";

/// Longest user name or password: each has a one-byte length on the wire.
const MAX_CREDENTIAL: usize = 255;

/// A PLAIN client's user name and password, each at most 255 bytes (libzmq's
/// `ZMQ_PLAIN_USERNAME`/`ZMQ_PLAIN_PASSWORD` limit).
///
/// ```
/// use ferromq::proto::mechanism::PlainCredentials;
///
/// assert!(PlainCredentials::new("admin", "secret").is_some());
/// assert!(PlainCredentials::new(vec![b'x'; 256], "secret").is_none());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PlainCredentials {
    username: Bytes,
    password: Bytes,
}

impl PlainCredentials {
    /// Credentials, or `None` if either part is longer than 255 bytes.
    ///
    /// ```
    /// use ferromq::proto::mechanism::PlainCredentials;
    ///
    /// let c = PlainCredentials::new("", "").unwrap();
    /// assert!(c.username().is_empty());
    /// ```
    pub fn new(username: impl Into<Bytes>, password: impl Into<Bytes>) -> Option<Self> {
        let (username, password) = (username.into(), password.into());
        (username.len() <= MAX_CREDENTIAL && password.len() <= MAX_CREDENTIAL)
            .then_some(PlainCredentials { username, password })
    }

    /// The user name.
    ///
    /// ```
    /// use ferromq::proto::mechanism::PlainCredentials;
    ///
    /// assert_eq!(&PlainCredentials::new("admin", "pw").unwrap().username()[..], b"admin");
    /// ```
    pub fn username(&self) -> &Bytes {
        &self.username
    }
}

impl std::fmt::Debug for PlainCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlainCredentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Where a PLAIN client stands.
#[derive(Debug)]
enum ClientState {
    /// HELLO not sent yet.
    Start,
    ExpectWelcome,
    ExpectReady,
    Done,
}

/// The client side of PLAIN.
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use ferromq::proto::mechanism::{Mechanism, MechanismStatus, OurProperties, PlainClient, PlainCredentials};
/// use ferromq::proto::SocketType;
///
/// let creds = PlainCredentials::new("admin", "secret").unwrap();
/// let mut client = PlainClient::new(OurProperties::new(SocketType::Push, Bytes::new()), creds);
/// let mut out = BytesMut::new();
/// assert_eq!(client.start(&mut out).unwrap(), MechanismStatus::NeedMore);
/// assert_eq!(&out[..], b"\x04\x13\x05HELLO\x05admin\x06secret");
/// out.clear();
/// client.handle_command(&Bytes::from_static(b"\x07WELCOME"), &mut out).unwrap();
/// assert_eq!(&out[..], b"\x04\x1d\x08INITIATE\x0bSocket-Type\x00\x00\x00\x04PUSH");
/// let ready = Bytes::from_static(b"\x05READY\x0bSocket-Type\x00\x00\x00\x04PULL");
/// assert!(matches!(client.handle_command(&ready, &mut out).unwrap(), MechanismStatus::Done(_)));
/// ```
#[derive(Debug)]
pub struct PlainClient {
    ours: OurProperties,
    credentials: PlainCredentials,
    state: ClientState,
}

impl PlainClient {
    /// A client announcing `ours` and logging in with `credentials`.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use ferromq::proto::mechanism::{Mechanism, OurProperties, PlainClient, PlainCredentials};
    /// use ferromq::proto::SocketType;
    ///
    /// let c = PlainClient::new(
    ///     OurProperties::new(SocketType::Req, Bytes::new()),
    ///     PlainCredentials::new("u", "p").unwrap(),
    /// );
    /// assert_eq!(c.name(), b"PLAIN");
    /// assert!(!c.as_server());
    /// ```
    pub fn new(ours: OurProperties, credentials: PlainCredentials) -> Self {
        PlainClient {
            ours,
            credentials,
            state: ClientState::Start,
        }
    }
}

impl Mechanism for PlainClient {
    fn name(&self) -> &'static [u8] {
        b"PLAIN"
    }

    fn as_server(&self) -> bool {
        false
    }

    fn start(&mut self, out: &mut BytesMut) -> Result<MechanismStatus, ProtocolError> {
        if !matches!(self.state, ClientState::Start) {
            return Err(ProtocolError::UnexpectedCommand);
        }
        let PlainCredentials { username, password } = &self.credentials;
        // Both lengths are at most 255 (checked by PlainCredentials::new).
        put_command(
            HELLO,
            &[
                &[username.len() as u8],
                username,
                &[password.len() as u8],
                password,
            ],
            out,
        );
        self.state = ClientState::ExpectWelcome;
        Ok(MechanismStatus::NeedMore)
    }

    fn handle_command(
        &mut self,
        body: &Bytes,
        out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError> {
        if let Some(data) = command_data(body, WELCOME) {
            if !matches!(self.state, ClientState::ExpectWelcome) {
                return Err(ProtocolError::UnexpectedCommand);
            }
            if !data.is_empty() {
                return Err(fail(
                    error_code::ZMTP_MALFORMED_COMMAND_WELCOME,
                    "PLAIN WELCOME carries data",
                ));
            }
            put_metadata_command(INITIATE, &self.ours.metadata(), out);
            self.state = ClientState::ExpectReady;
            Ok(MechanismStatus::NeedMore)
        } else if let Some(data) = command_data(body, READY) {
            if !matches!(self.state, ClientState::ExpectReady) {
                return Err(ProtocolError::UnexpectedCommand);
            }
            let metadata = Metadata::parse(&data)?;
            self.state = ClientState::Done;
            Ok(MechanismStatus::Done(PeerMetadata {
                metadata,
                ..PeerMetadata::default()
            }))
        } else if let Some(data) = command_data(body, ERROR).or_else(|| {
            // libzmq's PLAIN servers send ERROR as "^RROR" (see LIBZMQ_PLAIN_ERROR).
            body.starts_with(LIBZMQ_PLAIN_ERROR)
                .then(|| body.slice(LIBZMQ_PLAIN_ERROR.len()..))
        }) {
            match self.state {
                ClientState::ExpectWelcome | ClientState::ExpectReady => Err(peer_error(&data)),
                _ => Err(ProtocolError::UnexpectedCommand),
            }
        } else {
            Err(ProtocolError::UnexpectedCommand)
        }
    }

    fn zap_reply(
        &mut self,
        _reply: ZapReply,
        _out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError> {
        // A client never asks ZAP.
        Err(ProtocolError::UnexpectedCommand)
    }
}

/// Where a PLAIN server stands.
#[derive(Debug)]
enum ServerState {
    ExpectHello,
    /// HELLO in, ZAP asked.
    AwaitZap,
    /// WELCOME sent; the handler's grant is kept for the peer's messages.
    ExpectInitiate {
        user_id: Bytes,
        zap_metadata: Metadata,
    },
    /// Done or failed.
    Finished,
}

/// The server side of PLAIN: reads HELLO, asks ZAP, sends WELCOME, reads INITIATE,
/// sends READY.
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use ferromq::proto::mechanism::{Mechanism, MechanismStatus, OurProperties, PlainServer, ZapReply};
/// use ferromq::proto::{Metadata, SocketType};
///
/// let mut server = PlainServer::new(OurProperties::new(SocketType::Pull, Bytes::new()));
/// let mut out = BytesMut::new();
/// assert_eq!(server.start(&mut out).unwrap(), MechanismStatus::NeedMore);
/// let hello = Bytes::from_static(b"\x05HELLO\x05admin\x06secret");
/// let MechanismStatus::Zap(request) = server.handle_command(&hello, &mut out).unwrap() else {
///     panic!("PLAIN asks ZAP");
/// };
/// assert_eq!(request.credentials, [Bytes::from_static(b"admin"), Bytes::from_static(b"secret")]);
/// let granted = ZapReply::Reply {
///     status_code: Bytes::from_static(b"200"),
///     status_text: Bytes::from_static(b"OK"),
///     user_id: Bytes::from_static(b"admin"),
///     metadata: Metadata::new(),
/// };
/// server.zap_reply(granted, &mut out).unwrap();
/// assert_eq!(&out[..], b"\x04\x08\x07WELCOME");
/// ```
#[derive(Debug)]
pub struct PlainServer {
    ours: OurProperties,
    state: ServerState,
}

impl PlainServer {
    /// A server announcing `ours`.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use ferromq::proto::mechanism::{Mechanism, OurProperties, PlainServer};
    /// use ferromq::proto::SocketType;
    ///
    /// let s = PlainServer::new(OurProperties::new(SocketType::Rep, Bytes::new()));
    /// assert!(s.as_server());
    /// ```
    pub fn new(ours: OurProperties) -> Self {
        PlainServer {
            ours,
            state: ServerState::ExpectHello,
        }
    }

    /// Reads HELLO's `ulen | username | plen | password`, exactly (libzmq refuses
    /// trailing bytes).
    fn parse_hello(data: &Bytes) -> Result<(Bytes, Bytes), ProtocolError> {
        let malformed = |why| fail(error_code::ZMTP_MALFORMED_COMMAND_HELLO, why);
        let mut rest = data.clone();
        let mut field = |what| {
            let Some(&len) = rest.first() else {
                return Err(malformed(what));
            };
            let end = 1 + usize::from(len);
            if rest.len() < end {
                return Err(malformed(what));
            }
            let value = rest.slice(1..end);
            rest = rest.slice(end..);
            Ok(value)
        };
        let username = field("PLAIN HELLO user name is missing or overruns")?;
        let password = field("PLAIN HELLO password is missing or overruns")?;
        if !rest.is_empty() {
            return Err(malformed("PLAIN HELLO has trailing bytes"));
        }
        Ok((username, password))
    }
}

impl Mechanism for PlainServer {
    fn name(&self) -> &'static [u8] {
        b"PLAIN"
    }

    fn as_server(&self) -> bool {
        true
    }

    fn start(&mut self, _out: &mut BytesMut) -> Result<MechanismStatus, ProtocolError> {
        Ok(MechanismStatus::NeedMore)
    }

    fn handle_command(
        &mut self,
        body: &Bytes,
        out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError> {
        match std::mem::replace(&mut self.state, ServerState::Finished) {
            ServerState::ExpectHello => {
                check_structure(body)?;
                let Some(data) = command_data(body, HELLO) else {
                    return Err(ProtocolError::UnexpectedCommand);
                };
                let (username, password) = Self::parse_hello(&data)?;
                self.state = ServerState::AwaitZap;
                Ok(MechanismStatus::Zap(zap_request(
                    b"PLAIN",
                    vec![username, password],
                )))
            }
            ServerState::ExpectInitiate {
                user_id,
                zap_metadata,
            } => {
                let Some(data) = command_data(body, INITIATE) else {
                    return Err(ProtocolError::UnexpectedCommand);
                };
                let metadata = Metadata::parse(&data)?;
                put_metadata_command(READY, &self.ours.metadata(), out);
                Ok(MechanismStatus::Done(PeerMetadata {
                    metadata,
                    user_id,
                    zap_metadata,
                }))
            }
            // libzmq: a command while waiting for ZAP, or after the end, is
            // ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED.
            ServerState::AwaitZap | ServerState::Finished => Err(fail(
                error_code::ZMTP_UNSPECIFIED,
                "PLAIN command out of sequence",
            )),
        }
    }

    fn zap_reply(
        &mut self,
        reply: ZapReply,
        out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError> {
        if !matches!(self.state, ServerState::AwaitZap) {
            return Err(ProtocolError::UnexpectedCommand);
        }
        self.state = ServerState::Finished;
        let granted = settle_zap(reply, true, put_libzmq_plain_error, out)?;
        put_command(WELCOME, &[], out);
        self.state = ServerState::ExpectInitiate {
            user_id: granted.user_id,
            zap_metadata: granted.metadata,
        };
        Ok(MechanismStatus::NeedMore)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, zap_status};
    use super::*;
    use crate::proto::SocketType;

    fn client(user: &str, password: &str) -> PlainClient {
        PlainClient::new(
            OurProperties::new(SocketType::Dealer, Bytes::from_static(b"me")),
            PlainCredentials::new(user.to_owned(), password.to_owned()).unwrap(),
        )
    }

    fn server() -> PlainServer {
        PlainServer::new(OurProperties::new(SocketType::Router, Bytes::new()))
    }

    fn code(e: &ProtocolError) -> Option<u32> {
        e.handshake_code()
    }

    #[test]
    fn handshake_at_every_split() {
        for chunk in 1..=64 {
            let (mut c, mut s) = (client("admin", "secret"), server());
            let (c, s) = run(&mut c, &mut s, chunk, &mut zap_status(b"200"));
            let from_server = c.ending.unwrap().unwrap();
            let from_client = s.ending.unwrap().unwrap();
            assert_eq!(
                &from_server.metadata.get("Socket-Type").unwrap()[..],
                b"ROUTER"
            );
            assert!(from_server.user_id.is_empty());
            assert_eq!(
                &from_client.metadata.get("Socket-Type").unwrap()[..],
                b"DEALER"
            );
            assert_eq!(&from_client.metadata.get("Identity").unwrap()[..], b"me");
            assert_eq!(&from_client.user_id[..], b"user");
            assert_eq!(&from_client.zap_metadata.get("X-Zap").unwrap()[..], b"yes");
            assert_eq!(
                s.zap_requests[0].credentials,
                [Bytes::from_static(b"admin"), Bytes::from_static(b"secret")]
            );
            assert!(c.out.is_empty() && s.out.is_empty());
        }
    }

    #[test]
    fn empty_and_longest_credentials() {
        let long = "x".repeat(255);
        for (u, p) in [("", ""), (long.as_str(), long.as_str())] {
            let (mut c, mut s) = (client(u, p), server());
            let (c, s) = run(&mut c, &mut s, 7, &mut zap_status(b"200"));
            assert!(c.ending.unwrap().is_ok());
            assert!(s.ending.unwrap().is_ok());
            assert_eq!(s.zap_requests[0].credentials[0].len(), u.len());
        }
    }

    #[test]
    fn refusals() {
        // 400 and 500: ERROR with the status, which the client reports.
        for status in [&b"400"[..], b"500"] {
            let (mut c, mut s) = (client("admin", "wrong"), server());
            let status_static: &'static [u8] = if status == b"400" { b"400" } else { b"500" };
            let (c, s) = run(&mut c, &mut s, 3, &mut zap_status(status_static));
            assert_eq!(
                s.ending.unwrap().unwrap_err(),
                ProtocolError::AuthFailed(status.to_vec())
            );
            assert_eq!(
                c.ending.unwrap().unwrap_err(),
                ProtocolError::PeerError(status.to_vec())
            );
        }
        // 300: the server closes without a word; the client is left waiting.
        let (mut c, mut s) = (client("admin", "x"), server());
        let (c, s) = run(&mut c, &mut s, 5, &mut zap_status(b"300"));
        assert_eq!(
            s.ending.unwrap().unwrap_err(),
            ProtocolError::AuthFailed(b"300".to_vec())
        );
        assert!(c.ending.is_none());
        // No handler: refused, nothing sent (libzmq: EFAULT, no ERROR).
        let (mut c, mut s) = (client("admin", "x"), server());
        let (c, s) = run(&mut c, &mut s, 64, &mut |_| ZapReply::NoHandler);
        assert_eq!(s.ending.unwrap().unwrap_err(), ProtocolError::NoZapHandler);
        assert!(c.ending.is_none());
    }

    #[test]
    fn server_rejects_malformed_hello() {
        let hello_code = Some(error_code::ZMTP_MALFORMED_COMMAND_HELLO);
        let good = b"\x05HELLO\x05admin\x06secret";
        // Every truncation of a HELLO body is an error, never a panic or a ZAP request.
        for n in 0..good.len() {
            let mut s = server();
            let e = s
                .handle_command(&Bytes::copy_from_slice(&good[..n]), &mut BytesMut::new())
                .unwrap_err();
            let expect = match n {
                0..=5 => Some(error_code::ZMTP_MALFORMED_COMMAND_UNSPECIFIED),
                _ => hello_code,
            };
            assert_eq!(code(&e), expect, "{n}");
        }
        let mut trailing = good.to_vec();
        trailing.push(b'!');
        let mut s = server();
        let e = s
            .handle_command(&Bytes::from(trailing), &mut BytesMut::new())
            .unwrap_err();
        assert_eq!(code(&e), hello_code);
        // Another command first.
        let mut s = server();
        let e = s
            .handle_command(&Bytes::from_static(b"\x08INITIATE"), &mut BytesMut::new())
            .unwrap_err();
        assert_eq!(e, ProtocolError::UnexpectedCommand);
    }

    #[test]
    fn out_of_sequence_commands() {
        let mut out = BytesMut::new();
        // Server: INITIATE while ZAP is pending; a second HELLO.
        let mut s = server();
        let hello = Bytes::from_static(b"\x05HELLO\x01u\x01p");
        assert!(matches!(
            s.handle_command(&hello, &mut out),
            Ok(MechanismStatus::Zap(_))
        ));
        let e = s
            .handle_command(&Bytes::from_static(b"\x08INITIATE"), &mut out)
            .unwrap_err();
        assert_eq!(code(&e), Some(error_code::ZMTP_UNSPECIFIED));
        // Server: a ZAP reply nobody asked for.
        let mut s = server();
        assert!(s.zap_reply(ZapReply::NoHandler, &mut out).is_err());
        // Client: READY before WELCOME, WELCOME twice, ERROR before HELLO, WELCOME with data.
        let mut c = client("u", "p");
        let ready = Bytes::from_static(b"\x05READY");
        assert_eq!(
            c.handle_command(&Bytes::from_static(b"\x05ERROR\x00"), &mut out),
            Err(ProtocolError::UnexpectedCommand)
        );
        c.start(&mut out).unwrap();
        assert_eq!(
            c.handle_command(&ready, &mut out),
            Err(ProtocolError::UnexpectedCommand)
        );
        let welcome = Bytes::from_static(b"\x07WELCOME");
        c.handle_command(&welcome, &mut out).unwrap();
        assert_eq!(
            c.handle_command(&welcome, &mut out),
            Err(ProtocolError::UnexpectedCommand)
        );
        let mut c = client("u", "p");
        c.start(&mut out).unwrap();
        let e = c
            .handle_command(&Bytes::from_static(b"\x07WELCOMEx"), &mut out)
            .unwrap_err();
        assert_eq!(code(&e), Some(error_code::ZMTP_MALFORMED_COMMAND_WELCOME));
        let e = c
            .handle_command(&Bytes::from_static(b"\x05ERROR\x09400"), &mut out)
            .unwrap_err();
        assert_eq!(code(&e), Some(error_code::ZMTP_MALFORMED_COMMAND_ERROR));
    }

    #[test]
    fn bad_metadata_is_invalid_metadata() {
        let mut out = BytesMut::new();
        let mut c = client("u", "p");
        c.start(&mut out).unwrap();
        c.handle_command(&Bytes::from_static(b"\x07WELCOME"), &mut out)
            .unwrap();
        // A value length of 2^32 - 1 with 4 bytes behind it.
        let e = c
            .handle_command(
                &Bytes::from_static(b"\x05READY\x0bSocket-Type\xff\xff\xff\xffPULL"),
                &mut out,
            )
            .unwrap_err();
        assert_eq!(code(&e), Some(error_code::ZMTP_INVALID_METADATA));
    }

    #[test]
    fn refusal_uses_libzmq_error_bytes_and_client_reads_both_forms() {
        let mut s = server();
        let mut out = BytesMut::new();
        s.handle_command(&Bytes::from_static(b"\x05HELLO\x01u\x01p"), &mut out)
            .unwrap();
        let reply = zap_status(b"400")(&zap_request(b"PLAIN", Vec::new()));
        let e = s.zap_reply(reply, &mut out);
        assert_eq!(e, Err(ProtocolError::AuthFailed(b"400".to_vec())));
        assert_eq!(&out[..], b"\x04\x09^RROR\x03400");
        for error in [&b"^RROR\x03500"[..], b"\x05ERROR\x03500"] {
            let mut c = client("u", "p");
            c.start(&mut out).unwrap();
            assert_eq!(
                c.handle_command(&Bytes::copy_from_slice(error), &mut out),
                Err(ProtocolError::PeerError(b"500".to_vec()))
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_credentials_at_any_chunking(
            user in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..=255),
            password in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..=255),
            chunk in 1usize..600,
        ) {
            let creds = PlainCredentials::new(user.clone(), password.clone()).unwrap();
            let mut c = PlainClient::new(OurProperties::new(SocketType::Push, Bytes::new()), creds);
            let mut s = PlainServer::new(OurProperties::new(SocketType::Pull, Bytes::new()));
            let (c, s) = run(&mut c, &mut s, chunk, &mut zap_status(b"200"));
            proptest::prop_assert!(c.ending.unwrap().is_ok());
            proptest::prop_assert!(s.ending.unwrap().is_ok());
            proptest::prop_assert_eq!(
                &s.zap_requests[0].credentials,
                &vec![Bytes::from(user), Bytes::from(password)]
            );
        }

        #[test]
        fn arbitrary_commands_never_panic(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        ) {
            let body = Bytes::from(body);
            let mut out = BytesMut::new();
            let _ = server().handle_command(&body, &mut out);
            let mut c = client("u", "p");
            c.start(&mut out).unwrap();
            let _ = c.handle_command(&body, &mut out);
        }
    }

    #[test]
    fn credentials_debug_hides_the_password() {
        let c = PlainCredentials::new("admin", "hunter2").unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
