"""``zmq.sugar.context``: the Context class (:mod:`ferromq.context`)."""

from ferromq.context import Context

__all__ = ["Context"]
