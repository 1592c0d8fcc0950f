"""Z85 (ZeroMQ RFC 32) encoding of byte strings whose length is a multiple of 4
(5 characters per 4 bytes), e.g. for CURVE keys (pyzmq's ``zmq.utils.z85``).

The conversions are the core's codec, which follows libzmq's ``zmq_z85_encode`` /
``zmq_z85_decode``: a bad length, a character outside the alphabet or a group above
2**32 - 1 raises ValueError. As in pyzmq, empty input gives empty output."""

from __future__ import annotations

from typing import Union

from ferromq import _native

Z85CHARS = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
Z85MAP = {c: i for i, c in enumerate(Z85CHARS)}


def encode(rawbytes: bytes) -> bytes:
    """Z85 text (bytes) for ``rawbytes`` (length a multiple of 4)."""
    if len(rawbytes) % 4:
        raise ValueError(f"length must be multiple of 4, not {len(rawbytes)}")
    return _native.z85_encode(bytes(rawbytes))


def decode(z85bytes: Union[bytes, str]) -> bytes:
    """The bytes encoded by Z85 text (length a multiple of 5)."""
    if isinstance(z85bytes, str):
        z85bytes = z85bytes.encode("ascii")
    if len(z85bytes) % 5:
        raise ValueError(f"Z85 length must be multiple of 5, not {len(z85bytes)}")
    if not z85bytes:
        return b""
    return _native.z85_decode(bytes(z85bytes))


__all__ = ["encode", "decode"]
