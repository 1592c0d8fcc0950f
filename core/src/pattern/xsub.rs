//! XSUB: a SUB whose subscriptions are messages the application sends (`0x01 topic`,
//! `0x00 topic`); other messages it sends go to every publisher. With XPUB it makes a
//! forwarding proxy.

use super::dist::Distributor;
use super::sub::Subscriber;
use super::{parse_subscription, Pattern, PatternOption, PipeId, Pipes, SendError};
use crate::error::Error;
use crate::msg::Msg;

/// The XSUB pattern (libzmq's `xsub_t`).
#[derive(Debug)]
pub(crate) struct Xsub {
    core: Subscriber,
    dist: Distributor,
    pipes: Vec<PipeId>,
    /// Sending a multipart data message upstream.
    in_message: bool,
}

impl Default for Xsub {
    fn default() -> Xsub {
        Xsub {
            // As libzmq's XSUB: incoming messages are not filtered (the publisher
            // filters; a proxy forwards whatever arrives), so INVERT_MATCHING has no
            // effect here either.
            core: Subscriber::unfiltered(),
            dist: Distributor::default(),
            pipes: Vec::new(),
            in_message: false,
        }
    }
}

impl Pattern for Xsub {
    fn attach(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        self.core.attach(pipes, id);
        self.pipes.push(id);
    }
    fn detach(&mut self, id: PipeId) {
        self.core.detach(id);
        self.dist.detach(id);
        self.pipes.retain(|&p| p != id);
    }
    fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        if !self.in_message {
            if let Some((on, topic)) = parse_subscription(&msg) {
                // Every subscribe goes up (a proxy forwards them all); a cancel only when
                // it was the topic's last, as in libzmq.
                if self.core.count(topic, on) || on {
                    self.core.broadcast(pipes, &msg);
                }
                return Ok(());
            }
        }
        self.in_message = msg.more();
        let all = &self.pipes;
        self.dist
            .send(pipes, msg, |_, targets| targets.extend_from_slice(all));
        Ok(())
    }
    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        self.core.recv(pipes)
    }
    fn recv_into(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), Error> {
        self.core.recv_into(pipes, slot)
    }
    fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool {
        self.core.has_in(pipes)
    }
    /// Subscriptions are always accepted, and data upstream drops at the HWM.
    fn has_out(&mut self, _pipes: &mut dyn Pipes) -> bool {
        true
    }
    fn peer_ready(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        self.core.peer_ready(pipes, id);
    }
    fn set_option(&mut self, opt: PatternOption) -> Result<(), Error> {
        match opt {
            PatternOption::InvertMatching(on) => self.core.invert = on,
            _ => return Err(Error::Invalid),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::super::subscription_msg;
    use super::*;

    #[test]
    fn subscriptions_are_messages_and_data_goes_to_all() {
        let mut pipes = FakePipes::default();
        let mut x = Xsub::default();
        for id in 0..2 {
            pipes.add(id, 10);
            x.attach(&mut pipes, id);
        }
        x.send(&mut pipes, subscription_msg(b"T", true)).unwrap();
        x.send(&mut pipes, subscription_msg(b"T", true)).unwrap();
        x.send(&mut pipes, subscription_msg(b"T", false)).unwrap();
        x.send(&mut pipes, frame("up", false)).unwrap();
        for id in 0..2 {
            let sent: Vec<&[u8]> = pipes.pipes[&id].sent.iter().map(|m| m.as_bytes()).collect();
            assert_eq!(sent, vec![&b"\x01T"[..], b"\x01T", b"up"]);
        }
        pipes
            .pipes
            .get_mut(&0)
            .unwrap()
            .incoming
            .push_back(frame("T1", false));
        pipes
            .pipes
            .get_mut(&1)
            .unwrap()
            .incoming
            .push_back(frame("U1", false));
        // Unfiltered, as libzmq's XSUB: "U1" was never subscribed to and still arrives.
        let mut got = [x.recv(&mut pipes).unwrap(), x.recv(&mut pipes).unwrap()];
        got.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        assert_eq!(got[0].as_bytes(), b"T1");
        assert_eq!(got[1].as_bytes(), b"U1");
        assert_eq!(x.recv(&mut pipes).unwrap_err(), Error::Again);
    }

    #[test]
    fn has_in_does_not_filter_and_has_out_is_always() {
        let mut pipes = FakePipes::default();
        let mut x = Xsub::default();
        assert!(x.has_out(&mut pipes), "no publishers");
        pipes.add(0, 0);
        x.attach(&mut pipes, 0);
        x.send(&mut pipes, subscription_msg(b"T", true)).unwrap();
        x.send(&mut pipes, frame("dropped at the HWM", false))
            .unwrap();
        assert!(x.has_out(&mut pipes));
        x.set_option(PatternOption::InvertMatching(true)).unwrap();
        pipes.incoming(0, &[(b"U", false), (b"T1", true), (b"T2", false)]);
        assert!(x.has_in(&mut pipes));
        assert_eq!(pipes.unread(0), 2, "U prefetched, kept");
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"U");
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"T1");
        assert!(x.has_in(&mut pipes), "mid-message");
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"T2");
        assert!(!x.has_in(&mut pipes));
    }
}
