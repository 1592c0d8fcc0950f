//! SUB (and the subscribing half of XSUB): counted subscriptions, sent upstream to every
//! publisher and re-sent when a publisher reconnects; incoming messages are filtered
//! here too, so a publisher that does not filter is harmless.

use super::fair_queue::FairQueue;
use super::trie::TopicCounts;
use super::{not_supported, subscription_msg, Pattern, PipeId, Pipes, SendError};
use crate::error::Error;
use crate::msg::Msg;

/// The state SUB and XSUB share.
#[derive(Debug, Default)]
pub(crate) struct Subscriber {
    topics: TopicCounts,
    fq: FairQueue,
    pipes: Vec<PipeId>,
    /// Pipes whose peer completed a handshake at least once: the next one is a
    /// reconnection, after which the publisher has forgotten our subscriptions.
    connected: Vec<PipeId>,
    /// The message being received matched: its remaining frames pass.
    in_message: bool,
}

impl Subscriber {
    /// A new publisher: it learns every current subscription.
    pub fn attach(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        self.fq.attach(id);
        self.pipes.push(id);
        self.resend(pipes, id);
    }

    /// Sends every subscription to `id` (new pipe, or the peer reconnected).
    fn resend(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        self.topics
            .for_each(|topic| pipes.send_frames(id, vec![subscription_msg(topic, true)]));
    }

    pub fn detach(&mut self, id: PipeId) {
        self.fq.detach(id);
        self.pipes.retain(|&p| p != id);
        self.connected.retain(|&p| p != id);
    }

    /// A connect-side peer completed a handshake: on a reconnection, subscribe again.
    pub fn peer_ready(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        if self.connected.contains(&id) {
            self.resend(pipes, id);
        } else {
            self.connected.push(id);
        }
    }

    /// Sends a subscription message to every publisher. Subscriptions bypass the HWM:
    /// they are tiny, and losing one would silently change what the socket receives.
    pub fn broadcast(&mut self, pipes: &mut dyn Pipes, msg: &Msg) {
        for &id in &self.pipes {
            pipes.send_frames(id, vec![msg.clone()]);
        }
    }

    /// Counts a subscription (`on`) or cancellation; returns whether it changes what the
    /// publishers must know (first subscription or last cancellation of the topic).
    pub fn count(&mut self, topic: &[u8], on: bool) -> bool {
        if on {
            self.topics.add(topic)
        } else {
            self.topics.remove(topic)
        }
    }

    /// The next frame of a message matching a subscription.
    pub fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        loop {
            let msg = self.fq.recv(pipes)?;
            if self.in_message || self.topics.matches(&msg) {
                self.in_message = msg.more();
                return Ok(msg);
            }
            // Not subscribed: skip the rest of this message (it is all there already).
            let mut more = msg.more();
            while more {
                more = self.fq.recv(pipes)?.more();
            }
        }
    }
}

/// The SUB pattern (libzmq's `sub_t`).
#[derive(Debug, Default)]
pub(crate) struct Sub {
    core: Subscriber,
}

impl Pattern for Sub {
    fn attach(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        self.core.attach(pipes, id);
    }
    fn detach(&mut self, id: PipeId) {
        self.core.detach(id);
    }
    fn send(&mut self, _pipes: &mut dyn Pipes, _msg: Msg) -> Result<(), SendError> {
        not_supported().map_err(SendError::Fail)
    }
    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        self.core.recv(pipes)
    }
    fn peer_ready(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        self.core.peer_ready(pipes, id);
    }
    fn subscribe(&mut self, pipes: &mut dyn Pipes, topic: &[u8], on: bool) -> Result<(), Error> {
        if self.core.count(topic, on) {
            self.core.broadcast(pipes, &subscription_msg(topic, on));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    #[test]
    fn counted_subscriptions_go_upstream_once() {
        let mut pipes = FakePipes::default();
        let mut s = Sub::default();
        pipes.add(0, 10);
        s.attach(&mut pipes, 0);
        s.subscribe(&mut pipes, b"A", true).unwrap();
        s.subscribe(&mut pipes, b"A", true).unwrap();
        assert_eq!(pipes.pipes[&0].sent.len(), 1);
        s.subscribe(&mut pipes, b"A", false).unwrap();
        assert_eq!(pipes.pipes[&0].sent.len(), 1);
        s.subscribe(&mut pipes, b"A", false).unwrap();
        assert_eq!(pipes.pipes[&0].sent[1].as_bytes(), b"\x00A");
        // Cancelling what was never subscribed sends nothing and is not an error.
        s.subscribe(&mut pipes, b"Z", false).unwrap();
        assert_eq!(pipes.pipes[&0].sent.len(), 2);
    }

    #[test]
    fn new_and_reconnected_publishers_learn_all_topics() {
        let mut pipes = FakePipes::default();
        let mut s = Sub::default();
        s.subscribe(&mut pipes, b"A", true).unwrap();
        s.subscribe(&mut pipes, b"B", true).unwrap();
        pipes.add(0, 10);
        s.attach(&mut pipes, 0);
        assert_eq!(pipes.pipes[&0].sent.len(), 2);
        s.peer_ready(&mut pipes, 0); // first connection: already sent at attach
        assert_eq!(pipes.pipes[&0].sent.len(), 2);
        s.peer_ready(&mut pipes, 0); // reconnection: the publisher forgot them
        assert_eq!(pipes.pipes[&0].sent.len(), 4);
    }

    #[test]
    fn filters_whole_messages() {
        let mut pipes = FakePipes::default();
        let mut s = Sub::default();
        pipes.add(0, 10);
        s.attach(&mut pipes, 0);
        s.subscribe(&mut pipes, b"A", true).unwrap();
        let q = &mut pipes.pipes.get_mut(&0).unwrap().incoming;
        q.push_back(frame("B", true));
        q.push_back(frame("A-looking body", false));
        q.push_back(frame("Ax", true));
        q.push_back(frame("body", false));
        assert_eq!(s.recv(&mut pipes).unwrap().as_bytes(), b"Ax");
        assert_eq!(s.recv(&mut pipes).unwrap().as_bytes(), b"body");
        assert_eq!(s.recv(&mut pipes).unwrap_err(), Error::Again);
        assert!(matches!(
            s.send(&mut pipes, frame("x", false)),
            Err(SendError::Fail(Error::NotSup))
        ));
    }
}
