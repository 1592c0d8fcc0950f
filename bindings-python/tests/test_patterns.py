"""Every socket pattern over inproc, tcp and ipc."""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest

import ferromq as zmq
from conftest import TRANSPORTS

Pair = Callable[..., tuple[zmq.Socket, zmq.Socket]]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pair(pair: Pair, transport: str) -> None:
    a, b = pair(zmq.PAIR, zmq.PAIR, transport)
    b.send(b"ping")
    assert a.recv() == b"ping"
    a.send_multipart([b"x", b"", b"z" * 1000])
    assert b.recv_multipart() == [b"x", b"", b"z" * 1000]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_push_pull(pair: Pair, transport: str) -> None:
    pull, push = pair(zmq.PULL, zmq.PUSH, transport)
    for i in range(100):
        push.send(b"%d" % i)
    assert [pull.recv() for _ in range(100)] == [b"%d" % i for i in range(100)]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_req_rep(pair: Pair, transport: str) -> None:
    rep, req = pair(zmq.REP, zmq.REQ, transport)
    for i in range(10):
        req.send_string(f"hello {i}")
        assert rep.recv_string() == f"hello {i}"
        rep.send_string(f"world {i}")
        assert req.recv_string() == f"world {i}"


def test_req_efsm(pair: Pair) -> None:
    rep, req = pair(zmq.REP, zmq.REQ, "inproc")
    with pytest.raises(zmq.ZMQError) as e:
        req.recv()
    assert e.value.errno == zmq.EFSM
    with pytest.raises(zmq.ZMQError) as e:
        rep.send(b"x")
    assert e.value.errno == zmq.EFSM
    req.send(b"a")
    with pytest.raises(zmq.ZMQError) as e:
        req.send(b"b")
    assert e.value.errno == zmq.EFSM


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_dealer_router(pair: Pair, transport: str) -> None:
    router, dealer = pair(zmq.ROUTER, zmq.DEALER, transport)
    dealer.send_multipart([b"", b"req"])
    ident, empty, body = router.recv_multipart()
    assert (empty, body) == (b"", b"req")
    router.send_multipart([ident, b"", b"rep"])
    assert dealer.recv_multipart() == [b"", b"rep"]


def test_router_identity(pair: Pair) -> None:
    router, dealer = pair(zmq.ROUTER, zmq.DEALER, "inproc")
    dealer2 = router.context.socket(zmq.DEALER)
    dealer2.linger = 0
    dealer2.identity = b"bob"
    assert dealer2.identity == b"bob"
    dealer2.connect(router.last_endpoint.decode())
    dealer2.send(b"hi")
    assert router.recv_multipart() == [b"bob", b"hi"]
    dealer2.close()


def _sub_sync(pub: zmq.Socket, sub: zmq.Socket, topic: bytes) -> None:
    """Publishes until the subscription is live (the slow-joiner condition, not a sleep)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pub.send(topic + b"sync")
        if sub.poll(20):
            sub.recv()
            while sub.poll(0):
                sub.recv()
            return
    raise AssertionError("subscription never arrived")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pub_sub(pair: Pair, transport: str) -> None:
    pub, sub = pair(zmq.PUB, zmq.SUB, transport)
    sub.subscribe("a")
    _sub_sync(pub, sub, b"a")
    pub.send(b"b filtered")
    pub.send(b"a kept")
    assert sub.recv() == b"a kept"
    with pytest.raises(zmq.Again):
        sub.recv(zmq.NOBLOCK)
    sub.unsubscribe(b"a")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_xpub_xsub(pair: Pair, transport: str) -> None:
    xpub, xsub = pair(zmq.XPUB, zmq.XSUB, transport)
    xsub.send(b"\x01top")
    assert xpub.recv() == b"\x01top"
    xpub.send(b"top msg")
    assert xsub.recv() == b"top msg"


def test_sub_attribute_subscribe(pair: Pair) -> None:
    pub, sub = pair(zmq.PUB, zmq.SUB, "inproc")
    sub.subscribe = "x"  # type: ignore[assignment,method-assign]
    _sub_sync(pub, sub, b"x")


def test_large_message(pair: Pair) -> None:
    pull, push = pair(zmq.PULL, zmq.PUSH, "tcp")
    big = bytes(range(256)) * 40000
    push.send(big)
    f = pull.recv(copy=False)
    assert isinstance(f, zmq.Frame)
    assert len(f) == len(big)
    assert f.bytes == big
    mv = f.buffer
    assert mv.readonly
    assert bytes(mv[:256]) == bytes(range(256))
    push.send(memoryview(big)[:10])
    assert pull.recv() == big[:10]
    push.send(bytearray(b"ba"))
    assert pull.recv() == b"ba"
    push.send(f)  # a Frame can be sent back
    assert pull.recv() == big


def test_proxy(ctx: zmq.Context) -> None:
    import threading

    front = ctx.socket(zmq.PULL)
    front.bind("inproc://front")
    back = ctx.socket(zmq.PUSH)
    back.bind("inproc://back")
    control = ctx.socket(zmq.PAIR)
    control.bind("inproc://control")
    t = threading.Thread(target=zmq.proxy_steerable, args=(front, back, None, control))
    t.start()
    src = ctx.socket(zmq.PUSH)
    src.connect("inproc://front")
    dst = ctx.socket(zmq.PULL)
    dst.connect("inproc://back")
    dst.rcvtimeo = 5000
    src.send(b"through")
    assert dst.recv() == b"through"
    steer = ctx.socket(zmq.PAIR)
    steer.connect("inproc://control")
    steer.send(b"TERMINATE")
    t.join(5)
    assert not t.is_alive()
    for s in (front, back, control, src, dst, steer):
        s.close(linger=0)


def test_device_terminates_with_context() -> None:
    import threading

    c = zmq.Context()
    front = c.socket(zmq.PULL)
    front.bind("inproc://d-front")
    back = c.socket(zmq.PUSH)
    back.bind("inproc://d-back")
    errors: list[Any] = []

    def run() -> None:
        try:
            zmq.device(zmq.STREAMER, front, back)
        except zmq.ContextTerminated as e:
            errors.append(e)
        front.close(linger=0)
        back.close(linger=0)

    t = threading.Thread(target=run)
    t.start()
    c.term()
    t.join(5)
    assert len(errors) == 1
