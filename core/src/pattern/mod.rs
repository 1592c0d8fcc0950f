//! Socket patterns: the routing logic of each socket type, as plain state machines.
//!
//! A pattern never touches a pipe directly. It sees pipes only through [`Pipes`], keyed
//! by [`PipeId`], so every pattern is tested in memory with a fake pipe set (see the
//! tests in each file). The socket supplies the real pipes, and the random seeds of the
//! patterns that generate ids, so that no pattern reads a clock or calls into the system.

#![forbid(unsafe_code)]

mod dealer;
mod dist;
mod fair_queue;
mod load_balancer;
mod pair;
mod publish;
mod pull;
mod push;
mod rep;
mod req;
mod rotation;
mod router;
mod stream;
mod sub;
pub(crate) mod trie;
mod xpub;
mod xsub;

pub(crate) use pull::Pull;
pub(crate) use push::Push;

pub(crate) use crate::proto::subscription::{parse_subscription, subscription_msg};

use crate::error::Error;
use crate::msg::Msg;
use crate::proto::SocketType;

/// Identifies one pipe of a socket.
pub(crate) type PipeId = usize;

/// The pipes of a socket, as a pattern sees them.
pub(crate) trait Pipes {
    /// Sends a single-frame message on `id`, or gives it back when the pipe is full.
    fn try_send(&mut self, id: PipeId, msg: Msg) -> Result<(), Msg>;
    /// [`Pipes::try_send`] from `slot`: `true` when sent (`slot` is left empty), `false`
    /// with the frame still in `slot` when the pipe is full. The send path moves the
    /// frame once, from the caller's message into the pipe (see [`Pipes::try_recv_into`]).
    fn try_send_from(&mut self, id: PipeId, slot: &mut Msg) -> bool {
        match self.try_send(id, std::mem::take(slot)) {
            Ok(()) => true,
            Err(back) => {
                *slot = back;
                false
            }
        }
    }
    /// Whether a new message fits on `id` now.
    fn can_send(&mut self, id: PipeId) -> bool;
    /// Sends all frames of one message on `id` (after `can_send` said yes).
    fn send_frames(&mut self, id: PipeId, frames: Vec<Msg>);
    /// Fan-out: sends a single-frame message to each of `targets` (several pipes) that
    /// has room; the others miss it. Unlike `try_send`, a fan-out only queues: writing on
    /// the application thread would cost a system call per pipe and per message (and
    /// wake every peer for each message) where each session writes its queue in
    /// batches; the sessions to wake are woken together at the end.
    fn fan_out(&mut self, targets: &[PipeId], msg: Msg);
    /// Fan-out of all frames of one message to each of `targets` (every one of which
    /// `can_send` said yes to), queued as by `fan_out`.
    fn fan_out_frames(&mut self, targets: &[PipeId], frames: Vec<Msg>);
    /// The next incoming frame on `id`, if any.
    fn try_recv(&mut self, id: PipeId) -> Option<Msg>;
    /// [`Pipes::try_recv`] into `slot` (its old frame is dropped): `false`, with `slot`
    /// untouched, when `id` has no frame. The receive path moves each frame once, from
    /// the pipe into the caller's message, instead of returning it by value through every
    /// layer (each such move of the 48-byte `Msg` costs a copy, and a store-forwarding
    /// stall when it was stored at other widths: docs/PERFORMANCE.md, issue 14).
    fn try_recv_into(&mut self, id: PipeId, slot: &mut Msg) -> bool {
        match self.try_recv(id) {
            Some(m) => {
                *slot = m;
                true
            }
            None => false,
        }
    }
    /// Whether `try_recv(id)` would return a frame now. When not, the pipe is left
    /// marked as having a waiting reader, so the next delivery wakes the socket.
    fn has_msg(&mut self, id: PipeId) -> bool;
    /// The routing id for `id`'s peer: CONNECT_ROUTING_ID if the socket set one for this
    /// connection, else the peer's `Identity` once its handshake is done (possibly empty);
    /// `None` while the handshake is pending.
    fn routing_id(&self, id: PipeId) -> Option<bytes::Bytes>;
    /// Refuses a pipe (PAIR's second peer): the socket closes it.
    fn reject(&mut self, id: PipeId);
    /// Ends the connection of `id` once what was sent on it is written (STREAM's empty
    /// frame). The pattern has forgotten the pipe already.
    fn close(&mut self, id: PipeId);
}

/// Options that only some patterns have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PatternOption {
    /// `ZMQ_REQ_RELAXED`.
    ReqRelaxed(bool),
    /// `ZMQ_REQ_CORRELATE`.
    ReqCorrelate(bool),
    /// `ZMQ_XPUB_VERBOSE` (subscribes) and `ZMQ_XPUB_VERBOSER` (unsubscribes too).
    XpubVerbose {
        subscribes: bool,
        unsubscribes: bool,
    },
    /// `ZMQ_ROUTER_MANDATORY`.
    RouterMandatory(bool),
    /// `ZMQ_ROUTER_HANDOVER`.
    RouterHandover(bool),
    /// `ZMQ_XPUB_NODROP`.
    XpubNodrop(bool),
    /// `ZMQ_XPUB_MANUAL`, and with `last_value` `ZMQ_XPUB_MANUAL_LAST_VALUE`.
    XpubManual { manual: bool, last_value: bool },
    /// `ZMQ_INVERT_MATCHING`.
    InvertMatching(bool),
}

