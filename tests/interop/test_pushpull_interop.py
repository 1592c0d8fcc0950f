"""PUSH/PULL between ferromq (the ferromq-peer binary) and libzmq (pyzmq), over TCP loopback
and ipc (Unix domain sockets).

Both directions (ferromq PUSH -> libzmq PULL, libzmq PUSH -> ferromq PULL), with ferromq
binding or connecting, for single-part, multipart and empty frames and for sizes around
the short/long frame boundary (255 / 256 bytes) up to 1 MiB. Content and order are checked
exactly: frame f of message m is ``frame_bytes(m, f, size)`` on both sides.
"""

from __future__ import annotations

import os
import socket

import pytest
import zmq

from peerlib import TRANSPORTS, describe_message, frame_bytes, message_frames

# name -> (count, parts, sizes); frame f of message m has size sizes[(m * parts + f) % len(sizes)]
CASES = {
    "single": (50, 1, [11]),
    "multipart3": (20, 3, [1, 7, 40]),
    "empty": (10, 1, [0]),
    "empty-in-multipart": (10, 3, [0, 5, 0]),
    "boundary-255-256-1MiB": (6, 1, [255, 256, 1 << 20]),
    "boundary-multipart": (3, 3, [255, 256, 1 << 20]),
}

FERROMQ_SIDES = ["ferromq-binds", "ferromq-connects"]
TIMEOUT_MS = "20000"  # ferromq-peer gives up (exit 3) when one send/recv blocks this long


def size_args(parts: int, sizes: list[int]) -> list[str]:
    return ["--parts", str(parts), "--sizes", ",".join(map(str, sizes))]


def last_endpoint(sock: zmq.Socket) -> str:
    return sock.getsockopt(zmq.LAST_ENDPOINT).decode()


def recv_or_fail(sock: zmq.Socket, peer, what: str) -> list[bytes]:
    try:
        return sock.recv_multipart()
    except zmq.Again:
        pytest.fail(f"pyzmq timed out waiting for {what}; ferromq-peer stderr:\n{peer.stderr}")


def check_frames(got: list[bytes], want: list[bytes], m: int) -> None:
    """Exact comparison without pytest diffing megabytes of bytes on failure."""
    if got != want:
        got_desc = describe_message(m, got)
        want_desc = describe_message(m, want)
        pytest.fail(f"message {m} differs:\n got  {got_desc[:300]}\n want {want_desc[:300]}")


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_ferromq_push_to_libzmq_pull(case, side, ferromq_peer, zsocket, bind_ep):
    count, parts, sizes = CASES[case]
    pull = zsocket(zmq.PULL)
    common = ["--count", str(count), *size_args(parts, sizes), "--timeout-ms", TIMEOUT_MS]
    if side == "ferromq-binds":
        peer = ferromq_peer("push", "--bind", bind_ep(), *common)
        pull.connect(peer.expect_endpoint())
    else:
        pull.bind(bind_ep())
        peer = ferromq_peer("push", "--connect", last_endpoint(pull), *common)

    for m in range(count):
        got = recv_or_fail(pull, peer, f"message {m} of {count}")
        check_frames(got, message_frames(m, parts, sizes), m)
    assert peer.readline(timeout=20) == f"DONE {count}"
    assert peer.wait(timeout=20) == 0, peer.stderr
    assert pull.poll(200) == 0, "libzmq received more messages than ferromq sent"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_libzmq_push_to_ferromq_pull(case, side, ferromq_peer, zsocket, bind_ep):
    count, parts, sizes = CASES[case]
    push = zsocket(zmq.PUSH, linger=5000)
    common = ["--count", str(count), "--timeout-ms", TIMEOUT_MS]
    if side == "ferromq-binds":
        peer = ferromq_peer("pull", "--bind", bind_ep(), *common)
        push.connect(peer.expect_endpoint())
    else:
        push.bind(bind_ep())
        peer = ferromq_peer("pull", "--connect", last_endpoint(push), *common)

    messages = [message_frames(m, parts, sizes) for m in range(count)]
    for frames in messages:
        push.send_multipart(frames)  # SNDTIMEO bounds the wait for ferromq to connect
    for m, frames in enumerate(messages):
        assert peer.readline(timeout=20) == describe_message(m, frames)
    assert peer.readline(timeout=20) == f"DONE {count}"
    assert peer.wait(timeout=20) == 0, peer.stderr


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_many_small_messages_ferromq_to_libzmq(side, transport, ferromq_peer, zsocket, bind_ep):
    """Enough traffic to go through HWM back-pressure and batched writes several times."""
    count = 20_000
    pull = zsocket(zmq.PULL)
    if transport == "ipc":
        # libzmq 4.3.5 drops what is still in the kernel when an ipc peer hangs up while
        # its own RCVHWM pipe is full (EPOLLHUP with input stopped ends the connection;
        # checked with a raw Unix socket sender: over tcp all 20000 arrive, over ipc about
        # 1600). ferromq-peer exits as soon as it has written everything, so the libzmq
        # side must never stop reading here; ferromq's own SNDHWM still applies.
        pull.setsockopt(zmq.RCVHWM, 0)
    common = ["--count", str(count), "--size", "8", "--timeout-ms", TIMEOUT_MS]
    if side == "ferromq-binds":
        peer = ferromq_peer("push", "--bind", bind_ep(), *common)
        pull.connect(peer.expect_endpoint())
    else:
        pull.bind(bind_ep())
        peer = ferromq_peer("push", "--connect", last_endpoint(pull), *common)
    for m in range(count):
        got = recv_or_fail(pull, peer, f"message {m} of {count}")
        check_frames(got, [frame_bytes(m, 0, 8)], m)
    assert peer.readline(timeout=20) == f"DONE {count}"
    assert peer.wait(timeout=20) == 0, peer.stderr


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("side", FERROMQ_SIDES)
def test_many_small_messages_libzmq_to_ferromq(side, ferromq_peer, zsocket, bind_ep):
    count = 20_000
    push = zsocket(zmq.PUSH, linger=5000)
    common = ["--count", str(count), "--timeout-ms", TIMEOUT_MS]
    if side == "ferromq-binds":
        peer = ferromq_peer("pull", "--bind", bind_ep(), *common)
        push.connect(peer.expect_endpoint())
    else:
        push.bind(bind_ep())
        peer = ferromq_peer("pull", "--connect", last_endpoint(push), *common)
    for m in range(count):
        push.send(frame_bytes(m, 0, 8))
    for m in range(count):
        assert peer.readline(timeout=20) == describe_message(m, [frame_bytes(m, 0, 8)])
    assert peer.readline(timeout=20) == f"DONE {count}"
    assert peer.wait(timeout=20) == 0, peer.stderr


