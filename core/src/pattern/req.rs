//! REQ: strict request/reply alternation (libzmq's `req_t`).
//!
//! A request goes, whole, to the next peer with room, behind an empty delimiter frame
//! (and, with REQ_CORRELATE, a 4-byte request id in host byte order, as libzmq writes
//! it). Only a reply from that peer, correctly enveloped, is accepted; anything else is
//! dropped, and so is whatever arrived before the request was sent (libzmq eats all
//! available messages when a request begins), so a peer cannot plant a reply in advance. Sending twice without receiving is EFSM, unless REQ_RELAXED lets a new
//! request abandon the old one (the "lazy pirate" pattern).

use super::rotation::Rotation;
use super::{Pattern, PatternOption, PipeId, Pipes, SendError};
use crate::error::Error;
use crate::msg::Msg;

#[derive(Debug, Default)]
enum State {
    /// Ready to send a request.
    #[default]
    Idle,
    /// Frames of a multipart request so far (target chosen at its first frame).
    Sending {
        pipe: Option<PipeId>,
        frames: Vec<Msg>,
    },
    /// The request left; waiting for the reply from `pipe` (`None`: that peer is gone).
    Waiting { pipe: Option<PipeId> },
    /// A valid reply from `pipe` is here: `has_in` read its envelope, and kept its first
    /// body frame for `recv`.
    Replied { pipe: PipeId, body: Msg },
    /// Returning the frames of a reply from `pipe`.
    Receiving { pipe: PipeId },
}

/// The REQ pattern.
#[derive(Debug, Default)]
pub(crate) struct Req {
    rotation: Rotation,
    state: State,
    relaxed: bool,
    correlate: bool,
    request_id: u32,
}

fn frame(data: &[u8], more: bool) -> Msg {
    let mut m = Msg::copy_from_slice(data);
    m.set_more(more);
    m
}

/// Drops the rest of a message whose first frames were already read.
fn skip_rest(pipes: &mut dyn Pipes, id: PipeId, mut more: bool) {
    while more {
        match pipes.try_recv(id) {
            Some(m) => more = m.more(),
            None => return,
        }
    }
}

impl Req {
    /// A REQ whose request ids follow `seed` (the first request carries `seed + 1`). The
    /// socket passes a random value, as libzmq does, so that a reply meant for an earlier
    /// socket is unlikely to match; tests pass a fixed one.
    pub fn new(seed: u32) -> Req {
        Req {
            request_id: seed,
            ..Req::default()
        }
    }

    /// The first body frame of the reply from `reply_pipe`, if one is here. Messages from
    /// peers we did not ask, and invalid replies, are dropped, as libzmq does.
    fn fetch_reply(
        &mut self,
        pipes: &mut dyn Pipes,
        reply_pipe: Option<PipeId>,
    ) -> Option<(PipeId, Msg)> {
        for &id in self.rotation.ids() {
            if Some(id) != reply_pipe {
                while pipes.try_recv(id).is_some() {}
            }
        }
        let id = reply_pipe?;
        self.read_reply(pipes, id).map(|body| (id, body))
    }

    /// Reads `id`'s next message envelope; the first body frame if it is a valid reply.
    fn read_reply(&mut self, pipes: &mut dyn Pipes, id: PipeId) -> Option<Msg> {
        loop {
            let mut first = pipes.try_recv(id)?;
            if self.correlate {
                let ours = first.more() && first.as_bytes() == self.request_id.to_ne_bytes();
                if !ours {
                    skip_rest(pipes, id, first.more());
                    continue;
                }
                first = pipes.try_recv(id)?;
            }
            if !(first.is_empty() && first.more()) {
                // Not a reply envelope: libzmq drops such messages silently.
                skip_rest(pipes, id, first.more());
                continue;
            }
            return pipes.try_recv(id);
        }
    }
}

impl Pattern for Req {
    fn attach(&mut self, _pipes: &mut dyn Pipes, id: PipeId) {
        self.rotation.attach(id);
    }

    fn detach(&mut self, id: PipeId) {
        self.rotation.detach(id);
        match &mut self.state {
            State::Sending { pipe, .. } | State::Waiting { pipe } if *pipe == Some(id) => {
                *pipe = None;
            }
            State::Receiving { pipe } if *pipe == id => self.state = State::Waiting { pipe: None },
            // A whole one-frame reply stays; the rest of a longer one is gone with the pipe.
            State::Replied { pipe, body } if *pipe == id && body.more() => {
                self.state = State::Waiting { pipe: None };
            }
            _ => {}
        }
    }

    fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        match &mut self.state {
            State::Sending { pipe, frames } => {
                let last = !msg.more();
                frames.push(msg);
                if last {
                    if let Some(id) = *pipe {
                        pipes.send_frames(id, std::mem::take(frames));
                    }
                    self.state = State::Waiting { pipe: *pipe };
                }
                return Ok(());
            }
            State::Waiting { .. } | State::Replied { .. } | State::Receiving { .. }
                if !self.relaxed =>
            {
                return Err(SendError::Fail(Error::Fsm, msg));
            }
            _ => {}
        }
        let Some(id) = self.rotation.serve(|id| pipes.can_send(id).then_some(id)) else {
            return Err(SendError::Again(msg));
        };
        // A new request: any reply to an abandoned one is now stale (REQ_RELAXED), and
        // nothing that arrived before it can be its reply.
        self.request_id = self.request_id.wrapping_add(1);
        for &peer in self.rotation.ids() {
            while pipes.try_recv(peer).is_some() {}
        }
        let mut frames = Vec::with_capacity(3);
        if self.correlate {
            frames.push(frame(&self.request_id.to_ne_bytes(), true));
        }
        frames.push(frame(b"", true));
        let last = !msg.more();
        frames.push(msg);
        if last {
            pipes.send_frames(id, frames);
            self.state = State::Waiting { pipe: Some(id) };
        } else {
            self.state = State::Sending {
                pipe: Some(id),
                frames,
            };
        }
        Ok(())
    }

    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        let (id, m) = match std::mem::take(&mut self.state) {
            State::Receiving { pipe } => {
                self.state = State::Receiving { pipe };
                (pipe, pipes.try_recv(pipe).ok_or(Error::Again)?)
            }
            State::Replied { pipe, body } => (pipe, body),
            State::Waiting { pipe } => {
                self.state = State::Waiting { pipe };
                self.fetch_reply(pipes, pipe).ok_or(Error::Again)?
            }
            other @ (State::Idle | State::Sending { .. }) => {
                self.state = other;
                return Err(Error::Fsm);
            }
        };
        self.state = if m.more() {
            State::Receiving { pipe: id }
        } else {
            State::Idle
        };
        Ok(m)
    }

    /// Only while a reply is due, and (unlike libzmq, which answers from its fair queue
    /// and leaves the checks to recv) only for a valid reply: what recv would drop is
    /// dropped here, and the reply's first body frame is kept for recv.
    fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool {
        match self.state {
            State::Idle | State::Sending { .. } => false,
            State::Replied { .. } | State::Receiving { .. } => true,
            State::Waiting { pipe } => match self.fetch_reply(pipes, pipe) {
                Some((pipe, body)) => {
                    self.state = State::Replied { pipe, body };
                    true
                }
                None => false,
            },
        }
    }

    /// Mid-request always; else, unless a reply is due without REQ_RELAXED, when some
    /// peer has room (libzmq's `req_t::xhas_out`).
    fn has_out(&mut self, pipes: &mut dyn Pipes) -> bool {
        match self.state {
            State::Sending { .. } => true,
            State::Waiting { .. } | State::Replied { .. } | State::Receiving { .. }
                if !self.relaxed =>
            {
                false
            }
            _ => self.rotation.ids().iter().any(|&id| pipes.can_send(id)),
        }
    }

    fn set_option(&mut self, opt: PatternOption) -> Result<(), Error> {
        match opt {
            PatternOption::ReqRelaxed(on) => self.relaxed = on,
            PatternOption::ReqCorrelate(on) => self.correlate = on,
            _ => return Err(Error::Invalid),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame as f, FakePipes};
    use super::*;

    fn reply(pipes: &mut FakePipes, id: PipeId, frames: &[(&[u8], bool)]) {
        let q = &mut pipes.pipes.get_mut(&id).unwrap().incoming;
        for &(data, more) in frames {
            q.push_back(frame(data, more));
        }
    }

    #[test]
    fn alternation_is_enforced() {
        let mut pipes = FakePipes::default();
        let mut r = Req::default();
        pipes.add(0, 10);
        r.attach(&mut pipes, 0);
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Fsm);
        r.send(&mut pipes, f("hello", false)).unwrap();
        let sent: Vec<&[u8]> = pipes.pipes[&0].sent.iter().map(|m| m.as_bytes()).collect();
        assert_eq!(sent, vec![&b""[..], b"hello"]);
        assert!(matches!(
            r.send(&mut pipes, f("again", false)),
            Err(SendError::Fail(Error::Fsm, back)) if &back[..] == b"again"
        ));
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Again);
        reply(&mut pipes, 0, &[(b"", true), (b"world", false)]);
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"world");
        r.send(&mut pipes, f("next", false)).unwrap();
    }

    #[test]
    fn what_arrived_before_the_request_is_never_its_reply() {
        let mut pipes = FakePipes::default();
        let mut r = Req::default();
        pipes.add(0, 10);
        r.attach(&mut pipes, 0);
        // A planted "reply", well enveloped, before any request.
        reply(&mut pipes, 0, &[(b"", true), (b"planted", false)]);
        r.send(&mut pipes, f("q", false)).unwrap();
        assert_eq!(pipes.unread(0), 0, "dropped when the request began");
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Again);
        reply(&mut pipes, 0, &[(b"", true), (b"real", false)]);
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"real");
        // And again for the next request: a second unasked reply is dropped too.
        reply(&mut pipes, 0, &[(b"", true), (b"late", false)]);
        r.send(&mut pipes, f("q2", false)).unwrap();
        reply(&mut pipes, 0, &[(b"", true), (b"real2", false)]);
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"real2");
    }

    #[test]
    fn only_the_asked_peer_answers_and_bad_envelopes_are_dropped() {
        let mut pipes = FakePipes::default();
        let mut r = Req::default();
        for id in 0..2 {
            pipes.add(id, 10);
            r.attach(&mut pipes, id);
        }
        r.send(&mut pipes, f("q", false)).unwrap(); // to pipe 0
        reply(&mut pipes, 1, &[(b"", true), (b"intruder", false)]);
        reply(&mut pipes, 0, &[(b"no-delimiter", false)]);
        reply(&mut pipes, 0, &[(b"", true), (b"a", true), (b"b", false)]);
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"a");
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"b");
        assert!(
            pipes.pipes[&1].incoming.is_empty(),
            "the intruder's reply was dropped"
        );
    }

    #[test]
    fn relaxed_and_correlated_requests_drop_stale_replies() {
        let mut pipes = FakePipes::default();
        let mut r = Req::default();
        r.set_option(PatternOption::ReqRelaxed(true)).unwrap();
        r.set_option(PatternOption::ReqCorrelate(true)).unwrap();
        pipes.add(0, 10);
        r.attach(&mut pipes, 0);
        r.send(&mut pipes, f("first", false)).unwrap();
        let stale = pipes.pipes[&0].sent[0].to_vec();
        r.send(&mut pipes, f("second", false)).unwrap();
        let current = pipes.pipes[&0].sent[3].to_vec();
        assert_ne!(stale, current);
        reply(
            &mut pipes,
            0,
            &[(&stale, true), (b"", true), (b"old", false)],
        );
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Again);
        reply(
            &mut pipes,
            0,
            &[(&current, true), (b"", true), (b"new", false)],
        );
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"new");
    }

    #[test]
    fn correlated_request_ids_follow_the_seed_and_wrap() {
        let mut pipes = FakePipes::default();
        let mut r = Req::new(u32::MAX - 1);
        r.set_option(PatternOption::ReqRelaxed(true)).unwrap();
        r.set_option(PatternOption::ReqCorrelate(true)).unwrap();
        pipes.add(0, 10);
        r.attach(&mut pipes, 0);
        for _ in 0..2 {
            r.send(&mut pipes, f("q", false)).unwrap();
        }
        let ids: Vec<Vec<u8>> = [0, 3].map(|i| pipes.pipes[&0].sent[i].to_vec()).into();
        assert_eq!(ids, [u32::MAX.to_ne_bytes(), 0u32.to_ne_bytes()]);
    }

    #[test]
    fn multipart_request_goes_whole_to_one_peer() {
        let mut pipes = FakePipes::default();
        let mut r = Req::default();
        pipes.add(0, 10);
        r.attach(&mut pipes, 0);
        r.send(&mut pipes, f("a", true)).unwrap();
        assert!(pipes.pipes[&0].sent.is_empty());
        r.send(&mut pipes, f("b", false)).unwrap();
        assert_eq!(pipes.pipes[&0].sent.len(), 3);
    }

    #[test]
    fn readiness_follows_the_request_reply_cycle() {
        let mut pipes = FakePipes::default();
        let mut r = Req::default();
        assert!(!r.has_out(&mut pipes), "no peers");
        pipes.add(0, 1);
        r.attach(&mut pipes, 0);
        reply(&mut pipes, 0, &[(b"", true), (b"unasked", false)]);
        assert!(r.has_out(&mut pipes));
        assert!(!r.has_in(&mut pipes), "no request sent: nothing to receive");
        assert_eq!(pipes.unread(0), 2, "and nothing taken");
        pipes.pipes.get_mut(&0).unwrap().incoming.clear();
        r.send(&mut pipes, f("a", true)).unwrap();
        assert!(r.has_out(&mut pipes), "mid-request");
        assert!(!r.has_in(&mut pipes));
        r.send(&mut pipes, f("b", false)).unwrap();
        assert!(!r.has_out(&mut pipes), "a reply is due");
        assert!(!r.has_in(&mut pipes));
        assert!(pipes.pipes[&0].reader_waiting);
        reply(&mut pipes, 0, &[(b"", true), (b"r1", true), (b"r2", false)]);
        assert!(r.has_in(&mut pipes));
        assert!(r.has_in(&mut pipes), "asking again takes nothing more");
        assert!(!r.has_out(&mut pipes));
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"r1");
        assert!(r.has_in(&mut pipes), "mid-reply");
        assert!(!r.has_out(&mut pipes));
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"r2");
        assert!(!r.has_in(&mut pipes));
        // The pipe holds the first request, at its HWM of 1: the next would block.
        assert!(!r.has_out(&mut pipes));
        assert!(pipes.pipes[&0].writer_waiting);
        pipes.pipes.get_mut(&0).unwrap().sent.clear();
        assert!(r.has_out(&mut pipes));
    }

    #[test]
    fn has_in_drops_what_recv_drops_and_keeps_the_valid_reply() {
        let mut pipes = FakePipes::default();
        let mut r = Req::default();
        r.set_option(PatternOption::ReqCorrelate(true)).unwrap();
        for id in 0..2 {
            pipes.add(id, 10);
            r.attach(&mut pipes, id);
        }
        r.send(&mut pipes, f("q", false)).unwrap(); // to pipe 0
        let rid = pipes.pipes[&0].sent[0].to_vec();
        let wrong = (u32::from_ne_bytes(rid[..].try_into().unwrap()) ^ 1).to_ne_bytes();
        reply(
            &mut pipes,
            1,
            &[(&rid, true), (b"", true), (b"intruder", false)],
        );
        reply(
            &mut pipes,
            0,
            &[(&wrong, true), (b"", true), (b"stale", false)],
        );
        reply(&mut pipes, 0, &[(&rid, true), (b"no-delimiter", false)]);
        assert!(!r.has_in(&mut pipes), "all invalid");
        assert_eq!(pipes.unread(0) + pipes.unread(1), 0, "and dropped");
        reply(
            &mut pipes,
            0,
            &[(&rid, true), (b"", true), (b"good", false)],
        );
        assert!(r.has_in(&mut pipes));
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"good");
        assert!(!r.has_in(&mut pipes));
    }

    #[test]
    fn relaxed_can_send_while_a_reply_is_due() {
        let mut pipes = FakePipes::default();
        let mut r = Req::default();
        r.set_option(PatternOption::ReqRelaxed(true)).unwrap();
        pipes.add(0, 10);
        r.attach(&mut pipes, 0);
        r.send(&mut pipes, f("first", false)).unwrap();
        assert!(r.has_out(&mut pipes));
        reply(&mut pipes, 0, &[(b"", true), (b"r", false)]);
        assert!(r.has_in(&mut pipes));
        assert!(r.has_out(&mut pipes));
        // A new request abandons the reply read ahead.
        r.send(&mut pipes, f("second", false)).unwrap();
        assert!(!r.has_in(&mut pipes));
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Again);
    }

    #[test]
    fn a_reply_read_ahead_survives_only_whole() {
        let mut pipes = FakePipes::default();
        let mut r = Req::default();
        pipes.add(0, 10);
        r.attach(&mut pipes, 0);
        r.send(&mut pipes, f("q", false)).unwrap();
        reply(&mut pipes, 0, &[(b"", true), (b"whole", false)]);
        assert!(r.has_in(&mut pipes));
        r.detach(0);
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"whole");
        pipes.add(1, 10);
        r.attach(&mut pipes, 1);
        r.send(&mut pipes, f("q", false)).unwrap();
        reply(
            &mut pipes,
            1,
            &[(b"", true), (b"part", true), (b"lost", false)],
        );
        assert!(r.has_in(&mut pipes));
        r.detach(1);
        assert!(!r.has_in(&mut pipes));
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Again);
    }
}
