"""``zmq.auth.ioloop``: IOLoopAuthenticator, the asyncio authenticator under its old
tornado-era name (as in pyzmq, where tornado runs on asyncio)."""

import warnings
from typing import Any

from ferromq.auth.asyncio import AsyncioAuthenticator


class IOLoopAuthenticator(AsyncioAuthenticator):
    """``AsyncioAuthenticator``; the ``io_loop`` argument is ignored."""

    def __init__(self, context: Any = None, encoding: str = "utf-8", log: Any = None, io_loop: Any = None) -> None:
        if io_loop is not None:
            warnings.warn("IOLoopAuthenticator's io_loop argument is ignored (it runs on the current loop)",
                          DeprecationWarning, stacklevel=2)
        super().__init__(context, encoding=encoding, log=log)


__all__ = ["IOLoopAuthenticator"]
