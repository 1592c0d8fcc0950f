//! ZAP (RFC 27) from the I/O thread: the session asks the handler bound at
//! `inproc://zeromq.zap.01` in its socket's context about a peer, without blocking.
//!
//! As in libzmq, the session joins the handler socket (REP or ROUTER) directly with a
//! pipe of its own, as a REQ would: it sends one request (empty delimiter first), and the
//! handler's reply wakes the session through the pipe, which then hands it to the
//! connection. No handler bound is an answer too ([`ZapReply::NoHandler`]); with
//! ZAP_ENFORCE_DOMAIN it refuses the peer instead (HANDSHAKE_FAILED_NO_DETAIL, EFAULT).
//! A handler that closes before replying leaves the handshake waiting, as in libzmq:
//! no answer ever comes, so HANDSHAKE_IVL or the peer ends it (the session keeps reading
//! meanwhile, and reports the peer's leaving as HANDSHAKE_FAILED_NO_DETAIL with EPIPE).
//! Failing at once instead would let the peer reconnect and, with no handler bound any
//! more, be let in.

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

    /// The handler's reply once it is whole (`Ok(None)` while it is awaited, or for ever
    /// once the handler is gone without replying).
    pub(super) fn poll_zap(&mut self) -> Result<Option<ZapReply>, Lost> {
        let Some(pipe) = &self.zap else {
            return Ok(None);
        };
        let gone = pipe.drain_outgoing(&mut self.zap_in, 0);
        let take = match reply_progress(&self.zap_in, gone) {
            ReplyProgress::Whole(take) => take,
            ReplyProgress::Pending => return Ok(None),
            ReplyProgress::Abandoned => {
                self.end_zap();
                return Ok(None);
            }
        };
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

/// Where the handler's reply stands, from the frames received so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReplyProgress {
    /// A whole reply (up to its last frame, or as many frames as a handler may send) is
    /// in: parse this many frames.
    Whole(usize),
    /// More frames are to come.
    Pending,
    /// The handler is gone before a whole reply: none will come.
    Abandoned,
}

/// Decides on the reply frames `frames` (with `gone`: the handler's socket let go of the
/// pipe and nothing more is queued).
fn reply_progress(frames: &VecDeque<Msg>, gone: bool) -> ReplyProgress {
    match frames.iter().position(|m| !m.more()) {
        Some(last) => ReplyProgress::Whole(last + 1),
        None if frames.len() >= MAX_REPLY_FRAMES => ReplyProgress::Whole(frames.len()),
        None if gone => ReplyProgress::Abandoned,
        None => ReplyProgress::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::{reply_progress, ReplyProgress, MAX_REPLY_FRAMES};
    use crate::msg::Msg;
    use std::collections::VecDeque;

    fn frames(n: usize, last_more: bool) -> VecDeque<Msg> {
        (0..n)
            .map(|i| {
                let mut m = Msg::from_bytes(bytes::Bytes::from_static(b"x"));
                m.set_more(i + 1 < n || last_more);
                m
            })
            .collect()
    }

    #[test]
    fn a_whole_reply_is_parsed_even_when_the_handler_is_gone() {
        assert_eq!(
            reply_progress(&frames(7, false), false),
            ReplyProgress::Whole(7)
        );
        assert_eq!(
            reply_progress(&frames(7, false), true),
            ReplyProgress::Whole(7)
        );
    }

    #[test]
    fn a_partial_reply_waits_for_more() {
        assert_eq!(
            reply_progress(&VecDeque::new(), false),
            ReplyProgress::Pending
        );
        assert_eq!(
            reply_progress(&frames(6, true), false),
            ReplyProgress::Pending
        );
    }

    #[test]
    fn a_handler_gone_without_a_whole_reply_abandons_the_request() {
        // libzmq's handshake then waits (HANDSHAKE_IVL, or the peer leaving): failing
        // at once would let the peer reconnect and in while no handler is bound.
        assert_eq!(
            reply_progress(&VecDeque::new(), true),
            ReplyProgress::Abandoned
        );
        assert_eq!(
            reply_progress(&frames(6, true), true),
            ReplyProgress::Abandoned
        );
    }

    #[test]
    fn a_reply_without_end_is_cut_at_the_frame_limit() {
        let n = MAX_REPLY_FRAMES;
        assert_eq!(
            reply_progress(&frames(n, true), false),
            ReplyProgress::Whole(n)
        );
    }
}
