"""The Authenticator (pyzmq's ``zmq.auth.base``): a ZAP handler (RFC 27) in Python.

It binds a REP socket at ``inproc://zeromq.zap.01`` in its context; every server socket
of that context with PLAIN, CURVE or a ZAP domain then asks it about each connecting
peer. The policy: an address allow list or deny list (one or the other), PLAIN
passwords per domain, CURVE keys per domain (a directory of certificates, any key, or
a callback). ``handle_zap_message`` turns one request into one reply; the subclasses
(``ThreadAuthenticator``, ``AsyncioAuthenticator``) call it for every request.
"""

from __future__ import annotations

import inspect
import logging
import os
from typing import Any, Optional, Union

from ferromq import constants
from ferromq.auth.certs import load_certificates
from ferromq.utils import z85

#: ``configure_curve(location=CURVE_ALLOW_ANY)`` accepts every CURVE client key.
CURVE_ALLOW_ANY = "*"
#: The ZAP protocol version of requests and replies.
VERSION = b"1.0"
#: Where the handler of a context listens (RFC 27).
ZAP_ENDPOINT = "inproc://zeromq.zap.01"


class Authenticator:
    """A ZAP handler with pyzmq's policy API.

    Until a policy is added, NULL clients are accepted and PLAIN and CURVE clients are
    refused. This class does not receive by itself: after ``start()``, pass each
    request of ``zap_socket`` to ``await handle_zap_message(msg)`` (or use
    ``ThreadAuthenticator`` / ``AsyncioAuthenticator``, which do that).
    """

    context: Any
    encoding: str
    allow_any: bool
    credentials_providers: dict[str, Any]
    zap_socket: Any
    _allowed: set[str]
    _denied: set[str]
    passwords: dict[str, dict[str, str]]
    certs: dict[str, dict[bytes, Any]]
    log: Any

    def __init__(self, context: Any = None, encoding: str = "utf-8", log: Any = None) -> None:
        from ferromq.context import Context

        self.context = context if context is not None else Context.instance()
        self.encoding = encoding
        self.allow_any = False
        self.credentials_providers = {}
        self.zap_socket = None
        self._allowed = set()
        self._denied = set()
        self.passwords = {}
        self.certs = {}
        self.log = log or logging.getLogger("ferromq.auth")

    # -- lifecycle --
    def start(self) -> None:
        """Creates the ZAP socket (a REP) and binds it at ``inproc://zeromq.zap.01``."""
        from ferromq.socket import Socket

        self.zap_socket = self.context.socket(constants.REP, socket_class=Socket)
        self.zap_socket.linger = 1
        self.zap_socket.bind(ZAP_ENDPOINT)
        self.log.debug("Starting")

    def stop(self) -> None:
        """Closes the ZAP socket (servers then find no handler)."""
        if self.zap_socket:
            self.zap_socket.close()
        self.zap_socket = None

    # -- policy --
    def allow(self, *addresses: str) -> None:
        """Accepts only these peer addresses (IP text); others are refused before any
        mechanism check. PLAIN and CURVE peers from them must still authenticate.
        ValueError after ``deny``."""
        if self._denied:
            raise ValueError("Only use allow or deny, not both")
        self.log.debug("Allowing %s", ",".join(addresses))
        self._allowed.update(addresses)

    def deny(self, *addresses: str) -> None:
        """Refuses these peer addresses; others go on to the mechanism checks.
        ValueError after ``allow``."""
        if self._allowed:
            raise ValueError("Only use allow or deny, not both")
        self.log.debug("Denying %s", ",".join(addresses))
        self._denied.update(addresses)

    def configure_plain(self, domain: str = "*", passwords: Optional[dict[str, str]] = None) -> None:
        """PLAIN users of ``domain`` (``"*"``: requests with an empty domain) as a
        ``{username: password}`` dict; an empty or missing dict changes nothing."""
        if passwords:
            self.passwords[domain] = passwords
        self.log.debug("Configure plain: %s", domain)

    def configure_curve(self, domain: str = "*", location: Union[str, "os.PathLike[str]"] = ".") -> None:
        """CURVE clients of ``domain``: the public keys of the ``*.key`` certificates in
        the directory ``location`` (read now; call again after changing it), or any
        key with ``CURVE_ALLOW_ANY``. A directory that cannot be read is logged."""
        self.log.debug("Configure curve: %s[%s]", domain, location)
        if location == CURVE_ALLOW_ANY:
            self.allow_any = True
            return
        self.allow_any = False
        try:
            self.certs[domain] = load_certificates(location)
        except Exception as e:  # pyzmq logs and keeps going
            self.log.error("Failed to load CURVE certs from %s: %s", location, e)

    def configure_curve_callback(self, domain: str = "*", credentials_provider: Any = None) -> None:
        """CURVE clients of ``domain`` decided by ``credentials_provider.callback(domain,
        z85_client_key)``: truthy accepts (the result may be awaitable)."""
        self.allow_any = False
        if credentials_provider is not None:
            self.credentials_providers[domain] = credentials_provider
        else:
            self.log.error("None credentials_provider provided for domain:%s", domain)

    def curve_user_id(self, client_public_key: bytes) -> str:
        """The User-Id of an accepted CURVE client: its key in Z85. Override to map
        keys to names."""
        return z85.encode(client_public_key).decode("ascii")

    def configure_gssapi(self, domain: str = "*", location: Optional[str] = None) -> None:
        """GSSAPI is not available (neither in ferromq nor in most libzmq builds)."""
        self.log.error("GSSAPI is not supported by ferromq (domain %s)", domain)

    # -- requests --
    async def handle_zap_message(self, msg: list[bytes]) -> None:
        """Answers one ZAP request (the frames after REP's envelope) on ``zap_socket``."""
        if len(msg) < 6:
            self.log.error("Invalid ZAP message, not enough frames: %r", msg)
            if len(msg) >= 2:
                self._send_zap_reply(msg[1], b"400", b"Not enough frames")
            else:
                self.log.error("Not enough information to reply")
            return
        version, request_id, raw_domain, raw_address, identity, mechanism = msg[:6]
        credentials = msg[6:]
        domain = raw_domain.decode(self.encoding, "replace")
        address = raw_address.decode("utf-8", "replace")
        if version != VERSION:
            self.log.error("Invalid ZAP version: %r", msg)
            self._send_zap_reply(request_id, b"400", b"Invalid version")
            return
        self.log.debug(
            "version: %r, request_id: %r, domain: %r, address: %r, identity: %r, mechanism: %r",
            version, request_id, domain, address, identity, mechanism,
        )

        allowed, denied, reason = self._check_address(address)
        username = "anonymous"
        if not denied:
            if mechanism == b"NULL":
                # A NULL peer that passed the address check is in.
                allowed = True
            elif mechanism == b"PLAIN":
                if len(credentials) != 2:
                    self.log.error("Invalid PLAIN credentials: %r", credentials)
                    self._send_zap_reply(request_id, b"400", b"Invalid credentials")
                    return
                username, password = (c.decode(self.encoding, "replace") for c in credentials)
                allowed, reason = self._authenticate_plain(domain, username, password)
            elif mechanism == b"CURVE":
                if len(credentials) != 1:
                    self.log.error("Invalid CURVE credentials: %r", credentials)
                    self._send_zap_reply(request_id, b"400", b"Invalid credentials")
                    return
                key = credentials[0]
                allowed, reason = await self._authenticate_curve(domain, key)
                if allowed:
                    username = self.curve_user_id(key)
            else:
                allowed, reason = False, b"Unsupported mechanism"
        if allowed:
            self._send_zap_reply(request_id, b"200", b"OK", username)
        else:
            self._send_zap_reply(request_id, b"400", reason)

    def _check_address(self, address: str) -> tuple[bool, bool, bytes]:
        """(allowed, denied, reason) from the allow or deny list alone."""
        if self._allowed:
            if address in self._allowed:
                self.log.debug("PASSED (allowed) address=%s", address)
                return True, False, b"NO ACCESS"
            self.log.debug("DENIED (not allowed) address=%s", address)
            return False, True, b"Address not allowed"
        if self._denied:
            if address in self._denied:
                self.log.debug("DENIED (denied) address=%s", address)
                return False, True, b"Address denied"
            self.log.debug("PASSED (not denied) address=%s", address)
            return True, False, b"NO ACCESS"
        return False, False, b"NO ACCESS"

    def _authenticate_plain(self, domain: str, username: str, password: str) -> tuple[bool, bytes]:
        if not self.passwords:
            self.log.debug("DENIED (PLAIN) No passwords defined")
            return False, b"No passwords defined"
        users = self.passwords.get(domain or "*")
        if users is None:
            reason = b"Invalid domain"
        elif username not in users:
            reason = b"Invalid username"
        elif users[username] != password:
            reason = b"Invalid password"
        else:
            self.log.debug("ALLOWED (PLAIN) domain=%s username=%s", domain, username)
            return True, b""
        self.log.debug("DENIED (PLAIN) %s", reason)
        return False, reason

    async def _authenticate_curve(self, domain: str, client_key: bytes) -> tuple[bool, bytes]:
        if self.allow_any:
            self.log.debug("ALLOWED (CURVE allow any client)")
            return True, b"OK"
        domain = domain or "*"
        z85_key = z85.encode(client_key)
        if self.credentials_providers:
            provider = self.credentials_providers.get(domain)
            if provider is None:
                return False, b"Unknown domain"
            verdict = provider.callback(domain, z85_key)
            if inspect.isawaitable(verdict):
                verdict = await verdict
            ok = bool(verdict)
        else:
            keys = self.certs.get(domain)
            if keys is None:
                return False, b"Unknown domain"
            ok = bool(keys.get(z85_key))
        self.log.debug("%s (CURVE) domain=%s client_key=%s", "ALLOWED" if ok else "DENIED", domain, z85_key)
        return (True, b"OK") if ok else (False, b"Unknown key")

    def _send_zap_reply(
        self, request_id: bytes, status_code: bytes, status_text: bytes, user_id: str = "anonymous"
    ) -> None:
        """Sends the reply: version, request id, status, text, user id (200 only), no
        metadata."""
        uid = user_id.encode(self.encoding, "replace") if status_code == b"200" else b""
        self.log.debug("ZAP reply code=%s text=%s", status_code, status_text)
        self.zap_socket.send_multipart([VERSION, request_id, status_code, status_text, uid, b""])


__all__ = ["Authenticator", "CURVE_ALLOW_ANY"]
