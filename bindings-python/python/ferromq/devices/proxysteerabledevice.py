"""Steerable proxy devices: a proxy with a control socket (PAUSE, RESUME, TERMINATE,
STATISTICS)."""

from __future__ import annotations

from typing import Any

from ferromq import constants
from ferromq.devices.basedevice import Device, ProcessDevice, ThreadDevice
from ferromq.devices.proxydevice import ProxyBase
from ferromq.socket import Socket

__all__ = ["ProxySteerable", "ThreadProxySteerable", "ProcessProxySteerable"]


class ProxySteerableBase(ProxyBase):
    """Mixin: the control socket's configuration."""

    def __init__(self, in_type: int, out_type: int, mon_type: int = constants.PUB, ctrl_type: int = constants.PAIR) -> None:
        super().__init__(in_type, out_type, mon_type)
        self.ctrl_type = ctrl_type
        self._ctrl_binds: list[str] = []
        self._ctrl_connects: list[str] = []
        self._ctrl_sockopts: list[tuple[int, Any]] = []

    def bind_ctrl(self, addr: str) -> None:
        self._ctrl_binds.append(addr)

    def connect_ctrl(self, addr: str) -> None:
        self._ctrl_connects.append(addr)

    def setsockopt_ctrl(self, opt: int, value: Any) -> None:
        self._ctrl_sockopts.append((opt, value))

    def bind_ctrl_to_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        port: int = self._reserve_random_port(addr, *args, **kwargs)  # type: ignore[attr-defined]
        self.bind_ctrl(f"{addr}:{port}")
        return port

    def _forward(self, ins: Socket, outs: Socket) -> None:
        from ferromq import proxy_steerable

        mons = self._setup_mon()
        ctrl: Socket = self._context.socket(self.ctrl_type)  # type: ignore[attr-defined]
        self._sockets.append(ctrl)  # type: ignore[attr-defined]
        Device._configure(ctrl, self._ctrl_sockopts, self._ctrl_binds, self._ctrl_connects)
        proxy_steerable(ins, outs, mons, ctrl)


class ProxySteerable(ProxySteerableBase, Device):
    """A steerable proxy run in the calling thread."""


class ThreadProxySteerable(ProxySteerableBase, ThreadDevice):
    """A steerable proxy in a background thread."""


class ProcessProxySteerable(ProxySteerableBase, ProcessDevice):
    """A steerable proxy in a child process."""
