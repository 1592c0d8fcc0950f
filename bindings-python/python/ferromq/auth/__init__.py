"""ZAP authentication and CURVE certificates (pyzmq's ``zmq.auth``).

ferromq has no CURVE and no ZAP handler yet (both come with the security work). The
module imports, certificate files can be read, but whatever needs CURVE or a running
authenticator raises ``ZMQError(ENOTSUP)`` with a message saying so.
"""

from ferromq.auth.base import CURVE_ALLOW_ANY, Authenticator
from ferromq.auth.certs import create_certificates, load_certificate, load_certificates

__all__ = ["Authenticator", "CURVE_ALLOW_ANY", "create_certificates", "load_certificate", "load_certificates"]
