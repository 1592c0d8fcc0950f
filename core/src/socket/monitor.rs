//! `zmq_socket_monitor` for [`Socket`]: events sent to a PAIR on an inproc endpoint.

use super::Socket;
use crate::error::{Error, Result};
use crate::monitor::MonitorStream;
use crate::proto::SocketType;
use std::sync::atomic::{AtomicU64, Ordering};

impl Socket {
    /// Starts sending this socket's `events` (a mask of `monitor::EVENT_*`) to a PAIR
    /// socket bound on `endpoint`, which must be `inproc://` (EPROTONOSUPPORT otherwise);
    /// connect a PAIR there to read them. Each event is two frames: 16-bit event and 32-bit
    /// value (little-endian), then the endpoint. `None` stops monitoring (the reader then
    /// gets MONITOR_STOPPED, as it does when this socket closes). Events that find the
    /// reader's queue full are dropped.
    ///
    /// ```
    /// use ferromq::monitor::{Event, EventKind, EVENT_LISTENING};
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.monitor(Some("inproc://pull-events"), EVENT_LISTENING)?;
    /// let mut reader = ctx.socket(SocketType::Pair)?;
    /// reader.connect("inproc://pull-events")?;
    /// pull.bind("tcp://127.0.0.1:*")?;
    /// let frames = reader.recv_multipart(0)?;
    /// let ev = Event::parse(&frames[0], &frames[1]).unwrap();
    /// assert_eq!(ev.kind, EventKind::Listening);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn monitor(&mut self, endpoint: Option<&str>, events: u16) -> Result<()> {
        let Some(endpoint) = endpoint else {
            self.shared.monitor.stop();
            return Ok(());
        };
        if !endpoint.starts_with("inproc://") {
            return Err(Error::ProtoNoSupport);
        }
        let mut pair = Socket::new(std::sync::Arc::clone(&self.ctx), SocketType::Pair)?;
        pair.set_linger(0)?;
        pair.bind(endpoint)?;
        self.shared.monitor.start(pair, events);
        Ok(())
    }

    /// Monitors this socket's `events` and returns them as a typed stream (over an inproc
    /// endpoint with a generated name).
    ///
    /// ```
    /// use ferromq::monitor::{EventKind, EVENT_ALL};
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// let mut events = push.monitor_stream(EVENT_ALL)?;
    /// push.set_linger(0)?;
    /// push.connect("tcp://127.0.0.1:9")?; // nobody listens: the connect is retried
    /// let kinds: Vec<EventKind> = (0..2).map(|_| events.recv(0).map(|e| e.kind)).collect::<Result<_, _>>()?;
    /// assert!(kinds.contains(&EventKind::ConnectRetried) || kinds.contains(&EventKind::ConnectDelayed));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn monitor_stream(&mut self, events: u16) -> Result<MonitorStream> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "inproc://ferromq.monitor.{}.{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut reader = Socket::new(std::sync::Arc::clone(&self.ctx), SocketType::Pair)?;
        reader.set_linger(0)?;
        reader.connect(&name)?;
        self.monitor(Some(&name), events)?;
        Ok(MonitorStream::new(reader))
    }
}
