//! REP: answers requests one at a time (libzmq's `rep_t`).
//!
//! Requests are fair-queued. Everything up to and including the first empty frame is
//! the envelope: kept aside on receipt and put back in front of the reply, which goes to
//! the peer that asked (dropped if that peer is gone). A request with no delimiter is
//! dropped. recv while a reply is due, or send with no request, is EFSM.

use super::rotation::Rotation;
use super::{Pattern, PipeId, Pipes, SendError};
use crate::error::Error;
use crate::msg::Msg;

#[derive(Debug, Default)]
enum State {
    /// Ready to take a request.
    #[default]
    Idle,
    /// Returning the body frames of a request from `pipe`; `next` is one `has_in` read
    /// ahead (the request's first body frame).
    Body {
        pipe: PipeId,
        envelope: Vec<Msg>,
        next: Option<Msg>,
    },
    /// A reply is due: envelope, then any reply frames so far.
    Reply {
        pipe: Option<PipeId>,
        frames: Vec<Msg>,
    },
}

/// The REP pattern.
#[derive(Debug, Default)]
pub(crate) struct Rep {
    rotation: Rotation,
    state: State,
}

/// Reads the envelope of `first`'s message (up to and including the empty delimiter).
/// `None` when the message has no delimiter or no body; its frames are then consumed.
fn read_envelope(pipes: &mut dyn Pipes, id: PipeId, first: Msg) -> Option<Vec<Msg>> {
    let mut envelope = Vec::new();
    let mut frame = first;
    loop {
        if !frame.more() {
            return None;
        }
        let delimiter = frame.is_empty();
        envelope.push(frame);
        if delimiter {
            return Some(envelope);
        }
        frame = pipes.try_recv(id)?;
    }
}

impl Pattern for Rep {
    fn attach(&mut self, _pipes: &mut dyn Pipes, id: PipeId) {
        self.rotation.attach(id);
    }

    fn detach(&mut self, id: PipeId) {
        self.rotation.detach(id);
        match &mut self.state {
            State::Reply { pipe, .. } if *pipe == Some(id) => *pipe = None,
            State::Body { pipe, .. } if *pipe == id => self.state = State::Idle,
            _ => {}
        }
    }

    fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        let State::Reply { pipe, frames } = &mut self.state else {
            return Err(SendError::Fail(Error::Fsm, msg));
        };
        let last = !msg.more();
        frames.push(msg);
        if last {
            // Like libzmq, a reply to a peer that is gone or at its HWM is dropped.
            if let Some(id) = pipe.filter(|&id| pipes.can_send(id)) {
                pipes.send_frames(id, std::mem::take(frames));
            }
            self.state = State::Idle;
        }
        Ok(())
    }

    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        if matches!(self.state, State::Idle) && !self.fetch_request(pipes) {
            return Err(Error::Again);
        }
        let State::Body {
            pipe,
            envelope,
            next,
        } = &mut self.state
        else {
            return Err(Error::Fsm);
        };
        let id = *pipe;
        let m = match next.take() {
            Some(m) => m,
            None => pipes.try_recv(id).ok_or(Error::Again)?,
        };
        if !m.more() {
            let frames = std::mem::take(envelope);
            self.state = State::Reply {
                pipe: Some(id),
                frames,
            };
        }
        Ok(m)
    }

    /// Not while a reply is due (libzmq's `rep_t::xhas_in`); otherwise when the rest of a
    /// request, or a valid new one, is here. Requests recv would drop are dropped.
    fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool {
        match self.state {
            State::Reply { .. } => false,
            State::Body { .. } => true,
            State::Idle => self.fetch_request(pipes),
        }
    }

    /// Only while a reply is due; it never blocks (a peer at its HWM misses it).
    fn has_out(&mut self, _pipes: &mut dyn Pipes) -> bool {
        matches!(self.state, State::Reply { .. })
    }
}

