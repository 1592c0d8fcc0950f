//! STREAM: raw connections addressed by routing id (libzmq's `stream_t`).
//!
//! Every connection is a pipe whose messages are single frames of raw bytes (one per
//! read, see `io::raw_session`). A message received is returned as two frames: the
//! connection's routing id (with MORE), then the bytes. A message sent is two frames as
//! well: the routing id picks the connection, the next frame is written as is (its MORE
//! flag is ignored), and an empty one closes the connection once what was sent before it
//! is written. Routing ids are generated as libzmq does (`0x00` + a big-endian counter
//! from a random start), except for a connection made after CONNECT_ROUTING_ID, which
//! gets that id. Sending to an unknown id fails with EHOSTUNREACH, to a connection at its
//! HWM with EAGAIN; a first frame without MORE is ignored, and so is the frame after it.

use super::fair_queue::FairQueue;
use super::{Pattern, PipeId, Pipes, SendError};
use crate::error::Error;
use crate::msg::Msg;
use bytes::Bytes;
use std::collections::HashMap;

/// The STREAM pattern.
#[derive(Debug)]
pub(crate) struct Stream {
    fq: FairQueue,
    by_id: HashMap<Bytes, PipeId>,
    ids: HashMap<PipeId, Bytes>,
    next_generated: u32,
    /// The id generated last, not yet reported to the socket (libzmq stores it in the
    /// socket's ROUTING_ID option, where applications read their peer's id from).
    generated: Option<Bytes>,
    /// The routing-id frame of a message read ahead, not returned yet.
    prefetched_id: Option<Msg>,
    /// The data frame of a message read ahead, returned after its routing-id frame.
    prefetched_msg: Option<Msg>,
    /// The next frame sent is the data frame of a message.
    more_out: bool,
    /// Where that data frame goes (`None`: dropped).
    current_out: Option<PipeId>,
}

impl Stream {
    /// A STREAM whose generated ids count up from `seed`. The socket passes a random
    /// value, as libzmq does; tests pass a fixed one.
    pub fn new(seed: u32) -> Stream {
        Stream {
            fq: FairQueue::default(),
            by_id: HashMap::new(),
            ids: HashMap::new(),
            next_generated: seed,
            generated: None,
            prefetched_id: None,
            prefetched_msg: None,
            more_out: false,
            current_out: None,
        }
    }

    fn generate(&mut self) -> Bytes {
        loop {
            let mut id = vec![0u8];
            id.extend_from_slice(&self.next_generated.to_be_bytes());
            self.next_generated = self.next_generated.wrapping_add(1);
            let id = Bytes::from(id);
            if !self.by_id.contains_key(&id) {
                return id;
            }
        }
    }

    /// Reads the next data frame into the read-ahead slots, behind its routing-id frame.
    fn fetch(&mut self, pipes: &mut dyn Pipes) -> Result<(), Error> {
        let (id, mut data) = self.fq.recv_with_pipe(pipes)?;
        // Raw connections deliver single frames; anything else is flattened.
        data.set_more(false);
        let rid = self.ids.get(&id).cloned().unwrap_or_default();
        let mut frame = Msg::from_bytes(rid);
        frame.set_more(true);
        self.prefetched_id = Some(frame);
        self.prefetched_msg = Some(data);
        Ok(())
    }

    fn forget(&mut self, id: PipeId) {
        self.fq.detach(id);
        if let Some(rid) = self.ids.remove(&id) {
            self.by_id.remove(&rid);
        }
        if self.current_out == Some(id) {
            self.current_out = None;
        }
    }
}

impl Pattern for Stream {
    /// Gives the connection its routing id: the CONNECT_ROUTING_ID the socket fixed for
    /// it, else a generated one. A second connection asking for an id in use is refused
    /// (libzmq aborts there).
    fn attach(&mut self, pipes: &mut dyn Pipes, id: PipeId) {
        let rid = match pipes.routing_id(id) {
            Some(rid) if !rid.is_empty() => {
                if self.by_id.contains_key(&rid) {
                    pipes.reject(id);
                    return;
                }
                rid
            }
            _ => {
                let rid = self.generate();
                self.generated = Some(rid.clone());
                rid
            }
        };
        self.by_id.insert(rid.clone(), id);
        self.ids.insert(id, rid);
        self.fq.attach(id);
    }

