"""ROUTER and PAIR between ferromq (the ferromq-peer binary) and libzmq (pyzmq).

ROUTER: libzmq DEALER/REQ -> ferromq ROUTER (the routing id ferromq reports is the announced
ZMQ_ROUTING_ID, else a generated 5-byte id starting with 0x00, and replies are routed back
by it), ferromq DEALER/REQ with ZMQ_ROUTING_ID -> libzmq ROUTER, ferromq ROUTER with
ZMQ_CONNECT_ROUTING_ID connecting to a libzmq DEALER or ROUTER, ZMQ_ROUTER_MANDATORY
(EHOSTUNREACH = 113 for an unknown id), ZMQ_ROUTER_HANDOVER and the refusal of a duplicate
routing id without it. PAIR: both directions, both bind/connect roles, multipart, and a
second libzmq PAIR connecting to a bound ferromq PAIR is not served.

The ferromq side runs with ``--commands`` (``SEND``/``RECV``/``TRYRECV``) or in its echo
mode; every ``MSG`` line it prints is parsed back into frames and compared exactly. Every
wait is bounded: pyzmq sockets have RCVTIMEO/SNDTIMEO, peer output is read with timeouts,
and the few "this must never arrive" checks wait a bounded time after a positive event
that proves the connection in question was already handled.
"""

from __future__ import annotations

import time

import pytest
import zmq
from zmq.utils.monitor import recv_monitor_message

from peerlib import TCP_ANY, TRANSPORTS, describe_message

FERROMQ_SIDES = ["ferromq-binds", "ferromq-connects"]
TIMEOUT_MS = "20000"
EHOSTUNREACH = 113
EAGAIN = 11
# How long "this message must never arrive" checks wait, once the connection that could
# deliver it is known to have been dealt with (handshake done, later traffic delivered).
ABSENCE_MS = 500


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def last_endpoint(sock: zmq.Socket) -> str:
    return sock.getsockopt(zmq.LAST_ENDPOINT).decode()


def hexarg(frame: bytes) -> str:
    return frame.hex() if frame else "-"


def parse_msg(line: str) -> list[bytes]:
    """Frames of a ``MSG <i> <n> <len>:<hex>...`` line (all frames must be <= 32 bytes)."""
    words = line.split(" ")
    assert words[0] == "MSG", f"expected a MSG line, got {line!r}"
    n = int(words[2])
    frames = []
    for w in words[3:]:
        length, _, body = w.partition(":")
        assert not body.startswith("crc="), f"frame too long to compare: {line!r}"
        frame = bytes.fromhex(body)
        assert len(frame) == int(length), line
        frames.append(frame)
    assert len(frames) == n, line
    return frames


class Cmd:
    """Drives a ``ferromq-peer ... --commands`` process."""

    def __init__(self, peer):
        self.peer = peer

    def send(self, frames: list[bytes]) -> str:
        """Sends one message; returns the answer (``SENT`` or ``ERROR send <errno>``)."""
        self.peer.send_line("SEND " + " ".join(hexarg(f) for f in frames))
        return self.peer.readline(timeout=20)

    def send_ok(self, frames: list[bytes]) -> None:
        answer = self.send(frames)
        assert answer == "SENT", f"send {frames!r}: {answer}; stderr:\n{self.peer.stderr}"

    def recv(self) -> list[bytes]:
        self.peer.send_line("RECV")
        line = self.peer.readline(timeout=30)
        assert line.startswith("MSG "), f"RECV answered {line!r}; stderr:\n{self.peer.stderr}"
        return parse_msg(line)

    def expect_nothing(self, ms: int = ABSENCE_MS) -> None:
        """A receive waiting ``ms`` milliseconds must time out (EAGAIN)."""
        self.peer.send_line(f"RECV {ms}")
        line = self.peer.readline(timeout=ms / 1000 + 20)
        assert line == f"ERROR recv {EAGAIN}", f"unexpected message: {line!r}"

    def stop(self) -> None:
        self.peer.send_line("STOP")
        line = self.peer.readline(timeout=20)
        assert line.startswith("DONE "), line
        assert self.peer.wait(timeout=20) == 0, self.peer.stderr


