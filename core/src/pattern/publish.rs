//! PUB (and the publishing half of XPUB): fan-out filtered by subscriptions.
//!
//! Subscriptions arrive from each peer as `0x01 topic` / `0x00 topic` messages (the
//! session turns ZMTP 3.1 SUBSCRIBE/CANCEL commands into the same form), and are kept
//! per pipe in a [`Subscriptions`] radix tree. A message goes to every pipe with a
//! subscription that prefixes its first frame; a pipe at its HWM misses it (PUB never
//! blocks). Other data sent to a PUB by a peer is dropped (CVE-2021-20237).

use super::dist::Distributor;
use super::trie::Subscriptions;
use super::{
    not_supported, parse_subscription, Pattern, PatternOption, PipeId, Pipes, SendError,
    SlotSendError,
};
use crate::error::Error;
use crate::msg::Msg;
use std::collections::VecDeque;

/// A message for XPUB's `recv`, with the pipe it came from when it is a subscription
/// (XPUB_MANUAL then subscribes that pipe to what the application chooses).
pub(crate) type Upstream = (Msg, Option<PipeId>);

/// The state PUB and XPUB share (libzmq's `pub_t` is an `xpub_t` too, so PUB takes
/// the XPUB options as well).
#[derive(Debug, Default)]
pub(crate) struct Publisher {
    subs: Subscriptions,
    dist: Distributor,
    pipes: Vec<PipeId>,
    /// Where a message goes, chosen before it is handed to `dist` (which swaps it for
    /// its previous list): no allocation per message.
    targets: Vec<PipeId>,
    /// XPUB_VERBOSE: pass every subscribe up, not only a topic's first.
    pub verbose_subs: bool,
    /// XPUB_VERBOSER: pass every unsubscribe up, not only a topic's last.
    pub verbose_unsubs: bool,
    /// XPUB_NODROP: EAGAIN instead of dropping for a subscriber at its HWM.
    nodrop: bool,
    /// XPUB_MANUAL: subscriptions go up only; the application applies them.
    manual: bool,
    /// XPUB_MANUAL_LAST_VALUE: the next message goes only to `last_pipe`.
    send_last_pipe: bool,
    /// INVERT_MATCHING: send to the pipes that do NOT match.
    invert: bool,
    /// XPUB_MANUAL: the pipe of the last subscription the application received.
    last_pipe: Option<PipeId>,
    /// XPUB_MANUAL: what each peer asked for, to cancel it when the peer leaves.
    requested: Subscriptions,
}

impl Publisher {
    pub fn attach(&mut self, id: PipeId) {
        self.pipes.push(id);
    }

    /// Forgets a pipe; the topics libzmq reports as cancelled go to `gone`: those nobody
    /// subscribes to any more, every one of the pipe's with XPUB_VERBOSER, and with
    /// XPUB_MANUAL every one the peer had asked for.
    pub fn detach(&mut self, id: PipeId, mut gone: impl FnMut(&[u8])) {
        self.pipes.retain(|&p| p != id);
        self.dist.detach(id);
        if self.last_pipe == Some(id) {
            self.last_pipe = None;
        }
        if self.manual {
            self.requested.remove_pipe(id, true, &mut gone);
            self.subs.remove_pipe(id, false, |_| {});
            // As libzmq: the cancellations are not tied to a pipe.
            self.last_pipe = None;
        } else {
            self.subs.remove_pipe(id, self.verbose_unsubs, gone);
        }
    }

