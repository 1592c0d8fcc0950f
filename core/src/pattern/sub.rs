//! SUB (and the subscribing half of XSUB): counted subscriptions, sent upstream to every
//! publisher (each subscribe, and the last cancel of a topic) and re-sent when a
//! publisher reconnects; incoming messages are filtered
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
    /// The first frame of a matching message, read ahead by `has_in` for `recv`, and
    /// the pipe it came from.
    prefetched: Option<(PipeId, Msg)>,
    /// INVERT_MATCHING: deliver what matches no subscription.
    pub invert: bool,
    /// XSUB: deliver everything (libzmq filters only on SUB).
    pub unfiltered: bool,
}

impl Subscriber {
    /// A subscriber that delivers every message (XSUB).
    pub fn unfiltered() -> Subscriber {
        Subscriber {
            unfiltered: true,
            ..Subscriber::default()
        }
    }

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
        // A message read ahead but not begun goes if the rest of it went with the pipe.
        if matches!(&self.prefetched, Some((p, m)) if *p == id && m.more()) {
            self.prefetched = None;
        }
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
        let mut msg = Msg::new();
        self.recv_into(pipes, &mut msg)?;
        Ok(msg)
    }

    /// [`Subscriber::recv`] into `slot` (its old frame is dropped; left as it was on
    /// error). A matching frame goes from the pipe straight into `slot`, once, instead of
    /// being returned by value through the fair queue, this and the socket (a SUB's
    /// receive was mostly those moves: docs/PERFORMANCE.md, issue 14, SUB receive path).
    pub fn recv_into(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), Error> {
        if let Some((_, msg)) = self.prefetched.take() {
            *slot = msg;
        } else if self.in_message {
            // The rest of a matching message: it is all there already.
            self.fq.recv_into(pipes, slot)?;
        } else {
            self.next_match_into(pipes, slot)?;
        }
        self.in_message = slot.more();
        Ok(())
    }

    /// Whether `recv` would return a frame: the rest of a matching message, or a new one.
    /// Like libzmq's `xsub_t::xhas_in`, reads ahead: non-matching messages are dropped and
    /// the first matching frame is kept for `recv` (even if the subscription goes first).
    pub fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool {
        if self.in_message || self.prefetched.is_some() {
            return true;
        }
        self.prefetched = self.next_match(pipes).ok();
        self.prefetched.is_some()
    }

    /// The first frame of the next message matching a subscription, and its pipe; drops
    /// the others.
    fn next_match(&mut self, pipes: &mut dyn Pipes) -> Result<(PipeId, Msg), Error> {
        let mut msg = Msg::new();
        let id = self.next_match_into(pipes, &mut msg)?;
        Ok((id, msg))
    }

    /// [`Subscriber::next_match`] into `slot`, which is left as it was when no message
    /// matches.
    fn next_match_into(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<PipeId, Error> {
        // A message that does not match is read into `slot` too (whether it matches is
        // known only once it is out of the pipe), so the caller's frame is kept aside
        // until one does.
        let old = std::mem::take(slot);
        loop {
            let id = match self.fq.recv_into(pipes, slot) {
                Ok(id) => id,
                Err(e) => {
                    *slot = old;
                    return Err(e);
                }
            };
            if self.unfiltered || self.topics.matches(slot) != self.invert {
                return Ok(id);
            }
            // Not subscribed: skip the rest of this message (it is all there already).
            while slot.more() {
                if let Err(e) = self.fq.recv_into(pipes, slot) {
                    *slot = old;
                    return Err(e);
                }
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
    fn send(&mut self, _pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        not_supported().map_err(|e| SendError::Fail(e, msg))
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
    fn has_out(&mut self, _pipes: &mut dyn Pipes) -> bool {
        false
    }
    fn peer_ready(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        self.core.peer_ready(pipes, id);
    }
    /// Every SUBSCRIBE goes upstream, even for a topic already subscribed (so an
    /// XPUB_VERBOSE publisher sees each one); an UNSUBSCRIBE only when it cancels the
    /// topic's last subscription. libzmq's `sub_t` does the same, through `xsub_t::xsend`.
    fn subscribe(&mut self, pipes: &mut dyn Pipes, topic: &[u8], on: bool) -> Result<(), Error> {
        if self.core.count(topic, on) || on {
            self.core.broadcast(pipes, &subscription_msg(topic, on));
        }
        Ok(())
    }
    fn set_option(&mut self, opt: super::PatternOption) -> Result<(), Error> {
        match opt {
            super::PatternOption::InvertMatching(on) => self.core.invert = on,
            _ => return Err(Error::Invalid),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    #[test]
    fn every_subscribe_goes_upstream_but_only_the_last_cancel() {
        let mut pipes = FakePipes::default();
        let mut s = Sub::default();
        pipes.add(0, 10);
        s.attach(&mut pipes, 0);
        s.subscribe(&mut pipes, b"A", true).unwrap();
        s.subscribe(&mut pipes, b"A", true).unwrap();
        let sent = |pipes: &FakePipes| -> Vec<Vec<u8>> {
            pipes.pipes[&0].sent.iter().map(|m| m.to_vec()).collect()
        };
        assert_eq!(sent(&pipes), [b"\x01A".to_vec(), b"\x01A".to_vec()]);
        s.subscribe(&mut pipes, b"A", false).unwrap();
        assert_eq!(sent(&pipes).len(), 2, "one subscription to A is left");
        s.subscribe(&mut pipes, b"A", false).unwrap();
        assert_eq!(sent(&pipes)[2], b"\x00A");
        // Cancelling what was never subscribed sends nothing and is not an error.
        s.subscribe(&mut pipes, b"Z", false).unwrap();
        assert_eq!(sent(&pipes).len(), 3);
        // A new publisher learns each topic once, however often it was subscribed.
        s.subscribe(&mut pipes, b"B", true).unwrap();
        s.subscribe(&mut pipes, b"B", true).unwrap();
        pipes.add(1, 10);
        s.attach(&mut pipes, 1);
        assert_eq!(pipes.pipes[&1].sent.len(), 1);
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
            Err(SendError::Fail(Error::NotSup, _))
        ));
    }

    #[test]
    fn has_in_prefetches_the_first_match_and_drops_the_rest() {
        let mut pipes = FakePipes::default();
        let mut s = Sub::default();
        for id in 0..2 {
            pipes.add(id, 10);
            s.attach(&mut pipes, id);
        }
        assert!(!s.has_out(&mut pipes));
        s.subscribe(&mut pipes, b"A", true).unwrap();
        pipes.incoming(0, &[(b"B1", true), (b"body", false), (b"B2", false)]);
        assert!(!s.has_in(&mut pipes), "only non-matching messages");
        assert_eq!(pipes.unread(0), 0, "they were dropped");
        assert!(pipes.pipes[&0].reader_waiting && pipes.pipes[&1].reader_waiting);
        let later = [
            (&b"B3"[..], false),
            (b"A1", true),
            (b"a-body", false),
            (b"A2", false),
        ];
        pipes.incoming(0, &later);
        assert!(s.has_in(&mut pipes));
        assert!(
            s.has_in(&mut pipes),
            "asking again keeps the prefetched frame"
        );
        // The subscription going away does not take back what was prefetched (as libzmq).
        s.subscribe(&mut pipes, b"A", false).unwrap();
        assert_eq!(s.recv(&mut pipes).unwrap().as_bytes(), b"A1");
        assert!(s.has_in(&mut pipes), "mid-message");
        assert_eq!(s.recv(&mut pipes).unwrap().as_bytes(), b"a-body");
        assert!(!s.has_in(&mut pipes), "A2 no longer matches");
        assert_eq!(s.recv(&mut pipes).unwrap_err(), Error::Again);
        s.subscribe(&mut pipes, b"", true).unwrap();
        pipes.incoming(1, &[(b"any", false)]);
        assert!(s.has_in(&mut pipes));
        assert_eq!(s.recv(&mut pipes).unwrap().as_bytes(), b"any");
        assert!(!s.has_in(&mut pipes));
    }

    #[test]
    fn recv_into_delivers_only_whole_matching_messages_and_keeps_the_slot_when_none() {
        let mut pipes = FakePipes::default();
        let mut s = Sub::default();
        for id in 0..2 {
            pipes.add(id, 10);
            s.attach(&mut pipes, id);
        }
        s.subscribe(&mut pipes, b"A", true).unwrap();
        pipes.incoming(0, &[(b"B1", true), (b"A-looking", true), (b"B-end", false)]);
        pipes.incoming(0, &[(b"A1", true), (b"a-mid", true), (b"a-end", false)]);
        pipes.incoming(
            1,
            &[(b"Bx", false), (b"A2", false), (b"C", true), (b"c", false)],
        );
        let mut slot = frame("kept", false);
        let mut got = Vec::new();
        loop {
            match s.recv_into(&mut pipes, &mut slot) {
                Ok(()) => got.push((slot.to_vec(), slot.more())),
                Err(e) => {
                    assert_eq!(e, Error::Again);
                    break;
                }
            }
        }
        // Pipe 0's matching message comes whole, frame after frame, before pipe 1's.
        let want: Vec<(Vec<u8>, bool)> = [
            (&b"A1"[..], true),
            (b"a-mid", true),
            (b"a-end", false),
            (b"A2", false),
        ]
        .iter()
        .map(|&(d, m)| (d.to_vec(), m))
        .collect();
        assert_eq!(got, want);
        assert_eq!(pipes.unread(0) + pipes.unread(1), 0, "the rest was dropped");
        // Nothing matched (only non-matching messages were read): the slot holds what it
        // held before the call, not a dropped message's frame.
        slot = frame("kept", true);
        pipes.incoming(1, &[(b"B2", true), (b"b", false)]);
        assert_eq!(s.recv_into(&mut pipes, &mut slot), Err(Error::Again));
        assert_eq!((slot.as_bytes(), slot.more()), (&b"kept"[..], true));
        assert_eq!(pipes.unread(1), 0);
        // The same on XSUB's side: unfiltered, every message, whole.
        let mut x = Subscriber::unfiltered();
        pipes.add(2, 10);
        x.attach(&mut pipes, 2);
        pipes.incoming(2, &[(b"Z", true), (b"z", false)]);
        x.recv_into(&mut pipes, &mut slot).unwrap();
        assert_eq!((slot.as_bytes(), slot.more()), (&b"Z"[..], true));
        x.recv_into(&mut pipes, &mut slot).unwrap();
        assert_eq!((slot.as_bytes(), slot.more()), (&b"z"[..], false));
    }

    #[test]
    fn recv_into_takes_a_prefetched_frame_first_and_honours_invert_matching() {
        let mut pipes = FakePipes::default();
        let mut s = Sub::default();
        pipes.add(0, 10);
        s.attach(&mut pipes, 0);
        s.subscribe(&mut pipes, b"A", true).unwrap();
        pipes.incoming(0, &[(b"B", false), (b"A1", true), (b"a", false)]);
        assert!(s.has_in(&mut pipes), "reads ahead to A1");
        let mut slot = Msg::new();
        s.recv_into(&mut pipes, &mut slot).unwrap();
        assert_eq!((slot.as_bytes(), slot.more()), (&b"A1"[..], true));
        s.recv_into(&mut pipes, &mut slot).unwrap();
        assert_eq!((slot.as_bytes(), slot.more()), (&b"a"[..], false));
        s.set_option(super::super::PatternOption::InvertMatching(true))
            .unwrap();
        pipes.incoming(0, &[(b"A2", false), (b"B2", false)]);
        s.recv_into(&mut pipes, &mut slot).unwrap();
        assert_eq!(slot.as_bytes(), b"B2");
        assert_eq!(s.recv_into(&mut pipes, &mut slot), Err(Error::Again));
    }

    #[test]
    fn a_message_read_ahead_survives_its_pipe_only_whole() {
        let mut pipes = FakePipes::default();
        let mut s = Sub::default();
        for id in 0..2 {
            pipes.add(id, 10);
            s.attach(&mut pipes, id);
        }
        s.subscribe(&mut pipes, b"", true).unwrap();
        pipes.incoming(0, &[(b"whole", false)]);
        assert!(s.has_in(&mut pipes));
        s.detach(0);
        assert_eq!(s.recv(&mut pipes).unwrap().as_bytes(), b"whole");
        pipes.incoming(1, &[(b"p1", true), (b"p2", false)]);
        assert!(s.has_in(&mut pipes));
        s.detach(1);
        assert!(!s.has_in(&mut pipes));
        assert_eq!(s.recv(&mut pipes).unwrap_err(), Error::Again);
    }
}
