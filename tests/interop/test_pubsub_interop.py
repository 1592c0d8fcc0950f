"""PUB/SUB and XPUB/XSUB between ferromq (the ferromq-peer binary) and libzmq (pyzmq).

Both directions, ferromq binding or connecting. Topic filtering is checked exactly:
``ferromq-peer pub`` publishes numbered rounds (one message per topic per round, see
``peerlib.pub_frames``), so once every subscription has taken effect (the "sync" round: the
first round in which the last subscribed topic showed up) the receiver must get every later
round complete, in order, and never a message of a topic it did not subscribe to.
libzmq's SUB also filters on its own side, so filtering by ferromq's PUB is checked with a
libzmq XSUB (which does not filter). The slow-joiner problem is handled by publishing until
the first matching message arrives (bounded by a deadline), never by sleeping.
"""

from __future__ import annotations

import time

import pytest
import zmq

from peerlib import (
    TCP_ANY,
    TRANSPORTS,
    describe_message,
    parse_pub_message,
    pub_frames,
    strip_index,
)

FERROMQ_SIDES = ["ferromq-binds", "ferromq-connects"]
TOPICS = [b"A", b"AB", b"B", b"C"]  # "A" is a prefix of "AB": prefix semantics are checked
SYNC_TIMEOUT_S = 15.0
ROUNDS = 30
INTERVAL_MS = "5"
ENOTSUP = 95


def hexarg(b: bytes) -> str:
    return b.hex() if b else "-"


def matches(topic: bytes, subs: list[bytes]) -> bool:
    return any(topic.startswith(s) for s in subs)


def last_endpoint(sock: zmq.Socket) -> str:
    return sock.getsockopt(zmq.LAST_ENDPOINT).decode()


def topic_args(topics: list[bytes]) -> list[str]:
    args: list[str] = []
    for t in topics:
        args += ["--topic-hex", hexarg(t)]
    return args


def start_ferromq_pub(ferromq_peer, zsock, side, topics=TOPICS, extra=(), ep=TCP_ANY):
    """Starts ``ferromq-peer pub`` (publishing until stdin closes) and links ``zsock`` to it."""
    common = [
        *topic_args(topics), "--interval-ms", INTERVAL_MS, "--until-stdin-closes",
        "--max-ms", "100000", "--timeout-ms", "20000", *extra,
    ]
    if side == "ferromq-binds":
        peer = ferromq_peer("pub", "--bind", ep, *common, stdin=True)
        zsock.connect(peer.expect_endpoint())
    else:
        zsock.bind(ep)
        peer = ferromq_peer("pub", "--connect", last_endpoint(zsock), *common, stdin=True)
    assert peer.readline() == "READY"
    return peer


def subscribe(sock: zmq.Socket, topic: bytes) -> None:
    """Subscribes a pyzmq SUB (socket option) or XSUB (0x01 message)."""
    if sock.type == zmq.SUB:
        sock.setsockopt(zmq.SUBSCRIBE, topic)
    else:
        sock.send(b"\x01" + topic)


def unsubscribe(sock: zmq.Socket, topic: bytes) -> None:
    if sock.type == zmq.SUB:
        sock.setsockopt(zmq.UNSUBSCRIBE, topic)
    else:
        sock.send(b"\x00" + topic)