def test_fair_queueing_from_several_libzmq_pushers(ferromq_peer, zsocket):
    """Three libzmq PUSH sockets into one ferromq PULL: nothing lost, per-sender order kept."""
    senders, per_sender = 3, 100
    total = senders * per_sender
    peer = ferromq_peer(
        "pull", "--bind", "tcp://127.0.0.1:*", "--count", str(total), "--timeout-ms", TIMEOUT_MS
    )
    endpoint = peer.expect_endpoint()
    pushes = [zsocket(zmq.PUSH, linger=5000) for _ in range(senders)]
    for push in pushes:
        push.connect(endpoint)
    for i in range(per_sender):
        for s, push in enumerate(pushes):
            push.send(f"s{s}-{i:04d}".encode())

    seen: dict[int, list[int]] = {s: [] for s in range(senders)}
    for m in range(total):
        fields = peer.readline(timeout=20).split(" ")
        assert fields[:3] == ["MSG", str(m), "1"], fields
        size, hexdata = fields[3].split(":")
        body = bytes.fromhex(hexdata).decode()
        s, i = body[1:].split("-")
        seen[int(s)].append(int(i))
    assert peer.readline(timeout=20) == f"DONE {total}"
    for s in range(senders):
        assert seen[s] == list(range(per_sender)), f"sender {s} out of order or incomplete"


def test_load_balancing_to_several_libzmq_pullers(ferromq_peer, zsocket):
    """ferromq PUSH bound, two libzmq PULLs connected: every message arrives exactly once,
    each puller sees its share in send order."""
    count = 250  # content repeats every 251 messages, so each message stays identifiable
    pulls = [zsocket(zmq.PULL) for _ in range(2)]
    # A small HWM so that a puller that connected a bit later still gets some of the load.
    peer = ferromq_peer(
        "push", "--bind", "tcp://127.0.0.1:*", "--count", str(count), "--size", "4",
        "--sndhwm", "10", "--timeout-ms", TIMEOUT_MS,
    )
    endpoint = peer.expect_endpoint()
    for pull in pulls:
        pull.connect(endpoint)
    poller = zmq.Poller()
    for pull in pulls:
        poller.register(pull, zmq.POLLIN)
    got: list[list[bytes]] = [[], []]
    while sum(map(len, got)) < count:
        ready = dict(poller.poll(10_000))
        assert ready, f"stalled after {sum(map(len, got))} messages; stderr:\n{peer.stderr}"
        for k, pull in enumerate(pulls):
            if pull in ready:
                got[k].append(pull.recv())
    expected = {frame_bytes(m, 0, 4): m for m in range(count)}
    indexes = [[expected[b] for b in g] for g in got]
    assert sorted(indexes[0] + indexes[1]) == list(range(count))
    for idx in indexes:
        assert idx == sorted(idx), "a puller received messages out of order"
    assert peer.readline(timeout=20) == f"DONE {count}"
    assert peer.wait(timeout=20) == 0, peer.stderr


