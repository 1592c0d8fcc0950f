//! [`Conn`]: what the reactor drives, whichever kind of session it is — a ZMTP
//! [`Session`] or, for STREAM sockets, a [`RawSession`].

use super::raw_session::RawSession;
use super::session::{Ctx, Next, Session, SessionConfig};
use super::stream::{PeerAddr, Stream};
use super::timers::TimerKind;
use crate::pipe::Pipe;
use std::sync::Arc;

/// One connection (or connect-side endpoint) owned by an I/O thread.
pub(crate) trait Conn: Send {
    /// The session's token (its mio token and timer key).
    fn token(&self) -> usize;
    /// The listener that accepted it, if any.
    fn listener(&self) -> Option<usize>;
    /// Whether the socket has a pipe to it (bind side: after the handshake, if any).
    fn has_pipe(&self) -> bool;
    /// Starts the session once it is owned by the I/O thread.
    fn start(&mut self, ctx: &mut Ctx<'_>) -> Next;
    /// Its stream reported the peer's end or an error (called before `ready`).
    fn peer_closing(&mut self);
    /// Its stream became readable and/or writable.
    fn ready(&mut self, ctx: &mut Ctx<'_>, readable: bool, writable: bool) -> Next;
    /// Its pipe has work.
    fn activate(&mut self, ctx: &mut Ctx<'_>) -> Next;
    /// A timer it armed fired.
    fn timer(&mut self, ctx: &mut Ctx<'_>, kind: TimerKind, epoch: u64) -> Next;
    /// It is removed: unregister the stream, let go of the pipe.
    fn shutdown(&mut self, ctx: &mut Ctx<'_>);
}

/// Delegates [`Conn`] to the inherent methods of the same names.
macro_rules! conn_by_inherent_methods {
    ($ty:ty) => {
        impl Conn for $ty {
            fn token(&self) -> usize {
                <$ty>::token(self)
            }
            fn listener(&self) -> Option<usize> {
                <$ty>::listener(self)
            }
            fn has_pipe(&self) -> bool {
                <$ty>::has_pipe(self)
            }
            fn start(&mut self, ctx: &mut Ctx<'_>) -> Next {
                <$ty>::start(self, ctx)
            }
            fn peer_closing(&mut self) {
                <$ty>::peer_closing(self)
            }
            fn ready(&mut self, ctx: &mut Ctx<'_>, readable: bool, writable: bool) -> Next {
                <$ty>::ready(self, ctx, readable, writable)
            }
            fn activate(&mut self, ctx: &mut Ctx<'_>) -> Next {
                <$ty>::activate(self, ctx)
            }
            fn timer(&mut self, ctx: &mut Ctx<'_>, kind: TimerKind, epoch: u64) -> Next {
                <$ty>::timer(self, ctx, kind, epoch)
            }
            fn shutdown(&mut self, ctx: &mut Ctx<'_>) {
                <$ty>::shutdown(self, ctx)
            }
        }
    };
}

conn_by_inherent_methods!(Session);
conn_by_inherent_methods!(RawSession);

/// A connect-side session of the kind `cfg` asks for.
pub(crate) fn connect(
    token: usize,
    cfg: SessionConfig,
    addr: PeerAddr,
    endpoint: &str,
    pipe: Arc<Pipe>,
) -> Box<dyn Conn> {
    match cfg.raw {
        Some(raw) => Box::new(RawSession::connect(token, cfg, raw, addr, endpoint, pipe)),
        None => Box::new(Session::connect(token, cfg, addr, endpoint, pipe)),
    }
}

/// A session of the kind `cfg` asks for, for a connection listener `listener` accepted.
pub(crate) fn accepted(
    token: usize,
    listener: usize,
    cfg: SessionConfig,
    stream: Stream,
    endpoint: Arc<str>,
) -> Box<dyn Conn> {
    match cfg.raw {
        Some(raw) => Box::new(RawSession::accepted(
            token, listener, cfg, raw, stream, endpoint,
        )),
        None => Box::new(Session::accepted(token, listener, cfg, stream, endpoint)),
    }
}
