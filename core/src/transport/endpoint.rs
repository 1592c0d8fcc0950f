//! Parsing of endpoint strings (`tcp://host:port`, `ipc://path`), with libzmq's error
//! numbers.

use crate::error::{Error, Result};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

/// The size of `sockaddr_un.sun_path` on Linux: an ipc address (the text after `ipc://`,
/// `@` included) must be shorter, as in libzmq (ENAMETOOLONG otherwise).
const SUN_PATH_LEN: usize = 108;

/// A parsed endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Tcp(TcpEndpoint),
    Ipc(IpcEndpoint),
}

/// The address of an `ipc://` endpoint: a file system path (absolute or relative), `@name`
/// for Linux's abstract namespace, or `*` (bind: a fresh file in a new temporary
/// directory; connect: the relative path `*`, as libzmq does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IpcEndpoint {
    /// The text after `ipc://`.
    pub address: String,
}

/// The host and port of a `tcp://` endpoint, and for a connect, optionally the local
/// address to connect from (`tcp://source:port;host:port`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TcpEndpoint {
    /// `*` for any interface, an IP literal (IPv6 without brackets) or a host name.
    pub host: String,
    /// `None` for `*` or `0`: an ephemeral port.
    pub port: Option<u16>,
    /// The part before `;`: where a connection's local end is bound.
    pub source: Option<TcpSource>,
}

/// The local end of a `tcp://source:port;host:port` connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TcpSource {
    /// `*`, an IP literal, an interface name (`lo`) or a host name.
    pub host: String,
    /// `None` for `*` or `0`: any port.
    pub port: Option<u16>,
}

impl Endpoint {
    /// Parses `transport://address`. Unknown transports give EPROTONOSUPPORT, malformed
    /// addresses EINVAL, as in libzmq.
    pub fn parse(s: &str) -> Result<Endpoint> {
        let (scheme, rest) = s.split_once("://").ok_or(Error::Invalid)?;
        match scheme {
            "tcp" => Ok(Endpoint::Tcp(TcpEndpoint::parse(rest)?)),
            "ipc" => Ok(Endpoint::Ipc(IpcEndpoint::parse(rest)?)),
            // libzmq knows udp only for RADIO/DISH/DGRAM, types ferromq does not have.
            "udp" => Err(Error::NoCompatProto),
            _ => Err(Error::ProtoNoSupport),
        }
    }
}

/// Splits `host:port` (IPv6 hosts in brackets); a port of `*` or `0` is `None`.
fn host_port(s: &str) -> Result<(String, Option<u16>)> {
    let (host, port) = s.rsplit_once(':').ok_or(Error::Invalid)?;
    let host = match host.strip_prefix('[') {
        Some(inner) => inner.strip_suffix(']').ok_or(Error::Invalid)?,
        None => host,
    };
    if host.is_empty() {
        return Err(Error::Invalid);
    }
    let port = match port {
        "*" | "0" => None,
        p => Some(p.parse::<u16>().map_err(|_| Error::Invalid)?),
    };
    Ok((host.to_string(), port))
}

impl TcpEndpoint {
    fn parse(s: &str) -> Result<TcpEndpoint> {
        // As libzmq: the last `;` separates the source from the destination.
        let (source, dest) = match s.rsplit_once(';') {
            Some((src, dest)) => {
                let (host, port) = host_port(src)?;
                (Some(TcpSource { host, port }), dest)
            }
            None => (None, s),
        };
        let (host, port) = host_port(dest)?;
        Ok(TcpEndpoint { host, port, source })
    }

