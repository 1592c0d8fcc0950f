"""Hostile and broken peers against a ferromq PULL (ferromq-peer in run-forever mode).

Raw Python sockets send garbage, stall in the handshake, claim an incompatible socket type,
declare absurd frame sizes, cut frames short or vanish mid-message. In every case:
* ferromq closes that one connection (within a bounded time, or after HANDSHAKE_IVL);
* the ferromq process stays up and its memory stays small (VmRSS < 64 MiB);
* a well-behaved libzmq (pyzmq) PUSH connected to the same PULL keeps getting its messages
  through, checked before and after each attack, with no stray message delivered.
"""

from __future__ import annotations

import random
import socket
import struct
import time

import pytest
import zmq

from peerlib import (
    GREETING,
    describe_message,
    handshake_as,
    message_frame,
    raw_connect,
    read_frame,
    ready_command,
    send_ignoring_reset,
    wait_closed,
)

RSS_LIMIT_KIB = 64 * 1024
SHORT_HANDSHAKE_IVL_MS = 500
# A connection the victim must drop because of what it received (not because of the 30 s
# default handshake timeout) has to be closed within this many seconds.
PROMPT_CLOSE_S = 5.0


class Victim:
    """A ferromq PULL bound on 127.0.0.1 with a libzmq PUSH connected to it."""

    def __init__(self, peer, push: zmq.Socket, endpoint: str):
        self.peer = peer
        self.push = push
        self.endpoint = endpoint
        self.delivered = 0  # MSG lines seen so far: the next line must carry this index
        self.rounds = 0

    def check_traffic(self, n: int = 5) -> None:
        """libzmq sends n messages; ferromq must print exactly them, next in sequence."""
        self.rounds += 1
        bodies = [f"good-{self.rounds}-{i}".encode() for i in range(n)]
        for body in bodies:
            self.push.send(body)
        for body in bodies:
            line = self.peer.readline(timeout=10)
            assert line == describe_message(self.delivered, [body]), (
                f"expected the good peer's message {body!r}, got {line!r} "
                "(a message from an attacker was delivered, or one was lost)"
            )
            self.delivered += 1

    def expect_raw_message(self, frames: list[bytes]) -> None:
        """The next delivered message must be ``frames`` (sent by a raw peer on purpose)."""
        assert self.peer.readline(timeout=10) == describe_message(self.delivered, frames)
        self.delivered += 1

    def assert_healthy(self) -> None:
        self.peer.assert_alive()
        rss = self.peer.rss_kib()
        assert rss < RSS_LIMIT_KIB, f"ferromq-peer RSS is {rss} KiB"
        self.check_traffic()
        self.peer.assert_alive()


@pytest.fixture
def make_victim(ferromq_peer, zsocket):
    def make(*extra: str) -> Victim:
        peer = ferromq_peer("pull", "--bind", "tcp://127.0.0.1:*", *extra)
        endpoint = peer.expect_endpoint()
        push = zsocket(zmq.PUSH)
        push.connect(endpoint)
        victim = Victim(peer, push, endpoint)
        victim.check_traffic()
        return victim

    return make


@pytest.fixture
def victim(make_victim):
    """Default HANDSHAKE_IVL (30 s), so a prompt close is due to detecting the bad input."""
    return make_victim()


@pytest.fixture
def short_ivl_victim(make_victim):
    return make_victim("--handshake-ivl", str(SHORT_HANDSHAKE_IVL_MS))


