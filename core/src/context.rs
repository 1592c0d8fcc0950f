//! [`Context`]: owns the I/O threads, the inproc names and the sockets of a context, and
//! terminates them (`term`, `shutdown`).

use crate::error::{Error, Result};
use crate::inproc;
use crate::io::{IoShared, IoThread, LingerCount, LingerGuard, ThreadSettings};
use crate::proto::SocketType;
use crate::socket::Socket;
use crate::socket_shared::SocketShared;
use crate::wakeup::{Signal, Woken};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// `ZMQ_IO_THREADS`.
pub const CTX_IO_THREADS: i32 = 1;
/// `ZMQ_MAX_SOCKETS`.
pub const CTX_MAX_SOCKETS: i32 = 2;
/// `ZMQ_SOCKET_LIMIT` (read only).
pub const CTX_SOCKET_LIMIT: i32 = 3;
/// `ZMQ_MSG_T_SIZE` (read only): the size of the C API's `zmq_msg_t`.
pub const CTX_MSG_T_SIZE: i32 = 6;
/// `ZMQ_IPV6`: the IPV6 option of new sockets.
pub const CTX_IPV6: i32 = 42;
/// `ZMQ_BLOCKY`: whether new sockets linger forever (-1, the default) or not at all (0).
pub const CTX_BLOCKY: i32 = 70;
/// `ZMQ_MAX_MSGSZ`: kept and reported (default `INT_MAX`), as libzmq does; the limit
/// that acts is each socket's MAXMSGSIZE.
pub const CTX_MAX_MSGSZ: i32 = 5;
/// `ZMQ_THREAD_PRIORITY` (write only: its number is also `ZMQ_SOCKET_LIMIT`'s, which
/// reading returns, as in libzmq). Applies to I/O threads started later.
pub const CTX_THREAD_PRIORITY: i32 = 3;
/// `ZMQ_THREAD_SCHED_POLICY`: a `SCHED_*` policy for the I/O threads (default -1: the
/// inherited one).
pub const CTX_THREAD_SCHED_POLICY: i32 = 4;
/// `ZMQ_THREAD_AFFINITY_CPU_ADD` (write only): adds a CPU the I/O threads may run on.
pub const CTX_THREAD_AFFINITY_CPU_ADD: i32 = 7;
/// `ZMQ_THREAD_AFFINITY_CPU_REMOVE` (write only): removes one; EINVAL if not added.
pub const CTX_THREAD_AFFINITY_CPU_REMOVE: i32 = 8;
/// `ZMQ_THREAD_NAME_PREFIX`: an integer the I/O thread names start with.
pub const CTX_THREAD_NAME_PREFIX: i32 = 9;
/// `ZMQ_ZERO_COPY_RECV` (a DRAFT constant libzmq 4.3 answers in every build; default 1).
/// ferromq's received messages always share the buffers they were read into, so the
/// value is kept and reported only.
pub const CTX_ZERO_COPY_RECV: i32 = 10;

/// The most sockets a context can be allowed (`ZMQ_SOCKET_LIMIT`).
const SOCKET_LIMIT: i32 = 65535;

/// Per-context settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CtxOptions {
    pub max_sockets: i32,
    pub ipv6: bool,
    pub blocky: bool,
    pub zero_copy_recv: bool,
    pub max_msgsz: i32,
}

/// The open sockets of a context.
#[derive(Default)]
struct Sockets {
    by_addr: HashMap<usize, Arc<SocketShared>>,
    /// Set by `term`/`shutdown`: no new sockets; every call on an old one fails.
    terminating: bool,
}

/// The state shared by a context and all of its sockets.
pub(crate) struct CtxShared {
    io_threads: Mutex<IoThreads>,
    /// The `inproc://` names of this context.
    pub inproc: Mutex<inproc::Registry>,
    next_io: AtomicUsize,
    lingering: Arc<LingerCount>,
    sockets: Mutex<Sockets>,
    /// Notified whenever a socket closes (for `term`, which a signal handler may interrupt).
    closed: Signal,
    opts: Mutex<CtxOptions>,
    /// How I/O threads started from now on are named and scheduled.
    threads: Mutex<ThreadSettings>,
    terminated: AtomicBool,
}

