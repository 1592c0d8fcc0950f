//! Fair queueing of whole messages across pipes (libzmq's `fq_t`).

use super::rotation::Rotation;
use super::{PipeId, Pipes};
use crate::error::Error;
use crate::msg::Msg;

/// Takes one message from each pipe in turn; all frames of a message come from one pipe.
#[derive(Debug, Default)]
pub(crate) struct FairQueue {
    rotation: Rotation,
    /// The pipe whose message is half read.
    reading: Option<PipeId>,
}

impl FairQueue {
    pub fn attach(&mut self, id: PipeId) {
        self.rotation.attach(id);
    }

    pub fn detach(&mut self, id: PipeId) {
        self.rotation.detach(id);
        if self.reading == Some(id) {
            self.reading = None;
        }
    }

    pub fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        self.recv_with_pipe(pipes).map(|(_, m)| m)
    }

    /// Whether `recv` would return a frame: the rest of a half-read message, or a message
    /// on some pipe (libzmq's `fq_t::has_in`). Pipes found empty wake the socket later.
    pub fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool {
        self.reading.is_some() || self.rotation.ids().iter().any(|&id| pipes.has_msg(id))
    }

    /// The next frame and the pipe it came from.
    pub fn recv_with_pipe(&mut self, pipes: &mut dyn Pipes) -> Result<(PipeId, Msg), Error> {
        let mut m = Msg::new();
        let id = self.recv_into(pipes, &mut m)?;
        Ok((id, m))
    }

    /// The next frame, into `slot` (its old frame is dropped; untouched on error), and
    /// the pipe it came from.
    pub fn recv_into(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<PipeId, Error> {
        if let Some(id) = self.reading {
            // Pipes deliver whole messages, so the rest of this one is already there.
            if pipes.try_recv_into(id, slot) {
                if !slot.more() {
                    self.reading = None;
                }
                return Ok(id);
            }
            self.reading = None;
        }
        let id = self
            .rotation
            .serve(|id| pipes.try_recv_into(id, slot).then_some(id))
            .ok_or(Error::Again)?;
        if slot.more() {
            self.reading = Some(id);
        }
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    #[test]
    fn takes_one_message_from_each_pipe_in_turn() {
        let mut pipes = FakePipes::default();
        let mut fq = FairQueue::default();
        for id in 0..3 {
            pipes.add(id, 0);
            fq.attach(id);
            for _ in 0..5 {
                let tag = format!("{id}");
                pipes
                    .pipes
                    .get_mut(&id)
                    .unwrap()
                    .incoming
                    .push_back(frame(&tag, false));
            }
        }
        let order: Vec<u8> = (0..6).map(|_| fq.recv(&mut pipes).unwrap()[0]).collect();
        assert_eq!(order, b"012012");
    }

    #[test]
    fn recv_into_replaces_the_slot_only_when_a_frame_came() {
        let mut pipes = FakePipes::default();
        let mut fq = FairQueue::default();
        let mut slot = frame("old", false);
        assert_eq!(fq.recv_into(&mut pipes, &mut slot), Err(Error::Again));
        assert_eq!(slot.as_bytes(), b"old", "nothing came: untouched");
        for id in 0..2 {
            pipes.add(id, 0);
            fq.attach(id);
        }
        pipes.incoming(0, &[(b"a1", true), (b"a2", false)]);
        pipes.incoming(1, &[(b"b", false)]);
        let mut got = Vec::new();
        while let Ok(id) = fq.recv_into(&mut pipes, &mut slot) {
            got.push((id, slot.to_vec(), slot.more()));
        }
        assert_eq!(
            got,
            [
                (0, b"a1".to_vec(), true),
                (0, b"a2".to_vec(), false),
                (1, b"b".to_vec(), false)
            ],
            "whole messages, in turn"
        );
        assert_eq!(slot.as_bytes(), b"b", "the last frame stays after EAGAIN");
    }

    #[test]
    fn multipart_frames_stay_together() {
        let mut pipes = FakePipes::default();
        let mut fq = FairQueue::default();
        pipes.add(0, 0);
        pipes.add(1, 0);
        fq.attach(0);
        fq.attach(1);
        let p0 = &mut pipes.pipes.get_mut(&0).unwrap().incoming;
        p0.push_back(frame("a1", true));
        p0.push_back(frame("a2", false));
        pipes
            .pipes
            .get_mut(&1)
            .unwrap()
            .incoming
            .push_back(frame("b", false));
        let got: Vec<Vec<u8>> = (0..3)
            .map(|_| fq.recv(&mut pipes).unwrap().to_vec())
            .collect();
        assert_eq!(got, vec![b"a1".to_vec(), b"a2".to_vec(), b"b".to_vec()]);
        assert_eq!(fq.recv(&mut pipes).unwrap_err(), Error::Again);
    }

    #[test]
    fn has_in_sees_waiting_and_half_read_messages_without_taking_them() {
        let mut pipes = FakePipes::default();
        let mut fq = FairQueue::default();
        assert!(!fq.has_in(&mut pipes), "no pipes");
        for id in 0..2 {
            pipes.add(id, 0);
            fq.attach(id);
        }
        assert!(!fq.has_in(&mut pipes));
        assert!(pipes.pipes[&0].reader_waiting && pipes.pipes[&1].reader_waiting);
        pipes.incoming(1, &[(b"a", true), (b"b", false)]);
        pipes.incoming(0, &[(b"c", false)]);
        assert!(fq.has_in(&mut pipes));
        assert_eq!(pipes.unread(0) + pipes.unread(1), 3, "nothing taken");
        // The turn order is untouched: pipe 0 first.
        assert_eq!(fq.recv(&mut pipes).unwrap().as_bytes(), b"c");
        assert!(fq.has_in(&mut pipes));
        assert_eq!(fq.recv(&mut pipes).unwrap().as_bytes(), b"a");
        // Mid-message: the rest is there.
        assert!(fq.has_in(&mut pipes));
        assert_eq!(fq.recv(&mut pipes).unwrap().as_bytes(), b"b");
        assert!(!fq.has_in(&mut pipes));
    }
}
