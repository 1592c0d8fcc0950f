"""Raw-socket ZMTP peers against ferromq REP and REQ sockets.

* A ferromq REP (``ferromq-peer rep``) drops requests without an empty delimiter (a single
  frame, non-empty frames only, a lone empty last frame, 10,000 frames and no delimiter),
  and keeps serving the same raw connection and a well-behaved libzmq REQ afterwards.
* A request with 10,000 envelope frames before the delimiter is answered with the whole
  envelope back, and the process stays small.
* A reply for a peer that went away is dropped; the REP keeps serving others.
* A ferromq REQ ignores replies from a peer it did not ask (a raw REP connected to the
  same REQ next to a libzmq REP), and never takes such a stale reply later either.
"""

from __future__ import annotations

import socket

import pytest
import zmq

from peerlib import describe_message, handshake_as, message_frame

TIMEOUT_MS = "20000"
RSS_LIMIT_KIB = 64 * 1024


def raw_message(frames: list[bytes]) -> bytes:
    return b"".join(message_frame(f, more=i + 1 < len(frames)) for i, f in enumerate(frames))


def read_message(s: socket.socket, timeout: float = 10.0) -> list[bytes]:
    """Reads one whole ZMTP message (data frames up to one without MORE); bounded."""
    frames = []
    buf = _Reader(s, timeout)
    while True:
        flags = buf.take(1)[0]
        assert not flags & 0x04, f"unexpected command frame (flags {flags:#x})"
        size = int.from_bytes(buf.take(8), "big") if flags & 0x02 else buf.take(1)[0]
        assert size < 1 << 20, size
        frames.append(buf.take(size))
        if not flags & 0x01:
            return frames


class _Reader:
    """Buffered exact reads (a 10,000-frame message would be slow byte by byte)."""

    def __init__(self, s: socket.socket, timeout: float):
        self.s, self.buf = s, b""
        s.settimeout(timeout)

    def take(self, n: int) -> bytes:
        while len(self.buf) < n:
            chunk = self.s.recv(1 << 16)
            assert chunk, "connection closed by ferromq"
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def start_rep(ferromq_peer, *extra, stdin=False):
    peer = ferromq_peer(
        "rep", "--bind", "tcp://127.0.0.1:*", "--reply-prefix", "ok", *extra, stdin=stdin
    )
    endpoint = peer.expect_endpoint()
    assert peer.readline() == "READY"
    return peer, endpoint


def good_request(zsocket, endpoint: str, peer, index: int, body: bytes):
    """A libzmq REQ asks once and must get the REP's answer; the REP prints it as `index`."""
    req = zsocket(zmq.REQ)
    req.connect(endpoint)
    req.send(body)
    try:
        assert req.recv_multipart() == [b"ok", body]
    except zmq.Again:
        pytest.fail(f"the libzmq REQ got no reply; stderr:\n{peer.stderr}")
    assert peer.readline(timeout=10) == describe_message(index, [body])
    return req


def test_requests_without_delimiter_are_dropped(ferromq_peer, zsocket):
    peer, endpoint = start_rep(ferromq_peer)
    raw = handshake_as(endpoint, b"DEALER", b"REP")
    bad = [
        [b"no-delimiter"],
        [b"a", b"b"],
        [b""],  # an empty frame without MORE is a body, not a delimiter
        [b"x", b""],
        [b"f%d" % i for i in range(10_000)],
    ]
    raw.sendall(b"".join(raw_message(m) for m in bad))
    # Then a valid request on the same connection: the envelope state must be clean
    # (nothing of the dropped messages may leak into the reply).
    raw.sendall(raw_message([b"", b"raw-good"]))
    assert read_message(raw) == [b"", b"ok", b"raw-good"]
    assert peer.readline(timeout=10) == describe_message(0, [b"raw-good"])
    good_request(zsocket, endpoint, peer, 1, b"pyzmq-good")
    assert peer.no_line_within(0.3) is None, "the REP printed a request it should have dropped"
    peer.assert_alive()
    assert peer.rss_kib() < RSS_LIMIT_KIB


