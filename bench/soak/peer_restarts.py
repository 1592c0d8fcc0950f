#!/usr/bin/env python3
"""Peer restarts with loss counted: the process under test (a PUSH connecting over tcp,
SNDHWM 1000, RECONNECT_IVL 10 ms) sends sequence-numbered messages as fast as it can to a
libzmq PULL that receives a few hundred of them, closes (LINGER 0) and binds again, 1,000
times. Messages missing from the sequence are lost: those in flight at each restart
(kernel buffers, the sender's write batch, the receiver's unread queue). The receiver is
libzmq for both rows, so differences come from the sender.

    python bench/soak/peer_restarts.py [--impl libzmq|ferromq|both] [--restarts 1000]
                                       [--per-restart 200] [--size 1024]
"""
import struct
import sys

import soaklib as sl

SCRIPT = __file__


def target(args):
    zmq = sl.load(args.impl)
    ctx = zmq.Context()
    s = ctx.socket(zmq.PUSH)
    s.setsockopt(zmq.RECONNECT_IVL, 10)
    s.setsockopt(zmq.SNDTIMEO, 100)
    s.connect(args.endpoint)
    sl.emit("READY", args.endpoint)
    import select
    pad = b"x" * max(0, args.size - 8)
    seq = 0
    while True:
        try:
            s.send(struct.pack(">Q", seq) + pad)
            seq += 1
        except zmq.Again:
            pass
        r, _, _ = select.select([sys.stdin], [], [], 0)
        if r:
            break
    sl.emit("SENT", seq)
    s.close(0)
    ctx.term()


def drive(impl, args):
    import zmq  # the receiver is libzmq (pyzmq) in both cases
    ctx = zmq.Context()
    port = free_port()
    ep = "tcp://127.0.0.1:%d" % port
    t = sl.Target(SCRIPT, impl, "--endpoint", ep, "--size", args.size)
    t.expect("READY")
    received = 0
    highest = -1
    start = sl.now()
    for _ in range(args.restarts):
        r = ctx.socket(zmq.PULL)
        r.setsockopt(zmq.LINGER, 0)
        r.setsockopt(zmq.RCVTIMEO, 10000)
        bind_retrying(zmq, r, ep)
        for _ in range(args.per_restart):
            seq = struct.unpack(">Q", r.recv()[:8])[0]
            received += 1
            highest = max(highest, seq)
        r.close()
    elapsed = sl.now() - start
    t.say("STOP")
    sent = int(t.expect("SENT"))
    t.stop()
    ctx.term()
    lost = highest + 1 - received
    return [sl.version_of(impl).split(" (")[0], args.restarts, "%.1f s" % elapsed, sent,
            received, lost, "%.0f" % (lost / float(args.restarts))]


def bind_retrying(zmq, sock, ep):
    """libzmq closes a listener asynchronously: the port may still be taken a moment."""
    import time
    deadline = sl.now() + 10
    while True:
        try:
            return sock.bind(ep)
        except zmq.ZMQError as e:
            if e.errno != zmq.EADDRINUSE or sl.now() > deadline:
                raise
            time.sleep(0.001)


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    p = sl.parser(__doc__)
    p.add_argument("--restarts", type=int, default=1000)
    p.add_argument("--per-restart", type=int, default=200)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--endpoint", default="")
    args = p.parse_args()
    if args.role == "target":
        return target(args)
    rows = [drive(impl, args) for impl in sl.impls_of(args)]
    sl.table("Peer restarts (sender under test: PUSH connect over tcp, %d-byte messages; "
             "receiver: libzmq PULL taking %d messages per life)" % (args.size, args.per_restart),
             ["sender", "restarts", "time", "sent", "received", "lost", "lost per restart"],
             rows)


if __name__ == "__main__":
    main()
