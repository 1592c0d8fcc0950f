"""Shared helpers for the soak and fault scripts in bench/soak/ (issue 11).

Every script runs one scenario against libzmq (pyzmq) and ferromq (the ferromq Python
module, pyzmq-compatible), side by side, and prints figures; none of them is a pass/fail
test. The code under test runs in a child process ("target") so that its RSS can be
sampled from /proc without the driver's own memory in the way; the driver plays the peer,
usually with raw ZMTP bytes.
"""
import argparse
import importlib
import os
import socket
import struct
import subprocess
import sys
import time

IMPLS = ("libzmq", "ferromq")
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def load(impl):
    """The zmq module of an implementation: pyzmq for libzmq, `ferromq` for ferromq."""
    return importlib.import_module("zmq" if impl == "libzmq" else "ferromq")


def version_of(impl):
    zmq = load(impl)
    if impl == "libzmq":
        return "libzmq %s (pyzmq %s)" % (zmq.zmq_version(), zmq.__version__)
    return "ferromq (%s)" % git_commit()


def git_commit():
    try:
        return subprocess.check_output(
            ["git", "-C", REPO, "log", "-1", "--format=%h %cs"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--impl", choices=IMPLS + ("both",), default="both")
    p.add_argument("--role", default="driver", help=argparse.SUPPRESS)
    return p


def impls_of(args):
    return IMPLS if args.impl == "both" else (args.impl,)


# ------------------------------------------------------------------ processes and memory

def rss_kb(pid):
    """Resident set size of a process in KiB (0 once it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def mb(kb):
    return "%.1f MB" % (kb / 1024.0)


class Target:
    """This script re-run as `--role target --impl IMPL ARGS...` in a child process.

    The target prints `READY <endpoint>` (or anything else the script wants) on stdout;
    `line()` reads its next line. It runs until its stdin closes or it is killed.
    """

    def __init__(self, script, impl, *extra, env=None):
        cmd = [sys.executable, script, "--role", "target", "--impl", impl] + [str(x) for x in extra]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=env)

    @property
    def pid(self):
        return self.proc.pid

    def line(self, timeout=30):
        """The target's next output line (blocking; the timeout guards against hangs)."""
        import select
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            raise TimeoutError("target said nothing for %ss" % timeout)
        out = self.proc.stdout.readline()
        if not out:
            raise EOFError("target exited (%s)" % self.proc.poll())
        return out.strip()

    def expect(self, prefix, timeout=30):
        while True:
            out = self.line(timeout)
            if out.startswith(prefix):
                return out[len(prefix):].strip()

    def say(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=30):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def wait_stdin_eof():
    """A target's main loop end: returns when the driver closes our stdin."""
    sys.stdin.read()


def emit(*fields):
    print(*fields, flush=True)


# ------------------------------------------------------------------ raw ZMTP peer

TYPES = {"PAIR": 0, "PUB": 1, "SUB": 2, "REQ": 3, "REP": 4, "DEALER": 5, "ROUTER": 6,
         "PULL": 7, "PUSH": 8, "XPUB": 9, "XSUB": 10}


def greeting():
    return b"\xff" + b"\x00" * 8 + b"\x7f\x03\x01" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32


def frame(body, more=False, command=False):
    flags = (0x04 if command else 0) | (0x01 if more else 0)
    if len(body) < 256:
        return bytes([flags, len(body)]) + body
    return bytes([flags | 0x02]) + struct.pack(">Q", len(body)) + body


def ready(sock_type, identity=None):
    props = b"\x0bSocket-Type" + struct.pack(">I", len(sock_type)) + sock_type.encode()
    if identity is not None:
        props += b"\x08Identity" + struct.pack(">I", len(identity)) + identity
    return frame(b"\x05READY" + props, command=True)


def ping(ttl=0, context=b""):
    return frame(b"\x04PING" + struct.pack(">H", ttl) + context, command=True)


def subscribe(topic=b""):
    return frame(b"\x09SUBSCRIBE" + topic, command=True)


def connect_raw(endpoint, timeout=10):
    """A raw stream socket connected to a tcp:// or ipc:// endpoint."""
    if endpoint.startswith("tcp://"):
        host, port = endpoint[6:].rsplit(":", 1)
        s = socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    else:
        path = endpoint[6:]
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect("\0" + path[1:] if path.startswith("@") else path)
    return s


def recv_exact(s, n):
    out = bytearray()
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise EOFError("peer closed after %d of %d bytes" % (len(out), n))
        out.extend(chunk)
    return bytes(out)


def read_frame(s):
    """(flags, body) of the next frame on a raw socket."""
    flags, size = recv_exact(s, 2)
    if flags & 0x02:
        size = struct.unpack(">Q", bytes([size]) + recv_exact(s, 7))[0]
    return flags, recv_exact(s, size)


def handshake_raw(s, peer_type, identity=None):
    """Completes a NULL handshake as `peer_type` on a connected raw socket."""
    s.sendall(greeting() + ready(peer_type, identity))
    recv_exact(s, 64)
    flags, body = read_frame(s)
    if not (flags & 0x04 and body.startswith(b"\x05READY")):
        raise RuntimeError("expected READY, got %r" % body[:20])


def raise_nofile(n):
    """Raises RLIMIT_NOFILE to at least n (root may raise the hard limit too)."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= n:
        return
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(n, soft), max(n, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def table(title, header, rows):
    """Prints a Markdown table (the form docs/RELIABILITY.md records)."""
    print()
    print("### " + title)
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")
    sys.stdout.flush()


def now():
    return time.monotonic()
