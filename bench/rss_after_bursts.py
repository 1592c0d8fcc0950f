#!/usr/bin/env python3
"""RSS of a ferromq process across bursts of connections (issue 11, item 6).

Starts ``ferromq-peer pull --bind tcp://127.0.0.1:*`` (the binary given, default
target/release/ferromq-peer), then, ROUNDS times: opens CONNS raw TCP connections that
each complete the ZMTP handshake as PUSH and send one 16-byte message, waits until the
peer has printed all of them, closes every connection, waits until the process's thread
count and fd count settle, and prints the process's RSS (VmRSS) after the burst.

    python3 bench/rss_after_bursts.py [--peer PATH] [--rounds 6] [--conns 5000]

Needs ``ulimit -n`` above CONNS + 100 (for both processes).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "interop"))

from peerlib import greeting, message_frame, ready_command  # noqa: E402


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", default=str(REPO / "target" / "release" / "ferromq-peer"))
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--conns", type=int, default=5000)
    args = ap.parse_args()

    proc = subprocess.Popen(
        [args.peer, "pull", "--bind", "tcp://127.0.0.1:*", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("ENDPOINT tcp://"), line
        host, port = line.split("//", 1)[1].rsplit(":", 1)
        idle_fds = open_fds(proc.pid)
        print(f"start: RSS {rss_kib(proc.pid)} KiB")
        hello = greeting() + ready_command(b"PUSH") + message_frame(b"x" * 16)
        for r in range(1, args.rounds + 1):
            conns = []
            for _ in range(args.conns):
                s = socket.create_connection((host, int(port)))
                s.sendall(hello)
                conns.append(s)
            # Every connection gets the other side's greeting and READY (64 + 28 bytes).
            for s in conns:
                s.settimeout(10)
                got = 0
                while got < 64 + 28:
                    chunk = s.recv(4096)
                    assert chunk, "the peer closed a connection"
                    got += len(chunk)
            peak = rss_kib(proc.pid)
            for s in conns:
                s.close()
            deadline = time.monotonic() + 30
            while open_fds(proc.pid) > idle_fds and time.monotonic() < deadline:
                time.sleep(0.05)
            settled = rss_kib(proc.pid)
            print(f"round {r}: {args.conns} connections, RSS at peak {peak} KiB, "
                  f"after close {settled} KiB, fds {open_fds(proc.pid)}")
    finally:
        proc.kill()
        proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