impl Rep {
    /// Reads the envelope of the next valid request, fair-queued, and its first body
    /// frame, into `State::Body`; requests without a delimiter or body are dropped.
    /// Returns whether one was found.
    fn fetch_request(&mut self, pipes: &mut dyn Pipes) -> bool {
        loop {
            let Some((id, first)) = self
                .rotation
                .serve(|id| pipes.try_recv(id).map(|m| (id, m)))
            else {
                return false;
            };
            let Some(envelope) = read_envelope(pipes, id, first) else {
                continue;
            };
            let Some(body) = pipes.try_recv(id) else {
                continue;
            };
            self.state = State::Body {
                pipe: id,
                envelope,
                next: Some(body),
            };
            return true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    fn request(pipes: &mut FakePipes, id: PipeId, frames: &[(&str, bool)]) {
        let q = &mut pipes.pipes.get_mut(&id).unwrap().incoming;
        for &(data, more) in frames {
            q.push_back(frame(data, more));
        }
    }

    fn sent(pipes: &FakePipes, id: PipeId) -> Vec<Vec<u8>> {
        pipes.pipes[&id].sent.iter().map(|m| m.to_vec()).collect()
    }

    #[test]
    fn envelope_is_restored_on_the_reply_to_the_asking_peer() {
        let mut pipes = FakePipes::default();
        let mut r = Rep::default();
        for id in 0..2 {
            pipes.add(id, 10);
            r.attach(&mut pipes, id);
        }
        assert_eq!(
            r.send(&mut pipes, frame("x", false)).unwrap_err().fsm(),
            Some(())
        );
        request(
            &mut pipes,
            1,
            &[
                ("addr", true),
                ("", true),
                ("body1", true),
                ("body2", false),
            ],
        );
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"body1");
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"body2");
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Fsm);
        r.send(&mut pipes, frame("re", true)).unwrap();
        r.send(&mut pipes, frame("ply", false)).unwrap();
        assert_eq!(
            sent(&pipes, 1),
            vec![b"addr".to_vec(), vec![], b"re".to_vec(), b"ply".to_vec()]
        );
        assert!(sent(&pipes, 0).is_empty());
    }

    #[test]
    fn requests_without_delimiter_are_dropped_and_fair_queued() {
        let mut pipes = FakePipes::default();
        let mut r = Rep::default();
        for id in 0..2 {
            pipes.add(id, 10);
            r.attach(&mut pipes, id);
        }
        request(&mut pipes, 0, &[("no-delimiter", false)]);
        request(&mut pipes, 0, &[("", true), ("a0", false)]);
        request(&mut pipes, 0, &[("", true), ("a1", false)]);
        request(&mut pipes, 1, &[("", true), ("b0", false)]);
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(r.recv(&mut pipes).unwrap().to_vec());
            r.send(&mut pipes, frame("ok", false)).unwrap();
        }
        // The dropped request used pipe 0's turn.
        assert_eq!(got, vec![b"b0".to_vec(), b"a0".to_vec(), b"a1".to_vec()]);
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Again);
    }

    #[test]
    fn reply_to_a_departed_peer_is_dropped() {
        let mut pipes = FakePipes::default();
        let mut r = Rep::default();
        pipes.add(0, 10);
        r.attach(&mut pipes, 0);
        request(&mut pipes, 0, &[("", true), ("q", false)]);
        r.recv(&mut pipes).unwrap();
        r.detach(0);
        r.send(&mut pipes, frame("lost", false)).unwrap();
        assert!(sent(&pipes, 0).is_empty());
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Again);
    }

    impl SendError {
        fn fsm(self) -> Option<()> {
            matches!(self, SendError::Fail(Error::Fsm, _)).then_some(())
        }
    }

    #[test]
    fn readiness_follows_the_request_reply_cycle() {
        let mut pipes = FakePipes::default();
        let mut r = Rep::default();
        pipes.add(0, 0); // at its HWM: replies to it are dropped, never blocked on
        r.attach(&mut pipes, 0);
        assert!(!r.has_in(&mut pipes) && !r.has_out(&mut pipes));
        assert!(pipes.pipes[&0].reader_waiting);
        request(
            &mut pipes,
            0,
            &[("id", true), ("", true), ("q1", true), ("q2", false)],
        );
        request(&mut pipes, 0, &[("", true), ("next", false)]);
        assert!(r.has_in(&mut pipes));
        assert!(
            !r.has_out(&mut pipes),
            "no reply due before the request is read"
        );
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"q1");
        assert!(r.has_in(&mut pipes), "mid-request");
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"q2");
        assert!(!r.has_in(&mut pipes), "a reply is due first");
        assert!(r.has_out(&mut pipes));
        r.send(&mut pipes, frame("a", true)).unwrap();
        assert!(r.has_out(&mut pipes), "mid-reply");
        assert!(!r.has_in(&mut pipes));
        r.send(&mut pipes, frame("b", false)).unwrap();
        assert!(!r.has_out(&mut pipes));
        assert!(r.has_in(&mut pipes));
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"next");
    }

    #[test]
    fn has_in_drops_invalid_requests_and_keeps_the_valid_one() {
        let mut pipes = FakePipes::default();
        let mut r = Rep::default();
        for id in 0..2 {
            pipes.add(id, 10);
            r.attach(&mut pipes, id);
        }
        request(&mut pipes, 0, &[("no-delimiter", false)]);
        request(&mut pipes, 1, &[("addr", true), ("no-body", true)]);
        assert!(!r.has_in(&mut pipes));
        assert_eq!(pipes.unread(0) + pipes.unread(1), 0, "both dropped");
        request(&mut pipes, 1, &[("addr", true), ("", true), ("ok", false)]);
        assert!(r.has_in(&mut pipes));
        assert_eq!(pipes.unread(1), 0, "read ahead");
        assert_eq!(r.recv(&mut pipes).unwrap().as_bytes(), b"ok");
        r.send(&mut pipes, frame("done", false)).unwrap();
        assert_eq!(
            sent(&pipes, 1),
            vec![b"addr".to_vec(), vec![], b"done".to_vec()]
        );
    }

    #[test]
    fn a_request_read_ahead_goes_with_its_peer() {
        let mut pipes = FakePipes::default();
        let mut r = Rep::default();
        pipes.add(0, 10);
        r.attach(&mut pipes, 0);
        request(&mut pipes, 0, &[("", true), ("q", false)]);
        assert!(r.has_in(&mut pipes));
        r.detach(0);
        assert!(!r.has_in(&mut pipes));
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Again);
    }
}
