"""asyncio support: ``ferromq.asyncio.Context`` makes sockets whose send/recv/poll return
awaitables, driven by each socket's edge-triggered readiness FD through
``loop.add_reader`` (no busy polling, no helper threads).

After the FD fires we read ``events`` (which re-arms it) and run every queued operation
that can make progress with DONTWAIT, until EAGAIN."""

from __future__ import annotations

import asyncio as _asyncio
import json
import pickle
from collections import deque
from typing import Any, Callable, Optional, Sequence

from ferromq import _native, constants as _c
from ferromq.context import Context as _SyncContext
from ferromq.error import ZMQError
from ferromq.poll import Poller as _SyncPoller
from ferromq.socket import Socket as _SyncSocket
from ferromq.constants import DONTWAIT, POLLIN, POLLOUT
from ferromq.error import Again

__all__ = ["Context", "Socket", "Poller"]


class _Waiter:
    __slots__ = ("event", "fn", "future", "timer")

    def __init__(self, event: int, fn: Callable[[], Any], future: "_asyncio.Future[Any]") -> None:
        self.event = event
        self.fn = fn
        self.future = future
        self.timer: Optional[_asyncio.TimerHandle] = None


class Socket(_SyncSocket):
    """A socket whose send/recv/poll (and helpers) return awaitables."""

    _loop: Optional[_asyncio.AbstractEventLoop] = None
    _fd: int = -1

    def __init__(self, context: Any = None, socket_type: int = 0, **kwargs: Any) -> None:
        super().__init__(context, socket_type, **kwargs)
        self._waiters: deque[_Waiter] = deque()
        self._watchers: set[Callable[[], None]] = set()
        self._scheduled = False

    # -- event plumbing --
    def _get_loop(self) -> _asyncio.AbstractEventLoop:
        loop = _asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None and self._fd >= 0:
                try:
                    self._loop.remove_reader(self._fd)
                except Exception:
                    pass
            self._loop = loop
            self._fd = _native.Socket.fileno(self)
            loop.add_reader(self._fd, self._handle_events)
        return loop

    def _schedule(self) -> None:
        if not self._scheduled and self._loop is not None:
            self._scheduled = True
            self._loop.call_soon(self._handle_events)

    def _handle_events(self) -> None:
        self._scheduled = False
        if self.closed:
            self._cancel_all()
            return
        try:
            ev = self.events  # re-arms the FD
        except ZMQError as e:
            for w in list(self._waiters):
                if not w.future.done():
                    w.future.set_exception(e)
            self._waiters.clear()
            return
        for cb in list(self._watchers):
            cb()
        progress = True
        while progress and self._waiters:
            progress = False
            for w in list(self._waiters):
                if w.future.done():
                    self._waiters.remove(w)
                    continue
                if w.event and not (ev & w.event):
                    continue
                try:
                    result = w.fn()
                except Again:
                    continue
                except BaseException as e:  # noqa: BLE001 - delivered to the awaiter
                    self._finish(w)
                    w.future.set_exception(e)
                    progress = True
                    continue
                self._finish(w)
                w.future.set_result(result)
                progress = True
            if progress:
                ev = self.events

    def _finish(self, w: _Waiter) -> None:
        try:
            self._waiters.remove(w)
        except ValueError:
            pass
        if w.timer is not None:
            w.timer.cancel()

    def _cancel_all(self) -> None:
        for w in list(self._waiters):
            if not w.future.done():
                w.future.cancel()
        self._waiters.clear()

    def _op(self, event: int, fn: Callable[[], Any], flags: int, timeout: int) -> "_asyncio.Future[Any]":
        """A Future for ``fn`` (a DONTWAIT attempt): done now if it can be, else queued
        behind earlier operations. Errors, EAGAIN with DONTWAIT included, are set on
        the Future (as pyzmq does), never raised here."""
        loop = self._get_loop()
        fut: _asyncio.Future[Any] = loop.create_future()
        if not self._waiters or flags & DONTWAIT:
            try:
                fut.set_result(fn())
                self._schedule()
                return fut
            except Again as e:
                if flags & DONTWAIT:
                    fut.set_exception(e)
                    return fut
            except Exception as e:  # noqa: BLE001 - delivered to the awaiter
                fut.set_exception(e)
                return fut
        w = _Waiter(event, fn, fut)
        # A cancelled operation leaves the queue at once (it must not consume a message).
        fut.add_done_callback(lambda f: self._finish(w) if f.cancelled() else None)
        if timeout >= 0:
            def expire() -> None:
                if not fut.done():
                    self._finish(w)
                    fut.set_exception(Again(_c.EAGAIN))
            w.timer = loop.call_later(timeout / 1000.0, expire)
        self._waiters.append(w)
        self._schedule()
        return fut

    @property
    def _recv_futures(self) -> list["_asyncio.Future[Any]"]:
        """Pending receive/poll-for-input operations."""
        return [w.future for w in self._waiters if w.event & POLLIN or w.event == 0]

    @property
    def _send_futures(self) -> list["_asyncio.Future[Any]"]:
        """Pending send operations."""
        return [w.future for w in self._waiters if w.event & POLLOUT]

    def close(self, linger: Optional[int] = None) -> None:
        if not self.closed and self._loop is not None and self._fd >= 0:
            try:
                self._loop.remove_reader(self._fd)
            except Exception:
                pass
            self._fd = -1
        self._cancel_all()
        super().close(linger)

    # -- awaitable API --
    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> "_asyncio.Future[Any]":
        def fn() -> Any:
            return _native.Socket.recv(self, flags | DONTWAIT, copy)
        return self._op(POLLIN, fn, flags, self.get(_c.RCVTIMEO))

    def recv_multipart(self, flags: int = 0, copy: bool = True, track: bool = False) -> "_asyncio.Future[list[Any]]":
        def fn() -> Any:
            return _native.Socket.recv_multipart(self, flags | DONTWAIT, copy)
        return self._op(POLLIN, fn, flags, self.get(_c.RCVTIMEO))

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> "_asyncio.Future[int]":  # type: ignore[override]
        def fn() -> Any:
            return _SyncSocket.recv_into(self, buffer, nbytes, flags | DONTWAIT)
        return self._op(POLLIN, fn, flags, self.get(_c.RCVTIMEO))

    def send(self, data: Any, flags: int = 0, copy: bool = True, track: bool = False, **kwargs: Any) -> "_asyncio.Future[Any]":  # type: ignore[override]
        def fn() -> Any:
            return _SyncSocket.send(self, data, flags | DONTWAIT, copy, track, **kwargs)
        return self._op(POLLOUT, fn, flags, self.get(_c.SNDTIMEO))

    def send_multipart(self, msg_parts: Sequence[Any], flags: int = 0, copy: bool = True, track: bool = False, **kwargs: Any) -> "_asyncio.Future[Any]":  # type: ignore[override]
        parts = list(msg_parts)

        def fn() -> Any:
            return _SyncSocket.send_multipart(self, parts, flags | DONTWAIT, copy, track)
        return self._op(POLLOUT, fn, flags, self.get(_c.SNDTIMEO))

    def poll(self, timeout: Optional[int] = None, flags: int = POLLIN) -> "_asyncio.Future[int]":
        def fn() -> Any:
            r = _native.Socket.poll(self, 0, flags)
            if not r:
                raise Again(_c.EAGAIN)
            return r
        loop = self._get_loop()
        if timeout == 0:
            f: _asyncio.Future[int] = loop.create_future()
            f.set_result(_native.Socket.poll(self, 0, flags))
            return f
        fut = self._op(0, fn, 0, -1)
        if timeout is not None and timeout > 0 and not fut.done():
            def expire() -> None:
                if not fut.done():
                    for w in list(self._waiters):
                        if w.future is fut:
                            self._finish(w)
                    fut.set_result(0)
            loop.call_later(timeout / 1000.0, expire)
        return fut

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> "_asyncio.Future[str]":  # type: ignore[override]
        return _chain(self.recv(flags), lambda b: b.decode(encoding))

    def recv_json(self, flags: int = 0, **kwargs: Any) -> "_asyncio.Future[Any]":
        return _chain(self.recv(flags), lambda b: json.loads(b, **kwargs))

    def recv_pyobj(self, flags: int = 0) -> "_asyncio.Future[Any]":
        return _chain(self.recv(flags), pickle.loads)

    def recv_serialized(self, deserialize: Callable[[list[Any]], Any], flags: int = 0, copy: bool = True) -> "_asyncio.Future[Any]":
        return _chain(self.recv_multipart(flags, copy=copy), deserialize)


