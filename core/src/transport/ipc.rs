//! Unix domain socket (`ipc://`) set-up, matching libzmq 4.3: a bind first unlinks
//! whatever is at the path (a stale socket file, or even a live one), `ipc://*` binds a
//! file named `socket` in a new `tmpXXXXXX` directory, and only that generated file and
//! directory are removed again when the listener closes.

use super::endpoint::IpcEndpoint;
use super::Dial;
use crate::error::{Error, Result};
use mio::net::{UnixListener, UnixStream};
use socket2::{Domain, SockAddr, Socket, Type};
use std::ffi::{CString, OsString};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

/// Where libzmq looks for a directory for `ipc://*` (in this order; none set: the
/// current directory).
const TMP_ENV_VARS: [&str; 3] = ["TMPDIR", "TEMPDIR", "TMP"];

/// A bound `ipc://` listener.
pub(crate) struct IpcListen {
    pub listener: UnixListener,
    /// The `LAST_ENDPOINT` form: `ipc://` and the path (or `@name`) bound.
    pub endpoint: String,
    /// For `ipc://*`: the generated file and directory, removed when this is dropped.
    pub temp: Option<TempSocketDir>,
}

/// The directory and file an `ipc://*` bind created; dropping it removes both.
#[derive(Debug)]
pub(crate) struct TempSocketDir {
    dir: PathBuf,
    file: PathBuf,
}

impl Drop for TempSocketDir {
    fn drop(&mut self) {
        // The file may be missing when the bind itself failed; the directory is ours.
        let _ = std::fs::remove_file(&self.file);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Binds and listens on `ep` (non-blocking).
pub(crate) fn listen(ep: &IpcEndpoint, backlog: i32, use_fd: i32) -> Result<IpcListen> {
    if let Some(sock) = super::tcp::adopted_fd(use_fd) {
        // USE_FD: the descriptor is bound and listening already; its own address is
        // the endpoint (as libzmq reports it).
        let local = sock.local_addr()?;
        let address = match (local.as_pathname(), local.as_abstract_namespace()) {
            (Some(p), _) => p.to_string_lossy().into_owned(),
            (None, Some(name)) => format!("@{}", String::from_utf8_lossy(name)),
            (None, None) => return Err(Error::Invalid),
        };
        sock.set_nonblocking(true)?;
        return Ok(IpcListen {
            listener: UnixListener::from_std(std::os::unix::net::UnixListener::from(
                std::os::fd::OwnedFd::from(sock),
            )),
            endpoint: format!("ipc://{address}"),
            temp: None,
        });
    }
    let (address, temp) = if ep.is_wildcard() {
        let dir = make_temp_dir()?;
        let file = dir.join("socket");
        let temp = TempSocketDir {
            dir,
            file: file.clone(),
        };
        let address = file
            .into_os_string()
            .into_string()
            .map_err(|_| Error::Invalid)?;
        (IpcEndpoint::parse(&address)?, Some(temp))
    } else {
        (ep.clone(), None)
    };
    if address.abstract_name().is_none() {
        // libzmq unlinks unconditionally; a missing file is the normal case.
        let _ = std::fs::remove_file(&address.address);
    }
    let sock = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    sock.bind(&address.sock_addr()?)?;
    sock.listen(backlog)?;
    sock.set_nonblocking(true)?;
    let listener = UnixListener::from_std(std::os::unix::net::UnixListener::from(
        std::os::fd::OwnedFd::from(sock),
    ));
    Ok(IpcListen {
        listener,
        endpoint: format!("ipc://{}", address.address),
        temp,
    })
}

/// Starts a connect to `addr`. Unix sockets connect at once or fail (a missing path,
/// nobody listening, a full backlog): the session then retries after RECONNECT_IVL. An
/// error means no socket could be made.
pub(crate) fn connect(addr: &SockAddr) -> io::Result<Dial<UnixStream>> {
    let sock = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    sock.set_nonblocking(true)?;
    let started = match sock.connect(addr) {
        Ok(()) => Dial::Connected(()),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Dial::InProgress(()),
        Err(_) => Dial::Failed {
            fd: sock.as_raw_fd(),
        },
    };
    Ok(started.map(|()| {
        UnixStream::from_std(std::os::unix::net::UnixStream::from(
            std::os::fd::OwnedFd::from(sock),
        ))
    }))
}

/// Creates a private (0700) directory `tmpXXXXXX` where libzmq would.
fn make_temp_dir() -> Result<PathBuf> {
    let base = TMP_ENV_VARS
        .iter()
        .filter_map(std::env::var_os)
        .find(|d| Path::new(d).is_dir());
    let mut template = base.map_or_else(Vec::new, OsString::into_vec);
    if !template.is_empty() && !template.ends_with(b"/") {
        template.push(b'/');
    }
    template.extend_from_slice(b"tmpXXXXXX");
    let template = CString::new(template).map_err(|_| Error::Invalid)?;
    let mut buf = template.into_bytes_with_nul();
    crate::sys::process::make_temp_dir(&mut buf)?;
    buf.pop(); // the NUL
    Ok(PathBuf::from(OsString::from_vec(buf)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_dir_is_private_and_removed_with_its_socket() {
        use std::os::unix::fs::PermissionsExt;
        let ep = IpcEndpoint::parse("*").unwrap();
        let l = listen(&ep, 10, -1).unwrap();
        let path = l.endpoint.strip_prefix("ipc://").unwrap().to_string();
        assert!(path.ends_with("/socket"), "{path}");
        let dir = Path::new(&path).parent().unwrap().to_path_buf();
        assert!(dir
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("tmp"));
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        drop(l);
        assert!(!Path::new(&path).exists());
        assert!(!dir.exists());
    }
}
