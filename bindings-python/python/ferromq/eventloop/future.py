"""Awaitable sockets for tornado code (pyzmq's ``zmq.eventloop.future``). Tornado >= 5
runs on asyncio and awaits asyncio Futures, so these are the :mod:`ferromq.asyncio`
classes."""

from __future__ import annotations

from asyncio import CancelledError

from ferromq.asyncio import Context, Poller, Socket

__all__ = ["Context", "Socket", "Poller", "CancelledError"]
