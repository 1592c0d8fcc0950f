"""``zmq.green.eventloop.zmqstream``: ZMQStream (see :mod:`ferromq.eventloop.zmqstream`)."""

from ferromq.eventloop.zmqstream import ZMQStream

__all__ = ["ZMQStream"]