class PubReader:
    """Receives what ``ferromq-peer pub`` publishes and checks every message exactly."""

    def __init__(self, sock, peer, subs, topics=TOPICS, parts=1, sizes=None):
        self.sock, self.peer, self.subs, self.topics = sock, peer, list(subs), topics
        self.parts, self.sizes = parts, sizes

    def next(self, deadline: float) -> tuple[bytes, int]:
        left = deadline - time.monotonic()
        if left <= 0 or not self.sock.poll(int(left * 1000)):
            pytest.fail(f"libzmq received nothing in time; ferromq-peer stderr:\n{self.peer.stderr}")
        frames = self.sock.recv_multipart()
        topic, seq = parse_pub_message(frames, self.parts)
        assert topic in self.topics, f"unknown topic {topic!r}"
        want = pub_frames(topic, seq, self.parts, self.sizes)
        if frames != want:
            pytest.fail(f"message {topic!r}/{seq} differs:\n got  {frames!r:.300}\n want {want!r:.300}")
        assert matches(topic, self.subs), (
            f"received topic {topic!r} (round {seq}) though subscribed only to {self.subs}"
        )
        return topic, seq

    def sync(self) -> int:
        """Waits (bounded) until every subscribed topic arrived once; returns that round."""
        expected = [t for t in self.topics if matches(t, self.subs)]
        assert expected
        seen: set[bytes] = set()
        deadline = time.monotonic() + SYNC_TIMEOUT_S
        while True:
            topic, seq = self.next(deadline)
            seen.add(topic)
            if seen.issuperset(expected):
                return seq

    def rounds(self, after: int, n: int) -> None:
        """Rounds after+1 .. after+n must arrive complete and in order (round `after` and
        earlier ones may still be finishing)."""
        expected = [t for t in self.topics if matches(t, self.subs)]
        want = [(t, r) for r in range(after + 1, after + 1 + n) for t in expected]
        got: list[tuple[bytes, int]] = []
        deadline = time.monotonic() + 20
        while len(got) < len(want):
            topic, seq = self.next(deadline)
            if seq <= after:
                assert seq == after, f"round {seq} arrived after round {after}"
                continue
            got.append((topic, seq))
            assert got == want[: len(got)], f"lost, duplicated or reordered: got {got[-5:]}"


def stop_pub(peer) -> int:
    peer.close_stdin()
    line = peer.readline(timeout=20)
    assert line.startswith("DONE "), line
    assert peer.wait(timeout=20) == 0, peer.stderr
    return int(line.split()[1])


# ---------------------------------------------------------------------------------------
# ferromq PUB -> libzmq SUB / XSUB
# ---------------------------------------------------------------------------------------

SUB_CASES = {
    "one": [b"B"],
    "prefix": [b"A"],  # A and AB
    "two": [b"AB", b"C"],
    "everything": [b""],
}


@pytest.mark.parametrize("case", list(SUB_CASES))
@pytest.mark.parametrize("kind", ["sub", "xsub"])
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_ferromq_pub_to_libzmq(case, kind, side, ferromq_peer, zsocket):
    subs = SUB_CASES[case]
    sock = zsocket(zmq.SUB if kind == "sub" else zmq.XSUB)
    peer = start_ferromq_pub(ferromq_peer, sock, side)
    for t in subs:
        subscribe(sock, t)
    reader = PubReader(sock, peer, subs)
    r = reader.sync()
    reader.rounds(r, ROUNDS)
    assert stop_pub(peer) > r + ROUNDS


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("kind", ["sub", "xsub"])
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_ferromq_pub_multipart(kind, side, ferromq_peer, zsocket, bind_ep):
    """Topic frame + 2 body frames (one long, one empty) arrive whole; filtering is on the
    first frame only."""
    parts, sizes = 3, [0, 300, 0]
    sock = zsocket(zmq.SUB if kind == "sub" else zmq.XSUB)
    peer = start_ferromq_pub(
        ferromq_peer, sock, side, extra=["--parts", str(parts), "--sizes", "0,300,0"], ep=bind_ep(),
    )
    subscribe(sock, b"A")
    reader = PubReader(sock, peer, [b"A"], parts=parts, sizes=sizes)
    r = reader.sync()
    reader.rounds(r, ROUNDS)
    stop_pub(peer)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("kind", ["sub", "xsub"])
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_ferromq_pub_unsubscribe_stops_delivery(kind, side, ferromq_peer, zsocket, bind_ep):
    sock = zsocket(zmq.SUB if kind == "sub" else zmq.XSUB)
    peer = start_ferromq_pub(ferromq_peer, sock, side, ep=bind_ep())
    subscribe(sock, b"AB")
    subscribe(sock, b"C")
    reader = PubReader(sock, peer, [b"AB", b"C"])
    r = reader.sync()
    reader.rounds(r, 5)
    unsubscribe(sock, b"AB")
    # AB comes before C in every round: the first round with C but without AB is the one
    # the cancellation took effect in; from then on AB must never come again.
    last_ab, transitioned, c_after = r + 5, False, []
    deadline = time.monotonic() + SYNC_TIMEOUT_S
    while len(c_after) < ROUNDS:
        topic, seq = reader.next(deadline)
        if topic == b"AB":
            assert not transitioned, f"AB round {seq} delivered after the unsubscription"
            last_ab = seq
        elif seq > last_ab:
            transitioned = True
            c_after.append(seq)
    assert c_after == list(range(c_after[0], c_after[0] + ROUNDS)), c_after
    # Subscribing again brings AB back.
    subscribe(sock, b"AB")
    reader.subs = [b"C", b"AB"]
    deadline = time.monotonic() + SYNC_TIMEOUT_S
    while reader.next(deadline)[0] != b"AB":
        pass
    stop_pub(peer)


