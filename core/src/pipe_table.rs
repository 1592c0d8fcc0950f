//! [`PipeTable`]: a socket's pipes, as seen from the application thread.
//!
//! Each entry keeps a private batch of received frames, so the shared queue is locked
//! once per batch rather than once per message, and counts the messages consumed from it
//! so the credit goes back to the writer at the pipe's low-water mark and when the next
//! batch is taken.

use crate::msg::Msg;
use crate::pattern::{PipeId, Pipes};
use crate::pipe::Pipe;
use slab::Slab;
use std::collections::VecDeque;
use std::sync::Arc;

struct Entry {
    pipe: Arc<Pipe>,
    local: VecDeque<Msg>,
    consumed: usize,
    /// The session ended; the entry goes once its messages are read.
    terminated: bool,
}

/// The pipes of one socket.
#[derive(Default)]
pub(crate) struct PipeTable {
    entries: Slab<Entry>,
    /// Terminated pipes found drained, to be removed by the socket.
    finished: Vec<PipeId>,
    /// Pipes the pattern refused, to be closed by the socket.
    rejected: Vec<PipeId>,
    /// Pipes the pattern closed, to be let go of (flushed, then ended) by the socket.
    closed: Vec<PipeId>,
    /// The pipe the last frame was taken from (for its peer's metadata).
    last_read: Option<PipeId>,
    /// During a fan-out, the sessions to wake once it is queued: (address of their I/O
    /// thread, session token, pipe). Kept to reuse its allocation.
    to_wake: Vec<(usize, usize, PipeId)>,
}

impl PipeTable {
    pub fn insert(&mut self, pipe: Arc<Pipe>) -> PipeId {
        self.entries.insert(Entry {
            pipe,
            local: VecDeque::new(),
            consumed: 0,
            terminated: false,
        })
    }

    /// Removes a pipe, returning it.
    pub fn remove(&mut self, id: PipeId) -> Option<Arc<Pipe>> {
        self.entries.try_remove(id).map(|e| e.pipe)
    }

    /// The id of the pipe at address `addr` (see `SocketCmd::Detach`).
    pub fn find(&self, addr: usize) -> Option<PipeId> {
        self.entries
            .iter()
            .find(|(_, e)| Arc::as_ptr(&e.pipe) as usize == addr)
            .map(|(id, _)| id)
    }

    /// Marks a pipe's session as ended; returns whether nothing is left to read from it.
    pub fn terminate(&mut self, id: PipeId) -> bool {
        let Some(e) = self.entries.get_mut(id) else {
            return false;
        };
        e.terminated = true;
        e.local.is_empty() && {
            let consumed = std::mem::take(&mut e.consumed);
            e.pipe.recv_batch(&mut e.local, consumed).finished
        }
    }

    /// Whether terminated pipes were read dry since [`take_finished`](Self::take_finished)
    /// was last called.
    #[inline]
    pub fn has_finished(&self) -> bool {
        !self.finished.is_empty()
    }

    /// Terminated pipes that have been read dry since the last call.
    pub fn take_finished(&mut self) -> Vec<PipeId> {
        std::mem::take(&mut self.finished)
    }

    /// Pipes the pattern refused since the last call.
    pub fn take_rejected(&mut self) -> Vec<PipeId> {
        std::mem::take(&mut self.rejected)
    }

    /// Pipes the pattern closed since the last call.
    pub fn take_closed(&mut self) -> Vec<PipeId> {
        std::mem::take(&mut self.closed)
    }

    /// Whether the pattern refused or closed pipes that the socket has not handled yet.
    #[inline]
    pub fn has_doomed(&self) -> bool {
        !self.rejected.is_empty() || !self.closed.is_empty()
    }

