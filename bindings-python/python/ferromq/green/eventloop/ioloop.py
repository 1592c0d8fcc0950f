"""``zmq.green.eventloop.ioloop``: tornado's IOLoop."""

from ferromq.eventloop.ioloop import IOLoop, ZMQIOLoop, install

__all__ = ["IOLoop", "ZMQIOLoop", "install"]
