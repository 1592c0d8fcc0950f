"""``zmq.auth.thread``: ThreadAuthenticator (``start()`` raises ENOTSUP, see :mod:`ferromq.auth`)."""

from ferromq.auth.base import Authenticator


class ThreadAuthenticator(Authenticator):
    """An authenticator meant to run in a thread; unsupported in ferromq so far."""


__all__ = ["ThreadAuthenticator"]
