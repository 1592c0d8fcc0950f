"""``ZMQStream``: callback-style sockets on a tornado IOLoop (pyzmq's
``zmq.eventloop.zmqstream``)::

    stream = ZMQStream(ctx.socket(zmq.ROUTER))
    stream.bind("tcp://127.0.0.1:5555")
    stream.on_recv_stream(lambda stream, msg: stream.send_multipart(msg))  # echo
    IOLoop.current().start()

The stream watches the socket's readiness FD. That FD is edge-triggered (it signals a
change, and reading ``events`` re-arms it), so after each message handled the stream
looks at ``events`` again and schedules itself on the loop while work remains: one
message per loop iteration, other callbacks are not starved.
"""

from __future__ import annotations

import asyncio
import inspect
import pickle
import warnings
from collections import deque
from typing import Any, Callable, Optional, Sequence

from tornado.ioloop import IOLoop
from tornado.log import gen_log

from ferromq import constants
from ferromq.error import ZMQError
from ferromq.socket import Socket

__all__ = ["ZMQStream", "gen_log"]

_RecvCallback = Callable[[list[Any]], Any]


class ZMQStream:
    """Wraps a socket: ``on_recv`` callbacks receive every message, sends are queued
    and written when the socket can take them (``on_send`` callbacks after each)."""

    socket: Optional[Socket]

    def __init__(self, socket: Socket, io_loop: Optional[IOLoop] = None) -> None:
        if type(socket) is not Socket and not _is_plain(socket):
            warnings.warn(
                f"ZMQStream needs a plain (blocking) socket, not {type(socket).__name__}; "
                "using a shadow of it",
                RuntimeWarning,
                stacklevel=2,
            )
            socket = Socket.shadow(socket.underlying)
        self.socket = socket
        self.io_loop = io_loop if io_loop is not None else IOLoop.current()
        self._send_queue: deque[tuple[list[Any], dict[str, Any]]] = deque()
        self._recv_callback: Optional[_RecvCallback] = None
        self._send_callback: Optional[Callable[..., Any]] = None
        self._close_callback: Optional[Callable[[], Any]] = None
        self._recv_copy = True
        self._scheduled = False
        self._fd = socket.fileno()
        self.io_loop.add_handler(self._fd, self._handle_events, IOLoop.READ)

    # -- callbacks --
    def on_recv(self, callback: Optional[_RecvCallback], copy: bool = True) -> None:
        """Calls ``callback(msg)`` (msg: list of frames) for every message; None stops."""
        assert callback is None or callable(callback), "callback must be callable"
        self._recv_callback = callback
        self._recv_copy = copy
        self._rebuild()

    def on_recv_stream(self, callback: Optional[Callable[["ZMQStream", list[Any]], Any]], copy: bool = True) -> None:
        """Like on_recv, with the stream as first argument."""
        assert callback is None or callable(callback), "callback must be callable"
        if callback is None:
            self.on_recv(None)
        else:
            cb = callback
            self.on_recv(lambda msg: cb(self, msg), copy=copy)

    def on_send(self, callback: Optional[Callable[[list[Any], Any], Any]]) -> None:
        """Calls ``callback(msg, status)`` after each queued message is sent."""
        assert callback is None or callable(callback), "callback must be callable"
        self._send_callback = callback

    def on_send_stream(self, callback: Optional[Callable[["ZMQStream", list[Any], Any], Any]]) -> None:
        """Like on_send, with the stream as first argument."""
        assert callback is None or callable(callback), "callback must be callable"
        if callback is None:
            self.on_send(None)
        else:
            cb = callback
            self.on_send(lambda msg, status: cb(self, msg, status))

    def on_err(self, callback: Optional[Callable[..., Any]]) -> None:
        """Kept for old code: ZeroMQ sockets report no error events (never called)."""
        warnings.warn("ZMQStream.on_err has no effect", DeprecationWarning, stacklevel=2)

    def stop_on_recv(self) -> None:
        self.on_recv(None)

    def stop_on_send(self) -> None:
        self.on_send(None)

    def stop_on_err(self) -> None:
        return None

    def set_close_callback(self, callback: Optional[Callable[[], Any]]) -> None:
        """Calls ``callback()`` when the stream is closed."""
        self._close_callback = callback

    # -- sending (queued) --
    def send(self, msg: Any, flags: int = 0, copy: bool = True, track: bool = False,
             callback: Optional[Callable[..., Any]] = None, **kwargs: Any) -> None:
        """Queues a one-frame message."""
        self.send_multipart([msg], flags=flags, copy=copy, track=track, callback=callback, **kwargs)

    def send_multipart(self, msg: Sequence[Any], flags: int = 0, copy: bool = True, track: bool = False,
                       callback: Optional[Callable[..., Any]] = None, **kwargs: Any) -> None:
        """Queues a message; it is sent when the socket can take it."""
        kwargs.update(flags=flags, copy=copy, track=track)
        self._send_queue.append((list(msg), kwargs))
        if callback is not None:
            self.on_send(callback)
        self._rebuild()

    def send_string(self, u: str, flags: int = 0, encoding: str = "utf-8",
                    callback: Optional[Callable[..., Any]] = None, **kwargs: Any) -> None:
        if not isinstance(u, str):
            raise TypeError("unicode/str objects only")
        self.send(u.encode(encoding), flags=flags, callback=callback, **kwargs)

    send_unicode = send_string

    def send_json(self, obj: Any, flags: int = 0, callback: Optional[Callable[..., Any]] = None, **kwargs: Any) -> None:
        from ferromq.utils import jsonapi

        self.send(jsonapi.dumps(obj), flags=flags, callback=callback, **kwargs)

    def send_pyobj(self, obj: Any, flags: int = 0, protocol: int = pickle.DEFAULT_PROTOCOL,
                   callback: Optional[Callable[..., Any]] = None, **kwargs: Any) -> None:
        self.send(pickle.dumps(obj, protocol), flags=flags, callback=callback, **kwargs)

    # -- socket passthroughs --
    def bind(self, addr: str) -> Any:
        return self._sock().bind(addr)

    def bind_to_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        return self._sock().bind_to_random_port(addr, *args, **kwargs)

    def connect(self, addr: str) -> Any:
        return self._sock().connect(addr)

    def setsockopt(self, option: int, value: Any) -> None:
        self._sock().setsockopt(option, value)

    def getsockopt(self, option: int) -> Any:
        return self._sock().getsockopt(option)

    def setsockopt_string(self, option: int, value: str, encoding: str = "utf-8") -> None:
        self._sock().setsockopt_string(option, value, encoding)

    def getsockopt_string(self, option: int, encoding: str = "utf-8") -> str:
        return self._sock().getsockopt_string(option, encoding)

    setsockopt_unicode = setsockopt_string
    getsockopt_unicode = getsockopt_string

    # -- state --
    def receiving(self) -> bool:
        return self._recv_callback is not None

    def sending(self) -> bool:
        return bool(self._send_queue)

    def closed(self) -> bool:
        return self.socket is None or self.socket.closed

    def close(self, linger: Optional[int] = None) -> None:
        """Stops watching the socket and closes it (then runs the close callback)."""
        if self.socket is None:
            return
        try:
            self.io_loop.remove_handler(self._fd)
        except (KeyError, ValueError, OSError):
            pass
        if not self.socket.closed:
            self.socket.close(linger)
        self.socket = None
        if self._close_callback is not None:
            self._run_callback(self._close_callback)

    def flush(self, flag: int = constants.POLLIN | constants.POLLOUT, limit: Optional[int] = None) -> int:
        """Handles pending receives/sends now (up to ``limit``); returns how many."""
        count = 0
        while self.socket is not None and (limit is None or count < limit):
            ev = self.socket.events
            if flag & constants.POLLIN and ev & constants.POLLIN and self.receiving():
                self._handle_recv()
            elif flag & constants.POLLOUT and ev & constants.POLLOUT and self.sending():
                self._handle_send()
            else:
                break
            count += 1
        self._rebuild()
        return count

    # -- event handling --
    def _sock(self) -> Socket:
        if self.socket is None:
            raise ZMQError(constants.ENOTSOCK, "ZMQStream is closed")
        return self.socket

    def _rebuild(self) -> None:
        """Schedules a look at the socket: the FD only signals changes, so work that is
        already possible (a queued send, a waiting message) must be found by looking."""
        if self._scheduled or self.socket is None:
            return
        if self.receiving() or self.sending() or self.socket.closed:
            self._scheduled = True
            self.io_loop.add_callback(self._handle_events, self._fd, 0)

    def _handle_events(self, fd: int, events: int) -> None:
        self._scheduled = False
        sock = self.socket
        if sock is None:
            return
        if sock.closed:
            warnings.warn(
                "ZMQStream got events after closing socket (closed under the stream); "
                "closing the stream",
                RuntimeWarning,
                stacklevel=1,
            )
            gen_log.warning("ZMQStream: got events for a closed socket %s", sock)
            self.close()
            return
        try:
            ev = sock.events  # reading events re-arms the FD
        except ZMQError as e:
            gen_log.error("ZMQStream: reading events failed: %s", e)
            return
        if ev & constants.POLLIN and self.receiving():
            self._handle_recv()
        if self.socket is not None and ev & constants.POLLOUT and self.sending():
            self._handle_send()
        if self.socket is None:
            return
        try:
            ev = self.socket.events
        except ZMQError:
            return
        if (ev & constants.POLLIN and self.receiving()) or (ev & constants.POLLOUT and self.sending()):
            self._rebuild()

    def _handle_recv(self) -> None:
        try:
            msg = self._sock().recv_multipart(constants.NOBLOCK, copy=self._recv_copy)
        except ZMQError as e:
            if e.errno != constants.EAGAIN:
                gen_log.error("ZMQStream: RECV error: %s", e)
            return
        if self._recv_callback is not None:
            self._run_callback(self._recv_callback, msg)

    def _handle_send(self) -> None:
        msg, kwargs = self._send_queue.popleft()
        status: Any
        try:
            status = self._sock().send_multipart(msg, **kwargs)
        except ZMQError as e:
            gen_log.error("ZMQStream: SEND error: %s", e)
            status = e
        if self._send_callback is not None:
            self._run_callback(self._send_callback, msg, status)

    def _run_callback(self, callback: Callable[..., Any], *args: Any) -> None:
        """Runs a callback; coroutine results are scheduled; errors are logged."""
        try:
            result = callback(*args)
        except Exception:
            gen_log.error("Uncaught exception in ZMQStream callback", exc_info=True)
            return
        if inspect.isawaitable(result):
            fut = asyncio.ensure_future(result)

            def done(f: "asyncio.Future[Any]") -> None:
                if not f.cancelled() and f.exception() is not None:
                    exc = f.exception()
                    gen_log.error(
                        "Uncaught exception in ZMQStream callback",
                        exc_info=(type(exc), exc, exc.__traceback__) if exc else None,
                    )

            fut.add_done_callback(done)


def _is_plain(socket: Any) -> bool:
    """A ferromq Socket subclass whose send/recv block (not an asyncio/green one)."""
    from ferromq import asyncio as faio

    return isinstance(socket, Socket) and not isinstance(socket, faio.Socket) and not getattr(socket, "_green", False)


