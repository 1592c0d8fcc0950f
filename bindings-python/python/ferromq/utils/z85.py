"""Z85 (ZeroMQ RFC 32) encoding of byte strings whose length is a multiple of 4
(5 characters per 4 bytes), e.g. for CURVE keys (pyzmq's ``zmq.utils.z85``)."""

from __future__ import annotations

import struct
from typing import Union

Z85CHARS = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
Z85MAP = {c: i for i, c in enumerate(Z85CHARS)}


def encode(rawbytes: bytes) -> bytes:
    """Z85 text (bytes) for ``rawbytes`` (length a multiple of 4)."""
    if len(rawbytes) % 4:
        raise ValueError(f"length must be multiple of 4, not {len(rawbytes)}")
    out = bytearray()
    for (word,) in struct.iter_unpack(">I", rawbytes):
        chunk = bytearray(5)
        for i in range(4, -1, -1):
            word, chunk[i] = divmod(word, 85)
            chunk[i] = Z85CHARS[chunk[i]]
        out += chunk
    return bytes(out)


def decode(z85bytes: Union[bytes, str]) -> bytes:
    """The bytes encoded by Z85 text (length a multiple of 5)."""
    if isinstance(z85bytes, str):
        z85bytes = z85bytes.encode("ascii")
    if len(z85bytes) % 5:
        raise ValueError(f"Z85 length must be multiple of 5, not {len(z85bytes)}")
    out = bytearray()
    for i in range(0, len(z85bytes), 5):
        word = 0
        for c in z85bytes[i : i + 5]:
            word = word * 85 + Z85MAP[c]
        out += struct.pack(">I", word)
    return bytes(out)


__all__ = ["encode", "decode"]
