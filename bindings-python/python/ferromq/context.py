"""pyzmq's ``Context`` over the native core."""

from __future__ import annotations

import os
import threading
import types
import weakref
from typing import Any, Optional, TypeVar, cast

from ferromq import _native, constants
from ferromq._attrsettr import AttributeSetter
from ferromq.constants import ContextOption, SocketOption
from ferromq.socket import Socket

T = TypeVar("T", bound="Context")


class _CtxState:
    """What all Context objects over one underlying context share."""

    def __init__(self) -> None:
        self.closed = False


_states: "weakref.WeakValueDictionary[int, _CtxState]" = weakref.WeakValueDictionary()

_CTX_OPTS = frozenset(int(o) for o in ContextOption)
_SOCK_OPTS = frozenset(int(o) for o in SocketOption)


class Context(AttributeSetter, _native.Context):
    """A ZeroMQ context: creates sockets; ``term()`` ends them."""

    sockopts: dict[int, Any]
    _instance: Optional["Context"] = None
    _instance_lock = threading.Lock()
    _instance_pid: Optional[int] = None
    _socket_class: type[Socket] = Socket

    _shadow: bool = False

    def __init__(self, io_threads: Any = 1, shadow: Any = 0, **kwargs: Any) -> None:
        self.sockopts = {}
        self._sockets: "weakref.WeakSet[Socket]" = weakref.WeakSet()
        self._sockets_lock = threading.Lock()
        self._pid = os.getpid()
        self._shadow = bool(shadow) or isinstance(io_threads, _native.Context)
        # Every Context object over one underlying context shares its terminated flag.
        state = _states.get(self.underlying)
        if state is None:
            state = _CtxState()
            _states[self.underlying] = state
        self._state = state

    def __class_getitem__(cls, item: Any) -> Any:
        """pyzmq's classes are generic (``zmq.Socket[bytes]`` in annotations): so are these."""
        return types.GenericAlias(cls, item)

    @classmethod
    def shadow(cls: type[T], address: Any) -> T:
        """A new Context object over the same underlying context as ``address`` (an
        ``underlying`` integer, or a Context)."""
        if isinstance(address, _native.Context):
            return cls(address)
        return cls(shadow=int(address))

    def __copy__(self: T, memo: Any = None) -> T:
        """Copies are shadows: the same underlying context."""
        return type(self).shadow(self.underlying)

    __deepcopy__ = __copy__

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__())
        keys.update(o.name for o in ContextOption)
        keys.update(o.name for o in SocketOption)
        return sorted(keys)

    def __repr__(self) -> str:
        from ferromq.socket import _repr_cls

        closed = " closed" if self.closed else ""
        n = len(self._sockets)
        socks = f"{n} socket{'s' if n != 1 else ''}" if n else ""
        return f"<{_repr_cls(type(self))}({socks}) at {hex(id(self))}{closed}>"

    @property
    def _closed(self) -> bool:
        return self._state.closed

    @_closed.setter
    def _closed(self, value: bool) -> None:
        self._state.closed = value

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *args: Any) -> None:
        with self._sockets_lock:
            unclosed = [s for s in self._sockets if not s.closed]
        if unclosed:
            import warnings

            warnings.warn(
                f"{len(unclosed)} socket(s) still open when the Context exited: closing them",
                ResourceWarning,
                stacklevel=2,
            )
        self.destroy()

    @classmethod
    def instance(cls: type[T], io_threads: int = 1) -> T:
        """The process-wide shared context (re-created after fork or term)."""
        inst = cls._instance
        # A subclass without its own ``_instance`` shares its parent's instance (pyzmq).
        if inst is None or inst._closed or inst._pid != os.getpid():
            with cls._instance_lock:
                inst = cls._instance
                if inst is None or inst._closed or inst._pid != os.getpid():
                    inst = cls(io_threads=io_threads)
                    cls._instance = inst
        return cast(T, inst)

    @property
    def closed(self) -> bool:
        return self._closed

    def _add_socket(self, sock: Socket) -> None:
        with self._sockets_lock:
            self._sockets.add(sock)

    def _rm_socket(self, sock: Socket) -> None:
        with self._sockets_lock:
            self._sockets.discard(sock)

    def socket(self, socket_type: int, socket_class: Optional[type[Socket]] = None, **kwargs: Any) -> Any:
        """A new socket of ``socket_type`` (with this context's default options)."""
        if self._closed:
            from ferromq.error import ZMQError

            raise ZMQError(constants.EFAULT)
        cls = socket_class if socket_class is not None else self._socket_class
        s = cls(self, int(socket_type), **kwargs)
        return s

    def term(self) -> None:
        """Blocked calls in other threads raise ContextTerminated; waits for every socket
        to be closed (and its linger to pass)."""
        self._term()
        self._closed = True

    def destroy(self, linger: Optional[int] = None) -> None:
        """Closes every socket of the context (with ``linger`` if given), then terms.

        Calls blocked in other threads on these sockets fail with ContextTerminated."""
        from ferromq.error import ZMQError

        with self._sockets_lock:
            sockets = list(self._sockets)
            self._sockets = weakref.WeakSet()
        if linger is not None:
            for s in sockets:
                try:
                    s._try_set(constants.LINGER, linger)
                except ZMQError:
                    pass
        # Wake blocked calls (ETERM) so that their sockets can be closed.
        self._shutdown()
        for s in sockets:
            s.close()
        self.term()

    # -- options --
    def set(self, option: int, optval: Any) -> None:
        """Sets a context option (zmq_ctx_set: IO_THREADS, MAX_SOCKETS…)."""
        self._ctx_set(int(option), optval)

    def get(self, option: int) -> Any:
        """Reads a context option (zmq_ctx_get)."""
        return self._ctx_get(int(option))

    def setsockopt(self, option: int, optval: Any) -> None:
        """Sets a default socket option for sockets created later by this context
        (skipped for socket types that do not have it, e.g. SUBSCRIBE on a PUB)."""
        self.sockopts[int(option)] = optval

    def getsockopt(self, option: int) -> Any:
        """A default socket option set by :meth:`setsockopt`."""
        option = int(option)
        if option in self.sockopts:
            return self.sockopts[option]
        from ferromq.error import ZMQError

        raise ZMQError(constants.EINVAL)

    def _set_attr_opt(self, name: str, opt: int, value: Any) -> None:
        if name in ContextOption.__members__:
            self._ctx_set(int(opt), value)
        else:
            self.sockopts[int(opt)] = value

    def _get_attr_opt(self, name: str, opt: int) -> Any:
        if name in ContextOption.__members__:
            return self._ctx_get(int(opt))
        if int(opt) in self.sockopts:
            return self.sockopts[int(opt)]
        raise AttributeError(name)

    def __delattr__(self, key: str) -> None:
        opt = getattr(constants, key.upper(), None)
        if opt is not None and int(opt) in self.sockopts:
            del self.sockopts[int(opt)]
        else:
            object.__delattr__(self, key)


__all__ = ["Context"]
