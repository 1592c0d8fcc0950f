"""The Authenticator API (pyzmq's ``zmq.auth.base``); see :mod:`ferromq.auth`."""

from __future__ import annotations

import logging
from typing import Any, Optional

from ferromq import constants
from ferromq.curve import CURVE_UNSUPPORTED
from ferromq.error import ZMQError

ZAP_UNSUPPORTED = (
    "ZAP authentication is not supported by ferromq yet "
    "(it comes with CURVE; use pyzmq built on libzmq meanwhile)"
)

CURVE_ALLOW_ANY = "*"


class Authenticator:
    """Holds an authentication policy (allow/deny lists, PLAIN passwords, CURVE keys).
    ``start()`` raises ZMQError(ENOTSUP): ferromq cannot run a ZAP handler yet."""

    def __init__(self, context: Any = None, encoding: str = "utf-8", log: Optional[logging.Logger] = None, **kwargs: Any) -> None:
        from ferromq.context import Context

        self.context = context if context is not None else Context.instance()
        self.encoding = encoding
        self.log = log or logging.getLogger("ferromq.auth")
        self.allow_any = False
        self.whitelist: set[str] = set()
        self.blacklist: set[str] = set()
        self.passwords: dict[str, dict[str, str]] = {}
        self.certs: dict[str, dict[bytes, Any]] = {}

    def start(self) -> None:
        raise ZMQError(constants.ENOTSUP, ZAP_UNSUPPORTED)

    def stop(self) -> None:
        return None

    def is_alive(self) -> bool:
        return False

    def allow(self, *addresses: str) -> None:
        self.whitelist.update(addresses)

    def deny(self, *addresses: str) -> None:
        self.blacklist.update(addresses)

    def configure_plain(self, domain: str = "*", passwords: Optional[dict[str, str]] = None) -> None:
        self.passwords[domain] = dict(passwords or {})

    def configure_curve(self, domain: str = "*", location: Any = "") -> None:
        raise ZMQError(constants.ENOTSUP, CURVE_UNSUPPORTED)

    def configure_curve_callback(self, domain: str = "*", credentials_provider: Any = None) -> None:
        raise ZMQError(constants.ENOTSUP, CURVE_UNSUPPORTED)

    def configure_gssapi(self, domain: str = "*", location: Any = None) -> None:
        raise ZMQError(constants.ENOTSUP, "GSSAPI is not supported by ferromq")


__all__ = ["Authenticator", "CURVE_ALLOW_ANY", "ZAP_UNSUPPORTED"]
