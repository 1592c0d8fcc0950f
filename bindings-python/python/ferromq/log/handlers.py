"""A logging handler that publishes records on a PUB socket (pyzmq's
``zmq.log.handlers``).

Each record is sent as two frames: the topic ``<root_topic>.<LEVEL>[.<subtopic>]`` and the
formatted message. A message ``"subtopic::text"`` (see :class:`TopicLogger`) adds a
subtopic, so subscribers can filter on levels and subtopics::

    handler = PUBHandler("tcp://127.0.0.1:5555")
    handler.root_topic = "myapp"
    logging.getLogger().addHandler(handler)
    logging.getLogger().warning("disk::almost full")   # topic b"myapp.WARNING.disk"
"""

from __future__ import annotations

import logging
from typing import Any, Optional, Union

from ferromq import constants
from ferromq.context import Context
from ferromq.socket import Socket

TOPIC_DELIM = "::"

_VERBOSE = "%(levelname)s %(filename)s:%(lineno)d - %(message)s\n"
_PLAIN = "%(message)s\n"


class PUBHandler(logging.Handler):
    """Publishes log records on a PUB socket (given, or bound to ``interface``)."""

    ctx: Context
    socket: Socket

    def __init__(
        self,
        interface_or_socket: Union[str, Socket],
        context: Optional[Context] = None,
        root_topic: str = "",
    ) -> None:
        super().__init__()
        self.formatters: dict[int, logging.Formatter] = {
            logging.DEBUG: logging.Formatter(_VERBOSE),
            logging.INFO: logging.Formatter(_PLAIN),
            logging.WARN: logging.Formatter(_PLAIN),
            logging.ERROR: logging.Formatter(_VERBOSE),
            logging.CRITICAL: logging.Formatter(_VERBOSE),
        }
        self._root_topic = ""
        self.root_topic = root_topic
        if isinstance(interface_or_socket, Socket):
            self.socket = interface_or_socket
            self.ctx = self.socket.context
        else:
            self.ctx = context if context is not None else Context()
            self.socket = self.ctx.socket(constants.PUB)
            self.socket.bind(interface_or_socket)

    @property
    def root_topic(self) -> str:
        """The first part of every topic ("" for none)."""
        return self._root_topic

    @root_topic.setter
    def root_topic(self, value: Union[str, bytes]) -> None:
        self.setRootTopic(value)

    def setRootTopic(self, root_topic: Union[str, bytes]) -> None:
        """Sets the root topic (bytes are decoded as UTF-8)."""
        if isinstance(root_topic, bytes):
            root_topic = root_topic.decode("utf8")
        self._root_topic = root_topic

    def setFormatter(self, fmt: Optional[logging.Formatter], level: int = logging.NOTSET) -> None:
        """Sets the formatter of one level, or of every level (``level`` NOTSET)."""
        if fmt is None:
            fmt = logging.Formatter(_PLAIN)
        if level == logging.NOTSET:
            for lvl in self.formatters:
                self.formatters[lvl] = fmt
        else:
            self.formatters[level] = fmt

    def format(self, record: logging.LogRecord) -> str:
        """Formats with the record's level's formatter."""
        fmt = self.formatters.get(record.levelno) or self.formatter or logging.Formatter(_PLAIN)
        return fmt.format(record)

    def emit(self, record: logging.LogRecord) -> None:
        """Publishes ``[topic, message]``."""
        subtopic = ""
        try:
            text = str(record.msg)
            if TOPIC_DELIM in text:
                subtopic, record.msg = text.split(TOPIC_DELIM, 1)
            msg = self.format(record).encode("utf8")
        except Exception:
            self.handleError(record)
            return
        parts = [p for p in (self.root_topic, record.levelname, subtopic) if p]
        try:
            self.socket.send_multipart([".".join(parts).encode("utf8"), msg])
        except Exception:
            self.handleError(record)


class TopicLogger(logging.Logger):
    """A Logger whose calls take a subtopic first: ``log.info("disk", "almost full")``
    publishes on ``<root>.INFO.disk`` through a :class:`PUBHandler`."""

    def log(self, level: int, topic: str, msg: Any, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().log(level, f"{topic}{TOPIC_DELIM}{msg}", *args, **kwargs)

    def debug(self, topic: str, msg: Any, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.log(logging.DEBUG, topic, msg, *args, **kwargs)

    def info(self, topic: str, msg: Any, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.log(logging.INFO, topic, msg, *args, **kwargs)

    def warning(self, topic: str, msg: Any, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.log(logging.WARNING, topic, msg, *args, **kwargs)

    warn = warning  # type: ignore[assignment]

    def error(self, topic: str, msg: Any, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.log(logging.ERROR, topic, msg, *args, **kwargs)

    def critical(self, topic: str, msg: Any, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.log(logging.CRITICAL, topic, msg, *args, **kwargs)

    fatal = critical  # type: ignore[assignment]


__all__ = ["PUBHandler", "TopicLogger", "TOPIC_DELIM"]
