"""Raw peers that attack a ferromq CURVE server's handshake (issue 13).

Each attacker speaks a CURVE greeting and then breaks the rules: a HELLO of the wrong
length, a HELLO of the right length whose box does not open, a frame declaring 2^63 - 1
or 2^64 - 1 bytes, an INITIATE before any WELCOME, and a flood of bad HELLOs from many
connections at once. Each time ferromq must close only that connection, promptly, and a
real libzmq (pyzmq) CURVE client must still be served afterwards.
"""

from __future__ import annotations

import os

import pytest
import zmq

from peerlib import command_frame, raw_connect, wait_closed

CLOSE_WITHIN_S = 5.0


def curve_greeting() -> bytes:
    g = b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, 1]) + b"CURVE" + b"\x00" * 15 + b"\x00" * 32
    assert len(g) == 64
    return g


def hello_with_bad_box() -> bytes:
    """A 200-byte HELLO (version 1.0, zero padding, a short-term key, nonce 1) whose
    signature box is random bytes."""
    body = (
        b"\x05HELLO" + b"\x01\x00" + b"\x00" * 72 + os.urandom(32)
        + (1).to_bytes(8, "big") + os.urandom(80)
    )
    assert len(body) == 200
    return command_frame(body)


ATTACKS = {
    "short-hello": command_frame(b"\x05HELLO" + b"\x01\x00" + os.urandom(60)),
    "hello-bad-box": hello_with_bad_box(),
    "length-2^63-1": b"\x06" + (2**63 - 1).to_bytes(8, "big"),
    "length-2^64-1": b"\x06" + b"\xff" * 8,
    "initiate-before-welcome": command_frame(b"\x08INITIATE" + os.urandom(300)),
}


@pytest.fixture
def curve_server(ferromq_peer):
    public, secret = zmq.curve_keypair()
    peer = ferromq_peer(
        "rep", "--bind", "tcp://127.0.0.1:*", "--reply-prefix", "ok",
        "--curve-server", secret.decode(),
    )
    endpoint = peer.expect_endpoint()
    assert peer.readline() == "READY"
    yield endpoint, public
    peer.kill()


def still_serves(zsocket, endpoint: str, server_public: bytes) -> None:
    req = zsocket(zmq.REQ)
    req.curve_serverkey = server_public
    req.curve_publickey, req.curve_secretkey = zmq.curve_keypair()
    req.rcvtimeo = 10000
    req.connect(endpoint)
    req.send(b"still there?")
    assert req.recv_multipart() == [b"ok", b"still there?"]


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_bad_handshake_closes_only_that_connection(attack, curve_server, zsocket):
    endpoint, public = curve_server
    s = raw_connect(endpoint)
    s.sendall(curve_greeting() + ATTACKS[attack])
    took = wait_closed(s, CLOSE_WITHIN_S)
    s.close()
    assert took is not None, f"{attack}: ferromq kept the connection open"
    still_serves(zsocket, endpoint, public)


def test_hello_flood_from_many_connections(curve_server, zsocket):
    endpoint, public = curve_server
    conns = [raw_connect(endpoint) for _ in range(64)]
    for s in conns:
        s.sendall(curve_greeting() + hello_with_bad_box())
    for s in conns:
        assert wait_closed(s, CLOSE_WITHIN_S) is not None
        s.close()
    still_serves(zsocket, endpoint, public)
