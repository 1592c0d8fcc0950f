"""pyzmq's option value types (``zmq.constants._OptType``, ``SocketOption._opt_type``),
which code uses to tell how an option is passed. Kept apart from constants.py (generated
from the option table) and attached to it at import."""

from __future__ import annotations

from enum import Enum

from ferromq import _native, constants
from ferromq.constants import SocketOption


class _OptType(Enum):
    int = "int"
    int64 = "int64"
    bytes = "bytes"
    fd = "fd"


# Options ferromq does not have (GSSAPI, VMCI, newer DRAFTs) typed as pyzmq types
# them; every option ferromq has is typed by the core's option table (_native.option_type).
_INT64 = {"VMCI_BUFFER_SIZE", "VMCI_BUFFER_MIN_SIZE", "VMCI_BUFFER_MAX_SIZE"}
_BYTES = {"METADATA", "GSSAPI_PRINCIPAL", "GSSAPI_SERVICE_PRINCIPAL", "DISCONNECT_MSG", "HELLO_MSG",
          "HICCUP_MSG", "WSS_KEY_PEM", "WSS_CERT_PEM", "WSS_TRUST_PEM", "WSS_HOSTNAME"}


def _opt_type(self: SocketOption) -> _OptType:
    if self.name == "FD":
        return _OptType.fd
    known = _native.option_type(int(self))
    if known:
        return _OptType(known)
    if self.name in _INT64:
        return _OptType.int64
    if self.name in _BYTES:
        return _OptType.bytes
    return _OptType.int


SocketOption._opt_type = property(_opt_type)  # type: ignore[attr-defined]
constants._OptType = _OptType  # type: ignore[attr-defined]