def test_ferromq_pub_fans_out_by_subscription(ferromq_peer, zsocket):
    """Two libzmq XSUBs with different subscriptions on one ferromq PUB: each gets its own."""
    a, b = zsocket(zmq.XSUB), zsocket(zmq.XSUB)
    peer = start_ferromq_pub(ferromq_peer, a, "ferromq-binds")
    b.connect(last_endpoint(a))
    subscribe(a, b"B")
    subscribe(b, b"A")
    ra, rb = PubReader(a, peer, [b"B"]), PubReader(b, peer, [b"A"])
    sa, sb = ra.sync(), rb.sync()
    ra.rounds(sa, ROUNDS)
    rb.rounds(sb, ROUNDS)
    stop_pub(peer)


def test_ferromq_pub_never_blocks(ferromq_peer, zsocket):
    """A subscriber that stops reading: the PUB drops at the HWM and keeps publishing."""
    sub = zsocket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 5)
    peer = start_ferromq_pub(
        ferromq_peer, sub, "ferromq-binds",
        extra=["--sndhwm", "5", "--size", "100000", "--interval-ms", "0", "--linger", "0"],
    )
    subscribe(sub, b"")
    reader = PubReader(sub, peer, [b""], sizes=[100000])
    r = reader.sync()
    # Stop reading. The publisher must keep going (dropping) rather than block.
    time.sleep(1.0)  # measuring a rate, not waiting for a condition
    rounds = stop_pub(peer)
    assert rounds > r + 200, f"only {rounds - r} rounds in ~1 s: the PUB blocked?"


# ---------------------------------------------------------------------------------------
# libzmq PUB -> ferromq SUB
# ---------------------------------------------------------------------------------------


def start_ferromq_sub(ferromq_peer, zsock, side, subs, extra=(), ep=TCP_ANY):
    common = ["--timeout-ms", "30000", "--until-stdin-closes", *extra]
    for s in subs:
        common += ["--subscribe-hex", hexarg(s)]
    if side == "ferromq-binds":
        peer = ferromq_peer("sub", "--bind", ep, *common, stdin=True)
        endpoint = peer.expect_endpoint()
        assert peer.readline() == "READY"
        zsock.connect(endpoint)
    else:
        zsock.bind(ep)
        peer = ferromq_peer("sub", "--connect", last_endpoint(zsock), *common, stdin=True)
        assert peer.readline() == "READY"
    return peer


def line_frames(line: str) -> list[bytes]:
    """Frames of a ``MSG`` line (only frames <= 32 bytes are printed in full)."""
    fields = line.split(" ")
    assert fields[0] == "MSG", line
    frames = []
    for f in fields[3:]:
        size, data = f.split(":")
        assert not data.startswith("crc="), line
        frames.append(bytes.fromhex(data))
    return frames


SYNC_MARK = b"#sync"