def _ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback_available(), reason="no IPv6 loopback")
def test_ipv6_loopback_both_ways(ferromq_peer, zsocket):
    count = 5
    # ferromq PULL bound on [::1], libzmq PUSH connects.
    peer = ferromq_peer(
        "pull", "--bind", "tcp://[::1]:*", "--ipv6", "--count", str(count),
        "--timeout-ms", TIMEOUT_MS,
    )
    endpoint = peer.expect_endpoint()
    assert endpoint.startswith("tcp://[::1]:"), endpoint
    push = zsocket(zmq.PUSH, linger=5000)
    push.setsockopt(zmq.IPV6, 1)
    push.connect(endpoint)
    for m in range(count):
        push.send(frame_bytes(m, 0, 3))
    for m in range(count):
        assert peer.readline(timeout=20) == describe_message(m, [frame_bytes(m, 0, 3)])
    assert peer.readline(timeout=20) == f"DONE {count}"

    # libzmq PULL bound on [::1], ferromq PUSH connects.
    pull = zsocket(zmq.PULL)
    pull.setsockopt(zmq.IPV6, 1)
    pull.bind("tcp://[::1]:*")
    pusher = ferromq_peer(
        "push", "--connect", last_endpoint(pull), "--ipv6", "--count", str(count),
        "--size", "3", "--timeout-ms", TIMEOUT_MS,
    )
    for m in range(count):
        check_frames(recv_or_fail(pull, pusher, f"message {m}"), [frame_bytes(m, 0, 3)], m)
    assert pusher.wait(timeout=20) == 0, pusher.stderr


def test_ipc_abstract_and_wildcard_endpoints(ferromq_peer, zsocket):
    """``ipc://@name`` (Linux abstract namespace) and ``ipc://*`` in both directions: the
    same names reach each other, and each side's LAST_ENDPOINT for ``*`` can be used by the
    other."""
    count = 3
    name = f"ipc://@ferromq-interop-{os.getpid()}"
    # ferromq binds the abstract name, libzmq connects.
    peer = ferromq_peer("pull", "--bind", name, "--count", str(count), "--timeout-ms", TIMEOUT_MS)
    assert peer.expect_endpoint() == name
    push = zsocket(zmq.PUSH, linger=5000)
    push.connect(name)
    for m in range(count):
        push.send(frame_bytes(m, 0, 5))
    for m in range(count):
        assert peer.readline(timeout=20) == describe_message(m, [frame_bytes(m, 0, 5)])
    assert peer.wait(timeout=20) == 0, peer.stderr

    # libzmq binds an abstract name, ferromq connects.
    pull = zsocket(zmq.PULL)
    pull.bind(name + "-2")
    pusher = ferromq_peer("push", "--connect", name + "-2", "--count", str(count), "--size", "5",
                          "--timeout-ms", TIMEOUT_MS)
    for m in range(count):
        check_frames(recv_or_fail(pull, pusher, f"message {m}"), [frame_bytes(m, 0, 5)], m)
    assert pusher.wait(timeout=20) == 0, pusher.stderr

    # ferromq binds ipc://*, libzmq connects to the file it reports.
    peer = ferromq_peer("pull", "--bind", "ipc://*", "--count", "1", "--timeout-ms", TIMEOUT_MS)
    endpoint = peer.expect_endpoint()
    assert endpoint.startswith("ipc://") and endpoint.endswith("/socket"), endpoint
    push2 = zsocket(zmq.PUSH, linger=5000)
    push2.connect(endpoint)
    push2.send(frame_bytes(0, 0, 5))
    assert peer.readline(timeout=20) == describe_message(0, [frame_bytes(0, 0, 5)])
    assert peer.wait(timeout=20) == 0, peer.stderr

    # libzmq binds ipc://*, ferromq connects to its LAST_ENDPOINT.
    pull2 = zsocket(zmq.PULL)
    pull2.bind("ipc://*")
    pusher = ferromq_peer("push", "--connect", last_endpoint(pull2), "--count", "1", "--size",
                          "5", "--timeout-ms", TIMEOUT_MS)
    check_frames(recv_or_fail(pull2, pusher, "message 0"), [frame_bytes(0, 0, 5)], 0)
    assert pusher.wait(timeout=20) == 0, pusher.stderr