    /// All pipes, for closing.
    pub fn drain(&mut self) -> impl Iterator<Item = Arc<Pipe>> + '_ {
        self.entries.drain().map(|e| e.pipe)
    }

    /// The pipe the most recently taken frame came from, if it is still there.
    pub fn last_read(&self) -> Option<&Arc<Pipe>> {
        self.entries.get(self.last_read?).map(|e| &e.pipe)
    }

    /// The pipes for which `f` holds.
    pub fn ids_where(&self, f: impl Fn(&Pipe) -> bool) -> Vec<PipeId> {
        self.entries
            .iter()
            .filter(|(_, e)| f(&e.pipe))
            .map(|(id, _)| id)
            .collect()
    }

    /// The socket's pipe when it has exactly one.
    pub fn sole(&self) -> Option<&Arc<Pipe>> {
        if self.entries.len() != 1 {
            return None;
        }
        self.entries.iter().next().map(|(_, e)| &e.pipe)
    }

    /// Every pipe, for option changes.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Pipe>> {
        self.entries.iter().map(|(_, e)| &e.pipe)
    }

    /// Whether `id`'s private batch holds a frame, taking the shared queue when the batch
    /// is empty. Taking an empty queue marks the reader waiting, so the next delivery
    /// wakes the socket; a terminated pipe found dry is queued for removal (once).
    fn fill(&mut self, id: PipeId) -> bool {
        let Some(e) = self.entries.get_mut(id) else {
            return false;
        };
        !e.local.is_empty() || refill(e, id, &mut self.finished)
    }

    /// One pipe of a fan-out: queues `msg` on `id` unless it is full or its session
    /// ended, noting the session to wake when it waits for it.
    fn queue_on(&mut self, id: PipeId, msg: Msg) {
        let Some(e) = self.entries.get(id).filter(|e| !e.terminated) else {
            return;
        };
        if let Ok(Some(w)) = e.pipe.queue(msg) {
            self.to_wake
                .push((Arc::as_ptr(&w.io) as usize, w.token, id));
        }
    }

    /// [`PipeTable::queue_on`] for all frames of one message (room was checked).
    fn queue_frames_on(&mut self, id: PipeId, frames: Vec<Msg>) {
        let Some(e) = self.entries.get(id) else {
            return;
        };
        if let Some(w) = e.pipe.queue_frames(frames) {
            self.to_wake
                .push((Arc::as_ptr(&w.io) as usize, w.token, id));
        }
    }

    /// Wakes the sessions a fan-out noted: one hand-off per I/O thread.
    fn wake_noted(&mut self) {
        if self.to_wake.is_empty() {
            return;
        }
        self.to_wake.sort_unstable();
        for group in self.to_wake.chunk_by(|a, b| a.0 == b.0) {
            let wake = self
                .entries
                .get(group[0].2)
                .and_then(|e| e.pipe.session_wake());
            if let Some(w) = wake {
                w.io.activate_all(group.iter().map(|&(_, token, _)| token));
            }
        }
        self.to_wake.clear();
    }
}

/// Takes `e`'s shared queue into its empty private batch (see [`PipeTable::fill`]);
/// returns whether the batch holds a frame now.
fn refill(e: &mut Entry, id: PipeId, finished: &mut Vec<PipeId>) -> bool {
    let consumed = std::mem::take(&mut e.consumed);
    let dry = e.pipe.recv_batch(&mut e.local, consumed).finished;
    if dry && e.terminated && !finished.contains(&id) {
        finished.push(id);
    }
    !e.local.is_empty()
}

/// A frame was taken from `e`'s batch (`more`: frames of its message follow): the credit
/// of a whole message goes back to the writer at the low-water mark.
#[inline]
fn took(e: &mut Entry, more: bool) {
    if !more {
        e.consumed += 1;
        if e.consumed >= e.pipe.inbound_lwm() {
            // Credit returns while the socket reads (libzmq's low-water mark), so a
            // writer blocked at the HWM need not wait for the batch to run dry.
            e.pipe.ack_inbound(std::mem::take(&mut e.consumed));
        }
    }
}

impl Pipes for PipeTable {
    fn try_send(&mut self, id: PipeId, msg: Msg) -> Result<(), Msg> {
        match self.entries.get(id) {
            Some(e) if !e.terminated => e.pipe.send(msg),
            _ => Err(msg),
        }
    }

