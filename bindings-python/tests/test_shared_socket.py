"""The socket lock shared with the C binding (``ferromq::SharedSocket``): sockets given
to one ``poll``/``proxy`` call are locked once each (a socket listed twice, or with its
shadow, used to hang) and in one global order (two threads polling the same sockets in
opposite orders used to deadlock), and waiting for another thread's call on a socket
counts against a poll's timeout."""

from __future__ import annotations

import threading
import time
from typing import Callable

import pytest

import ferromq as zmq

from conftest import endpoint


def _pull_push(ctx: zmq.Context) -> tuple[zmq.Socket, zmq.Socket]:
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.bind(endpoint("inproc"))
    push = ctx.socket(zmq.PUSH)
    push.linger = 0
    push.connect(pull.last_endpoint.decode())
    return pull, push


def _in_thread(target: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as e:  # reported by the test thread
            errors.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, errors


def test_one_socket_listed_twice_in_poll(ctx: zmq.Context) -> None:
    pull, push = _pull_push(ctx)
    got = zmq.zmq_poll([(push, zmq.POLLOUT), (pull, zmq.POLLIN), (push, zmq.POLLIN | zmq.POLLOUT)], 1000)
    assert got == [(push, zmq.POLLOUT), (push, zmq.POLLOUT)]
    push.send(b"x")
    got = zmq.zmq_poll([(pull, zmq.POLLIN), (pull, zmq.POLLIN)], 1000)
    assert got == [(pull, zmq.POLLIN), (pull, zmq.POLLIN)]


def test_a_socket_and_its_shadow_in_one_poller(ctx: zmq.Context) -> None:
    _, push = _pull_push(ctx)
    shadow = zmq.Socket.shadow(push.underlying)
    poller = zmq.Poller()
    poller.register(push, zmq.POLLOUT)
    poller.register(shadow, zmq.POLLOUT)
    assert dict(poller.poll(1000)) == {push: zmq.POLLOUT, shadow: zmq.POLLOUT}


def test_proxy_with_one_socket_twice_is_einval_and_an_echo_runs(ctx: zmq.Context) -> None:
    pull, push = _pull_push(ctx)
    with pytest.raises(zmq.ZMQError) as e:
        zmq.proxy(pull, push, pull)
    assert e.value.errno == zmq.EINVAL
    # frontend == backend (also through a shadow) is an echo: it runs until ETERM.
    echo = ctx.socket(zmq.PAIR)
    echo.linger = 0
    echo.bind(endpoint("inproc"))
    peer = ctx.socket(zmq.PAIR)
    peer.linger = 0
    peer.rcvtimeo = 5000
    peer.connect(echo.last_endpoint.decode())
    shadow = zmq.Socket.shadow(echo.underlying)
    t, errors = _in_thread(lambda: zmq.proxy(echo, shadow))
    peer.send(b"ping")
    assert peer.recv() == b"ping"
    ctx._shutdown()
    t.join(10)
    assert not t.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], zmq.ContextTerminated)


def test_polls_in_opposite_orders_from_two_threads_finish(ctx: zmq.Context) -> None:
    # Nothing is ready, so each poll holds both sockets while it waits without the GIL:
    # locking in argument order, the threads would soon hold one each and wait forever.
    a, _ = _pull_push(ctx)
    b, _ = _pull_push(ctx)

    def spin(first: zmq.Socket, second: zmq.Socket) -> Callable[[], None]:
        def run() -> None:
            for _ in range(300):
                assert zmq.zmq_poll([(first, zmq.POLLIN), (second, zmq.POLLIN), (first, zmq.POLLIN)], 2) == []

        return run

    t1, e1 = _in_thread(spin(a, b))
    t2, e2 = _in_thread(spin(b, a))
    t1.join(20)
    t2.join(20)
    assert not t1.is_alive() and not t2.is_alive(), "deadlock"
    assert e1 == [] and e2 == []


def test_poll_timeout_bounds_the_wait_for_a_socket_in_use(ctx: zmq.Context) -> None:
    pull, _ = _pull_push(ctx)
    pull.rcvtimeo = 5000
    t, errors = _in_thread(pull.recv)
    # Whether or not the recv holds the socket yet, each poll ends by its timeout (while
    # it does, the poll gives up waiting for it then).
    for _ in range(3):
        start = time.monotonic()
        assert zmq.zmq_poll([(pull, zmq.POLLIN)], 100) == []
        took = time.monotonic() - start
        assert 0.09 <= took < 3
    assert t.is_alive()
    pull.close()  # serialized: after the recv's own timeout
    t.join(10)
    assert not t.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], zmq.Again)
