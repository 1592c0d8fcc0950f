//! PAIR: exactly one peer (libzmq's `pair_t`); a second connection is refused.

use super::dealer::Dealer;
use super::{Pattern, PipeId, Pipes, SendError, SlotSendError};
use crate::error::Error;
use crate::msg::Msg;

/// The PAIR pattern: a DEALER limited to one pipe.
#[derive(Debug, Default)]
pub(crate) struct Pair {
    peer: Option<PipeId>,
    inner: Dealer,
}

impl Pattern for Pair {
    fn attach(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        if self.peer.is_some() {
            pipes.reject(id);
            return;
        }
        self.peer = Some(id);
        self.inner.attach(pipes, id);
    }
    fn detach(&mut self, id: PipeId) {
        if self.peer == Some(id) {
            self.peer = None;
            self.inner.detach(id);
        }
    }
    fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        self.inner.send(pipes, msg)
    }
    fn send_from(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), SlotSendError> {
        self.inner.send_from(pipes, slot)
    }
    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        self.inner.recv(pipes)
    }
    fn recv_into(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), Error> {
        self.inner.recv_into(pipes, slot)
    }
    fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool {
        self.inner.has_in(pipes)
    }
    fn has_out(&mut self, pipes: &mut dyn Pipes) -> bool {
        self.inner.has_out(pipes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    #[test]
    fn second_peer_is_refused_and_the_slot_frees_on_detach() {
        let mut pipes = FakePipes::default();
        let mut p = Pair::default();
        for id in 0..3 {
            pipes.add(id, 10);
        }
        p.attach(&mut pipes, 0);
        p.attach(&mut pipes, 1);
        assert!(pipes.pipes[&1].rejected);
        p.send(&mut pipes, frame("x", false)).unwrap();
        assert_eq!(pipes.messages_sent(0), 1);
        p.detach(0);
        p.attach(&mut pipes, 2);
        assert!(!pipes.pipes[&2].rejected);
    }

    #[test]
    fn readiness_is_that_of_the_one_peer() {
        let mut pipes = FakePipes::default();
        let mut p = Pair::default();
        assert!(!p.has_in(&mut pipes) && !p.has_out(&mut pipes), "no peer");
        pipes.add(0, 1);
        pipes.add(1, 10);
        p.attach(&mut pipes, 0);
        p.attach(&mut pipes, 1); // refused: its messages do not count
        pipes.incoming(1, &[(b"stranger", false)]);
        assert!(!p.has_in(&mut pipes));
        pipes.incoming(0, &[(b"hi", true), (b"there", false)]);
        assert!(p.has_in(&mut pipes));
        assert_eq!(p.recv(&mut pipes).unwrap().as_bytes(), b"hi");
        assert!(p.has_in(&mut pipes), "mid-message");
        assert_eq!(p.recv(&mut pipes).unwrap().as_bytes(), b"there");
        assert!(!p.has_in(&mut pipes));
        assert!(p.has_out(&mut pipes));
        p.send(&mut pipes, frame("x", true)).unwrap();
        assert!(p.has_out(&mut pipes), "mid-message");
        p.send(&mut pipes, frame("y", false)).unwrap();
        assert!(!p.has_out(&mut pipes), "at the HWM");
        p.detach(0);
        assert!(!p.has_out(&mut pipes));
    }
}
