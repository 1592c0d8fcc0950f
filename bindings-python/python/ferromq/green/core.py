"""gevent-friendly Context, Socket and Poller: a call that would block waits on the
socket's readiness FD through gevent's hub, so other greenlets run meanwhile.

The FD is edge-triggered: reading ``events`` re-arms it, so every wait looks at
``events`` first and only then sleeps on the FD. RCVTIMEO/SNDTIMEO have no effect here
(as in pyzmq's green sockets): use ``gevent.Timeout`` instead.
"""

from __future__ import annotations

import time
import warnings
from typing import Any, Optional, Sequence

import gevent  # type: ignore[import-untyped,unused-ignore]
from gevent import select as _gselect  # type: ignore[import-untyped,unused-ignore]
from gevent.socket import wait_read  # type: ignore[import-untyped,unused-ignore]

from ferromq import constants
from ferromq.context import Context as _Context
from ferromq.error import Again, ZMQError
from ferromq.poll import Poller as _Poller
from ferromq.socket import Socket as _Socket

_TIMEO = (constants.RCVTIMEO, constants.SNDTIMEO)

__all__ = ["Context", "Socket", "Poller"]


def _warn_timeo(option: int) -> None:
    if int(option) in _TIMEO:
        warnings.warn(
            "TIMEO socket options have no effect in ferromq.green (use gevent.Timeout)",
            UserWarning,
            stacklevel=3,
        )


class Socket(_Socket):
    """A socket whose blocking calls yield to other greenlets."""

    _green = True

    def _wait(self, event: int) -> None:
        """Returns once ``events`` has ``event`` (the socket can make progress)."""
        while not (self.events & event):
            wait_read(self.fileno())

    def _retry(self, event: int, flags: int, fn: Any) -> Any:
        if flags & constants.NOBLOCK:
            return fn(flags)
        while True:
            try:
                return fn(flags | constants.NOBLOCK)
            except Again:
                self._wait(event)

    def send(self, data: Any, flags: int = 0, copy: bool = True, track: bool = False, **kwargs: Any) -> Any:  # type: ignore[override]
        return self._retry(constants.POLLOUT, flags, lambda f: _Socket.send(self, data, f, copy, track, **kwargs))

    def send_multipart(self, msg_parts: Sequence[Any], flags: int = 0, copy: bool = True, track: bool = False, **kwargs: Any) -> Any:
        parts = list(msg_parts)
        return self._retry(constants.POLLOUT, flags, lambda f: _Socket.send_multipart(self, parts, f, copy, track))

    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> Any:
        return self._retry(constants.POLLIN, flags, lambda f: _Socket.recv(self, f, copy, track))

    def recv_multipart(self, flags: int = 0, copy: bool = True, track: bool = False) -> Any:
        return self._retry(constants.POLLIN, flags, lambda f: _Socket.recv_multipart(self, f, copy, track))

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        return self._retry(constants.POLLIN, flags, lambda f: _Socket.recv_into(self, buffer, nbytes, f))  # type: ignore[no-any-return]

    def poll(self, timeout: Optional[int] = None, flags: int = constants.POLLIN) -> int:
        """Waits (cooperatively) up to ``timeout`` ms for ``flags``; returns the events."""
        p = Poller()
        p.register(self, flags)
        ready = dict(p.poll(timeout))
        return int(ready.get(self, 0))

    def set(self, option: int, optval: Any) -> None:
        _warn_timeo(option)
        super().set(option, optval)

    setsockopt = set

    def get(self, option: int) -> Any:
        _warn_timeo(option)
        return super().get(option)

    getsockopt = get


class Context(_Context):
    """A context whose sockets are green."""

    _socket_class = Socket
    _instance: Optional[_Context] = None


class Poller(_Poller):
    """A Poller that waits through gevent (other greenlets run meanwhile)."""

    def poll(self, timeout: Optional[float] = None) -> list[tuple[Any, int]]:
        deadline = None if timeout is None or timeout < 0 else time.monotonic() + timeout / 1000.0
        while True:
            ready = _Poller.poll(self, 0)  # also re-arms the sockets' FDs
            if ready:
                return ready
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return []
            rfds, wfds = [], []
            for s, flags in self.sockets:
                if isinstance(s, _Socket):
                    rfds.append(s.fileno())
                else:
                    fd = s if isinstance(s, int) else s.fileno()
                    if flags & constants.POLLIN:
                        rfds.append(fd)
                    if flags & constants.POLLOUT:
                        wfds.append(fd)
            _gselect.select(rfds, wfds, [], remaining)


def device(device_type: int, frontend: _Socket, backend: _Socket) -> None:
    """A cooperative proxy (the native one would block the hub): forwards messages
    between the sockets (one socket twice: echoes) until the context ends."""
    from ferromq import DeviceType

    if int(device_type) not in (int(d) for d in DeviceType):
        raise ZMQError(constants.EINVAL)
    proxy(frontend, backend)


def proxy(frontend: _Socket, backend: _Socket, capture: Optional[_Socket] = None) -> None:
    """Cooperative zmq_proxy: see :func:`device`."""
    poller = Poller()
    poller.register(frontend, constants.POLLIN)
    if backend is not frontend:
        poller.register(backend, constants.POLLIN)
    while True:
        for sock, _ in poller.poll():
            dest = backend if sock is frontend else frontend
            msg = sock.recv_multipart(constants.NOBLOCK)
            if capture is not None:
                capture.send_multipart(msg)
            dest.send_multipart(msg)
        gevent.sleep(0)