    /// The address to listen on. Without `ipv6` (the IPV6 option), `*` is 0.0.0.0 and
    /// IPv6 addresses give ENODEV; with it, `*` is `[::]` and IPv4 addresses are bound
    /// in their IPv4-mapped IPv6 form, as libzmq does (LAST_ENDPOINT then reads
    /// `tcp://[::ffff:127.0.0.1]:port`).
    pub fn bind_addr(&self, ipv6: bool) -> Result<SocketAddr> {
        if self.source.is_some() {
            return Err(Error::Invalid); // a source address only makes sense to connect
        }
        let port = self.port.unwrap_or(0);
        let ip = if self.host == "*" {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else if let Ok(ip) = self.host.parse::<IpAddr>() {
            ip
        } else {
            // A host name such as "localhost"; libzmq also accepts interface names,
            // which we report as an unknown device.
            let addrs = (self.host.as_str(), port)
                .to_socket_addrs()
                .map_err(|_| Error::NoDev)?;
            pick(addrs, ipv6).ok_or(Error::NoDev)?.ip()
        };
        match (ip, ipv6) {
            (IpAddr::V6(_), false) => Err(Error::NoDev),
            (IpAddr::V4(v4), true) if v4.is_unspecified() => {
                Ok(SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port))
            }
            (IpAddr::V4(v4), true) => Ok(SocketAddr::new(IpAddr::V6(v4.to_ipv6_mapped()), port)),
            (ip, _) => Ok(SocketAddr::new(ip, port)),
        }
    }

    /// The address to connect to (resolved now, as libzmq validates at connect time).
    /// Without `ipv6`, names resolve to IPv4 only, and an IPv6 literal is accepted here
    /// but never connects (libzmq's connect succeeds and then retries forever).
    pub fn connect_addr(&self, ipv6: bool) -> Result<SocketAddr> {
        let port = self.port.filter(|&p| p != 0).ok_or(Error::Invalid)?;
        if self.host == "*" {
            return Err(Error::Invalid);
        }
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return Ok(SocketAddr::new(ip, port));
        }
        let addrs = (self.host.as_str(), port)
            .to_socket_addrs()
            .map_err(|_| Error::Invalid)?;
        pick(addrs, ipv6).ok_or(Error::Invalid)
    }
}

impl TcpSource {
    /// The local address to bind a connection to before connecting to `dest`: `*` is
    /// any address of `dest`'s family; an IP literal; an interface name (its address);
    /// or a host name. EINVAL when nothing matches.
    pub fn bind_addr(&self, dest: SocketAddr, ipv6: bool) -> Result<SocketAddr> {
        let port = self.port.unwrap_or(0);
        let ip = if self.host == "*" {
            match dest {
                SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            }
        } else if let Ok(ip) = self.host.parse::<IpAddr>() {
            ip
        } else if let Some(ip) = super::interface::interface_addr(&self.host, ipv6) {
            ip
        } else {
            let addrs = (self.host.as_str(), port)
                .to_socket_addrs()
                .map_err(|_| Error::Invalid)?;
            pick(addrs, ipv6).ok_or(Error::Invalid)?.ip()
        };
        Ok(SocketAddr::new(ip, port))
    }
}

/// The address a name resolves to: without IPV6, the first IPv4 address only (libzmq
/// then asks for IPv4 alone, so `localhost` means 127.0.0.1 even where `::1` is listed
/// first); with it, the first address of either family.
fn pick(mut addrs: impl Iterator<Item = SocketAddr>, ipv6: bool) -> Option<SocketAddr> {
    if ipv6 {
        addrs.next()
    } else {
        addrs.find(SocketAddr::is_ipv4)
    }
}

impl IpcEndpoint {
    /// Checks the address as libzmq's `ipc_address_t::resolve` does: empty or a bare `@`
    /// is EINVAL, 108 bytes or more ENAMETOOLONG.
    pub fn parse(s: &str) -> Result<IpcEndpoint> {
        if s.is_empty() || s == "@" || s.contains('\0') {
            return Err(Error::Invalid);
        }
        if s.len() >= SUN_PATH_LEN {
            return Err(Error::NameTooLong);
        }
        Ok(IpcEndpoint {
            address: s.to_string(),
        })
    }

    /// Whether binding should pick a fresh path (`ipc://*`).
    pub fn is_wildcard(&self) -> bool {
        self.address == "*"
    }