    fn try_send_from(&mut self, id: PipeId, slot: &mut Msg) -> bool {
        match self.entries.get(id) {
            Some(e) if !e.terminated => e.pipe.send_from(slot),
            _ => false,
        }
    }

    fn can_send(&mut self, id: PipeId) -> bool {
        matches!(self.entries.get(id), Some(e) if !e.terminated && e.pipe.can_send())
    }

    fn send_frames(&mut self, id: PipeId, frames: Vec<Msg>) {
        if let Some(e) = self.entries.get(id) {
            e.pipe.send_frames(frames);
        }
    }

    fn fan_out(&mut self, targets: &[PipeId], msg: Msg) {
        if let Some((&last, others)) = targets.split_last() {
            for &id in others {
                self.queue_on(id, msg.clone());
            }
            self.queue_on(last, msg);
        }
        self.wake_noted();
    }

    fn fan_out_frames(&mut self, targets: &[PipeId], frames: Vec<Msg>) {
        if let Some((&last, others)) = targets.split_last() {
            for &id in others {
                self.queue_frames_on(id, frames.clone());
            }
            self.queue_frames_on(last, frames);
        }
        self.wake_noted();
    }

    fn routing_id(&self, id: PipeId) -> Option<bytes::Bytes> {
        self.entries.get(id)?.pipe.routing_id()
    }

    fn reject(&mut self, id: PipeId) {
        self.rejected.push(id);
    }

    fn close(&mut self, id: PipeId) {
        self.closed.push(id);
    }

    fn try_recv(&mut self, id: PipeId) -> Option<Msg> {
        let e = self.entries.get_mut(id)?;
        let m = match e.local.pop_front() {
            Some(m) => m,
            None if refill(e, id, &mut self.finished) => e.local.pop_front()?,
            None => return None,
        };
        took(e, m.more());
        self.last_read = Some(id);
        Some(m)
    }

    fn try_recv_into(&mut self, id: PipeId, slot: &mut Msg) -> bool {
        let Some(e) = self.entries.get_mut(id) else {
            return false;
        };
        if e.local.is_empty() && !refill(e, id, &mut self.finished) {
            return false;
        }
        let Some(m) = e.local.pop_front() else {
            return false;
        };
        // Straight from the batch into the caller's message: the one move of the frame.
        *slot = m;
        took(e, slot.more());
        self.last_read = Some(id);
        true
    }

