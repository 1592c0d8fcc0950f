//! Accept filters of listeners: TCP_ACCEPT_FILTER (peer address masks) and
//! IPC_FILTER_UID/GID/PID (the peer's credentials, from SO_PEERCRED), as libzmq applies
//! them: a connection that matches no filter is closed at once, before any ZMTP byte.

use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::RawFd;

/// One TCP_ACCEPT_FILTER entry: an address and how many leading bits must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IpMask {
    addr: IpAddr,
    bits: u8,
}

impl IpMask {
    /// Parses `address` or `address/bits` as libzmq's `tcp_address_mask_t` does: a
    /// numeric address (IPv6 ones only with `ipv6`, with or without brackets) and a
    /// prefix length from 0 to the address width; no length means the whole address.
    pub fn parse(text: &str, ipv6: bool) -> Result<IpMask> {
        let (addr, bits) = match text.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (text, None),
        };
        let addr = addr
            .strip_prefix('[')
            .and_then(|a| a.strip_suffix(']'))
            .unwrap_or(addr);
        let addr: IpAddr = addr.parse().map_err(|_| Error::Invalid)?;
        if addr.is_ipv6() && !ipv6 {
            return Err(Error::Invalid);
        }
        let width: u8 = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => width,
            Some(b) => match b.parse::<u8>() {
                Ok(n) if n <= width && !b.starts_with('+') => n,
                _ => return Err(Error::Invalid),
            },
        };
        Ok(IpMask { addr, bits })
    }

    /// Whether `peer` is inside this mask (same address family only, as in libzmq).
    pub fn matches(&self, peer: SocketAddr) -> bool {
        let (want, got): (Vec<u8>, Vec<u8>) = match (self.addr, peer.ip()) {
            (IpAddr::V4(a), IpAddr::V4(b)) => (a.octets().to_vec(), b.octets().to_vec()),
            (IpAddr::V6(a), IpAddr::V6(b)) => (a.octets().to_vec(), b.octets().to_vec()),
            _ => return false,
        };
        let full = usize::from(self.bits / 8);
        if want[..full] != got[..full] {
            return false;
        }
        let rest = self.bits % 8;
        if rest == 0 {
            return true;
        }
        let mask = 0xffu8 << (8 - rest);
        want[full] & mask == got[full] & mask
    }
}

/// Whether a TCP peer passes the accept filters (no filters: everyone does).
pub(crate) fn tcp_allows(filters: &[IpMask], peer: SocketAddr) -> bool {
    filters.is_empty() || filters.iter().any(|m| m.matches(peer))
}

/// IPC_FILTER_UID / IPC_FILTER_GID / IPC_FILTER_PID: sets of accepted peer credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IpcFilters {
    pub uids: BTreeSet<u32>,
    pub gids: BTreeSet<u32>,
    pub pids: BTreeSet<i32>,
}

/// A Unix peer's credentials (SO_PEERCRED).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PeerCred {
    pub pid: i32,
    pub uid: u32,
    pub gid: u32,
}

impl IpcFilters {
    /// No filter is set: every peer is accepted without looking at it.
    pub fn is_empty(&self) -> bool {
        self.uids.is_empty() && self.gids.is_empty() && self.pids.is_empty()
    }

    /// Whether a peer with `cred` passes: its uid, primary gid or pid is listed, or (as
    /// in libzmq) it is a member of a listed group. `groups` gives a uid's groups.
    pub fn allows(&self, cred: PeerCred, groups: impl FnOnce(u32) -> Vec<u32>) -> bool {
        if self.is_empty()
            || self.uids.contains(&cred.uid)
            || self.gids.contains(&cred.gid)
            || self.pids.contains(&cred.pid)
        {
            return true;
        }
        !self.gids.is_empty() && groups(cred.uid).iter().any(|g| self.gids.contains(g))
    }
}

