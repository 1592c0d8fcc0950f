"""Options, errors and errno values, Frame, helpers, Poller/select, context lifecycle."""

from __future__ import annotations

import errno
import os
import threading
import time
from typing import Any, Callable

import pytest

import ferromq as zmq

Pair = Callable[..., tuple[zmq.Socket, zmq.Socket]]


def test_constants_match_libzmq() -> None:
    assert (zmq.PAIR, zmq.PUB, zmq.SUB, zmq.REQ, zmq.REP, zmq.DEALER, zmq.ROUTER, zmq.PULL, zmq.PUSH, zmq.XPUB, zmq.XSUB, zmq.STREAM) == tuple(range(12))
    assert (zmq.DONTWAIT, zmq.NOBLOCK, zmq.SNDMORE) == (1, 1, 2)
    assert (zmq.POLLIN, zmq.POLLOUT, zmq.POLLERR) == (1, 2, 4)
    assert (zmq.LINGER, zmq.RCVTIMEO, zmq.SNDHWM, zmq.LAST_ENDPOINT, zmq.IDENTITY, zmq.ROUTING_ID) == (17, 27, 23, 32, 5, 5)
    assert zmq.EFSM == 156384763 and zmq.ETERM == 156384765 and zmq.ENOCOMPATPROTO == 156384764
    assert zmq.EAGAIN == errno.EAGAIN and zmq.EINVAL == errno.EINVAL
    assert zmq.EVENT_CONNECTED == 1 and zmq.EVENT_ALL == 0xFFFF and zmq.EVENT_HANDSHAKE_SUCCEEDED == 0x1000
    assert zmq.zmq_version_info() >= (4, 3, 0)
    assert isinstance(zmq.pyzmq_version(), str) and zmq.__version__
    assert zmq.has("ipc") and zmq.has("curve") and not zmq.has("gssapi")


def test_compare_with_pyzmq_constants() -> None:
    pyzmq = pytest.importorskip("zmq")
    for name in ("PUSH", "XPUB", "EFSM", "ETERM", "EHOSTUNREACH", "RCVMORE", "EVENTS", "FD", "IMMEDIATE", "EVENT_DISCONNECTED", "EVENT_MONITOR_STOPPED", "ROUTER_MANDATORY", "HEARTBEAT_IVL", "IO_THREADS", "BLOCKY", "MAX_SOCKETS"):
        assert getattr(zmq, name) == getattr(pyzmq, name), name


def test_errors() -> None:
    e = zmq.ZMQError(zmq.EFSM)
    assert e.errno == zmq.EFSM
    assert e.strerror == "Operation cannot be accomplished in current state"
    assert str(zmq.Again()) == "Resource temporarily unavailable"
    assert zmq.Again().errno == zmq.EAGAIN
    assert zmq.ContextTerminated().errno == zmq.ETERM
    assert issubclass(zmq.Again, zmq.ZMQError)
    assert zmq.strerror(zmq.EINVAL) == "Invalid argument"
    assert zmq.strerror(zmq.ETERM) == "Context was terminated"


def test_socket_errors(ctx: zmq.Context) -> None:
    s = ctx.socket(zmq.PUSH)
    with pytest.raises(zmq.ZMQError) as e:
        s.bind("nope://x")
    assert e.value.errno == errno.EPROTONOSUPPORT
    with pytest.raises(zmq.ZMQError) as e:
        s.connect("tcp://")
    assert e.value.errno == errno.EINVAL
    with pytest.raises(zmq.ZMQError) as e:
        s.recv()
    assert e.value.errno == errno.ENOTSUP
    with pytest.raises(zmq.ZMQError) as e:
        s.unbind("tcp://127.0.0.1:1")
    assert e.value.errno == errno.ENOENT
    with pytest.raises(zmq.ZMQError):
        ctx.socket(99)
    with pytest.raises(TypeError):
        s.send("str")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        s.send_multipart([b"a", 1])
    s.close()
    assert s.closed
    with pytest.raises(zmq.ZMQError) as e:
        s.send(b"x")
    assert e.value.errno == errno.ENOTSOCK
    s.close()  # idempotent


