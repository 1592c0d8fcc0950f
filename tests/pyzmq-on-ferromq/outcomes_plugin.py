"""pytest plugin for tests/pyzmq-on-ferromq (loaded with ``-p outcomes_plugin``).

Appends one JSON line per event to the file named by $PYZMQ_OUTCOMES, flushed at once,
so that the record survives a test that hangs and gets the process killed (pytest-timeout's
thread method ends the process with os._exit):

    {"start": nodeid}                      a test began
    {"test": nodeid, "outcome": ...}       it ended: passed / failed / skipped / xfailed / xpassed
    {"session": "finished"}                pytest got to the end of the session

Tests whose ids are listed (one a line) in the file named by $PYZMQ_DONE are deselected:
the driver (suite.py) restarts pytest after a hang without running them again.
"""

from __future__ import annotations

import json
import os
from typing import Any

_phases: dict[str, str] = {}


def _emit(record: dict[str, str]) -> None:
    path = os.environ.get("PYZMQ_OUTCOMES")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    path = os.environ.get("PYZMQ_DONE")
    if not path or not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        done = {line.strip() for line in f if line.strip()}
    kept = [item for item in items if item.nodeid not in done]
    dropped = [item for item in items if item.nodeid in done]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_runtest_logstart(nodeid: str, location: Any) -> None:
    _emit({"start": nodeid})


def pytest_runtest_logreport(report: Any) -> None:
    # A failure in any phase (setup, call, teardown) is the test's outcome; otherwise the
    # call's outcome, or the setup's when setup skipped the test.
    if report.when != "call" and report.outcome == "passed":
        return
    outcome = report.outcome
    if hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.skipped else "xpassed"
    previous = _phases.get(report.nodeid)
    if previous is None or previous == "passed" or outcome == "failed":
        _phases[report.nodeid] = outcome


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    _emit({"test": nodeid, "outcome": _phases.pop(nodeid, "passed")})


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    _emit({"session": "finished"})
