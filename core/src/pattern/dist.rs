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
        if !self.in_message {
            self.targets.clear();
            choose(&msg, &mut self.targets);
            if !msg.more() {
                send_single(pipes, &self.targets, msg);
                return;
            }
            self.targets.retain(|&id| pipes.can_send(id));
            self.in_message = true;
        }
        let last = !msg.more();
        self.frames.push(msg);
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

/// Sends a single-frame message to every target with room; the rest drop it. A single
/// target may take the pipe's direct path; several are a fan-out (queued only, see
/// [`Pipes::fan_out`]).
fn send_single(pipes: &mut dyn Pipes, targets: &[PipeId], msg: Msg) {
    match *targets {
        [] => {}
        [only] => {
            let _ = pipes.try_send(only, msg);
        }
        _ => pipes.fan_out(targets, msg),
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