/// The credentials of the peer of Unix socket `fd`.
pub(crate) fn peer_cred(fd: RawFd) -> std::io::Result<PeerCred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` is a writable ucred and `len` holds its size, as SO_PEERCRED needs.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(PeerCred {
        pid: cred.pid,
        uid: cred.uid,
        gid: cred.gid,
    })
}

/// The groups of user `uid` (primary and supplementary), empty if the user is unknown.
pub(crate) fn groups_of(uid: u32) -> Vec<u32> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: zeroed passwd is a valid out-parameter for getpwuid_r.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the call; `buf` outlives the use of `pw`.
    let rc =
        unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut found) };
    if rc != 0 || found.is_null() {
        return Vec::new();
    }
    let mut groups = vec![0 as libc::gid_t; 256];
    let mut n = groups.len() as libc::c_int;
    // SAFETY: pw_name points into `buf` (alive); `groups` has room for `n` entries and
    // getgrouplist writes at most that many.
    let rc = unsafe { libc::getgrouplist(pw.pw_name, pw.pw_gid, groups.as_mut_ptr(), &mut n) };
    if rc < 0 {
        return Vec::new();
    }
    groups.truncate(usize::try_from(n).unwrap_or(0));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn masks_parse_like_libzmq() {
        assert!(IpMask::parse("127.0.0.1", false).is_ok());
        assert!(IpMask::parse("10.0.0.0/8", false).is_ok());
        assert!(IpMask::parse("10.0.0.0/0", false).is_ok());
        assert_eq!(IpMask::parse("10.0.0.0/33", false), Err(Error::Invalid));
        assert_eq!(IpMask::parse("10.0.0.0/x", false), Err(Error::Invalid));
        assert_eq!(IpMask::parse("localhost", false), Err(Error::Invalid));
        assert_eq!(IpMask::parse("::1", false), Err(Error::Invalid));
        assert!(IpMask::parse("[::1]", true).is_ok());
        assert!(IpMask::parse("fe80::/10", true).is_ok());
    }

    #[test]
    fn masks_match_prefixes_of_the_same_family() {
        let m = IpMask::parse("10.0.0.0/8", false).unwrap();
        assert!(m.matches(peer("10.9.8.7:1")));
        assert!(!m.matches(peer("11.0.0.1:1")));
        let m = IpMask::parse("192.168.1.128/25", false).unwrap();
        assert!(m.matches(peer("192.168.1.200:1")));
        assert!(!m.matches(peer("192.168.1.100:1")));
        let exact = IpMask::parse("127.0.0.1", false).unwrap();
        assert!(exact.matches(peer("127.0.0.1:9")));
        assert!(!exact.matches(peer("127.0.0.2:9")));
        assert!(!exact.matches(peer("[::ffff:127.0.0.1]:9")));
        let v6 = IpMask::parse("::1", true).unwrap();
        assert!(v6.matches(peer("[::1]:9")));
        assert!(tcp_allows(&[], peer("1.2.3.4:5")));
        assert!(!tcp_allows(std::slice::from_ref(&exact), peer("1.2.3.4:5")));
        assert!(tcp_allows(&[v6, exact], peer("127.0.0.1:5")));
    }

    #[test]
    fn ipc_filters_accept_any_listed_credential() {
        let cred = PeerCred {
            pid: 10,
            uid: 1000,
            gid: 100,
        };
        let no_groups = |_| Vec::new();
        assert!(IpcFilters::default().allows(cred, no_groups));
        let mut f = IpcFilters::default();
        f.uids.insert(0);
        assert!(!f.allows(cred, no_groups));
        f.pids.insert(10);
        assert!(f.allows(cred, no_groups));
        let mut g = IpcFilters::default();
        g.gids.insert(27);
        assert!(!g.allows(cred, no_groups));
        assert!(g.allows(cred, |uid| if uid == 1000 { vec![100, 27] } else { vec![] }));
    }

    #[test]
    fn own_credentials_and_groups() {
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let cred = peer_cred(std::os::fd::AsRawFd::as_raw_fd(&a)).unwrap();
        drop(b);
        // SAFETY: getuid/getgid/getpid cannot fail.
        let (uid, gid, pid) = unsafe { (libc::getuid(), libc::getgid(), libc::getpid()) };
        assert_eq!(cred, PeerCred { pid, uid, gid });
        assert!(groups_of(uid).contains(&gid) || groups_of(uid).is_empty());
    }
}
