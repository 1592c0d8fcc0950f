"""PLAIN and CURVE between ferromq (the ferromq-peer binary) and libzmq (pyzmq).

ferromq REQ <-> libzmq REP and libzmq REQ <-> ferromq REP, ferromq binding or connecting,
over tcp and ipc, with multipart and 1 MiB requests: CURVE both ways (a pyzmq
``ThreadAuthenticator`` in front of the libzmq server, or none in front of a ferromq CURVE
server, which then lets every client in as libzmq does), PLAIN to a libzmq server whose
authenticator checks the password. A wrong server key and a wrong password are refused,
and the libzmq server's monitor says why. ZAP handlers on the ferromq side, and
hand-written ones answering 300 and 400: test_security_zap.py.
"""

from __future__ import annotations

import pytest
import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils.monitor import recv_monitor_message

from peerlib import TRANSPORTS, describe_message, message_frames

FERROMQ_SIDES = ["ferromq-binds", "ferromq-connects"]
TIMEOUT_MS = "20000"
CASES = {"multipart3": (5, 3, [1, 7, 40]), "1MiB": (2, 2, [1 << 20, 3])}
ZMTP_CRYPTOGRAPHIC = 0x11000001


def size_args(parts, sizes):
    return ["--parts", str(parts), "--sizes", ",".join(map(str, sizes))]


def start(ferromq_peer, role, side, zsock, ep, *args):
    if side == "ferromq-binds":
        peer = ferromq_peer(role, "--bind", ep, *args)
        zsock.connect(peer.expect_endpoint())
    else:
        zsock.bind(ep)
        peer = ferromq_peer(
            role, "--connect", zsock.getsockopt(zmq.LAST_ENDPOINT).decode(), *args
        )
    assert peer.readline() == "READY"
    return peer


@pytest.fixture
def authenticator(zctx):
    auth = ThreadAuthenticator(zctx)
    auth.start()
    yield auth
    auth.stop()


def keys():
    public, secret = zmq.curve_keypair()
    return public, secret


def serve_requests(rep, peer, count, parts, sizes):
    for m in range(count):
        request = message_frames(m, parts, sizes)
        assert rep.recv_multipart() == request, peer.stderr
        rep.send_multipart([b"ok", *request])
        assert peer.readline(timeout=20) == describe_message(m, [b"ok", *request])
    assert peer.readline(timeout=20) == f"DONE {count}"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_ferromq_curve_client_to_libzmq_server(
    case, side, ferromq_peer, zsocket, bind_ep, authenticator
):
    count, parts, sizes = CASES[case]
    authenticator.configure_curve(domain="*", location=zmq.auth.CURVE_ALLOW_ANY)
    server_public, server_secret = keys()
    client_public, client_secret = keys()
    rep = zsocket(zmq.REP)
    rep.curve_server = True
    rep.curve_secretkey = server_secret
    peer = start(
        ferromq_peer, "req", side, rep, bind_ep(), "--count", str(count),
        *size_args(parts, sizes), "--timeout-ms", TIMEOUT_MS,
        "--curve-serverkey", server_public.decode(),
        "--curve-publickey", client_public.decode(),
        "--curve-secretkey", client_secret.decode(),
    )
    serve_requests(rep, peer, count, parts, sizes)
    assert peer.wait(timeout=20) == 0, peer.stderr


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_libzmq_curve_client_to_ferromq_server(case, side, ferromq_peer, zsocket, bind_ep):
    count, parts, sizes = CASES[case]
    server_public, server_secret = keys()
    client_public, client_secret = keys()
    req = zsocket(zmq.REQ)
    req.curve_serverkey = server_public
    req.curve_publickey = client_public
    req.curve_secretkey = client_secret
    req.rcvtimeo = 20000
    peer = start(
        ferromq_peer, "rep", side, req, bind_ep(), "--count", str(count),
        "--reply-prefix", "ok", "--timeout-ms", TIMEOUT_MS,
        "--curve-server", server_secret.decode(),
    )
    for m in range(count):
        request = message_frames(m, parts, sizes)
        req.send_multipart(request)
        assert req.recv_multipart() == [b"ok", *request], peer.stderr
        assert peer.readline(timeout=20) == describe_message(m, request)
    assert peer.readline(timeout=20) == f"DONE {count}"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_ferromq_plain_client_to_libzmq_server(
    case, side, ferromq_peer, zsocket, bind_ep, authenticator
):
    authenticator.configure_plain(domain="*", passwords={"admin": "secret"})
    rep = zsocket(zmq.REP)
    rep.plain_server = True
    count, parts, sizes = CASES[case]
    peer = start(
        ferromq_peer, "req", side, rep, bind_ep(), "--count", str(count),
        *size_args(parts, sizes), "--timeout-ms", TIMEOUT_MS,
        "--plain-username", "admin", "--plain-password", "secret",
    )
    serve_requests(rep, peer, count, parts, sizes)
    assert peer.wait(timeout=20) == 0, peer.stderr


def first_failure(monitor):
    """The first HANDSHAKE_FAILED_* event on ``monitor`` (10 s at most)."""
    monitor.rcvtimeo = 10000
    while True:
        ev = recv_monitor_message(monitor)
        if ev["event"] in (
            zmq.EVENT_HANDSHAKE_FAILED_AUTH,
            zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL,
            zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
        ):
            return ev


def test_wrong_server_key_is_a_cryptographic_error(ferromq_peer, zsocket, authenticator):
    authenticator.configure_curve(domain="*", location=zmq.auth.CURVE_ALLOW_ANY)
    _, server_secret = keys()
    other_public, _ = keys()
    client_public, client_secret = keys()
    rep = zsocket(zmq.REP)
    rep.curve_server = True
    rep.curve_secretkey = server_secret
    monitor = rep.get_monitor_socket()
    peer = start(
        ferromq_peer, "req", "ferromq-connects", rep, "tcp://127.0.0.1:*",
        "--count", "1", "--timeout-ms", "3000",
        "--curve-serverkey", other_public.decode(),
        "--curve-publickey", client_public.decode(),
        "--curve-secretkey", client_secret.decode(),
    )
    ev = first_failure(monitor)
    assert (ev["event"], ev["value"]) == (
        zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMTP_CRYPTOGRAPHIC
    )
    assert rep.poll(200) == 0
    peer.kill()


def test_wrong_password_is_refused_with_400(ferromq_peer, zsocket, authenticator):
    authenticator.configure_plain(domain="*", passwords={"admin": "secret"})
    rep = zsocket(zmq.REP)
    rep.plain_server = True
    monitor = rep.get_monitor_socket()
    peer = start(
        ferromq_peer, "req", "ferromq-connects", rep, "tcp://127.0.0.1:*",
        "--count", "1", "--timeout-ms", "3000",
        "--plain-username", "admin", "--plain-password", "wrong",
    )
    ev = first_failure(monitor)
    assert (ev["event"], ev["value"]) == (zmq.EVENT_HANDSHAKE_FAILED_AUTH, 400)
    assert rep.poll(200) == 0
    peer.kill()
