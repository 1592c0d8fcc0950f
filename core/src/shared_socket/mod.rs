//! [`SharedSocket`]: a [`Socket`] that many threads share, as the C and Python bindings
//! need (a C socket pointer or a Python socket object may be used from any thread),
//! and [`deadline_lock`]'s lock under it.

// A lock primitive (an `UnsafeCell` guarded by a state word), not a syscall: with the
// pipes' ring (pipe/ring.rs), the only `unsafe` outside `sys`.
#[allow(unsafe_code)]
mod deadline_lock;

use crate::error::{Error, Result};
use crate::socket::{Interrupter, Socket};
use deadline_lock::{DeadlineGuard, DeadlineLock};
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;
use std::time::Instant;

/// A socket behind a lock with deadline waits, closable from any thread. An empty cell
/// ([`SharedSocket::closed`]) can be [opened](SharedSocket::open) again, so that a binding
/// may recycle its handles.
///
/// A [`Socket`] is `Send` but its calls take `&mut self`: sharing one means a lock. This
/// type is the one such lock of the project, so that both bindings get the same
/// guarantees:
///
/// - **Closing wakes a blocked call.** [`SharedSocket::close`] first
///   [interrupts](crate::Interrupter) the socket, so a call blocked in it on another
///   thread fails with ENOTSOCK ([`Error::NotSock`]) and lets go of the lock; then it takes
///   the lock and drops the socket. Later calls fail with ENOTSOCK.
/// - **Many sockets lock without deadlock.** [`SharedSocket::lock_many`] (for `zmq_poll`
///   and `zmq_proxy`) locks the distinct sockets of a list in the order of a stable key
///   ([`SharedSocket::key`], the cell's address), so two threads locking `[a, b]` and
///   `[b, a]` cannot deadlock, and a socket listed twice is locked once.
/// - **Waits can end.** Every lock takes a deadline ([`SharedSocket::lock_until`]): a
///   caller that must stay responsive (Python checks for signals between slices) or that
///   has a timeout of its own (`zmq_poll`) gives up with EAGAIN instead of waiting for
///   another thread's call to end.
/// - **The uncontended path is cheap**: one compare-and-swap to lock and one swap to
///   unlock, as a std mutex.
///
/// ```
/// use ferromq::{Context, Error, SharedSocket, SocketType};
/// use std::sync::Arc;
///
/// let ctx = Context::new();
/// let pull = Arc::new(SharedSocket::new(ctx.socket(SocketType::Pull)?));
/// pull.lock()?.bind("inproc://shared-doc")?;
///
/// // A thread blocked in recv (or about to be) fails with ENOTSOCK once another thread
/// // closes the socket.
/// let blocked = {
///     let pull = Arc::clone(&pull);
///     std::thread::spawn(move || pull.lock().and_then(|mut s| s.recv(0)).err())
/// };
/// assert!(pull.close());
/// assert_eq!(blocked.join().unwrap(), Some(Error::NotSock));
/// assert_eq!(pull.lock().err(), Some(Error::NotSock));
/// # Ok::<(), ferromq::Error>(())
/// ```
pub struct SharedSocket {
    socket: DeadlineLock<Option<Socket>>,
    /// Present while open: `close` reaches a call blocked in the socket through it
    /// without waiting for the socket's lock.
    interrupter: Mutex<Option<Interrupter>>,
}

