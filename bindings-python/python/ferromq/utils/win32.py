"""Windows console Ctrl-C helper (pyzmq's ``zmq.utils.win32``). Off Windows,
``allow_interrupt`` is a context manager that does nothing (blocking calls are already
interruptible by signals)."""

from __future__ import annotations

import os
from typing import Any, Callable, Optional


class allow_interrupt:
    """``with allow_interrupt(action):`` on Windows runs ``action`` on Ctrl-C; elsewhere
    it has no effect."""

    def __init__(self, action: Optional[Callable[[], Any]] = None) -> None:
        if os.name == "nt":
            raise NotImplementedError("ferromq does not support the Windows console handler")
        self.action = action

    def __enter__(self) -> "allow_interrupt":
        return self

    def __exit__(self, *args: Any) -> None:
        return None


__all__ = ["allow_interrupt"]
