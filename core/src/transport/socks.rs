//! A SOCKS5 client (RFC 1928, with RFC 1929 username/password authentication) as a
//! sans-IO state machine: it says what to send and reads what the proxy answered, and
//! the session moves the bytes. This is what SOCKS_PROXY (with SOCKS_USERNAME and
//! SOCKS_PASSWORD) puts in front of the ZMTP handshake of a `tcp://` connect: the
//! connection goes to the proxy, which is asked to CONNECT to the endpoint's host and
//! port (a name is passed on unresolved, as libzmq does).
//!
//! Proxy replies are untrusted: every length is checked, nothing is allocated beyond
//! the fixed-size messages of the protocol, and anything unexpected ends the attempt.

use crate::error::Error;
use bytes::{Buf, Bytes, BytesMut};
use std::net::{SocketAddr, ToSocketAddrs};

const VERSION: u8 = 5;
const NO_AUTH: u8 = 0x00;
const USER_PASS: u8 = 0x02;
const NO_ACCEPTABLE: u8 = 0xff;
const CONNECT: u8 = 0x01;
const ATYP_V4: u8 = 0x01;
const ATYP_NAME: u8 = 0x03;
const ATYP_V6: u8 = 0x04;

/// Where the proxy should connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SocksTarget {
    /// An IPv4/IPv6 address in text form, or a host name (at most 255 bytes).
    pub host: String,
    pub port: u16,
}

impl SocksTarget {
    /// The host and port of a `tcp://host:port` endpoint (`[v6]` brackets removed).
    pub fn from_endpoint(endpoint: &str) -> Option<SocksTarget> {
        let rest = endpoint.strip_prefix("tcp://")?;
        // libzmq's "source;destination" form: the proxy connects to the destination.
        let rest = rest.rsplit(';').next()?;
        let (host, port) = rest.rsplit_once(':')?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if host.is_empty() || host.len() > 255 {
            return None;
        }
        Some(SocksTarget {
            host: host.to_string(),
            port: port.parse().ok()?,
        })
    }
}

/// What a connect through SOCKS_PROXY needs: the target and the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SocksSetup {
    pub target: SocksTarget,
    pub username: Bytes,
    pub password: Bytes,
}

impl SocksSetup {
    /// A fresh negotiation (one per connection attempt).
    pub fn client(&self) -> SocksClient {
        SocksClient::new(self.target.clone(), &self.username, &self.password)
    }
}

/// The proxy's address from SOCKS_PROXY (`host:port`, numeric or a name resolved now;
/// IPv6 addresses only with IPV6). EINVAL when it cannot be used. In libzmq's
/// `source;proxy` form only the proxy part is used here: the local end is not bound.
pub(crate) fn proxy_addr(text: &[u8], ipv6: bool) -> crate::error::Result<SocketAddr> {
    let text = std::str::from_utf8(text).map_err(|_| Error::Invalid)?;
    let text = text.rsplit(';').next().unwrap_or(text);
    let text = text.strip_prefix("tcp://").unwrap_or(text);
    let addrs = text.to_socket_addrs().map_err(|_| Error::Invalid)?;
    let mut fallback = None;
    for a in addrs {
        if a.is_ipv4() {
            return Ok(a);
        }
        if ipv6 && fallback.is_none() {
            fallback = Some(a);
        }
    }
    fallback.ok_or(Error::Invalid)
}

/// Why the proxy did not open the tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SocksError {
    /// The proxy spoke something other than SOCKS5.
    Protocol,
    /// The proxy accepts none of the offered authentication methods.
    NoMethod,
    /// Username/password authentication was refused.
    AuthFailed,
    /// The CONNECT request failed with this SOCKS reply code.
    Refused(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Sent the method list; waiting for the method choice.
    Method,
    /// Sent username/password; waiting for the verdict.
    Auth,
    /// Sent CONNECT; waiting for the reply.
    Reply,
    /// The tunnel is open.
    Done,
}

/// One SOCKS5 negotiation.
#[derive(Debug)]
pub(crate) struct SocksClient {
    state: State,
    target: SocksTarget,
    /// Username and password (RFC 1929), when a username is set.
    credentials: Option<(Vec<u8>, Vec<u8>)>,
    /// Bytes to send; `sent` of them are gone already.
    out: Vec<u8>,
    sent: usize,
}

impl SocksClient {
    /// Starts a negotiation: the method list is ready to send. With a (non-empty)
    /// username, username/password authentication is offered besides none.
    pub fn new(target: SocksTarget, username: &[u8], password: &[u8]) -> SocksClient {
        let credentials = (!username.is_empty()).then(|| (username.to_vec(), password.to_vec()));
        let out = if credentials.is_some() {
            vec![VERSION, 2, NO_AUTH, USER_PASS]
        } else {
            vec![VERSION, 1, NO_AUTH]
        };
        SocksClient {
            state: State::Method,
            target,
            credentials,
            out,
            sent: 0,
        }
    }

