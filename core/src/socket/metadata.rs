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
        let pipe = self.pipes.last_read()?;
        let key = (Arc::as_ptr(pipe) as usize, pipe.metadata_generation());
        // One uncontended Arc clone per message while the connection stays the same.
        if let Some((k, meta)) = &self.metadata_cache {
            if *k == key {
                return Some(Arc::clone(meta));
            }
        }
        let meta = pipe.peer_metadata()?;
        self.metadata_cache = Some((key, Arc::clone(&meta)));
        Some(meta)
    }
}