def test_address_in_use(ctx: zmq.Context) -> None:
    a = ctx.socket(zmq.PULL)
    port = a.bind_to_random_port("tcp://127.0.0.1")
    b = ctx.socket(zmq.PULL)
    with pytest.raises(zmq.ZMQError) as e:
        b.bind(f"tcp://127.0.0.1:{port}")
    assert e.value.errno == errno.EADDRINUSE
    p2 = b.bind_to_random_port("tcp://127.0.0.1", min_port=20000, max_port=60000)
    assert 20000 <= p2 < 60000


def test_options(ctx: zmq.Context) -> None:
    s = ctx.socket(zmq.DEALER)
    assert s.linger == -1 or s.linger >= 0
    s.linger = 0
    assert s.linger == 0 and s.getsockopt(zmq.LINGER) == 0 and s.get(zmq.LINGER) == 0
    s.setsockopt(zmq.RCVTIMEO, 123)
    assert s.rcvtimeo == 123
    s.hwm = 55
    assert (s.sndhwm, s.rcvhwm, s.hwm) == (55, 55, 55)
    s.routing_id = b"me"
    assert s.identity == b"me"
    s.setsockopt_string(zmq.IDENTITY, "you")
    assert s.getsockopt_string(zmq.IDENTITY) == "you"
    assert s.type == zmq.DEALER == s.get(zmq.TYPE)
    assert s.rcvmore == 0
    assert s.events == zmq.POLLOUT or s.events == 0
    assert s.fd == s.fileno() and s.fileno() > 0
    s.maxmsgsize = 1 << 40
    assert s.maxmsgsize == 1 << 40
    with pytest.raises(AttributeError):
        s.no_such_option = 1
    with pytest.raises(AttributeError):
        _ = s.no_such_option
    with pytest.raises(TypeError):
        s.set(zmq.LINGER, "x")
    with pytest.raises(TypeError):
        s.set(zmq.IDENTITY, "str")
    s.bind("tcp://127.0.0.1:0")
    assert isinstance(s.last_endpoint, bytes) and s.last_endpoint.startswith(b"tcp://127.0.0.1:")


def test_context_options() -> None:
    with zmq.Context() as c:
        assert c.io_threads == 1
        c.max_sockets = 100
        assert c.max_sockets == 100
        c.linger = 0
        s = c.socket(zmq.PUSH)
        assert s.linger == 0
        c.set(zmq.IPV6, 1)
        assert c.get(zmq.IPV6) == 1
    assert c.closed


def test_instance() -> None:
    a = zmq.Context.instance()
    assert zmq.Context.instance() is a
    a.term()
    b = zmq.Context.instance()
    assert b is not a
    b.term()


def test_bind_connect_context_managers(ctx: zmq.Context) -> None:
    with ctx.socket(zmq.PULL) as pull, ctx.socket(zmq.PUSH) as push:
        pull.linger = push.linger = 0
        with pull.bind("tcp://127.0.0.1:0") as bound:
            url = pull.last_endpoint.decode()
            assert bound is pull
            with push.connect(url):
                push.send(b"x")
                assert pull.recv() == b"x"
        with pytest.raises(zmq.ZMQError):
            pull.unbind(url)  # already unbound by the context manager
    assert pull.closed and push.closed


def test_frame() -> None:
    f = zmq.Frame(b"hello")
    assert len(f) == 5 and f.bytes == b"hello" and bytes(f) == b"hello" and not f.more
    assert bytes(f.buffer) == b"hello" and f.buffer.readonly
    assert zmq.Frame(memoryview(b"ab")).bytes == b"ab"
    assert zmq.Message is zmq.Frame
    with pytest.raises(TypeError):
        zmq.Frame("str")
    assert f == b"hello"


def test_frame_buffer_outlives_frame(pair: Pair) -> None:
    pull, push = pair(zmq.PULL, zmq.PUSH, "inproc")
    push.send(b"z" * 100000)
    f = pull.recv(copy=False)
    mv = f.buffer
    del f
    import gc

    gc.collect()
    assert mv[0:3] == b"zzz" and len(mv) == 100000


def test_multipart_frames_more(pair: Pair) -> None:
    a, b = pair(zmq.PAIR, zmq.PAIR, "inproc")
    b.send_multipart([b"1", b"2", b"3"])
    frames = a.recv_multipart(copy=False)
    assert [f.more for f in frames] == [True, True, False]
    b.send(b"x", zmq.SNDMORE)
    b.send(b"y")
    assert a.recv() == b"x" and a.rcvmore == 1
    assert a.recv() == b"y" and a.rcvmore == 0


