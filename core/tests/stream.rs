//! STREAM sockets: raw TCP and Unix connections addressed by routing id, against plain
//! `std` sockets in both directions and against each other, with libzmq's connect and
//! disconnect notifications, closing by empty frame, CONNECT_ROUTING_ID and the
//! ROUTING_ID option set to the last generated id.

mod common;

use common::{bound, bounded, socket};
use ferromq::{
    poll, Context, Error, PollItem, Socket, SocketType, DONTWAIT, POLLIN, POLLOUT, SNDMORE,
};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// Receives one `[routing id, data]` message.
fn recv_pair(s: &mut Socket) -> (Vec<u8>, Vec<u8>) {
    let id = s.recv(0).expect("routing id frame");
    assert!(id.more(), "the routing id frame has MORE");
    let data = s.recv(0).expect("data frame");
    assert!(!data.more(), "the data frame ends the message");
    (id.to_vec(), data.to_vec())
}

fn send_pair(s: &mut Socket, id: &[u8], data: &[u8]) {
    s.send(id, SNDMORE).expect("send id");
    s.send(data, 0).expect("send data");
}

/// Reads from `c` until `want` bytes came.
fn read_exactly(c: &mut impl Read, want: usize) -> Vec<u8> {
    let mut buf = vec![0; want];
    c.read_exact(&mut buf).expect("read from the plain socket");
    buf
}

/// Receives data messages from `id` until `want` bytes came (a read may be split).
fn recv_bytes(s: &mut Socket, id: &[u8], want: usize) -> Vec<u8> {
    let mut got = Vec::new();
    while got.len() < want {
        let (from, data) = recv_pair(s);
        assert_eq!(from, id);
        assert!(!data.is_empty(), "no disconnect before all data came");
        got.extend_from_slice(&data);
    }
    got
}

fn tcp_addr(ep: &str) -> String {
    ep.trim_start_matches("tcp://").to_string()
}

#[test]
fn bound_stream_serves_a_plain_tcp_client() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut server, ep) = bound(&ctx, SocketType::Stream);
        let mut client = TcpStream::connect(tcp_addr(&ep)).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();

        let (id, data) = recv_pair(&mut server);
        assert!(
            data.is_empty(),
            "a connection is announced by an empty frame"
        );
        assert_eq!((id.len(), id[0]), (5, 0), "a generated id: 0x00 + 4 bytes");

        client.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        assert_eq!(recv_bytes(&mut server, &id, 18), b"GET / HTTP/1.0\r\n\r\n");
        let meta = server.last_peer_metadata().expect("metadata");
        assert_eq!(
            meta.get("Peer-Address").map(|v| v.to_vec()),
            Some(b"127.0.0.1".to_vec())
        );

        // The MORE flag of the data frame is ignored: it still goes as one write.
        server.send(&id[..], SNDMORE).unwrap();
        server.send("HTTP/1.0 200 OK\r\n\r\nhi", SNDMORE).unwrap();
        // An empty frame closes the connection after what was sent before it.
        send_pair(&mut server, &id, b"");
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).unwrap();
        assert_eq!(reply, b"HTTP/1.0 200 OK\r\n\r\nhi");
        assert_eq!(
            server.send(&id[..], SNDMORE),
            Err(Error::HostUnreach),
            "a closed connection is unknown at once"
        );
    });
}

#[test]
fn a_client_that_closes_is_announced_by_an_empty_frame() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut server, ep) = bound(&ctx, SocketType::Stream);
        let mut client = TcpStream::connect(tcp_addr(&ep)).unwrap();
        let (id, _) = recv_pair(&mut server);
        client.write_all(b"bye").unwrap();
        drop(client);
        assert_eq!(recv_bytes(&mut server, &id, 3), b"bye");
        assert_eq!(recv_pair(&mut server), (id.clone(), vec![]));
        // The connection is gone for good (accepted connections do not come back): once
        // the socket has looked for more input from it, its id is unknown.
        assert!(common::wait_until(Duration::from_secs(10), || {
            assert_eq!(server.recv(DONTWAIT).unwrap_err(), Error::Again);
            match server.send(&id[..], SNDMORE) {
                Err(e) => e == Error::HostUnreach,
                Ok(()) => server.send("x", 0).is_err(),
            }
        }));
    });
}

