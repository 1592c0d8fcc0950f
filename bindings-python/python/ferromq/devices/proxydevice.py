"""Proxy devices: a device whose messages are also sent to a third (monitor/capture)
socket."""

from __future__ import annotations

from typing import Any

from ferromq import constants
from ferromq.devices.basedevice import Device, ProcessDevice, ThreadDevice
from ferromq.socket import Socket

__all__ = ["Proxy", "ThreadProxy", "ProcessProxy"]


class ProxyBase:
    """Mixin: the capture ("mon") socket's configuration."""

    _mon_binds: list[str]
    _mon_connects: list[str]
    _mon_sockopts: list[tuple[int, Any]]

    def __init__(self, in_type: int, out_type: int, mon_type: int = constants.PUB) -> None:
        Device.__init__(self, constants.QUEUE, in_type, out_type)  # type: ignore[arg-type]
        self.mon_type = mon_type
        self._mon_binds = []
        self._mon_connects = []
        self._mon_sockopts = []

    def bind_mon(self, addr: str) -> None:
        self._mon_binds.append(addr)

    def connect_mon(self, addr: str) -> None:
        self._mon_connects.append(addr)

    def setsockopt_mon(self, opt: int, value: Any) -> None:
        self._mon_sockopts.append((opt, value))

    def bind_mon_to_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        port: int = self._reserve_random_port(addr, *args, **kwargs)  # type: ignore[attr-defined]
        self.bind_mon(f"{addr}:{port}")
        return port

    def _setup_mon(self) -> Socket:
        ctx = self._context  # type: ignore[attr-defined]
        mons: Socket = ctx.socket(self.mon_type)
        self._sockets.append(mons)  # type: ignore[attr-defined]
        Device._configure(mons, self._mon_sockopts, self._mon_binds, self._mon_connects)
        return mons

    def _forward(self, ins: Socket, outs: Socket) -> None:
        from ferromq import proxy

        proxy(ins, outs, self._setup_mon())


class Proxy(ProxyBase, Device):
    """A proxy device run in the calling thread."""


class ThreadProxy(ProxyBase, ThreadDevice):
    """A proxy device in a background thread."""


class ProcessProxy(ProxyBase, ProcessDevice):
    """A proxy device in a child process."""
