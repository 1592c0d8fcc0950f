"""Interop with real pyzmq (libzmq) in the same process: every pattern, both libraries
on both sides, over tcp and ipc."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from typing import Any, Iterator

import pytest

import ferromq

pyzmq = pytest.importorskip("zmq")

_dir = tempfile.mkdtemp(prefix="ferromq-interop-")

# (bind type, connect type); both orders of every pattern.
PATTERNS = [
    ("PAIR", "PAIR"),
    ("PUSH", "PULL"),
    ("PULL", "PUSH"),
    ("REQ", "REP"),
    ("REP", "REQ"),
    ("DEALER", "ROUTER"),
    ("ROUTER", "DEALER"),
    ("DEALER", "REP"),
    ("REQ", "ROUTER"),
    ("DEALER", "DEALER"),
    ("PUB", "SUB"),
    ("SUB", "PUB"),
    ("XPUB", "SUB"),
    ("PUB", "XSUB"),
]


@pytest.fixture
def contexts() -> Iterator[tuple[Any, Any]]:
    f = ferromq.Context()
    p = pyzmq.Context()
    yield f, p
    f.destroy(linger=0)
    p.destroy(linger=0)


def _mk(lib: Any, ctx: Any, name: str) -> Any:
    s = ctx.socket(getattr(lib, name))
    s.linger = 0
    s.rcvtimeo = 5000
    s.sndtimeo = 5000
    return s


def _settle(pub: Any, sub: Any) -> None:
    """Waits until the subscription reached the publisher (condition, not a sleep)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pub.send(b"t:sync")
        if sub.poll(20):
            while sub.poll(50):
                sub.recv()
            return
    raise AssertionError("subscription never arrived")


def _converse(a: Any, a_type: str, b: Any, b_type: str) -> None:
    types = {a_type, b_type}
    if a_type == "PUSH" or b_type == "PUSH":
        push, pull = (a, b) if a_type == "PUSH" else (b, a)
        for i in range(50):
            push.send(b"%d" % i)
        assert [pull.recv() for _ in range(50)] == [b"%d" % i for i in range(50)]
        push.send_multipart([b"a", b"", b"c" * 70000])
        assert pull.recv_multipart() == [b"a", b"", b"c" * 70000]
        return
    if types & {"PUB", "XPUB"}:
        pub, sub = (a, b) if a_type in ("PUB", "XPUB") else (b, a)
        sub_t = b_type if pub is a else a_type
        if sub_t == "XSUB":
            sub.send(b"\x01t:")
        else:
            sub.setsockopt(getattr(ferromq, "SUBSCRIBE"), b"t:")
        pub_t = a_type if pub is a else b_type
        if pub_t == "XPUB":
            assert pub.recv() == b"\x01t:"
        _settle(pub, sub)
        pub.send(b"x:dropped")
        pub.send_multipart([b"t:kept", b"2"])
        assert sub.recv_multipart() == [b"t:kept", b"2"]
        return
    if "REQ" in types or "REP" in types:
        client, server = (a, b) if a_type in ("REQ", "DEALER") and b_type in ("REP", "ROUTER") else (b, a)
        c_t = a_type if client is a else b_type
        s_t = b_type if client is a else a_type
        for i in range(5):
            body = b"req %d" % i
            if c_t == "DEALER":
                client.send_multipart([b"", body])
            else:
                client.send(body)
            if s_t == "ROUTER":
                parts = server.recv_multipart()
                assert parts[-1] == body and parts[-2] == b""
                server.send_multipart(parts[:-1] + [b"rep %d" % i])
            else:
                assert server.recv() == body
                server.send(b"rep %d" % i)
            if c_t == "DEALER":
                assert client.recv_multipart() == [b"", b"rep %d" % i]
            else:
                assert client.recv() == b"rep %d" % i
        return
    if types == {"DEALER", "ROUTER"}:
        dealer, router = (a, b) if a_type == "DEALER" else (b, a)
        dealer.send_multipart([b"hello", b"there"])
        ident, *rest = router.recv_multipart()
        assert rest == [b"hello", b"there"]
        router.send_multipart([ident, b"back"])
        assert dealer.recv_multipart() == [b"back"]
        return
    # PAIR/PAIR, DEALER/DEALER
    a.send(b"ping")
    assert b.recv() == b"ping"
    b.send_multipart([b"pong", b"2"])
    assert a.recv_multipart() == [b"pong", b"2"]


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("ferro_binds", [True, False], ids=["ferromq-binds", "pyzmq-binds"])
@pytest.mark.parametrize("bind_type,connect_type", PATTERNS, ids=[f"{a}-{b}" for a, b in PATTERNS])
def test_interop(contexts: tuple[Any, Any], transport: str, ferro_binds: bool, bind_type: str, connect_type: str) -> None:
    fctx, pctx = contexts
    (blib, bctx), (clib, cctx) = ((ferromq, fctx), (pyzmq, pctx)) if ferro_binds else ((pyzmq, pctx), (ferromq, fctx))
    bound = _mk(blib, bctx, bind_type)
    conn = _mk(clib, cctx, connect_type)
    if transport == "tcp":
        bound.bind("tcp://127.0.0.1:0")
    else:
        bound.bind(f"ipc://{os.path.join(_dir, uuid.uuid4().hex[:12])}")
    url = bound.last_endpoint.decode()
    conn.connect(url)
    _converse(bound, bind_type, conn, connect_type)


def test_sub_sends_every_subscribe_to_a_verbose_pyzmq_xpub(contexts: tuple[Any, Any]) -> None:
    """libzmq's SUB forwards each SUBSCRIBE (XPUB_VERBOSE sees duplicates) and only the
    last UNSUBSCRIBE of a topic."""
    f, p = contexts
    xpub = _mk(pyzmq, p, "XPUB")
    xpub.setsockopt(pyzmq.XPUB_VERBOSER, 1)
    xpub.bind("tcp://127.0.0.1:0")
    sub = _mk(ferromq, f, "SUB")
    sub.connect(xpub.last_endpoint.decode())
    for _ in range(3):
        sub.setsockopt(ferromq.SUBSCRIBE, b"A")
    sub.setsockopt(ferromq.UNSUBSCRIBE, b"A")
    sub.setsockopt(ferromq.UNSUBSCRIBE, b"A")
    sub.setsockopt(ferromq.UNSUBSCRIBE, b"A")
    sub.setsockopt(ferromq.SUBSCRIBE, b"end")
    seen = []
    while not seen or seen[-1] != b"\x01end":
        seen.append(xpub.recv())
    assert seen == [b"\x01A", b"\x01A", b"\x01A", b"\x00A", b"\x01end"]
