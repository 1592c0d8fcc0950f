//! Fan-out of whole messages to a set of pipes, dropping for pipes at their HWM
//! (libzmq's `dist_t`): what PUB and XPUB send with, and XSUB sends upstream with.

use super::{PipeId, Pipes};
use crate::msg::Msg;

/// Sends each message to the pipes chosen by its first frame.
#[derive(Debug, Default)]
pub(crate) struct Distributor {
    /// Where the message being sent goes (chosen at its first frame).
    targets: Vec<PipeId>,
    /// Frames of a multipart message so far.
    frames: Vec<Msg>,
    in_message: bool,
}

impl Distributor {
    /// A pipe went away: it gets nothing more of the current message.
    pub fn detach(&mut self, id: PipeId) {
        self.targets.retain(|&p| p != id);
    }

    /// Whether a multipart message is being sent (its targets are already chosen).
    pub fn in_message(&self) -> bool {
        self.in_message
    }

    /// Sends one frame. For a message's first frame, `choose` fills the target list;
    /// pipes at their HWM then miss the whole message (never a part of it).
    pub fn send(
        &mut self,
        pipes: &mut dyn Pipes,
        msg: Msg,
        choose: impl FnOnce(&[u8], &mut Vec<PipeId>),
    ) {
        let mut slot = msg;
        self.send_from(pipes, &mut slot, choose);
    }

    /// [`Distributor::send`] from `slot`, which is left empty (the frame sent, queued or
    /// dropped). A single-frame message for one pipe is moved once, from the slot into
    /// that pipe (see [`Pipes::try_send_from`]): a PUB with one subscriber costs what a
    /// PUSH does.
    pub fn send_from(
        &mut self,
        pipes: &mut dyn Pipes,
        slot: &mut Msg,
        choose: impl FnOnce(&[u8], &mut Vec<PipeId>),
    ) {
        if !self.in_message {
            self.targets.clear();
            choose(slot, &mut self.targets);
            if !slot.more() {
                send_single(pipes, &self.targets, slot);
                return;
            }
            self.targets.retain(|&id| pipes.can_send(id));
            self.in_message = true;
        }
        let last = !slot.more();
        self.frames.push(std::mem::take(slot));
        if last {
            self.in_message = false;
            let frames = std::mem::take(&mut self.frames);
            match self.targets[..] {
                [] => {}
                [only] => pipes.send_frames(only, frames),
                _ => pipes.fan_out_frames(&self.targets, frames),
            }
        }
    }
}

/// Sends the single-frame message in `slot` to every target with room; the rest drop it.
/// `slot` is left empty. A single target may take the pipe's direct path; several are a
/// fan-out (queued only, see [`Pipes::fan_out`]).
fn send_single(pipes: &mut dyn Pipes, targets: &[PipeId], slot: &mut Msg) {
    match *targets {
        [] => *slot = Msg::new(),
        [only] => {
            if !pipes.try_send_from(only, slot) {
                // At its HWM: the subscriber misses the message.
                *slot = Msg::new();
            }
        }
        _ => pipes.fan_out(targets, std::mem::take(slot)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    #[test]
    fn full_pipes_drop_and_others_receive() {
        let mut pipes = FakePipes::default();
        pipes.add(0, 1);
        pipes.add(1, 10);
        let mut d = Distributor::default();
        for _ in 0..3 {
            d.send(&mut pipes, frame("m", false), |_, t| t.extend([0, 1]));
        }
        assert_eq!(pipes.messages_sent(0), 1);
        assert_eq!(pipes.messages_sent(1), 3);
    }

    #[test]
    fn multipart_is_all_or_nothing_per_pipe() {
        let mut pipes = FakePipes::default();
        pipes.add(0, 0);
        pipes.add(1, 10);
        let mut d = Distributor::default();
        d.send(&mut pipes, frame("a", true), |_, t| t.extend([0, 1]));
        d.send(&mut pipes, frame("b", false), |_, _| unreachable!());
        assert!(pipes.pipes[&0].sent.is_empty());
        assert_eq!(pipes.pipes[&1].sent.len(), 2);
        assert_eq!(pipes.fan_outs, 0, "one pipe with room: a plain send");
    }

    #[test]
    fn send_from_leaves_the_slot_empty_whether_sent_dropped_or_unmatched() {
        let mut pipes = FakePipes::default();
        pipes.add(0, 1);
        pipes.add(1, 10);
        let mut d = Distributor::default();
        let mut slot = frame("one", false);
        d.send_from(&mut pipes, &mut slot, |_, t| t.push(0));
        assert!(slot.is_empty(), "sent to its one target");
        slot = frame("full", false);
        d.send_from(&mut pipes, &mut slot, |_, t| t.push(0));
        assert!(
            slot.is_empty(),
            "pipe 0 at its HWM: dropped for it, not left in the slot"
        );
        slot = frame("nobody", false);
        d.send_from(&mut pipes, &mut slot, |_, _| {});
        assert!(slot.is_empty());
        slot = frame("both", false);
        d.send_from(&mut pipes, &mut slot, |_, t| t.extend([0, 1]));
        assert!(slot.is_empty());
        slot = frame("m1", true);
        d.send_from(&mut pipes, &mut slot, |_, t| t.extend([0, 1]));
        assert!(slot.is_empty(), "a first frame waits in the distributor");
        assert!(
            pipes.pipes[&1].sent.len() == 1,
            "nothing of the message is sent yet"
        );
        slot = frame("m2", false);
        d.send_from(&mut pipes, &mut slot, |_, _| unreachable!());
        assert!(slot.is_empty());
        let got =
            |id| -> Vec<Vec<u8>> { pipes.pipes[&id].sent.iter().map(|m| m.to_vec()).collect() };
        assert_eq!(
            got(0),
            [&b"one"[..]],
            "full: missed both and the whole multipart"
        );
        assert_eq!(got(1), [&b"both"[..], b"m1", b"m2"]);
    }

    #[test]
    fn several_targets_are_one_fan_out_and_one_target_a_plain_send() {
        let mut pipes = FakePipes::default();
        for id in 0..3 {
            pipes.add(id, 10);
        }
        let mut d = Distributor::default();
        d.send(&mut pipes, frame("all", false), |_, t| t.extend([0, 1, 2]));
        assert_eq!(pipes.fan_outs, 1);
        d.send(&mut pipes, frame("one", false), |_, t| t.push(1));
        assert_eq!(pipes.fan_outs, 1, "a single target is not a fan-out");
        d.send(&mut pipes, frame("none", false), |_, _| {});
        d.send(&mut pipes, frame("a", true), |_, t| t.extend([0, 2]));
        d.send(&mut pipes, frame("b", false), |_, _| unreachable!());
        assert_eq!(pipes.fan_outs, 2, "a multipart message is one fan-out too");
        let got =
            |id| -> Vec<Vec<u8>> { pipes.pipes[&id].sent.iter().map(|m| m.to_vec()).collect() };
        assert_eq!(got(0), [&b"all"[..], b"a", b"b"]);
        assert_eq!(got(1), [&b"all"[..], b"one"]);
        assert_eq!(got(2), [&b"all"[..], b"a", b"b"]);
        assert!(pipes.pipes[&0].sent[1].more() && !pipes.pipes[&0].sent[2].more());
    }
}
