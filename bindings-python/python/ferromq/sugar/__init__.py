"""``zmq.sugar``: in pyzmq the Python layer over the compiled backend. In ferromq the
same classes live at the top of the package; this package names them for code that
imports ``zmq.sugar.<module>``."""

from ferromq.sugar import context, frame, poll, socket, tracker, version
from ferromq.context import Context
from ferromq.socket import Socket
from ferromq.poll import Poller, select
from ferromq.tracker import MessageTracker
from ferromq._native import Frame

Message = Frame

__all__ = ["context", "frame", "poll", "socket", "tracker", "version", "Context", "Socket",
           "Poller", "select", "MessageTracker", "Frame", "Message"]
