"""PLAIN and CURVE end to end with ferromq.auth's ThreadAuthenticator: ferromq at both
ends, and ferromq against pyzmq (real libzmq) in both roles, over tcp."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

import ferromq as zmq
from ferromq.auth import create_certificates, load_certificate
from ferromq.auth.thread import ThreadAuthenticator
from ferromq.utils.monitor import recv_monitor_message


@pytest.fixture
def auth(ctx: zmq.Context) -> Iterator[ThreadAuthenticator]:
    a = ThreadAuthenticator(ctx)
    a.start()
    yield a
    a.stop()


def server_client(ctx: Any, client_ctx: Any) -> tuple[Any, Any]:
    server = ctx.socket(zmq.PULL)
    client = client_ctx.socket(zmq.PUSH)
    for s in (server, client):
        s.linger = 0
        s.rcvtimeo = s.sndtimeo = 5000
    return server, client


def connect(server: Any, client: Any) -> None:
    server.bind("tcp://127.0.0.1:*")
    client.connect(server.last_endpoint)


def plain(server: Any, client: Any, password: bytes) -> None:
    server.plain_server = True
    client.plain_username = b"admin"
    client.plain_password = password


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Any]:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    out: dict[str, Any] = {"allowed": allowed}
    for name in ("server", "client"):
        _, secret_file = create_certificates(tmp_path, name)
        out[name] = load_certificate(secret_file)
    (tmp_path / "client.key").rename(allowed / "client.key")
    return out


def curve(server: Any, client: Any, keys: dict[str, Any], client_keys: tuple[bytes, bytes]) -> None:
    server.curve_secretkey = keys["server"][1]
    server.curve_publickey = keys["server"][0]
    server.curve_server = True
    client.curve_publickey, client.curve_secretkey = client_keys
    client.curve_serverkey = keys["server"][0]


@pytest.mark.parametrize("ok", [True, False])
def test_plain_ferromq_both_ends(ctx: zmq.Context, auth: ThreadAuthenticator, ok: bool) -> None:
    auth.configure_plain(passwords={"admin": "secret"})
    server, client = server_client(ctx, ctx)
    plain(server, client, b"secret" if ok else b"wrong")
    if ok:
        connect(server, client)
        client.send_multipart([b"hello", b"x" * (1 << 20)])
        assert server.recv_multipart() == [b"hello", b"x" * (1 << 20)]
    else:
        mon = server.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH)
        mon.rcvtimeo = 5000
        connect(server, client)
        event = recv_monitor_message(mon)
        assert (event["event"], event["value"]) == (zmq.EVENT_HANDSHAKE_FAILED_AUTH, 400)
        mon.close(linger=0)


@pytest.mark.parametrize("ok", [True, False])
def test_curve_ferromq_both_ends(ctx: zmq.Context, auth: ThreadAuthenticator, keys: dict[str, Any], ok: bool) -> None:
    auth.configure_curve(location=keys["allowed"])
    server, client = server_client(ctx, ctx)
    curve(server, client, keys, keys["client"] if ok else zmq.curve_keypair())
    if ok:
        connect(server, client)
        client.send(b"hello")
        assert server.recv() == b"hello"
    else:
        mon = server.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH)
        mon.rcvtimeo = 5000
        connect(server, client)
        event = recv_monitor_message(mon)
        assert (event["event"], event["value"]) == (zmq.EVENT_HANDSHAKE_FAILED_AUTH, 400)
        mon.close(linger=0)


@pytest.fixture
def pyzmq_ctx() -> Iterator[Any]:
    pyzmq = pytest.importorskip("zmq")
    if not pyzmq.has("curve"):
        pytest.skip("pyzmq's libzmq has no CURVE")
    c = pyzmq.Context()
    yield c
    c.destroy(linger=0)


@pytest.mark.parametrize("mechanism", ["plain", "curve"])
def test_ferromq_authenticator_in_front_of_a_pyzmq_client(
    ctx: zmq.Context, auth: ThreadAuthenticator, pyzmq_ctx: Any, keys: dict[str, Any], mechanism: str
) -> None:
    auth.configure_plain(passwords={"admin": "secret"})
    auth.configure_curve(location=keys["allowed"])
    server, client = server_client(ctx, pyzmq_ctx)
    if mechanism == "plain":
        plain(server, client, b"secret")
    else:
        curve(server, client, keys, keys["client"])
    connect(server, client)
    client.send_multipart([b"a", b"b"])
    assert server.recv_multipart() == [b"a", b"b"]


@pytest.mark.parametrize("mechanism", ["plain", "curve"])
def test_pyzmq_authenticator_in_front_of_a_ferromq_client(
    ctx: zmq.Context, pyzmq_ctx: Any, keys: dict[str, Any], mechanism: str
) -> None:
    import zmq.auth.thread as pyzmq_auth

    theirs = pyzmq_auth.ThreadAuthenticator(pyzmq_ctx)
    theirs.start()
    try:
        theirs.configure_plain(passwords={"admin": "secret"})
        theirs.configure_curve(location=str(keys["allowed"]))
        server, client = server_client(pyzmq_ctx, ctx)
        if mechanism == "plain":
            plain(server, client, b"secret")
        else:
            curve(server, client, keys, keys["client"])
        connect(server, client)
        client.send_multipart([b"a", b"b"])
        assert server.recv_multipart() == [b"a", b"b"]
        server.close(linger=0)
        client.close(linger=0)
    finally:
        theirs.stop()
