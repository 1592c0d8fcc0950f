"""Frame.get: a received frame's options and its connection's properties, as pyzmq's
Frame.get reads them from libzmq 4.3 (zmq_msg_get for ints, zmq_msg_gets for names):
Socket-Type, Identity, Peer-Address, the ZAP handler's User-Id and metadata; EINVAL for
a property the frame does not have."""

from __future__ import annotations

import copy
import os
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import ferromq as zmq
from ferromq.auth import create_certificates, load_certificate
from ferromq.auth.thread import ThreadAuthenticator
from ferromq.utils import z85

from conftest import endpoint

ZAP = "inproc://zeromq.zap.01"


def einval(frame: Any, option: Any) -> None:
    with pytest.raises(zmq.ZMQError) as e:
        frame.get(option)
    assert e.value.errno == zmq.EINVAL


def push_pull(ctx: zmq.Context, transport: str, configure: Callable[[Any, Any], None] = lambda s, c: None) -> tuple[Any, Any]:
    """(bound PULL, connected PUSH), configured before they connect."""
    server = ctx.socket(zmq.PULL)
    client = ctx.socket(zmq.PUSH)
    for s in (server, client):
        s.linger = 0
        s.rcvtimeo = s.sndtimeo = 5000
    configure(server, client)
    server.bind(endpoint(transport))
    client.connect(server.last_endpoint.decode())
    return server, client


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_a_received_frame_carries_its_connections_properties(ctx: zmq.Context, transport: str) -> None:
    server = ctx.socket(zmq.DEALER)
    client = ctx.socket(zmq.DEALER)
    for s in (server, client):
        s.linger = 0
        s.rcvtimeo = s.sndtimeo = 5000
    client.routing_id = b"me"
    server.bind(endpoint(transport))
    client.connect(server.last_endpoint.decode())
    client.send_multipart([b"1", b"2"])
    frames = server.recv_multipart(copy=False)
    assert [f.bytes for f in frames] == [b"1", b"2"]
    for f, more in zip(frames, (1, 0)):
        assert f.get(zmq.MORE) == more
        assert f[zmq.MORE] == more
        assert f.get("Socket-Type") == "DEALER"
        assert f["Socket-Type"] == "DEALER"
        assert f.get(b"Socket-Type") == "DEALER"
        assert f.get("Identity") == "me"
        assert isinstance(f.get(zmq.SRCFD), int) and f.get(zmq.SRCFD) >= 0
        assert f.get(zmq.SHARED) == 0
    address = frames[0].get("Peer-Address")
    if transport == "tcp":
        assert address == "127.0.0.1"
    else:
        assert address == f"localhost:{os.getuid()}:{os.getgid()}:{os.getpid()}"
    # libzmq looks names up exactly: other spellings and unknown names are EINVAL.
    for name in ("socket-type", "SOCKET-TYPE", "User-Id", "Nope", "", "Routing-Id"):
        einval(frames[0], name)
    einval(frames[0], 99)
    with pytest.raises(zmq.ZMQError):
        frames[0]["Nope"]
    with pytest.raises(TypeError, match="expected str, got: 1.5"):
        frames[0].get(1.5)


def test_recv_copy_false_carries_them_and_copies_keep_them(ctx: zmq.Context) -> None:
    server, client = push_pull(ctx, "tcp")
    client.send(b"x" * 100)
    f = server.recv(copy=False)
    assert f.get("Socket-Type") == "PUSH"
    g = copy.copy(f)
    assert g.get("Socket-Type") == "PUSH"
    # A copy shares the buffer, as libzmq's zmq_msg_copy does for a large message.
    assert (f.get(zmq.SHARED), g.get(zmq.SHARED)) == (1, 1)


def test_frames_without_a_connection_have_no_properties(ctx: zmq.Context) -> None:
    local = zmq.Frame(b"x")
    einval(local, "Socket-Type")
    einval(local, zmq.SRCFD)
    assert local.get(zmq.MORE) == 0
    # No handshake over inproc, so no properties either (as libzmq).
    server, client = push_pull(ctx, "inproc")
    client.send(b"y")
    f = server.recv(copy=False)
    einval(f, "Socket-Type")
    einval(f, zmq.SRCFD)
    # copy=True gives bytes, which have no properties.
    client.send(b"z")
    assert server.recv() == b"z"


@pytest.mark.parametrize("size, shared", [(10, 0), (33, 0), (34, 1), (100_000, 1)])
def test_shared_after_a_frame_is_sent(ctx: zmq.Context, size: int, shared: int) -> None:
    server, client = push_pull(ctx, "tcp")
    f = zmq.Frame(b"x" * size)
    assert f.get(zmq.SHARED) == 0
    client.send(f, copy=False)
    assert f.get(zmq.SHARED) == shared
    assert server.recv() == b"x" * size


