#!/usr/bin/env python3
"""SIGPIPE storm against a C program: bench/soak/c/sigpipe_pub.c (a PUB publishing 1 KiB
messages, default signal dispositions), built against Debian's libzmq and against
libferromq, while 10,000 raw subscribers connect over ipc, subscribe, read a little and
vanish, up to 32 at a time. A library write to a peer that has gone must not raise
SIGPIPE: the program must survive.

    python bench/soak/sigpipe_storm.py [--impl libzmq|ferromq|both] [--subscribers 10000]

Needs gcc, Debian's libzmq3-dev and libferromq installed under target/ferromq-install
(`make -C bindings-c install PREFIX=$PWD/target/ferromq-install`; run_all.sh does it).
"""
import os
import signal
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
    live = []
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
            live.pop(0).close()  # unread data in flight: the next write meets a dead peer
        done += 1
    for s in live:
        s.close()
    elapsed = sl.now() - start
    if proc.poll() is None:
        proc.stdin.close()
        out = proc.stdout.read().strip()
        proc.wait(30)
    rc = proc.returncode
    os.unlink(ep[len("ipc://"):]) if os.path.exists(ep[len("ipc://"):]) else None
    os.rmdir(tmp)
    if rc == -signal.SIGPIPE:
        outcome = "killed by SIGPIPE after %d subscribers" % done
    elif rc == 0:
        outcome = "survived (%s messages published)" % out.split()[-1]
    else:
        outcome = "exited %s" % rc
    return [sl.version_of(impl).split(" (")[0], done, "%.1f s" % elapsed, outcome]


def main():
    p = sl.parser(__doc__)
    p.add_argument("--subscribers", type=int, default=10000)
    args = p.parse_args()
    rows = [drive(impl, args) for impl in sl.impls_of(args)]
    sl.table("SIGPIPE storm (C PUB over ipc, default signal dispositions, %d short-lived "
             "subscribers)" % args.subscribers,
             ["library", "subscribers", "time", "outcome"], rows)


if __name__ == "__main__":
    main()
