"""``zmq.sugar.tracker``: MessageTracker (:mod:`ferromq.tracker`)."""

from ferromq.tracker import _FINISHED_TRACKER, MessageTracker

__all__ = ["MessageTracker", "_FINISHED_TRACKER"]
