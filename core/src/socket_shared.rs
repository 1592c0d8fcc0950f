//! [`SocketShared`]: the part of a socket its I/O threads may touch.
//!
//! I/O threads never call into a socket; they post [`SocketCmd`]s here and notify its
//! [`Signal`]. The socket applies the commands at the start of its next call (as libzmq's
//! `process_commands` does), so all pattern state stays owned by the application thread.

use crate::monitor::MonitorSlot;
use crate::pipe::Pipe;
use crate::wakeup::Signal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A command from an I/O thread to a socket.
#[derive(Debug)]
pub(crate) enum SocketCmd {
    /// A bind-side connection finished its handshake: start using its pipe.
    Attach(Arc<Pipe>),
    /// A session ended; the pipe (identified by address) is dropped once drained.
    Detach(usize),
    /// The peer of a connect-side pipe (identified by address) completed a handshake.
    PeerReady(usize),
    /// The connection of an IMMEDIATE connect-side pipe (by address) dropped.
    PeerLost(usize),
}

/// The shared half of a socket.
#[derive(Debug, Default)]
pub(crate) struct SocketShared {
    pub signal: Signal,
    /// Where this socket's events go (see [`crate::monitor`]).
    pub monitor: MonitorSlot,
    inbox: Mutex<Inbox>,
    has_cmds: AtomicBool,
    /// Messages were delivered on some pipe since the socket last looked.
    inbound: AtomicBool,
    /// The socket's pattern does not act on deliveries before it receives them
    /// (`pattern::reads_inbound`): [`SocketShared::mark_inbound`] leaves `inbound` alone.
    /// Otherwise an inproc writer would store to this cache line, which the socket reads
    /// on every call, once per message.
    ignores_inbound: bool,
    /// The context was terminated: every call fails with ETERM.
    terminated: AtomicBool,
    /// Another thread is closing the socket: every call fails with ENOTSOCK.
    interrupted: AtomicBool,
}

#[derive(Debug, Default)]
struct Inbox {
    cmds: Vec<SocketCmd>,
    closed: bool,
}

impl SocketShared {
    /// The shared half of a new socket; `reads_inbound`: its pattern acts on deliveries
    /// before they are received (see [`SocketShared::mark_inbound`]).
    pub fn new(reads_inbound: bool) -> SocketShared {
        SocketShared {
            ignores_inbound: !reads_inbound,
            ..SocketShared::default()
        }
    }

    /// Posts a command and wakes the socket.
    /// Posts a command and wakes the socket. Returns `false` (dropping the command) once
    /// the socket is closed: a pipe offered after that would never be read.
    pub fn post(&self, cmd: SocketCmd) -> bool {
        let mut inbox = self.inbox.lock().unwrap_or_else(|e| e.into_inner());
        if inbox.closed {
            return false;
        }
        inbox.cmds.push(cmd);
        self.has_cmds.store(true, Ordering::SeqCst);
        drop(inbox);
        self.signal.notify();
        true
    }

    /// Marks the socket's context terminated and wakes any call blocked on it.
    pub fn terminate(&self) {
        self.terminated.store(true, Ordering::SeqCst);
        self.signal.notify();
    }

    /// Marks the socket as being closed by another thread and wakes any call blocked on
    /// it (see [`crate::Interrupter`]).
    pub fn interrupt(&self) {
        self.interrupted.store(true, Ordering::SeqCst);
        self.signal.notify();
    }

    /// Whether [`SocketShared::interrupt`] was called.
    pub fn is_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Acquire)
    }

    /// Whether the socket's context was terminated.
    pub fn is_terminated(&self) -> bool {
        self.terminated.load(Ordering::Acquire)
    }

    /// Takes the pending commands (cheap when there are none).
    pub fn take(&self) -> Vec<SocketCmd> {
        // A plain load first: this runs on every send and recv.
        if !self.has_cmds.load(Ordering::Acquire) || !self.has_cmds.swap(false, Ordering::SeqCst) {
            return Vec::new();
        }
        std::mem::take(&mut self.inbox.lock().unwrap_or_else(|e| e.into_inner()).cmds)
    }

    /// Notes that messages were delivered (see [`SocketShared::take_inbound`]).
    pub fn mark_inbound(&self) {
        if self.ignores_inbound {
            return;
        }
        // Always a release store (once per delivered batch): the socket's acquire in
        // `take_inbound` must see the Attach posted before this delivery.
        self.inbound.store(true, Ordering::Release);
    }

    /// Whether messages were delivered since the last call. Call it before [`take`]:
    /// every delivery it reports then has its pipe's Attach among the commands taken.
    ///
    /// [`take`]: SocketShared::take
    pub fn take_inbound(&self) -> bool {
        self.inbound.load(Ordering::Acquire) && self.inbound.swap(false, Ordering::AcqRel)
    }

    /// Tells the socket that `pipe`'s peer completed a handshake.
    pub fn pipe_ready(&self, pipe: &Pipe) {
        self.post(SocketCmd::PeerReady(pipe as *const Pipe as usize));
    }

    /// Tells the socket that `pipe`'s session ended.
    pub fn pipe_terminated(&self, pipe: &Pipe) {
        self.post(SocketCmd::Detach(pipe as *const Pipe as usize));
    }

    /// Marks the socket closed and returns the commands it never applied, so that the
    /// pipes they carry can be let go of properly.
    pub fn close(&self) -> Vec<SocketCmd> {
        let mut inbox = self.inbox.lock().unwrap_or_else(|e| e.into_inner());
        inbox.closed = true;
        self.has_cmds.store(false, Ordering::SeqCst);
        std::mem::take(&mut inbox.cmds)
    }
}
