"""Signals during blocking calls: a raising handler interrupts, a non-raising one lets the
call go on (with RCVTIMEO still honoured), as pyzmq's test_retry_eintr."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any, Iterator

import pytest

import ferromq as zmq


class Interrupted(Exception):
    pass


@pytest.fixture
def sigalrm() -> Iterator[list[int]]:
    calls: list[int] = []
    old = signal.getsignal(signal.SIGALRM)
    yield calls
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)


def test_raising_handler_interrupts_recv(ctx: zmq.Context, sigalrm: list[int]) -> None:
    def handler(signum: int, frame: Any) -> None:
        raise Interrupted()

    signal.signal(signal.SIGALRM, handler)
    s = ctx.socket(zmq.PULL)
    s.bind("inproc://sig1")
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    t = time.monotonic()
    with pytest.raises(Interrupted):
        s.recv()
    assert time.monotonic() - t < 2


def test_keyboard_interrupt_from_sigint(ctx: zmq.Context) -> None:
    s = ctx.socket(zmq.PULL)
    s.bind("inproc://sigint")
    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        s.recv_json()
    timer.join()


def test_non_raising_handler_lets_recv_continue(ctx: zmq.Context, sigalrm: list[int]) -> None:
    signal.signal(signal.SIGALRM, lambda *a: sigalrm.append(1))
    s = ctx.socket(zmq.PULL)
    s.rcvtimeo = 700
    s.bind("inproc://sig2")
    signal.setitimer(signal.ITIMER_REAL, 0.1, 0.1)
    t = time.monotonic()
    with pytest.raises(zmq.Again):
        s.recv()
    elapsed = time.monotonic() - t
    signal.setitimer(signal.ITIMER_REAL, 0)
    assert len(sigalrm) >= 3
    assert 0.65 < elapsed < 2.5


def test_non_raising_handler_then_message(ctx: zmq.Context, sigalrm: list[int]) -> None:
    signal.signal(signal.SIGALRM, lambda *a: sigalrm.append(1))
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://sig3")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://sig3")
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    timer = threading.Timer(0.4, lambda: push.send(b"late"))
    timer.start()
    assert pull.recv() == b"late"
    timer.join()
    assert sigalrm == [1]


def test_signal_during_send_and_poll(ctx: zmq.Context, sigalrm: list[int]) -> None:
    signal.signal(signal.SIGALRM, lambda *a: sigalrm.append(1))
    push = ctx.socket(zmq.PUSH)
    push.sndtimeo = 400
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    with pytest.raises(zmq.Again):
        push.send(b"nobody")
    assert sigalrm == [1]
    pull = ctx.socket(zmq.PULL)
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    t = time.monotonic()
    assert poller.poll(400) == []
    assert time.monotonic() - t >= 0.39
    assert sigalrm == [1, 1]
