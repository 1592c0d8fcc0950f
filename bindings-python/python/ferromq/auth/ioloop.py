"""``zmq.auth.ioloop``: IOLoopAuthenticator (``start()`` raises ENOTSUP, see :mod:`ferromq.auth`)."""

import warnings
from typing import Any

from ferromq.auth.base import Authenticator


class IOLoopAuthenticator(Authenticator):
    """An authenticator meant to run on tornado; unsupported in ferromq so far."""

    def __init__(self, context: Any = None, encoding: str = "utf-8", log: Any = None, io_loop: Any = None) -> None:
        if io_loop is not None:
            warnings.warn("IOLoopAuthenticator's io_loop argument is ignored (it runs on the current loop)",
                          DeprecationWarning, stacklevel=2)
        super().__init__(context, encoding, log)


__all__ = ["IOLoopAuthenticator"]
