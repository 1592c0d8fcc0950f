//! PUSH: load-balances messages to its PULL peers and receives nothing.

use super::load_balancer::LoadBalancer;
use super::{not_supported, Pattern, PipeId, Pipes, SendError};
use crate::error::Error;
use crate::msg::Msg;

/// The PUSH pattern (libzmq's `push_t`).
#[derive(Debug, Default)]
pub(crate) struct Push {
    lb: LoadBalancer,
}

impl Pattern for Push {
    fn attach(&mut self, _pipes: &mut dyn Pipes, id: PipeId) {
        self.lb.attach(id);
    }
    fn detach(&mut self, id: PipeId) {
        self.lb.detach(id);
    }
    fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        self.lb.send(pipes, msg)
    }
    fn recv(&mut self, _pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        not_supported()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    #[test]
    fn push_cannot_recv_and_blocks_without_peers() {
        let mut pipes = FakePipes::default();
        let mut push = Push::default();
        assert_eq!(push.recv(&mut pipes).unwrap_err(), Error::NotSup);
        assert!(matches!(
            push.send(&mut pipes, frame("x", false)),
            Err(SendError::Again(_))
        ));
        pipes.add(4, 1);
        push.attach(&mut pipes, 4);
        push.send(&mut pipes, frame("x", false)).unwrap();
        assert_eq!(pipes.messages_sent(4), 1);
    }
}
