"""A CurveZMQ (RFC 26) client over a raw socket, for the hostile-peer tests.

It speaks the ZMTP 3.1 CURVE handshake itself (HELLO, WELCOME, INITIATE with the vouch,
READY) and boxes messages, with PyNaCl's crypto_box (libsodium, as libzmq uses), so a test
can follow the rules up to a point and then break them: tamper with a MESSAGE box,
replay a cookie or a whole INITIATE on another connection.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from nacl.public import Box, PrivateKey, PublicKey

from peerlib import command_frame, read_exactly, read_frame

HELLO_PADDING = 72


def curve_greeting() -> bytes:
    """A ZMTP 3.1 greeting for CURVE, as a client."""
    g = b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, 1]) + b"CURVE" + b"\x00" * 15 + b"\x00" * 32
    assert len(g) == 64
    return g


def metadata(props: dict[bytes, bytes]) -> bytes:
    """ZMTP properties: name length (1 byte), name, value length (4 bytes), value."""
    return b"".join(
        bytes([len(k)]) + k + len(v).to_bytes(4, "big") + v for k, v in props.items()
    )


def data_frame(body: bytes) -> bytes:
    """A data frame (libzmq sends CURVE MESSAGE boxes as data frames)."""
    if len(body) <= 255:
        return bytes([0x00, len(body)]) + body
    return b"\x02" + len(body).to_bytes(8, "big") + body


@dataclass
class Welcome:
    """What the server's WELCOME gave: its short-term key and the cookie to send back."""

    server_short: PublicKey
    cookie: bytes


class CurveClient:
    """One connection's client side. ``long_key`` is the client's long-term key pair."""

    def __init__(self, sock: socket.socket, server_key: bytes, long_key: PrivateKey):
        self.sock = sock
        self.server_key = PublicKey(server_key)
        self.long_key = long_key
        self.short_key = PrivateKey.generate()
        self.nonce = 0
        self.traffic: Box | None = None

    def _next_nonce(self) -> bytes:
        self.nonce += 1
        return self.nonce.to_bytes(8, "big")

    # ---- handshake ----

    def hello(self) -> bytes:
        """The greeting and HELLO (returned too, for replays), sent."""
        short = self._next_nonce()
        box = Box(self.short_key, self.server_key).encrypt(
            b"\x00" * 64, b"CurveZMQHELLO---" + short
        ).ciphertext
        body = (
            b"\x05HELLO" + b"\x01\x00" + b"\x00" * HELLO_PADDING
            + bytes(self.short_key.public_key) + short + box
        )
        assert len(body) == 200
        wire = curve_greeting() + command_frame(body)
        self.sock.sendall(wire)
        return wire

    def read_welcome(self) -> Welcome:
        greeting = read_exactly(self.sock, 64)
        # (libzmq leaves the as-server byte 0 even in a CURVE server's greeting.)
        assert greeting[12:32] == b"CURVE" + b"\x00" * 15, greeting[:33].hex()
        flags, body = read_frame(self.sock)
        assert flags & 0x04 and body.startswith(b"\x07WELCOME"), body[:16]
        assert len(body) == 8 + 16 + 144, len(body)
        opened = Box(self.short_key, self.server_key).decrypt(
            body[24:], b"WELCOME-" + body[8:24]
        )
        return Welcome(PublicKey(opened[:32]), opened[32:128])

    def initiate(self, welcome: Welcome, socket_type: bytes = b"DEALER") -> bytes:
        """Sends INITIATE (cookie, vouch, our metadata) for ``welcome``; returns its frame."""
        vouch_nonce = os.urandom(16)
        vouch = Box(self.long_key, welcome.server_short).encrypt(
            bytes(self.short_key.public_key) + bytes(self.server_key),
            b"VOUCH---" + vouch_nonce,
        ).ciphertext
        plain = (
            bytes(self.long_key.public_key) + vouch_nonce + vouch
            + metadata({b"Socket-Type": socket_type})
        )
        short = self._next_nonce()
        box = Box(self.short_key, welcome.server_short).encrypt(
            plain, b"CurveZMQINITIATE" + short
        ).ciphertext
        frame = command_frame(b"\x08INITIATE" + welcome.cookie + short + box)
        self.sock.sendall(frame)
        self.traffic = Box(self.short_key, welcome.server_short)
        return frame

    def read_ready(self) -> bytes:
        """Reads and opens READY; returns the server's metadata."""
        assert self.traffic is not None
        flags, body = read_frame(self.sock)
        assert flags & 0x04 and body.startswith(b"\x05READY"), body[:16]
        return self.traffic.decrypt(body[14:], b"CurveZMQREADY---" + body[6:14])

    def handshake(self, socket_type: bytes = b"DEALER") -> bytes:
        self.hello()
        self.initiate(self.read_welcome(), socket_type)
        return self.read_ready()

    # ---- traffic ----

    def message(self, body: bytes, more: bool = False) -> bytes:
        """A MESSAGE frame boxing one message part (not sent)."""
        assert self.traffic is not None
        short = self._next_nonce()
        box = self.traffic.encrypt(
            (b"\x01" if more else b"\x00") + body, b"CurveZMQMESSAGEC" + short
        ).ciphertext
        return data_frame(b"\x07MESSAGE" + short + box)

    def send(self, parts: list[bytes]) -> None:
        self.sock.sendall(
            b"".join(self.message(p, i + 1 < len(parts)) for i, p in enumerate(parts))
        )

    def recv(self) -> list[bytes]:
        """Reads MESSAGE frames until a part without MORE; returns the parts."""
        assert self.traffic is not None
        parts = []
        while True:
            _, body = read_frame(self.sock)
            assert body.startswith(b"\x07MESSAGE"), body[:16]
            plain = self.traffic.decrypt(body[16:], b"CurveZMQMESSAGES" + body[8:16])
            parts.append(plain[1:])
            if not plain[0] & 0x01:
                return parts
