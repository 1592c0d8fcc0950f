"""Peers that try to bloat or mislead a ferromq process (issue 11), as raw sockets.

* A peer that completes the handshake, then floods PINGs and never reads: ferromq keeps at
  most one PONG pending (as libzmq does), so its memory stays flat.
* A REP (or a spoofer) that sends a reply before any request: ferromq's REQ drops it when
  the request begins, and the next receive returns the real reply.
* A message of very many frames: beyond ferromq's per-message bound (the ferromq extension
  option ``--maxmsgparts``) the connection is closed and memory stays bounded.
"""

from __future__ import annotations

import socket
import struct
import time

import pytest

from peerlib import (
    command_frame,
    greeting,
    handshake_as,
    message_frame,
    read_exactly,
    read_frame,
    ready_command,
    wait_closed,
)

RSS_LIMIT_KIB = 64 * 1024


def ping_command(context: bytes, ttl_deciseconds: int = 0) -> bytes:
    return command_frame(b"\x04PING" + struct.pack(">H", ttl_deciseconds) + context)


def flood(s: socket.socket, chunk: bytes, seconds: float) -> int:
    """Sends ``chunk`` over and over for ``seconds`` (never reading). Returns bytes sent.

    A send that blocks for 1 s means ferromq stopped reading: the flood ends there.
    """
    s.settimeout(1.0)
    sent = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            sent += s.send(chunk)
        except socket.timeout:
            break
        except (ConnectionResetError, BrokenPipeError):
            break
    return sent


@pytest.mark.parametrize("heartbeat", [False, True], ids=["no-heartbeat", "heartbeat"])
def test_ping_flood_without_reading_keeps_memory_flat(ferromq_peer, heartbeat):
    extra = ["--heartbeat-ivl", "1000", "--heartbeat-timeout", "60000"] if heartbeat else []
    peer = ferromq_peer("pull", "--bind", "tcp://127.0.0.1:*", *extra)
    endpoint = peer.expect_endpoint()
    s = handshake_as(endpoint, b"PUSH", b"PULL")
    base = peer.rss_kib()
    # 16-byte contexts, so every PONG would carry 23 bytes: ~1 byte of PONG per byte read.
    chunk = b"".join(ping_command(i.to_bytes(16, "big")) for i in range(64 * 1024 // 24))
    sent = 0
    peak = base
    for _ in range(8):
        sent += flood(s, chunk, 0.5)
        peer.assert_alive()
        peak = max(peak, peer.rss_kib())
    assert sent > 16 * 1024 * 1024, f"the flood only got {sent} bytes in: ferromq stopped reading?"
    growth = peak - base
    assert peak < RSS_LIMIT_KIB and growth < 8 * 1024, (
        f"{sent >> 20} MiB of PINGs took ferromq's RSS from {base} to {peak} KiB "
        "(one PONG queued per PING?)"
    )
    # The connection still works: the last PING gets a PONG with its context, once the
    # backlog of earlier ones has been read.
    s.settimeout(5.0)
    last = b"final-context-16"
    s.sendall(ping_command(last))
    while True:
        flags, body = read_frame(s, timeout=5.0)
        assert flags & 0x04, f"a data frame from a PULL: {flags:#x}"
        if body.startswith(b"\x04PING"):
            continue  # ferromq's own heartbeat
        assert body.startswith(b"\x04PONG"), body
        if body[5:] == last:
            break
    s.close()


def test_req_drops_a_reply_sent_before_the_request(ferromq_peer):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(10.0)
    port = server.getsockname()[1]
    req = ferromq_peer(
        "req", "--connect", f"tcp://127.0.0.1:{port}", "--commands", "--timeout-ms", "5000",
        stdin=True,
    )
    assert req.readline() == "READY"
    conn, _ = server.accept()
    server.close()
    conn.settimeout(5.0)
    conn.sendall(greeting() + ready_command(b"REP"))
    assert read_exactly(conn, 64)[0] == 0xFF
    flags, body = read_frame(conn)
    assert flags & 0x04 and body.startswith(b"\x05READY"), body
    # A well-formed reply, before any request; then a PING whose PONG proves that ferromq
    # has read (and delivered) everything before it.
    conn.sendall(message_frame(b"", more=True) + message_frame(b"planted"))
    conn.sendall(ping_command(b"sync"))
    flags, body = read_frame(conn)
    assert flags & 0x04 and body == b"\x04PONGsync", body

    req.send_line("SEND " + b"question".hex())
    assert req.readline() == "SENT"
    flags, body = read_frame(conn)
    assert flags & 0x01 and body == b"", "the request's empty delimiter"
    flags, body = read_frame(conn)
    assert not flags & 0x01 and body == b"question", body
    conn.sendall(message_frame(b"", more=True) + message_frame(b"answer"))
    req.send_line("RECV 5000")
    line = req.readline()
    assert line == f"MSG 0 1 6:{b'answer'.hex()}", (
        f"the REQ returned {line!r}: a message sent before the request was taken as its reply"
    )
    req.send_line("STOP")
    assert req.readline() == "DONE 1"
    conn.close()


def many_frames(n: int, body: bytes = b"") -> bytes:
    """One message of ``n`` frames (all but the last with MORE)."""
    return message_frame(body, more=True) * (n - 1) + message_frame(body)


def test_a_message_over_maxmsgparts_closes_its_connection(ferromq_peer):
    peer = ferromq_peer("pull", "--bind", "tcp://127.0.0.1:*", "--maxmsgparts", "100")
    endpoint = peer.expect_endpoint()
    s = handshake_as(endpoint, b"PUSH", b"PULL")
    s.sendall(many_frames(100, b"f"))
    line = peer.readline()
    assert line.startswith("MSG 0 100 1:66 "), line[:80]
    s.sendall(many_frames(101, b"f"))
    assert wait_closed(s, 5.0) is not None, "a 101-frame message did not close the connection"
    assert peer.no_line_within(0.5) is None, "the over-long message was delivered"
    peer.assert_alive()


def test_frame_count_is_bounded_by_default_and_memory_stays_flat(ferromq_peer):
    peer = ferromq_peer("pull", "--bind", "tcp://127.0.0.1:*", "--quiet")
    endpoint = peer.expect_endpoint()
    base = peer.rss_kib()
    # 70,000 empty frames (140 KB on the wire) per attempt, 20 attempts: ferromq's default
    # bound of 65,536 frames per message closes each connection before it completes.
    attack = many_frames(70_000)
    for _ in range(20):
        s = handshake_as(endpoint, b"PUSH", b"PULL")
        try:
            s.sendall(attack)
        except (ConnectionResetError, BrokenPipeError):
            pass
        assert wait_closed(s, 5.0) is not None, "a 70,000-frame message was accepted"
        s.close()
        peer.assert_alive()
    rss = peer.rss_kib()
    assert rss < RSS_LIMIT_KIB and rss - base < 16 * 1024, f"RSS {base} -> {rss} KiB"