@pytest.fixture
def auth(ctx: zmq.Context) -> Iterator[ThreadAuthenticator]:
    a = ThreadAuthenticator(ctx)
    a.start()
    yield a
    a.stop()


def test_plain_user_id_from_the_authenticator(ctx: zmq.Context, auth: ThreadAuthenticator) -> None:
    auth.configure_plain(passwords={"admin": "secret"})

    def plain(server: Any, client: Any) -> None:
        server.plain_server = True
        client.plain_username = b"admin"
        client.plain_password = b"secret"

    server, client = push_pull(ctx, "tcp", plain)
    client.send_multipart([b"a", b"b"])
    frames = server.recv_multipart(copy=False)
    assert [f.get("User-Id") for f in frames] == ["admin", "admin"]
    assert frames[0].get("Socket-Type") == "PUSH"


def test_curve_user_id_from_the_authenticator(ctx: zmq.Context, auth: ThreadAuthenticator, tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    server_public, server_secret = load_certificate(create_certificates(tmp_path, "server")[1])
    client_public, client_secret = load_certificate(create_certificates(tmp_path, "client")[1])
    (tmp_path / "client.key").rename(allowed / "client.key")
    auth.configure_curve(location=allowed)

    def curve(server: Any, client: Any) -> None:
        server.curve_publickey, server.curve_secretkey = server_public, server_secret
        server.curve_server = True
        client.curve_publickey, client.curve_secretkey = client_public, client_secret
        client.curve_serverkey = server_public

    server, client = push_pull(ctx, "ipc", curve)
    client.send(b"hello")
    f = server.recv(copy=False)
    # pyzmq's authenticator names a CURVE client by its Z85 public key.
    assert f.get("User-Id") == client_public.decode()
    assert z85.decode(f.get("User-Id")) == z85.decode(client_public)


def zap_metadata(*properties: tuple[bytes, bytes]) -> bytes:
    """A ZMTP property list (the ZAP reply's metadata frame)."""
    return b"".join(bytes([len(n)]) + n + len(v).to_bytes(4, "big") + v for n, v in properties)


class Handler:
    """A hand-written ZAP handler: a REP at the ZAP endpoint answering every request
    with 200, `user_id` and `metadata`, on a thread, until stopped."""

    def __init__(self, ctx: zmq.Context, user_id: bytes, metadata: bytes) -> None:
        self.rep = ctx.socket(zmq.REP)
        self.rep.linger = 0
        self.rep.bind(ZAP)
        self.reply = (user_id, metadata)
        self.requests: list[list[bytes]] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stopping.is_set():
            if not self.rep.poll(50):
                continue
            version, request_id, *rest = self.rep.recv_multipart()
            self.requests.append([version, request_id, *rest])
            self.rep.send_multipart([version, request_id, b"200", b"OK", *self.reply])

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        assert not self.thread.is_alive()
        self.rep.close()


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_zap_metadata_from_a_hand_written_handler(ctx: zmq.Context, transport: str) -> None:
    handler = Handler(ctx, b"bob", zap_metadata((b"Hello", b"World"), (b"X-Empty", b""), (b"X-Nul", b"ab\x00cd")))
    try:
        server, client = push_pull(ctx, transport, lambda s, c: setattr(s, "zap_domain", b"global"))
        client.send_multipart([b"1", b"2"])
        for f in server.recv_multipart(copy=False):
            assert f.get("User-Id") == "bob"
            assert f.get("Hello") == "World"
            assert f.get("X-Empty") == ""
            # zmq_msg_gets returns a C string: the value ends at its first NUL.
            assert f.get("X-Nul") == "ab"
            assert f.get("Socket-Type") == "PUSH"
            einval(f, "hello")
            einval(f, "Goodbye")
        assert [r[2] for r in handler.requests] == [b"global"]
    finally:
        handler.stop()


def test_a_value_that_is_not_utf8_raises_unicode_decode_error(ctx: zmq.Context) -> None:
    handler = Handler(ctx, b"bob", zap_metadata((b"X-Bin", b"\xff\xfe")))
    try:
        server, client = push_pull(ctx, "tcp", lambda s, c: setattr(s, "zap_domain", b"global"))
        client.send(b"1")
        f = server.recv(copy=False)
        with pytest.raises(UnicodeDecodeError):
            f.get("X-Bin")
        assert f.get("User-Id") == "bob"
    finally:
        handler.stop()
