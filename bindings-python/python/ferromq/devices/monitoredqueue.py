"""``monitored_queue``: a queue between two sockets that also publishes every message,
prefixed by the direction (``in_prefix`` / ``out_prefix``), on a monitor socket."""

from __future__ import annotations

from ferromq import constants
from ferromq.poll import Poller
from ferromq.socket import Socket

__all__ = ["monitored_queue"]


def monitored_queue(
    in_socket: Socket,
    out_socket: Socket,
    mon_socket: Socket,
    in_prefix: bytes = b"in",
    out_prefix: bytes = b"out",
) -> None:
    """Forwards messages both ways between ``in_socket`` and ``out_socket`` and sends a
    copy of each, as ``[prefix] + frames``, on ``mon_socket``; runs until the context is
    terminated (raises ContextTerminated). Between two ROUTER sockets the first two
    frames (sender and recipient identities) are swapped so replies find their way."""
    for s in (in_socket, out_socket, mon_socket):
        if not isinstance(s, Socket):
            raise TypeError(f"expected a Socket, not {type(s).__name__}")
    for p in (in_prefix, out_prefix):
        if not isinstance(p, bytes):
            raise TypeError(f"prefixes must be bytes, not {type(p).__name__}")
    swap_ids = in_socket.type == constants.ROUTER and out_socket.type == constants.ROUTER
    poller = Poller()
    poller.register(in_socket, constants.POLLIN)
    poller.register(out_socket, constants.POLLIN)
    routes = {in_socket: (out_socket, in_prefix), out_socket: (in_socket, out_prefix)}
    while True:
        for sock, _ in poller.poll():
            dest, prefix = routes[sock]
            msg = sock.recv_multipart()
            if swap_ids and len(msg) >= 2:
                msg[0], msg[1] = msg[1], msg[0]
            dest.send_multipart(msg)
            mon_socket.send_multipart([prefix, *msg])
