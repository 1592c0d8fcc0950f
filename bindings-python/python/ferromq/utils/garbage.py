"""pyzmq's ``zmq.utils.garbage`` keeps Python buffers alive for zero-copy sends through
a helper thread. ferromq needs none (buffers are released by the native module when the
message has left); ``gc`` is kept so that code importing it runs."""

from __future__ import annotations

from typing import Any


class GarbageCollector:
    """No-op stand-in for pyzmq's zero-copy garbage collector."""

    def __init__(self, context: Any = None) -> None:
        self.context = context
        self.refs: dict[int, Any] = {}

    @property
    def is_alive(self) -> bool:
        return False

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None


gc = GarbageCollector()

__all__ = ["GarbageCollector", "gc"]
