//! DEALER: load-balances whole messages out and fair-queues them in, with no envelope
//! handling (libzmq's `dealer_t`). Talking to a REP, the application adds the empty
//! delimiter frame itself.

use super::fair_queue::FairQueue;
use super::load_balancer::LoadBalancer;
use super::{Pattern, PipeId, Pipes, SendError, SlotSendError};
use crate::error::Error;
use crate::msg::Msg;

/// The DEALER pattern.
#[derive(Debug, Default)]
pub(crate) struct Dealer {
    lb: LoadBalancer,
    fq: FairQueue,
}

impl Pattern for Dealer {
    fn attach(&mut self, _pipes: &mut dyn Pipes, id: PipeId) {
        self.lb.attach(id);
        self.fq.attach(id);
    }
    fn detach(&mut self, id: PipeId) {
        self.lb.detach(id);
        self.fq.detach(id);
    }
    fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        self.lb.send(pipes, msg)
    }
    fn send_from(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), SlotSendError> {
        self.lb.send_from(pipes, slot)
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
    fn has_out(&mut self, pipes: &mut dyn Pipes) -> bool {
        self.lb.has_out(pipes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    #[test]
    fn round_robin_out_fair_queue_in() {
        let mut pipes = FakePipes::default();
        let mut d = Dealer::default();
        for id in 0..2 {
            pipes.add(id, 10);
            d.attach(&mut pipes, id);
            let tag = format!("from{id}");
            pipes
                .pipes
                .get_mut(&id)
                .unwrap()
                .incoming
                .push_back(frame(&tag, false));
        }
        for _ in 0..4 {
            d.send(&mut pipes, frame("req", false)).unwrap();
        }
        assert_eq!((pipes.messages_sent(0), pipes.messages_sent(1)), (2, 2));
        assert_eq!(d.recv(&mut pipes).unwrap().as_bytes(), b"from0");
        assert_eq!(d.recv(&mut pipes).unwrap().as_bytes(), b"from1");
        assert_eq!(d.recv(&mut pipes).unwrap_err(), Error::Again);
    }

    #[test]
    fn has_in_is_fair_queued_and_has_out_load_balanced() {
        let mut pipes = FakePipes::default();
        let mut d = Dealer::default();
        assert!(!d.has_in(&mut pipes) && !d.has_out(&mut pipes));
        for id in 0..2 {
            pipes.add(id, 1);
            d.attach(&mut pipes, id);
        }
        assert!(d.has_out(&mut pipes) && !d.has_in(&mut pipes));
        pipes.incoming(1, &[(b"in1", true), (b"in2", false)]);
        assert!(d.has_in(&mut pipes));
        assert_eq!(d.recv(&mut pipes).unwrap().as_bytes(), b"in1");
        assert!(d.has_in(&mut pipes), "mid-message");
        assert_eq!(d.recv(&mut pipes).unwrap().as_bytes(), b"in2");
        assert!(!d.has_in(&mut pipes));
        d.send(&mut pipes, frame("a", false)).unwrap();
        assert!(d.has_out(&mut pipes), "pipe 1 still has room");
        d.send(&mut pipes, frame("b1", true)).unwrap();
        assert!(d.has_out(&mut pipes), "mid-message");
        d.send(&mut pipes, frame("b2", false)).unwrap();
        assert!(!d.has_out(&mut pipes));
    }
}
