"""Transport options of ferromq-peer compared with what libzmq (pyzmq) does.

* IPV6: a dual-stack ``tcp://*:*`` bind takes IPv4 and IPv6 libzmq clients; without the
  option an IPv6 literal bind fails with ENODEV, exactly like libzmq's.
* SNDBUF / RCVBUF / TCP_KEEPALIVE(_IDLE): the kernel state of ferromq's connections, as
  ``ss`` shows it (buffer sizes, keepalive timer), matches that of libzmq's connections
  with the same options, on the bind (accepted) and on the connect side.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time

import pytest
import zmq

from peerlib import describe_message


def ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


needs_ipv6 = pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback")
needs_ss = pytest.mark.skipif(shutil.which("ss") is None, reason="no ss(8)")


@needs_ipv6
def test_dual_stack_bind_takes_ipv4_and_ipv6_libzmq_clients(ferromq_peer, zsocket):
    peer = ferromq_peer("pull", "--bind", "tcp://*:*", "--ipv6", "--count", "2")
    line = peer.readline()
    assert line.startswith("ENDPOINT tcp://[::]:"), line
    port = int(line.rsplit(":", 1)[1])
    v4 = zsocket(zmq.PUSH)
    v4.connect(f"tcp://127.0.0.1:{port}")
    v4.send(b"from-v4")
    first = peer.readline()
    v6 = zsocket(zmq.PUSH)
    v6.setsockopt(zmq.IPV6, 1)
    v6.connect(f"tcp://[::1]:{port}")
    v6.send(b"from-v6")
    second = peer.readline()
    assert first == describe_message(0, [b"from-v4"])
    assert second == describe_message(1, [b"from-v6"])
    assert peer.readline() == "DONE 2"


@needs_ipv6
def test_ipv6_literal_bind_without_ipv6_is_enodev_like_libzmq(ferromq_peer, zsocket):
    s = zsocket(zmq.PULL)
    with pytest.raises(zmq.ZMQError) as err:
        s.bind("tcp://[::1]:*")
    assert err.value.errno == 19
    peer = ferromq_peer("pull", "--bind", "tcp://[::1]:*")
    assert peer.wait(timeout=10) == 1
    # stderr is collected by a reader thread: give it until the end of the stream.
    deadline = time.monotonic() + 5
    while "(errno 19)" not in peer.stderr and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "(errno 19)" in peer.stderr, peer.stderr


def ss_sockets(port: int) -> dict[tuple[int, int], str]:
    """Established TCP sockets with ``port`` at either end, keyed by (local port, peer
    port), each with its ss line(s) (timers and skmem) joined."""
    out = subprocess.run(
        ["ss", "-tnmoH", "state", "established", f"( sport = :{port} or dport = :{port} )"],
        capture_output=True, text=True, timeout=10, check=True,
    ).stdout
    sockets: dict[tuple[int, int], str] = {}
    key = None
    for line in out.splitlines():
        if line and not line[0].isspace():
            fields = line.split()
            key = (int(fields[2].rsplit(":", 1)[1]), int(fields[3].rsplit(":", 1)[1]))
            sockets[key] = line
        elif key is not None:
            sockets[key] += " " + line.strip()
    return sockets


def kernel_state(desc: str) -> tuple[int, int, bool]:
    """(rcvbuf, sndbuf, keepalive timer running) from an ss description."""
    m = re.search(r"skmem:\(r\d+,rb(\d+),t\d+,tb(\d+)", desc)
    assert m, desc
    return int(m.group(1)), int(m.group(2)), "timer:(keepalive" in desc


TUNING = ["--rcvbuf", "40000", "--sndbuf", "50000", "--tcp-keepalive", "1",
          "--tcp-keepalive-idle", "77", "--tcp-keepalive-intvl", "9",
          "--tcp-keepalive-cnt", "3"]


def tune_libzmq(s: zmq.Socket) -> None:
    s.setsockopt(zmq.RCVBUF, 40000)
    s.setsockopt(zmq.SNDBUF, 50000)
    s.setsockopt(zmq.TCP_KEEPALIVE, 1)
    s.setsockopt(zmq.TCP_KEEPALIVE_IDLE, 77)
    s.setsockopt(zmq.TCP_KEEPALIVE_INTVL, 9)
    s.setsockopt(zmq.TCP_KEEPALIVE_CNT, 3)


@needs_ss
def test_bind_side_connections_are_tuned_like_libzmq(ferromq_peer, zsocket):
    peer = ferromq_peer("pull", "--bind", "tcp://127.0.0.1:*", *TUNING)
    port = int(peer.expect_endpoint().rsplit(":", 1)[1])
    push = zsocket(zmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    push.send(b"x")
    assert peer.readline() == describe_message(0, [b"x"])
    ours = [d for (local, _), d in ss_sockets(port).items() if local == port]
    assert len(ours) == 1, ours

    ref = zsocket(zmq.PULL)
    tune_libzmq(ref)
    ref_port = ref.bind_to_random_port("tcp://127.0.0.1")
    ref_push = zsocket(zmq.PUSH)
    ref_push.connect(f"tcp://127.0.0.1:{ref_port}")
    ref_push.send(b"x")
    assert ref.recv() == b"x"
    theirs = [d for (local, _), d in ss_sockets(ref_port).items() if local == ref_port]
    assert len(theirs) == 1, theirs

    assert kernel_state(ours[0]) == kernel_state(theirs[0])
    assert kernel_state(ours[0])[2], "no keepalive timer"


@needs_ss
def test_connect_side_connections_are_tuned_like_libzmq(ferromq_peer, zsocket):
    push = zsocket(zmq.PUSH)
    port = push.bind_to_random_port("tcp://127.0.0.1")
    peer = ferromq_peer("pull", "--connect", f"tcp://127.0.0.1:{port}", *TUNING)
    push.send(b"x")
    assert peer.readline() == describe_message(0, [b"x"])
    ours = [d for (_, remote), d in ss_sockets(port).items() if remote == port]
    assert len(ours) == 1, ours

    ref_pull = zsocket(zmq.PULL)
    ref_port = ref_pull.bind_to_random_port("tcp://127.0.0.1")
    ref = zsocket(zmq.PUSH)
    tune_libzmq(ref)
    ref.connect(f"tcp://127.0.0.1:{ref_port}")
    ref.send(b"x")
    assert ref_pull.recv() == b"x"
    theirs = [d for (_, remote), d in ss_sockets(ref_port).items() if remote == ref_port]
    assert len(theirs) == 1, theirs
    assert kernel_state(ours[0]) == kernel_state(theirs[0])
    assert kernel_state(ours[0])[2], "no keepalive timer"


@needs_ss
def test_default_connections_have_no_keepalive(ferromq_peer, zsocket):
    """Control: without the options the keepalive timer is off and the buffers differ."""
    peer = ferromq_peer("pull", "--bind", "tcp://127.0.0.1:*")
    port = int(peer.expect_endpoint().rsplit(":", 1)[1])
    push = zsocket(zmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    push.send(b"x")
    assert peer.readline() == describe_message(0, [b"x"])
    ours = [d for (local, _), d in ss_sockets(port).items() if local == port]
    assert len(ours) == 1, ours
    rcv, snd, keepalive = kernel_state(ours[0])
    assert not keepalive
    assert (rcv, snd) != (80000, 100000)