struct IoThreads {
    wanted: usize,
    running: Vec<IoThread>,
}

impl CtxShared {
    /// A guard that keeps context termination waiting for a lingering pipe.
    pub fn linger_guard(&self) -> LingerGuard {
        self.lingering.guard()
    }

    /// An I/O thread for a new endpoint (starting the threads on first use).
    pub fn io(&self) -> Result<Arc<IoShared>> {
        if self.terminated.load(Ordering::Acquire) {
            return Err(Error::Term);
        }
        let mut threads = self.io_threads.lock().unwrap_or_else(|e| e.into_inner());
        if threads.running.is_empty() {
            if threads.wanted == 0 {
                return Err(Error::MThread);
            }
            let settings = self
                .threads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            for i in 0..threads.wanted {
                let t = IoThread::spawn(i, &settings).map_err(|_| Error::MThread)?;
                threads.running.push(t);
            }
        }
        let i = self.next_io.fetch_add(1, Ordering::Relaxed) % threads.running.len();
        Ok(Arc::clone(&threads.running[i].shared))
    }

    /// The context's settings now.
    pub fn options(&self) -> CtxOptions {
        *self.opts.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sockets(&self) -> MutexGuard<'_, Sockets> {
        self.sockets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new socket; EMFILE beyond MAX_SOCKETS, ETERM once terminating.
    pub fn add_socket(&self, shared: &Arc<SocketShared>) -> Result<()> {
        let max = usize::try_from(self.options().max_sockets).unwrap_or(0);
        let mut sockets = self.sockets();
        if sockets.terminating {
            return Err(Error::Term);
        }
        if sockets.by_addr.len() >= max {
            return Err(Error::MFile);
        }
        sockets
            .by_addr
            .insert(Arc::as_ptr(shared) as usize, Arc::clone(shared));
        Ok(())
    }

    /// Forgets a closed socket (and lets a waiting `term` go on).
    pub fn remove_socket(&self, shared: &Arc<SocketShared>) {
        self.sockets()
            .by_addr
            .remove(&(Arc::as_ptr(shared) as usize));
        self.closed.notify();
    }

    /// Makes every call on every socket fail with ETERM from now on, waking blocked ones.
    fn shutdown(&self) {
        let mut sockets = self.sockets();
        sockets.terminating = true;
        for s in sockets.by_addr.values() {
            s.terminate();
        }
    }

    /// Waits until every socket is closed; `Err(Intr)` when a signal handler runs in this
    /// thread meanwhile.
    fn wait_sockets_closed(&self) -> Result<()> {
        loop {
            let seen = self.closed.generation();
            if self.sockets().by_addr.is_empty() {
                return Ok(());
            }
            if self.closed.wait(seen, None) == Woken::Interrupted {
                return Err(Error::Intr);
            }
        }
    }
}

impl Drop for CtxShared {
    fn drop(&mut self) {
        // The last socket may outlive every `Context` handle: its lingering messages
        // must still go out before the I/O threads (a field of this struct) stop.
        self.lingering.wait_zero();
    }
}

/// The last `Context` handle waits for lingering messages before the threads stop.
struct Handle {
    shared: Arc<CtxShared>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shared.lingering.wait_zero();
    }
}

