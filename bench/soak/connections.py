#!/usr/bin/env python3
"""10,000 connections: raw peers open 10,000 connections to one PULL (tcp) of the process
under test, complete the handshake, and each sends one message; the PULL must receive all
10,000. Then all close, and the same is done again (3 rounds). Prints the time to connect
and handshake, the messages received, and the target's RSS with the connections open and
after they closed (memory not returned after a burst of connections shows here).

    python bench/soak/connections.py [--impl libzmq|ferromq|both] [--connections 10000]
                                     [--rounds 3]
"""
import sys

import soaklib as sl

SCRIPT = __file__


def target(args):
    sl.raise_nofile(args.connections * 2 + 1000)
    zmq = sl.load(args.impl)
    ctx = zmq.Context()
    if args.impl == "libzmq":
        ctx.set(zmq.MAX_SOCKETS, args.connections * 2)
    s = ctx.socket(zmq.PULL)
    s.setsockopt(zmq.RCVTIMEO, 20000)
    s.setsockopt(zmq.BACKLOG, 4096)
    s.bind("tcp://127.0.0.1:*")
    sl.emit("READY", s.getsockopt(zmq.LAST_ENDPOINT).decode())
    for line in sys.stdin:
        n = int(line)
        got = 0
        try:
            for _ in range(n):
                s.recv()
                got += 1
        except zmq.Again:
            pass
        sl.emit("GOT", got)
    s.close(0)
    ctx.term()


def drive(impl, args):
    sl.raise_nofile(args.connections * 2 + 1000)
    t = sl.Target(SCRIPT, impl, "--connections", args.connections)
    ep = t.expect("READY")
    base = sl.rss_kb(t.pid)
    rows = []
    for rnd in range(1, args.rounds + 1):
        start = sl.now()
        socks = []
        failed = 0
        for _ in range(args.connections):
            try:
                s = sl.connect_raw(ep, timeout=20)
                sl.handshake_raw(s, "PUSH")
                socks.append(s)
            except (OSError, EOFError, RuntimeError):
                failed += 1
        connect_s = sl.now() - start
        for i, s in enumerate(socks):
            s.sendall(sl.frame(b"%d" % i))
        t.say(str(len(socks)))
        got = int(t.expect("GOT", timeout=120))
        open_rss = sl.rss_kb(t.pid)
        for s in socks:
            s.close()
        # The target notices the closes asynchronously: sample until RSS stops moving.
        closed_rss = settle(t.pid)
        rows.append([sl.version_of(impl).split(" (")[0], rnd, len(socks), failed,
                     "%.1f s" % connect_s, got, sl.mb(base), sl.mb(open_rss),
                     sl.mb(closed_rss)])
    t.stop()
    return rows


def settle(pid):
    """RSS once it has not moved for 1 s (at most 10 s)."""
    import time
    last, still = sl.rss_kb(pid), 0
    for _ in range(100):
        time.sleep(0.1)
        cur = sl.rss_kb(pid)
        still = still + 1 if cur == last else 0
        last = cur
        if still >= 10:
            break
    return last


def main():
    p = sl.parser(__doc__)
    p.add_argument("--connections", type=int, default=10000)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    if args.role == "target":
        return target(args)
    rows = []
    for impl in sl.impls_of(args):
        rows.extend(drive(impl, args))
    sl.table("%d connections to one PULL over tcp (raw PUSH peers, one message each), "
             "%d rounds" % (args.connections, args.rounds),
             ["implementation", "round", "connected", "failed", "connect + handshake",
              "messages received", "RSS at start", "RSS, connections open",
              "RSS after close"], rows)


if __name__ == "__main__":
    main()
