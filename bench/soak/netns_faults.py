#!/usr/bin/env python3
"""Link-down and stall faults between two network namespaces, with heartbeats.

The script creates two namespaces joined by a veth pair (10.211.<n>.1 and .2), runs a PULL
in one and a PUSH connecting to it in the other (both the implementation under test;
HEARTBEAT_IVL 200 ms, HEARTBEAT_TIMEOUT 1000 ms, RECONNECT_IVL 100 ms), the PUSH sending a
sequence-numbered message every millisecond, and injects two faults:

  link down   `ip link set <veth> down` on the sender's side for --fault-s seconds
  stall       a zero-length pfifo on both veths (every packet dropped, links up) for
              --fault-s seconds

It prints, per fault: how long the sender took to notice (DISCONNECTED after the fault
began: the heartbeat timeout at work), how long it took to be connected again after the
fault ended (HANDSHAKE_SUCCEEDED), the gap in delivered messages, and messages lost (never
delivered). Namespaces, veths and addresses are created and removed by the script.

    sudo python bench/soak/netns_faults.py [--impl libzmq|ferromq|both] [--fault-s 3]

Needs root and iproute2 (`ip`, `tc`); skips with a notice otherwise.
"""
import os
import shutil
import struct
import subprocess
import sys
import time

import soaklib as sl

SCRIPT = os.path.abspath(__file__)
PORT = 5555
EVENTS = {0x0001: "CONNECTED", 0x0200: "DISCONNECTED", 0x1000: "HANDSHAKE_SUCCEEDED"}


