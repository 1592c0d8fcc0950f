"""pyzmq's wider surface on the ferromq module: tornado ZMQStream, PUBHandler, gevent,
devices, asyncio Futures, trackers, shadows, context defaults, ``ferromq.compat``."""

from __future__ import annotations

import asyncio
import copy
import logging
import socket as socketlib
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

import ferromq as zmq
from ferromq import devices
from ferromq.log.handlers import PUBHandler, TopicLogger
from ferromq.utils.monitor import recv_monitor_message

# -- tornado ZMQStream --------------------------------------------------------------


def test_zmqstream_echo_server_and_client(ctx: zmq.Context) -> None:
    pytest.importorskip("tornado")
    from ferromq.eventloop.zmqstream import ZMQStream

    async def main() -> list[list[bytes]]:
        server = ZMQStream(ctx.socket(zmq.ROUTER))
        port = server.bind_to_random_port("tcp://127.0.0.1")
        server.on_recv_stream(lambda stream, msg: stream.send_multipart(msg))  # echo
        client = ZMQStream(ctx.socket(zmq.DEALER))
        client.connect(f"tcp://127.0.0.1:{port}")
        replies: list[list[bytes]] = []
        done = asyncio.get_running_loop().create_future()

        def on_reply(msg: list[bytes]) -> None:
            replies.append(msg)
            if len(replies) == 3 and not done.done():
                done.set_result(None)

        client.on_recv(on_reply)
        for i in range(3):
            client.send_multipart([b"ping", str(i).encode()])
        await asyncio.wait_for(done, 10)
        client.close(linger=0)
        server.close(linger=0)
        assert client.closed() and server.closed()
        return replies

    replies = asyncio.run(main())
    assert replies == [[b"ping", b"0"], [b"ping", b"1"], [b"ping", b"2"]]


def test_zmqstream_on_send_and_callback_errors(ctx: zmq.Context, caplog: Any) -> None:
    pytest.importorskip("tornado")
    from ferromq.eventloop.zmqstream import ZMQStream, gen_log

    async def main() -> list[Any]:
        push = ZMQStream(ctx.socket(zmq.PUSH))
        port = push.bind_to_random_port("tcp://127.0.0.1")
        pull = ZMQStream(ctx.socket(zmq.PULL))
        pull.connect(f"tcp://127.0.0.1:{port}")
        sent: list[Any] = []
        got = asyncio.get_running_loop().create_future()
        push.on_send(lambda msg, status: sent.append(msg))

        def on_recv(msg: list[bytes]) -> None:
            got.set_result(msg)
            raise RuntimeError("boom in callback")

        pull.on_recv(on_recv)
        push.send(b"hello")
        msg = await asyncio.wait_for(got, 10)
        push.close(linger=0)
        pull.close(linger=0)
        return [msg, sent]

    with caplog.at_level(logging.ERROR, logger=gen_log.name):
        msg, sent = asyncio.run(main())
    assert msg == [b"hello"]
    assert sent == [[b"hello"]]
    assert "Uncaught exception in ZMQStream callback" in caplog.text


# -- logging --------------------------------------------------------------------------


def test_pubhandler_round_trip(ctx: zmq.Context) -> None:
    pub = ctx.socket(zmq.PUB)
    pub.linger = 0
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub = ctx.socket(zmq.SUB)
    sub.linger = 0
    sub.rcvtimeo = 5000
    sub.subscribe(b"app")
    sub.connect(f"tcp://127.0.0.1:{port}")
    handler = PUBHandler(pub)
    handler.root_topic = "app"
    logger = logging.getLogger("ferromq.test.pubhandler")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        # PUB drops messages until the subscription has arrived: retry until one lands.
        deadline = time.monotonic() + 5
        while True:
            logger.info("disk::almost full")
            if sub.poll(100):
                break
            assert time.monotonic() < deadline, "no log record arrived"
        topic, body = sub.recv_multipart()
        assert topic == b"app.INFO.disk"
        assert body == b"almost full\n"
        tl = TopicLogger("ferromq.test.topiclogger")
        tl.addHandler(handler)
        tl.setLevel(logging.DEBUG)
        tl.warning("net", "down %s", "eth0")
        while True:  # skip further retries of the first record
            topic, body = sub.recv_multipart()
            if topic != b"app.INFO.disk":
                break
        assert topic == b"app.WARNING.net"
        assert body == b"down eth0\n"
    finally:
        logger.removeHandler(handler)


