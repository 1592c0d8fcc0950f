//! Network interface names as addresses (`tcp://lo:5555;host:port` binds the source of a
//! connection to interface `lo`'s address, as libzmq allows).

use std::net::IpAddr;

/// The first address of interface `name`: IPv4 unless `ipv6`, then either family (IPv6
/// first). `None` when there is no such interface or it has no usable address.
pub(crate) fn interface_addr(name: &str, ipv6: bool) -> Option<IpAddr> {
    let found = crate::sys::net::interface_addrs(name);
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
    use std::net::Ipv4Addr;

    #[test]
    fn loopback_interface_has_the_loopback_address() {
        assert_eq!(
            interface_addr("lo", false),
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(interface_addr("no-such-interface0", true), None);
    }
}
