"""``zmq.backend``: in pyzmq the compiled layer (Cython or CFFI). In ferromq it is the
native module :mod:`ferromq._native`; this package gives it pyzmq's backend names."""

from __future__ import annotations

from typing import Any

from ferromq import _native
from ferromq._native import Context, Frame, Socket, strerror
from ferromq.error import ZMQError

Message = Frame
IPC_PATH_MAX_LEN = 107
PYZMQ_DRAFT_API = False


def zmq_poll(sockets: list[tuple[Any, int]], timeout: int = -1) -> list[tuple[Any, int]]:
    """pyzmq's backend poll: [(socket or fd, events)] -> [(socket or fd, revents)]."""
    items = [(s, int(f)) for s, f in sockets]
    revents = _native.poll(items, -1 if timeout is None else int(timeout))
    return [(s, ev) for (s, _), ev in zip(sockets, revents) if ev]


def zmq_errno() -> int:
    """Always 0: ferromq raises its errors instead of leaving them in errno."""
    return 0


def zmq_version_info() -> tuple[int, int, int]:
    from ferromq import zmq_version_info as v

    return v()


def has(capability: str) -> bool:
    from ferromq import has as h

    return h(capability)


def proxy(frontend: Any, backend: Any, capture: Any = None) -> None:
    _native.proxy(frontend, backend, capture, None)


def proxy_steerable(frontend: Any, backend: Any, capture: Any = None, control: Any = None) -> None:
    _native.proxy(frontend, backend, capture, control)


def curve_keypair() -> tuple[bytes, bytes]:
    from ferromq.curve import curve_keypair as k

    return k()


def curve_public(secret_key: Any) -> bytes:
    from ferromq.curve import curve_public as p

    return p(secret_key)


def monitored_queue(*args: Any, **kwargs: Any) -> None:
    from ferromq.devices.monitoredqueue import monitored_queue as m

    m(*args, **kwargs)


__all__ = ["Context", "Socket", "Frame", "Message", "zmq_poll", "strerror", "zmq_errno",
           "has", "proxy", "proxy_steerable", "curve_keypair", "curve_public",
           "zmq_version_info", "monitored_queue", "IPC_PATH_MAX_LEN", "ZMQError"]