def test_ten_thousand_envelope_frames(ferromq_peer, zsocket):
    peer, endpoint = start_rep(ferromq_peer)
    raw = handshake_as(endpoint, b"DEALER", b"REP")
    envelope = [i.to_bytes(4, "big") for i in range(10_000)]
    raw.sendall(raw_message([*envelope, b"", b"deep"]))
    assert peer.readline(timeout=20) == describe_message(0, [b"deep"])
    reply = read_message(raw, timeout=20)
    assert len(reply) == len(envelope) + 3, len(reply)
    assert reply[: len(envelope)] == envelope, "envelope not restored intact"
    assert reply[len(envelope) :] == [b"", b"ok", b"deep"]
    # A second one on the same connection, then a normal client.
    raw.sendall(raw_message([*envelope[:5000], b"", b"again"]))
    assert read_message(raw, timeout=20) == [*envelope[:5000], b"", b"ok", b"again"]
    assert peer.readline(timeout=10) == describe_message(1, [b"again"])
    good_request(zsocket, endpoint, peer, 2, b"after")
    peer.assert_alive()
    assert peer.rss_kib() < RSS_LIMIT_KIB


def test_reply_to_vanished_peer_is_dropped(ferromq_peer, zsocket):
    peer, endpoint = start_rep(ferromq_peer, "--commands", "--timeout-ms", "10000", stdin=True)
    raw = handshake_as(endpoint, b"DEALER", b"REP")
    raw.sendall(raw_message([b"", b"bye"]))
    peer.send_line("RECV")
    assert peer.readline(timeout=10) == describe_message(0, [b"bye"])
    raw.close()
    peer.send_line("SEND 6c6f7374")  # the requester is gone (or going): dropped, not an error
    assert peer.readline() == "SENT"
    req = zsocket(zmq.REQ)
    req.connect(endpoint)
    req.send(b"next")
    peer.send_line("RECV")
    assert peer.readline(timeout=10) == describe_message(1, [b"next"])
    peer.send_line("SEND 6f6b 6e657874")
    assert peer.readline() == "SENT"
    assert req.recv_multipart() == [b"ok", b"next"]
    peer.send_line("STOP")
    assert peer.readline() == "DONE 2"


def test_req_ignores_replies_from_peers_it_did_not_ask(ferromq_peer, zsocket):
    """ferromq REQ bound; a libzmq REP and a raw REP connect. Requests are sent one by one
    (stdin commands); when the raw REP is asked it answers properly. Once the libzmq REP
    is asked, the raw REP sends unsolicited replies while the REQ waits: the REQ must not
    return them (checked while the libzmq REP holds its answer back), must return the
    libzmq REP's reply, and later, when the raw REP is asked again, must return that
    fresh answer and not a stale unsolicited one."""
    peer = ferromq_peer(
        "req", "--bind", "tcp://127.0.0.1:*", "--commands", "--timeout-ms", "10000", stdin=True
    )
    endpoint = peer.expect_endpoint()
    assert peer.readline() == "READY"
    raw = handshake_as(endpoint, b"REP", b"REQ")
    rep = zsocket(zmq.REP)
    rep.connect(endpoint)
    poller = zmq.Poller()
    poller.register(rep, zmq.POLLIN)
    poller.register(raw.fileno(), zmq.POLLIN)

    received = 0
    bogus_sent = False
    raw_asked_after_bogus = False
    for n in range(40):
        if bogus_sent and raw_asked_after_bogus:
            break
        body = f"q{n:02d}".encode()
        peer.send_line(f"SEND {body.hex()}")
        assert peer.readline() == "SENT"
        ready = dict(poller.poll(10_000))
        assert len(ready) == 1, f"request {n}: readable {list(ready)}; stderr:\n{peer.stderr}"
        if rep in ready:
            assert rep.recv_multipart() == [body]
            if not bogus_sent:
                raw.sendall(
                    raw_message([b"", b"bogus-1"])
                    + raw_message([b"bogus-no-delimiter"])
                    + raw_message([b"", b"bogus-2", b"more"])
                )
                bogus_sent = True
                peer.send_line("RECV")
                line = peer.no_line_within(1.0)
                assert line is None, f"the REQ returned an unsolicited reply: {line}"
                rep.send(b"genuine")
                assert peer.readline(timeout=10) == describe_message(received, [b"genuine"])
            else:
                rep.send(b"genuine")
                peer.send_line("RECV")
                assert peer.readline(timeout=10) == describe_message(received, [b"genuine"])
        else:
            assert read_message(raw) == [b"", body]
            if bogus_sent:
                raw_asked_after_bogus = True
            raw.sendall(raw_message([b"", b"raw:" + body]))
            peer.send_line("RECV")
            assert peer.readline(timeout=10) == describe_message(received, [b"raw:" + body])
        received += 1
    assert bogus_sent and raw_asked_after_bogus, "round robin never reached both REPs"
    peer.send_line("STOP")
    assert peer.readline() == f"DONE {received}"
    assert peer.wait(timeout=20) == 0, peer.stderr
