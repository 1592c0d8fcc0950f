"""``zmq.green.device``: the cooperative device/proxy."""

from ferromq.green.core import device, proxy

__all__ = ["device", "proxy"]