    fn detach(&mut self, id: PipeId) {
        self.forget(id);
    }

    fn send(&mut self, pipes: &mut dyn Pipes, mut msg: Msg) -> Result<(), SendError> {
        if !self.more_out {
            if msg.more() {
                let Some(&id) = self.by_id.get(msg.as_bytes()) else {
                    return Err(SendError::Fail(Error::HostUnreach, msg));
                };
                if !pipes.can_send(id) {
                    return Err(SendError::Again(msg));
                }
                self.current_out = Some(id);
            }
            // Even a lone first frame makes the next one a data frame (as libzmq).
            self.more_out = true;
            return Ok(());
        }
        self.more_out = false;
        let Some(id) = self.current_out.take() else {
            return Ok(()); // no connection: dropped
        };
        if msg.is_empty() {
            // An empty data frame closes the connection.
            self.forget(id);
            pipes.close(id);
            return Ok(());
        }
        msg.set_more(false);
        // There was room when the id frame was sent; a full pipe drops it, as libzmq.
        let _ = pipes.try_send(id, msg);
        Ok(())
    }

    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error> {
        if self.prefetched_id.is_none() && self.prefetched_msg.is_none() {
            self.fetch(pipes)?;
        }
        if let Some(frame) = self.prefetched_id.take() {
            return Ok(frame);
        }
        self.prefetched_msg.take().ok_or(Error::Again)
    }

    fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool {
        self.prefetched_id.is_some() || self.prefetched_msg.is_some() || self.fetch(pipes).is_ok()
    }

    /// Always: whether a send works depends on the connection it names (libzmq).
    fn has_out(&mut self, _pipes: &mut dyn Pipes) -> bool {
        true
    }

