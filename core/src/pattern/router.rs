//! ROUTER: addresses peers by routing id (libzmq's `router_t`).
//!
//! Every message received is prefixed with the routing id of the peer it came from; a
//! message sent is routed by its first frame. A peer's routing id is, in order: the
//! CONNECT_ROUTING_ID the socket gave that connection, the `Identity` the peer announced,
//! or a generated 5-byte id (`0x00` + a big-endian counter from a random start, as libzmq
//! makes them). A message for an unknown peer, or one at its HWM, is dropped, unless
//! ROUTER_MANDATORY turns that into EHOSTUNREACH / EAGAIN. A second peer claiming a
//! routing id in use is refused, unless ROUTER_HANDOVER gives it the id.

use super::fair_queue::FairQueue;
use super::{Pattern, PatternOption, PipeId, Pipes, SendError};
use crate::error::Error;
use crate::msg::Msg;
use bytes::Bytes;
use std::collections::HashMap;

/// A message on its way out: where it goes (`None`: dropped) and its frames so far.
#[derive(Debug)]
struct Outgoing {
    target: Option<PipeId>,
    frames: Vec<Msg>,
}

/// The ROUTER pattern.
#[derive(Debug)]
pub(crate) struct Router {
    fq: FairQueue,
    by_id: HashMap<Bytes, PipeId>,
    ids: HashMap<PipeId, Bytes>,
    next_generated: u32,
    mandatory: bool,
    handover: bool,
    /// The routing-id frame of a message `has_in` read ahead, for `recv`, and the pipe
    /// the message came from.
    prefetched_id: Option<(PipeId, Msg)>,
    /// The first frame of a received message, returned after its routing-id frame.
    pending: Option<Msg>,
    /// Returning the frames of a received message.
    in_message: bool,
    out: Option<Outgoing>,
}

impl Router {
    /// A ROUTER whose generated ids count up from `seed`. The socket passes a random
    /// value, as libzmq does; tests pass a fixed one.
    pub fn new(seed: u32) -> Router {
        Router {
            fq: FairQueue::default(),
            by_id: HashMap::new(),
            ids: HashMap::new(),
            next_generated: seed,
            mandatory: false,
            handover: false,
            prefetched_id: None,
            pending: None,
            in_message: false,
            out: None,
        }
    }

    fn generate(&mut self) -> Bytes {
        loop {
            let mut id = vec![0u8];
            id.extend_from_slice(&self.next_generated.to_be_bytes());
            self.next_generated = self.next_generated.wrapping_add(1);
            let id = Bytes::from(id);
            if !self.by_id.contains_key(&id) {
                return id;
            }
        }
    }

    /// Gives pipe `id` its routing id once the peer's identity is known.
    fn identify(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        if self.ids.contains_key(&id) {
            return;
        }
        let Some(announced) = pipes.routing_id(id) else {
            return; // handshake pending: peer_ready comes later
        };
        let rid = if announced.is_empty() {
            self.generate()
        } else {
            announced
        };
        if let Some(&old) = self.by_id.get(&rid) {
            if !self.handover {
                pipes.reject(id);
                return;
            }
            // The newcomer takes the id over; the old connection goes.
            self.forget(old);
            pipes.reject(old);
        }
        self.by_id.insert(rid.clone(), id);
        self.ids.insert(id, rid);
        self.fq.attach(id);
    }

    /// Reads the next message's first frame into `pending`; returns its pipe and the
    /// routing-id frame that goes before it.
    fn fetch(&mut self, pipes: &mut dyn Pipes) -> Result<(PipeId, Msg), Error> {
        let (id, m) = self.fq.recv_with_pipe(pipes)?;
        self.pending = Some(m);
        let rid = self.ids.get(&id).cloned().unwrap_or_default();
        let mut frame = Msg::from_bytes(rid);
        frame.set_more(true);
        Ok((id, frame))
    }

    fn forget(&mut self, id: PipeId) {
        self.fq.detach(id);
        // A message read ahead but not begun goes if the rest of it went with the pipe.
        if matches!(&self.prefetched_id, Some((p, _)) if *p == id)
            && self.pending.as_ref().is_some_and(Msg::more)
        {
            self.prefetched_id = None;
            self.pending = None;
        }
        if let Some(rid) = self.ids.remove(&id) {
            self.by_id.remove(&rid);
        }
        if let Some(out) = &mut self.out {
            if out.target == Some(id) {
                out.target = None;
                out.frames.clear();
            }
        }
    }
}

impl Pattern for Router {
    fn attach(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        self.identify(pipes, id);
    }

    fn detach(&mut self, id: PipeId) {
        self.forget(id);
    }

    fn peer_ready(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        self.identify(pipes, id);
    }

    fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        let Some(out) = &mut self.out else {
            // The routing-id frame picks the peer.
            if !msg.more() {
                return Ok(()); // a lone id frame routes nothing, as in libzmq
            }
            let target = match self.by_id.get(msg.as_bytes()) {
                Some(&id) if pipes.can_send(id) => Some(id),
                Some(_) if self.mandatory => return Err(SendError::Again(msg)),
                None if self.mandatory => return Err(SendError::Fail(Error::HostUnreach, msg)),
                _ => None,
            };
            self.out = Some(Outgoing {
                target,
                frames: Vec::new(),
            });
            return Ok(());
        };
        let last = !msg.more();
        if out.target.is_some() {
            out.frames.push(msg);
        }
        if last {
            if let Some(Outgoing {
                target: Some(id),
                frames,
            }) = self.out.take()
            {
                pipes.send_frames(id, frames);
            }
            self.out = None;
        }
        Ok(())
    }

    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        if let Some((_, frame)) = self.prefetched_id.take() {
            return Ok(frame);
        }
        if let Some(m) = self.pending.take() {
            self.in_message = m.more();
            return Ok(m);
        }
        if self.in_message {
            let m = self.fq.recv(pipes)?;
            self.in_message = m.more();
            return Ok(m);
        }
        self.fetch(pipes).map(|(_, frame)| frame)
    }

    /// The rest of a message, or a new one read ahead (libzmq's `router_t::xhas_in`).
    fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool {
        if self.in_message || self.pending.is_some() {
            return true;
        }
        self.prefetched_id = self.fetch(pipes).ok();
        self.prefetched_id.is_some()
    }

    /// Always (messages for unknown or full peers are dropped), except with
    /// ROUTER_MANDATORY: then mid-message, or when some peer has room (libzmq's
    /// `router_t::xhas_out`).
    fn has_out(&mut self, pipes: &mut dyn Pipes) -> bool {
        !self.mandatory || self.out.is_some() || self.by_id.values().any(|&id| pipes.can_send(id))
    }

    fn set_option(&mut self, opt: PatternOption) -> Result<(), Error> {
        match opt {
            PatternOption::RouterMandatory(on) => self.mandatory = on,
            PatternOption::RouterHandover(on) => self.handover = on,
            _ => return Err(Error::Invalid),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    fn peer(pipes: &mut FakePipes, r: &mut Router, id: PipeId, rid: &'static [u8]) {
        pipes.add(id, 10);
        pipes.pipes.get_mut(&id).unwrap().routing_id = Some(Bytes::from_static(rid));
        r.attach(pipes, id);
    }

    fn recv_all(r: &mut Router, pipes: &mut FakePipes) -> Vec<Vec<u8>> {
        let mut out = vec![];
        loop {
            let m = r.recv(pipes).unwrap();
            out.push(m.to_vec());
            if !m.more() {
                return out;
            }
        }
    }

    #[test]
    fn prefixes_ids_and_routes_by_the_first_frame() {
        let mut pipes = FakePipes::default();
        let mut r = Router::new(0);
        peer(&mut pipes, &mut r, 0, b"alice");
        peer(&mut pipes, &mut r, 1, b"");
        let q = &mut pipes.pipes.get_mut(&1).unwrap().incoming;
        q.push_back(frame("", true));
        q.push_back(frame("hi", false));
        let got = recv_all(&mut r, &mut pipes);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].len(), 5);
        assert_eq!(got[0][0], 0, "generated ids start with a zero byte");
        assert_eq!(&got[1..], &[vec![], b"hi".to_vec()]);
        for id in [&got[0][..], b"alice"] {
            r.send(&mut pipes, Msg::from(id).tap_more()).unwrap();
            r.send(&mut pipes, frame("reply", false)).unwrap();
        }
        assert_eq!(pipes.pipes[&1].sent.len(), 1);
        assert_eq!(pipes.pipes[&0].sent.len(), 1);
    }

    #[test]
    fn generated_ids_count_up_from_the_seed_and_wrap() {
        let mut pipes = FakePipes::default();
        let mut r = Router::new(u32::MAX);
        for id in 0..2 {
            peer(&mut pipes, &mut r, id, b"");
            pipes
                .pipes
                .get_mut(&id)
                .unwrap()
                .incoming
                .push_back(frame("x", false));
        }
        let ids: Vec<Vec<u8>> = (0..2)
            .map(|_| recv_all(&mut r, &mut pipes).remove(0))
            .collect();
        assert_eq!(ids, [vec![0, 0xff, 0xff, 0xff, 0xff], vec![0, 0, 0, 0, 0]]);
    }

    #[test]
    fn unknown_peers_drop_or_fail_with_mandatory() {
        let mut pipes = FakePipes::default();
        let mut r = Router::new(0);
        r.send(&mut pipes, frame("nobody", true)).unwrap();
        r.send(&mut pipes, frame("x", false)).unwrap();
        r.set_option(PatternOption::RouterMandatory(true)).unwrap();
        assert!(matches!(
            r.send(&mut pipes, frame("nobody", true)),
            Err(SendError::Fail(Error::HostUnreach, _))
        ));
    }

    #[test]
    fn duplicate_ids_are_refused_or_handed_over() {
        let mut pipes = FakePipes::default();
        let mut r = Router::new(0);
        peer(&mut pipes, &mut r, 0, b"same");
        peer(&mut pipes, &mut r, 1, b"same");
        assert!(pipes.pipes[&1].rejected);
        r.set_option(PatternOption::RouterHandover(true)).unwrap();
        peer(&mut pipes, &mut r, 2, b"same");
        assert!(pipes.pipes[&0].rejected);
        r.send(&mut pipes, frame("same", true)).unwrap();
        r.send(&mut pipes, frame("to-new", false)).unwrap();
        assert_eq!(pipes.pipes[&2].sent.len(), 1);
    }

    #[test]
    fn pending_handshake_is_identified_when_ready() {
        let mut pipes = FakePipes::default();
        let mut r = Router::new(0);
        pipes.add(0, 10);
        r.attach(&mut pipes, 0);
        r.send(&mut pipes, frame("late", true)).unwrap();
        r.send(&mut pipes, frame("lost", false)).unwrap();
        assert!(pipes.pipes[&0].sent.is_empty());
        pipes.pipes.get_mut(&0).unwrap().routing_id = Some(Bytes::from_static(b"late"));
        r.peer_ready(&mut pipes, 0);
        r.send(&mut pipes, frame("late", true)).unwrap();
        r.send(&mut pipes, frame("found", false)).unwrap();
        assert_eq!(pipes.pipes[&0].sent.len(), 1);
    }

    trait TapMore {
        fn tap_more(self) -> Msg;
    }
    impl TapMore for Msg {
        fn tap_more(mut self) -> Msg {
            self.set_more(true);
            self
        }
    }

    #[test]
    fn has_in_reads_ahead_and_recv_returns_the_id_then_the_message() {
        let mut pipes = FakePipes::default();
        let mut r = Router::new(0);
        peer(&mut pipes, &mut r, 0, b"alice");
        peer(&mut pipes, &mut r, 1, b"bob");
        assert!(!r.has_in(&mut pipes));
        assert!(pipes.pipes[&0].reader_waiting && pipes.pipes[&1].reader_waiting);
        let q = &mut pipes.pipes.get_mut(&1).unwrap().incoming;
        q.push_back(frame("b1", true));
        q.push_back(frame("b2", false));
        pipes
            .pipes
            .get_mut(&0)
            .unwrap()
            .incoming
            .push_back(frame("a", false));
        assert!(r.has_in(&mut pipes));
        assert!(r.has_in(&mut pipes), "asking again reads nothing more");
        assert_eq!(
            (pipes.unread(0), pipes.unread(1)),
            (0, 2),
            "alice's turn first"
        );
        let mut got = vec![];
        for _ in 0..5 {
            assert!(r.has_in(&mut pipes), "mid-message or next message");
            got.push(r.recv(&mut pipes).unwrap().to_vec());
        }
        assert_eq!(
            got,
            [&b"alice"[..], b"a", b"bob", b"b1", b"b2"].map(<[u8]>::to_vec)
        );
        assert!(!r.has_in(&mut pipes));
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Again);
    }

    #[test]
    fn has_out_is_always_unless_mandatory() {
        let mut pipes = FakePipes::default();
        let mut r = Router::new(0);
        assert!(r.has_out(&mut pipes), "no peers: messages are dropped");
        r.set_option(PatternOption::RouterMandatory(true)).unwrap();
        assert!(!r.has_out(&mut pipes), "no peers: EHOSTUNREACH");
        pipes.add(0, 1);
        pipes.pipes.get_mut(&0).unwrap().routing_id = Some(Bytes::from_static(b"p"));
        r.attach(&mut pipes, 0);
        assert!(r.has_out(&mut pipes));
        r.send(&mut pipes, frame("p", true)).unwrap();
        assert!(r.has_out(&mut pipes), "mid-message");
        r.send(&mut pipes, frame("x", false)).unwrap();
        assert!(!r.has_out(&mut pipes), "the only peer is at its HWM");
        assert!(pipes.pipes[&0].writer_waiting);
        r.set_option(PatternOption::RouterMandatory(false)).unwrap();
        assert!(r.has_out(&mut pipes), "it would be dropped, not blocked on");
    }

    #[test]
    fn a_message_read_ahead_survives_its_pipe_only_whole() {
        let mut pipes = FakePipes::default();
        let mut r = Router::new(0);
        peer(&mut pipes, &mut r, 0, b"whole");
        peer(&mut pipes, &mut r, 1, b"part");
        pipes.incoming(0, &[(b"w", false)]);
        assert!(r.has_in(&mut pipes));
        r.detach(0);
        assert_eq!(
            recv_all(&mut r, &mut pipes),
            [b"whole".to_vec(), b"w".to_vec()]
        );
        pipes.incoming(1, &[(b"p1", true), (b"p2", false)]);
        assert!(r.has_in(&mut pipes));
        r.detach(1);
        assert!(!r.has_in(&mut pipes));
        assert_eq!(r.recv(&mut pipes).unwrap_err(), Error::Again);
    }
}