class SubDriver:
    """Feeds a ferromq SUB from a libzmq PUB/XPUB and checks its ``MSG`` lines."""

    def __init__(self, peer, pub, subs, topics=TOPICS):
        self.peer, self.pub, self.subs, self.topics = peer, pub, list(subs), topics
        self.index = 0  # next MSG index

    def line(self, timeout=10.0) -> str:
        line = self.peer.readline(timeout)
        if line.startswith("MSG "):
            assert line.startswith(f"MSG {self.index} "), (line, self.index)
            self.index += 1
        return line

    def check_sync_line(self, line: str) -> bytes:
        frames = line_frames(line)
        assert len(frames) == 1 and frames[0].endswith(SYNC_MARK), line
        topic = frames[0][: -len(SYNC_MARK)]
        assert matches(topic, self.subs), f"ferromq SUB delivered unsubscribed {topic!r}"
        return topic

    def sync(self) -> None:
        """Publishes sync messages on every topic until ferromq printed one for each
        subscribed topic (bounded)."""
        expected = {t for t in self.topics if matches(t, self.subs)}
        seen: set[bytes] = set()
        deadline = time.monotonic() + SYNC_TIMEOUT_S
        while not seen.issuperset(expected):
            assert time.monotonic() < deadline, f"ferromq SUB never got {expected - seen}"
            for t in self.topics:
                self.pub.send(t + SYNC_MARK)
            got = self.peer.no_line_within(0.02)
            while got is not None:
                assert got.startswith(f"MSG {self.index} "), (got, self.index)
                self.index += 1
                seen.add(self.check_sync_line(got))
                got = self.peer.no_line_within(0)

    def batch(self, messages: list[list[bytes]]) -> None:
        """Publishes ``messages``; ferromq must print exactly the matching ones, in order
        (late sync messages may come first)."""
        for frames in messages:
            self.pub.send_multipart(frames)
        want = [m for m in messages if matches(m[0], self.subs)]
        for frames in want:
            while True:
                line = self.line(20)
                fields = line_frames(line) if "crc=" not in line else None
                if fields and len(fields) == 1 and fields[0].endswith(SYNC_MARK):
                    self.check_sync_line(line)
                    continue
                break
            assert strip_index(line) == strip_index(describe_message(0, frames)), (
                f"expected {frames!r:.200}, got {line!r}"
            )

    def marker(self, topic: bytes) -> None:
        """Publishes a marker on ``topic`` (subscribed) and waits for it: everything
        published before it has been delivered or filtered out by then."""
        body = topic + b"#marker"
        self.pub.send(body)
        line = self.line(20)
        assert line_frames(line) == [body], line


def batch_messages(topics=TOPICS, rounds=10) -> list[list[bytes]]:
    return [[t + f"|{r}|x".encode()] for r in range(rounds) for t in topics]


@pytest.mark.parametrize("order", ["subscribe-after-connect", "subscribe-before-connect"])
@pytest.mark.parametrize("case", list(SUB_CASES))
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_libzmq_pub_to_ferromq_sub(order, case, side, ferromq_peer, zsocket):
    subs = SUB_CASES[case]
    pub = zsocket(zmq.PUB)
    extra = ["--subscribe-before-connect"] if order == "subscribe-before-connect" else []
    peer = start_ferromq_sub(ferromq_peer, pub, side, subs, extra)
    drv = SubDriver(peer, pub, subs)
    drv.sync()
    drv.batch(batch_messages())
    peer.close_stdin()
    assert peer.readline(timeout=20) == f"DONE {drv.index}"
    assert peer.wait(timeout=20) == 0, peer.stderr


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_libzmq_pub_multipart_to_ferromq_sub(side, ferromq_peer, zsocket, bind_ep):
    pub = zsocket(zmq.PUB)
    peer = start_ferromq_sub(ferromq_peer, pub, side, [b"A"], ep=bind_ep())
    drv = SubDriver(peer, pub, [b"A"])
    drv.sync()
    messages = []
    for r in range(5):
        for t in TOPICS:
            messages.append([t, f"{r}".encode(), b"", bytes(range(256)) * 4, b"x" * (1 << 20)])
    drv.batch(messages)
    drv.marker(b"A")


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_ferromq_sub_unsubscribe_stops_delivery(side, ferromq_peer, zsocket, bind_ep):
    pub = zsocket(zmq.PUB)
    peer = start_ferromq_sub(ferromq_peer, pub, side, [b"AB", b"C"], ep=bind_ep())
    drv = SubDriver(peer, pub, [b"AB", b"C"])
    drv.sync()
    drv.batch(batch_messages(rounds=3))
    peer.send_line("UNSUBSCRIBE " + b"AB".hex())
    assert drv.line() == "UNSUBSCRIBED 4142"
    drv.subs = [b"C"]
    drv.batch(batch_messages(rounds=10))  # only C may come now, AB messages are filtered
    drv.marker(b"C")
    peer.send_line("SUBSCRIBE " + b"AB".hex())
    assert drv.line() == "SUBSCRIBED 4142"
    drv.subs = [b"AB", b"C"]
    drv.sync()
    drv.batch(batch_messages(rounds=3))


