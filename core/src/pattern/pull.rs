//! PULL: fair-queues messages from its PUSH peers and sends nothing.

use super::fair_queue::FairQueue;
use super::{not_supported, Pattern, PipeId, Pipes, SendError};
use crate::error::Error;
use crate::msg::Msg;

/// The PULL pattern (libzmq's `pull_t`).
#[derive(Debug, Default)]
pub(crate) struct Pull {
    fq: FairQueue,
}

impl Pattern for Pull {
    fn attach(&mut self, _pipes: &mut dyn Pipes, id: PipeId) {
        self.fq.attach(id);
    }
    fn detach(&mut self, id: PipeId) {
        self.fq.detach(id);
    }
    fn send(&mut self, _pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        not_supported().map_err(|e| SendError::Fail(e, msg))
    }
    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        self.fq.recv(pipes)
    }
    fn recv_into(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), Error> {
        self.fq.recv_into(pipes, slot).map(|_| ())
    }
    fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool {
        self.fq.has_in(pipes)
    }
    fn has_out(&mut self, _pipes: &mut dyn Pipes) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    #[test]
    fn pull_cannot_send_and_receives_in_turn() {
        let mut pipes = FakePipes::default();
        let mut pull = Pull::default();
        assert!(matches!(
            pull.send(&mut pipes, frame("x", false)),
            Err(SendError::Fail(Error::NotSup, _))
        ));
        assert_eq!(pull.recv(&mut pipes).unwrap_err(), Error::Again);
        pipes.add(1, 0);
        pull.attach(&mut pipes, 1);
        pipes
            .pipes
            .get_mut(&1)
            .unwrap()
            .incoming
            .push_back(frame("y", false));
        assert_eq!(&pull.recv(&mut pipes).unwrap()[..], b"y");
    }

    #[test]
    fn has_in_follows_waiting_messages_and_has_out_is_never() {
        let mut pipes = FakePipes::default();
        let mut pull = Pull::default();
        pipes.add(0, 10);
        pull.attach(&mut pipes, 0);
        assert!(!pull.has_out(&mut pipes));
        assert!(!pull.has_in(&mut pipes));
        assert!(pipes.pipes[&0].reader_waiting);
        pipes.incoming(0, &[(b"a", true), (b"b", false)]);
        assert!(pull.has_in(&mut pipes));
        assert!(pull.has_in(&mut pipes), "asking twice takes nothing");
        assert_eq!(pull.recv(&mut pipes).unwrap().as_bytes(), b"a");
        assert!(pull.has_in(&mut pipes), "mid-message");
        assert_eq!(pull.recv(&mut pipes).unwrap().as_bytes(), b"b");
        assert!(!pull.has_in(&mut pipes));
    }
}
