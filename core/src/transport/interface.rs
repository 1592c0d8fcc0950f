//! Network interface names as addresses (`tcp://lo:5555;host:port` binds the source of a
//! connection to interface `lo`'s address, as libzmq allows).

use std::ffi::CStr;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The first address of interface `name`: IPv4 unless `ipv6`, then either family (IPv6
/// first). `None` when there is no such interface or it has no usable address.
pub(crate) fn interface_addr(name: &str, ipv6: bool) -> Option<IpAddr> {
    let mut found: Vec<IpAddr> = Vec::new();
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` with a linked list it allocates; it is freed below.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return None;
    }
    let mut cur = list;
    while !cur.is_null() {
        // SAFETY: `cur` is a node of the list getifaddrs returned, not yet freed.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_name.is_null() || ifa.ifa_addr.is_null() {
            continue;
        }
        // SAFETY: ifa_name is a NUL-terminated string owned by the list.
        let ifname = unsafe { CStr::from_ptr(ifa.ifa_name) };
        if ifname.to_bytes() != name.as_bytes() {
            continue;
        }
        // SAFETY: ifa_addr points to a sockaddr whose family says which struct it is.
        let family = i32::from(unsafe { (*ifa.ifa_addr).sa_family });
        if family == libc::AF_INET {
            // SAFETY: an AF_INET address is a sockaddr_in.
            let sin = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
            found.push(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                sin.sin_addr.s_addr,
            ))));
        } else if family == libc::AF_INET6 {
            // SAFETY: an AF_INET6 address is a sockaddr_in6.
            let sin6 = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in6) };
            found.push(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)));
        }
    }
    // SAFETY: `list` came from getifaddrs and is freed once; nothing refers to it now.
    unsafe { libc::freeifaddrs(list) };
    let v4 = found.iter().copied().find(IpAddr::is_ipv4);
    let v6 = found.iter().copied().find(IpAddr::is_ipv6);
    if ipv6 {
        v6.or(v4)
    } else {
        v4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_interface_has_the_loopback_address() {
        assert_eq!(
            interface_addr("lo", false),
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(interface_addr("no-such-interface0", true), None);
    }
}
