"""Devices: a proxy between two sockets that the device creates itself, run in the
background (a thread or a process) so that the caller only configures it::

    dev = ThreadDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER)
    dev.bind_in("tcp://127.0.0.1:5555")
    dev.bind_out("tcp://127.0.0.1:5556")
    dev.start()

``out_type`` -1 makes a single-socket device: what arrives on the in socket is sent back
on it (an echo service on a REP socket, for example).
"""

from __future__ import annotations

import threading
from multiprocessing import Process
from typing import Any, Callable, Optional, Union

from ferromq import constants
from ferromq.context import Context
from ferromq.error import ContextTerminated, ZMQBindError, ZMQError
from ferromq.socket import Socket

__all__ = ["Device", "ThreadDevice", "ProcessDevice", "BackgroundDevice"]


class Device:
    """A device run in the calling thread (``run()`` / ``start()`` block)."""

    context_factory: Callable[[], Context] = Context.instance
    daemon: bool = True
    _context: Optional[Context] = None

    def __init__(
        self,
        device_type: int = constants.QUEUE,
        in_type: Optional[int] = None,
        out_type: Optional[int] = None,
    ) -> None:
        if in_type is None or out_type is None:
            raise TypeError("in_type and out_type must be given")
        self.device_type = device_type
        self.in_type = in_type
        self.out_type = out_type
        self._in_binds: list[str] = []
        self._in_connects: list[str] = []
        self._in_sockopts: list[tuple[int, Any]] = []
        self._out_binds: list[str] = []
        self._out_connects: list[str] = []
        self._out_sockopts: list[tuple[int, Any]] = []
        self._random_addrs: list[str] = []
        self.daemon = True
        self.done = False

    # -- configuration (applied when the device starts) --
    def bind_in(self, addr: str) -> None:
        self._in_binds.append(addr)

    def connect_in(self, addr: str) -> None:
        self._in_connects.append(addr)

    def setsockopt_in(self, opt: int, value: Any) -> None:
        self._in_sockopts.append((opt, value))

    def bind_out(self, addr: str) -> None:
        self._out_binds.append(addr)

    def connect_out(self, addr: str) -> None:
        self._out_connects.append(addr)

    def setsockopt_out(self, opt: int, value: Any) -> None:
        self._out_sockopts.append((opt, value))

    def _reserve_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        """A free port of ``addr`` that this device has not handed out yet (the sockets
        only bind when the device starts)."""
        with Context() as ctx:
            with ctx.socket(constants.PUB) as probe:
                for _ in range(5):
                    port = int(probe.bind_to_random_port(addr, *args, **kwargs))
                    probe.unbind(f"{addr}:{port}")
                    full = f"{addr}:{port}"
                    if full not in self._random_addrs:
                        self._random_addrs.append(full)
                        return port
        raise ZMQBindError("Could not reserve a free port.")

    def bind_in_to_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_in(f"{addr}:{port}")
        return port

    def bind_out_to_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_out(f"{addr}:{port}")
        return port

    # -- running --
    @staticmethod
    def _configure(sock: Socket, opts: list[tuple[int, Any]], binds: list[str], connects: list[str]) -> None:
        for opt, value in opts:
            sock.setsockopt(opt, value)
        for addr in binds:
            sock.bind(addr)
        for addr in connects:
            sock.connect(addr)

    def _setup_sockets(self) -> tuple[Socket, Socket]:
        ctx = self.context_factory()
        self._context = ctx
        ins = ctx.socket(self.in_type)
        self._sockets = [ins]
        if self.out_type < 0:
            outs = ins
        else:
            outs = ctx.socket(self.out_type)
            self._sockets.append(outs)
        self._configure(ins, self._in_sockopts, self._in_binds, self._in_connects)
        if outs is not ins:
            self._configure(outs, self._out_sockopts, self._out_binds, self._out_connects)
        else:
            self._configure(ins, self._out_sockopts, self._out_binds, self._out_connects)
        return ins, outs

    def _forward(self, ins: Socket, outs: Socket) -> None:
        """The device's work (a proxy); subclasses add sockets."""
        if ins is outs:
            _echo(ins)
        else:
            from ferromq import proxy

            proxy(ins, outs)

    def run_device(self) -> None:
        ins, outs = self._setup_sockets()
        self._forward(ins, outs)

    def run(self) -> None:
        """Runs the device until its context is terminated; then closes its sockets."""
        try:
            self.run_device()
        except ContextTerminated:
            pass
        except ZMQError as e:
            if e.errno != constants.ETERM:
                raise
        finally:
            for s in getattr(self, "_sockets", []):
                s.close(linger=0)
            self.done = True

    def start(self) -> None:
        """Runs the device (blocks; the background variants return at once)."""
        self.run()

    def join(self, timeout: Optional[float] = None) -> None:
        """Waits for the device to finish (a blocking device has finished already)."""
        return None


def _echo(sock: Socket) -> None:
    """A single-socket device: every message is sent back on the socket it came from."""
    while True:
        sock.send_multipart(sock.recv_multipart())


class BackgroundDevice(Device):
    """A device run in a background thread or process: ``start()`` returns at once."""

    _launcher: Optional[Union[threading.Thread, Process]] = None

    def _launch(self) -> Union[threading.Thread, Process]:
        raise NotImplementedError

    def start(self) -> None:
        self._launcher = self._launch()
        self._launcher.start()

    def join(self, timeout: Optional[float] = None) -> None:
        if self._launcher is not None:
            self._launcher.join(timeout=timeout)


class ThreadDevice(BackgroundDevice):
    """A device in a daemon thread (sockets from ``Context.instance()``)."""

    def _launch(self) -> threading.Thread:
        return threading.Thread(target=self.run, daemon=self.daemon, name="ferromq-device")


class ProcessDevice(BackgroundDevice):
    """A device in a child process, with its own Context there."""

    context_factory: Callable[[], Context] = Context

    def _launch(self) -> Process:
        p = Process(target=self.run)
        p.daemon = self.daemon
        return p