def test_ferromq_sub_send_is_not_supported(ferromq_peer, zsocket):
    pub = zsocket(zmq.PUB)
    peer = start_ferromq_sub(ferromq_peer, pub, "ferromq-connects", [b"A"])
    peer.send_line("SEND 41")
    assert peer.readline() == f"ERROR send {ENOTSUP}"
    peer.assert_alive()


# ---------------------------------------------------------------------------------------
# ferromq SUB <-> libzmq XPUB: the subscriptions on the wire
# ---------------------------------------------------------------------------------------


def recv_sub_msgs(xpub: zmq.Socket, n: int) -> set[bytes]:
    got = set()
    for _ in range(n):
        try:
            got.add(xpub.recv())
        except zmq.Again:
            pytest.fail(f"libzmq XPUB got only {got} of {n} subscription messages")
    return got


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_libzmq_xpub_sees_ferromq_sub_subscriptions(side, ferromq_peer, zsocket, bind_ep):
    xpub = zsocket(zmq.XPUB)
    peer = start_ferromq_sub(ferromq_peer, xpub, side, [b"A", b"B"], ep=bind_ep())
    assert recv_sub_msgs(xpub, 2) == {b"\x01A", b"\x01B"}
    # Subscriptions made later travel too; the XPUB's filtering then lets C through.
    peer.send_line("SUBSCRIBE " + b"C".hex())
    assert peer.readline() == "SUBSCRIBED 43"
    assert xpub.recv() == b"\x01C"
    xpub.send(b"C-1")
    assert line_frames(peer.readline()) == [b"C-1"]
    # Unsubscribing sends the cancellation upstream.
    peer.send_line("UNSUBSCRIBE " + b"A".hex())
    assert peer.readline() == "UNSUBSCRIBED 41"
    assert xpub.recv() == b"\x00A"
    xpub.send(b"A-1")
    xpub.send(b"B-1")
    assert line_frames(peer.readline()) == [b"B-1"]