impl std::fmt::Debug for SharedSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedSocket")
            .field("key", &self.key())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl SharedSocket {
    /// A cell holding `socket`.
    ///
    /// ```
    /// use ferromq::{Context, SharedSocket, SocketType};
    /// let s = SharedSocket::new(Context::new().socket(SocketType::Push)?);
    /// assert!(!s.is_closed());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn new(socket: Socket) -> SharedSocket {
        let cell = SharedSocket::closed();
        if cell.open(socket).is_err() {
            unreachable!("a new cell is closed");
        }
        cell
    }

    /// An empty (closed) cell: every lock fails with ENOTSOCK until [`open`](Self::open).
    ///
    /// ```
    /// use ferromq::{Error, SharedSocket};
    /// let s = SharedSocket::closed();
    /// assert_eq!(s.lock().err(), Some(Error::NotSock));
    /// ```
    pub const fn closed() -> SharedSocket {
        SharedSocket {
            socket: DeadlineLock::new(None),
            interrupter: Mutex::new(None),
        }
    }

    /// Puts `socket` into a closed cell (a recycled binding handle). A cell that is
    /// open keeps its socket: EINVAL (and `socket` is dropped).
    ///
    /// ```
    /// use ferromq::{Context, SharedSocket, SocketType};
    /// let ctx = Context::new();
    /// let s = SharedSocket::closed();
    /// assert!(s.open(ctx.socket(SocketType::Pull)?).is_ok());
    /// assert!(s.open(ctx.socket(SocketType::Pull)?).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn open(&self, socket: Socket) -> Result<()> {
        // Lock order, here and in `close_when_free`: the socket, then the interrupter.
        let mut slot = self.socket.lock_until(None).expect("no deadline");
        if slot.is_some() {
            return Err(Error::Invalid);
        }
        let interrupter = socket.interrupter();
        *slot = Some(socket);
        *self.interrupter.lock().unwrap_or_else(|e| e.into_inner()) = Some(interrupter);
        Ok(())
    }

    /// Closes the socket: a call blocked in it on another thread fails with ENOTSOCK,
    /// then the socket is dropped (its LINGER still applies to queued messages). Returns
    /// false if the cell was already closed (or being closed by another thread).
    ///
    /// ```
    /// use ferromq::{Context, SharedSocket, SocketType};
    /// let s = SharedSocket::new(Context::new().socket(SocketType::Pull)?);
    /// assert!(s.close());
    /// assert!(!s.close());
    /// assert!(s.is_closed());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn close(&self) -> bool {
        let interrupter = self
            .interrupter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let Some(interrupter) = interrupter else {
            return false;
        };
        interrupter.interrupt();
        let socket = self.socket.lock_until(None).expect("no deadline").take();
        // Dropped outside the lock: a linger wait must not hold up other threads' calls,
        // which now fail with ENOTSOCK at once.
        drop(socket);
        true
    }

    /// Closes the socket once no other thread is in a call on it: a call in progress
    /// ends first (by its own timeout, or ETERM), as if the close were one more call on
    /// the socket. Returns false if the cell was already closed. (The Python binding's
    /// `close`; [`close`](Self::close) is the C ABI's.)
    ///
    /// ```
    /// use ferromq::{Context, SharedSocket, SocketType};
    /// let s = SharedSocket::new(Context::new().socket(SocketType::Pull)?);
    /// assert!(s.close_when_free());
    /// assert!(!s.close_when_free() && !s.close());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn close_when_free(&self) -> bool {
        let mut slot = self.socket.lock_until(None).expect("no deadline");
        let socket = slot.take();
        self.interrupter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        drop(slot);
        // Dropped outside the lock, as in `close`.
        let closed = socket.is_some();
        drop(socket);
        closed
    }

    /// True once [`close`](Self::close) has begun (or for an empty cell).
    pub fn is_closed(&self) -> bool {
        self.interrupter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
    }

    /// The key that orders locks in [`lock_many`](Self::lock_many): the cell's address,
    /// stable while it lives (a binding keeps its cells in place: leaked C handles, the
    /// `Arc` of a Python socket). Two handles on one cell have the same key.
    pub fn key(&self) -> usize {
        self as *const SharedSocket as usize
    }

    /// The open socket, waiting without limit for another thread's call to end.
    /// ENOTSOCK if the socket is closed.
    pub fn lock(&self) -> Result<SocketGuard<'_>> {
        self.lock_until(None)
    }

    /// The open socket, waiting for another thread's call at most until `deadline`
    /// (`None`: no limit): EAGAIN when it passes, ENOTSOCK if the socket is closed.
    ///
    /// ```
    /// use ferromq::{Context, Error, SharedSocket, SocketType};
    /// use std::time::{Duration, Instant};
    /// let s = SharedSocket::new(Context::new().socket(SocketType::Pull)?);
    /// let held = s.lock()?;
    /// let soon = Instant::now() + Duration::from_millis(10);
    /// assert_eq!(s.lock_until(Some(soon)).err(), Some(Error::Again));
    /// drop(held);
    /// assert!(s.lock_until(Some(soon)).is_ok());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    #[inline]
    pub fn lock_until(&self, deadline: Option<Instant>) -> Result<SocketGuard<'_>> {
        let guard = self.socket.lock_until(deadline).ok_or(Error::Again)?;
        SocketGuard::open(guard)
    }

    /// The open socket if no other thread is in a call on it: EAGAIN if one is,
    /// ENOTSOCK if the socket is closed.
    #[inline]
    pub fn try_lock(&self) -> Result<SocketGuard<'_>> {
        let guard = self.socket.try_lock().ok_or(Error::Again)?;
        SocketGuard::open(guard)
    }

    /// Locks every distinct socket of `cells` in the order of their [keys](Self::key), so
    /// that threads locking overlapping lists in any order cannot deadlock; a cell listed
    /// more than once is locked once. Waits at most until `deadline` (EAGAIN; the locks
    /// taken so far are released), ENOTSOCK if one of them is closed.
    ///
    /// ```
    /// use ferromq::{Context, SharedSocket, SocketType};
    /// let ctx = Context::new();
    /// let a = SharedSocket::new(ctx.socket(SocketType::Pull)?);
    /// let b = SharedSocket::new(ctx.socket(SocketType::Push)?);
    /// let mut locked = SharedSocket::lock_many(&[&b, &a, &b], None)?;
    /// assert_eq!(locked.len(), 2);
    /// assert_eq!(locked.slot(0), locked.slot(2));
    /// assert_ne!(locked.slot(0), locked.slot(1));
    /// let push = locked.slot(0);
    /// assert_eq!(locked.sockets_mut()[push].socket_type(), SocketType::Push);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn lock_many<'a>(
        cells: &[&'a SharedSocket],
        deadline: Option<Instant>,
    ) -> Result<LockedSockets<'a>> {
        let mut order: Vec<&'a SharedSocket> = cells.to_vec();
        order.sort_unstable_by_key(|c| c.key());
        order.dedup_by_key(|c| c.key());
        let mut guards = Vec::with_capacity(order.len());
        for cell in &order {
            guards.push(cell.lock_until(deadline)?);
        }
        let slots = cells
            .iter()
            .map(|c| {
                order
                    .binary_search_by_key(&c.key(), |o| o.key())
                    .expect("every cell is in `order`")
            })
            .collect();
        Ok(LockedSockets { guards, slots })
    }
}

