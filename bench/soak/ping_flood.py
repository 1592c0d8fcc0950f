#!/usr/bin/env python3
"""PING flood: a peer completes the handshake, then sends ZMTP PINGs as fast as it can and
never reads. Each PING asks for a PONG; the process under test must not queue them without
bound (libzmq keeps one pending PONG). Prints the target's RSS growth.

    python bench/soak/ping_flood.py [--impl libzmq|ferromq|both] [--seconds 10]
                                    [--cap-mb 1024] [--heartbeat]

The target (a PULL bound on tcp) is killed once its RSS grows past --cap-mb, so that a
leaking implementation cannot take the machine down.
"""
import socket

import soaklib as sl

SCRIPT = __file__


def target(args):
    zmq = sl.load(args.impl)
    ctx = zmq.Context()
    s = ctx.socket(zmq.PULL)
    if args.heartbeat:
        s.setsockopt(zmq.HEARTBEAT_IVL, 100)
        s.setsockopt(zmq.HEARTBEAT_TIMEOUT, 60000)
    s.bind("tcp://127.0.0.1:*")
    sl.emit("READY", s.getsockopt(zmq.LAST_ENDPOINT).decode())
    sl.wait_stdin_eof()
    s.close(0)
    ctx.term()


def drive(impl, args):
    extra = ["--heartbeat"] if args.heartbeat else []
    t = sl.Target(SCRIPT, impl, *extra)
    ep = t.expect("READY")
    s = sl.connect_raw(ep)
    sl.handshake_raw(s, "PUSH")
    base = sl.rss_kb(t.pid)
    burst = sl.ping() * 8192  # 72 KiB of PINGs per send
    s.settimeout(0.05)
    sent = 0
    peak = base
    start = sl.now()
    next_sample = start
    stopped = ""
    while sl.now() - start < args.seconds:
        try:
            sent += s.send(burst)
        except socket.timeout:
            pass
        except OSError as e:
            stopped = "connection dropped (%s)" % e.strerror
            break
        if sl.now() >= next_sample:
            next_sample += 0.1
            peak = max(peak, sl.rss_kb(t.pid))
            if peak - base > args.cap_mb * 1024:
                stopped = "killed at the %d MB cap" % args.cap_mb
                break
    elapsed = sl.now() - start
    peak = max(peak, sl.rss_kb(t.pid))
    pings = sent // len(sl.ping())
    if stopped.startswith("killed"):
        t.proc.kill()
    s.close()
    t.stop()
    growth = (peak - base) / 1024.0
    return [sl.version_of(impl), "%d" % pings, "%.1f s" % elapsed, sl.mb(base), sl.mb(peak),
            "%.1f MB/s" % (growth / elapsed), stopped or "-"]


def main():
    p = sl.parser(__doc__)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--cap-mb", type=int, default=1024)
    p.add_argument("--heartbeat", action="store_true", help="HEARTBEAT_IVL 100 ms on the target")
    args = p.parse_args()
    if args.role == "target":
        return target(args)
    rows = [drive(impl, args) for impl in sl.impls_of(args)]
    sl.table("PING flood (%s, %gs%s)" % ("PULL bound on tcp", args.seconds,
                                         ", heartbeats on" if args.heartbeat else ""),
             ["implementation", "PINGs sent", "time", "RSS before", "RSS peak", "growth", "ended"],
             rows)


if __name__ == "__main__":
    main()
