"""gevent-friendly ferromq (pyzmq's ``zmq.green``): ``import ferromq.green as zmq`` in
gevent programs. Everything of :mod:`ferromq`, with green Context, Socket, Poller and
device (blocking calls yield to other greenlets). Needs gevent installed."""

from ferromq import *  # noqa: F401,F403
from ferromq import __all__ as _all
from ferromq.green.core import Context, Poller, Socket, device, proxy

__all__ = list(_all)
