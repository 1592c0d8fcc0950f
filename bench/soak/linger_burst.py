#!/usr/bin/env python3
"""Close with linger after a burst: the process under test (a PUSH connecting over tcp or
ipc, SNDHWM 0 = no limit) sends 3,000,000 small messages as fast as it can, then closes the
socket with LINGER -1, terminates its context and exits. The PULL receiving them (RCVHWM
1000) starts reading only once the last send returned, so most of the burst is
still queued in the sender when it closes. Every message must arrive (0 lost), and close/term
must wait for them, not hang.

    python bench/soak/linger_burst.py [--impl libzmq|ferromq|both] [--count 3000000]
                                      [--transports tcp,ipc] [--size 16]
                                      [--receivers libzmq,ferromq]

Each sender is measured against a libzmq and a ferromq receiver (a loss may come from
either end).
"""
import os
import tempfile

import soaklib as sl

SCRIPT = __file__


def target(args):
    zmq = sl.load(args.impl)
    ctx = zmq.Context()
    s = ctx.socket(zmq.PUSH)
    s.setsockopt(zmq.LINGER, -1)
    s.setsockopt(zmq.SNDHWM, 0)
    s.connect(args.endpoint)
    payload = b"m" * args.size
    start = sl.now()
    for _ in range(args.count):
        s.send(payload)
    sent_at = sl.now()
    sl.emit("SENT")
    s.close()
    ctx.term()
    sl.emit("DONE", "%.3f" % (sent_at - start), "%.3f" % (sl.now() - sent_at))


def drive(impl, transport, receiver, args):
    zmq = sl.load(receiver)
    ctx = zmq.Context()
    r = ctx.socket(zmq.PULL)
    r.setsockopt(zmq.RCVTIMEO, 10000)
    if transport == "tcp":
        r.bind("tcp://127.0.0.1:*")
    else:
        r.bind("ipc://%s/burst" % tempfile.mkdtemp(prefix="fmq-soak-"))
    ep = r.getsockopt(zmq.LAST_ENDPOINT).decode()
    t = sl.Target(SCRIPT, impl, "--endpoint", ep, "--count", args.count, "--size", args.size)
    t.expect("SENT", timeout=300)
    received = 0
    start = sl.now()
    while received < args.count:
        try:
            r.recv()
        except zmq.Again:
            break  # nothing for 10 s: the rest is lost
        received += 1
    elapsed = sl.now() - start
    try:
        send_s, close_s = t.expect("DONE", timeout=120).split()
    except (TimeoutError, EOFError) as e:
        send_s, close_s = "-", "did not finish (%s)" % e
    rc = t.stop()
    r.close(0)
    ctx.term()
    if transport == "ipc":
        path = ep[len("ipc://"):]
        if os.path.exists(path):
            os.unlink(path)
        os.rmdir(os.path.dirname(path))
    return [transport, sl.version_of(impl).split(" (")[0], receiver, args.count, received,
            args.count - received, "%s s" % send_s, "%s s" % close_s, "%.1f s" % elapsed,
            rc]


def main():
    p = sl.parser(__doc__)
    p.add_argument("--count", type=int, default=3000000)
    p.add_argument("--size", type=int, default=16)
    p.add_argument("--transports", default="tcp,ipc")
    p.add_argument("--endpoint", default="")
    p.add_argument("--receivers", default="libzmq,ferromq")
    args = p.parse_args()
    if args.role == "target":
        return target(args)
    rows = []
    for transport in args.transports.split(","):
        for receiver in args.receivers.split(","):
            for impl in sl.impls_of(args):
                rows.append(drive(impl, transport, receiver, args))
    sl.table("Close with linger after a burst (%d x %d-byte messages, LINGER -1)"
             % (args.count, args.size),
             ["transport", "sender", "receiver (PULL)", "sent", "received", "lost", "send time",
              "close + term", "receive time", "sender exit"], rows)


if __name__ == "__main__":
    main()