#[test]
fn connecting_stream_talks_to_a_plain_tcp_server_and_reconnects() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut s = socket(&ctx, SocketType::Stream);
        s.set_reconnect_ivl(10).unwrap();
        s.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
        let (mut peer, _) = listener.accept().unwrap();

        let (id, data) = recv_pair(&mut s);
        assert!(data.is_empty());
        assert_eq!(
            s.routing_id().unwrap(),
            id,
            "ROUTING_ID holds the id generated last, as in libzmq"
        );
        send_pair(&mut s, &id, b"ping");
        assert_eq!(read_exactly(&mut peer, 4), b"ping");
        peer.write_all(b"pong").unwrap();
        assert_eq!(recv_bytes(&mut s, &id, 4), b"pong");

        // The server drops the connection: a notification, then the same id again
        // once the socket has reconnected.
        drop(peer);
        assert_eq!(recv_pair(&mut s), (id.clone(), vec![]));
        let (mut peer, _) = listener.accept().unwrap();
        assert_eq!(recv_pair(&mut s), (id.clone(), vec![]));
        send_pair(&mut s, &id, b"again");
        assert_eq!(read_exactly(&mut peer, 5), b"again");
    });
}

#[test]
fn connect_routing_id_names_the_connection() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut s = socket(&ctx, SocketType::Stream);
        s.set_connect_routing_id(b"upstream").unwrap();
        s.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        assert_eq!(recv_pair(&mut s), (b"upstream".to_vec(), vec![]));
        send_pair(&mut s, b"upstream", b"x");
        assert_eq!(read_exactly(&mut peer, 1), b"x");
        assert!(s.routing_id().unwrap().is_empty(), "nothing was generated");
    });
}

#[test]
fn stream_to_stream_without_notifications() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut server = socket(&ctx, SocketType::Stream);
        server.set_stream_notify(false).unwrap();
        server.bind("tcp://127.0.0.1:*").unwrap();
        let mut client = socket(&ctx, SocketType::Stream);
        client.set_stream_notify(false).unwrap();
        client.connect(&server.last_endpoint().unwrap()).unwrap();
        let id = client.routing_id().unwrap();
        assert_eq!(id.len(), 5, "the connect-side id exists at once");
        send_pair(&mut client, &id, b"GET /\n\n");
        let (server_id, data) = recv_pair(&mut server);
        assert_eq!(data, b"GET /\n\n", "no empty frame came first");
        send_pair(&mut server, &server_id, b"200");
        assert_eq!(recv_pair(&mut client), (id, b"200".to_vec()));
    });
}

#[test]
fn large_data_arrives_in_chunks_and_poll_sees_it() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut server, ep) = bound(&ctx, SocketType::Stream);
        let mut client = TcpStream::connect(tcp_addr(&ep)).unwrap();
        let (id, _) = recv_pair(&mut server);
        {
            let mut items = [PollItem::socket(&mut server, POLLIN | POLLOUT)];
            assert_eq!(poll(&mut items, 0).unwrap(), 1);
            assert_eq!(
                items[0].revents, POLLOUT,
                "always writable, nothing to read"
            );
        }
        let big: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        client.write_all(&big).unwrap();
        {
            let mut items = [PollItem::socket(&mut server, POLLIN)];
            assert_eq!(poll(&mut items, 10_000).unwrap(), 1);
        }
        assert_eq!(recv_bytes(&mut server, &id, big.len()), big);
        send_pair(&mut server, &id, &big);
        assert_eq!(read_exactly(&mut client, big.len()), big);
    });
}

