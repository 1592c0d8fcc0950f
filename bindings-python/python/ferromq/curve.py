"""CURVE key functions. ferromq has no CURVE yet (it comes with the security work):
these raise ``ZMQError(ENOTSUP)`` with a message saying so."""

from __future__ import annotations

from typing import Any

from ferromq import constants
from ferromq.error import ZMQError

CURVE_UNSUPPORTED = (
    "CURVE security is not supported by ferromq yet "
    "(use pyzmq built on libzmq, or plain/NULL security)"
)


def _unsupported() -> ZMQError:
    return ZMQError(constants.ENOTSUP, CURVE_UNSUPPORTED)


def curve_keypair() -> tuple[bytes, bytes]:
    """Would generate a CURVE key pair; raises ZMQError(ENOTSUP) in ferromq."""
    raise _unsupported()


def curve_public(secret_key: Any) -> bytes:
    """Would derive a CURVE public key; raises ZMQError(ENOTSUP) in ferromq."""
    raise _unsupported()


__all__ = ["curve_keypair", "curve_public", "CURVE_UNSUPPORTED"]