def start(ferromq_peer, role, side, zsock, *args, stdin=True, ep=TCP_ANY):
    """Starts ``ferromq-peer role`` bound or connected to ``zsock`` (the binding side binds
    ``ep``); waits for READY."""
    if side == "ferromq-binds":
        peer = ferromq_peer(role, "--bind", ep, *args, stdin=stdin)
        zsock.connect(peer.expect_endpoint())
    else:
        zsock.bind(ep)
        peer = ferromq_peer(role, "--connect", last_endpoint(zsock), *args, stdin=stdin)
    assert peer.readline() == "READY"
    return peer


def start_cmd(ferromq_peer, role, side, zsock, *args, ep=TCP_ANY) -> Cmd:
    return Cmd(start(ferromq_peer, role, side, zsock, "--commands", "--timeout-ms", TIMEOUT_MS,
                     *args, ep=ep))


def bound_cmd(ferromq_peer, role, *args) -> tuple[Cmd, str]:
    """A ferromq peer in --commands mode bound to a loopback port; (driver, endpoint)."""
    peer = ferromq_peer(role, "--bind", "tcp://127.0.0.1:*", "--commands", "--timeout-ms",
                        TIMEOUT_MS, *args, stdin=True)
    endpoint = peer.expect_endpoint()
    assert peer.readline() == "READY"
    return Cmd(peer), endpoint


def recv_or_fail(sock: zmq.Socket, what: str, peer=None) -> list[bytes]:
    try:
        return sock.recv_multipart()
    except zmq.Again:
        extra = f"; ferromq-peer stderr:\n{peer.stderr}" if peer is not None else ""
        pytest.fail(f"pyzmq timed out waiting for {what}{extra}")


def assert_nothing(sock: zmq.Socket, what: str, ms: int = ABSENCE_MS) -> None:
    if sock.poll(ms, zmq.POLLIN):
        pytest.fail(f"{what} received {sock.recv_multipart(zmq.NOBLOCK)!r}")


def monitor(sock: zmq.Socket) -> zmq.Socket:
    """A monitor socket for ``sock`` (create before connecting to see every event)."""
    mon = sock.get_monitor_socket()
    mon.setsockopt(zmq.RCVTIMEO, 1000)
    return mon


def wait_event(mon: zmq.Socket, wanted: set[int], timeout_s: float = 10.0) -> int:
    """Waits (bounded) for one of the ``wanted`` monitor events and returns it."""
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        if not mon.poll(int(max(1, (deadline - time.monotonic()) * 1000))):
            break
        event = recv_monitor_message(mon)["event"]
        seen.append(event)
        if event in wanted:
            return event
    pytest.fail(f"none of the monitor events {sorted(wanted)} within {timeout_s} s; saw {seen}")


HANDSHAKE_DONE_OR_REFUSED = {
    zmq.EVENT_HANDSHAKE_SUCCEEDED,
    zmq.EVENT_DISCONNECTED,
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL,
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
}


def dealer(zsocket, routing_id: bytes | None = None, reconnect: bool = True) -> zmq.Socket:
    s = zsocket(zmq.DEALER)
    if routing_id is not None:
        s.setsockopt(zmq.ROUTING_ID, routing_id)
    if not reconnect:
        s.setsockopt(zmq.RECONNECT_IVL, -1)
    return s


def check_generated(rid: bytes) -> None:
    assert len(rid) == 5 and rid[0] == 0, f"not a generated routing id: {rid.hex()}"


# Multipart bodies (with empty frames) exchanged in the ROUTER and PAIR tests.
BODIES = [
    [b"hello"],
    [b"a", b"", b"bc"],
    [b""],
    [b"", b"x" * 32, b""],
    [bytes(range(20)), b"end"],
]


