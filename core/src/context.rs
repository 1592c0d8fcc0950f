//! [`Context`]: owns the I/O threads that every socket of the context shares.

use crate::error::{Error, Result};
use crate::inproc;
use crate::io::{IoShared, IoThread, LingerCount, LingerGuard};
use crate::proto::SocketType;
use crate::socket::Socket;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The state shared by a context and all of its sockets.
pub(crate) struct CtxShared {
    io_threads: Mutex<IoThreads>,
    /// The `inproc://` names of this context.
    pub inproc: Mutex<inproc::Registry>,
    next_io: AtomicUsize,
    lingering: Arc<LingerCount>,
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
        let mut threads = self.io_threads.lock().unwrap_or_else(|e| e.into_inner());
        if threads.running.is_empty() {
            if threads.wanted == 0 {
                return Err(Error::MThread);
            }
            for i in 0..threads.wanted {
                let t = IoThread::spawn(i).map_err(|_| Error::MThread)?;
                threads.running.push(t);
            }
        }
        let i = self.next_io.fetch_add(1, Ordering::Relaxed) % threads.running.len();
        Ok(Arc::clone(&threads.running[i].shared))
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
/// Cloning a context is cheap and gives another handle to the same one. When the last
/// handle is dropped, it waits until the messages of closed sockets are sent or their
/// LINGER expires, as `zmq_ctx_term` does (with the default LINGER of -1 that can be
/// forever if a peer never shows up: set LINGER on such sockets).
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
                }),
            }),
        }
    }

    /// Sets the number of I/O threads (`ZMQ_IO_THREADS`). Only possible before the
    /// context's first bind or connect; afterwards it fails with EINVAL rather than being
    /// silently ignored.
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
            .handle
            .shared
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
        self.handle
            .shared
            .io_threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .wanted
    }

    /// Creates a socket of type `ty`.
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let push = Context::new().socket(SocketType::Push)?;
    /// assert_eq!(push.socket_type(), SocketType::Push);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn socket(&self, ty: SocketType) -> Result<Socket> {
        Socket::new(Arc::clone(&self.handle.shared), ty)
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
