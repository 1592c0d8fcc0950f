//! PUB (and the publishing half of XPUB): fan-out filtered by subscriptions.
//!
//! Subscriptions arrive from each peer as `0x01 topic` / `0x00 topic` messages (the
//! session turns ZMTP 3.1 SUBSCRIBE/CANCEL commands into the same form), and are kept
//! per pipe in a [`Subscriptions`] radix tree. A message goes to every pipe with a
//! subscription that prefixes its first frame; a pipe at its HWM misses it (PUB never
//! blocks). Other data sent to a PUB by a peer is dropped (CVE-2021-20237).

use super::dist::Distributor;
use super::trie::Subscriptions;
use super::{not_supported, parse_subscription, Pattern, PipeId, Pipes, SendError};
use crate::error::Error;
use crate::msg::Msg;
use std::collections::VecDeque;

/// The state PUB and XPUB share.
#[derive(Debug, Default)]
pub(crate) struct Publisher {
    subs: Subscriptions,
    dist: Distributor,
    pipes: Vec<PipeId>,
    /// XPUB_VERBOSE: pass every subscribe up, not only a topic's first.
    pub verbose_subs: bool,
    /// XPUB_VERBOSER: pass every unsubscribe up, not only a topic's last.
    pub verbose_unsubs: bool,
}

impl Publisher {
    pub fn attach(&mut self, id: PipeId) {
        self.pipes.push(id);
    }

    /// Forgets a pipe; topics nobody subscribes to any more go to `gone`.
    pub fn detach(&mut self, id: PipeId, gone: impl FnMut(&[u8])) {
        self.pipes.retain(|&p| p != id);
        self.dist.detach(id);
        self.subs.remove_pipe(id, gone);
    }

    pub fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) {
        let subs = &self.subs;
        self.dist
            .send(pipes, msg, |first, targets| subs.matching(first, targets));
    }

    /// Reads everything peers sent: subscriptions update the tree; with `up` (XPUB) the
    /// ones libzmq reports, and any other messages, are queued for the application.
    pub fn read_peers(&mut self, pipes: &mut dyn Pipes, mut up: Option<&mut VecDeque<Msg>>) {
        for &id in &self.pipes {
            while let Some(msg) = pipes.try_recv(id) {
                if let Some((on, topic)) = parse_subscription(&msg) {
                    let change = if on {
                        self.subs.add(topic, id)
                    } else {
                        self.subs.remove(topic, id)
                    };
                    let report = if on {
                        change.topic_changed || self.verbose_subs
                    } else {
                        // As libzmq: unless other pipes still hold the topic.
                        !change.pipe_changed || change.topic_changed || self.verbose_unsubs
                    };
                    if let (true, Some(q)) = (report, up.as_deref_mut()) {
                        q.push_back(msg);
                    }
                    continue;
                }
                // A data message: pass it up whole (XPUB) or drop it whole (PUB).
                let mut more = msg.more();
                if let Some(q) = up.as_deref_mut() {
                    q.push_back(msg);
                }
                while more {
                    let Some(next) = pipes.try_recv(id) else {
                        break;
                    };
                    more = next.more();
                    if let Some(q) = up.as_deref_mut() {
                        q.push_back(next);
                    }
                }
            }
        }
    }
}

/// The PUB pattern (libzmq's `pub_t`).
#[derive(Debug, Default)]
pub(crate) struct Pub {
    core: Publisher,
}

impl Pattern for Pub {
    fn attach(&mut self, _pipes: &mut dyn Pipes, id: PipeId) {
        self.core.attach(id);
    }
    fn detach(&mut self, id: PipeId) {
        self.core.detach(id, |_| {});
    }
    fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        self.core.send(pipes, msg);
        Ok(())
    }
    fn recv(&mut self, _pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        not_supported()
    }
    fn has_in(&mut self, _pipes: &mut dyn Pipes) -> bool {
        false
    }
    /// A PUB never blocks: pipes at their HWM miss the message.
    fn has_out(&mut self, _pipes: &mut dyn Pipes) -> bool {
        true
    }
    fn process_inbound(&mut self, pipes: &mut dyn Pipes) {
        self.core.read_peers(pipes, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::super::subscription_msg;
    use super::*;

    fn subscribe(pipes: &mut FakePipes, id: PipeId, topic: &str, on: bool) {
        let m = subscription_msg(topic.as_bytes(), on);
        pipes.pipes.get_mut(&id).unwrap().incoming.push_back(m);
    }

    #[test]
    fn filters_by_prefix_and_drops_peer_data() {
        let mut pipes = FakePipes::default();
        let mut p = Pub::default();
        for id in 0..2 {
            pipes.add(id, 100);
            p.attach(&mut pipes, id);
        }
        subscribe(&mut pipes, 0, "A", true);
        subscribe(&mut pipes, 1, "", true);
        pipes
            .pipes
            .get_mut(&1)
            .unwrap()
            .incoming
            .push_back(frame("junk", false));
        p.process_inbound(&mut pipes);
        p.send(&mut pipes, frame("Apple", false)).unwrap();
        p.send(&mut pipes, frame("Banana", false)).unwrap();
        assert_eq!(pipes.messages_sent(0), 1);
        assert_eq!(pipes.messages_sent(1), 2);
        assert_eq!(p.recv(&mut pipes).unwrap_err(), Error::NotSup);
        subscribe(&mut pipes, 0, "A", false);
        p.process_inbound(&mut pipes);
        p.send(&mut pipes, frame("Avocado", false)).unwrap();
        assert_eq!(pipes.messages_sent(0), 1);
    }

    #[test]
    fn a_pipe_matching_twice_gets_one_copy() {
        let mut pipes = FakePipes::default();
        let mut p = Pub::default();
        pipes.add(0, 100);
        p.attach(&mut pipes, 0);
        subscribe(&mut pipes, 0, "A", true);
        subscribe(&mut pipes, 0, "AB", true);
        p.process_inbound(&mut pipes);
        p.send(&mut pipes, frame("ABC", true)).unwrap();
        p.send(&mut pipes, frame("body", false)).unwrap();
        assert_eq!(pipes.pipes[&0].sent.len(), 2);
    }

    #[test]
    fn always_writable_never_readable() {
        let mut pipes = FakePipes::default();
        let mut p = Pub::default();
        assert!(
            p.has_out(&mut pipes),
            "no subscribers: the message is dropped"
        );
        pipes.add(0, 0);
        p.attach(&mut pipes, 0);
        subscribe(&mut pipes, 0, "", true);
        pipes.incoming(0, &[(b"junk", false)]);
        assert!(!p.has_in(&mut pipes));
        p.process_inbound(&mut pipes);
        p.send(&mut pipes, frame("dropped at the HWM", false))
            .unwrap();
        assert!(p.has_out(&mut pipes));
        assert_eq!(pipes.messages_sent(0), 0);
    }
}