    /// The bytes still to send to the proxy.
    pub fn pending(&self) -> &[u8] {
        &self.out[self.sent..]
    }

    /// `n` bytes of [`SocksClient::pending`] were sent.
    pub fn advance(&mut self, n: usize) {
        self.sent = self.sent.saturating_add(n).min(self.out.len());
    }

    /// Reads the proxy's answers from the front of `input`, consuming complete messages
    /// only; bytes after the final reply (the peer's ZMTP greeting) stay in `input`.
    /// Returns whether the tunnel is open.
    pub fn receive(&mut self, input: &mut BytesMut) -> Result<bool, SocksError> {
        loop {
            match self.state {
                State::Method => {
                    let Some(&[version, method]) = input.get(..2) else {
                        return Ok(false);
                    };
                    input.advance(2);
                    if version != VERSION {
                        return Err(SocksError::Protocol);
                    }
                    match (method, &self.credentials) {
                        (NO_AUTH, _) => self.send_request(),
                        (USER_PASS, Some((user, pass))) => {
                            let mut msg = vec![1, len_u8(user)];
                            msg.extend_from_slice(&user[..usize::from(len_u8(user))]);
                            msg.push(len_u8(pass));
                            msg.extend_from_slice(&pass[..usize::from(len_u8(pass))]);
                            self.queue(msg);
                            self.state = State::Auth;
                        }
                        (NO_ACCEPTABLE, _) => return Err(SocksError::NoMethod),
                        _ => return Err(SocksError::Protocol),
                    }
                }
                State::Auth => {
                    let Some(&[version, status]) = input.get(..2) else {
                        return Ok(false);
                    };
                    input.advance(2);
                    if version != 1 {
                        return Err(SocksError::Protocol);
                    }
                    if status != 0 {
                        return Err(SocksError::AuthFailed);
                    }
                    self.send_request();
                }
                State::Reply => {
                    let Some(&[version, code, _reserved, atyp]) = input.get(..4) else {
                        return Ok(false);
                    };
                    if version != VERSION {
                        return Err(SocksError::Protocol);
                    }
                    if code != 0 {
                        return Err(SocksError::Refused(code));
                    }
                    let addr_len = match atyp {
                        ATYP_V4 => 4,
                        ATYP_V6 => 16,
                        ATYP_NAME => match input.get(4) {
                            Some(&n) => 1 + usize::from(n),
                            None => return Ok(false),
                        },
                        _ => return Err(SocksError::Protocol),
                    };
                    // 4 header bytes + address + 2 port bytes: at most 4 + 256 + 2.
                    let total = 4 + addr_len + 2;
                    if input.len() < total {
                        return Ok(false);
                    }
                    input.advance(total);
                    self.state = State::Done;
                }
                State::Done => return Ok(true),
            }
        }
    }

    fn send_request(&mut self) {
        let mut msg = vec![VERSION, CONNECT, 0];
        match self.target.host.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(a)) => {
                msg.push(ATYP_V4);
                msg.extend_from_slice(&a.octets());
            }
            Ok(std::net::IpAddr::V6(a)) => {
                msg.push(ATYP_V6);
                msg.extend_from_slice(&a.octets());
            }
            Err(_) => {
                let name = self.target.host.as_bytes();
                msg.push(ATYP_NAME);
                msg.push(len_u8(name));
                msg.extend_from_slice(&name[..usize::from(len_u8(name))]);
            }
        }
        msg.extend_from_slice(&self.target.port.to_be_bytes());
        self.queue(msg);
        self.state = State::Reply;
    }

    fn queue(&mut self, msg: Vec<u8>) {
        self.out.drain(..self.sent);
        self.sent = 0;
        self.out.extend_from_slice(&msg);
    }
}

