"""``zmq.green.poll``: the green Poller."""

from ferromq.green.core import Poller

__all__ = ["Poller"]
