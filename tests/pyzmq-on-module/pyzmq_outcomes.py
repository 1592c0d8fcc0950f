"""pytest plugin for tests/pyzmq-on-module/run.sh.

With FERROMQ_AS_ZMQ=1 it calls ``ferromq.compat.install()`` when pytest loads it (before
pyzmq's conftest imports ``zmq``), so the suite runs on the ferromq module. In every run it
writes each test's outcome (passed / failed / skipped / xfailed …) as JSON lines to
$PYZMQ_OUTCOMES.
"""

from __future__ import annotations

import json
import os

if os.environ.get("FERROMQ_AS_ZMQ") == "1":
    import ferromq.compat

    ferromq.compat.install()

_outcomes: dict[str, str] = {}


def pytest_runtest_logreport(report):  # type: ignore[no-untyped-def]
    nodeid = report.nodeid
    if report.outcome == "rerun":
        # pytest-rerunfailures: this attempt failed and the test runs again; the last
        # attempt's outcome is the test's.
        _outcomes.pop(nodeid, None)
        return
    prev = _outcomes.get(nodeid)
    if report.when == "call" or report.outcome != "passed":
        outcome = report.outcome
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        # A failure in any phase (setup/call/teardown) is the test's outcome.
        if prev is None or prev == "passed" or outcome == "failed":
            _outcomes[nodeid] = outcome


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    path = os.environ.get("PYZMQ_OUTCOMES")
    if not path:
        return
    with open(path, "w") as f:
        for nodeid in sorted(_outcomes):
            f.write(json.dumps({"test": nodeid, "outcome": _outcomes[nodeid]}) + "\n")