    fn has_msg(&mut self, id: PipeId) -> bool {
        self.fill(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::IoThread;
    use crate::pipe::SessionWake;
    use crate::socket_shared::SocketShared;

    #[test]
    fn has_msg_takes_nothing_and_an_empty_check_arms_the_wakeup() {
        let io = IoThread::spawn(0, &Default::default()).unwrap();
        let socket = Arc::new(SocketShared::default());
        let wake = SessionWake {
            io: Arc::clone(&io.shared),
            token: 0,
        };
        let pipe = Pipe::new(Arc::clone(&socket), wake, 10, 10);
        let mut table = PipeTable::default();
        let id = table.insert(Arc::clone(&pipe));

        assert!(!table.has_msg(id));
        let seen = socket.signal.generation();
        pipe.deliver([Msg::from("a")], 1);
        assert_ne!(
            socket.signal.generation(),
            seen,
            "the waiting reader is woken"
        );
        assert!(table.has_msg(id));
        assert!(table.has_msg(id));
        assert_eq!(table.try_recv(id).as_deref(), Some(&b"a"[..]));

        assert!(!table.has_msg(id));
        let seen = socket.signal.generation();
        pipe.deliver([Msg::from("b")], 1);
        assert_ne!(socket.signal.generation(), seen);

        // A terminated pipe read dry is reported finished once, however often it is asked.
        pipe.close_from_session();
        assert!(!table.terminate(id));
        assert_eq!(table.try_recv(id).as_deref(), Some(&b"b"[..]));
        assert!(!table.has_msg(id));
        assert!(!table.has_msg(id));
        assert_eq!(table.try_recv(id), None);
        assert_eq!(table.take_finished(), vec![id]);
        assert!(!table.has_msg(99), "unknown pipe");
    }

    #[test]
    fn frames_move_from_and_into_the_callers_slot() {
        let io = IoThread::spawn(0, &Default::default()).unwrap();
        let socket = Arc::new(SocketShared::default());
        let wake = SessionWake {
            io: Arc::clone(&io.shared),
            token: 0,
        };
        // SNDHWM 1: the second frame finds the pipe full.
        let pipe = Pipe::new(Arc::clone(&socket), wake, 1, 10);
        let mut table = PipeTable::default();
        let id = table.insert(Arc::clone(&pipe));

        let mut slot = Msg::from("out");
        assert!(table.try_send_from(id, &mut slot));
        assert!(slot.is_empty(), "taken");
        let mut second = Msg::from("again");
        assert!(!table.try_send_from(id, &mut second));
        assert_eq!(&second[..], b"again", "full: the frame stays");
        let mut out = VecDeque::new();
        pipe.drain_outgoing(&mut out, 0);
        assert_eq!(out.iter().map(|m| m.to_vec()).collect::<Vec<_>>(), [b"out"]);

        let mut into = Msg::from("old");
        assert!(!table.try_recv_into(id, &mut into));
        assert_eq!(&into[..], b"old", "nothing came: untouched");
        let mut first = Msg::from("a");
        first.set_more(true);
        pipe.deliver([first, Msg::from("b")], 1);
        assert!(table.try_recv_into(id, &mut into));
        assert_eq!((&into[..], into.more()), (&b"a"[..], true));
        assert!(table.try_recv_into(id, &mut into));
        assert_eq!((&into[..], into.more()), (&b"b"[..], false));
        assert!(!table.try_recv_into(id, &mut into));
        assert_eq!(&into[..], b"b");
    }

    #[test]
    fn a_fan_out_queues_on_each_pipe_with_room_and_wakes_the_waiting_sessions() {
        use crate::io::IoShared;
        let (io, _poll) = IoShared::detached();
        let socket = Arc::new(SocketShared::default());
        let mut table = PipeTable::default();
        let mut pipes = Vec::new();
        let mut ids = Vec::new();
        for token in 0..4 {
            let wake = SessionWake {
                io: Arc::clone(&io),
                token: 100 + token,
            };
            // Pipe 2 holds one message at most.
            let hwm = if token == 2 { 1 } else { 10 };
            let pipe = Pipe::new(Arc::clone(&socket), wake, hwm, 10);
            ids.push(table.insert(Arc::clone(&pipe)));
            pipes.push(pipe);
        }
        let mut out = VecDeque::new();
        // The sessions of pipes 0 and 2 found their queue empty: they wait.
        pipes[0].drain_outgoing(&mut out, 0);
        pipes[2].drain_outgoing(&mut out, 0);
        // Pipe 3's session ended.
        pipes[3].close_from_session();
        table.terminate(ids[3]);

        table.fan_out(&ids, Msg::from(vec![7u8; 64]));
        assert_eq!(
            io.take_activated(),
            vec![100, 102],
            "the waiting ones, once"
        );
        table.fan_out(&ids, Msg::from("second"));
        assert!(io.take_activated().is_empty(), "nobody waits any more");
        let mut first = Msg::from("multi");
        first.set_more(true);
        table.fan_out_frames(&ids[..2], vec![first, Msg::from("part")]);

        let drained = |p: &Pipe| {
            let mut q = VecDeque::new();
            p.drain_outgoing(&mut q, 0);
            q.iter().map(|m| m.to_vec()).collect::<Vec<_>>()
        };
        let all = [
            vec![7u8; 64],
            b"second".to_vec(),
            b"multi".to_vec(),
            b"part".to_vec(),
        ];
        assert_eq!(drained(&pipes[0]), all);
        assert_eq!(drained(&pipes[1]), all);
        assert_eq!(
            drained(&pipes[2]),
            [vec![7u8; 64]],
            "full: missed the second"
        );
        assert!(drained(&pipes[3]).is_empty(), "its session ended");
    }
}
