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
    fn send(&mut self, _pipes: &mut dyn Pipes, _msg: Msg) -> Result<(), SendError> {
        not_supported().map_err(SendError::Fail)
    }
    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        self.fq.recv(pipes)
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
            Err(SendError::Fail(Error::NotSup))
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
}
