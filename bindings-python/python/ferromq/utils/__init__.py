"""Utilities (pyzmq\x27s zmq.utils)."""
