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
    let cred = crate::sys::process::peer_cred(fd)?;
    Ok(PeerCred {
        pid: cred.pid,
        uid: cred.uid,
        gid: cred.gid,
    })
}

pub(crate) use crate::sys::process::groups_of;

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
        let (uid, gid, pid) = crate::sys::process::own_ids();
        assert_eq!(cred, PeerCred { pid, uid, gid });
        assert!(groups_of(uid).contains(&gid) || groups_of(uid).is_empty());
    }
}
