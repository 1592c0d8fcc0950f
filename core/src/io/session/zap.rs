//! ZAP (RFC 27) from the I/O thread: the session asks the handler bound at
//! `inproc://zeromq.zap.01` in its socket's context about a peer, without blocking.
//!
//! As in libzmq, the session joins the handler socket (REP or ROUTER) directly with a
//! pipe of its own, as a REQ would: it sends one request (empty delimiter first), and the
//! handler's reply wakes the session through the pipe, which then hands it to the
//! connection. No handler bound is an answer too ([`ZapReply::NoHandler`]); with
//! ZAP_ENFORCE_DOMAIN it refuses the peer instead (HANDSHAKE_FAILED_NO_DETAIL, EFAULT).
//! A handler that closes before replying fails the handshake (EPIPE).

use super::*;
use crate::io::peer_properties::{with_local_properties, PEER_ADDRESS};
use crate::proto::mechanism::{ZapReply, ZapRequest};
use crate::proto::zap::{encode_request, parse_reply};
use crate::proto::Metadata;

/// Where the handler binds (RFC 27).
const ZAP_ENDPOINT: &str = "zeromq.zap.01";
/// A reply has 7 frames; a handler sending more is cut off at this many.
const MAX_REPLY_FRAMES: usize = 8;

impl Session {
    /// Sends `request` to the context's ZAP handler. `Ok(Some(reply))` when the answer is
    /// known at once (no handler), `Ok(None)` when the reply is awaited.
    pub(super) fn start_zap(
        &mut self,
        request: ZapRequest,
        ctx: &mut Ctx<'_>,
    ) -> Result<Option<ZapReply>, Lost> {
        let handler = self.cfg.context.upgrade().and_then(|c| {
            c.inproc
                .lock()
                .ok()
                .and_then(|r| r.bound_socket(ZAP_ENDPOINT))
        });
        let wake = SessionWake {
            io: Arc::clone(ctx.io),
            token: self.token,
        };
        // HWM 0 (unlimited), as libzmq's ZAP pipe: one request, one reply.
        let pipe = handler.map(|socket| (Pipe::new(Arc::clone(&socket), wake, 0, 0), socket));
        let attached = pipe.and_then(|(pipe, socket)| {
            pipe.set_routing_id(Bytes::new(), false);
            socket
                .post(SocketCmd::Attach(Arc::clone(&pipe)))
                .then_some(pipe)
        });
        let Some(pipe) = attached else {
            if self.cfg.zap_enforce {
                self.errno = libc::EFAULT;
                return Err(Lost);
            }
            return Ok(Some(ZapReply::NoHandler));
        };
        let address = self.peer_address();
        let frames = encode_request(&self.cfg.zap_domain, &address, &self.cfg.identity, &request);
        let last = frames.len().saturating_sub(1);
        let msgs = frames.into_iter().enumerate().map(|(i, f)| {
            let mut m = Msg::from_bytes(f);
            m.set_more(i < last);
            m
        });
        pipe.deliver(msgs, 1);
        self.zap = Some(pipe);
        Ok(None)
    }

    /// The handler's reply once it is whole (`Ok(None)` while it is awaited).
    pub(super) fn poll_zap(&mut self) -> Result<Option<ZapReply>, Lost> {
        let Some(pipe) = &self.zap else {
            return Ok(None);
        };
        let gone = pipe.drain_outgoing(&mut self.zap_in, 0);
        let end = self.zap_in.iter().position(|m| !m.more());
        if end.is_none() && self.zap_in.len() < MAX_REPLY_FRAMES {
            if gone {
                self.end_zap();
                self.errno = libc::EPIPE;
                return Err(Lost);
            }
            return Ok(None);
        }
        let take = end.map_or(self.zap_in.len(), |e| e + 1);
        let frames: Vec<Bytes> = self.zap_in.drain(..take).map(Msg::into_bytes).collect();
        self.end_zap();
        match parse_reply(&frames) {
            Ok(reply) => Ok(Some(reply)),
            Err(e) => Err(self.failed(ConnectionError::Handshake(e))),
        }
    }

    /// Lets go of the handler's pipe (the exchange is over or the connection is gone).
    pub(super) fn end_zap(&mut self) {
        self.zap_in.clear();
        if let Some(pipe) = self.zap.take() {
            pipe.close_from_session();
        }
    }

    /// The peer's address as ZAP and `Peer-Address` give it.
    fn peer_address(&self) -> Bytes {
        self.stream
            .as_ref()
            .and_then(|s| {
                with_local_properties(Metadata::new(), s)
                    .get(PEER_ADDRESS)
                    .cloned()
            })
            .unwrap_or_default()
    }
}