# ---------------------------------------------------------------------------------------
# libzmq DEALER / REQ -> ferromq ROUTER
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("with_id", [True, False], ids=["routing-id", "generated-id"])
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_libzmq_dealer_to_ferromq_router(side, with_id, ferromq_peer, zsocket, bind_ep):
    d = dealer(zsocket, b"dealer-A" if with_id else None)
    router = start_cmd(ferromq_peer, "router", side, d, ep=bind_ep())
    rid = None
    for m, body in enumerate(BODIES):
        d.send_multipart(body)
        got = router.recv()
        if rid is None:
            rid = got[0]
            if with_id:
                assert rid == b"dealer-A"
            else:
                check_generated(rid)
        assert got == [rid, *body], f"message {m}: {got!r}"
        reply = [f"reply-{m}".encode(), *body]
        router.send_ok([rid, *reply])
        assert recv_or_fail(d, f"reply {m}", router.peer) == reply
    router.stop()


def test_two_libzmq_dealers_routed_by_id(ferromq_peer, zsocket):
    """Replies go to the dealer whose id heads them, whatever order they are sent in."""
    router, endpoint = bound_cmd(ferromq_peer, "router")
    named = dealer(zsocket, b"\x01named")
    anon = dealer(zsocket)
    named.connect(endpoint)
    anon.connect(endpoint)
    named.send_multipart([b"from-named"])
    anon.send_multipart([b"from-anon"])
    ids = {}
    for _ in range(2):
        got = router.recv()
        assert len(got) == 2, got
        ids[got[1]] = got[0]
    assert ids[b"from-named"] == b"\x01named"
    check_generated(ids[b"from-anon"])
    for round_ in range(3):
        router.send_ok([ids[b"from-anon"], b"to-anon", str(round_).encode()])
        router.send_ok([ids[b"from-named"], b"to-named", str(round_).encode()])
    for round_ in range(3):
        assert recv_or_fail(named, "reply", router.peer) == [b"to-named", str(round_).encode()]
        assert recv_or_fail(anon, "reply", router.peer) == [b"to-anon", str(round_).encode()]
    assert_nothing(named, "named dealer")
    assert_nothing(anon, "anonymous dealer")
    router.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_libzmq_dealer_to_ferromq_router_echo(side, ferromq_peer, zsocket, bind_ep):
    """ferromq-peer router's echo mode: every request goes back to its sender unchanged."""
    count = 40
    d = dealer(zsocket, b"echo-client")
    peer = start(ferromq_peer, "router", side, d, "--count", str(count), "--timeout-ms",
                 TIMEOUT_MS, stdin=False, ep=bind_ep())
    sent = [[f"req-{m}".encode(), *BODIES[m % len(BODIES)]] for m in range(count)]
    for body in sent:
        d.send_multipart(body)
    for m, body in enumerate(sent):
        assert recv_or_fail(d, f"echo {m}", peer) == body
        assert peer.readline(timeout=20) == describe_message(m, [b"echo-client", *body])
    assert peer.readline(timeout=20) == f"DONE {count}"
    assert peer.wait(timeout=20) == 0, peer.stderr


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("with_id", [True, False], ids=["routing-id", "generated-id"])
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_libzmq_req_to_ferromq_router(side, with_id, ferromq_peer, zsocket, bind_ep):
    """A REQ's request arrives as [id, "", body...]; the reply [id, "", reply...] is
    delivered to the REQ as reply...."""
    req = zsocket(zmq.REQ)
    if with_id:
        req.setsockopt(zmq.ROUTING_ID, b"REQ-1")
    router = start_cmd(ferromq_peer, "router", side, req, ep=bind_ep())
    rid = None
    for m, body in enumerate(BODIES):
        req.send_multipart(body)
        got = router.recv()
        if rid is None:
            rid = got[0]
            if with_id:
                assert rid == b"REQ-1"
            else:
                check_generated(rid)
        assert got == [rid, b"", *body], f"request {m}: {got!r}"
        reply = [f"ok-{m}".encode(), *body]
        router.send_ok([rid, b"", *reply])
        assert recv_or_fail(req, f"reply {m}", router.peer) == reply
    router.stop()


