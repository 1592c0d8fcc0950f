//! The NULL mechanism (RFC 23): each side sends READY with its properties; optionally a
//! ZAP handler is asked first (libzmq does when `ZMQ_ZAP_DOMAIN` is set), and a refusal
//! is answered with ERROR instead of READY.

use bytes::{Bytes, BytesMut};

use super::{Mechanism, MechanismStatus, OurProperties, PeerMetadata, ZapReply, ZapRequest};
use crate::proto::command::{encode_error, encode_ready, parse_command, Command};
use crate::proto::metadata::Metadata;
use crate::proto::ProtocolError;

/// Where the ZAP exchange stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zap {
    /// Not used, or answered with success: our READY is out.
    Settled,
    /// Asked for (or to be asked for at `start`): our READY waits for the answer.
    Pending,
}

/// The NULL mechanism: no security, just READY both ways.
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use ferromq::proto::mechanism::{Mechanism, MechanismStatus, NullMechanism, OurProperties, ZapReply};
/// use ferromq::proto::SocketType;
///
/// // With ZAP: READY waits for the handler's answer.
/// let mut m = NullMechanism::new(OurProperties::new(SocketType::Pull, Bytes::new()), true);
/// let mut out = BytesMut::new();
/// assert!(matches!(m.start(&mut out).unwrap(), MechanismStatus::Zap(_)));
/// assert!(out.is_empty());
/// let ready = Bytes::from_static(b"\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH");
/// assert_eq!(m.handle_command(&ready, &mut out).unwrap(), MechanismStatus::NeedMore);
/// let status = m.zap_reply(ZapReply::NoHandler, &mut out).unwrap();
/// assert!(matches!(status, MechanismStatus::Done(_)));
/// assert_eq!(&out[2..7], b"\x05READ");
/// ```
#[derive(Debug)]
pub struct NullMechanism {
    ours: OurProperties,
    zap: Zap,
    /// The peer's READY properties, once received.
    peer: Option<Metadata>,
    /// The ZAP handler's user id and metadata.
    user_id: Bytes,
    zap_metadata: Metadata,
}

impl NullMechanism {
    /// A NULL mechanism announcing `ours`; with `zap`, the ZAP handler is asked before
    /// our READY goes out.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use ferromq::proto::mechanism::{Mechanism, NullMechanism, OurProperties};
    /// use ferromq::proto::SocketType;
    ///
    /// let m = NullMechanism::new(OurProperties::new(SocketType::Rep, Bytes::new()), false);
    /// assert_eq!(m.name(), b"NULL");
    /// ```
    pub fn new(ours: OurProperties, zap: bool) -> Self {
        NullMechanism {
            ours,
            zap: if zap { Zap::Pending } else { Zap::Settled },
            peer: None,
            user_id: Bytes::new(),
            zap_metadata: Metadata::new(),
        }
    }

    fn write_ready(&self, out: &mut BytesMut) {
        let identity = self.ours.socket_type.sends_identity();
        let identity = identity.then_some(&self.ours.identity[..]);
        encode_ready(self.ours.socket_type, identity, out);
    }

    /// Done once our READY is out and the peer's is in.
    fn status(&self) -> MechanismStatus {
        match (&self.peer, self.zap) {
            (Some(md), Zap::Settled) => MechanismStatus::Done(PeerMetadata {
                metadata: md.clone(),
                user_id: self.user_id.clone(),
                zap_metadata: self.zap_metadata.clone(),
            }),
            _ => MechanismStatus::NeedMore,
        }
    }
}

