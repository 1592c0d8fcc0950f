"""``zmq.sugar.poll``: Poller and select (:mod:`ferromq.poll`)."""

from ferromq.poll import Poller, select

__all__ = ["Poller", "select"]
