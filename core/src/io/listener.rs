//! [`Listener`]: a bound TCP or Unix socket that accepts connections into new sessions.
//! It reports ACCEPTED (the connection's fd) and ACCEPT_FAILED (errno) to the socket's
//! monitor, and CLOSED (its own fd) when it is closed.

use super::conn::{self, Conn};
use super::monitor_values::value;
use super::session::SessionConfig;
use super::stream::{ListenSocket, Stream};
use crate::monitor::{EVENT_ACCEPTED, EVENT_ACCEPT_FAILED, EVENT_CLOSED};
use crate::transport::filter;
use crate::transport::ipc::TempSocketDir;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::Arc;

/// A listening socket and the configuration its sessions inherit.
pub(crate) struct Listener {
    pub token: usize,
    pub socket: ListenSocket,
    pub config: SessionConfig,
    /// The resolved endpoint (`LAST_ENDPOINT` form) events name.
    pub endpoint: Arc<str>,
    /// The file and directory of an `ipc://*` bind: removed when the listener goes.
    pub _temp: Option<TempSocketDir>,
}

impl Listener {
    /// Accepts every pending connection (until `WouldBlock`). Accept failures that concern
    /// one connection are skipped; running out of descriptors stops this round.
    pub fn accept_all(&mut self, mut on_session: impl FnMut(Box<dyn Conn>)) {
        loop {
            match self.socket.accept(&self.config.tcp) {
                Ok(stream) => {
                    if !self.admits(&stream) {
                        // Closed before any byte, as libzmq closes a filtered peer.
                        continue;
                    }
                    self.emit(EVENT_ACCEPTED, value(stream.as_raw_fd()));
                    on_session(conn::accepted(
                        super::next_token(),
                        self.token,
                        self.config.clone(),
                        stream,
                        Arc::clone(&self.endpoint),
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.emit(EVENT_ACCEPT_FAILED, value(e.raw_os_error().unwrap_or(0)));
                    if !is_per_connection(&e) {
                        return;
                    }
                }
            }
        }
    }

    /// Reports CLOSED; the listening socket closes when the listener is dropped.
    /// Whether the accept filters (TCP_ACCEPT_FILTER, IPC_FILTER_*) let this peer in.
    fn admits(&self, stream: &Stream) -> bool {
        let cfg = &self.config.tcp;
        match stream {
            Stream::Tcp(s) => {
                cfg.accept_filters.is_empty()
                    || s.peer_addr()
                        .is_ok_and(|a| filter::tcp_allows(&cfg.accept_filters, a))
            }
            Stream::Ipc(s) => {
                cfg.ipc_filters.is_empty()
                    || filter::peer_cred(s.as_raw_fd())
                        .is_ok_and(|c| cfg.ipc_filters.allows(c, filter::groups_of))
            }
        }
    }

    pub fn report_closed(&self) {
        self.emit(EVENT_CLOSED, value(self.socket.as_raw_fd()));
    }

    fn emit(&self, event: u16, value: u32) {
        self.config
            .socket
            .monitor
            .emit(event, value, &self.endpoint);
    }
}

/// Errors about one aborted connection, after which accepting can go on.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ECONNABORTED) | Some(libc::EPROTO) | Some(libc::EPERM)
    )
}
