"""pyzmq's ``Socket`` over the native core."""

from __future__ import annotations

import errno as _errno
import json
import pickle
import random
import threading
import types
import weakref
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, TypeVar, Union

from ferromq import _native, constants
from ferromq._attrsettr import AttributeSetter
from ferromq.constants import SocketOption, SocketType
from ferromq.error import ZMQBindError, ZMQError
from ferromq.tracker import _FINISHED_TRACKER, MessageTracker
from ferromq.utils import z85

if TYPE_CHECKING:
    from ferromq.context import Context

T = TypeVar("T", bound="Socket")

# The options whose values are bytes, from the core's option table (one source).
_BYTES_OPTS = frozenset(number for _, number, kind, *_ in _native.option_table() if kind == "bytes")

# Python Socket objects by underlying address, so that shadows find their context.
_live_sockets: "weakref.WeakValueDictionary[int, Socket]" = weakref.WeakValueDictionary()


def _explain(e: ZMQError, addr: str) -> None:
    """Adds the address (and for ipc paths the length limit) to a bind/connect error."""
    if e.errno == _errno.ENAMETOOLONG and addr.startswith("ipc://"):
        e.strerror += f" (ipc path longer than {107} characters, the size of sun_path)"
    e.strerror += f" (addr={addr!r})"
    e.args = (e.errno, e.strerror)


def _buffer_len(data: Any) -> int:
    try:
        return memoryview(data).nbytes
    except TypeError:
        return 0


def _repr_cls(cls: type) -> str:
    """pyzmq's repr names the class as imported: ``zmq.Socket`` under
    ``ferromq.compat.install()``, else ``ferromq.Socket`` (or the subclass's own name)."""
    explicit = cls.__dict__.get("_repr_cls")
    if explicit:
        return str(explicit)
    mod = cls.__module__
    if mod.startswith("ferromq"):
        from ferromq import compat

        root = "zmq" if compat.installed() else "ferromq"
        public = {"ferromq.socket": "", "ferromq.context": "", "ferromq._native": "",
                  "ferromq.asyncio": ".asyncio",
                  "ferromq.green.core": ".green"}
        if mod in public:
            return f"{root}{public[mod]}.{cls.__name__}"
        mod = root + mod[len("ferromq"):]
    return f"{mod}.{cls.__name__}"


# CURVE keys read back as 40 bytes of Z85, as pyzmq returns them.
_CURVE_KEY_OPTS = frozenset(
    int(getattr(SocketOption, n)) for n in ("CURVE_PUBLICKEY", "CURVE_SECRETKEY", "CURVE_SERVERKEY")
)

_monitor_counter = 0
_monitor_lock = threading.Lock()


class _SocketContext:
    """Returned by bind/connect: ``with sock.bind(url):`` unbinds/disconnects on exit."""

    def __init__(self, socket: "Socket", kind: str, addr: str) -> None:
        self.socket = socket
        self.kind = kind
        self.addr = addr

    def __enter__(self) -> "Socket":
        return self.socket

    def __exit__(self, *args: Any) -> None:
        if self.socket.closed:
            return
        if self.kind == "bind":
            self.socket.unbind(self.addr)
        else:
            self.socket.disconnect(self.addr)

    def __repr__(self) -> str:
        return f"<SocketContext({self.kind}={self.addr!r})>"