def abort(s: socket.socket) -> None:
    """Closes with a TCP reset (SO_LINGER 0) instead of a FIN."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def assert_closed_promptly(s: socket.socket, what: str) -> None:
    took = wait_closed(s, PROMPT_CLOSE_S)
    s.close()
    assert took is not None, f"ferromq kept the connection open {PROMPT_CLOSE_S} s after {what}"


# --------------------------------------------------------------------------------------
# Sanity: the raw peer helpers speak correct ZMTP (otherwise the attacks prove nothing)
# --------------------------------------------------------------------------------------


def test_raw_push_peer_can_deliver(victim):
    s = handshake_as(victim.endpoint, b"PUSH")
    s.sendall(message_frame(b"raw", more=True) + message_frame(b"x" * 300))
    victim.expect_raw_message([b"raw", b"x" * 300])
    # A completed handshake is not subject to HANDSHAKE_IVL: the connection stays open.
    assert wait_closed(s, 0.3) is None
    s.close()
    victim.assert_healthy()


def test_completed_handshake_outlives_handshake_ivl(short_ivl_victim):
    v = short_ivl_victim
    s = handshake_as(v.endpoint, b"PUSH")
    assert wait_closed(s, 3 * SHORT_HANDSHAKE_IVL_MS / 1000) is None, (
        "ferromq closed a connection whose handshake had completed"
    )
    s.sendall(message_frame(b"late"))
    v.expect_raw_message([b"late"])
    s.close()
    v.assert_healthy()


# --------------------------------------------------------------------------------------
# (a) garbage instead of a greeting
# --------------------------------------------------------------------------------------

GARBAGE = {
    "random-64": random.Random(20240601).randbytes(64),
    "http-get": b"GET / HTTP/1.1\r\n\r\n",
    "zeros-64": b"\x00" * 64,
    "ff-64": b"\xff" * 64,
    "zmtp1-frame": b"\x06\x00hello",
    "mechanism-PLAIN": GREETING[:12] + b"PLAIN" + b"\x00" * 15 + GREETING[32:],
    "mechanism-lowercase-null": GREETING[:12] + b"null" + b"\x00" * 16 + GREETING[32:],
    "major-version-1": GREETING[:10] + b"\x01\x00" + GREETING[12:],
}


@pytest.mark.parametrize("name", list(GARBAGE))
def test_garbage_greeting_is_dropped(victim, name):
    """ferromq speaks ZMTP 3.x only, so anything that is not a 3.x greeting is dropped at once.
    (libzmq differs here: it falls back to ZMTP 1.0 for a first byte other than 0xFF and
    waits, or even delivers the garbage as a message.)"""
    s = raw_connect(victim.endpoint)
    send_ignoring_reset(s, GARBAGE[name])
    assert_closed_promptly(s, f"garbage greeting {name}")
    victim.assert_healthy()


def test_garbage_from_many_connections(victim):
    rng = random.Random(7)
    for i in range(50):
        s = raw_connect(victim.endpoint)
        send_ignoring_reset(s, rng.randbytes(rng.randint(1, 200)))
        if i % 2:
            abort(s)
        else:
            s.close()
    victim.assert_healthy()


# --------------------------------------------------------------------------------------
# (b) handshake never finished: dropped after HANDSHAKE_IVL, not before
# --------------------------------------------------------------------------------------

STALLS = {
    "nothing": b"",
    "signature-only": GREETING[:10],
    "greeting": GREETING,
    "greeting-and-half-ready": GREETING + ready_command(b"PUSH")[:10],
}


@pytest.mark.parametrize("name", list(STALLS))
def test_stalled_handshake_times_out(short_ivl_victim, name):
    v = short_ivl_victim
    s = raw_connect(v.endpoint)
    s.sendall(STALLS[name])
    start = time.monotonic()
    assert wait_closed(s, 0.2) is None, "closed immediately, HANDSHAKE_IVL is 500 ms"
    took = wait_closed(s, 5.0)
    s.close()
    assert took is not None, "still open 5 s after a stalled handshake (HANDSHAKE_IVL 500 ms)"
    elapsed = time.monotonic() - start
    assert 0.2 <= elapsed <= 5.2
    v.assert_healthy()


def test_idle_connections_do_not_block_good_peer(short_ivl_victim):
    """CVE-2020-15166: unfinished handshakes must take no pipe / fair-queue slot."""
    v = short_ivl_victim
    idle = [raw_connect(v.endpoint) for _ in range(30)]
    for i, s in enumerate(idle):
        s.sendall(STALLS[list(STALLS)[i % len(STALLS)]])
    v.check_traffic(20)
    for s in idle:
        assert wait_closed(s, 5.0) is not None, "idle connection not dropped after HANDSHAKE_IVL"
        s.close()
    v.assert_healthy()


# --------------------------------------------------------------------------------------
# (c) incompatible socket types
# --------------------------------------------------------------------------------------

BAD_TYPES = [b"PUB", b"SUB", b"PULL", b"REQ", b"REP", b"DEALER", b"ROUTER", b"PAIR",
             b"push", b"PUSHX", b"FOO"]


@pytest.mark.parametrize("socket_type", BAD_TYPES, ids=lambda t: t.decode())
def test_incompatible_socket_type_is_dropped(victim, socket_type):
    s = raw_connect(victim.endpoint)
    s.sendall(GREETING + ready_command(socket_type))
    # Even if it were accepted, this message must not come out of the PULL.
    send_ignoring_reset(s, message_frame(b"from-" + socket_type))
    assert_closed_promptly(s, f"READY with Socket-Type {socket_type!r}")
    victim.assert_healthy()


def test_malformed_ready_is_dropped(victim):
    """Property value length running past the end of the command."""
    body = b"\x05READY" + b"\x0bSocket-Type" + (1000).to_bytes(4, "big") + b"PUSH"
    s = raw_connect(victim.endpoint)
    s.sendall(GREETING + b"\x04" + bytes([len(body)]) + body)
    assert_closed_promptly(s, "a READY with a truncated property")
    victim.assert_healthy()


def test_data_frame_instead_of_ready_is_dropped(victim):
    s = raw_connect(victim.endpoint)
    s.sendall(GREETING + message_frame(b"too early"))
    assert_closed_promptly(s, "a data frame before READY")
    victim.assert_healthy()


# --------------------------------------------------------------------------------------
# (d) absurd declared sizes (CVE-2019-6250 family)
# --------------------------------------------------------------------------------------

HUGE = {
    "2^44": 1 << 44,
    "2^63-1": (1 << 63) - 1,
    "2^64-1": (1 << 64) - 1,
}


@pytest.mark.parametrize("flags", [0x02, 0x03, 0x06], ids=["long", "long-more", "long-command"])
@pytest.mark.parametrize("name", list(HUGE))
def test_huge_declared_size_is_dropped(victim, name, flags):
    s = handshake_as(victim.endpoint, b"PUSH")
    s.sendall(bytes([flags]) + HUGE[name].to_bytes(8, "big") + b"\xab" * 100)
    assert_closed_promptly(s, f"a frame declaring {name} bytes")
    victim.assert_healthy()


def test_maxmsgsize_is_enforced(make_victim):
    limit = 1 << 16
    v = make_victim("--maxmsgsize", str(limit))
    # Exactly at the limit: delivered.
    s = handshake_as(v.endpoint, b"PUSH")
    s.sendall(message_frame(b"\x01" * limit))
    v.expect_raw_message([b"\x01" * limit])
    # One byte over, declared but not sent: the connection is dropped before the body.
    s.sendall(b"\x02" + (limit + 1).to_bytes(8, "big"))
    assert_closed_promptly(s, "a frame over MAXMSGSIZE")
    v.assert_healthy()


# --------------------------------------------------------------------------------------
# Truncated streams and vanishing peers
# --------------------------------------------------------------------------------------


def test_truncated_stream_at_every_length(victim):
    """Greeting + READY + a 2-frame message, cut at every length and closed (FIN or RST):
    nothing may be delivered, nothing may break.

    Cuts inside the handshake are sent in one go. For cuts inside the message, the raw peer
    first completes the handshake (waits for ferromq's READY), as a real peer must: libzmq
    itself drops a peer whose data frames arrive before it has sent its own READY.
    """
    handshake = GREETING + ready_command(b"PUSH")
    message = message_frame(b"abc", more=True) + message_frame(bytes(range(256)) + b"tail")
    for cut in range(len(handshake) + len(message)):
        if cut <= len(handshake):
            s = raw_connect(victim.endpoint)
            send_ignoring_reset(s, handshake[:cut])
        else:
            s = handshake_as(victim.endpoint, b"PUSH")
            send_ignoring_reset(s, message[: cut - len(handshake)])
        if cut % 2:
            abort(s)
        else:
            s.close()
    time.sleep(0.2)
    victim.assert_healthy()
    # The whole message, by contrast, is delivered.
    s = handshake_as(victim.endpoint, b"PUSH")
    s.sendall(message)
    victim.expect_raw_message([b"abc", bytes(range(256)) + b"tail"])
    s.close()
    victim.assert_healthy()


@pytest.mark.parametrize("close", ["fin", "rst"])
def test_more_frames_then_vanish(victim, close):
    """CVE-2021-20234: unfinished multipart messages from vanished peers must not leak or
    be delivered."""
    rss_before = victim.peer.rss_kib()
    chunk = message_frame(b"\x5a" * 65536, more=True)
    for _ in range(60):
        s = handshake_as(victim.endpoint, b"PUSH")
        send_ignoring_reset(s, chunk * 4)  # 256 KiB of an unfinished message
        if close == "rst":
            abort(s)
        else:
            s.close()
    time.sleep(0.3)
    victim.assert_healthy()
    growth = victim.peer.rss_kib() - rss_before
    assert growth < 32 * 1024, f"RSS grew by {growth} KiB after 60 abandoned multipart messages"


# --------------------------------------------------------------------------------------
# Commands after the handshake
# --------------------------------------------------------------------------------------


def test_ping_gets_pong(victim):
    s = handshake_as(victim.endpoint, b"PUSH")
    # PING: TTL 0 (deciseconds), context "ctx1"; libzmq answers PONG echoing the context.
    s.sendall(b"\x04\x0b\x04PING\x00\x00ctx1")
    flags, body = read_frame(s)
    assert flags & 0x04 and body == b"\x04PONGctx1", (flags, body)
    s.sendall(message_frame(b"after-ping"))
    victim.expect_raw_message([b"after-ping"])
    s.close()
    victim.assert_healthy()


def test_unknown_command_is_ignored(victim):
    s = handshake_as(victim.endpoint, b"PUSH")
    s.sendall(b"\x04\x09\x05HELLOabc" + message_frame(b"after-hello"))
    victim.expect_raw_message([b"after-hello"])
    s.close()
    victim.assert_healthy()
