"""Fixtures for the ferromq Python binding tests (loopback only, bounded in time)."""

from __future__ import annotations

import os
import tempfile
import threading
import uuid
from typing import Any, Callable, Iterator

import pytest

import ferromq as zmq

TRANSPORTS = ["inproc", "tcp", "ipc"]


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(30))


@pytest.fixture
def ctx() -> Iterator[zmq.Context]:
    c = zmq.Context()
    yield c
    t = threading.Thread(target=c.destroy, kwargs={"linger": 0}, daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive(), "context did not terminate"


_ipc_dir = tempfile.mkdtemp(prefix="ferromq-py-")


def endpoint(transport: str) -> str:
    if transport == "inproc":
        return f"inproc://{uuid.uuid4().hex}"
    if transport == "ipc":
        return f"ipc://{os.path.join(_ipc_dir, uuid.uuid4().hex[:12])}"
    return "tcp://127.0.0.1:0"


@pytest.fixture
def pair(ctx: zmq.Context) -> Callable[..., tuple[zmq.Socket, zmq.Socket]]:
    """pair(bind_type, connect_type, transport) -> (bound, connected), linger 0."""

    def make(t1: int = zmq.PAIR, t2: int = zmq.PAIR, transport: str = "tcp") -> tuple[zmq.Socket, zmq.Socket]:
        a = ctx.socket(t1)
        a.linger = 0
        a.rcvtimeo = 5000
        a.sndtimeo = 5000
        a.bind(endpoint(transport))
        b = ctx.socket(t2)
        b.linger = 0
        b.rcvtimeo = 5000
        b.sndtimeo = 5000
        b.connect(a.last_endpoint.decode())
        return a, b

    return make
