"""MonitoredQueue devices: :func:`monitored_queue` in the background."""

from __future__ import annotations

from ferromq import constants
from ferromq.devices.basedevice import Device, ProcessDevice, ThreadDevice
from ferromq.devices.monitoredqueue import monitored_queue
from ferromq.devices.proxydevice import ProxyBase
from ferromq.socket import Socket

__all__ = ["MonitoredQueue", "ThreadMonitoredQueue", "ProcessMonitoredQueue"]


class MonitoredQueueBase(ProxyBase):
    """Mixin: a proxy device whose monitor copies carry a direction prefix."""

    def __init__(
        self,
        in_type: int,
        out_type: int,
        mon_type: int = constants.PUB,
        in_prefix: bytes = b"in",
        out_prefix: bytes = b"out",
    ) -> None:
        super().__init__(in_type, out_type, mon_type)
        self._in_prefix = in_prefix
        self._out_prefix = out_prefix

    def _forward(self, ins: Socket, outs: Socket) -> None:
        monitored_queue(ins, outs, self._setup_mon(), self._in_prefix, self._out_prefix)


class MonitoredQueue(MonitoredQueueBase, Device):
    """A monitored queue run in the calling thread."""


class ThreadMonitoredQueue(MonitoredQueueBase, ThreadDevice):
    """A monitored queue in a background thread."""


class ProcessMonitoredQueue(MonitoredQueueBase, ProcessDevice):
    """A monitored queue in a child process."""