# ---------------------------------------------------------------------------------------
# ferromq DEALER / REQ with ZMQ_ROUTING_ID -> libzmq ROUTER
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_ferromq_dealer_routing_id_seen_by_libzmq_router(side, ferromq_peer, zsocket, bind_ep):
    r = zsocket(zmq.ROUTER)
    d = start_cmd(ferromq_peer, "dealer", side, r, "--routing-id", "ferro-dealer", ep=bind_ep())
    for m, body in enumerate(BODIES):
        d.send_ok(body)
        got = recv_or_fail(r, f"message {m}", d.peer)
        assert got == [b"ferro-dealer", *body], f"message {m}: {got!r}"
        reply = [f"back-{m}".encode(), *body]
        r.send_multipart([b"ferro-dealer", *reply])
        assert d.recv() == reply
    d.stop()


def test_ferromq_dealer_binary_routing_id(ferromq_peer, zsocket):
    """A 255-byte binary routing id (the maximum) survives the handshake."""
    rid = bytes((i % 255) + 1 for i in range(255))
    r = zsocket(zmq.ROUTER)
    d = start_cmd(ferromq_peer, "dealer", "ferromq-connects", r, "--routing-id-hex", rid.hex())
    d.send_ok([b"x"])
    assert recv_or_fail(r, "message", d.peer) == [rid, b"x"]
    r.send_multipart([rid, b"y"])
    assert d.recv() == [b"y"]
    d.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_ferromq_req_routing_id_seen_by_libzmq_router(side, ferromq_peer, zsocket, bind_ep):
    r = zsocket(zmq.ROUTER)
    req = start_cmd(ferromq_peer, "req", side, r, "--routing-id", "ferro-req", ep=bind_ep())
    for m in range(3):
        req.send_ok([f"q{m}".encode()])
        assert recv_or_fail(r, f"request {m}", req.peer) == [b"ferro-req", b"", f"q{m}".encode()]
        r.send_multipart([b"ferro-req", b"", f"a{m}".encode()])
        assert req.recv() == [f"a{m}".encode()]
    req.stop()


def test_ferromq_dealer_to_ferromq_router(ferromq_peer):
    """Both ends ferromq: the announced id, and a second dealer with a generated one."""
    router, endpoint = bound_cmd(ferromq_peer, "router")
    named = ferromq_peer("dealer", "--connect", endpoint, "--commands", "--routing-id", "N",
                         "--timeout-ms", TIMEOUT_MS, stdin=True)
    anon = ferromq_peer("dealer", "--connect", endpoint, "--commands", "--timeout-ms",
                        TIMEOUT_MS, stdin=True)
    assert named.readline() == "READY" and anon.readline() == "READY"
    named, anon = Cmd(named), Cmd(anon)
    named.send_ok([b"n", b""])
    got = router.recv()
    assert got == [b"N", b"n", b""]
    anon.send_ok([b"a"])
    got = router.recv()
    check_generated(got[0])
    assert got[1:] == [b"a"]
    router.send_ok([got[0], b"to-anon"])
    router.send_ok([b"N", b"to-named", b""])
    assert anon.recv() == [b"to-anon"]
    assert named.recv() == [b"to-named", b""]
    for c in (router, named, anon):
        c.stop()


# ---------------------------------------------------------------------------------------
# ZMQ_CONNECT_ROUTING_ID
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["dealer", "router"])
def test_ferromq_router_connect_routing_id(target, ferromq_peer, zsocket):
    """The connected peer is addressable by the CONNECT_ROUTING_ID at once (with
    ROUTER_MANDATORY, a send before the handshake must not fail), and its messages arrive
    under that id rather than the one it announces."""
    kind = zmq.DEALER if target == "dealer" else zmq.ROUTER
    z = zsocket(kind)
    z.setsockopt(zmq.ROUTING_ID, b"announced")
    z.bind("tcp://127.0.0.1:*")
    peer = ferromq_peer(
        "router", "--routing-id", "F", "--connect-routing-id", "backend", "--connect",
        last_endpoint(z), "--mandatory", "--commands", "--timeout-ms", TIMEOUT_MS, stdin=True,
    )
    assert peer.readline() == "READY"
    router = Cmd(peer)
    router.send_ok([b"backend", b"first", b""])
    prefix = [b"F"] if target == "router" else []
    assert recv_or_fail(z, "first message", peer) == [*prefix, b"first", b""]
    z.send_multipart([*prefix, b"answer", b"2"])
    assert router.recv() == [b"backend", b"answer", b"2"]
    answer = router.send([b"announced", b"x"])
    assert answer == f"ERROR send {EHOSTUNREACH}", f"the announced id must not route: {answer}"
    router.stop()


