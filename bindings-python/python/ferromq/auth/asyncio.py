"""``zmq.auth.asyncio``: a ZAP handler running as a task on the asyncio loop."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any, Optional

from ferromq import constants
from ferromq.auth.base import Authenticator


class AsyncioAuthenticator(Authenticator):
    """Answers ZAP requests in a task of the running asyncio loop (``start()`` must be
    called from a coroutine or with a loop set)."""

    def __init__(self, context: Any = None, loop: Any = None, encoding: str = "utf-8", log: Any = None) -> None:
        super().__init__(context=context, encoding=encoding, log=log)
        if loop is not None:
            warnings.warn(f"{self.__class__.__name__}(loop) is deprecated and ignored",
                          DeprecationWarning, stacklevel=2)
        self._poller: Optional[Any] = None
        self._task: Optional["asyncio.Future[None]"] = None

    async def _serve(self) -> None:
        while self._poller is not None:
            events = dict(await self._poller.poll())
            if self.zap_socket is not None and self.zap_socket in events:
                await self.handle_zap_message(self.zap_socket.recv_multipart())

    def start(self) -> None:
        """Binds the ZAP socket and starts the task."""
        from ferromq.asyncio import Poller

        super().start()
        self._poller = Poller()
        self._poller.register(self.zap_socket, constants.POLLIN)
        self._task = asyncio.ensure_future(self._serve())

    def stop(self) -> None:
        """Cancels the task and closes the ZAP socket."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._poller is not None:
            self._poller.unregister(self.zap_socket)
            self._poller = None
        super().stop()


__all__ = ["AsyncioAuthenticator"]
