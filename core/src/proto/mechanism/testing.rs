//! An in-memory driver for mechanism tests: two mechanisms talk through the real frame
//! decoder, their output delivered in chunks of any size (1 byte = every split point),
//! with a closure standing in for the ZAP handler.

use bytes::{Bytes, BytesMut};

use super::{Mechanism, MechanismStatus, PeerMetadata, ZapReply, ZapRequest};
use crate::proto::frame::{decode_frame, Frame};
use crate::proto::handshake::MAX_HANDSHAKE_BODY;
use crate::proto::ProtocolError;

/// [`Mechanism::decode_frame`] on a copy of `body`, the inner frame copied out as the
/// connection does.
pub(crate) fn unwrap_frame(m: &mut dyn Mechanism, body: &[u8]) -> Result<Frame, ProtocolError> {
    let mut buf = body.to_vec();
    let inner = m.decode_frame(&mut buf)?;
    Ok(Frame {
        more: inner.more,
        command: inner.command,
        body: Bytes::copy_from_slice(&buf[inner.start..]),
    })
}

/// How one side ended: `None` while still waiting.
pub(crate) type Ending = Option<Result<PeerMetadata, ProtocolError>>;

/// One side of the conversation.
pub(crate) struct End<'a> {
    pub(crate) m: &'a mut dyn Mechanism,
    /// What it wrote and the other side has not read yet.
    pub(crate) out: BytesMut,
    /// What it received and has not decoded yet (after Done: the first traffic bytes).
    pub(crate) inbox: BytesMut,
    pub(crate) ending: Ending,
    /// The ZAP requests it made.
    pub(crate) zap_requests: Vec<ZapRequest>,
}

impl<'a> End<'a> {
    fn new(m: &'a mut dyn Mechanism) -> Self {
        End {
            m,
            out: BytesMut::new(),
            inbox: BytesMut::new(),
            ending: None,
            zap_requests: Vec::new(),
        }
    }

    fn apply(
        &mut self,
        status: Result<MechanismStatus, ProtocolError>,
        zap: &mut dyn FnMut(&ZapRequest) -> ZapReply,
    ) {
        match status {
            Ok(MechanismStatus::NeedMore) => {}
            Ok(MechanismStatus::Zap(request)) => {
                let reply = zap(&request);
                self.zap_requests.push(request);
                let status = self.m.zap_reply(reply, &mut self.out);
                self.apply(status, zap);
            }
            Ok(MechanismStatus::Done(peer)) => self.ending = Some(Ok(peer)),
            Err(e) => self.ending = Some(Err(e)),
        }
    }

    /// Moves up to `chunk` bytes from `from` into this side and handles every whole
    /// command frame. Returns whether any byte moved.
    fn receive(
        &mut self,
        from: &mut BytesMut,
        chunk: usize,
        zap: &mut dyn FnMut(&ZapRequest) -> ZapReply,
    ) -> bool {
        if from.is_empty() || self.ending.is_some() {
            return false;
        }
        let n = chunk.min(from.len());
        self.inbox.extend_from_slice(&from.split_to(n));
        while self.ending.is_none() {
            match decode_frame(&mut self.inbox, Some(MAX_HANDSHAKE_BODY)) {
                Ok(Some(frame)) => {
                    assert!(frame.command, "handshake frames are commands");
                    let status = self.m.handle_command(&frame.body, &mut self.out);
                    self.apply(status, zap);
                }
                Ok(None) => break,
                Err(e) => self.ending = Some(Err(e)),
            }
        }
        true
    }
}

/// Runs a handshake to its end; `chunk` bytes move per delivery.
pub(crate) fn run<'a>(
    client: &'a mut dyn Mechanism,
    server: &'a mut dyn Mechanism,
    chunk: usize,
    zap: &mut dyn FnMut(&ZapRequest) -> ZapReply,
) -> (End<'a>, End<'a>) {
    let mut c = End::new(client);
    let mut s = End::new(server);
    let status = c.m.start(&mut c.out);
    c.apply(status, zap);
    let status = s.m.start(&mut s.out);
    s.apply(status, zap);
    loop {
        let a = s.receive(&mut c.out, chunk, zap);
        let b = c.receive(&mut s.out, chunk, zap);
        if !a && !b {
            return (c, s);
        }
    }
}

/// A ZAP handler that answers every request with `status`, user id "user" and one
/// property.
pub(crate) fn zap_status(status: &'static [u8]) -> impl FnMut(&ZapRequest) -> ZapReply {
    move |_| {
        let mut metadata = crate::proto::Metadata::new();
        metadata.push("X-Zap", "yes");
        ZapReply::Reply {
            status_code: Bytes::from_static(status),
            status_text: Bytes::new(),
            user_id: Bytes::from_static(b"user"),
            metadata,
        }
    }
}
