//! [`Listener`]: a bound TCP or Unix socket that accepts connections into new sessions.

use super::session::{Session, SessionConfig};
use super::stream::ListenSocket;
use crate::transport::ipc::TempSocketDir;
use std::io;

/// A listening socket and the configuration its sessions inherit.
pub(crate) struct Listener {
    pub token: usize,
    pub socket: ListenSocket,
    pub config: SessionConfig,
    /// The file and directory of an `ipc://*` bind: removed when the listener goes.
    pub _temp: Option<TempSocketDir>,
}

impl Listener {
    /// Accepts every pending connection (until `WouldBlock`). Accept failures that concern
    /// one connection are skipped; running out of descriptors stops this round.
    pub fn accept_all(&mut self, mut on_session: impl FnMut(Session)) {
        loop {
            match self.socket.accept() {
                Ok(stream) => {
                    on_session(Session::accepted(
                        super::next_token(),
                        self.token,
                        self.config.clone(),
                        stream,
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_per_connection(&e) => continue,
                Err(_) => return,
            }
        }
    }
}

/// Errors about one aborted connection, after which accepting can go on.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ECONNABORTED) | Some(libc::EPROTO) | Some(libc::EPERM)
    )
}
