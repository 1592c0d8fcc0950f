"""pyzmq's exception hierarchy: ZMQError (errno, strerror) and its subclasses."""

from __future__ import annotations

import errno as _errno
from typing import Optional

from ferromq.constants import Errno


def strerror(errnum: int) -> str:
    """libzmq's message for an errno value."""
    from ferromq._native import strerror as _strerror

    return _strerror(errnum)


class ZMQBaseError(Exception):
    """Base of every ferromq exception."""


class ZMQError(ZMQBaseError):
    """An error from a ZeroMQ call, with the libzmq ``errno`` and its ``strerror``."""

    errno: Optional[int] = None
    strerror: str

    def __init__(self, errno: Optional[int] = None, msg: Optional[str] = None) -> None:
        if errno is None:
            errno = _errno.EINVAL
        self.errno = errno
        if msg is None:
            msg = strerror(errno)
        self.strerror = msg
        super().__init__(errno, msg)

    def __str__(self) -> str:
        return self.strerror

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({str(self)!r})"


class ZMQBindError(ZMQBaseError):
    """bind_to_random_port found no free port."""


class NotDone(ZMQBaseError):
    """Timeout while waiting for a message to be done."""


class ZMQVersionError(NotImplementedError):
    """A feature needs a newer libzmq."""

    def __init__(self, min_version: str, msg: str = "Feature") -> None:
        self.min_version = min_version
        self.msg = msg
        super().__init__(f"{msg} requires libzmq >= {min_version}")


class Again(ZMQError):
    """EAGAIN: non-blocking call would block, or a timeout expired."""

    def __init__(self, errno: Optional[int] = _errno.EAGAIN, msg: Optional[str] = None) -> None:
        super().__init__(errno, msg)


class ContextTerminated(ZMQError):
    """ETERM: the context was terminated."""

    def __init__(self, errno: Optional[int] = int(Errno.ETERM), msg: Optional[str] = None) -> None:
        super().__init__(errno, msg)


class InterruptedSystemCall(ZMQError, InterruptedError):  # type: ignore[misc]
    """EINTR (ferromq retries internally, so it is rarely seen)."""

    def __init__(self, errno: Optional[int] = _errno.EINTR, msg: Optional[str] = None) -> None:
        super().__init__(errno, msg)


_BY_ERRNO: dict[int, type[ZMQError]] = {
    _errno.EAGAIN: Again,
    int(Errno.ETERM): ContextTerminated,
    _errno.EINTR: InterruptedSystemCall,
}


def _error_for_errno(errnum: int) -> ZMQError:
    """The exception instance for an errno (used by the native module)."""
    return _BY_ERRNO.get(errnum, ZMQError)(errnum)


def _check_rc(rc: int, errno: Optional[int] = None) -> None:
    if rc == -1:
        raise _error_for_errno(errno if errno is not None else _errno.EINVAL)


__all__ = [
    "ZMQBaseError",
    "ZMQError",
    "ZMQBindError",
    "NotDone",
    "ZMQVersionError",
    "Again",
    "ContextTerminated",
    "InterruptedSystemCall",
    "strerror",
]