def test_ferromq_router_connect_routing_ids_for_two_peers(ferromq_peer, zsocket):
    """Two connects, each with its own CONNECT_ROUTING_ID; the first connect has none, so
    its peer is known by the id it announces."""
    ds = [dealer(zsocket, f"D{i}".encode()) for i in range(3)]
    for d in ds:
        d.bind("tcp://127.0.0.1:*")
    peer = ferromq_peer(
        "router", "--connect", last_endpoint(ds[0]),
        "--connect-routing-id", "one", "--connect", last_endpoint(ds[1]),
        "--connect-routing-id-hex", "ff02", "--connect", last_endpoint(ds[2]),
        "--commands", "--timeout-ms", TIMEOUT_MS, stdin=True,
    )
    assert peer.readline() == "READY"
    router = Cmd(peer)
    names = [b"one", b"\xff\x02"]
    for i in range(2):
        router.send_ok([names[i], f"to-{i + 1}".encode()])
    for i in range(2):
        assert recv_or_fail(ds[i + 1], f"message for dealer {i + 1}", peer) == [
            f"to-{i + 1}".encode()
        ]
    # Dealer 0's id is only known once its handshake is done: learn it from a message.
    ds[0].send_multipart([b"hi"])
    assert router.recv() == [b"D0", b"hi"]
    router.send_ok([b"D0", b"to-0"])
    assert recv_or_fail(ds[0], "message for dealer 0", peer) == [b"to-0"]
    for i, d in enumerate(ds[1:]):
        d.send_multipart([f"from-{i + 1}".encode()])
    got = sorted(tuple(router.recv()) for _ in range(2))
    assert got == [(b"one", b"from-1"), (b"\xff\x02", b"from-2")]
    router.stop()


# ---------------------------------------------------------------------------------------
# ZMQ_ROUTER_MANDATORY
# ---------------------------------------------------------------------------------------


def test_router_mandatory_unknown_id(ferromq_peer, zsocket):
    router, endpoint = bound_cmd(ferromq_peer, "router", "--mandatory")
    assert router.send([b"nobody", b"x"]) == f"ERROR send {EHOSTUNREACH}"
    d = dealer(zsocket, b"known")
    d.connect(endpoint)
    d.send_multipart([b"hi"])
    assert router.recv() == [b"known", b"hi"]
    router.send_ok([b"known", b"ok"])
    assert recv_or_fail(d, "reply", router.peer) == [b"ok"]
    assert router.send([b"nobody", b"y"]) == f"ERROR send {EHOSTUNREACH}"
    assert router.send([b"knowN", b"y"]) == f"ERROR send {EHOSTUNREACH}"
    # The failed sends left nothing half-built behind: the next message is whole.
    router.send_ok([b"known", b"after", b""])
    assert recv_or_fail(d, "reply", router.peer) == [b"after", b""]
    assert_nothing(d, "dealer")
    router.stop()


def test_router_mandatory_after_peer_left(ferromq_peer, zsocket):
    """Once a peer has disconnected, its id is unknown again: EHOSTUNREACH. ferromq
    notices the disconnection asynchronously, so sends are retried (each either SENT,
    i.e. dropped into a dying pipe, or 113) until a deadline."""
    router, endpoint = bound_cmd(ferromq_peer, "router", "--mandatory")
    d = dealer(zsocket, b"leaver")
    d.connect(endpoint)
    d.send_multipart([b"hi"])
    assert router.recv() == [b"leaver", b"hi"]
    d.close(linger=0)
    deadline = time.monotonic() + 10
    answer = None
    while time.monotonic() < deadline:
        answer = router.send([b"leaver", b"x"])
        if answer != "SENT":
            break
    assert answer == f"ERROR send {EHOSTUNREACH}", answer
    # A new peer may take the freed id (no handover needed).
    again = dealer(zsocket, b"leaver")
    again.connect(endpoint)
    again.send_multipart([b"back"])
    assert router.recv() == [b"leaver", b"back"]
    router.send_ok([b"leaver", b"welcome"])
    assert recv_or_fail(again, "welcome", router.peer) == [b"welcome"]
    router.stop()