/// A length as the one byte SOCKS has for it (values are capped at 255 by the option
/// setters; longer ones are cut rather than wrapped).
fn len_u8(b: &[u8]) -> u8 {
    u8::try_from(b.len()).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(host: &str) -> SocksTarget {
        SocksTarget {
            host: host.into(),
            port: 5555,
        }
    }

    fn sent(c: &mut SocksClient) -> Vec<u8> {
        let v = c.pending().to_vec();
        c.advance(v.len());
        v
    }

    #[test]
    fn proxy_addresses() {
        let a = proxy_addr(b"127.0.0.1:1080", false).unwrap();
        assert_eq!(a, "127.0.0.1:1080".parse().unwrap());
        let b = proxy_addr(b"127.0.0.1:0;127.0.0.1:1081", false).unwrap();
        assert_eq!(b.port(), 1081);
        assert_eq!(proxy_addr(b"[::1]:1080", false), Err(Error::Invalid));
        assert!(proxy_addr(b"[::1]:1080", true).is_ok());
        assert_eq!(proxy_addr(b"no port", false), Err(Error::Invalid));
    }

    #[test]
    fn targets_come_from_tcp_endpoints() {
        assert_eq!(
            SocksTarget::from_endpoint("tcp://example.org:80"),
            Some(SocksTarget {
                host: "example.org".into(),
                port: 80
            })
        );
        assert_eq!(
            SocksTarget::from_endpoint("tcp://[::1]:7"),
            Some(SocksTarget {
                host: "::1".into(),
                port: 7
            })
        );
        assert_eq!(
            SocksTarget::from_endpoint("tcp://127.0.0.1:1;10.0.0.1:2")
                .unwrap()
                .host,
            "10.0.0.1"
        );
        assert_eq!(SocksTarget::from_endpoint("ipc://x"), None);
        assert_eq!(SocksTarget::from_endpoint("tcp://host:notaport"), None);
    }

    #[test]
    fn no_auth_connect_by_name_with_greeting_left_over() {
        let mut c = SocksClient::new(target("example.org"), b"", b"");
        assert_eq!(sent(&mut c), [5, 1, 0]);
        let mut input = BytesMut::from(&[5u8][..]);
        assert_eq!(c.receive(&mut input), Ok(false), "half a method reply");
        input.extend_from_slice(&[0]);
        assert_eq!(c.receive(&mut input), Ok(false));
        let mut want = vec![5, 1, 0, 3, 11];
        want.extend_from_slice(b"example.org");
        want.extend_from_slice(&5555u16.to_be_bytes());
        assert_eq!(sent(&mut c), want);
        // Reply with a name-type bound address, then the peer's first greeting bytes.
        input.extend_from_slice(&[5, 0, 0, 3, 2, b'h', b'i', 0, 80, 0xff, 0]);
        assert_eq!(c.receive(&mut input), Ok(true));
        assert_eq!(&input[..], &[0xff, 0], "ZMTP bytes stay for the handshake");
        assert_eq!(c.receive(&mut input), Ok(true), "and are not read as SOCKS");
        assert_eq!(input.len(), 2);
    }

    #[test]
    fn username_password_and_ip_targets() {
        let mut c = SocksClient::new(target("10.1.2.3"), b"user", b"pw");
        assert_eq!(sent(&mut c), [5, 2, 0, 2]);
        let mut input = BytesMut::from(&[5u8, 2][..]);
        assert_eq!(c.receive(&mut input), Ok(false));
        assert_eq!(sent(&mut c), [1, 4, b'u', b's', b'e', b'r', 2, b'p', b'w']);
        input.extend_from_slice(&[1, 0]);
        assert_eq!(c.receive(&mut input), Ok(false));
        assert_eq!(sent(&mut c), [5, 1, 0, 1, 10, 1, 2, 3, 0x15, 0xb3]);
        input.extend_from_slice(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(c.receive(&mut input), Ok(true));

        let mut v6 = SocksClient::new(target("::1"), b"", b"");
        sent(&mut v6);
        let mut input = BytesMut::from(&[5u8, 0][..]);
        assert_eq!(v6.receive(&mut input), Ok(false));
        let req = sent(&mut v6);
        assert_eq!((req[3], req.len()), (4, 4 + 16 + 2));
    }

    #[test]
    fn failures_end_the_attempt() {
        let refuse = |bytes: &[u8], user: &[u8]| {
            let mut c = SocksClient::new(target("h"), user, b"p");
            let mut input = BytesMut::from(bytes);
            c.receive(&mut input)
        };
        assert_eq!(refuse(&[5, 0xff], b""), Err(SocksError::NoMethod));
        assert_eq!(refuse(&[4, 0], b""), Err(SocksError::Protocol));
        assert_eq!(
            refuse(&[5, 2], b""),
            Err(SocksError::Protocol),
            "auth not offered"
        );
        assert_eq!(refuse(&[5, 2, 1, 1], b"u"), Err(SocksError::AuthFailed));
        assert_eq!(
            refuse(&[5, 0, 5, 5, 0, 1], b""),
            Err(SocksError::Refused(5))
        );
        assert_eq!(refuse(&[5, 0, 5, 0, 0, 9], b""), Err(SocksError::Protocol));
    }

    #[test]
    fn any_proxy_bytes_are_handled_without_panic() {
        // Every 2-byte prefix followed by arbitrary reply bytes: never a panic, and
        // never more consumed than given.
        for a in 0..=255u8 {
            for b in [0u8, 2, 5, 0xff] {
                let mut c = SocksClient::new(target("h"), b"u", b"p");
                let mut input = BytesMut::from(&[5, b, 1, 0, 5, 0, 0, a, 255, a, 0][..]);
                let before = input.len();
                let _ = c.receive(&mut input);
                assert!(input.len() <= before);
            }
        }
    }
}
