"""Tornado's IOLoop under pyzmq's old names (``zmq.eventloop.ioloop``). A ZMQ-specific
loop has not been needed since tornado 5: sockets are watched through their FD on the
ordinary loop, so ``IOLoop`` *is* tornado's and ``install()`` only warns."""

from __future__ import annotations

import warnings

from tornado.ioloop import IOLoop

ZMQIOLoop = IOLoop


def install() -> None:
    """Does nothing but warn: tornado's IOLoop works with ferromq sockets as it is."""
    warnings.warn(
        "ferromq.eventloop.ioloop.install() is not needed: use tornado's IOLoop",
        DeprecationWarning,
        stacklevel=2,
    )


__all__ = ["IOLoop", "ZMQIOLoop", "install"]