impl SharedSocket {
    /// [`proxy_steerable`](crate::proxy_steerable) over shared sockets, locked with
    /// [`lock_many`](Self::lock_many) for the whole run (`zmq_proxy_steerable`). A
    /// `frontend` that is also the `backend` echoes what it receives
    /// ([`proxy_steerable_echo`](crate::proxy_steerable_echo)); any other socket given
    /// twice is EINVAL. Returns `Ok` when TERMINATE arrives on `control`, else the error
    /// that ended it (ETERM once the context is terminated).
    ///
    /// ```
    /// use ferromq::{Context, Error, SharedSocket, SocketType};
    /// let ctx = Context::new();
    /// let a = SharedSocket::new(ctx.socket(SocketType::Pull)?);
    /// let b = SharedSocket::new(ctx.socket(SocketType::Push)?);
    /// assert_eq!(SharedSocket::proxy(&a, &b, Some(&a), None), Err(Error::Invalid));
    /// ctx.shutdown();
    /// assert_eq!(SharedSocket::proxy(&a, &b, None, None), Err(Error::Term));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn proxy(
        frontend: &SharedSocket,
        backend: &SharedSocket,
        capture: Option<&SharedSocket>,
        control: Option<&SharedSocket>,
    ) -> Result<()> {
        let echo = frontend.key() == backend.key();
        let mut cells = vec![frontend];
        if !echo {
            cells.push(backend);
        }
        let first_optional = cells.len();
        cells.extend(capture);
        cells.extend(control);
        let mut locked = SharedSocket::lock_many(&cells, None)?;
        if locked.len() != cells.len() {
            return Err(Error::Invalid);
        }
        let slots: Vec<usize> = (0..cells.len()).map(|i| locked.slot(i)).collect();
        let mut sockets: Vec<Option<&mut Socket>> =
            locked.sockets_mut().into_iter().map(Some).collect();
        let mut take = |i: usize| sockets[slots[i]].take();
        let f = take(0).ok_or(Error::NotSock)?;
        let b = if echo { None } else { take(1) };
        let control_at = first_optional + usize::from(capture.is_some());
        let cap = if capture.is_some() {
            take(first_optional)
        } else {
            None
        };
        let ctl = if control.is_some() {
            take(control_at)
        } else {
            None
        };
        match b {
            Some(b) => crate::proxy_steerable(f, b, cap, ctl),
            None => crate::proxy_steerable_echo(f, cap, ctl),
        }
    }
}

/// A locked, open socket of a [`SharedSocket`]; unlocks on drop.
pub struct SocketGuard<'a>(DeadlineGuard<'a, Option<Socket>>);

impl<'a> SocketGuard<'a> {
    fn open(guard: DeadlineGuard<'a, Option<Socket>>) -> Result<SocketGuard<'a>> {
        if guard.is_none() {
            return Err(Error::NotSock);
        }
        Ok(SocketGuard(guard))
    }
}

impl Deref for SocketGuard<'_> {
    type Target = Socket;
    #[inline]
    fn deref(&self) -> &Socket {
        self.0
            .as_ref()
            .expect("SocketGuard::open checked the socket is there")
    }
}

impl DerefMut for SocketGuard<'_> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Socket {
        self.0
            .as_mut()
            .expect("SocketGuard::open checked the socket is there")
    }
}

impl std::fmt::Debug for SocketGuard<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SocketGuard").finish()
    }
}

/// The sockets locked by [`SharedSocket::lock_many`]: one per distinct cell, in key
/// order, and for each cell of the call's list the slot of its socket.
#[derive(Debug)]
pub struct LockedSockets<'a> {
    guards: Vec<SocketGuard<'a>>,
    slots: Vec<usize>,
}

impl LockedSockets<'_> {
    /// How many distinct sockets are locked.
    pub fn len(&self) -> usize {
        self.guards.len()
    }

    /// True if the list was empty.
    pub fn is_empty(&self) -> bool {
        self.guards.is_empty()
    }

    /// The slot (index into [`sockets_mut`](Self::sockets_mut)) of the `i`-th cell of
    /// the list given to [`SharedSocket::lock_many`].
    pub fn slot(&self, i: usize) -> usize {
        self.slots[i]
    }

    /// One `&mut Socket` per distinct socket, by slot.
    pub fn sockets_mut(&mut self) -> Vec<&mut Socket> {
        self.guards.iter_mut().map(|g| &mut **g).collect()
    }
}

#[cfg(test)]
mod tests;