/// Why a send did not complete.
#[derive(Debug)]
pub(crate) enum SendError {
    /// No pipe can take the message now; here it is back.
    Again(Msg),
    /// The send failed for good; the frame comes back untouched (libzmq leaves a
    /// message whose send failed to its caller, who may send it again).
    Fail(Error, Msg),
}

/// Why a send from a slot did not complete; the frame stays in the slot.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SlotSendError {
    /// No pipe can take the message now.
    Again,
    /// The send failed for good.
    Fail(Error),
}

/// The routing logic of one socket type.
pub(crate) trait Pattern: Send {
    /// A pipe is ready for use.
    fn attach(&mut self, pipes: &mut dyn Pipes, id: PipeId);
    /// A pipe is gone.
    fn detach(&mut self, id: PipeId);
    /// Routes one frame (its `more` flag says whether frames follow).
    fn send(&mut self, pipes: &mut dyn Pipes, msg: Msg) -> Result<(), SendError>;
    /// [`Pattern::send`] from `slot`, left empty when the frame was taken; on error the
    /// frame stays in `slot`. Patterns that load-balance single frames hand it from the
    /// slot to the pipe (see [`Pipes::try_send_from`]).
    fn send_from(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), SlotSendError> {
        match self.send(pipes, std::mem::take(slot)) {
            Ok(()) => Ok(()),
            Err(SendError::Again(back)) => {
                *slot = back;
                Err(SlotSendError::Again)
            }
            Err(SendError::Fail(e, back)) => {
                *slot = back;
                Err(SlotSendError::Fail(e))
            }
        }
    }
    /// Takes the next incoming frame; `Error::Again` when none is ready.
    fn recv(&mut self, pipes: &mut dyn Pipes) -> Result<Msg, Error>;
    /// [`Pattern::recv`] into `slot` (its old frame is dropped; untouched on error).
    /// Patterns that only fair-queue take the frame straight from the pipe into `slot`
    /// (see [`Pipes::try_recv_into`]).
    fn recv_into(&mut self, pipes: &mut dyn Pipes, slot: &mut Msg) -> Result<(), Error> {
        *slot = self.recv(pipes)?;
        Ok(())
    }
    /// Whether `recv` would return a frame now (`ZMQ_POLLIN`). It may read ahead and keep
    /// what it read for `recv`, and drops what `recv` would drop; when false, every pipe
    /// it looked at wakes the socket on its next delivery.
    fn has_in(&mut self, pipes: &mut dyn Pipes) -> bool;
    /// Whether `send` would accept a frame now rather than fail with EAGAIN
    /// (`ZMQ_POLLOUT`). When false, every full pipe it looked at wakes the socket once it
    /// has room.
    fn has_out(&mut self, pipes: &mut dyn Pipes) -> bool;
    /// Messages arrived on some pipe; patterns that must act on them without waiting for
    /// `recv` (a publisher learning subscriptions) read them here.
    fn process_inbound(&mut self, _pipes: &mut dyn Pipes) {}
    /// `ZMQ_SUBSCRIBE` (`on`) or `ZMQ_UNSUBSCRIBE`; EINVAL for types without topics.
    fn subscribe(&mut self, _pipes: &mut dyn Pipes, _topic: &[u8], _on: bool) -> Result<(), Error> {
        Err(Error::Invalid)
    }
    /// Sets a pattern-specific option; EINVAL when the type has no such option.
    fn set_option(&mut self, _opt: PatternOption) -> Result<(), Error> {
        Err(Error::Invalid)
    }
    /// The peer of pipe `id` completed a handshake (connect side: on every connection),
    /// so its identity is known now.
    fn peer_ready(&mut self, _pipes: &mut dyn Pipes, _id: PipeId) {}
    /// The routing id the pattern generated for the pipe attached last, once: libzmq's
    /// STREAM stores it in the socket's ROUTING_ID option, where applications read it.
    fn take_generated_routing_id(&mut self) -> Option<bytes::Bytes> {
        None
    }
}

/// The pattern for `ty`. `seed` is where generated ids start (REQ request ids, ROUTER and
/// STREAM routing ids); the socket passes a random value, so patterns never read a clock.
pub(crate) fn for_type(ty: SocketType, seed: u32) -> Box<dyn Pattern> {
    match ty {
        SocketType::Push => Box::new(Push::default()),
        SocketType::Pull => Box::new(Pull::default()),
        SocketType::Req => Box::new(req::Req::new(seed)),
        SocketType::Rep => Box::new(rep::Rep::default()),
        SocketType::Dealer => Box::new(dealer::Dealer::default()),
        SocketType::Router => Box::new(router::Router::new(seed)),
        SocketType::Pair => Box::new(pair::Pair::default()),
        SocketType::Pub => Box::new(publish::Pub::default()),
        SocketType::Sub => Box::new(sub::Sub::default()),
        SocketType::Xpub => Box::new(xpub::Xpub::default()),
        SocketType::Xsub => Box::new(xsub::Xsub::default()),
        SocketType::Stream => Box::new(stream::Stream::new(seed)),
    }
}

