"""Raw-socket ZMTP peers against ferromq PUB and SUB sockets.

* Wire format of subscriptions: a raw ZMTP 3.0 SUB subscribes with a 0x01-prefixed data
  message, a raw 3.1 SUB with a SUBSCRIBE command; both get what they asked for. In the
  other direction a ferromq SUB must send 0x01/0x00-prefixed messages to a 3.0 PUB and
  SUBSCRIBE/CANCEL commands to a 3.1 PUB, filter what a (raw, non-filtering) PUB sends,
  and re-send its subscriptions after a reconnect.
* Abuse of a ferromq PUB (bound, publishing rounds of ``good``, ``A`` and ``Z``; see
  ``peerlib.pub_frames``) while a well-behaved libzmq SUB keeps receiving ``good``:
  subscription floods from one or many connections, a 1 MiB topic, cancellations of
  topics never subscribed, data messages sent to the PUB. Afterwards the process must be
  up, idle (CPU time not growing), small (VmRSS), and still serving the good subscriber.

Every raw peer ends with a subscription to ``Z`` (the "marker"): since a connection's
subscriptions are processed in order, the first ``Z`` message proves everything sent
before it on that connection has been processed.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import zmq

from peerlib import (
    cancel_command,
    describe_message,
    greeting,
    message_frame,
    parse_pub_message,
    pub_frames,
    raw_connect,
    read_exactly,
    read_frame,
    ready_command,
    subscribe_command,
)

TOPICS = [b"good", b"A", b"Z"]
RSS_LIMIT_KIB = 64 * 1024
# Many subscriptions legitimately take memory; this only catches runaway growth.
RSS_LIMIT_MANY_SUBS_KIB = 256 * 1024
IDLE_CPU_LIMIT_S = 0.5


def subscription(topic: bytes, style: str) -> bytes:
    """One subscription as a raw peer sends it: a 3.1 command or a 0x01 data message."""
    return subscribe_command(topic) if style == "command" else message_frame(b"\x01" + topic)


def cancellation(topic: bytes, style: str) -> bytes:
    return cancel_command(topic) if style == "command" else message_frame(b"\x00" + topic)


def handshake(s: socket.socket, minor: int, own_type: bytes, peer_type: bytes,
              as_server: bool = False) -> None:
    """NULL handshake as ZMTP 3.``minor`` peer of type ``own_type``; checks ferromq's side."""
    s.sendall(greeting(minor, as_server) + ready_command(own_type))
    g = read_exactly(s, 64)
    assert g[0] == 0xFF and g[9] & 1 == 1, g[:10].hex()
    assert g[10] == 3, f"major version {g[10]}"
    assert g[12:32] == b"NULL" + b"\x00" * 16, g[12:32]
    flags, body = read_frame(s)
    assert flags & 0x04, f"expected READY command, got flags {flags:#x}"
    assert body.startswith(b"\x05READY"), body
    prop = b"\x0bSocket-Type" + len(peer_type).to_bytes(4, "big") + peer_type
    assert prop in body, f"READY without Socket-Type {peer_type!r}: {body!r}"


def raw_sub(endpoint: str, minor: int = 1) -> socket.socket:
    s = raw_connect(endpoint)
    handshake(s, minor, b"SUB", b"PUB")
    return s


def read_message(s: socket.socket, timeout: float = 10.0) -> list[bytes]:
    """One whole message (command frames such as PING are skipped)."""
    frames: list[bytes] = []
    while True:
        flags, body = read_frame(s, timeout)
        if flags & 0x04:
            assert not frames, "command frame inside a multipart message"
            continue
        frames.append(body)
        if not flags & 0x01:
            return frames


def read_pub_message(s: socket.socket, allowed: list[bytes]) -> tuple[bytes, int]:
    frames = read_message(s)
    topic, seq = parse_pub_message(frames)
    assert frames == pub_frames(topic, seq), frames
    assert any(topic.startswith(a) for a in allowed), (
        f"raw SUB got topic {topic!r}, subscribed to {allowed}"
    )
    return topic, seq


