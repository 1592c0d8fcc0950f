"""Compares pyzmq's test suite on ferromq with the same suite on pyzmq (see run.sh).

expected-failures.txt: one test per line, ``<pytest node id> <reason>`` (a reason is
required; lines starting with # are comments). A test that passes on pyzmq must pass on
ferromq unless listed; a listed test that passes on ferromq is an error too (delete the
line: the list only shrinks).
"""

from __future__ import annotations

import argparse
import json
import re
import sys


def load(path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                out[rec["test"]] = rec["outcome"]
    return out


def load_expected(path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) < 2:
                sys.exit(f"{path}:{n}: a reason is required: {line}")
            if parts[0] in out:
                sys.exit(f"{path}:{n}: listed twice: {parts[0]}")
            out[parts[0]] = parts[1]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--candidate", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--min-ratio", type=float, default=0.95)
    ap.add_argument("--full", type=int, default=1, help="0: a subset ran (no ratio check)")
    ap.add_argument("--log", help="the candidate's pytest log, shown on failure")
    args = ap.parse_args()

    base = load(args.baseline)
    cand = load(args.candidate)
    expected = load_expected(args.expected)
    passing = sorted(t for t, o in base.items() if o == "passed")
    ok = [t for t in passing if cand.get(t) == "passed"]
    unexpected = [t for t in passing if cand.get(t) != "passed" and t not in expected]
    fixed = [t for t in expected if cand.get(t) == "passed" and not expected[t].startswith("flaky:")]
    stale = [t for t in expected if t not in base and args.full and not expected[t].startswith("hangs:")]
    ratio = len(ok) / len(passing) if passing else 0.0
    # Tests waiting for core features built elsewhere ("pending: <area>") are left out
    # of the target; both figures are printed.
    pending = {t for t in passing if expected.get(t, "").startswith("pending:")}
    counted = len(passing) - len(pending)
    target_ratio = len([t for t in ok if t not in pending]) / counted if counted else 0.0
    print(f"pyzmq passes {len(passing)} tests; ferromq passes {len(ok)} of them ({ratio:.1%}); "
          f"{len(expected)} listed in {args.expected}")
    print(f"without the {len(pending)} 'pending:' tests: {target_ratio:.1%} of {counted} "
          f"(target {args.min_ratio:.0%})")
    status = 0
    if unexpected:
        status = 1
        print(f"\nFAIL: {len(unexpected)} test(s) pass on pyzmq but not on ferromq, unlisted:")
        for t in unexpected:
            print(f"  {t}  ({cand.get(t, 'not run')})")
    if fixed:
        status = 1
        print(f"\nFAIL: {len(fixed)} listed test(s) pass now: delete their lines:")
        for t in fixed:
            print(f"  {t}")
    if stale:
        status = 1
        print(f"\nFAIL: {len(stale)} listed test(s) are not in pyzmq's suite any more:")
        for t in stale:
            print(f"  {t}")
    if args.full and target_ratio < args.min_ratio:
        status = 1
        print(f"\nFAIL: {target_ratio:.1%} < {args.min_ratio:.0%} of pyzmq's passing tests "
              "(not pending elsewhere) pass on ferromq")
    if status and args.log and unexpected:
        with open(args.log) as f:
            log = f.read()
        # pytest's short summary lines for the unexpected failures help most.
        for line in log.splitlines():
            if re.match(r"^(FAILED|ERROR) ", line) and any(t in line for t in unexpected):
                print(line[:300])
    return status


if __name__ == "__main__":
    sys.exit(main())