/// A ferromq context: the I/O threads and the sockets created from it.
///
/// Cloning a context is cheap and gives another handle to the same one. Sockets keep
/// their context alive: when the last handle is dropped while sockets are still open, the
/// context lives on until they close. Dropping the last handle (or closing the last
/// socket after it) waits until the messages of closed sockets are sent or their LINGER
/// expires, as `zmq_ctx_term` does (with the default LINGER of -1 that can be forever if
/// a peer never shows up: set LINGER, or BLOCKY to false). To stop sockets that other
/// threads are still using, call [`Context::term`] or [`Context::shutdown`].
///
/// ```
/// use ferromq::{Context, SocketType};
/// let ctx = Context::new();
/// let mut pull = ctx.socket(SocketType::Pull)?;
/// pull.bind("tcp://127.0.0.1:*")?;
/// let mut push = ctx.socket(SocketType::Push)?;
/// push.connect(&pull.last_endpoint()?)?;
/// push.send("hello", 0)?;
/// assert_eq!(&pull.recv(0)?[..], b"hello");
/// # Ok::<(), ferromq::Error>(())
/// ```
#[derive(Clone)]
pub struct Context {
    handle: Arc<Handle>,
}

impl Context {
    /// A new context with one I/O thread (started when first needed).
    ///
    /// ```
    /// let ctx = ferromq::Context::new();
    /// assert_eq!(ctx.io_threads(), 1);
    /// ```
    pub fn new() -> Context {
        Context {
            handle: Arc::new(Handle {
                shared: Arc::new(CtxShared {
                    io_threads: Mutex::new(IoThreads {
                        wanted: 1,
                        running: Vec::new(),
                    }),
                    inproc: Mutex::new(inproc::Registry::default()),
                    next_io: AtomicUsize::new(0),
                    lingering: Arc::new(LingerCount::default()),
                    sockets: Mutex::new(Sockets::default()),
                    closed: Signal::default(),
                    opts: Mutex::new(CtxOptions {
                        max_sockets: 1023,
                        ipv6: false,
                        blocky: true,
                        zero_copy_recv: true,
                        max_msgsz: i32::MAX,
                    }),
                    threads: Mutex::new(ThreadSettings::default()),
                    terminated: AtomicBool::new(false),
                }),
            }),
        }
    }

    fn shared(&self) -> &Arc<CtxShared> {
        &self.handle.shared
    }

