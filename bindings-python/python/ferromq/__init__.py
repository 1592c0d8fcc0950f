"""ferromq: a pyzmq-compatible ZeroMQ (ZMTP 3.1) implementation in Rust.

``import ferromq as zmq`` in ordinary pyzmq code.
"""

from __future__ import annotations

from typing import Any, Optional

from ferromq import constants
from ferromq._native import Frame
from ferromq._native import ferromq_version as _ferromq_version
from ferromq.constants import *  # noqa: F401,F403
from ferromq.constants import DeviceType
from ferromq.context import Context
from ferromq.error import (
    Again,
    ContextTerminated,
    InterruptedSystemCall,
    NotDone,
    ZMQBaseError,
    ZMQBindError,
    ZMQError,
    ZMQVersionError,
    strerror,
)
from ferromq.poll import Poller, select
from ferromq.socket import Socket
from ferromq.tracker import _FINISHED_TRACKER, MessageTracker
from ferromq import opttypes as _opttypes  # noqa: F401 - attaches SocketOption._opt_type
from ferromq.curve import curve_keypair, curve_public

# pyzmq's aliases for code that names the synchronous classes explicitly.
SyncContext = Context
SyncSocket = Socket
PYZMQ_DRAFT_API = False

__version__: str = _ferromq_version
__revision__: str = ""
Message = Frame
COPY_THRESHOLD = 65536
DRAFT_API = False
IPC_PATH_MAX_LEN = 107

_LIBZMQ_VERSION = (4, 3, 5)


def zmq_version_info() -> tuple[int, int, int]:
    """The libzmq version ferromq implements (4.3.5)."""
    return _LIBZMQ_VERSION


def zmq_version() -> str:
    return "%i.%i.%i" % _LIBZMQ_VERSION


def pyzmq_version_info() -> tuple[int, ...]:
    """ferromq's own version as a tuple."""
    return tuple(int(x) for x in __version__.split(".")[:3])


def pyzmq_version() -> str:
    return __version__


def ferromq_version() -> str:
    return __version__


_CAPABILITIES = {"ipc": True, "pgm": False, "tipc": False, "norm": False, "curve": True, "gssapi": False, "draft": False}


def has(capability: str) -> bool:
    """Whether a libzmq capability (``"ipc"``, ``"curve"``…) is available."""
    return _CAPABILITIES.get(capability, False)


def proxy(frontend: Socket, backend: Socket, capture: Optional[Socket] = None) -> None:
    """Forwards messages between ``frontend`` and ``backend`` until the context ends (raises)."""
    from ferromq._native import proxy as _proxy

    _proxy(frontend, backend, capture, None)


def proxy_steerable(
    frontend: Socket, backend: Socket, capture: Optional[Socket] = None, control: Optional[Socket] = None
) -> None:
    """proxy() that a ``control`` socket steers (PAUSE, RESUME, TERMINATE, STATISTICS)."""
    from ferromq._native import proxy as _proxy

    _proxy(frontend, backend, capture, control)


def device(device_type: int, frontend: Socket, backend: Socket) -> None:
    """Deprecated pyzmq spelling of proxy (QUEUE, FORWARDER, STREAMER)."""
    if int(device_type) not in (int(d) for d in DeviceType):
        raise ZMQError(EINVAL)  # noqa: F405
    proxy(frontend, backend)


def zmq_errno() -> int:
    """Always 0: ferromq raises errors instead of leaving them in errno."""
    return 0


def zmq_poll(sockets: list[tuple[Any, int]], timeout: int = -1) -> list[tuple[Any, int]]:
    """pyzmq's low-level poll: [(socket or fd, events)] -> [(socket or fd, revents)]."""
    from ferromq.backend import zmq_poll as _zmq_poll

    return _zmq_poll(sockets, timeout)


def get_includes() -> list[str]:
    return []


def get_library_dirs() -> list[str]:
    return []


def _typecheck_unused(*_: Any) -> None:
    pass


__all__ = [
    "Context",
    "Socket",
    "Frame",
    "Message",
    "Poller",
    "select",
    "proxy",
    "proxy_steerable",
    "device",
    "has",
    "zmq_version_info",
    "zmq_version",
    "pyzmq_version",
    "pyzmq_version_info",
    "ferromq_version",
    "strerror",
    "ZMQBaseError",
    "ZMQError",
    "ZMQBindError",
    "Again",
    "ContextTerminated",
    "InterruptedSystemCall",
    "NotDone",
    "ZMQVersionError",
    "COPY_THRESHOLD",
    "constants",
    "MessageTracker",
    "curve_keypair",
    "curve_public",
    "zmq_errno",
    "zmq_poll",
    "SyncContext",
    "SyncSocket",
]
__all__ += constants.__all__

# pyzmq's subpackages that its own modules always load (``zmq.sugar.context.Context``…).
from ferromq import backend, sugar, utils  # noqa: E402
