//! PAIR: exactly one peer (libzmq's `pair_t`); a second connection is refused.

use super::dealer::Dealer;
use super::{Pattern, PipeId, Pipes, SendError};
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
    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        self.inner.recv(pipes)
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
}