#[test]
fn unknown_ids_fail_and_lone_frames_are_ignored() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut s = socket(&ctx, SocketType::Stream);
        assert_eq!(s.send("nobody", SNDMORE), Err(Error::HostUnreach));
        // A first frame without MORE is ignored with the frame after it (libzmq).
        s.send("lone", 0).unwrap();
        s.send("ignored", 0).unwrap();
        assert_eq!(s.send("nobody", SNDMORE), Err(Error::HostUnreach));
        assert_eq!(s.set_subscribe(b""), Err(Error::Invalid));
        let mut d = socket(&ctx, SocketType::Dealer);
        assert_eq!(d.set_stream_notify(true), Err(Error::Invalid));
    });
}

#[test]
fn stream_over_ipc() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut server = socket(&ctx, SocketType::Stream);
        server.bind("ipc://*").unwrap();
        let path = server.last_endpoint().unwrap();
        let mut client = UnixStream::connect(path.trim_start_matches("ipc://")).unwrap();
        let (id, data) = recv_pair(&mut server);
        assert!(data.is_empty());
        client.write_all(b"unix").unwrap();
        assert_eq!(recv_bytes(&mut server, &id, 4), b"unix");
        send_pair(&mut server, &id, b"back");
        assert_eq!(read_exactly(&mut client, 4), b"back");
    });
}

#[test]
fn a_dealer_greeting_reaches_a_stream_as_raw_bytes() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let (mut server, ep) = bound(&ctx, SocketType::Stream);
        let mut dealer = socket(&ctx, SocketType::Dealer);
        dealer.connect(&ep).unwrap();
        let (id, data) = recv_pair(&mut server);
        assert!(data.is_empty());
        let sig = recv_bytes(&mut server, &id, 10);
        assert_eq!(sig[0], 0xFF);
        assert_eq!(sig[9], 0x7F);
    });
}

/// A fast peer: everything arrives, whatever the RCVHWM (the session reads until the
/// kernel has nothing left or the socket is full, then resumes when it is read).
#[test]
fn a_fast_peer_is_read_to_the_end_at_any_rcvhwm() {
    bounded(LIMIT, || {
        for hwm in [1000, 3] {
            let ctx = Context::new();
            let mut server = socket(&ctx, SocketType::Stream);
            server.set_rcvhwm(hwm).unwrap();
            server.bind("tcp://127.0.0.1:*").unwrap();
            let addr = tcp_addr(&server.last_endpoint().unwrap());
            const TOTAL: usize = 16 << 20;
            let writer = std::thread::spawn(move || {
                let mut c = TcpStream::connect(addr).unwrap();
                let block = vec![0x5A; 64 * 1024];
                for _ in 0..TOTAL / block.len() {
                    c.write_all(&block).unwrap();
                }
            });
            let (id, _) = recv_pair(&mut server);
            let got = recv_bytes(&mut server, &id, TOTAL);
            assert_eq!(got.len(), TOTAL, "RCVHWM {hwm}");
            assert!(got.iter().all(|&b| b == 0x5A));
            writer.join().unwrap();
        }
    });
}

#[test]
fn sends_beyond_sndhwm_go_through_as_the_peer_reads() {
    bounded(LIMIT, || {
        // Each written message gives its SNDHWM credit back: with SNDHWM 4, a thousand
        // blocking sends complete while the plain client reads (they would block for ever
        // if the session never acknowledged what the kernel took).
        const COUNT: usize = 1000;
        let ctx = Context::new();
        let mut server = socket(&ctx, SocketType::Stream);
        server.set_sndhwm(4).unwrap();
        server.bind("tcp://127.0.0.1:*").unwrap();
        let ep = server.last_endpoint().unwrap();
        let mut client = TcpStream::connect(tcp_addr(&ep)).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let (id, hello) = recv_pair(&mut server);
        assert!(hello.is_empty());
        let reader = std::thread::spawn(move || read_exactly(&mut client, COUNT * 8));
        for i in 0..COUNT {
            send_pair(&mut server, &id, &(i as u64).to_be_bytes());
        }
        let got = reader.join().unwrap();
        let want: Vec<u8> = (0..COUNT as u64).flat_map(|i| i.to_be_bytes()).collect();
        assert_eq!(got, want);
    });
}