    /// Sets the number of I/O threads (`ZMQ_IO_THREADS`). Only possible before the
    /// context's first bind or connect; afterwards it fails with EINVAL rather than being
    /// silently ignored. 0 is allowed for contexts that only use `inproc://`.
    ///
    /// ```
    /// let ctx = ferromq::Context::new();
    /// ctx.set_io_threads(2)?;
    /// assert_eq!(ctx.io_threads(), 2);
    /// assert!(ctx.set_io_threads(-1).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_io_threads(&self, n: i32) -> Result<()> {
        let n = usize::try_from(n).map_err(|_| Error::Invalid)?;
        let mut threads = self
            .shared()
            .io_threads
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if !threads.running.is_empty() {
            return Err(Error::Invalid);
        }
        threads.wanted = n;
        Ok(())
    }

    /// The number of I/O threads (`ZMQ_IO_THREADS`).
    ///
    /// ```
    /// assert_eq!(ferromq::Context::new().io_threads(), 1);
    /// ```
    pub fn io_threads(&self) -> usize {
        self.shared()
            .io_threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .wanted
    }

    /// Sets an integer context option by its libzmq number (`zmq_ctx_set`), with
    /// libzmq's rules: [`CTX_IO_THREADS`] (≥ 0), [`CTX_MAX_SOCKETS`] (1 to
    /// [`CTX_SOCKET_LIMIT`]'s value), [`CTX_IPV6`], [`CTX_BLOCKY`] and
    /// [`CTX_ZERO_COPY_RECV`] (≥ 0, non-zero is on), [`CTX_MAX_MSGSZ`] (≥ 0), and the I/O thread settings
    /// [`CTX_THREAD_SCHED_POLICY`], [`CTX_THREAD_PRIORITY`] (≥ 0),
    /// [`CTX_THREAD_AFFINITY_CPU_ADD`]/[`CTX_THREAD_AFFINITY_CPU_REMOVE`] (a CPU index;
    /// removing one never added is EINVAL) and [`CTX_THREAD_NAME_PREFIX`], which apply
    /// to I/O threads started later (they start with the first bind or connect).
    /// Any other option, or a value out of range, fails with EINVAL.
    ///
    /// ```
    /// use ferromq::{Context, CTX_BLOCKY, CTX_MAX_SOCKETS, CTX_THREAD_AFFINITY_CPU_ADD,
    ///     CTX_THREAD_AFFINITY_CPU_REMOVE, CTX_THREAD_NAME_PREFIX};
    /// let ctx = Context::new();
    /// ctx.set(CTX_MAX_SOCKETS, 2)?;
    /// ctx.set(CTX_BLOCKY, 0)?;
    /// assert_eq!(ctx.get(CTX_BLOCKY)?, 0);
    /// ctx.set(CTX_THREAD_NAME_PREFIX, 42)?;
    /// assert_eq!(ctx.get(CTX_THREAD_NAME_PREFIX)?, 42);
    /// ctx.set(CTX_THREAD_AFFINITY_CPU_ADD, 0)?;
    /// ctx.set(CTX_THREAD_AFFINITY_CPU_REMOVE, 0)?;
    /// assert!(ctx.set(CTX_THREAD_AFFINITY_CPU_REMOVE, 0).is_err());
    /// assert!(ctx.set(9999, 1).is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set(&self, option: i32, value: i32) -> Result<()> {
        if option == CTX_IO_THREADS {
            return self.set_io_threads(value);
        }
        if matches!(
            option,
            CTX_THREAD_SCHED_POLICY
                | CTX_THREAD_PRIORITY
                | CTX_THREAD_AFFINITY_CPU_ADD
                | CTX_THREAD_AFFINITY_CPU_REMOVE
                | CTX_THREAD_NAME_PREFIX
        ) {
            return self.set_thread_option(option, value);
        }
        let mut opts = self.shared().opts.lock().unwrap_or_else(|e| e.into_inner());
        match option {
            CTX_MAX_SOCKETS if (1..=SOCKET_LIMIT).contains(&value) => opts.max_sockets = value,
            CTX_IPV6 if value >= 0 => opts.ipv6 = value != 0,
            CTX_BLOCKY if value >= 0 => opts.blocky = value != 0,
            CTX_ZERO_COPY_RECV if value >= 0 => opts.zero_copy_recv = value != 0,
            CTX_MAX_MSGSZ if value >= 0 => opts.max_msgsz = value,
            _ => return Err(Error::Invalid),
        }
        Ok(())
    }

    fn set_thread_option(&self, option: i32, value: i32) -> Result<()> {
        let mut t = self
            .shared()
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match option {
            // The name prefix takes any integer (libzmq prints it).
            CTX_THREAD_NAME_PREFIX => t.name_prefix = value.to_string(),
            _ if value < 0 => return Err(Error::Invalid),
            CTX_THREAD_SCHED_POLICY => t.sched_policy = value,
            CTX_THREAD_PRIORITY => t.priority = value,
            CTX_THREAD_AFFINITY_CPU_ADD => {
                t.cpus.insert(value);
            }
            _ => {
                if !t.cpus.remove(&value) {
                    return Err(Error::Invalid);
                }
            }
        }
        Ok(())
    }

    /// Reads an integer context option by its libzmq number (`zmq_ctx_get`): the ones
    /// [`Context::set`] takes except the write-only ones, plus [`CTX_SOCKET_LIMIT`] and
    /// [`CTX_MSG_T_SIZE`]. [`CTX_THREAD_NAME_PREFIX`] reads back as a number (0 if unset).
    ///
    /// ```
    /// use ferromq::{Context, CTX_MAX_SOCKETS, CTX_MSG_T_SIZE, CTX_THREAD_SCHED_POLICY};
    /// let ctx = Context::new();
    /// assert_eq!(ctx.get(CTX_MAX_SOCKETS)?, 1023);
    /// assert_eq!(ctx.get(CTX_MSG_T_SIZE)?, 64);
    /// assert_eq!(ctx.get(CTX_THREAD_SCHED_POLICY)?, -1);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn get(&self, option: i32) -> Result<i32> {
        let opts = self.shared().options();
        let threads = || {
            self.shared()
                .threads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
        };
        Ok(match option {
            CTX_IO_THREADS => i32::try_from(self.io_threads()).unwrap_or(i32::MAX),
            CTX_MAX_SOCKETS => opts.max_sockets,
            CTX_SOCKET_LIMIT => SOCKET_LIMIT,
            CTX_MSG_T_SIZE => 64,
            CTX_IPV6 => i32::from(opts.ipv6),
            CTX_BLOCKY => i32::from(opts.blocky),
            CTX_ZERO_COPY_RECV => i32::from(opts.zero_copy_recv),
            CTX_MAX_MSGSZ => opts.max_msgsz,
            CTX_THREAD_SCHED_POLICY => threads().sched_policy,
            // As libzmq's atoi: a prefix that is not a number reads as 0.
            CTX_THREAD_NAME_PREFIX => threads().name_prefix.parse().unwrap_or(0),
            _ => return Err(Error::Invalid),
        })
    }

    /// Creates a socket of type `ty`. EMFILE when MAX_SOCKETS are open, ETERM after
    /// [`Context::term`] or [`Context::shutdown`].
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let push = Context::new().socket(SocketType::Push)?;
    /// assert_eq!(push.socket_type(), SocketType::Push);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn socket(&self, ty: SocketType) -> Result<Socket> {
        Socket::new(Arc::clone(self.shared()), ty)
    }

    /// Stops the context without waiting (`zmq_ctx_shutdown`): calls blocked on its
    /// sockets in other threads return ETERM, and so does every later call on them
    /// (except closing), or creating a socket. The sockets must still be closed (dropped).
    ///
    /// ```
    /// use ferromq::{Context, Error, SocketType};
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// let blocked = std::thread::spawn(move || pull.recv(0).err());
    /// ctx.shutdown();
    /// assert_eq!(blocked.join().unwrap(), Some(Error::Term));
    /// assert_eq!(ctx.socket(SocketType::Pull).err(), Some(Error::Term));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn shutdown(&self) {
        self.shared().shutdown();
    }

    /// Terminates the context (`zmq_ctx_term`): like [`Context::shutdown`], then waits
    /// until every socket is closed and every closed socket's LINGER is over, and stops
    /// the I/O threads. Close the sockets this thread owns first: `term` waits for them
    /// too.
    ///
    /// ```
    /// use ferromq::{Context, Error, SocketType};
    /// let ctx = Context::new();
    /// let mut rep = ctx.socket(SocketType::Rep)?;
    /// let worker = std::thread::spawn(move || {
    ///     let err = rep.recv(0).err();
    ///     drop(rep); // the socket must be closed for term to finish
    ///     err
    /// });
    /// ctx.term();
    /// assert_eq!(worker.join().unwrap(), Some(Error::Term));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn term(&self) {
        while self.term_interruptible() == Err(Error::Intr) {}
    }

    /// [`Context::term`] that gives up with EINTR ([`Error::Intr`]) when a signal handler
    /// runs in this thread while it waits for sockets to close, as `zmq_ctx_term` does; the
    /// context is then shut down but not terminated, and this may be called again.
    ///
    /// ```
    /// let ctx = ferromq::Context::new();
    /// assert_eq!(ctx.term_interruptible(), Ok(()));
    /// ```
    pub fn term_interruptible(&self) -> Result<()> {
        let shared = self.shared();
        shared.shutdown();
        shared.wait_sockets_closed()?;
        shared.lingering.wait_zero();
        shared.terminated.store(true, Ordering::Release);
        let stopped: Vec<IoThread> = std::mem::take(
            &mut shared
                .io_threads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .running,
        );
        drop(stopped);
        Ok(())
    }
}

impl Default for Context {
    fn default() -> Context {
        Context::new()
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("io_threads", &self.io_threads())
            .finish()
    }
}