impl Mechanism for NullMechanism {
    fn name(&self) -> &'static [u8] {
        b"NULL"
    }

    fn as_server(&self) -> bool {
        false
    }

    fn start(&mut self, out: &mut BytesMut) -> Result<MechanismStatus, ProtocolError> {
        if self.zap == Zap::Pending {
            return Ok(MechanismStatus::Zap(ZapRequest {
                mechanism: b"NULL",
                credentials: Vec::new(),
            }));
        }
        self.write_ready(out);
        Ok(MechanismStatus::NeedMore)
    }

    fn handle_command(
        &mut self,
        body: &Bytes,
        _out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError> {
        if self.peer.is_some() {
            return Err(ProtocolError::UnexpectedCommand);
        }
        match parse_command(body)? {
            Command::Ready(metadata) => {
                self.peer = Some(metadata);
                Ok(self.status())
            }
            Command::Error(reason) => Err(ProtocolError::PeerError(reason.to_vec())),
            _ => Err(ProtocolError::UnexpectedCommand),
        }
    }

    fn zap_reply(
        &mut self,
        reply: ZapReply,
        out: &mut BytesMut,
    ) -> Result<MechanismStatus, ProtocolError> {
        if self.zap != Zap::Pending {
            return Err(ProtocolError::UnexpectedCommand);
        }
        match reply {
            ZapReply::NoHandler => {}
            ZapReply::Reply {
                status_code,
                user_id,
                metadata,
                ..
            } => {
                if &status_code[..] != b"200" {
                    // libzmq's NULL answers a refusal with ERROR carrying the status
                    // code, except 300 (a temporary failure), which closes quietly.
                    if &status_code[..] != b"300" {
                        encode_error(&status_code, out);
                    }
                    return Err(ProtocolError::AuthFailed(status_code.to_vec()));
                }
                self.user_id = user_id;
                self.zap_metadata = metadata;
            }
        }
        self.zap = Zap::Settled;
        self.write_ready(out);
        Ok(self.status())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::SocketType;

    fn ready(t: &str) -> Bytes {
        let mut out = BytesMut::new();
        encode_ready(SocketType::from_name(t.as_bytes()).unwrap(), None, &mut out);
        out.freeze().slice(2..)
    }

    fn null(zap: bool) -> NullMechanism {
        NullMechanism::new(
            OurProperties::new(SocketType::Dealer, Bytes::from_static(b"id")),
            zap,
        )
    }

    #[test]
    fn ready_both_ways() {
        let mut m = null(false);
        let mut out = BytesMut::new();
        assert_eq!(m.start(&mut out), Ok(MechanismStatus::NeedMore));
        assert_eq!(
            &out[..],
            b"\x04\x2b\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x02id"
        );
        let MechanismStatus::Done(p) = m.handle_command(&ready("ROUTER"), &mut out).unwrap() else {
            panic!("not done");
        };
        assert_eq!(&p.metadata.get("Socket-Type").unwrap()[..], b"ROUTER");
        // A second READY is out of sequence.
        assert_eq!(
            m.handle_command(&ready("ROUTER"), &mut out),
            Err(ProtocolError::UnexpectedCommand)
        );
    }

    #[test]
    fn peer_error_and_unexpected_commands() {
        let mut out = BytesMut::new();
        let mut m = null(false);
        m.start(&mut out).unwrap();
        assert_eq!(
            m.handle_command(&Bytes::from_static(b"\x05ERROR\x03500"), &mut out),
            Err(ProtocolError::PeerError(b"500".to_vec()))
        );
        let mut m = null(false);
        assert_eq!(
            m.handle_command(&Bytes::from_static(b"\x04PING\x00\x00"), &mut out),
            Err(ProtocolError::UnexpectedCommand)
        );
        assert_eq!(
            m.zap_reply(ZapReply::NoHandler, &mut out),
            Err(ProtocolError::UnexpectedCommand)
        );
    }

    #[test]
    fn zap_refusal_sends_error() {
        let mut m = null(true);
        let mut out = BytesMut::new();
        assert_eq!(
            m.start(&mut out),
            Ok(MechanismStatus::Zap(ZapRequest {
                mechanism: b"NULL",
                credentials: vec![]
            }))
        );
        let reply = ZapReply::Reply {
            status_code: Bytes::from_static(b"400"),
            status_text: Bytes::from_static(b"no"),
            user_id: Bytes::new(),
            metadata: Metadata::new(),
        };
        assert_eq!(
            m.zap_reply(reply, &mut out),
            Err(ProtocolError::AuthFailed(b"400".to_vec()))
        );
        assert_eq!(&out[..], b"\x04\x0a\x05ERROR\x03400");
    }

    #[test]
    fn zap_temporary_failure_closes_quietly() {
        let mut m = null(true);
        let mut out = BytesMut::new();
        m.start(&mut out).unwrap();
        let reply = ZapReply::Reply {
            status_code: Bytes::from_static(b"300"),
            status_text: Bytes::from_static(b"later"),
            user_id: Bytes::new(),
            metadata: Metadata::new(),
        };
        assert_eq!(
            m.zap_reply(reply, &mut out),
            Err(ProtocolError::AuthFailed(b"300".to_vec()))
        );
        assert!(out.is_empty(), "libzmq sends no ERROR for 300: {out:?}");
    }

    #[test]
    fn zap_success_carries_user_id() {
        let mut m = null(true);
        let mut out = BytesMut::new();
        m.start(&mut out).unwrap();
        let mut md = Metadata::new();
        md.push("X-Role", "admin");
        let reply = ZapReply::Reply {
            status_code: Bytes::from_static(b"200"),
            status_text: Bytes::from_static(b"OK"),
            user_id: Bytes::from_static(b"alice"),
            metadata: md.clone(),
        };
        assert_eq!(m.zap_reply(reply, &mut out), Ok(MechanismStatus::NeedMore));
        assert!(out.starts_with(b"\x04\x2b\x05READY"));
        let MechanismStatus::Done(p) = m.handle_command(&ready("ROUTER"), &mut out).unwrap() else {
            panic!("not done");
        };
        assert_eq!(&p.user_id[..], b"alice");
        assert_eq!(p.zap_metadata, md);
    }
}
