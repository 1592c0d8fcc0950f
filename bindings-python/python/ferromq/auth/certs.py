"""CURVE certificate files (ZPL text, pyzmq's ``zmq.auth.certs``). Reading works;
creating needs CURVE key generation and raises ZMQError(ENOTSUP)."""

from __future__ import annotations

import os
from typing import Optional, Union

from ferromq.curve import curve_keypair

_PathLike = Union[str, "os.PathLike[str]"]


def create_certificates(key_dir: _PathLike, name: str, metadata: Optional[dict[str, str]] = None) -> tuple[str, str]:
    """Would write ``name.key`` and ``name.key_secret``; raises ZMQError(ENOTSUP)."""
    curve_keypair()  # raises: no CURVE in ferromq yet
    raise AssertionError("unreachable")


def load_certificate(filename: _PathLike) -> tuple[bytes, Optional[bytes]]:
    """(public_key, secret_key or None) from a certificate file (Z85 text keys)."""
    public: Optional[bytes] = None
    secret: Optional[bytes] = None
    if not os.path.exists(filename):
        raise OSError(f"Invalid certificate file: {filename}")
    with open(filename, "rb") as f:
        for line in f:
            line = line.strip()
            if line.startswith(b"public-key"):
                public = line.split(b"=", 1)[1].strip(b' \t"')
            elif line.startswith(b"secret-key"):
                secret = line.split(b"=", 1)[1].strip(b' \t"')
    if public is None:
        raise ValueError(f"No public key found in {filename}")
    return public, secret


def load_certificates(directory: _PathLike = ".") -> dict[bytes, bool]:
    """Public keys of every ``*.key`` file in ``directory`` -> True."""
    if not os.path.isdir(directory):
        raise OSError(f"Invalid certificate directory: {directory}")
    keys: dict[bytes, bool] = {}
    for name in os.listdir(directory):
        if name.endswith(".key"):
            public, _ = load_certificate(os.path.join(directory, name))
            keys[public] = True
    return keys


__all__ = ["create_certificates", "load_certificate", "load_certificates"]
