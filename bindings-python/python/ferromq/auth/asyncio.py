"""``zmq.auth.asyncio``: AsyncioAuthenticator (``start()`` raises ENOTSUP, see :mod:`ferromq.auth`)."""

from ferromq.auth.base import Authenticator


class AsyncioAuthenticator(Authenticator):
    """An authenticator meant to run on asyncio; unsupported in ferromq so far."""


__all__ = ["AsyncioAuthenticator"]