def wait_for_marker(s: socket.socket, allowed: list[bytes], timeout: float = 60.0) -> int:
    """Reads until the first ``Z`` message (every message must match ``allowed``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        topic, seq = read_pub_message(s, allowed + [b"Z"])
        if topic == b"Z":
            return seq
    pytest.fail("the marker subscription never took effect")


class Victim:
    """A ferromq PUB bound on 127.0.0.1 with a libzmq SUB (subscribed to ``good``)."""

    def __init__(self, peer, sub: zmq.Socket, endpoint: str):
        self.peer, self.sub, self.endpoint = peer, sub, endpoint
        self.last_seq = -1

    def check_traffic(self, n: int = 5, timeout: float = 15.0) -> None:
        """The good subscriber gets n more messages, exact and in increasing round order."""
        deadline = time.monotonic() + timeout
        for _ in range(n):
            left = deadline - time.monotonic()
            if left <= 0 or not self.sub.poll(int(left * 1000)):
                pytest.fail(f"good subscriber starved; ferromq stderr:\n{self.peer.stderr}")
            frames = self.sub.recv_multipart()
            topic, seq = parse_pub_message(frames)
            assert topic == b"good" and frames == pub_frames(topic, seq), frames
            assert seq > self.last_seq, f"round {seq} after round {self.last_seq}"
            self.last_seq = seq

    def assert_healthy(self, rss_limit_kib: int = RSS_LIMIT_KIB) -> None:
        self.peer.assert_alive()
        rss = self.peer.rss_kib()
        assert rss < rss_limit_kib, f"ferromq-peer RSS is {rss} KiB"
        self.check_traffic()
        self.peer.assert_alive()

    def assert_idle_cpu(self) -> None:
        """CPU time used in one second, while only the usual rounds are published."""
        before = self.peer.cpu_seconds()
        time.sleep(1.0)  # measuring CPU over a fixed interval, not waiting for an event
        used = self.peer.cpu_seconds() - before
        assert used < IDLE_CPU_LIMIT_S, f"ferromq-peer used {used:.2f} s CPU in 1 s after the attack"


@pytest.fixture
def make_victim(ferromq_peer, zsocket):
    def make(*extra: str) -> Victim:
        peer = ferromq_peer(
            "pub", "--bind", "tcp://127.0.0.1:*", "--topics", b",".join(TOPICS).decode(),
            "--interval-ms", "10", "--until-stdin-closes", "--max-ms", "115000", *extra,
            stdin=True,
        )
        endpoint = peer.expect_endpoint()
        assert peer.readline() == "READY"
        sub = zsocket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, b"good")
        sub.connect(endpoint)
        v = Victim(peer, sub, endpoint)
        v.check_traffic()
        return v

    return make


@pytest.fixture
def victim(make_victim):
    return make_victim()


# --------------------------------------------------------------------------------------
# (a) Subscription wire formats, raw SUB -> ferromq PUB
# --------------------------------------------------------------------------------------

STYLES = {
    "zmtp3.0-message": (0, "message"),
    "zmtp3.1-command": (1, "command"),
    "zmtp3.1-legacy-message": (1, "message"),  # libzmq accepts 0x01 messages from 3.1 too
}


@pytest.mark.parametrize("style_name", list(STYLES))
def test_raw_sub_receives_matching_messages(victim, style_name):
    minor, style = STYLES[style_name]
    s = raw_sub(victim.endpoint, minor)
    if style == "message":
        assert subscription(b"A", style) == b"\x00\x02\x01A"
    else:
        assert subscription(b"A", style) == b"\x04\x0b\x09SUBSCRIBEA"
    s.sendall(subscription(b"A", style))
    seqs = [read_pub_message(s, [b"A"])[1] for _ in range(5)]
    assert seqs == list(range(seqs[0], seqs[0] + 5)), seqs
    # Cancel A, subscribe the marker: once Z arrives, A must be gone for good.
    s.sendall(cancellation(b"A", style) + subscription(b"Z", style))
    z = wait_for_marker(s, [b"A"])
    for _ in range(10):
        topic, seq = read_pub_message(s, [b"A", b"Z"])
        assert topic == b"Z", f"A round {seq} delivered after its cancellation (Z round {z})"
    s.close()
    victim.assert_healthy()


# --------------------------------------------------------------------------------------
# (a) Subscription wire formats, ferromq SUB -> raw PUB
# --------------------------------------------------------------------------------------


def expect_subscription(conn: socket.socket, minor: int, topic: bytes, subscribe: bool) -> None:
    flags, body = read_frame(conn, 10)
    while flags & 0x04 and body.startswith(b"\x04PING"):
        flags, body = read_frame(conn, 10)
    if minor == 0:
        want = (b"\x01" if subscribe else b"\x00") + topic
        assert flags == 0x00, f"to a ZMTP 3.0 peer a subscription is a data frame, got flags {flags:#x} {body!r}"
        assert body == want, body
    else:
        name = b"\x09SUBSCRIBE" if subscribe else b"\x06CANCEL"
        assert flags == 0x04, f"to a ZMTP 3.1 peer a subscription is a command, got flags {flags:#x} {body!r}"
        assert body == name + topic, body


@pytest.mark.parametrize("minor", [0, 1], ids=["zmtp3.0-pub", "zmtp3.1-pub"])
def test_ferromq_sub_to_raw_pub(minor, ferromq_peer):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(10)
    port = srv.getsockname()[1]
    peer = ferromq_peer(
        "sub", "--connect", f"tcp://127.0.0.1:{port}", "--subscribe", "A",
        "--reconnect-ivl", "100", "--until-stdin-closes", stdin=True,
    )
    assert peer.readline() == "READY"
    conn, _ = srv.accept()
    handshake(conn, minor, b"PUB", b"SUB", as_server=True)
    expect_subscription(conn, minor, b"A", True)

    # A raw PUB does not filter: ferromq's SUB must.
    for frames in [[b"A-1"], [b"B-1"], [b"AB-1"], [b"B", b"x"], [b"A", b"", b"y"]]:
        conn.sendall(b"".join(message_frame(f, i + 1 < len(frames)) for i, f in enumerate(frames)))
    assert peer.readline() == describe_message(0, [b"A-1"])
    assert peer.readline() == describe_message(1, [b"AB-1"])
    assert peer.readline() == describe_message(2, [b"A", b"", b"y"])

    peer.send_line("UNSUBSCRIBE 41")
    assert peer.readline() == "UNSUBSCRIBED 41"
    expect_subscription(conn, minor, b"A", False)
    peer.send_line("SUBSCRIBE 42")
    assert peer.readline() == "SUBSCRIBED 42"
    expect_subscription(conn, minor, b"B", True)
    conn.sendall(message_frame(b"A-2") + message_frame(b"B-2"))
    assert peer.readline() == describe_message(3, [b"B-2"])

    # The connection breaks: the SUB reconnects and re-sends what it is subscribed to (B).
    conn.close()
    conn, _ = srv.accept()
    handshake(conn, minor, b"PUB", b"SUB", as_server=True)
    expect_subscription(conn, minor, b"B", True)
    conn.sendall(message_frame(b"A-3") + message_frame(b"B-3"))
    assert peer.readline() == describe_message(4, [b"B-3"])
    peer.close_stdin()
    assert peer.readline() == "DONE 5"
    assert peer.wait(timeout=20) == 0, peer.stderr
    conn.close()
    srv.close()


# --------------------------------------------------------------------------------------
# (b) (c) Subscription floods
# --------------------------------------------------------------------------------------


def send_in_background(s: socket.socket, data: bytes) -> threading.Thread:
    errors: list[BaseException] = []

    def run():
        try:
            s.settimeout(60)
            s.sendall(data)
        except BaseException as e:  # reported by the caller
            errors.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.errors = errors  # type: ignore[attr-defined]
    t.start()
    return t


@pytest.mark.timeout(180)
@pytest.mark.parametrize("style", ["command", "message"])
def test_subscription_burst_from_one_peer(victim, style):
    s = raw_sub(victim.endpoint)
    burst = b"".join(subscription(b"t%06d" % i, style) for i in range(100_000))
    sender = send_in_background(s, burst + subscription(b"Z", style))
    deadline = time.monotonic() + 60
    while sender.is_alive():  # the good subscriber is served while the burst goes in
        assert time.monotonic() < deadline, "ferromq did not take the burst in 60 s"
        victim.check_traffic(2)
    assert not sender.errors, sender.errors
    wait_for_marker(s, [])
    victim.assert_idle_cpu()
    victim.assert_healthy(RSS_LIMIT_MANY_SUBS_KIB)
    # Cancelling them all is as harmless.
    sender = send_in_background(
        s, b"".join(cancellation(b"t%06d" % i, style) for i in range(100_000))
        + cancellation(b"Z", style) + subscription(b"A", style)
    )
    sender.join(60)
    assert not sender.is_alive() and not sender.errors
    deadline = time.monotonic() + 60
    while read_pub_message(s, [b"A", b"Z"])[0] != b"A":
        assert time.monotonic() < deadline
    victim.assert_idle_cpu()
    victim.assert_healthy(RSS_LIMIT_MANY_SUBS_KIB)
    s.close()


@pytest.mark.timeout(180)
def test_many_connections_many_topics(victim):
    conns = []
    for c in range(100):
        conns.append(raw_sub(victim.endpoint, minor=c % 2))  # half 3.0, half 3.1 peers
    for c, s in enumerate(conns):
        style = "message" if c % 2 == 0 else "command"
        s.sendall(
            b"".join(subscription(b"c%03d-t%03d" % (c, t), style) for t in range(100))
            + subscription(b"Z", style)
        )
    victim.check_traffic()
    for s in conns:
        wait_for_marker(s, [])
    victim.assert_idle_cpu()
    victim.assert_healthy(RSS_LIMIT_MANY_SUBS_KIB)
    for s in conns:
        s.close()
    victim.check_traffic()
    victim.assert_idle_cpu()
    victim.assert_healthy(RSS_LIMIT_MANY_SUBS_KIB)


# --------------------------------------------------------------------------------------
# (d) (e) (f) Odd subscriptions and data sent to the PUB
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["command", "message"])
def test_one_mib_topic(victim, style):
    s = raw_sub(victim.endpoint)
    topic = b"A" + b"x" * ((1 << 20) - 1)
    sender = send_in_background(
        s, subscription(topic, style) + cancellation(topic, style) + subscription(b"Z", style)
    )
    victim.check_traffic()
    sender.join(30)
    assert not sender.is_alive() and not sender.errors
    wait_for_marker(s, [])  # nothing published matches the long topic
    victim.assert_idle_cpu()
    victim.assert_healthy()
    s.close()


@pytest.mark.parametrize("style", ["command", "message"])
def test_cancel_of_unknown_topic_is_ignored(victim, style):
    s = raw_sub(victim.endpoint)
    s.sendall(
        cancellation(b"never", style) + cancellation(b"", style) + cancellation(b"A", style)
        + subscription(b"Z", style)
    )
    wait_for_marker(s, [])
    for _ in range(5):  # still subscribed to Z, and to nothing else
        assert read_pub_message(s, [b"Z"])[0] == b"Z"
    # Subscribed once, cancelled twice: the second is a no-op, then A can come back.
    s.sendall(subscription(b"A", style) + cancellation(b"A", style) + cancellation(b"A", style)
              + subscription(b"A", style))
    deadline = time.monotonic() + 15
    while read_pub_message(s, [b"A", b"Z"])[0] != b"A":
        assert time.monotonic() < deadline, "A never delivered after re-subscribing"
    victim.assert_healthy()
    s.close()


def send_data_wave(victim: Victim, s: socket.socket, rss_limit_kib: int | None) -> int:
    """150 MiB of data messages (which a PUB must drop), then a marker subscription and
    its cancellation; returns the peak VmRSS seen while the wave went in."""
    big = b"\x02" + b"j" * ((1 << 20) - 1)
    junk = []
    for i in range(150):
        junk.append(message_frame(big))
        junk.append(message_frame(b"hello-%d" % i))
        junk.append(message_frame(b"\x02part", more=True) + message_frame(b"\x01not-a-sub"))
    sender = send_in_background(s, b"".join(junk) + subscribe_command(b"Z"))
    deadline = time.monotonic() + 60
    peak = 0
    while sender.is_alive():
        assert time.monotonic() < deadline, "ferromq did not read the data messages in 60 s"
        victim.check_traffic(1)
        victim.peer.assert_alive()
        peak = max(peak, victim.peer.rss_kib())
        if rss_limit_kib is not None:
            assert peak < rss_limit_kib, f"ferromq-peer RSS is {peak} KiB while data comes in"
    assert not sender.errors, sender.errors
    wait_for_marker(s, [])  # ...which proves every data message before it was read
    s.sendall(cancel_command(b"Z"))
    return peak


@pytest.mark.timeout(180)
def test_data_messages_to_pub_are_dropped_small_rcvhwm(make_victim):
    """With RCVHWM 10 at most ~10 MiB of junk can be queued: RSS stays small throughout."""
    victim = make_victim("--rcvhwm", "10")
    s = raw_sub(victim.endpoint)
    for _ in range(2):
        send_data_wave(victim, s, RSS_LIMIT_KIB)
    victim.assert_idle_cpu()
    victim.assert_healthy()
    s.close()


@pytest.mark.timeout(240)
def test_data_messages_to_pub_are_dropped_default_hwm(victim):
    """Default RCVHWM (1000 messages): the PUB's session drops data on the I/O thread, so
    however much junk arrives, RSS stays small throughout, wave after wave."""
    s = raw_sub(victim.endpoint)
    for _ in range(4):
        send_data_wave(victim, s, RSS_LIMIT_KIB)
    victim.assert_idle_cpu()
    victim.assert_healthy()
    s.close()
