"""Raw peers that attack a ferromq CURVE server's handshake (issue 13).

Each attacker speaks a CURVE greeting and then breaks the rules: a HELLO of the wrong
length, a HELLO of the right length whose box does not open, a frame declaring 2^63 - 1
or 2^64 - 1 bytes, an INITIATE before any WELCOME, and a flood of bad HELLOs from many
connections at once. Each time ferromq must close only that connection, promptly, and a
real libzmq (pyzmq) CURVE client must still be served afterwards.

With a real CurveZMQ client (curve_raw.py, PyNaCl): a MESSAGE whose box was tampered with,
or that replays an earlier nonce, after a good handshake and a good round trip; an
INITIATE carrying a cookie from another connection (the server's cookie key is per
connection), and a whole HELLO + INITIATE replayed on a new connection. The connection is
closed and nothing reaches the socket; for the MESSAGE the server's monitor says what
libzmq's says (HANDSHAKE_FAILED_PROTOCOL with the ZMTP code even after the handshake),
then DISCONNECTED. The MESSAGE cases run against libzmq (pyzmq) too, to prove the client
and the expected event (libzmq closes such a connection only on some runs).
"""

from __future__ import annotations

import os
import re
import time

import pytest
import zmq
from nacl.public import PrivateKey
from zmq.utils import z85

from curve_raw import CurveClient
from peerlib import command_frame, raw_connect, read_exactly, read_frame, wait_closed

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
def curve_server(curve_peer):
    endpoint, public, _ = curve_peer
    return endpoint, public


@pytest.fixture
def curve_peer(ferromq_peer):
    """A ferromq CURVE REP server (reply: "ok" + the request) printing its monitor events."""
    public, secret = zmq.curve_keypair()
    peer = ferromq_peer(
        "rep", "--bind", "tcp://127.0.0.1:*", "--reply-prefix", "ok",
        "--curve-server", secret.decode(), "--monitor",
    )
    endpoint = peer.expect_endpoint()
    assert peer.readline() == "READY"
    yield endpoint, public, peer
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


# ---------------------------------------------------------------------------------------
# A real CurveZMQ client that breaks the rules after a good start
# ---------------------------------------------------------------------------------------

EVENT_HANDSHAKE_FAILED_PROTOCOL = 0x2000
EVENT_DISCONNECTED = 0x200
ZMTP_INVALID_SEQUENCE = 0x10000002
ZMTP_CRYPTOGRAPHIC = 0x11000001


def ferromq_events(peer, wanted: int, timeout: float = CLOSE_WITHIN_S) -> list[tuple[int, int]]:
    """The peer's monitor events (from its stderr) once ``wanted`` has been reported."""
    deadline = time.monotonic() + timeout
    while True:
        events = [
            (int(e, 16), int(v))
            for e, v in re.findall(r"^MONITOR (0x[0-9a-f]+) (\d+)$", peer.stderr, re.M)
        ]
        if any(e == wanted for e, _ in events) or time.monotonic() > deadline:
            return events
        time.sleep(0.02)


@pytest.fixture
def libzmq_curve_server(zsocket):
    """A libzmq (pyzmq) CURVE REP server with a monitor; the test serves it in turn."""
    public, secret = zmq.curve_keypair()
    rep = zsocket(zmq.REP)
    rep.curve_server = True
    rep.curve_secretkey = secret
    rep.rcvtimeo = rep.sndtimeo = 10000
    mon = rep.get_monitor_socket()
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    yield f"tcp://127.0.0.1:{port}", public, rep, mon
    rep.disable_monitor()
    mon.close(linger=0)


def libzmq_events(mon, wanted: int) -> list[tuple[int, int]]:
    from zmq.utils.monitor import recv_monitor_message

    events = []
    deadline = time.monotonic() + CLOSE_WITHIN_S
    while time.monotonic() < deadline:
        if not mon.poll(100):
            continue
        m = recv_monitor_message(mon)
        events.append((m["event"], m["value"]))
        if m["event"] == wanted:
            break
    return events


def good_start(endpoint: str, server_public: bytes, rep=None) -> tuple[CurveClient, list[bytes]]:
    """A CURVE handshake as DEALER and one good round trip with the REP server (``rep``:
    a pyzmq REP this thread answers for)."""
    c = CurveClient(raw_connect(endpoint), z85.decode(server_public), PrivateKey.generate())
    c.handshake()
    c.send([b"", b"boxed"])
    if rep is not None:
        rep.send_multipart([b"ok"] + rep.recv_multipart())
    return c, c.recv()