def test_helpers(pair: Pair) -> None:
    a, b = pair(zmq.PAIR, zmq.PAIR, "tcp")
    b.send_json({"a": [1, 2]})
    assert a.recv_json() == {"a": [1, 2]}
    b.send_pyobj({"set": {1, 2}})
    assert a.recv_pyobj() == {"set": {1, 2}}
    b.send_string("héllo")
    assert a.recv_string() == "héllo"
    b.send_serialized([1, 2], lambda m: [bytes([x]) for x in m])
    assert a.recv_serialized(lambda parts: [p[0] for p in parts]) == [1, 2]
    b.send(b"into")
    buf = bytearray(10)
    assert a.recv_into(buf) == 4 and buf[:4] == b"into"


def test_timeouts(ctx: zmq.Context) -> None:
    s = ctx.socket(zmq.PULL)
    s.rcvtimeo = 150
    t = time.monotonic()
    with pytest.raises(zmq.Again):
        s.recv()
    assert 0.12 < time.monotonic() - t < 2
    p = ctx.socket(zmq.PUSH)
    p.sndtimeo = 50
    with pytest.raises(zmq.Again):
        p.send(b"no peer")
    with pytest.raises(zmq.Again):
        s.recv(zmq.DONTWAIT)


def test_poller(pair: Pair) -> None:
    a, b = pair(zmq.PAIR, zmq.PAIR, "tcp")
    poller = zmq.Poller()
    poller.register(a, zmq.POLLIN)
    poller.register(b, zmq.POLLIN | zmq.POLLOUT)
    assert a in poller
    evs = dict(poller.poll(1000))
    assert evs.get(b) == zmq.POLLOUT and a not in evs
    poller.modify(b, zmq.POLLIN)
    b.send(b"x")
    evs = dict(poller.poll(1000))
    assert evs[a] == zmq.POLLIN
    poller.modify(b, 0)
    assert b not in poller
    a.recv()
    t = time.monotonic()
    assert poller.poll(100) == []
    assert time.monotonic() - t >= 0.09
    poller.unregister(a)
    assert poller.poll(0) == []


def test_poller_raw_fds(pair: Pair) -> None:
    a, b = pair(zmq.PAIR, zmq.PAIR, "inproc")
    r, w = os.pipe()
    try:
        poller = zmq.Poller()
        poller.register(r, zmq.POLLIN)
        poller.register(a, zmq.POLLIN)
        assert poller.poll(10) == []
        os.write(w, b"!")
        assert dict(poller.poll(1000)) == {r: zmq.POLLIN}

        class HasFileno:
            def fileno(self) -> int:
                return r

        p2 = zmq.Poller()
        obj = HasFileno()
        p2.register(obj, zmq.POLLIN)
        # pyzmq reports objects with fileno() by their fd number.
        assert p2.poll(1000) == [(r, zmq.POLLIN)]
    finally:
        os.close(r)
        os.close(w)


def test_select(pair: Pair) -> None:
    a, b = pair(zmq.PAIR, zmq.PAIR, "tcp")
    b.send(b"x")
    assert zmq.select([a], [], [], 1.0)[0] == [a]
    r, w, x = zmq.select([a], [b], [], 1.0)
    assert r == [a] and w == [b] and x == []
    assert a.poll(1000) == zmq.POLLIN
    assert a.poll(0, zmq.POLLOUT) == zmq.POLLOUT


def test_term_interrupts_blocked_recv() -> None:
    c = zmq.Context()
    s = c.socket(zmq.PULL)
    s.bind("inproc://term")
    got: list[BaseException] = []
    started = threading.Event()

    def run() -> None:
        started.set()
        try:
            s.recv()
        except zmq.ContextTerminated as e:
            got.append(e)
        s.close()

    t = threading.Thread(target=run)
    t.start()
    started.wait()
    c.term()
    t.join(5)
    assert len(got) == 1 and got[0].errno == zmq.ETERM
    with pytest.raises(zmq.ZMQError):
        c.socket(zmq.PUSH)


