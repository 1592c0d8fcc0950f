"""``zmq.green.eventloop``: the tornado integration (see :mod:`ferromq.eventloop`)."""
