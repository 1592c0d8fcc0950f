"""Monitor message parsing (pyzmq's ``zmq.utils.monitor``)."""

from __future__ import annotations

import asyncio
import struct
from typing import Any, Union

from ferromq.constants import Event


def parse_monitor_message(msg: list[bytes]) -> dict[str, Any]:
    """Decodes a two-frame monitor message: ``{'event', 'value', 'endpoint'}``."""
    if len(msg) != 2 or len(msg[0]) != 6:
        raise RuntimeError(f"Invalid event message format: {msg!r}")
    event_id, value = struct.unpack("=hi", msg[0])
    event: Union[Event, int]
    try:
        event = Event(event_id)
    except ValueError:
        event = event_id
    return {"event": event, "value": value, "endpoint": msg[1]}


def recv_monitor_message(socket: Any, flags: int = 0) -> Any:
    """Receives and decodes one monitor event from a monitor socket (for an asyncio
    socket: a Future of the decoded event)."""
    msg = socket.recv_multipart(flags)
    if isinstance(msg, asyncio.Future):
        from ferromq.asyncio import _chain

        return _chain(msg, parse_monitor_message)
    return parse_monitor_message(msg)


__all__ = ["parse_monitor_message", "recv_monitor_message"]