    /// Sends one frame to the subscribers its message matches (the ones it does not
    /// match with INVERT_MATCHING). With XPUB_NODROP a message that some of them cannot
    /// take now is refused whole (EAGAIN); otherwise they miss it.
    pub fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        let mut slot = msg;
        match self.send_from(pipes, &mut slot) {
            Ok(()) => Ok(()),
            Err(SlotSendError::Again) => Err(SendError::Again(slot)),
            Err(SlotSendError::Fail(e)) => Err(SendError::Fail(e, slot)),
        }
    }

    /// [`Publisher::send`] from `slot`: left empty when the message was sent (or
    /// dropped for its subscribers); with XPUB_NODROP's EAGAIN the frame stays there.
    pub fn send_from(
        &mut self,
        pipes: &mut dyn Pipes,
        slot: &mut Msg,
    ) -> Result<(), SlotSendError> {
        if self.dist.in_message() {
            self.dist.send_from(pipes, slot, |_, _| {});
            return Ok(());
        }
        let targets = &mut self.targets;
        self.subs.matching(slot, targets);
        if self.invert {
            let matched = std::mem::take(targets);
            targets.extend(self.pipes.iter().filter(|p| !matched.contains(p)));
        }
        if self.manual && self.send_last_pipe {
            if let Some(last) = self.last_pipe {
                targets.retain(|&p| p == last);
            }
        }
        if self.nodrop && !targets.iter().all(|&p| pipes.can_send(p)) {
            return Err(SlotSendError::Again);
        }
        if self.manual && self.send_last_pipe {
            self.last_pipe = None;
        }
        self.dist
            .send_from(pipes, slot, |_, out| std::mem::swap(out, &mut self.targets));
        Ok(())
    }

    /// The XPUB options (PUB has them too, as in libzmq).
    pub fn set_option(&mut self, opt: PatternOption) -> Result<(), Error> {
        match opt {
            PatternOption::XpubVerbose {
                subscribes,
                unsubscribes,
            } => {
                self.verbose_subs = subscribes;
                self.verbose_unsubs = unsubscribes;
            }
            PatternOption::XpubNodrop(on) => self.nodrop = on,
            PatternOption::XpubManual { manual, last_value } => {
                self.manual = manual;
                self.send_last_pipe = last_value;
            }
            PatternOption::InvertMatching(on) => self.invert = on,
            _ => return Err(Error::Invalid),
        }
        Ok(())
    }

    /// XPUB_MANUAL's SUBSCRIBE/UNSUBSCRIBE on the publisher: (un)subscribes the pipe of
    /// the last subscription received to `topic`. EINVAL without XPUB_MANUAL.
    pub fn subscribe(&mut self, topic: &[u8], on: bool) -> Result<(), Error> {
        if !self.manual {
            return Err(Error::Invalid);
        }
        if let Some(pipe) = self.last_pipe {
            if on {
                self.subs.add(topic, pipe);
            } else {
                self.subs.remove(topic, pipe);
            }
        }
        Ok(())
    }

    /// The application received `entry`: with XPUB_MANUAL a subscription's pipe
    /// becomes the one SUBSCRIBE/UNSUBSCRIBE act on.
    pub fn received(&mut self, entry: &Upstream) {
        if self.manual {
            if let Some(pipe) = entry.1 {
                self.last_pipe = Some(pipe);
            }
        }
    }

    /// Reads everything peers sent: subscriptions update the tree; with `up` (XPUB) the
    /// ones libzmq reports, and any other messages, are queued for the application.
    /// With XPUB_MANUAL every subscription goes up and none is applied here.
    pub fn read_peers(&mut self, pipes: &mut dyn Pipes, mut up: Option<&mut VecDeque<Upstream>>) {
        for &id in &self.pipes {
            while let Some(msg) = pipes.try_recv(id) {
                if let Some((on, topic)) = parse_subscription(&msg) {
                    let report = if self.manual {
                        if on {
                            self.requested.add(topic, id);
                        } else {
                            self.requested.remove(topic, id);
                        }
                        true
                    } else if on {
                        let change = self.subs.add(topic, id);
                        change.topic_changed || self.verbose_subs
                    } else {
                        let change = self.subs.remove(topic, id);
                        // As libzmq: unless other pipes still hold the topic.
                        !change.pipe_changed || change.topic_changed || self.verbose_unsubs
                    };
                    if let (true, Some(q)) = (report, up.as_deref_mut()) {
                        q.push_back((msg, Some(id)));
                    }
                    continue;
                }
                // A data message: pass it up whole (XPUB) or drop it whole (PUB).
                let mut more = msg.more();
                if let Some(q) = up.as_deref_mut() {
                    q.push_back((msg, None));
                }
                while more {
                    let Some(next) = pipes.try_recv(id) else {
                        break;
                    };
                    more = next.more();
                    if let Some(q) = up.as_deref_mut() {
                        q.push_back((next, None));
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
        self.core.send(pipes, msg)
    }
    fn send_from(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), SlotSendError> {
        self.core.send_from(pipes, slot)
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
    use super::super::subscription_msg;
    use super::*;

    fn subscribe(pipes: &mut FakePipes, id: PipeId, topic: &str, on: bool) {
        let m = subscription_msg(topic.as_bytes(), on);
        pipes.pipes.get_mut(&id).unwrap().incoming.push_back(m);
    }

    #[test]
    fn send_from_empties_the_slot_unless_nodrop_refuses_the_message() {
        let mut pipes = FakePipes::default();
        let mut p = Pub::default();
        pipes.add(0, 1);
        pipes.add(1, 100);
        for id in 0..2 {
            p.attach(&mut pipes, id);
            subscribe(&mut pipes, id, "A", true);
        }
        p.process_inbound(&mut pipes);
        // One subscriber matched: the one-target path (pipe 1 is not subscribed to B).
        subscribe(&mut pipes, 1, "B", true);
        p.process_inbound(&mut pipes);
        let mut slot = frame("B1", false);
        p.send_from(&mut pipes, &mut slot).unwrap();
        assert!(slot.is_empty());
        assert_eq!(pipes.messages_sent(1), 1);
        slot = frame("A1", false);
        p.send_from(&mut pipes, &mut slot).unwrap();
        assert!(slot.is_empty());
        // Pipe 0 is full now: without NODROP it misses the message, the slot is emptied.
        slot = frame("A2", false);
        p.send_from(&mut pipes, &mut slot).unwrap();
        assert!(slot.is_empty());
        assert_eq!((pipes.messages_sent(0), pipes.messages_sent(1)), (1, 3));
        // With NODROP the whole message is refused and stays the caller's.
        p.set_option(PatternOption::XpubNodrop(true)).unwrap();
        slot = frame("A3", false);
        assert_eq!(
            p.send_from(&mut pipes, &mut slot),
            Err(SlotSendError::Again)
        );
        assert_eq!(slot.as_bytes(), b"A3");
        assert_eq!((pipes.messages_sent(0), pipes.messages_sent(1)), (1, 3));
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
