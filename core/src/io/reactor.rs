//! The poll loop of one I/O thread.
//!
//! After a burst of connections has ended (at least [`TRIM_BURST`] sessions closed and at
//! most half of the peak still alive), the loop asks glibc's allocator to give free pages
//! back to the system (`malloc_trim`): without it, the memory of thousands of finished
//! sessions stays resident in the allocator's arenas (RSS 2 → 127 MB over six rounds of
//! 5,000 connections while the heap in use stays small; see docs/RELIABILITY.md, "Memory after bursts of connections").

use super::conn::Conn;
use super::listener::Listener;
use super::session::{Ctx, Next};
use super::timers::Timers;
use super::{IoCmd, IoShared, WAKER};
use mio::{Events, Interest, Poll, Registry, Token};
use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::time::Instant;

enum Entry {
    Listener(Box<Listener>),
    Session(Box<dyn Conn>),
}

/// Sessions that must have ended since the last trim before the next one.
const TRIM_BURST: usize = 1024;

struct Reactor {
    entries: HashMap<usize, Entry>,
    timers: Timers,
    shared: Arc<IoShared>,
    /// Sessions alive, the most alive since the last trim, and those ended since then.
    sessions: usize,
    peak: usize,
    ended: usize,
}

/// Runs the loop until the thread is told to stop.
pub(super) fn run(mut poll: Poll, shared: Arc<IoShared>) {
    let mut events = Events::with_capacity(1024);
    let mut r = Reactor {
        entries: HashMap::new(),
        timers: Timers::default(),
        shared,
        sessions: 0,
        peak: 0,
        ended: 0,
    };
    let mut active = Vec::new();
    loop {
        let timeout = r.timers.timeout(Instant::now());
        if let Err(e) = poll.poll(&mut events, timeout) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            // The poller itself failed: nothing more can be driven.
            break;
        }
        let registry = poll.registry();
        // Commands first: what a socket asked before its peer's bytes arrived is done
        // before they are read (after `unbind` returns, the accepted connections are gone
        // before anything a peer sends afterwards, even written at once by the peer's
        // own thread through its fast lane, is delivered).
        let inbox = r.shared.take();
        for cmd in inbox.cmds {
            if !r.on_cmd(registry, cmd) {
                r.stop(registry);
                return;
            }
            r.shared.finished();
        }
        for ev in events.iter() {
            if ev.token() == WAKER {
                continue;
            }
            let closing = ev.is_read_closed() || ev.is_error();
            let readable = ev.is_readable() || closing;
            let writable = ev.is_writable() || ev.is_write_closed() || ev.is_error();
            r.on_event(registry, ev.token().0, readable, writable, closing);
        }
        active.clear();
        active.extend(inbox.active);
        active.sort_unstable();
        active.dedup();
        for &token in &active {
            r.with_session(registry, token, |s, ctx| s.activate(ctx));
        }
        r.fire_timers(registry);
        r.trim_after_burst();
    }
    r.stop(poll.registry());
}

impl Reactor {
    /// Readiness of `token`; `closing` = the peer's end or an error came with it.
    fn on_event(
        &mut self,
        registry: &Registry,
        token: usize,
        readable: bool,
        writable: bool,
        closing: bool,
    ) {
        match self.entries.get_mut(&token) {
            Some(Entry::Listener(l)) => {
                let mut accepted = Vec::new();
                l.accept_all(|s| accepted.push(s));
                for s in accepted {
                    self.add_session(registry, s);
                }
            }
            Some(Entry::Session(_)) => {
                self.with_session(registry, token, |s, ctx| {
                    if closing {
                        s.peer_closing();
                    }
                    s.ready(ctx, readable, writable)
                });
            }
            None => {}
        }
    }

    /// Runs `f` on session `token` and removes the session if it is finished.
    fn with_session(
        &mut self,
        registry: &Registry,
        token: usize,
        f: impl FnOnce(&mut dyn Conn, &mut Ctx<'_>) -> Next,
    ) {
        let Some(Entry::Session(s)) = self.entries.get_mut(&token) else {
            return;
        };
        let mut ctx = Ctx {
            registry,
            timers: &mut self.timers,
            io: &self.shared,
            now: Instant::now(),
        };
        if f(s.as_mut(), &mut ctx) == Next::Remove {
            s.shutdown(&mut ctx);
            self.entries.remove(&token);
            self.sessions -= 1;
            self.ended += 1;
        }
    }

    fn add_session(&mut self, registry: &Registry, session: Box<dyn Conn>) {
        let token = session.token();
        self.entries.insert(token, Entry::Session(session));
        self.sessions += 1;
        self.peak = self.peak.max(self.sessions);
        self.with_session(registry, token, |s, ctx| s.start(ctx));
    }

    /// Applies a command; `false` means stop.
    fn on_cmd(&mut self, registry: &Registry, cmd: IoCmd) -> bool {
        match cmd {
            IoCmd::Listen(mut l) => {
                let ok = registry
                    .register(&mut l.socket, Token(l.token), Interest::READABLE)
                    .is_ok();
                if ok {
                    let token = l.token;
                    self.entries.insert(token, Entry::Listener(l));
                    // Connections may have queued before registration.
                    self.on_event(registry, token, true, false, false);
                }
            }
            IoCmd::Connect(s) => self.add_session(registry, s),
            IoCmd::CloseListener {
                token,
                close_sessions,
            } => {
                if let Some(Entry::Listener(mut l)) = self.entries.remove(&token) {
                    let _ = registry.deregister(&mut l.socket);
                    l.report_closed();
                }
                let doomed: Vec<usize> = self
                    .entries
                    .iter()
                    .filter_map(|(&t, e)| match e {
                        Entry::Session(s)
                            if s.listener() == Some(token) && (close_sessions || !s.has_pipe()) =>
                        {
                            Some(t)
                        }
                        _ => None,
                    })
                    .collect();
                for t in doomed {
                    self.with_session(registry, t, |_, _| Next::Remove);
                }
            }
            IoCmd::Stop => return false,
        }
        true
    }

    /// Returns free memory to the system once a burst of sessions has ended.
    fn trim_after_burst(&mut self) {
        if self.ended < TRIM_BURST || self.sessions > self.peak / 2 {
            return;
        }
        crate::sys::process::release_free_memory();
        self.ended = 0;
        self.peak = self.sessions;
    }

    fn fire_timers(&mut self, registry: &Registry) {
        let now = Instant::now();
        while let Some(t) = self.timers.pop_due(now) {
            self.with_session(registry, t.token, |s, ctx| s.timer(ctx, t.kind, t.epoch));
        }
    }

    fn stop(&mut self, registry: &Registry) {
        let tokens: Vec<usize> = self.entries.keys().copied().collect();
        for t in tokens {
            match self.entries.get(&t) {
                Some(Entry::Session(_)) => self.with_session(registry, t, |_, _| Next::Remove),
                _ => {
                    if let Some(Entry::Listener(mut l)) = self.entries.remove(&t) {
                        let _ = registry.deregister(&mut l.socket);
                    }
                }
            }
        }
    }
}
