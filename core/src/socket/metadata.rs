//! The peer properties of received messages (`zmq_msg_gets`).

use super::Socket;
use crate::proto::Metadata;
use std::sync::Arc;

impl Socket {
    /// The ZMTP READY properties (`Socket-Type`, `Identity`, and any others the peer
    /// sent) of the connection the most recently received frame came from, as libzmq
    /// attaches them to each message for `zmq_msg_gets`. `None` before any receive, for
    /// inproc peers (no handshake), and once that connection is gone.
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("tcp://127.0.0.1:*")?;
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// push.connect(&pull.last_endpoint()?)?;
    /// push.send("x", 0)?;
    /// pull.recv(0)?;
    /// let meta = pull.last_peer_metadata().unwrap();
    /// assert_eq!(meta.get("socket-type").map(|v| &v[..]), Some(&b"PUSH"[..]));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn last_peer_metadata(&mut self) -> Option<Arc<Metadata>> {
        self.last_peer_metadata_ref().cloned()
    }

    /// [`Socket::last_peer_metadata`] without taking a reference: a binding that keeps
    /// the properties with each received frame (`zmq_msg_t`) compares them with what it
    /// holds ([`Arc::ptr_eq`]) and clones only when the connection changed, which spares
    /// two contended reference-count updates per message.
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// use std::sync::Arc;
    /// let ctx = Context::new();
    /// let mut pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("tcp://127.0.0.1:*")?;
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// push.connect(&pull.last_endpoint()?)?;
    /// push.send_multipart(["a", "b"], 0)?;
    /// pull.recv(0)?;
    /// let first = Arc::clone(pull.last_peer_metadata_ref().unwrap());
    /// pull.recv(0)?;
    /// assert!(Arc::ptr_eq(&first, pull.last_peer_metadata_ref().unwrap()));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn last_peer_metadata_ref(&mut self) -> Option<&Arc<Metadata>> {
        let pipe = self.pipes.last_read()?;
        let generation = pipe.metadata_generation();
        if generation == 0 {
            // No handshake on this pipe (inproc, or not yet): nothing to look up.
            return None;
        }
        let key = (Arc::as_ptr(pipe) as usize, generation);
        if !matches!(&self.metadata_cache, Some((k, _)) if *k == key) {
            let meta = pipe.peer_metadata()?;
            self.metadata_cache = Some((key, meta));
        }
        self.metadata_cache.as_ref().map(|(_, meta)| meta)
    }
}
