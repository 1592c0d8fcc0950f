"""``zmq.sugar.frame``: Frame (alias Message)."""

from ferromq._native import Frame

Message = Frame

__all__ = ["Frame", "Message"]