def _chain(inner: "_asyncio.Future[Any]", transform: Callable[[Any], Any]) -> "_asyncio.Future[Any]":
    """A Future for ``transform(inner's result)``; cancelling it cancels ``inner``
    (so a cancelled recv_json does not consume a message)."""
    outer: _asyncio.Future[Any] = inner.get_loop().create_future()

    def done(f: "_asyncio.Future[Any]") -> None:
        if outer.done():
            return
        if f.cancelled():
            outer.cancel()
            return
        exc = f.exception()
        if exc is not None:
            outer.set_exception(exc)
            return
        try:
            outer.set_result(transform(f.result()))
        except Exception as e:  # noqa: BLE001 - delivered to the awaiter
            outer.set_exception(e)

    def cancelled(f: "_asyncio.Future[Any]") -> None:
        if f.cancelled() and not inner.done():
            inner.cancel()

    inner.add_done_callback(done)
    outer.add_done_callback(cancelled)
    return outer


class Context(_SyncContext):
    """A context whose sockets are asyncio sockets."""

    _socket_class = Socket
    _instance: Optional[_SyncContext] = None


class Poller(_SyncPoller):
    """A Poller whose ``poll`` is awaitable."""

    def poll(self, timeout: Optional[float] = None) -> "_asyncio.Future[list[tuple[Any, int]]]":  # type: ignore[override]
        loop = _asyncio.get_running_loop()
        fut: _asyncio.Future[list[tuple[Any, int]]] = loop.create_future()
        ready = super().poll(0)
        if ready or timeout == 0:
            fut.set_result(ready)
            return fut
        socks: list[Socket] = []
        fds: list[int] = []

        def check() -> None:
            if fut.done():
                return
            r = _SyncPoller.poll(self, 0)
            if r:
                fut.set_result(r)

        for s, flags in self.sockets:
            if isinstance(s, Socket):
                s._get_loop()
                s._watchers.add(check)
                socks.append(s)
            elif isinstance(s, _SyncSocket):
                # A blocking socket: watch its readiness FD directly.
                fd = s.fileno()
                loop.add_reader(fd, check)
                fds.append(fd)
            else:
                fd = s if isinstance(s, int) else s.fileno()
                if flags & POLLIN:
                    loop.add_reader(fd, check)
                if flags & POLLOUT:
                    loop.add_writer(fd, check)
                fds.append(fd)
        timer = None
        if timeout is not None and timeout >= 0:
            def _expire() -> None:
                if not fut.done():
                    fut.set_result([])

            timer = loop.call_later(timeout / 1000.0, _expire)

        def cleanup(_: Any) -> None:
            for s in socks:
                s._watchers.discard(check)
            for fd in fds:
                loop.remove_reader(fd)
                loop.remove_writer(fd)
            if timer is not None:
                timer.cancel()

        fut.add_done_callback(cleanup)
        # The FDs only fire on change: look once more now that watchers are in place.
        loop.call_soon(check)
        return fut