/// Whether sockets of type `ty` act on deliveries before they are received (their
/// pattern implements [`Pattern::process_inbound`]: a publisher learning subscriptions).
/// For the others a delivery needs no note: a writer does not touch the reader's flag per
/// message, a cache line the reader would otherwise lose on every message.
pub(crate) fn reads_inbound(ty: SocketType) -> bool {
    matches!(ty, SocketType::Pub | SocketType::Xpub)
}

/// A pattern that can only send or only receive answers the other call with ENOTSUP.
pub(crate) fn not_supported<T>() -> Result<T, Error> {
    Err(Error::NotSup)
}

#[cfg(test)]
pub(crate) mod fake {
    //! An in-memory pipe set for pattern tests.
    use super::*;
    use std::collections::{HashMap, VecDeque};

    #[derive(Default)]
    pub struct FakePipe {
        pub sent: Vec<Msg>,
        pub capacity: usize,
        pub incoming: VecDeque<Msg>,
        pub routing_id: Option<bytes::Bytes>,
        pub rejected: bool,
        /// The pattern closed the connection.
        pub closed: bool,
        /// A read found nothing (a real pipe would wake the socket on delivery).
        pub reader_waiting: bool,
        /// A send found the pipe full (a real pipe would wake the socket on room).
        pub writer_waiting: bool,
    }

    #[derive(Default)]
    pub struct FakePipes {
        pub pipes: HashMap<PipeId, FakePipe>,
        /// Messages sent by `fan_out` / `fan_out_frames` (one per call, whatever the
        /// number of targets).
        pub fan_outs: usize,
    }

    impl FakePipes {
        pub fn add(&mut self, id: PipeId, capacity: usize) {
            self.pipes.insert(
                id,
                FakePipe {
                    capacity,
                    ..FakePipe::default()
                },
            );
        }

        pub fn messages_sent(&self, id: PipeId) -> usize {
            self.pipes[&id].sent.iter().filter(|m| !m.more()).count()
        }

        /// Queues frames for the pattern to receive on `id`.
        pub fn incoming(&mut self, id: PipeId, frames: &[(&[u8], bool)]) {
            let q = &mut self.pipes.get_mut(&id).unwrap().incoming;
            for &(data, more) in frames {
                let mut m = Msg::copy_from_slice(data);
                m.set_more(more);
                q.push_back(m);
            }
        }

        /// Frames still waiting to be received on `id`.
        pub fn unread(&self, id: PipeId) -> usize {
            self.pipes[&id].incoming.len()
        }
    }

    impl Pipes for FakePipes {
        fn try_send(&mut self, id: PipeId, msg: Msg) -> Result<(), Msg> {
            if !self.can_send(id) {
                return Err(msg);
            }
            self.pipes.get_mut(&id).unwrap().sent.push(msg);
            Ok(())
        }
        fn can_send(&mut self, id: PipeId) -> bool {
            let p = self.pipes.get_mut(&id).unwrap();
            let room = p.sent.iter().filter(|m| !m.more()).count() < p.capacity;
            p.writer_waiting |= !room;
            room
        }
        fn send_frames(&mut self, id: PipeId, frames: Vec<Msg>) {
            self.pipes.get_mut(&id).unwrap().sent.extend(frames);
        }
        fn fan_out(&mut self, targets: &[PipeId], msg: Msg) {
            self.fan_outs += 1;
            for &id in targets {
                let _ = self.try_send(id, msg.clone());
            }
        }
        fn fan_out_frames(&mut self, targets: &[PipeId], frames: Vec<Msg>) {
            self.fan_outs += 1;
            for &id in targets {
                self.send_frames(id, frames.clone());
            }
        }
        fn try_recv(&mut self, id: PipeId) -> Option<Msg> {
            let p = self.pipes.get_mut(&id).unwrap();
            let m = p.incoming.pop_front();
            p.reader_waiting = m.is_none();
            m
        }
        fn has_msg(&mut self, id: PipeId) -> bool {
            let p = self.pipes.get_mut(&id).unwrap();
            p.reader_waiting = p.incoming.is_empty();
            !p.reader_waiting
        }
        fn routing_id(&self, id: PipeId) -> Option<bytes::Bytes> {
            self.pipes[&id].routing_id.clone()
        }
        fn reject(&mut self, id: PipeId) {
            self.pipes.get_mut(&id).unwrap().rejected = true;
        }
        fn close(&mut self, id: PipeId) {
            self.pipes.get_mut(&id).unwrap().closed = true;
        }
    }

    pub fn frame(data: &str, more: bool) -> Msg {
        let mut m = Msg::from(data);
        m.set_more(more);
        m
    }
}
