"""Tornado integration (pyzmq's ``zmq.eventloop``): :class:`~ferromq.eventloop.zmqstream.ZMQStream`
runs callbacks on a tornado IOLoop (tornado >= 6, on the asyncio loop) from a socket's
readiness FD; :mod:`ferromq.eventloop.future` gives awaitable sockets."""