class Socket(AttributeSetter, _native.Socket):
    """A ZeroMQ socket, with pyzmq's API (options as attributes, helpers, context manager)."""

    context: "Context"
    _shadow: bool = False
    _shadow_obj: Optional["Socket"] = None
    copy_threshold: int = 65536  # pyzmq's COPY_THRESHOLD: smaller zero-copy sends are copied

    def __init__(
        self,
        context: Any = None,
        socket_type: int = 0,
        *,
        shadow: Any = 0,
        copy_threshold: Optional[int] = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(context, _native.Socket):
            # Socket(other): a shadow of that socket (same underlying socket).
            self._shadow = True
            self._shadow_obj = context  # type: ignore[assignment]
            self.context = getattr(context, "context", None)  # type: ignore[assignment]
        elif shadow:
            self._shadow = True
            owner = _live_sockets.get(int(shadow))
            self._shadow_obj = owner
            self.context = owner.context if owner is not None else None  # type: ignore[assignment]
        else:
            self.context = context
            _live_sockets[self.underlying] = self
            if context is not None:
                context._add_socket(self)
                for opt, value in list(context.sockopts.items()):
                    self._set_default(opt, value)
        if copy_threshold is not None:
            self.copy_threshold = copy_threshold

    def _set_default(self, opt: int, value: Any) -> None:
        """A context-level default option: skipped for socket types without it
        (SUBSCRIBE on a PUB, for example), as pyzmq does."""
        try:
            self.set(opt, value)
        except ZMQError as e:
            if e.errno != _errno.EINVAL:
                raise

    def __class_getitem__(cls, item: Any) -> Any:
        """pyzmq's classes are generic (``zmq.Socket[bytes]`` in annotations): so are these."""
        return types.GenericAlias(cls, item)

    @classmethod
    def shadow(cls: type[T], address: Any) -> T:
        """A new Socket object over the same underlying socket as ``address`` (an
        ``underlying`` integer, or a Socket)."""
        if isinstance(address, _native.Socket):
            return cls(address)
        return cls(shadow=int(address))

    def __copy__(self: T, memo: Any = None) -> T:
        """Copies are shadows: the same underlying socket."""
        return type(self).shadow(self.underlying)

    __deepcopy__ = __copy__

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__())
        keys.update(SocketOption.__members__)
        return sorted(keys)

    def __repr__(self) -> str:
        try:
            tname = SocketType(self.socket_type).name
        except ValueError:
            tname = str(self.socket_type)
        closed = " closed" if self.closed else ""
        return f"<{_repr_cls(type(self))}(zmq.{tname}) at {hex(id(self))}{closed}>"

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def __del__(self) -> None:
        pass

    # -- lifecycle --
    def close(self, linger: Optional[int] = None) -> None:
        """Closes the socket (setting LINGER first if given)."""
        if self.closed:
            return
        if linger is not None:
            try:
                self._set(constants.LINGER, linger)
            except ZMQError:
                pass  # e.g. ETERM: closing still works (pyzmq ignores this too)
        self._close()
        ctx = self.__dict__.get("context")
        if ctx is not None:
            ctx._rm_socket(self)

    @property
    def type(self) -> int:
        return self.socket_type

    def bind(self, addr: str) -> _SocketContext:
        """Binds; the result is a context manager that unbinds on exit."""
        if isinstance(addr, bytes):
            addr = addr.decode()
        try:
            self._bind(addr)
        except ZMQError as e:
            _explain(e, addr)
            raise
        real = self.get(constants.LAST_ENDPOINT).decode() or addr
        return _SocketContext(self, "bind", real)

    def connect(self, addr: str) -> _SocketContext:
        """Connects; the result is a context manager that disconnects on exit."""
        if isinstance(addr, bytes):
            addr = addr.decode()
        try:
            self._connect(addr)
        except ZMQError as e:
            _explain(e, addr)
            raise
        return _SocketContext(self, "connect", addr)

    def bind_to_random_port(
        self,
        addr: str,
        min_port: int = 49152,
        max_port: int = 65536,
        max_tries: int = 100,
    ) -> int:
        """Binds to a random port of ``addr`` (an address without port); returns it."""
        if min_port == 49152 and max_port == 65536:
            self._bind(f"{addr}:*")
            url = self.get(constants.LAST_ENDPOINT).decode()
            return int(url.rsplit(":", 1)[-1])
        for _ in range(max_tries):
            port = random.randrange(min_port, max_port)
            try:
                self._bind(f"{addr}:{port}")
            except ZMQError as e:
                if e.errno not in (_errno.EADDRINUSE, _errno.EACCES):
                    raise
            else:
                return port
        raise ZMQBindError("Could not bind socket to random port.")

    # -- sending: `send` is native (`_native.Socket.send`), trackers are made here --
    def _send_tracked(
        self,
        data: Any,
        flags: int,
        copy: bool,
        track: bool,
        routing_id: Optional[int],
        group: Optional[str],
    ) -> Optional[MessageTracker]:
        """``send`` with a tracker: the native ``send`` calls this for ``track=True`` or a
        tracked Frame. With ``copy=False`` a large buffer is sent by reference and the
        MessageTracker is done once the message has left."""
        if isinstance(data, _native.Frame):
            if track and data.tracker is None:
                raise ValueError("Not a tracked message")
            self._send(data, flags, True, routing_id, group)
            if data.tracker is not None:
                return MessageTracker(data)
            return None
        if not copy and _buffer_len(data) >= self.copy_threshold:
            frame = _native.Frame(data, track=True)
            self._send(frame, flags, True, routing_id, group)
            return MessageTracker(frame)
        self._send(data, flags, copy, routing_id, group)
        return _FINISHED_TRACKER

    def send_multipart(
        self, msg_parts: Sequence[Any], flags: int = 0, copy: bool = True, track: bool = False, **kwargs: Any
    ) -> Optional[MessageTracker]:
        """Sends a multipart message; with ``track=True`` returns one tracker for all parts."""
        if not track:
            _native.Socket.send_multipart(self, msg_parts, flags, copy, False)
            return None
        parts: list[Any] = []
        for p in msg_parts:
            if isinstance(p, _native.Frame) or copy or _buffer_len(p) < self.copy_threshold:
                parts.append(p)
            else:
                parts.append(_native.Frame(p, track=True))
        _native.Socket.send_multipart(self, parts, flags, copy, False)
        tracked = [p for p in parts if isinstance(p, _native.Frame) and p.tracker is not None]
        return MessageTracker(*tracked) if tracked else _FINISHED_TRACKER

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        """Receives one frame into ``buffer`` (writable, contiguous); returns the frame's
        full length (larger than ``nbytes`` if it was truncated)."""
        if nbytes < 0:
            raise ValueError(f"nbytes={nbytes!r} must be non-negative")
        view = memoryview(buffer)  # TypeError for objects without the buffer protocol
        if view.readonly:
            raise BufferError("recv_into needs a writable buffer")
        if not view.contiguous:
            raise BufferError("recv_into needs a contiguous buffer")
        if nbytes > view.nbytes:
            raise ValueError(f"nbytes={nbytes} is larger than the buffer ({view.nbytes})")
        return _native.Socket.recv_into(self, buffer, nbytes, flags)

    # -- options --
    def set(self, option: int, optval: Any) -> None:
        """Sets an option by number (pyzmq's setsockopt)."""
        option = int(option)
        if isinstance(optval, str) and option in _BYTES_OPTS:
            raise TypeError("unicode not allowed, use setsockopt_string")
        if _native.option_type(option) is None and not isinstance(optval, int):
            # Unknown options pass through to the core as ints only (pyzmq).
            raise TypeError(f"option {option} is unknown: only int values pass through")
        if option == constants.HWM:
            self.hwm = optval
            return
        self._set(option, optval)

    setsockopt = set

    def get(self, option: int) -> Any:
        """Reads an option by number (pyzmq's getsockopt)."""
        option = int(option)
        if option == constants.HWM:
            return self.hwm
        value = self._get(option)
        if option in _CURVE_KEY_OPTS and isinstance(value, bytes) and len(value) == 32:
            return z85.encode(value)
        return value

    getsockopt = get

    def set_string(self, option: int, optval: str, encoding: str = "utf-8") -> None:
        if not isinstance(optval, str):
            raise TypeError(f"strings only, not {type(optval)}")
        self._set(int(option), optval.encode(encoding))

    setsockopt_string = set_string
    setsockopt_unicode = set_string

    def get_string(self, option: int, encoding: str = "utf-8") -> str:
        try:
            kind = SocketOption(int(option))._opt_type.value  # type: ignore[attr-defined]
        except ValueError:
            kind = "bytes"
        if kind != "bytes":
            raise TypeError(f"option {option} will not return a string to be decoded")
        v = self.get(option)
        if not isinstance(v, bytes):
            raise TypeError(f"option {option} will not return a string to be decoded")
        return v.decode(encoding)

    getsockopt_string = get_string
    getsockopt_unicode = get_string

    @property
    def hwm(self) -> int:
        """SNDHWM and RCVHWM together (reads SNDHWM)."""
        return int(self._get(constants.SNDHWM))

    @hwm.setter
    def hwm(self, value: int) -> None:
        self._set(constants.SNDHWM, value)
        self._set(constants.RCVHWM, value)

    def subscribe(self, topic: Union[str, bytes]) -> None:
        if isinstance(topic, str):
            topic = topic.encode("utf-8")
        self._set(constants.SUBSCRIBE, topic)

    def unsubscribe(self, topic: Union[str, bytes]) -> None:
        if isinstance(topic, str):
            topic = topic.encode("utf-8")
        self._set(constants.UNSUBSCRIBE, topic)

    def _set_attr_opt(self, name: str, opt: int, value: Any) -> None:
        if name in ("SUBSCRIBE", "UNSUBSCRIBE") and isinstance(value, str):
            value = value.encode("utf-8")
        self.set(opt, value)

    # -- helpers --
    def send_string(
        self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8", **kwargs: Any
    ) -> Any:
        if not isinstance(u, str):
            raise TypeError("unicode/str objects only")
        return self.send(u.encode(encoding), flags=flags, copy=copy, **kwargs)

    send_unicode = send_string

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> str:
        msg = self.recv(flags=flags)
        return msg.decode(encoding)  # type: ignore[no-any-return]

    recv_unicode = recv_string

    def send_json(self, obj: Any, flags: int = 0, **kwargs: Any) -> Any:
        send_kwargs = {k: kwargs.pop(k) for k in ("copy", "track", "routing_id", "group") if k in kwargs}
        msg = json.dumps(obj, **kwargs).encode("utf8")
        return self.send(msg, flags=flags, **send_kwargs)

    def recv_json(self, flags: int = 0, **kwargs: Any) -> Any:
        msg = self.recv(flags)
        return json.loads(msg, **kwargs)

    def send_pyobj(
        self, obj: Any, flags: int = 0, protocol: int = pickle.DEFAULT_PROTOCOL, **kwargs: Any
    ) -> Any:
        return self.send(pickle.dumps(obj, protocol), flags=flags, **kwargs)

    def recv_pyobj(self, flags: int = 0) -> Any:
        return pickle.loads(self.recv(flags))

    def send_serialized(
        self, msg: Any, serialize: Callable[[Any], Sequence[Any]], flags: int = 0, copy: bool = True, **kwargs: Any
    ) -> Any:
        return self.send_multipart(serialize(msg), flags=flags, copy=copy, **kwargs)

    def recv_serialized(
        self, deserialize: Callable[[list[Any]], Any], flags: int = 0, copy: bool = True
    ) -> Any:
        return deserialize(self.recv_multipart(flags, copy=copy))

    # -- monitor --
    def get_monitor_socket(self, events: Optional[int] = None, addr: Optional[str] = None) -> "Socket":
        """A PAIR socket receiving this socket's monitor events (libzmq's two-frame format)."""
        global _monitor_counter
        if self.__dict__.get("_monitor_socket") is not None:
            return self.__dict__["_monitor_socket"]  # type: ignore[no-any-return]
        if addr is None:
            with _monitor_lock:
                _monitor_counter += 1
                n = _monitor_counter
            addr = f"inproc://monitor.s-{id(self)}-{n}"
        if events is None:
            events = constants.EVENT_ALL
        self.monitor(addr, events)
        sock: Socket = self.context.socket(constants.PAIR)
        sock.connect(addr)
        self._monitor_socket = sock
        return sock

    def disable_monitor(self) -> None:
        """Stops monitoring. The monitor socket stays open (it receives
        EVENT_MONITOR_STOPPED); closing it is the caller's business, as in pyzmq."""
        self._monitor_socket = None
        self.monitor(None, 0)

    _monitor_socket: Optional["Socket"] = None


__all__ = ["Socket"]
