"""``zmq.sugar.socket``: the Socket class (:mod:`ferromq.socket`)."""

from ferromq.socket import Socket

__all__ = ["Socket"]
