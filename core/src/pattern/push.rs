//! PUSH: load-balances messages to its PULL peers and receives nothing.

use super::load_balancer::LoadBalancer;
use super::{not_supported, Pattern, PipeId, Pipes, SendError, SlotSendError};
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
    fn send_from(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), SlotSendError> {
        self.lb.send_from(pipes, slot)
    }
    fn recv(&mut self, _pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        not_supported()
    }
    fn has_in(&mut self, _pipes: &mut dyn Pipes) -> bool {
        false
    }
    fn has_out(&mut self, pipes: &mut dyn Pipes) -> bool {
        self.lb.has_out(pipes)
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

    #[test]
    fn has_out_follows_pipe_room_and_has_in_is_never() {
        let mut pipes = FakePipes::default();
        let mut push = Push::default();
        assert!(!push.has_out(&mut pipes), "no peers: a send would block");
        pipes.add(0, 1);
        push.attach(&mut pipes, 0);
        assert!(push.has_out(&mut pipes));
        push.send(&mut pipes, frame("a", true)).unwrap();
        assert!(push.has_out(&mut pipes), "mid-message");
        push.send(&mut pipes, frame("b", false)).unwrap();
        assert!(!push.has_out(&mut pipes), "at the HWM");
        assert!(pipes.pipes[&0].writer_waiting);
        pipes.incoming(0, &[(b"x", false)]);
        assert!(!push.has_in(&mut pipes));
    }
}