def tampered(c: CurveClient) -> bytes:
    frame = bytearray(c.message(b"tampered"))
    frame[-1] ^= 0x01
    return bytes(frame)


def replayed(c: CurveClient) -> bytes:
    """A good MESSAGE, then the same bytes again (its nonce no longer increases)."""
    frame = c.message(b"once")
    return frame + frame


BAD_TRAFFIC = {
    "tampered-box": (tampered, ZMTP_CRYPTOGRAPHIC),
    "replayed-nonce": (replayed, ZMTP_INVALID_SEQUENCE),
}


@pytest.mark.parametrize("bad", list(BAD_TRAFFIC))
@pytest.mark.parametrize("server", ["ferromq", "libzmq"])
def test_bad_message_after_handshake_closes_that_connection(
    bad, server, request, zsocket
):
    make, code = BAD_TRAFFIC[bad]
    rep = None
    if server == "ferromq":
        endpoint, public, peer = request.getfixturevalue("curve_peer")
    else:
        endpoint, public, rep, mon = request.getfixturevalue("libzmq_curve_server")
    c, reply = good_start(endpoint, public, rep)
    assert reply == [b"", b"ok", b"boxed"]
    c.sock.sendall(make(c))
    if server == "ferromq":
        took = wait_closed(c.sock, CLOSE_WITHIN_S)
        assert took is not None, f"ferromq kept the connection open after a {bad} MESSAGE"
        events = ferromq_events(peer, EVENT_DISCONNECTED)
    else:
        # libzmq reports the failure at once but, on about half of the runs here, does
        # not close the TCP connection (nor report DISCONNECTED) until the peer writes
        # again: only its failure event is the reference.
        events = libzmq_events(mon, EVENT_HANDSHAKE_FAILED_PROTOCOL)
    c.sock.close()
    # After HANDSHAKE_SUCCEEDED: the failure with its ZMTP code (then DISCONNECTED).
    tail = [e for e in events if e[0] in (EVENT_HANDSHAKE_FAILED_PROTOCOL, EVENT_DISCONNECTED)]
    assert tail[:1] == [(EVENT_HANDSHAKE_FAILED_PROTOCOL, code)], events
    if server == "ferromq":
        assert [e for e, _ in tail[1:2]] == [EVENT_DISCONNECTED], events
        still_serves(zsocket, endpoint, public)


def refused(c: CurveClient) -> None:
    """The server closes the connection without READY (nothing but EOF or a reset)."""
    c.sock.settimeout(CLOSE_WITHIN_S)
    got = b""
    deadline = time.monotonic() + CLOSE_WITHIN_S
    while time.monotonic() < deadline:
        try:
            chunk = c.sock.recv(4096)
        except (ConnectionResetError, BrokenPipeError):
            break
        if not chunk:
            break
        got += chunk
    else:
        pytest.fail("the server kept the connection open")
    assert b"READY" not in got, got


def test_cookie_from_another_connection_is_refused(curve_server, zsocket):
    endpoint, public = curve_server
    key = PrivateKey.generate()
    first = CurveClient(raw_connect(endpoint), z85.decode(public), key)
    first.hello()
    stale = first.read_welcome()
    # The same client (same short-term key) on a second connection: everything in its
    # INITIATE would open if the server's cookie key outlived the first connection.
    second = CurveClient(raw_connect(endpoint), z85.decode(public), key)
    second.short_key = first.short_key
    second.hello()
    second.read_welcome()
    second.initiate(stale)
    refused(second)
    first.sock.close()
    second.sock.close()
    still_serves(zsocket, endpoint, public)


def test_replayed_hello_and_initiate_are_refused(curve_server, zsocket):
    endpoint, public = curve_server
    key = PrivateKey.generate()
    c = CurveClient(raw_connect(endpoint), z85.decode(public), key)
    hello = c.hello()
    initiate = c.initiate(c.read_welcome())
    c.read_ready()
    c.sock.close()
    # An eavesdropper replays the recorded bytes on a new connection: the new WELCOME's
    # cookie key differs, so the recorded INITIATE's cookie does not open.
    replay = CurveClient(raw_connect(endpoint), z85.decode(public), key)
    replay.sock.sendall(hello)
    # The WELCOME is boxed to the recorded HELLO's short-term key, which the eavesdropper
    # does not have: read past it unopened.
    read_exactly(replay.sock, 64)
    flags, body = read_frame(replay.sock)
    assert flags & 0x04 and body.startswith(b"\x07WELCOME"), body[:16]
    replay.sock.sendall(initiate)
    refused(replay)
    replay.sock.close()
    still_serves(zsocket, endpoint, public)