    fn take_generated_routing_id(&mut self) -> Option<Bytes> {
        self.generated.take()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::{frame, FakePipes};
    use super::*;

    fn connection(pipes: &mut FakePipes, s: &mut Stream, id: PipeId) -> Bytes {
        pipes.add(id, 2);
        s.attach(pipes, id);
        s.take_generated_routing_id().expect("an id was generated")
    }

    fn send(s: &mut Stream, pipes: &mut FakePipes, id: &[u8], data: &str) {
        let mut head = Msg::copy_from_slice(id);
        head.set_more(true);
        s.send(pipes, head).unwrap();
        s.send(pipes, frame(data, false)).unwrap();
    }

    #[test]
    fn generated_ids_are_five_bytes_from_zero_and_count_up() {
        let mut pipes = FakePipes::default();
        let mut s = Stream::new(0);
        let a = connection(&mut pipes, &mut s, 0);
        let b = connection(&mut pipes, &mut s, 1);
        assert_eq!((a.len(), a[0], b.len(), b[0]), (5, 0, 5, 0));
        let n = |id: &Bytes| u32::from_be_bytes([id[1], id[2], id[3], id[4]]);
        assert_eq!(n(&b), n(&a).wrapping_add(1));
        assert_eq!(s.take_generated_routing_id(), None, "reported once");
    }

    #[test]
    fn connect_routing_id_is_used_and_a_duplicate_refused() {
        let mut pipes = FakePipes::default();
        let mut s = Stream::new(0);
        for id in [0, 1] {
            pipes.add(id, 2);
            pipes.pipes.get_mut(&id).unwrap().routing_id = Some(Bytes::from_static(b"conn"));
            s.attach(&mut pipes, id);
        }
        assert_eq!(s.take_generated_routing_id(), None);
        assert!(!pipes.pipes[&0].rejected);
        assert!(pipes.pipes[&1].rejected);
        send(&mut s, &mut pipes, b"conn", "x");
        assert_eq!(pipes.pipes[&0].sent.len(), 1);
    }

    #[test]
    fn received_data_comes_after_the_connection_id() {
        let mut pipes = FakePipes::default();
        let mut s = Stream::new(0);
        let a = connection(&mut pipes, &mut s, 0);
        assert!(!s.has_in(&mut pipes));
        pipes.incoming(0, &[(b"", false), (b"GET /", false)]);
        assert!(s.has_in(&mut pipes));
        assert!(s.has_in(&mut pipes), "asking again reads nothing more");
        assert_eq!(pipes.unread(0), 1);
        let mut got = vec![];
        for _ in 0..4 {
            let m = s.recv(&mut pipes).unwrap();
            got.push((m.to_vec(), m.more()));
        }
        assert_eq!(
            got,
            [
                (a.to_vec(), true),
                (vec![], false),
                (a.to_vec(), true),
                (b"GET /".to_vec(), false)
            ]
        );
        assert_eq!(s.recv(&mut pipes).unwrap_err(), Error::Again);
    }

    #[test]
    fn data_frames_go_without_more_and_unknown_ids_fail() {
        let mut pipes = FakePipes::default();
        let mut s = Stream::new(0);
        let a = connection(&mut pipes, &mut s, 0);
        let mut head = Msg::copy_from_slice(&a);
        head.set_more(true);
        s.send(&mut pipes, head).unwrap();
        s.send(&mut pipes, frame("body", true)).unwrap();
        let sent = &pipes.pipes[&0].sent;
        assert_eq!(sent.len(), 1);
        assert!(!sent[0].more(), "the MORE flag of a data frame is dropped");
        assert!(matches!(
            s.send(&mut pipes, frame("nobody", true)),
            Err(SendError::Fail(Error::HostUnreach, _))
        ));
        assert!(s.has_out(&mut pipes));
    }

    #[test]
    fn a_lone_first_frame_swallows_the_next_one() {
        let mut pipes = FakePipes::default();
        let mut s = Stream::new(0);
        let a = connection(&mut pipes, &mut s, 0);
        s.send(&mut pipes, Msg::copy_from_slice(&a)).unwrap();
        s.send(&mut pipes, frame("swallowed", false)).unwrap();
        send(&mut s, &mut pipes, &a, "x");
        let sent: Vec<Vec<u8>> = pipes.pipes[&0].sent.iter().map(|m| m.to_vec()).collect();
        assert_eq!(sent, [b"x".to_vec()]);
    }

    #[test]
    fn a_full_connection_is_eagain_and_an_empty_frame_closes() {
        let mut pipes = FakePipes::default();
        let mut s = Stream::new(0);
        let a = connection(&mut pipes, &mut s, 0);
        send(&mut s, &mut pipes, &a, "1");
        send(&mut s, &mut pipes, &a, "2");
        let mut head = Msg::copy_from_slice(&a);
        head.set_more(true);
        assert!(matches!(s.send(&mut pipes, head), Err(SendError::Again(_))));
        pipes.pipes.get_mut(&0).unwrap().capacity = 10;
        send(&mut s, &mut pipes, &a, "");
        assert!(pipes.pipes[&0].closed);
        assert_eq!(pipes.pipes[&0].sent.len(), 2, "the empty frame is not sent");
        let mut head = Msg::copy_from_slice(&a);
        head.set_more(true);
        assert!(
            matches!(
                s.send(&mut pipes, head),
                Err(SendError::Fail(Error::HostUnreach, _))
            ),
            "a closed connection is forgotten at once"
        );
    }

    #[test]
    fn a_detached_connection_is_unreachable() {
        let mut pipes = FakePipes::default();
        let mut s = Stream::new(0);
        let a = connection(&mut pipes, &mut s, 0);
        s.detach(0);
        let mut head = Msg::copy_from_slice(&a);
        head.set_more(true);
        assert!(matches!(
            s.send(&mut pipes, head),
            Err(SendError::Fail(Error::HostUnreach, _))
        ));
    }
}
