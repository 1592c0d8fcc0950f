#!/usr/bin/env python3
"""A peer that never reads, per socket type: the process under test sends 10 KiB messages
to it (SNDHWM 1000) until the socket says EAGAIN (or, for PUB/XPUB, which drop at the HWM,
until it has offered 20,000). Its RSS must stay bounded by about HWM x size plus a
constant, and a blocking socket should refuse at the HWM (libzmq: exactly 1,000 plus what
the kernel buffers took).

    python bench/soak/never_reading.py [--impl libzmq|ferromq|both] [--types PUSH,PUB,...]
                                       [--size 10240] [--hwm 1000]
"""
import soaklib as sl

SCRIPT = __file__
# socket type under test -> (raw peer's type, the peer's routing id)
PEERS = {"PUSH": ("PULL", None), "PUB": ("SUB", None), "XPUB": ("SUB", None),
         "DEALER": ("DEALER", None), "ROUTER": ("DEALER", b"peer"), "PAIR": ("PAIR", None),
         "REP": ("REQ", None)}
DROPPING = ("PUB", "XPUB")
OFFERED = 20000


def target(args):
    zmq = sl.load(args.impl)
    ctx = zmq.Context()
    ty = args.types
    s = ctx.socket(getattr(zmq, ty))
    s.setsockopt(zmq.SNDHWM, args.hwm)
    if ty == "ROUTER":
        s.setsockopt(zmq.ROUTER_MANDATORY, 1)
    s.bind("tcp://127.0.0.1:*")
    sl.emit("READY", s.getsockopt(zmq.LAST_ENDPOINT).decode())
    import sys
    sys.stdin.readline()  # GO
    payload = b"x" * args.size
    sent = 0
    why = "max"
    if ty == "REP":
        s.setsockopt(zmq.RCVTIMEO, 2000)
    while sent < (OFFERED if ty in DROPPING else 10 ** 7):
        try:
            if ty == "REP":
                s.recv()
                s.send(payload, zmq.DONTWAIT)
            elif ty == "ROUTER":
                s.send_multipart([b"peer", payload], zmq.DONTWAIT)
            else:
                s.send(payload, zmq.DONTWAIT)
        except zmq.Again:
            why = "EAGAIN" if ty != "REP" else "requests-ran-out"
            break
        sent += 1
    sl.emit("SENT", sent, why)
    sl.wait_stdin_eof()
    s.close(0)
    ctx.term()


def drive(impl, ty, args):
    t = sl.Target(SCRIPT, impl, "--types", ty, "--size", args.size, "--hwm", args.hwm)
    ep = t.expect("READY")
    peer, ident = PEERS[ty]
    s = sl.connect_raw(ep)
    sl.handshake_raw(s, peer, ident)
    if peer == "SUB":
        s.sendall(sl.subscribe())
    if ty == "REP":
        # 20,000 requests sent up front (in the background of the kernel buffers).
        req = sl.frame(b"", more=True) + sl.frame(b"q")
        s.setblocking(False)
        pending = req * OFFERED
    base = sl.rss_kb(t.pid)
    t.say("GO")
    peak = base
    start = sl.now()
    done = None
    import select
    while done is None and sl.now() - start < 120:
        if ty == "REP" and pending:
            try:
                n = s.send(pending)
                pending = pending[n:]
            except BlockingIOError:
                pass
        r, _, _ = select.select([t.proc.stdout], [], [], 0.05)
        peak = max(peak, sl.rss_kb(t.pid))
        if r:
            done = t.line().split()
    end = sl.now() + 1.0  # let the I/O threads settle, still sampling
    while sl.now() < end:
        peak = max(peak, sl.rss_kb(t.pid))
    s.close()
    t.stop()
    bound = args.hwm * args.size
    sent = done[1] if done else "?"
    why = done[2] if done else "timeout"
    return [ty, sl.version_of(impl).split(" (")[0], sent, why, sl.mb(peak - base),
            "%.1f MB" % (bound / 1048576.0)]


def main():
    p = sl.parser(__doc__)
    p.add_argument("--types", default=",".join(PEERS))
    p.add_argument("--size", type=int, default=10240)
    p.add_argument("--hwm", type=int, default=1000)
    args = p.parse_args()
    if args.role == "target":
        return target(args)
    rows = []
    for ty in args.types.split(","):
        for impl in sl.impls_of(args):
            rows.append(drive(impl, ty, args))
    sl.table("Never-reading peer (tcp, %d-byte messages, SNDHWM %d; PUB/XPUB offered %d)"
             % (args.size, args.hwm, OFFERED),
             ["socket", "implementation", "sends accepted", "ended by", "RSS growth",
              "HWM x size"], rows)


if __name__ == "__main__":
    main()
