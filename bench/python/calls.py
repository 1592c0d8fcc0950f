"""Per-call cost of the hot socket methods, ferromq and pyzmq side by side.

One thread, an inproc PUSH → PULL pair with unlimited HWMs: ``send`` is timed filling
the pipe and ``recv`` draining it (so neither waits nor wakes the other end); the
``send`` + ``recv`` pair times the hand-off to an empty reader. Each statement runs in
``timeit``'s compiled loop (no extra Python frame per call); a figure is the best of
``--repeat`` batches of ``--batch`` calls, in ns per call, the two modules alternating
batch by batch so that both see the same machine load. Steadier than the throughput
runs of ``run.py`` on a loaded machine.

    python bench/python/calls.py [--repeat N] [--batch N]
"""

from __future__ import annotations

import argparse
import importlib
import timeit
from typing import Any

# (name, statement timed, statement run once before, statement run once after); the
# names they use: zmq (the module), push, pull, poller (pull registered for POLLIN).
CASES: list[tuple[str, str, str, str]] = [
    ("send(b'x')", "push.send(b'x')", "", "for _ in range(n): pull.recv()"),
    ("send(b'x', DONTWAIT)", "push.send(b'x', zmq.DONTWAIT)", "", "for _ in range(n): pull.recv()"),
    ("send(b'x', copy=False)", "push.send(b'x', copy=False)", "", "for _ in range(n): pull.recv()"),
    ("recv(), 1 B", "pull.recv()", "for _ in range(n): push.send(b'x')", ""),
    ("send(1 KiB)", "push.send(k)", "", "for _ in range(n): pull.recv()"),
    ("recv(), 1 KiB", "pull.recv()", "for _ in range(n): push.send(k)", ""),
    ("recv(copy=False), 1 B", "pull.recv(copy=False)", "for _ in range(n): push.send(b'x')", ""),
    ("recv(copy=False), 64 KiB", "pull.recv(copy=False)", "for _ in range(n): push.send(big)", ""),
    ("send_multipart([a, b])", "push.send_multipart(parts)", "", "for _ in range(n): pull.recv_multipart()"),
    ("recv_multipart(), 2 parts", "pull.recv_multipart()", "for _ in range(n): push.send_multipart(parts)", ""),
    ("send + recv (empty pipe)", "push.send(b'x'); pull.recv()", "", ""),
    ("poll(0), ready", "pull.poll(0)", "push.send(b'x')", "pull.recv()"),
    ("Poller.poll(0), 1 socket ready", "poller.poll(0)", "push.send(b'x')", "pull.recv()"),
]


def setup(lib: str) -> dict[str, Any]:
    zmq = importlib.import_module(lib)
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    push = ctx.socket(zmq.PUSH)
    for s in (pull, push):
        s.sndhwm = 0
        s.rcvhwm = 0
    pull.bind(f"inproc://calls-{lib}")
    push.connect(f"inproc://calls-{lib}")
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    return {"zmq": zmq, "ctx": ctx, "push": push, "pull": pull, "poller": poller,
            "k": b"x" * 1024, "big": b"x" * 65536, "parts": [b"a", b"b"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--batch", type=int, default=2000)
    args = ap.parse_args()
    libs = ["ferromq", "zmq"]
    spaces = {lib: setup(lib) for lib in libs}
    print("| Call | ferromq ns | pyzmq ns | pyzmq / ferromq |")
    print("|---|---|---|---|")
    for name, stmt, before, after in CASES:
        best = {lib: float("inf") for lib in libs}
        for _ in range(args.repeat):
            for lib in libs:
                ns = dict(spaces[lib], n=args.batch)
                exec(before, ns)
                t = timeit.Timer(stmt, globals=ns).timeit(args.batch)
                exec(after, ns)
                best[lib] = min(best[lib], t / args.batch * 1e9)
        print(f"| {name} | {best['ferromq']:.0f} | {best['zmq']:.0f} | {best['zmq'] / best['ferromq']:.2f}× |",
              flush=True)
    for ns in spaces.values():
        ns["push"].close(linger=0)
        ns["pull"].close(linger=0)
        ns["ctx"].term()


if __name__ == "__main__":
    main()
