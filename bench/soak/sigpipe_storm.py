#!/usr/bin/env python3
"""SIGPIPE storm against a C program: bench/soak/c/sigpipe_pub.c (a PUB publishing 1 KiB
messages, default signal dispositions), built against Debian's libzmq and against
libferromq, while 10,000 raw subscribers connect over ipc, subscribe, read a little and
vanish, up to 32 at a time (half of them stop receiving first: shutdown(SHUT_RD), so the
publisher's writes fail with EPIPE before it sees the connection end). A library write to a peer that has gone must not raise
SIGPIPE: the program must survive.

    python bench/soak/sigpipe_storm.py [--impl libzmq|ferromq|both] [--subscribers 10000]
                                       [--runs 3]

Needs gcc, Debian's libzmq3-dev and libferromq installed under target/ferromq-install
(`make -C bindings-c install PREFIX=$PWD/target/ferromq-install`; run_all.sh does it).
"""
import os
import signal
import socket
import subprocess
import tempfile

import soaklib as sl

PREFIX = os.environ.get("PREFIX", os.path.join(sl.REPO, "target", "ferromq-install"))
BUILD = os.path.join(sl.REPO, "target", "soak")


def build(impl):
    os.makedirs(BUILD, exist_ok=True)
    exe = os.path.join(BUILD, "sigpipe_pub-" + impl)
    src = os.path.join(sl.HERE, "c", "sigpipe_pub.c")
    if impl == "libzmq":
        flags = ["-lzmq"]
    else:
        flags = ["-I" + os.path.join(PREFIX, "include"), "-L" + os.path.join(PREFIX, "lib"),
                 "-lferromq", "-Wl,-rpath," + os.path.join(PREFIX, "lib")]
    subprocess.check_call(["gcc", "-std=c11", "-O2", "-Wall", "-Werror", "-o", exe, src] + flags)
    return exe


def drive(impl, args):
    exe = build(impl)
    tmp = tempfile.mkdtemp(prefix="fmq-sigpipe-")
    ep = "ipc://%s/pub" % tmp
    proc = subprocess.Popen([exe, ep], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "READY"
    live, dying = [], []
    done = 0
    start = sl.now()
    while done < args.subscribers and proc.poll() is None:
        try:
            s = sl.connect_raw(ep, timeout=5)
            sl.handshake_raw(s, "SUB")
            s.sendall(sl.subscribe())
            s.recv(4096)
            live.append(s)
        except (OSError, EOFError, RuntimeError):
            pass  # the publisher may be dying under us
        if len(live) >= 32:
            # Unread data in flight. Every other subscriber first stops receiving
            # (shutdown SHUT_RD: the publisher's next write fails with EPIPE while the
            # connection still looks open to it), the others just close.
            s = live.pop(0)
            if done % 2:
                s.shutdown(socket.SHUT_RD)
                dying.append(s)
            else:
                s.close()
        if len(dying) >= 32:
            dying.pop(0).close()
        done += 1
    died_in_storm = proc.poll() is not None
    for s in live + dying:
        s.close()
    elapsed = sl.now() - start
    if proc.poll() is None:
        proc.stdin.close()
        out = proc.stdout.read().strip()
        proc.wait(30)
    rc = proc.returncode
    path = ep[len("ipc://"):]
    if os.path.exists(path):
        os.unlink(path)
    os.rmdir(tmp)
    if rc == -signal.SIGPIPE and died_in_storm:
        outcome = "killed by SIGPIPE after %d subscribers" % done
    elif rc == -signal.SIGPIPE:
        outcome = "survived the storm; killed by SIGPIPE in zmq_close/zmq_ctx_term"
    elif rc == 0:
        outcome = "survived (%s messages published)" % out.split()[-1]
    else:
        outcome = "exited %s" % rc
    return [sl.version_of(impl).split(" (")[0], done, "%.1f s" % elapsed, outcome]


def main():
    p = sl.parser(__doc__)
    p.add_argument("--subscribers", type=int, default=10000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    rows = []
    for impl in sl.impls_of(args):
        for run in range(1, args.runs + 1):
            r = drive(impl, args)
            rows.append([r[0], run] + r[1:])
    sl.table("SIGPIPE storm (C PUB over ipc, default signal dispositions, %d short-lived "
             "subscribers, %d runs each)" % (args.subscribers, args.runs),
             ["library", "run", "subscribers", "time", "outcome"], rows)


if __name__ == "__main__":
    main()
