"""``zmq.auth.ioloop``: IOLoopAuthenticator (``start()`` raises ENOTSUP, see :mod:`ferromq.auth`)."""

from ferromq.auth.base import Authenticator


class IOLoopAuthenticator(Authenticator):
    """An authenticator meant to run on tornado; unsupported in ferromq so far."""


__all__ = ["IOLoopAuthenticator"]