def test_router_without_mandatory_drops_unroutable(ferromq_peer, zsocket):
    router, endpoint = bound_cmd(ferromq_peer, "router")
    d = dealer(zsocket, b"known")
    d.connect(endpoint)
    d.send_multipart([b"hi"])
    assert router.recv() == [b"known", b"hi"]
    router.send_ok([b"nobody", b"dropped"])
    router.send_ok([b"known", b"kept"])
    assert recv_or_fail(d, "reply", router.peer) == [b"kept"]
    assert_nothing(d, "dealer")
    router.stop()


# ---------------------------------------------------------------------------------------
# ZMQ_ROUTER_HANDOVER and duplicate routing ids
# ---------------------------------------------------------------------------------------


def test_router_handover(ferromq_peer, zsocket):
    router, endpoint = bound_cmd(ferromq_peer, "router", "--handover")
    # No reconnection for the first dealer: if ferromq closes it, it must not come back
    # and take the id over again.
    first = dealer(zsocket, b"W", reconnect=False)
    first.connect(endpoint)
    first.send_multipart([b"a1"])
    assert router.recv() == [b"W", b"a1"]
    router.send_ok([b"W", b"to-first"])
    assert recv_or_fail(first, "reply", router.peer) == [b"to-first"]

    second = dealer(zsocket, b"W")
    second.connect(endpoint)
    second.send_multipart([b"b1"])
    assert router.recv() == [b"W", b"b1"]
    router.send_ok([b"W", b"to-second"])
    assert recv_or_fail(second, "reply", router.peer) == [b"to-second"]
    assert_nothing(first, "the dealer whose id was taken over")

    # The first dealer is no longer served: its messages never appear, the second's do.
    # (If ferromq closed its connection, it has no pipe left and cannot even queue it.)
    try:
        first.send_multipart([b"a2"], zmq.NOBLOCK)
    except zmq.Again:
        pass
    second.send_multipart([b"b2"])
    assert router.recv() == [b"W", b"b2"]
    router.expect_nothing()
    router.stop()


def test_router_duplicate_id_refused_without_handover(ferromq_peer, zsocket):
    router, endpoint = bound_cmd(ferromq_peer, "router")
    first = dealer(zsocket, b"W")
    first.connect(endpoint)
    first.send_multipart([b"a1"])
    assert router.recv() == [b"W", b"a1"]

    second = dealer(zsocket, b"W")
    mon = monitor(second)
    second.connect(endpoint)
    second.send_multipart([b"b1"])
    wait_event(mon, HANDSHAKE_DONE_OR_REFUSED)

    # The first keeps working, in both directions; the second's messages never appear.
    first.send_multipart([b"a2"])
    assert router.recv() == [b"W", b"a2"]
    router.send_ok([b"W", b"to-W"])
    assert recv_or_fail(first, "reply", router.peer) == [b"to-W"]
    router.expect_nothing()
    assert_nothing(second, "the refused dealer", ms=100)
    router.stop()


