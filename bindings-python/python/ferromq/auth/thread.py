"""``zmq.auth.thread``: a ZAP handler running in a background thread."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Optional

from ferromq import constants
from ferromq.auth.base import Authenticator


class AuthenticationThread(threading.Thread):
    """Answers ZAP requests until the control pipe says ``TERMINATE``.

    Requests are handled one at a time on the thread's own event loop (a CURVE callback
    may be a coroutine); a request never waits for another thread's loop.
    """

    def __init__(self, authenticator: Authenticator, pipe: Any) -> None:
        super().__init__(name="ferromq-auth", daemon=True)
        self.authenticator = authenticator
        self.pipe = pipe
        self.log = authenticator.log
        self.started = threading.Event()

    def run(self) -> None:
        from ferromq.sugar.poll import Poller

        loop = asyncio.new_event_loop()
        poller = Poller()
        poller.register(self.pipe, constants.POLLIN)
        poller.register(self.authenticator.zap_socket, constants.POLLIN)
        self.started.set()
        try:
            while True:
                events = dict(poller.poll())
                if self.pipe in events and self._handle_pipe_message(self.pipe.recv_multipart()):
                    return
                if self.authenticator.zap_socket in events:
                    msg = self.authenticator.zap_socket.recv_multipart()
                    loop.run_until_complete(self.authenticator.handle_zap_message(msg))
        finally:
            self.pipe.close()
            loop.close()

    def _handle_pipe_message(self, msg: list[bytes]) -> bool:
        """True for ``TERMINATE``; any other command is answered with ``ERROR``."""
        if msg and msg[0] == b"TERMINATE":
            return True
        self.log.error("Invalid auth command from API: %r", msg)
        self.pipe.send(b"ERROR")
        return False


class ThreadAuthenticator(Authenticator):
    """Runs ZAP authentication in a background thread (``start()`` / ``stop()``)."""

    pipe: Any
    pipe_endpoint: str = ""
    thread: Optional[AuthenticationThread]

    def __init__(self, context: Any = None, encoding: str = "utf-8", log: Any = None) -> None:
        super().__init__(context=context, encoding=encoding, log=log)
        self.pipe = None
        self.pipe_endpoint = f"inproc://ferromq.auth.{id(self)}"
        self.thread = None

    def start(self) -> None:
        """Binds the ZAP socket and starts the thread (RuntimeError if it does not
        come up within 10 s)."""
        from ferromq.socket import Socket

        super().start()
        self.pipe = self.context.socket(constants.PAIR, socket_class=Socket)
        self.pipe.linger = 1
        self.pipe.bind(self.pipe_endpoint)
        thread_pipe = self.context.socket(constants.PAIR, socket_class=Socket)
        thread_pipe.linger = 1
        thread_pipe.connect(self.pipe_endpoint)
        self.thread = AuthenticationThread(self, thread_pipe)
        self.thread.start()
        if not self.thread.started.wait(timeout=10):
            raise RuntimeError("Authenticator thread failed to start")

    def stop(self) -> None:
        """Stops the thread, then closes the ZAP socket."""
        if self.pipe:
            self.pipe.send(b"TERMINATE")
            if self.thread is not None and self.thread.is_alive():
                self.thread.join()
            self.thread = None
            self.pipe.close()
            self.pipe = None
        super().stop()

    def is_alive(self) -> bool:
        """Whether the ZAP thread is running."""
        return bool(self.thread and self.thread.is_alive())

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:  # interpreter shutdown: the context may be gone already
            pass


__all__ = ["ThreadAuthenticator", "AuthenticationThread"]
