"""pyzmq's ``Poller`` and ``select``."""

from __future__ import annotations

from typing import Any, Optional

from ferromq import _native, constants


class Poller:
    """Polls sockets and raw file descriptors (ints or objects with ``fileno()``)."""

    def __init__(self) -> None:
        self.sockets: list[tuple[Any, int]] = []
        self._map: dict[Any, int] = {}

    def __contains__(self, socket: Any) -> bool:
        return socket in self._map

    def register(self, socket: Any, flags: int = constants.POLLIN | constants.POLLOUT) -> None:
        """Watches ``socket`` for ``flags`` (0 unregisters)."""
        if flags:
            if socket in self._map:
                idx = self._map[socket]
                self.sockets[idx] = (socket, flags)
            else:
                idx = len(self.sockets)
                self.sockets.append((socket, flags))
                self._map[socket] = idx
        elif socket in self._map:
            self.unregister(socket)

    def modify(self, socket: Any, flags: int = constants.POLLIN | constants.POLLOUT) -> None:
        self.register(socket, flags)

    def unregister(self, socket: Any) -> None:
        idx = self._map.pop(socket)
        self.sockets.pop(idx)
        for s, i in list(self._map.items()):
            if i > idx:
                self._map[s] = i - 1

    def poll(self, timeout: Optional[float] = None) -> list[tuple[Any, int]]:
        """Waits up to ``timeout`` ms (None or negative: forever); returns [(socket, events)]."""
        if timeout is None or timeout < 0:
            t = -1
        else:
            t = int(timeout)
        # One native call: raw files come back by their fd number, as pyzmq reports them.
        return _native.poll_ready(self.sockets, t)


def select(
    rlist: list[Any], wlist: list[Any], xlist: list[Any], timeout: Optional[float] = None
) -> tuple[list[Any], list[Any], list[Any]]:
    """select(2)-style poll over sockets and fds; ``timeout`` in seconds (None: forever)."""
    if timeout is None:
        t = -1
    else:
        t = int(timeout * 1000.0)
    flags: dict[Any, int] = {}
    order: list[Any] = []
    for lst, bit in ((rlist, constants.POLLIN), (wlist, constants.POLLOUT), (xlist, constants.POLLERR)):
        for s in lst:
            if s not in flags:
                flags[s] = 0
                order.append(s)
            flags[s] |= int(bit)
    revents = _native.poll([(s, flags[s]) for s in order], t)
    r, w, x = [], [], []
    for s, ev in zip(order, revents):
        if ev & constants.POLLIN:
            r.append(s)
        if ev & constants.POLLOUT:
            w.append(s)
        if ev & constants.POLLERR:
            x.append(s)
    return r, w, x


__all__ = ["Poller", "select"]
