"""zmq.STREAM (raw TCP addressed by routing id) against plain sockets and against pyzmq's
STREAM in both directions, and proxy(s, s) / device(QUEUE, s, s) as an echo (what
Jupyter's heartbeat runs)."""

from __future__ import annotations

import socket
import threading
from typing import Any, Iterator

import pytest

import ferromq as zmq

pyzmq = pytest.importorskip("zmq")


@pytest.fixture
def contexts() -> Iterator[tuple[Any, Any]]:
    f = zmq.Context()
    p = pyzmq.Context()
    yield f, p
    f.destroy(linger=0)
    p.destroy(linger=0)


def _mk(lib: Any, ctx: Any, kind: str) -> Any:
    s = ctx.socket(getattr(lib, kind))
    s.linger = 0
    s.rcvtimeo = 5000
    s.sndtimeo = 5000
    return s


def _port(s: Any) -> int:
    return int(s.last_endpoint.decode().rsplit(":", 1)[1])


def _recv_data(s: Any, ident: bytes, n: int) -> bytes:
    """Reads [ident, chunk] messages until n bytes came (reads may be split)."""
    got = b""
    while len(got) < n:
        rid, chunk = s.recv_multipart()
        assert rid == ident and chunk
        got += chunk
    return got


def test_stream_serves_a_plain_client(contexts: tuple[Any, Any]) -> None:
    f, _ = contexts
    s = _mk(zmq, f, "STREAM")
    s.bind("tcp://127.0.0.1:0")
    c = socket.create_connection(("127.0.0.1", _port(s)), timeout=5)
    ident, empty = s.recv_multipart()
    assert empty == b"" and len(ident) == 5 and ident[0] == 0
    c.sendall(b"GET / HTTP/1.0\r\n\r\n")
    assert _recv_data(s, ident, 18) == b"GET / HTTP/1.0\r\n\r\n"
    s.send_multipart([ident, b"HTTP/1.0 200 OK\r\n\r\n"])
    s.send_multipart([ident, b""])
    reply = b""
    while chunk := c.recv(100):
        reply += chunk
    assert reply == b"HTTP/1.0 200 OK\r\n\r\n", "the connection closes after the reply"
    with pytest.raises(zmq.ZMQError) as e:
        s.send(ident, zmq.SNDMORE)
    assert e.value.errno == zmq.EHOSTUNREACH
    c.close()


def test_stream_connects_to_a_plain_server(contexts: tuple[Any, Any]) -> None:
    f, _ = contexts
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    s = _mk(zmq, f, "STREAM")
    s.connect(f"tcp://127.0.0.1:{server.getsockname()[1]}")
    conn, _ = server.accept()
    conn.settimeout(5)
    ident, empty = s.recv_multipart()
    assert empty == b""
    assert s.getsockopt(zmq.ROUTING_ID) == ident
    s.send_multipart([ident, b"hello"])
    assert conn.recv(5) == b"hello"
    conn.sendall(b"world")
    assert _recv_data(s, ident, 5) == b"world"
    conn.close()
    assert s.recv_multipart() == [ident, b""], "the close is announced"
    server.close()


@pytest.mark.parametrize("server_lib", ["ferromq", "pyzmq"])
def test_stream_to_stream_with_pyzmq(contexts: tuple[Any, Any], server_lib: str) -> None:
    f, p = contexts
    libs = {"ferromq": (zmq, f), "pyzmq": (pyzmq, p)}
    client_lib = "pyzmq" if server_lib == "ferromq" else "ferromq"
    server = _mk(*libs[server_lib], "STREAM")
    server.bind("tcp://127.0.0.1:0")
    client = _mk(*libs[client_lib], "STREAM")
    client.connect(server.last_endpoint.decode())
    sid, empty = server.recv_multipart()
    assert empty == b""
    cid, empty = client.recv_multipart()
    assert empty == b""
    assert client.getsockopt(libs[client_lib][0].ROUTING_ID) == cid
    client.send_multipart([cid, b"GET /\n\n"])
    assert _recv_data(server, sid, 7) == b"GET /\n\n"
    server.send_multipart([sid, b"200 OK"])
    assert _recv_data(client, cid, 6) == b"200 OK"


def test_stream_notify_off_and_connect_routing_id(contexts: tuple[Any, Any]) -> None:
    f, p = contexts
    server = _mk(pyzmq, p, "STREAM")
    server.setsockopt(pyzmq.STREAM_NOTIFY, 0)
    server.bind("tcp://127.0.0.1:0")
    client = _mk(zmq, f, "STREAM")
    client.setsockopt(zmq.STREAM_NOTIFY, 0)
    client.setsockopt(zmq.CONNECT_ROUTING_ID, b"upstream")
    client.connect(server.last_endpoint.decode())
    client.send_multipart([b"upstream", b"hi"])
    sid, data = server.recv_multipart()
    assert data == b"hi", "no notification came first"
    server.send_multipart([sid, b"there"])
    assert client.recv_multipart() == [b"upstream", b"there"]


def _echo(sock: Any, use_device: bool) -> None:
    try:
        if use_device:
            zmq.device(zmq.QUEUE, sock, sock)
        else:
            zmq.proxy(sock, sock)
    except zmq.ZMQError:
        pass  # ETERM when the context goes
    finally:
        sock.close()


@pytest.mark.parametrize("use_device", [False, True])
def test_proxy_on_one_socket_is_an_echo(use_device: bool) -> None:
    """Jupyter's heartbeat: a ROUTER proxied to itself, pinged by a pyzmq REQ."""
    f = zmq.Context()
    p = pyzmq.Context()
    hb = f.socket(zmq.ROUTER)
    hb.linger = 0
    hb.bind("tcp://127.0.0.1:0")
    ep = hb.last_endpoint.decode()
    t = threading.Thread(target=_echo, args=(hb, use_device), daemon=True)
    t.start()
    req = _mk(pyzmq, p, "REQ")
    req.connect(ep)
    for i in range(3):
        req.send(b"ping %d" % i)
        assert req.recv() == b"ping %d" % i
    req.close()
    f.term()
    t.join(10)
    assert not t.is_alive()
    p.term()