    /// The abstract name (without the `@`), if the address is in the abstract namespace.
    pub fn abstract_name(&self) -> Option<&str> {
        self.address.strip_prefix('@')
    }

    /// The socket address: the path, or a leading NUL byte and the name for `@name`
    /// (the same bytes and length libzmq uses, so both sides meet).
    pub fn sock_addr(&self) -> Result<socket2::SockAddr> {
        let path = match self.abstract_name() {
            Some(name) => format!("\0{name}"),
            None => self.address.clone(),
        };
        socket2::SockAddr::unix(path).map_err(|_| Error::NameTooLong)
    }
}

/// The `tcp://` form of a socket address, as `LAST_ENDPOINT` reports it.
pub(crate) fn tcp_uri(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("tcp://{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("tcp://[{}]:{}", a.ip(), a.port()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(s: &str) -> TcpEndpoint {
        match Endpoint::parse(s).unwrap() {
            Endpoint::Tcp(t) => t,
            other => panic!("not tcp: {other:?}"),
        }
    }

    fn bind(s: &str, ipv6: bool) -> Result<String> {
        tcp(s).bind_addr(ipv6).map(|a| a.to_string())
    }

    fn ipc(s: &str) -> IpcEndpoint {
        match Endpoint::parse(s).unwrap() {
            Endpoint::Ipc(i) => i,
            other => panic!("not ipc: {other:?}"),
        }
    }

    #[test]
    fn parses_ipc_forms() {
        assert_eq!(ipc("ipc:///tmp/a.sock").address, "/tmp/a.sock");
        assert_eq!(ipc("ipc://rel.sock").address, "rel.sock");
        assert!(ipc("ipc://*").is_wildcard());
        let abs = ipc("ipc://@name");
        assert_eq!(abs.abstract_name(), Some("name"));
        let addr = abs.sock_addr().unwrap();
        assert_eq!(addr.as_abstract_namespace(), Some(&b"name"[..]));
        let path = ipc("ipc:///tmp/a.sock").sock_addr().unwrap();
        assert_eq!(
            path.as_pathname(),
            Some(std::path::Path::new("/tmp/a.sock"))
        );
    }

    #[test]
    fn ipc_errors_match_libzmq() {
        assert_eq!(Endpoint::parse("ipc://").unwrap_err(), Error::Invalid);
        assert_eq!(Endpoint::parse("ipc://@").unwrap_err(), Error::Invalid);
        // 107 bytes fit in sun_path with the NUL; 108 do not (the same for `@` names).
        let fits = format!("ipc:///{}", "x".repeat(106));
        assert!(Endpoint::parse(&fits).is_ok());
        let long = format!("ipc:///{}", "x".repeat(107));
        assert_eq!(Endpoint::parse(&long).unwrap_err(), Error::NameTooLong);
        assert!(Endpoint::parse(&format!("ipc://@{}", "x".repeat(106))).is_ok());
        let long_abs = format!("ipc://@{}", "x".repeat(107));
        assert_eq!(Endpoint::parse(&long_abs).unwrap_err(), Error::NameTooLong);
    }

    #[test]
    fn parses_tcp_forms() {
        assert_eq!(bind("tcp://*:5555", false).unwrap(), "0.0.0.0:5555");
        assert_eq!(tcp("tcp://127.0.0.1:*").port, None);
        assert_eq!(
            tcp("tcp://localhost:9").connect_addr(false).unwrap().port(),
            9
        );
    }

    /// What libzmq 4.3.5 does (checked with pyzmq): without IPV6, binding an IPv6
    /// literal is ENODEV while connecting to one is accepted; with IPV6, `*` is `[::]`
    /// and IPv4 addresses are bound IPv4-mapped.
    #[test]
    fn ipv6_option_decides_the_address_family() {
        assert_eq!(bind("tcp://[::1]:7", false), Err(Error::NoDev));
        assert_eq!(bind("tcp://[::1]:7", true).unwrap(), "[::1]:7");
        assert_eq!(bind("tcp://*:7", true).unwrap(), "[::]:7");
        assert_eq!(
            bind("tcp://127.0.0.1:7", true).unwrap(),
            "[::ffff:127.0.0.1]:7"
        );
        assert_eq!(bind("tcp://127.0.0.1:7", false).unwrap(), "127.0.0.1:7");
        let v6 = tcp("tcp://[::1]:7").connect_addr(false).unwrap();
        assert_eq!(v6.to_string(), "[::1]:7");
        assert!(tcp("tcp://localhost:7")
            .connect_addr(false)
            .unwrap()
            .is_ipv4());
    }

    #[test]
    fn errors_match_libzmq() {
        assert_eq!(Endpoint::parse("tcp:/x").unwrap_err(), Error::Invalid);
        assert_eq!(
            Endpoint::parse("udpx://a:1").unwrap_err(),
            Error::ProtoNoSupport
        );
        assert_eq!(
            Endpoint::parse("udp://127.0.0.1:1").unwrap_err(),
            Error::NoCompatProto
        );
        assert_eq!(Endpoint::parse("tcp://host").unwrap_err(), Error::Invalid);
        assert_eq!(
            Endpoint::parse("tcp://h:99999").unwrap_err(),
            Error::Invalid
        );
        assert_eq!(
            tcp("tcp://127.0.0.1:*").connect_addr(false).unwrap_err(),
            Error::Invalid
        );
    }

    /// libzmq's test_bind_src_address forms, and a source with an ephemeral port.
    #[test]
    fn source_addresses_before_a_semicolon() {
        let src = |s: &str| {
            let t = tcp(s);
            let dest = t.connect_addr(false).unwrap();
            let bound = t.source.as_ref().unwrap().bind_addr(dest, false);
            (dest.to_string(), bound.map(|a| a.to_string()))
        };
        assert_eq!(
            src("tcp://127.0.0.1:0;localhost:1234"),
            ("127.0.0.1:1234".into(), Ok("127.0.0.1:0".into()))
        );
        assert_eq!(
            src("tcp://localhost:5555;localhost:1235"),
            ("127.0.0.1:1235".into(), Ok("127.0.0.1:5555".into()))
        );
        assert_eq!(
            src("tcp://lo:5555;localhost:1235").1,
            Ok("127.0.0.1:5555".into())
        );
        assert_eq!(src("tcp://*:*;127.0.0.1:9").1, Ok("0.0.0.0:0".into()));
        assert_eq!(
            src("tcp://[::1]:0;[::1]:9"),
            ("[::1]:9".into(), Ok("[::1]:0".into()))
        );
        assert_eq!(tcp("tcp://127.0.0.1:9").source, None);
        assert_eq!(
            Endpoint::parse("tcp://;127.0.0.1:9").unwrap_err(),
            Error::Invalid
        );
        assert_eq!(
            Endpoint::parse("tcp://a:b;127.0.0.1:9").unwrap_err(),
            Error::Invalid
        );
        assert_eq!(
            bind("tcp://127.0.0.1:0;127.0.0.1:9", false),
            Err(Error::Invalid)
        );
    }

    #[test]
    fn names_resolve_to_ipv4_unless_ipv6() {
        let v6: SocketAddr = "[::1]:1".parse().unwrap();
        let v4: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(pick([v6, v4].into_iter(), false), Some(v4));
        assert_eq!(pick([v6].into_iter(), false), None);
        assert_eq!(pick([v6, v4].into_iter(), true), Some(v6));
        assert_eq!(pick(std::iter::empty(), true), None);
    }

    #[test]
    fn uri_brackets_ipv6() {
        assert_eq!(tcp_uri("[::1]:5".parse().unwrap()), "tcp://[::1]:5");
        assert_eq!(tcp_uri("127.0.0.1:5".parse().unwrap()), "tcp://127.0.0.1:5");
    }
}
