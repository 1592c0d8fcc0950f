"""Logging over PUB sockets (pyzmq's ``zmq.log``): see :mod:`ferromq.log.handlers`."""