def test_ferromq_sub_refcounts_duplicate_subscriptions(ferromq_peer, zsocket):
    """libzmq semantics: subscribing twice needs two unsubscriptions; the cancellation goes
    upstream only when the last one is gone."""
    xpub = zsocket(zmq.XPUB)
    xpub.setsockopt(zmq.XPUB_VERBOSE, 1)
    peer = start_ferromq_sub(ferromq_peer, xpub, "ferromq-connects", [b"A"])
    assert xpub.recv() == b"\x01A"
    peer.send_line("SUBSCRIBE 41")
    assert peer.readline() == "SUBSCRIBED 41"
    peer.send_line("UNSUBSCRIBE 41")
    assert peer.readline() == "UNSUBSCRIBED 41"
    peer.send_line("SUBSCRIBE 5a")
    assert peer.readline() == "SUBSCRIBED 5a"
    got = []
    while got[-1:] != [b"\x01Z"]:
        got.append(xpub.recv())
    assert b"\x00A" not in got, f"cancelled upstream while still subscribed once: {got}"
    xpub.send(b"A-still")
    assert line_frames(peer.readline()) == [b"A-still"]
    peer.send_line("UNSUBSCRIBE 41")
    assert peer.readline() == "UNSUBSCRIBED 41"
    assert xpub.recv() == b"\x00A"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_ferromq_sub_resubscribes_on_reconnect(ferromq_peer, zctx, bind_ep):
    xpub = zctx.socket(zmq.XPUB)
    xpub.setsockopt(zmq.RCVTIMEO, 10_000)
    xpub.setsockopt(zmq.LINGER, 0)
    xpub.bind(bind_ep())
    endpoint = last_endpoint(xpub)
    peer = ferromq_peer(
        "sub", "--connect", endpoint, "--subscribe", "A", "--subscribe", "B",
        "--reconnect-ivl", "100", stdin=True,
    )
    assert peer.readline() == "READY"
    assert recv_sub_msgs(xpub, 2) == {b"\x01A", b"\x01B"}
    peer.send_line("UNSUBSCRIBE 41")
    assert peer.readline() == "UNSUBSCRIBED 41"
    assert xpub.recv() == b"\x00A"
    xpub.close()
    xpub2 = zctx.socket(zmq.XPUB)
    xpub2.setsockopt(zmq.RCVTIMEO, 10_000)
    xpub2.setsockopt(zmq.LINGER, 0)
    deadline = time.monotonic() + 10
    while True:  # the port may take a moment to be free again
        try:
            xpub2.bind(endpoint)
            break
        except zmq.ZMQError:
            assert time.monotonic() < deadline, "could not re-bind the XPUB endpoint"
            time.sleep(0.05)
    assert xpub2.recv() == b"\x01B", "ferromq SUB did not re-send its subscription"
    xpub2.send(b"A-x")
    xpub2.send(b"B-x")
    assert line_frames(peer.readline()) == [b"B-x"]
    xpub2.close()


# ---------------------------------------------------------------------------------------
# ferromq XPUB <- libzmq SUB / XSUB
# ---------------------------------------------------------------------------------------


def start_ferromq_xpub(ferromq_peer, *flags):
    peer = ferromq_peer("xpub", "--bind", "tcp://127.0.0.1:*", "--until-stdin-closes", *flags,
                        stdin=True)
    endpoint = peer.expect_endpoint()
    assert peer.readline() == "READY"
    return peer, endpoint


@pytest.mark.parametrize("mode", ["plain", "verbose", "verboser"])
def test_ferromq_xpub_sees_libzmq_subscriptions(mode, ferromq_peer, zsocket):
    flags = {"plain": [], "verbose": ["--verbose"], "verboser": ["--verbose", "--verboser"]}[mode]
    peer, endpoint = start_ferromq_xpub(ferromq_peer, *flags)
    s1, s2 = zsocket(zmq.SUB), zsocket(zmq.SUB)
    s1.connect(endpoint)
    s2.connect(endpoint)
    s1.setsockopt(zmq.SUBSCRIBE, b"A")
    assert peer.readline() == "SUB 41"
    # A second subscriber to the same topic: reported only in verbose modes. The marker
    # subscription (Z) on the same connection shows the duplicate has been processed.
    s2.setsockopt(zmq.SUBSCRIBE, b"A")
    s2.setsockopt(zmq.SUBSCRIBE, b"Z")
    if mode != "plain":
        assert peer.readline() == "SUB 41"
    assert peer.readline() == "SUB 5a"
    # s2 drops A while s1 still has it: reported only with verboser.
    s2.setsockopt(zmq.UNSUBSCRIBE, b"A")
    s2.setsockopt(zmq.UNSUBSCRIBE, b"Z")
    if mode == "verboser":
        assert peer.readline() == "UNSUB 41"
    assert peer.readline() == "UNSUB 5a"
    # The XPUB publishes: only s1 is subscribed to A.
    peer.send_line("SEND " + b"A-1".hex())
    assert peer.readline() == "SENT"
    assert s1.recv() == b"A-1"
    assert s2.poll(200) == 0
    # s1 goes away: its subscriptions are cancelled by the XPUB itself.
    s1.close()
    assert peer.readline() == "UNSUB 41"
    s2.setsockopt(zmq.SUBSCRIBE, b"")
    assert peer.readline() == "SUB -"
    peer.close_stdin()
    assert peer.readline().startswith("DONE ")
    assert peer.wait(timeout=20) == 0, peer.stderr


