"""JSON helpers that work in bytes (pyzmq's ``zmq.utils.jsonapi``)."""

from __future__ import annotations

import json
from typing import Any, Union

jsonmod = json


def dumps(o: Any, **kwargs: Any) -> bytes:
    """``json.dumps`` encoded as UTF-8 bytes (non-ASCII kept as is)."""
    kwargs.setdefault("ensure_ascii", False)
    return json.dumps(o, **kwargs).encode("utf8")


def loads(s: Union[bytes, str], **kwargs: Any) -> Any:
    """``json.loads`` of bytes (UTF-8) or str."""
    if isinstance(s, bytes):
        s = s.decode("utf8")
    return json.loads(s, **kwargs)


__all__ = ["dumps", "loads", "jsonmod"]
