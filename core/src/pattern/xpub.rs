//! XPUB: a PUB that also hands the application the subscriptions it receives
//! (`0x01 topic` / `0x00 topic`) and any other messages peers send up.

use super::publish::{Publisher, Upstream};
use super::{subscription_msg, Pattern, PatternOption, PipeId, Pipes, SendError, SlotSendError};
use crate::error::Error;
use crate::msg::Msg;
use std::collections::VecDeque;

/// The XPUB pattern (libzmq's `xpub_t`).
#[derive(Debug, Default)]
pub(crate) struct Xpub {
    core: Publisher,
    /// Messages for `recv`, in arrival order.
    pending: VecDeque<Upstream>,
}

impl Pattern for Xpub {
    fn attach(&mut self, _pipes: &mut dyn Pipes, id: PipeId) {
        self.core.attach(id);
    }
    fn detach(&mut self, id: PipeId) {
        // A departed subscriber's topics are cancelled upstream, as in libzmq.
        let pending = &mut self.pending;
        self.core.detach(id, |topic| {
            pending.push_back((subscription_msg(topic, false), None))
        });
    }
    fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        self.core.send(pipes, msg)
    }
    fn send_from(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), SlotSendError> {
        self.core.send_from(pipes, slot)
    }
    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        if self.pending.is_empty() {
            self.core.read_peers(pipes, Some(&mut self.pending));
        }
        let entry = self.pending.pop_front().ok_or(Error::Again)?;
        self.core.received(&entry);
        Ok(entry.0)
    }
    fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool {
        if self.pending.is_empty() {
            self.core.read_peers(pipes, Some(&mut self.pending));
        }
        !self.pending.is_empty()
    }
    /// As PUB: never blocks.
    fn has_out(&mut self, _pipes: &mut dyn Pipes) -> bool {
        true
    }
    fn process_inbound(&mut self, pipes: &mut dyn Pipes) {
        self.core.read_peers(pipes, Some(&mut self.pending));
    }
    fn set_option(&mut self, opt: PatternOption) -> Result<(), Error> {
        self.core.set_option(opt)
    }
    fn subscribe(&mut self, _pipes: &mut dyn Pipes, topic: &[u8], on: bool) -> Result<(), Error> {
        self.core.subscribe(topic, on)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    fn push(pipes: &mut FakePipes, id: PipeId, m: Msg) {
        pipes.pipes.get_mut(&id).unwrap().incoming.push_back(m);
    }

    #[test]
    fn duplicates_are_suppressed_unless_verbose() {
        let mut pipes = FakePipes::default();
        let mut x = Xpub::default();
        for id in 0..2 {
            pipes.add(id, 10);
            x.attach(&mut pipes, id);
            push(&mut pipes, id, subscription_msg(b"T", true));
        }
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"\x01T");
        assert_eq!(x.recv(&mut pipes).unwrap_err(), Error::Again);
        // The first cancel leaves a subscriber: not reported. The last one is.
        push(&mut pipes, 0, subscription_msg(b"T", false));
        assert_eq!(x.recv(&mut pipes).unwrap_err(), Error::Again);
        push(&mut pipes, 1, subscription_msg(b"T", false));
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"\x00T");

        x.set_option(PatternOption::XpubVerbose {
            subscribes: true,
            unsubscribes: true,
        })
        .unwrap();
        for id in 0..2 {
            push(&mut pipes, id, subscription_msg(b"V", true));
        }
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"\x01V");
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"\x01V");
    }

    #[test]
    fn departed_subscriber_topics_are_cancelled_and_data_passes_up() {
        let mut pipes = FakePipes::default();
        let mut x = Xpub::default();
        pipes.add(0, 10);
        x.attach(&mut pipes, 0);
        push(&mut pipes, 0, subscription_msg(b"T", true));
        push(&mut pipes, 0, frame("hello", true));
        push(&mut pipes, 0, frame("world", false));
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"\x01T");
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"hello");
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"world");
        x.detach(0);
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"\x00T");
    }

    #[test]
    fn has_in_when_a_subscription_or_message_is_up_and_has_out_always() {
        let mut pipes = FakePipes::default();
        let mut x = Xpub::default();
        assert!(x.has_out(&mut pipes));
        pipes.add(0, 0);
        x.attach(&mut pipes, 0);
        assert!(!x.has_in(&mut pipes));
        assert!(pipes.pipes[&0].reader_waiting);
        // A duplicate subscription is not reported, so it does not make the socket readable.
        push(&mut pipes, 0, subscription_msg(b"T", true));
        assert!(x.has_in(&mut pipes));
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"\x01T");
        push(&mut pipes, 0, subscription_msg(b"T", true));
        assert!(!x.has_in(&mut pipes));
        push(&mut pipes, 0, frame("up1", true));
        push(&mut pipes, 0, frame("up2", false));
        assert!(x.has_in(&mut pipes));
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"up1");
        assert!(x.has_in(&mut pipes), "mid-message");
        assert_eq!(x.recv(&mut pipes).unwrap().as_bytes(), b"up2");
        assert!(!x.has_in(&mut pipes));
        x.send(&mut pipes, frame("T dropped at the HWM", false))
            .unwrap();
        assert!(x.has_out(&mut pipes));
    }
}
