"""CURVE certificate files (pyzmq's ``zmq.auth.certs``): ZPL text holding a key pair
(``name.key_secret``) or only its public half (``name.key``), keys in Z85.

A file looks like::

    #   ZeroMQ CURVE Public Certificate (ferromq)
    metadata
        name = "value"
    curve
        public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

pyzmq, czmq's zcert and ferromq read each other's files: readers look only at the
``public-key`` and ``secret-key`` lines.
"""

from __future__ import annotations

import datetime
import os
from typing import Optional, Union

from ferromq.curve import curve_keypair

_PathLike = Union[str, "os.PathLike[str]"]

_PUBLIC_HEADER = (
    "#   ZeroMQ CURVE Public Certificate, written by ferromq on {when}\n"
    "#   Share it with the peers that must accept this key; check it arrived intact.\n"
)
_SECRET_HEADER = (
    "#   ZeroMQ CURVE **Secret** Certificate, written by ferromq on {when}\n"
    "#   Keep it private: whoever reads it can act as this peer.\n"
)


def _text(value: Union[str, bytes]) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _write_certificate(
    path: str,
    header: str,
    public_key: bytes,
    secret_key: Optional[bytes],
    metadata: Optional[dict[str, str]],
) -> None:
    lines = [header.format(when=datetime.datetime.now().isoformat(timespec="seconds")), "\n", "metadata\n"]
    for key, value in (metadata or {}).items():
        lines.append(f"    {_text(key)} = \"{_text(value)}\"\n")
    lines.append("curve\n")
    lines.append(f"    public-key = \"{public_key.decode('ascii')}\"\n")
    if secret_key is not None:
        lines.append(f"    secret-key = \"{secret_key.decode('ascii')}\"\n")
    # The secret file is created readable by its owner only.
    mode = 0o600 if secret_key is not None else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with open(fd, "w", encoding="utf-8") as f:
        f.writelines(lines)


def create_certificates(key_dir: _PathLike, name: str, metadata: Optional[dict[str, str]] = None) -> tuple[str, str]:
    """Makes a new key pair and writes ``key_dir/name.key`` (public) and
    ``key_dir/name.key_secret`` (both keys); returns the two paths."""
    public_key, secret_key = curve_keypair()
    base = os.path.join(os.fspath(key_dir), name)
    public_file = f"{base}.key"
    secret_file = f"{base}.key_secret"
    _write_certificate(public_file, _PUBLIC_HEADER, public_key, None, metadata)
    _write_certificate(secret_file, _SECRET_HEADER, public_key, secret_key, metadata)
    return public_file, secret_file


def load_certificate(filename: _PathLike) -> tuple[bytes, Optional[bytes]]:
    """``(public_key, secret_key or None)`` (Z85 bytes) from a certificate file;
    OSError if it does not exist, ValueError if it holds no public key."""
    public: Optional[bytes] = None
    secret: Optional[bytes] = None
    if not os.path.exists(filename):
        raise OSError(f"Invalid certificate file: {filename}")
    with open(filename, "rb") as f:
        for raw in f:
            line = raw.strip()
            if line.startswith(b"#") or b"=" not in line:
                continue
            key, value = (part.strip() for part in line.split(b"=", 1))
            if key == b"public-key":
                public = value.strip(b"'\"")
            elif key == b"secret-key":
                secret = value.strip(b"'\"")
    if public is None:
        raise ValueError(f"No public key found in {filename}")
    return public, secret


def load_certificates(directory: _PathLike = ".") -> dict[bytes, bool]:
    """``{public_key: True}`` for every ``*.key`` file in ``directory`` (OSError if it
    is not a directory)."""
    if not os.path.isdir(directory):
        raise OSError(f"Invalid certificate directory: {directory}")
    keys: dict[bytes, bool] = {}
    for entry in sorted(os.listdir(directory)):
        if entry.endswith(".key"):
            public, _ = load_certificate(os.path.join(directory, entry))
            keys[public] = True
    return keys


__all__ = ["create_certificates", "load_certificate", "load_certificates"]
