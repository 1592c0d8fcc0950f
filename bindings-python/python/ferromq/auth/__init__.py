"""ZAP authentication and CURVE certificates (pyzmq's ``zmq.auth``).

``ThreadAuthenticator`` (a thread) or ``AsyncioAuthenticator`` (an asyncio task) bind
the context's ZAP handler at ``inproc://zeromq.zap.01`` and answer its server sockets'
requests from a policy: allowed or denied addresses, PLAIN passwords, CURVE keys from a
certificate directory (``create_certificates`` writes them), any key, or a callback.
"""

from ferromq.auth.base import CURVE_ALLOW_ANY, Authenticator
from ferromq.auth.certs import create_certificates, load_certificate, load_certificates

__all__ = ["Authenticator", "CURVE_ALLOW_ANY", "create_certificates", "load_certificate", "load_certificates"]
