//! Round-robin of whole messages over the pipes that have room (libzmq's `lb_t`).

use super::rotation::Rotation;
use super::{PipeId, Pipes, SendError, SlotSendError};
use crate::msg::Msg;

/// A multipart message on its way out: where it goes (`None` once that pipe is gone) and
/// the frames so far.
#[derive(Debug)]
struct Outgoing {
    target: Option<PipeId>,
    frames: Vec<Msg>,
}

/// Sends each message to the next pipe, in turn, that is below its HWM.
#[derive(Debug, Default)]
pub(crate) struct LoadBalancer {
    rotation: Rotation,
    current: Option<Outgoing>,
}

impl LoadBalancer {
    pub fn attach(&mut self, id: PipeId) {
        self.rotation.attach(id);
    }

    pub fn detach(&mut self, id: PipeId) {
        self.rotation.detach(id);
        if let Some(out) = &mut self.current {
            if out.target == Some(id) {
                // The rest of this message has nowhere to go: drop it, as libzmq does.
                out.target = None;
                out.frames.clear();
            }
        }
    }

    /// Whether `send` would accept a frame: mid-message always (the rest follows the first
    /// frame), else when some pipe has room (libzmq's `lb_t::has_out`). Full pipes wake
    /// the socket once they have room.
    pub fn has_out(&mut self, pipes: &mut dyn Pipes) -> bool {
        self.current.is_some() || self.rotation.ids().iter().any(|&id| pipes.can_send(id))
    }

    /// [`LoadBalancer::send`] from `slot` (left empty when the frame was taken; it keeps
    /// the frame on error): a single frame goes from the slot to the first pipe in turn
    /// with room, moved once.
    pub fn send_from(
        &mut self,
        pipes: &mut dyn Pipes,
        slot: &mut Msg,
    ) -> Result<(), SlotSendError> {
        if self.current.is_some() || slot.more() {
            return match self.send(pipes, std::mem::take(slot)) {
                Ok(()) => Ok(()),
                Err(SendError::Again(back)) => {
                    *slot = back;
                    Err(SlotSendError::Again)
                }
                Err(SendError::Fail(e, back)) => {
                    *slot = back;
                    Err(SlotSendError::Fail(e))
                }
            };
        }
        self.rotation
            .serve(|id| pipes.try_send_from(id, slot).then_some(()))
            .ok_or(SlotSendError::Again)
    }