# -- gevent ---------------------------------------------------------------------------


def test_gevent_push_pull() -> None:
    pytest.importorskip("gevent")
    # In a child interpreter: gevent's monkey patching must not leak into other tests.
    code = r"""
import gevent
import ferromq.green as zmq

ctx = zmq.Context()
push = ctx.socket(zmq.PUSH)
pull = ctx.socket(zmq.PULL)
port = pull.bind_to_random_port("tcp://127.0.0.1")
push.connect("tcp://127.0.0.1:%d" % port)
ticks = []

def ticker():
    for _ in range(5):
        ticks.append(1)
        gevent.sleep(0.01)

def receiver():
    return [pull.recv() for _ in range(10)]

t = gevent.spawn(ticker)
r = gevent.spawn(receiver)
gevent.sleep(0.05)  # the receiver blocks cooperatively: the ticker runs meanwhile
for i in range(10):
    push.send(b"%d" % i)
got = r.get(timeout=10)
t.join(timeout=10)
assert got == [b"%d" % i for i in range(10)], got
assert len(ticks) == 5, ticks
push.close(linger=0); pull.close(linger=0); ctx.term()
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# -- devices --------------------------------------------------------------------------


def test_thread_device_queue() -> None:
    dev = devices.ThreadDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER)
    dev.context_factory = zmq.Context  # type: ignore[assignment]
    dev.setsockopt_in(zmq.LINGER, 0)
    dev.setsockopt_out(zmq.LINGER, 0)
    port_in = dev.bind_in_to_random_port("tcp://127.0.0.1")
    port_out = dev.bind_out_to_random_port("tcp://127.0.0.1")
    dev.start()
    ctx = zmq.Context()
    try:
        req = ctx.socket(zmq.REQ)
        rep = ctx.socket(zmq.REP)
        for s in (req, rep):
            s.linger = 0
            s.rcvtimeo = 5000
        req.connect(f"tcp://127.0.0.1:{port_in}")
        rep.connect(f"tcp://127.0.0.1:{port_out}")
        req.send(b"question")
        assert rep.recv() == b"question"
        rep.send(b"answer")
        assert req.recv() == b"answer"
    finally:
        ctx.destroy(linger=0)
        assert dev._context is not None
        threading.Thread(target=dev._context.term, daemon=True).start()
        dev.join(5)
    assert dev.done


def test_monitored_queue() -> None:
    dev = devices.ThreadMonitoredQueue(zmq.PAIR, zmq.PAIR, zmq.PUB, b"in", b"out")
    dev.context_factory = zmq.Context  # type: ignore[assignment]
    ctx = zmq.Context()
    try:
        alice = ctx.socket(zmq.PAIR)
        bob = ctx.socket(zmq.PAIR)
        mon = ctx.socket(zmq.SUB)
        for s in (alice, bob, mon):
            s.linger = 0
            s.rcvtimeo = 5000
        mon.subscribe(b"")
        dev.connect_in(f"tcp://127.0.0.1:{alice.bind_to_random_port('tcp://127.0.0.1')}")
        dev.connect_out(f"tcp://127.0.0.1:{bob.bind_to_random_port('tcp://127.0.0.1')}")
        dev.connect_mon(f"tcp://127.0.0.1:{mon.bind_to_random_port('tcp://127.0.0.1')}")
        dev.start()
        alice.send_multipart([b"hello", b"bob"])
        assert bob.recv_multipart() == [b"hello", b"bob"]
        # The monitor's subscription may arrive after the first copies were published
        # (PUB drops until then): repeat until a copy arrives.
        deadline = time.monotonic() + 5
        while True:
            bob.send_multipart([b"hi", b"alice"])
            assert alice.recv_multipart() == [b"hi", b"alice"]
            if mon.poll(100):
                break
            assert time.monotonic() < deadline, "no monitor copy arrived"
        assert mon.recv_multipart() == [b"out", b"hi", b"alice"]
    finally:
        ctx.destroy(linger=0)
        if dev._context is not None:
            threading.Thread(target=dev._context.term, daemon=True).start()
        dev.join(5)


# -- asyncio Futures ------------------------------------------------------------------


def test_asyncio_futures_cancel_and_exception() -> None:
    import ferromq.asyncio as zaio

    async def main() -> None:
        ctx = zaio.Context()
        push = ctx.socket(zmq.PUSH)
        pull = ctx.socket(zmq.PULL)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push.connect(f"tcp://127.0.0.1:{port}")
        # Errors are set on the Future, not raised at call time.
        f = pull.recv(zmq.DONTWAIT)
        assert isinstance(f, asyncio.Future)
        with pytest.raises(zmq.Again):
            await f
        # A cancelled recv does not consume the message; the next one gets it.
        f1 = pull.recv()
        f2 = pull.recv_multipart(copy=False)
        assert f1.cancel()
        j = pull.recv_json()
        assert isinstance(j, asyncio.Future)
        j.cancel()
        await push.send_multipart([b"a", b"b"])
        frames = await asyncio.wait_for(f2, 5)
        assert [bytes(fr.bytes) for fr in frames] == [b"a", b"b"]
        assert f1.cancelled() and j.cancelled()
        # poll on the future Poller.
        poller = zaio.Poller()
        poller.register(pull, zmq.POLLIN)
        assert await poller.poll(10) == []
        await push.send(b"c")
        assert await asyncio.wait_for(poller.poll(5000), 5) == [(pull, zmq.POLLIN)]
        assert await pull.recv() == b"c"
        # An error of the operation itself (EFSM on a REQ) lands on the Future.
        req = ctx.socket(zmq.REQ)
        fr = req.recv(zmq.DONTWAIT)
        with pytest.raises(zmq.ZMQError):
            await fr
        for s in (push, pull, req):
            s.close(linger=0)
        ctx.term()

    asyncio.run(main())


# -- trackers, shadows, copies -------------------------------------------------------


def test_tracker_done_when_message_left(ctx: zmq.Context) -> None:
    push = ctx.socket(zmq.PUSH)
    pull = ctx.socket(zmq.PULL)
    push.linger = pull.linger = 0
    push.copy_threshold = 0
    probe = socketlib.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    push.connect(f"tcp://127.0.0.1:{port}")  # nobody listens yet: the message waits
    tracker = push.send(b"x" * 10, copy=False, track=True)
    assert isinstance(tracker, zmq.MessageTracker)
    assert not tracker.done  # not connected yet: still queued
    with pytest.raises(zmq.NotDone):
        tracker.wait(0.05)
    pull.bind(f"tcp://127.0.0.1:{port}")
    pull.rcvtimeo = 5000
    assert pull.recv() == b"x" * 10
    tracker.wait(5)
    assert tracker.done
    assert push.send(b"small", track=True) is zmq._FINISHED_TRACKER


def test_shadow_and_copy(ctx: zmq.Context) -> None:
    s = ctx.socket(zmq.PUSH)
    s2 = zmq.Socket.shadow(s.underlying)
    assert s2.underlying == s.underlying and s2.type == zmq.PUSH
    s3 = copy.copy(s)
    assert s3._shadow and s3.underlying == s.underlying
    c2 = zmq.Context.shadow(ctx.underlying)
    assert c2.underlying == ctx.underlying
    s.close()
    assert s2.closed  # one underlying socket


def test_generic_aliases() -> None:
    # pyzmq's classes are generic; code annotates with zmq.Socket[bytes] at runtime.
    assert zmq.Socket[bytes].__origin__ is zmq.Socket  # type: ignore[misc,attr-defined]
    assert zmq.Context[Any].__origin__ is zmq.Context  # type: ignore[misc,attr-defined]


def test_context_default_options(ctx: zmq.Context) -> None:
    ctx.setsockopt(zmq.SUBSCRIBE, b"")
    ctx.linger = 0
    pub = ctx.socket(zmq.PUB)  # has no SUBSCRIBE: skipped, not an error
    sub = ctx.socket(zmq.SUB)
    assert pub.linger == 0 and sub.linger == 0
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub.connect(f"tcp://127.0.0.1:{port}")
    deadline = time.monotonic() + 5
    while not sub.poll(50):  # subscribed to everything by the context default
        pub.send(b"m")
        assert time.monotonic() < deadline
    assert sub.recv() == b"m"


def test_disable_monitor_sends_monitor_stopped(ctx: zmq.Context) -> None:
    s = ctx.socket(zmq.PUB)
    s.linger = 0
    mon = s.get_monitor_socket()
    mon.rcvtimeo = 5000
    s.bind("tcp://127.0.0.1:*")
    assert recv_monitor_message(mon)["event"] == zmq.EVENT_LISTENING
    s.disable_monitor()
    assert not mon.closed
    while True:
        ev = recv_monitor_message(mon)["event"]
        if ev == zmq.EVENT_MONITOR_STOPPED:
            break
    mon.close()


def test_curve_options_as_attributes() -> None:
    from ferromq.utils import z85

    public, secret = zmq.curve_keypair()
    server_public, _ = zmq.curve_keypair()
    with zmq.Context() as c, c.socket(zmq.DEALER) as s:
        s.curve_server = True
        assert (s.curve_server, s.mechanism) == (1, zmq.CURVE)
        s.curve_secretkey = secret
        s.curve_publickey = public
        assert (s.curve_secretkey, s.curve_publickey) == (secret, public)
        s.curve_serverkey = z85.decode(server_public)  # 32 raw bytes in, Z85 out
        assert s.curve_serverkey == server_public
        with pytest.raises(zmq.ZMQError) as e:
            s.curve_publickey = b"short"
        assert e.value.errno == zmq.EINVAL
        s.plain_username = b"admin"
        assert (s.plain_username, s.mechanism) == (b"admin", zmq.PLAIN)


def test_compat_install_resolves_zmq_to_ferromq() -> None:
    code = (
        "import ferromq.compat; ferromq.compat.install()\n"
        "import zmq, zmq.eventloop.zmqstream, zmq.devices, zmq.utils.jsonapi\n"
        "import ferromq\n"
        "assert zmq is ferromq and zmq.devices is ferromq.devices\n"
        "assert zmq.eventloop.zmqstream.ZMQStream is ferromq.eventloop.zmqstream.ZMQStream\n"
        "assert ferromq.eventloop.zmqstream.__spec__.name == 'ferromq.eventloop.zmqstream'\n"
        "print(repr(zmq.Context()).split('(')[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "<zmq.Context"
    code = "import zmq, ferromq.compat\nferromq.compat.install()\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "already imported" in out.stderr


def test_utils_z85_jsonapi_decorators() -> None:
    from ferromq.decorators import context, socket
    from ferromq.utils import jsonapi, z85

    raw = bytes(range(32))
    assert z85.decode(z85.encode(raw)) == raw
    assert z85.encode(b"\x86\x4f\xd2\x6f\xb5\x59\xf7\x5b") == b"HelloWorld"
    assert jsonapi.loads(jsonapi.dumps({"é": 1})) == {"é": 1}

    @context()
    @socket(zmq.PUSH)
    def f(c: zmq.Context, s: zmq.Socket) -> int:
        assert isinstance(c, zmq.Context)
        return s.type

    assert f() == zmq.PUSH
