"""CURVE key functions (pyzmq's ``zmq.curve_keypair`` / ``zmq.curve_public``): keys as
40 bytes of Z85 text, made by the core's key types."""

from __future__ import annotations

from typing import Union

from ferromq import _native


def curve_keypair() -> tuple[bytes, bytes]:
    """A new CURVE key pair ``(public, secret)``, each 40 bytes of Z85 text."""
    return _native.curve_keypair()


def curve_public(secret_key: Union[bytes, str]) -> bytes:
    """The public key (40 bytes of Z85) of a secret key given as 40 Z85 characters.

    ValueError if it is not 40 characters long, ZMQError(EINVAL) if it is not Z85."""
    if isinstance(secret_key, str):
        secret_key = secret_key.encode("utf8")
    if len(secret_key) != 40:
        raise ValueError("secret key must be a 40 byte z85 encoded string")
    return _native.curve_public(bytes(secret_key))


__all__ = ["curve_keypair", "curve_public"]
