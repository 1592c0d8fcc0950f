//! The properties a connection's own end adds to the peer's metadata, as libzmq does:
//! `Peer-Address` and the private `__fd` (the connection's descriptor, read by
//! `zmq_msg_get(ZMQ_SRCFD)`). `Peer-Address` is the peer's IP address over tcp and, over
//! ipc, what libzmq 4.3 on Linux makes of a Unix socket: `localhost:UID:GID:PID` of the
//! peer process (SO_PEERCRED).
//!
//! They come first, so a peer that sends properties of the same names in its READY
//! cannot override them (lookups take the first match), and a peer's `__fd` is dropped
//! in any case: it must never pass for a local descriptor.

use super::stream::Stream;
use crate::proto::Metadata;
use std::os::fd::AsRawFd;

/// Name of the property holding the peer's IP address (`ZMQ_MSG_PROPERTY_PEER_ADDRESS`).
pub(crate) const PEER_ADDRESS: &str = "Peer-Address";
/// Name of the private property holding the connection's descriptor.
pub(crate) const SOURCE_FD: &str = "__fd";

/// `peer` (the properties from the peer's READY) with this end's properties in front.
pub(crate) fn with_local_properties(peer: Metadata, stream: &Stream) -> Metadata {
    let mut md = Metadata::new();
    let address = match stream {
        Stream::Tcp(s) => s.peer_addr().ok().map(|a| a.ip().to_string()),
        Stream::Ipc(_) => Some(match crate::sys::process::peer_cred(stream.as_raw_fd()) {
            Ok(c) => format!("localhost:{}:{}:{}", c.uid, c.gid, c.pid),
            Err(_) => "localhost".to_string(),
        }),
    };
    // libzmq adds both only when it knows the peer's address.
    if let Some(address) = address {
        md.push(PEER_ADDRESS, address);
        md.push(SOURCE_FD, stream.as_raw_fd().to_string());
    }
    for (name, value) in peer.iter() {
        if name.as_ref() != SOURCE_FD.as_bytes() {
            md.push(name.clone(), value.clone());
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp_pair() -> (Stream, std::net::TcpStream) {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (s, _) = l.accept().unwrap();
        (Stream::Tcp(mio::net::TcpStream::from_std(s)), c)
    }

    #[test]
    fn tcp_adds_the_peer_ip_and_fd_in_front_of_the_peer_properties() {
        let (stream, _client) = tcp_pair();
        let mut peer = Metadata::new();
        peer.push("Socket-Type", "PUSH");
        peer.push("Peer-Address", "10.9.8.7");
        peer.push("__fd", "0");
        let md = with_local_properties(peer, &stream);
        assert_eq!(
            md.get("Peer-Address").map(|v| &v[..]),
            Some(&b"127.0.0.1"[..])
        );
        let fd = stream.as_raw_fd().to_string();
        assert_eq!(md.get("__fd").map(|v| &v[..]), Some(fd.as_bytes()));
        assert_eq!(md.get("Socket-Type").map(|v| &v[..]), Some(&b"PUSH"[..]));
        let fds = md.iter().filter(|(n, _)| n.as_ref() == b"__fd").count();
        assert_eq!(fds, 1, "the peer's __fd is dropped");
    }

    #[test]
    fn ipc_adds_the_peer_process_and_drops_a_peer_fd() {
        let (a, _b) = mio::net::UnixStream::pair().unwrap();
        let fd = a.as_raw_fd().to_string();
        let mut peer = Metadata::new();
        peer.push("Socket-Type", "PUSH");
        peer.push("__fd", "3");
        let md = with_local_properties(peer, &Stream::Ipc(a));
        let me = crate::sys::process::own_ids();
        let expect = format!("localhost:{}:{}:{}", me.0, me.1, me.2);
        assert_eq!(
            md.get("Peer-Address").map(|v| &v[..]),
            Some(expect.as_bytes())
        );
        assert_eq!(md.get("__fd").map(|v| &v[..]), Some(fd.as_bytes()));
        assert_eq!(md.len(), 3);
    }
}
