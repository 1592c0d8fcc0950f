"""String type helpers kept for old code (pyzmq's ``zmq.utils.strtypes``)."""

from __future__ import annotations

from typing import Union

bytes = bytes  # noqa: A001 - the names old code imports
unicode = str
basestring = (str, bytes)


def cast_bytes(s: Union[str, bytes], encoding: str = "utf8", errors: str = "strict") -> bytes:
    """``s`` as bytes (str is encoded)."""
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode(encoding, errors)
    raise TypeError(f"Expected unicode or bytes, got {s!r}")


def cast_unicode(s: Union[str, bytes], encoding: str = "utf8", errors: str = "strict") -> str:
    """``s`` as str (bytes are decoded)."""
    if isinstance(s, bytes):
        return s.decode(encoding, errors)
    if isinstance(s, str):
        return s
    raise TypeError(f"Expected unicode or bytes, got {s!r}")


b = asbytes = cast_bytes
u = cast_unicode

__all__ = ["asbytes", "bytes", "unicode", "basestring", "b", "u", "cast_bytes", "cast_unicode"]
