"""Runs pyzmq's test suite (plus the Jupyter test) and judges it against a baseline.

    python3 suite.py --python VENV/bin/python --workdir DIR --outcomes FILE.jsonl \
        --baseline wheel-baseline.txt --expected expected-failures.txt [--record] \
        -- PYTEST_ARGS...

pytest runs in DIR (a copy of the sdist's tests/ and pytest.ini, with no zmq/ source
package beside them) under VENV's interpreter, with pytest-timeout's thread method: a test
that hangs (a blocking call a signal cannot interrupt) ends the process, so this driver
records that test as "timeout" and starts pytest again without the tests already done.

--record writes the ids of the tests that passed to --baseline (run it against pyzmq's
wheel). Otherwise every test in the baseline must pass, except the ones listed in
--expected ("nodeid # reason", one a line), and every listed test must still fail (so the
list only shrinks). Unexpected failures are run once more in a fresh process before they
count (the machine is shared; a failure that does not repeat is reported as flaky).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSING = {"passed", "xfailed"}


def read_outcomes(path: Path) -> tuple[dict[str, str], set[str], bool]:
    """(finished outcomes, started ids, whether the session reached its end)."""
    outcomes: dict[str, str] = {}
    started: set[str] = set()
    finished = False
    if not path.exists():
        return outcomes, started, finished
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if "start" in record:
            started.add(record["start"])
        elif "test" in record:
            outcomes[record["test"]] = record["outcome"]
        elif record.get("session") == "finished":
            finished = True
    return outcomes, started, finished


def run_pytest(args: argparse.Namespace, pytest_args: list[str], outcomes_path: Path) -> dict[str, str]:
    """Runs pytest until every selected test has an outcome; returns them."""
    outcomes_path.unlink(missing_ok=True)
    done_path = outcomes_path.with_suffix(".done")
    done_path.unlink(missing_ok=True)
    timed_out: dict[str, str] = {}
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env["PYZMQ_OUTCOMES"] = str(outcomes_path)
    env["PYZMQ_DONE"] = str(done_path)
    cmd = [
        args.python, "-m", "pytest", "-p", "outcomes_plugin", "-p", "no:cacheprovider",
        f"--timeout={args.timeout}", "--timeout-method=thread", "-q", "-rfE",
        *pytest_args,
    ]
    while True:
        started_at = time.monotonic()
        proc = subprocess.run(cmd, cwd=args.workdir, env=env, check=False)
        outcomes, started, finished = read_outcomes(outcomes_path)
        if finished:
            if proc.returncode not in (0, 1, 5):
                sys.exit(f"pytest failed to run (exit {proc.returncode}): {' '.join(cmd)}")
            outcomes.update(timed_out)
            return outcomes
        hung = sorted(started - set(outcomes) - set(timed_out))
        if not hung:
            sys.exit(f"pytest ended (exit {proc.returncode}) before finishing, with no test running")
        for nodeid in hung:
            print(f"\n*** {nodeid}: no result after {time.monotonic() - started_at:.0f}s "
                  f"of this pytest run (timeout {args.timeout}s): recorded as timeout, restarting pytest")
            timed_out[nodeid] = "timeout"
        done_path.write_text("\n".join([*outcomes, *timed_out]) + "\n", encoding="utf-8")


def read_list(path: Path) -> dict[str, str]:
    """Test ids (with the reason after ' # ', if any) from a list file; '#' lines are comments."""
    entries: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        nodeid, _, reason = line.partition(" # ")
        entries[nodeid.strip()] = reason.strip()
    return entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", required=True)
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--outcomes", required=True, type=Path)
    parser.add_argument("--baseline", required=True, type=Path)
    parser.add_argument("--expected", type=Path)
    parser.add_argument("--timeout", type=int, default=20)
    parser.add_argument("--record", action="store_true")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()

    outcomes = run_pytest(args, args.pytest_args, args.outcomes)
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    print(f"\noutcomes: {dict(sorted(counts.items()))}")

    if args.record:
        failed = [t for t, o in outcomes.items() if o in ("failed", "timeout")]
        if failed:
            print(f"\n{len(failed)} failure(s) on the reference; running them once more")
            outcomes.update(run_pytest(args, failed, args.outcomes.with_suffix(".rerun.jsonl")))
            counts = {"failed": sum(outcomes[t] in ("failed", "timeout") for t in failed)}
        passed = sorted(t for t, o in outcomes.items() if o in PASSING)
        header = "# Tests that pass on pyzmq's wheel (written by tests/pyzmq-on-ferromq/run.sh --record).\n"
        args.baseline.write_text(header + "\n".join(passed) + "\n", encoding="utf-8")
        print(f"recorded {len(passed)} passing tests in {args.baseline}")
        return 0 if counts.get("failed", 0) + counts.get("timeout", 0) == 0 else 1

    baseline = read_list(args.baseline)
    expected = read_list(args.expected) if args.expected else {}
    unexpected = [t for t in baseline if t not in expected and outcomes.get(t) not in PASSING]
    flaky: list[str] = []
    if unexpected:
        print(f"\n{len(unexpected)} unexpected failure(s); running them once more in a fresh process")
        again = run_pytest(args, unexpected, args.outcomes.with_suffix(".rerun.jsonl"))
        flaky = [t for t in unexpected if again.get(t) in PASSING]
        unexpected = [t for t in unexpected if t not in flaky]

    still_listed_pass = [t for t in expected if outcomes.get(t) in PASSING]
    extra = sorted(t for t, o in outcomes.items() if t not in baseline and o in PASSING)
    print(f"\nbaseline (pass on pyzmq's wheel): {len(baseline)}; "
          f"pass here: {sum(outcomes.get(t) in PASSING for t in baseline)}; "
          f"listed as expected failures: {len(expected)}")
    if extra:
        print(f"{len(extra)} test(s) pass here that do not run or pass on the wheel (not judged)")
    for t in flaky:
        print(f"FLAKY (failed, then passed on the rerun): {t}")
    for t in unexpected:
        print(f"UNEXPECTED {outcomes.get(t, 'not run')}: {t}")
    for t in still_listed_pass:
        print(f"LISTED BUT PASSES (remove it from {args.expected}): {t}")
    stale = [t for t in expected if t not in baseline]
    for t in stale:
        print(f"LISTED BUT NOT IN THE BASELINE (remove it): {t}")
    if unexpected or still_listed_pass or stale:
        print("RESULT: FAILED")
        return 1
    print("RESULT: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
