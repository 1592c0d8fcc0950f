//! [`PipeTable`]: a socket's pipes, as seen from the application thread.
//!
//! Each entry keeps a private batch of received frames, so the shared queue is locked
//! once per batch rather than once per message, and counts the messages consumed from it
//! so the credit goes back to the session when the next batch is taken.

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

    /// Terminated pipes that have been read dry since the last call.
    pub fn take_finished(&mut self) -> Vec<PipeId> {
        std::mem::take(&mut self.finished)
    }

    /// Pipes the pattern refused since the last call.
    pub fn take_rejected(&mut self) -> Vec<PipeId> {
        std::mem::take(&mut self.rejected)
    }

    /// All pipes, for closing.
    pub fn drain(&mut self) -> impl Iterator<Item = Arc<Pipe>> + '_ {
        self.entries.drain().map(|e| e.pipe)
    }

    /// The pipes for which `f` holds.
    pub fn ids_where(&self, f: impl Fn(&Pipe) -> bool) -> Vec<PipeId> {
        self.entries
            .iter()
            .filter(|(_, e)| f(&e.pipe))
            .map(|(id, _)| id)
            .collect()
    }

    /// Every pipe, for option changes.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Pipe>> {
        self.entries.iter().map(|(_, e)| &e.pipe)
    }
}

impl Pipes for PipeTable {
    fn try_send(&mut self, id: PipeId, msg: Msg) -> Result<(), Msg> {
        match self.entries.get(id) {
            Some(e) if !e.terminated => e.pipe.send(msg),
            _ => Err(msg),
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

    fn routing_id(&self, id: PipeId) -> Option<bytes::Bytes> {
        self.entries.get(id)?.pipe.routing_id()
    }

    fn reject(&mut self, id: PipeId) {
        self.rejected.push(id);
    }

    fn try_recv(&mut self, id: PipeId) -> Option<Msg> {
        let e = self.entries.get_mut(id)?;
        if e.local.is_empty() {
            let consumed = std::mem::take(&mut e.consumed);
            if e.pipe.recv_batch(&mut e.local, consumed).finished && e.terminated {
                self.finished.push(id);
                return None;
            }
        }
        let m = e.local.pop_front()?;
        if !m.more() {
            e.consumed += 1;
        }
        Some(m)
    }
}