def sh(*cmd, check=True):
    return subprocess.run(cmd, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class Net:
    """Two namespaces and a veth pair, removed by close()."""

    def __init__(self):
        tag = os.getpid() % 100000
        self.a, self.b = "fmq-soak-a%d" % tag, "fmq-soak-b%d" % tag
        self.va, self.vb = "fmqa%d" % tag, "fmqb%d" % tag
        n = tag % 250 + 1
        self.ip_a, self.ip_b = "10.211.%d.1" % n, "10.211.%d.2" % n
        sh("ip", "netns", "add", self.a)
        sh("ip", "netns", "add", self.b)
        sh("ip", "link", "add", self.va, "type", "veth", "peer", "name", self.vb)
        sh("ip", "link", "set", self.va, "netns", self.a)
        sh("ip", "link", "set", self.vb, "netns", self.b)
        for ns, dev, ip in ((self.a, self.va, self.ip_a), (self.b, self.vb, self.ip_b)):
            sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")

    def link(self, up):
        sh("ip", "-n", self.a, "link", "set", self.va, "up" if up else "down")

    def stall(self, on):
        for ns, dev in ((self.a, self.va), (self.b, self.vb)):
            if on:
                sh("tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "pfifo", "limit", "0")
            else:
                sh("tc", "-n", ns, "qdisc", "del", "dev", dev, "root")

    def close(self):
        for ns in (self.a, self.b):
            sh("ip", "netns", "del", ns, check=False)  # takes its veth end with it


def in_ns(ns, impl, role, *extra):
    cmd = ["ip", "netns", "exec", ns, sys.executable, SCRIPT, "--role", role, "--impl", impl]
    return subprocess.Popen(cmd + [str(x) for x in extra], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def heartbeats(zmq, s):
    s.setsockopt(zmq.HEARTBEAT_IVL, 200)
    s.setsockopt(zmq.HEARTBEAT_TIMEOUT, 1000)
    s.setsockopt(zmq.RECONNECT_IVL, 100)
    s.setsockopt(zmq.LINGER, 0)


def receiver(args):
    zmq = sl.load(args.impl)
    ctx = zmq.Context()
    s = ctx.socket(zmq.PULL)
    heartbeats(zmq, s)
    s.bind("tcp://%s:%d" % (args.addr, PORT))
    sl.emit("READY")
    import select
    received, expect, gaps = 0, 0, []
    while True:
        if select.select([sys.stdin], [], [], 0)[0]:
            break
        try:
            seq = struct.unpack(">Q", s.recv(zmq.DONTWAIT))[0]
        except zmq.Again:
            time.sleep(0.0005)
            continue
        received += 1
        if seq != expect:
            gaps.append((expect, seq, time.monotonic()))
        expect = seq + 1
    sl.emit("RECEIVED", received, expect)
    for first_missing, resumed_at, t in gaps:
        sl.emit("GAP", first_missing, resumed_at, "%.4f" % t)
    sl.emit("END")
    s.close(0)
    ctx.term()


def sender(args):
    zmq = sl.load(args.impl)
    ctx = zmq.Context()
    s = ctx.socket(zmq.PUSH)
    heartbeats(zmq, s)
    s.monitor("inproc://mon", sum(EVENTS))
    mon = ctx.socket(zmq.PAIR)
    mon.connect("inproc://mon")
    s.connect("tcp://%s:%d" % (args.addr, PORT))
    sl.emit("READY")
    import select
    seq, refused, events = 0, 0, []
    next_send = time.monotonic()
    while not select.select([sys.stdin], [], [], 0)[0]:
        now = time.monotonic()
        if now >= next_send:
            next_send += 0.001
            try:
                s.send(struct.pack(">Q", seq), zmq.DONTWAIT)
                seq += 1
            except zmq.Again:
                refused += 1  # HWM reached while disconnected: never sent, not lost
        while True:
            try:
                ev = mon.recv_multipart(zmq.DONTWAIT)
            except zmq.Again:
                break
            code = struct.unpack("<H", ev[0][:2])[0]
            events.append((EVENTS.get(code, hex(code)), time.monotonic()))
        time.sleep(max(0.0, min(next_send - time.monotonic(), 0.001)))
    sl.emit("SENT", seq, refused)
    for name, t in events:
        sl.emit("EVENT", name, "%.4f" % t)
    sl.emit("END")
    s.disable_monitor()
    s.close(0)
    mon.close(0)
    ctx.term()


def expect(proc, prefix, timeout=30):
    import select
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if select.select([proc.stdout], [], [], 0.5)[0]:
            line = proc.stdout.readline()
            if not line:
                raise EOFError("child exited")
            if line.startswith(prefix):
                return line.split()[1:]
    raise TimeoutError(prefix)


def lines_until_end(proc):
    proc.stdin.close()
    out = []
    for line in proc.stdout:
        if line.strip() == "END":
            break
        out.append(line.split())
    proc.wait(30)
    return out


def drive(impl, args):
    net = Net()
    try:
        recv = in_ns(net.b, impl, "receiver", "--addr", net.ip_b)
        expect(recv, "READY")
        send = in_ns(net.a, impl, "sender", "--addr", net.ip_b)
        expect(send, "READY")
        time.sleep(2)  # steady traffic before the first fault
        faults = []
        for name, inject in (("link down", net.link), ("stall", net.stall)):
            start = time.monotonic()
            inject(name == "stall")  # link(False) = down; stall(True) = on
            time.sleep(args.fault_s)
            end = time.monotonic()
            inject(name != "stall")
            faults.append((name, start, end))
            time.sleep(args.recover_s)
        sent = lines_until_end(send)
        received = lines_until_end(recv)
    finally:
        for p in ("send", "recv"):
            proc = locals().get(p)
            if proc is not None and proc.poll() is None:
                proc.kill()
        net.close()
    total_sent = int(sent[0][1])
    events = [(w[1], float(w[2])) for w in sent if w[0] == "EVENT"]
    got, highest = int(received[0][1]), int(received[0][2])
    gaps = [(int(w[1]), int(w[2]), float(w[3])) for w in received if w[0] == "GAP"]
    rows = []
    for i, (name, start, end) in enumerate(faults):
        until = faults[i + 1][1] if i + 1 < len(faults) else float("inf")
        down = [t for e, t in events if e == "DISCONNECTED" and start <= t < until]
        up = [t for e, t in events if e == "HANDSHAKE_SUCCEEDED" and t >= end and t < until]
        window = [g for g in gaps if start <= g[2] < until]
        lost = sum(g[1] - g[0] for g in window)
        resumed = [g[2] for g in window]
        rows.append([
            name, sl.version_of(impl).split(" (")[0], "%.1f s" % (end - start),
            "%.2f s" % (down[0] - start) if down else "not detected",
            "%.2f s" % (up[0] - end) if up else "no reconnect",
            "%.2f s" % (max(resumed) - start) if resumed else "no gap",
            lost])
    rows.append(["(whole run)", sl.version_of(impl).split(" (")[0], "-", "-", "-",
                 "sent %d, received %d" % (total_sent, got), highest - got])
    return rows


def main():
    p = sl.parser(__doc__)
    p.add_argument("--fault-s", type=float, default=3)
    p.add_argument("--recover-s", type=float, default=6)
    p.add_argument("--addr", default="")
    args = p.parse_args()
    if args.role == "receiver":
        return receiver(args)
    if args.role == "sender":
        return sender(args)
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("tc"):
        print("netns_faults: SKIPPED: needs root and iproute2 (ip, tc)")
        return
    rows = []
    for impl in sl.impls_of(args):
        rows.extend(drive(impl, args))
    sl.table("Faults between two network namespaces (PUSH -> PULL over tcp on a veth pair, "
             "1 message/ms, heartbeats 200 ms / timeout 1000 ms, reconnect 100 ms)",
             ["fault", "implementation", "fault length", "sender noticed after",
              "reconnected after fault end", "delivery resumed after fault start",
              "messages lost"], rows)


if __name__ == "__main__":
    main()
