"""pyzmq's ``MessageTracker``: tells when ferromq has released the bytes of tracked
messages (``send(..., copy=False, track=True)`` or ``Frame(..., track=True)``), that is
when the message has left (been written out, or dropped) and no Frame holds it."""

from __future__ import annotations

import threading
import time
from typing import Any, Optional, Union

from ferromq import _native
from ferromq.error import NotDone

_Watchable = Union["MessageTracker", "_native.Tracker", "_native.Frame", threading.Event]


class MessageTracker:
    """Done when every tracked message, Event or tracker it watches is done."""

    def __init__(self, *towatch: Any) -> None:
        self.events: set[threading.Event] = set()
        self.peers: set[Any] = set()
        for obj in towatch:
            if isinstance(obj, threading.Event):
                self.events.add(obj)
            elif isinstance(obj, MessageTracker):
                self.events.update(obj.events)
                self.peers.update(obj.peers)
            elif isinstance(obj, _native.Tracker):
                self.peers.add(obj)
            elif isinstance(obj, _native.Frame):
                if obj.tracker is None:
                    raise ValueError("Not a tracked message")
                self.peers.add(obj.tracker)
            else:
                raise TypeError(f"Require Events or Message Frames, not {type(obj)}")

    @property
    def done(self) -> bool:
        """True once every watched message has left (never blocks)."""
        return all(e.is_set() for e in self.events) and all(p.done for p in self.peers)

    def wait(self, timeout: Optional[float] = -1) -> None:
        """Waits until done; ``timeout`` in seconds (-1 or None: forever); raises NotDone."""
        forever = timeout is None or timeout < 0
        deadline = None if forever else time.monotonic() + float(timeout or 0)

        def left() -> Optional[float]:
            return None if deadline is None else max(0.0, deadline - time.monotonic())

        for e in self.events:
            if not e.wait(left()):
                raise NotDone
        for p in self.peers:
            if not p._wait(left()):
                raise NotDone

    def __repr__(self) -> str:
        return f"<MessageTracker done={self.done}>"


_FINISHED_TRACKER = MessageTracker()
"""The tracker of messages that were copied at once (already done)."""

__all__ = ["MessageTracker"]