def test_ferromq_xpub_publishes_by_subscription(ferromq_peer, zsocket):
    peer, endpoint = start_ferromq_xpub(ferromq_peer)
    sub = zsocket(zmq.SUB)
    sub.connect(endpoint)
    sub.setsockopt(zmq.SUBSCRIBE, b"A")
    assert peer.readline() == "SUB 41"
    xsub = zsocket(zmq.XSUB)
    xsub.connect(endpoint)
    xsub.send(b"\x01B")
    assert peer.readline() == "SUB 42"
    for body in [b"B-0", b"A-0", b"C-0", b"AB-0", b"B-1"]:
        peer.send_line("SEND " + body.hex())
        assert peer.readline() == "SENT"
    # Multipart: filtered on the first frame, delivered whole.
    peer.send_line("SEND " + " ".join(hexarg(x) for x in [b"A", b"", b"tail"]))
    assert peer.readline() == "SENT"
    assert sub.recv_multipart() == [b"A-0"]
    assert sub.recv_multipart() == [b"AB-0"]
    assert sub.recv_multipart() == [b"A", b"", b"tail"]
    assert xsub.recv_multipart() == [b"B-0"]
    assert xsub.recv_multipart() == [b"B-1"]
    assert sub.poll(200) == 0 and xsub.poll(0) == 0
    # A data message from the XSUB that is not a subscription reaches the XPUB's user.
    # (MSG indexes count every message received, subscriptions included.)
    xsub.send(b"hello")
    assert peer.readline() == describe_message(2, [b"hello"])


# ---------------------------------------------------------------------------------------
# ferromq XSUB -> libzmq XPUB
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_ferromq_xsub_to_libzmq_xpub(side, ferromq_peer, zsocket, bind_ep):
    xpub = zsocket(zmq.XPUB)
    common = ["--subscribe", "A", "--until-stdin-closes", "--timeout-ms", "30000"]
    if side == "ferromq-binds":
        peer = ferromq_peer("xsub", "--bind", bind_ep(), *common, stdin=True)
        endpoint = peer.expect_endpoint()
        assert peer.readline() == "READY"
        xpub.connect(endpoint)  # the subscription made before must be replayed to it
    else:
        xpub.bind(bind_ep())
        peer = ferromq_peer("xsub", "--connect", last_endpoint(xpub), *common, stdin=True)
        assert peer.readline() == "READY"
    assert xpub.recv() == b"\x01A"
    for body in [b"B-0", b"A-0", b"AB-0"]:
        xpub.send(body)
    assert peer.readline() == describe_message(0, [b"A-0"])
    assert peer.readline() == describe_message(1, [b"AB-0"])
    peer.send_line("SUBSCRIBE 42")
    assert peer.readline() == "SUBSCRIBED 42"
    assert xpub.recv() == b"\x01B"
    peer.send_line("UNSUBSCRIBE 41")
    assert peer.readline() == "UNSUBSCRIBED 41"
    assert xpub.recv() == b"\x00A"
    for body in [b"A-1", b"B-1"]:
        xpub.send(body)
    assert peer.readline() == describe_message(2, [b"B-1"])
    # Plain data upstream (not a subscription) reaches libzmq's XPUB user.
    peer.send_line("SEND " + b"hello".hex())
    assert peer.readline() == "SENT"
    assert xpub.recv() == b"hello"
    peer.close_stdin()
    assert peer.readline(timeout=20) == "DONE 3"
    assert peer.wait(timeout=20) == 0, peer.stderr
