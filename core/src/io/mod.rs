//! The I/O threads: one `mio::Poll` loop each, owning listeners and sessions.
//!
//! Other threads talk to an I/O thread only through its [`IoShared`]: they post an
//! [`IoCmd`] or "activate" a session token (its pipe has work), then wake the loop with a
//! `mio::Waker`. Posts are batched: the waker fires only when the inbox goes from empty to
//! non-empty, so a busy pipe costs no extra syscalls.

mod backoff;
mod conn;
mod direct_budget;
mod fast_lane;
mod flow;
mod lifecycle;
mod linger;
mod listener;
mod monitor_values;
mod peer_properties;
mod raw_session;
mod reactor;
mod session;
mod stream;
mod thread_settings;
mod timers;

pub(crate) use conn::{connect, Conn};
pub(crate) use fast_lane::{Direct, FastLane};
pub(crate) use linger::{LingerCount, LingerGuard};
pub(crate) use listener::Listener;
pub(crate) use raw_session::RawConfig;
pub(crate) use session::SessionConfig;
pub(crate) use stream::{ListenSocket, PeerAddr};
pub(crate) use thread_settings::ThreadSettings;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The token of the waker; session and listener tokens come from [`next_token`].
const WAKER: mio::Token = mio::Token(usize::MAX);

/// A fresh token, unique in the process.
pub(crate) fn next_token() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A request to an I/O thread.
pub(crate) enum IoCmd {
    /// Start accepting on a listener.
    Listen(Box<Listener>),
    /// Start a connect-side session.
    Connect(Box<dyn Conn>),
    /// Stop a listener. With `close_sessions`, the connections it accepted end too
    /// (`unbind`); without, only those that have not finished their handshake (`close`).
    CloseListener { token: usize, close_sessions: bool },
    /// Leave the loop.
    Stop,
}

#[derive(Default)]
struct Inbox {
    cmds: Vec<IoCmd>,
    active: Vec<usize>,
}

/// The handle other threads use to reach one I/O thread.
pub(crate) struct IoShared {
    waker: mio::Waker,
    inbox: Mutex<Inbox>,
    /// Commands posted and not yet carried out.
    unfinished: AtomicUsize,
}

impl std::fmt::Debug for IoShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IoShared")
    }
}

impl IoShared {
    fn with_inbox(&self, add: impl FnOnce(&mut Inbox)) {
        let mut inbox = self.inbox.lock().unwrap_or_else(|e| e.into_inner());
        let was_empty = inbox.cmds.is_empty() && inbox.active.is_empty();
        add(&mut inbox);
        drop(inbox);
        if was_empty {
            // A failed wake means the poll is gone, i.e. the thread is exiting.
            let _ = self.waker.wake();
        }
    }

    /// Posts a command.
    pub fn send(&self, cmd: IoCmd) {
        self.unfinished.fetch_add(1, Ordering::SeqCst);
        self.with_inbox(|i| i.cmds.push(cmd));
    }

    /// Whether every command posted so far has been carried out. A socket reads its
    /// connection on its own thread only then: what it asked before (an `unbind` ending
    /// the accepted connections) happens before anything is read, as on the I/O thread,
    /// which runs its commands before reading.
    pub fn settled(&self) -> bool {
        self.unfinished.load(Ordering::SeqCst) == 0
    }

    /// The I/O thread carried out one command.
    fn finished(&self) {
        self.unfinished.fetch_sub(1, Ordering::SeqCst);
    }

    /// Tells the thread that session `token` has work (its pipe changed state).
    pub fn activate(&self, token: usize) {
        self.with_inbox(|i| i.active.push(token));
    }

    /// [`IoShared::activate`] for several sessions at once: one hand-off (and at most
    /// one wake of the thread) for all of them, as a fan-out to many pipes needs.
    pub fn activate_all(&self, tokens: impl IntoIterator<Item = usize>) {
        self.with_inbox(|i| i.active.extend(tokens));
    }

    fn take(&self) -> Inbox {
        std::mem::take(&mut *self.inbox.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[cfg(test)]
impl IoShared {
    /// A handle with no thread behind it: what is posted stays in its inbox for the test
    /// to look at. The `Poll` must outlive the handle's use.
    pub fn detached() -> (Arc<IoShared>, mio::Poll) {
        let poll = mio::Poll::new().expect("epoll instance");
        let waker = mio::Waker::new(poll.registry(), WAKER).expect("eventfd");
        let shared = Arc::new(IoShared {
            waker,
            inbox: Mutex::new(Inbox::default()),
            unfinished: AtomicUsize::new(0),
        });
        (shared, poll)
    }

    /// The session tokens activated since the last call, in order.
    pub fn take_activated(&self) -> Vec<usize> {
        self.take().active
    }
}

/// An I/O thread owned by a context.
pub(crate) struct IoThread {
    pub shared: Arc<IoShared>,
    join: Option<JoinHandle<()>>,
}

impl IoThread {
    /// Starts a thread running a poll loop, named and scheduled per `settings`.
    pub fn spawn(index: usize, settings: &ThreadSettings) -> std::io::Result<IoThread> {
        let poll = mio::Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKER)?;
        let shared = Arc::new(IoShared {
            waker,
            inbox: Mutex::new(Inbox::default()),
            unfinished: AtomicUsize::new(0),
        });
        let thread_shared = Arc::clone(&shared);
        let apply = settings.clone();
        let join = std::thread::Builder::new()
            .name(settings.thread_name(index))
            .spawn(move || {
                crate::wakeup::block_all_signals();
                apply.apply_to_current_thread();
                reactor::run(poll, thread_shared)
            })?;
        Ok(IoThread {
            shared,
            join: Some(join),
        })
    }
}

impl Drop for IoThread {
    fn drop(&mut self) {
        self.shared.send(IoCmd::Stop);
        if let Some(j) = self.join.take() {
            let _ = j.join();
        }
    }
}