def test_destroy_closes_sockets() -> None:
    c = zmq.Context()
    socks = [c.socket(zmq.PUSH) for _ in range(5)]
    for s in socks:
        s.connect("tcp://127.0.0.1:1")
        s.send(b"queued", zmq.DONTWAIT) if False else None
    c.destroy(linger=0)
    assert all(s.closed for s in socks) and c.closed


def test_two_threads_one_socket(pair: Pair) -> None:
    """Concurrent use is serialized, never a crash."""
    pull, push = pair(zmq.PULL, zmq.PUSH, "inproc")
    n = 2000
    got: list[bytes] = []

    def sender() -> None:
        for i in range(n // 2):
            push.send(b"%d" % i)

    def receiver() -> None:
        for _ in range(n // 2):
            got.append(pull.recv())

    ts = [threading.Thread(target=f) for f in (sender, sender, receiver, receiver)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(20)
    assert len(got) == n


def test_close_while_other_thread_blocked(ctx: zmq.Context) -> None:
    s = ctx.socket(zmq.PULL)
    s.rcvtimeo = 300
    errs: list[Any] = []

    def run() -> None:
        try:
            s.recv()
        except zmq.ZMQError as e:
            errs.append(e.errno)

    t = threading.Thread(target=run)
    t.start()
    s.close()  # waits for the blocked call (serialized), then closes
    t.join(5)
    assert errs == [zmq.EAGAIN] and s.closed


def test_monitor_socket(ctx: zmq.Context) -> None:
    srv = ctx.socket(zmq.PULL)
    mon = srv.get_monitor_socket()
    mon.rcvtimeo = 5000
    srv.bind("tcp://127.0.0.1:0")
    frames = mon.recv_multipart()
    assert len(frames) == 2
    event = int.from_bytes(frames[0][:2], "little")
    assert event == zmq.EVENT_LISTENING
    assert frames[1] == srv.last_endpoint
    srv.disable_monitor()


def test_large_buffer_send_is_zero_copy(pair: Pair) -> None:
    """A large read-only buffer (or any with copy=False) is held, not copied: while the
    message is queued, the bytearray behind it is still exported and cannot be resized."""
    pull, push = pair(zmq.PULL, zmq.PUSH, "inproc")
    ba = bytearray(b"q" * 100_000)
    push.send(memoryview(ba).toreadonly())
    with pytest.raises(BufferError):
        ba.append(1)
    assert pull.recv() == b"q" * 100_000
    push.send(b"small")  # releases the views of consumed messages
    assert pull.recv() == b"small"
    ba.append(1)
    ba2 = bytearray(b"w" * 70_000)
    push.send(ba2, copy=False)
    with pytest.raises(BufferError):
        ba2.extend(b"x")
    assert pull.recv() == b"w" * 70_000
    ba3 = bytearray(b"e" * 70_000)
    push.send(ba3)  # copy=True copies a mutable buffer
    ba3.extend(b"x")
    assert pull.recv() == b"e" * 70_000


def test_recv_monitor_message(ctx: zmq.Context) -> None:
    from ferromq.utils.monitor import recv_monitor_message

    srv = ctx.socket(zmq.REP)
    mon = srv.get_monitor_socket(zmq.EVENT_LISTENING | zmq.EVENT_ACCEPTED)
    mon.rcvtimeo = 5000
    srv.bind("tcp://127.0.0.1:0")
    ev = recv_monitor_message(mon)
    assert ev["event"] == zmq.EVENT_LISTENING and ev["endpoint"] == srv.last_endpoint
    cli = ctx.socket(zmq.REQ)
    cli.connect(srv.last_endpoint.decode())
    assert recv_monitor_message(mon)["event"] == zmq.EVENT_ACCEPTED


def test_destroy_with_blocked_recv_in_other_thread() -> None:
    c = zmq.Context()
    s = c.socket(zmq.PULL)
    s.bind("inproc://destroy-blocked")
    got: list[int] = []
    started = threading.Event()

    def run() -> None:
        started.set()
        try:
            s.recv()
        except zmq.ZMQError as e:
            got.append(e.errno)  # type: ignore[arg-type]

    t = threading.Thread(target=run)
    t.start()
    started.wait()
    c.destroy(linger=0)
    t.join(5)
    assert not t.is_alive() and got and got[0] in (zmq.ETERM, zmq.ENOTSOCK)
    assert s.closed and c.closed