# ---------------------------------------------------------------------------------------
# PAIR
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_pair_both_directions(side, ferromq_peer, zsocket, bind_ep):
    p = zsocket(zmq.PAIR)
    pair = start_cmd(ferromq_peer, "pair", side, p, ep=bind_ep())
    # ferromq speaks first, then libzmq, then alternating batches.
    for m, body in enumerate(BODIES):
        pair.send_ok(body)
        assert recv_or_fail(p, f"message {m} from ferromq", pair.peer) == body
    for m, body in enumerate(BODIES):
        p.send_multipart(body)
        assert pair.recv() == body, f"message {m} from libzmq"
    for body in BODIES:
        p.send_multipart([b"z", *body])
        pair.send_ok([b"f", *body])
    for body in BODIES:
        assert pair.recv() == [b"z", *body]
        assert recv_or_fail(p, "batched message", pair.peer) == [b"f", *body]
    pair.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_pair_echo(side, ferromq_peer, zsocket, bind_ep):
    count = 30
    p = zsocket(zmq.PAIR)
    peer = start(ferromq_peer, "pair", side, p, "--count", str(count), "--reply-prefix", "P",
                 "--timeout-ms", TIMEOUT_MS, stdin=False, ep=bind_ep())
    sent = [[str(m).encode(), *BODIES[m % len(BODIES)]] for m in range(count)]
    for body in sent:
        p.send_multipart(body)
    for m, body in enumerate(sent):
        assert recv_or_fail(p, f"echo {m}", peer) == [b"P", *body]
        assert peer.readline(timeout=20) == describe_message(m, body)
    assert peer.readline(timeout=20) == f"DONE {count}"
    assert peer.wait(timeout=20) == 0, peer.stderr


def test_ferromq_pair_to_ferromq_pair(ferromq_peer):
    a, endpoint = bound_cmd(ferromq_peer, "pair")
    b = ferromq_peer("pair", "--connect", endpoint, "--commands", "--timeout-ms", TIMEOUT_MS,
                     stdin=True)
    assert b.readline() == "READY"
    b = Cmd(b)
    for body in BODIES:
        a.send_ok(body)
        b.send_ok([b"r", *body])
    for body in BODIES:
        assert b.recv() == body
        assert a.recv() == [b"r", *body]
    a.stop()
    b.stop()


def test_second_libzmq_pair_not_served(ferromq_peer, zsocket):
    pair, endpoint = bound_cmd(ferromq_peer, "pair")
    first = zsocket(zmq.PAIR)
    first.connect(endpoint)
    first.send_multipart([b"first", b"1"])
    assert pair.recv() == [b"first", b"1"]

    intruder = zsocket(zmq.PAIR)
    mon = monitor(intruder)
    intruder.connect(endpoint)
    # libzmq's connecting PAIR has its pipe at once, so this queues without blocking.
    intruder.send_multipart([b"intruder"])
    wait_event(mon, HANDSHAKE_DONE_OR_REFUSED)

    first.send_multipart([b"first", b"2"])
    assert pair.recv() == [b"first", b"2"]
    pair.send_ok([b"to-first"])
    assert recv_or_fail(first, "message from ferromq", pair.peer) == [b"to-first"]
    pair.expect_nothing()
    assert_nothing(intruder, "the second PAIR", ms=100)
    pair.stop()


def test_pair_serves_a_new_peer_after_the_first_left(ferromq_peer, zsocket):
    """Once the first PAIR is gone, a new one is served (libzmq's pair_t forgets its pipe
    when it terminates). ferromq may only notice the disconnection after the newcomer
    arrived and refuse that first attempt, so the newcomer keeps sending numbered probes
    (libzmq reconnects by itself) until one arrives; bounded by a deadline."""
    pair, endpoint = bound_cmd(ferromq_peer, "pair")
    first = zsocket(zmq.PAIR)
    mon_first = monitor(first)
    first.connect(endpoint)
    wait_event(mon_first, {zmq.EVENT_HANDSHAKE_SUCCEEDED})
    first.send_multipart([b"hello"])
    assert pair.recv() == [b"hello"]
    first.close(linger=0)

    newcomer = zsocket(zmq.PAIR)
    newcomer.setsockopt(zmq.RECONNECT_IVL, 50)
    newcomer.connect(endpoint)
    deadline = time.monotonic() + 15
    got = None
    k = 0
    while got is None and time.monotonic() < deadline:
        newcomer.send_multipart([b"probe", str(k).encode()], zmq.NOBLOCK)
        k += 1
        pair.peer.send_line("RECV 100")
        line = pair.peer.readline(timeout=20)
        if line.startswith("MSG "):
            got = parse_msg(line)
        else:
            assert line == f"ERROR recv {EAGAIN}", line
    assert got is not None and got[0] == b"probe", f"newcomer never served; got {got!r}"
    pair.send_ok([b"welcome"])
    assert recv_or_fail(newcomer, "welcome", pair.peer) == [b"welcome"]