    /// Sends one frame; a message's first frame picks the pipe and the rest follow it.
    pub fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError> {
        if let Some(out) = &mut self.current {
            let last = !msg.more();
            if out.target.is_some() {
                out.frames.push(msg);
            }
            if last {
                if let Some(Outgoing {
                    target: Some(id),
                    frames,
                }) = self.current.take()
                {
                    pipes.send_frames(id, frames);
                }
            }
            return Ok(());
        }
        // A single frame goes out at once; a multipart message's first frame only picks
        // a pipe with room, and the whole message is sent after its last frame.
        let more = msg.more();
        let mut slot = Some(msg);
        let chosen = self.rotation.serve(|id| {
            if more {
                return pipes.can_send(id).then_some(id);
            }
            let m = slot.take()?;
            match pipes.try_send(id, m) {
                Ok(()) => Some(id),
                Err(back) => {
                    slot = Some(back);
                    None
                }
            }
        });
        match (chosen, slot) {
            (Some(id), Some(first)) => {
                self.current = Some(Outgoing {
                    target: Some(id),
                    frames: vec![first],
                });
                Ok(())
            }
            (None, Some(msg)) => Err(SendError::Again(msg)),
            // The message is taken only by a successful single-frame send.
            (_, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    #[test]
    fn round_robin_over_pipes_with_room() {
        let mut pipes = FakePipes::default();
        let mut lb = LoadBalancer::default();
        for id in 0..3 {
            pipes.add(id, 100);
            lb.attach(id);
        }
        for _ in 0..30 {
            lb.send(&mut pipes, frame("m", false)).unwrap();
        }
        for id in 0..3 {
            assert_eq!(pipes.messages_sent(id), 10);
        }
    }

    #[test]
    fn full_pipes_are_skipped_and_all_full_is_again() {
        let mut pipes = FakePipes::default();
        let mut lb = LoadBalancer::default();
        pipes.add(0, 1);
        pipes.add(1, 3);
        lb.attach(0);
        lb.attach(1);
        for _ in 0..4 {
            lb.send(&mut pipes, frame("m", false)).unwrap();
        }
        assert_eq!(pipes.messages_sent(0), 1);
        assert_eq!(pipes.messages_sent(1), 3);
        assert!(matches!(
            lb.send(&mut pipes, frame("x", false)),
            Err(SendError::Again(m)) if &m[..] == b"x"
        ));
    }

    #[test]
    fn multipart_goes_whole_to_one_pipe() {
        let mut pipes = FakePipes::default();
        let mut lb = LoadBalancer::default();
        pipes.add(0, 10);
        pipes.add(1, 10);
        lb.attach(0);
        lb.attach(1);
        for _ in 0..2 {
            lb.send(&mut pipes, frame("a", true)).unwrap();
            lb.send(&mut pipes, frame("b", true)).unwrap();
            lb.send(&mut pipes, frame("c", false)).unwrap();
        }
        assert_eq!(pipes.pipes[&0].sent.len(), 3);
        assert_eq!(pipes.pipes[&1].sent.len(), 3);
    }

    #[test]
    fn send_from_takes_the_frame_only_when_sent_and_keeps_multipart_whole() {
        let mut pipes = FakePipes::default();
        let mut lb = LoadBalancer::default();
        let mut slot = frame("x", false);
        assert_eq!(
            lb.send_from(&mut pipes, &mut slot),
            Err(SlotSendError::Again)
        );
        assert_eq!(&slot[..], b"x", "no pipe: the frame stays");
        pipes.add(0, 1);
        pipes.add(1, 10);
        lb.attach(0);
        lb.attach(1);
        lb.send_from(&mut pipes, &mut slot).unwrap();
        assert!(slot.is_empty(), "sent: the slot is left empty");
        assert_eq!(pipes.pipes[&0].sent[0].as_bytes(), b"x");
        // Pipe 0 is full now: the turn goes to pipe 1, and a multipart message follows
        // its first frame there whole.
        for (data, more) in [("a", true), ("b", true), ("c", false)] {
            let mut part = frame(data, more);
            lb.send_from(&mut pipes, &mut part).unwrap();
            assert!(part.is_empty());
        }
        let sent: Vec<&[u8]> = pipes.pipes[&1].sent.iter().map(|m| m.as_bytes()).collect();
        assert_eq!(sent, [&b"a"[..], b"b", b"c"]);
        let mut refused = frame("y", false);
        lb.send_from(&mut pipes, &mut refused).unwrap();
        assert_eq!(pipes.messages_sent(1), 2, "pipe 0 is full: pipe 1 takes it");
    }

    #[test]
    fn no_pipes_is_again() {
        let mut pipes = FakePipes::default();
        let mut lb = LoadBalancer::default();
        assert!(matches!(
            lb.send(&mut pipes, frame("x", false)),
            Err(SendError::Again(_))
        ));
    }

    #[test]
    fn detach_mid_message_drops_the_rest() {
        let mut pipes = FakePipes::default();
        let mut lb = LoadBalancer::default();
        pipes.add(0, 10);
        lb.attach(0);
        lb.send(&mut pipes, frame("a", true)).unwrap();
        lb.detach(0);
        lb.send(&mut pipes, frame("b", false)).unwrap();
        assert!(pipes.pipes[&0].sent.is_empty());
    }

    #[test]
    fn has_out_needs_a_pipe_with_room_except_mid_message() {
        let mut pipes = FakePipes::default();
        let mut lb = LoadBalancer::default();
        assert!(!lb.has_out(&mut pipes), "no pipes");
        pipes.add(0, 1);
        pipes.add(1, 1);
        lb.attach(0);
        lb.attach(1);
        assert!(lb.has_out(&mut pipes));
        lb.send(&mut pipes, frame("a", false)).unwrap();
        assert!(lb.has_out(&mut pipes));
        // A multipart message on its way to the last pipe with room.
        lb.send(&mut pipes, frame("b1", true)).unwrap();
        assert!(lb.has_out(&mut pipes));
        lb.send(&mut pipes, frame("b2", false)).unwrap();
        assert!(!lb.has_out(&mut pipes), "both pipes at their HWM");
        assert!(pipes.pipes[&0].writer_waiting && pipes.pipes[&1].writer_waiting);
        assert_eq!(pipes.messages_sent(0) + pipes.messages_sent(1), 2);
    }
}
