"""ZMTP heartbeats between ferromq (ferromq-peer) and raw sockets or libzmq (pyzmq).

* A raw peer that completes the handshake and then falls silent is dropped by ferromq
  within HEARTBEAT_TIMEOUT, and it sees ferromq's PINGs carrying HEARTBEAT_TTL.
* A libzmq peer with heartbeats stays connected to ferromq through long idle periods
  (no DISCONNECTED event on libzmq's monitor): ferromq's PONGs (and PINGs) satisfy it.
* Freezing the link (a proxy in between stops forwarding) makes ferromq drop the
  connection after the TTL libzmq announced, and makes libzmq drop it after the TTL
  ferromq announced.
"""

from __future__ import annotations

import select
import socket
import threading
import time

import zmq

from peerlib import describe_message, handshake_as, read_frame

PING_IVL_MS = 100
TIMEOUT_MS = 300
TTL_MS = 500


class FreezableProxy:
    """Forwards one TCP connection between a client and ``target``; once frozen it reads
    and discards from both sides (so each side hears nothing) and records when each side
    closes its end."""

    def __init__(self, target: str):
        host, port = target[len("tcp://") :].rsplit(":", 1)
        assert host == "127.0.0.1", host
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.endpoint = f"tcp://127.0.0.1:{self.listener.getsockname()[1]}"
        self.frozen_at: float | None = None
        self.closed_at: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def freeze(self) -> None:
        self.frozen_at = time.monotonic()

    def wait_closed(self, side: str, timeout: float) -> float | None:
        """Seconds from the freeze until ``side`` ("client" or "server") closed, or None
        if it is still open ``timeout`` seconds after the freeze."""
        assert self.frozen_at is not None
        deadline = self.frozen_at + timeout
        while time.monotonic() < deadline:
            if side in self.closed_at:
                return self.closed_at[side] - self.frozen_at
            time.sleep(0.005)
        return None

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()

    def _run(self) -> None:
        self.listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
                break
            except socket.timeout:
                continue
        else:
            return
        server = socket.create_connection(self.target, timeout=5)
        names = {client: "client", server: "server"}
        other = {client: server, server: client}
        open_socks = [client, server]
        while open_socks and not self._stop.is_set():
            readable, _, _ = select.select(open_socks, [], [], 0.05)
            for s in readable:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self.closed_at.setdefault(names[s], time.monotonic())
                    open_socks.remove(s)
                    continue
                if self.frozen_at is None:
                    try:
                        other[s].sendall(data)
                    except OSError:
                        pass
        client.close()
        server.close()


def parse_ping(body: bytes) -> tuple[int, bytes]:
    assert body.startswith(b"\x04PING") and len(body) >= 7, body
    return int.from_bytes(body[5:7], "big"), body[7:]


def test_frozen_raw_peer_is_dropped_within_heartbeat_timeout(ferromq_peer, zsocket):
    peer = ferromq_peer(
        "pull", "--bind", "tcp://127.0.0.1:*",
        "--heartbeat-ivl", str(PING_IVL_MS),
        "--heartbeat-timeout", str(TIMEOUT_MS),
        "--heartbeat-ttl", "1550",
    )
    endpoint = peer.expect_endpoint()
    good = zsocket(zmq.PUSH)
    good.connect(endpoint)

    s = handshake_as(endpoint, b"PUSH")
    start = time.monotonic()
    flags, body = read_frame(s)
    assert flags == 0x04, flags
    ttl, context = parse_ping(body)
    assert (ttl, context) == (15, b""), "HEARTBEAT_TTL 1550 ms travels as 15 deciseconds"
    first_ping = time.monotonic() - start
    assert first_ping >= 0.08, f"first PING after {first_ping:.3f} s"

    # Frozen: from now on the raw peer sends nothing (what it receives is discarded).
    s.settimeout(5.0)
    pings = 0
    while True:
        try:
            data = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            data = b""
        if not data:
            break
        pings += data.count(b"\x04PING")
    dropped = time.monotonic() - start
    s.close()
    assert first_ping + 0.25 <= dropped <= first_ping + TIMEOUT_MS / 1000 + 2.0, dropped
    assert pings >= 1, "no PING between the first one and the drop"

    # The ferromq process and its other peers are fine.
    good.send(b"after")
    assert peer.readline(timeout=10) == describe_message(0, [b"after"])
    peer.assert_alive()


def monitor_events(mon: zmq.Socket, seconds: float) -> list[int]:
    """Events seen on a libzmq monitor socket within ``seconds``."""
    events = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if mon.poll(int(left * 1000) + 1):
            frames = mon.recv_multipart()
            events.append(int.from_bytes(frames[0][:2], "little"))
    return events


def test_libzmq_heartbeats_keep_the_connection_up(ferromq_peer, zsocket):
    """libzmq pings every 50 ms and gives up 150 ms after an unanswered PING; the ferromq
    side sends no heartbeats of its own and no messages, so only its PONGs keep the
    connection alive over 1.5 s of idling."""
    peer = ferromq_peer("pull", "--bind", "tcp://127.0.0.1:*")
    endpoint = peer.expect_endpoint()
    push = zsocket(zmq.PUSH)
    push.setsockopt(zmq.HEARTBEAT_IVL, 50)
    push.setsockopt(zmq.HEARTBEAT_TIMEOUT, 150)
    push.setsockopt(zmq.HEARTBEAT_TTL, 1000)
    mon = push.get_monitor_socket(zmq.EVENT_CONNECTED | zmq.EVENT_DISCONNECTED)
    try:
        push.connect(endpoint)
        push.send(b"first")
        assert peer.readline(timeout=10) == describe_message(0, [b"first"])
        events = monitor_events(mon, 1.5)
        assert zmq.EVENT_DISCONNECTED not in events, events
        push.send(b"second")
        assert peer.readline(timeout=10) == describe_message(1, [b"second"])
    finally:
        push.disable_monitor()
        mon.close(linger=0)


def test_libzmq_and_ferromq_both_heartbeating(ferromq_peer, zsocket):
    peer = ferromq_peer(
        "pull", "--bind", "tcp://127.0.0.1:*",
        "--heartbeat-ivl", "40", "--heartbeat-timeout", "150", "--heartbeat-ttl", "500",
    )
    endpoint = peer.expect_endpoint()
    push = zsocket(zmq.PUSH)
    push.setsockopt(zmq.HEARTBEAT_IVL, 60)
    push.setsockopt(zmq.HEARTBEAT_TIMEOUT, 150)
    push.setsockopt(zmq.HEARTBEAT_TTL, 500)
    mon = push.get_monitor_socket(zmq.EVENT_CONNECTED | zmq.EVENT_DISCONNECTED)
    try:
        push.connect(endpoint)
        for i in range(3):
            push.send(b"m%d" % i)
            assert peer.readline(timeout=10) == describe_message(i, [b"m%d" % i])
            events = monitor_events(mon, 0.5)
            assert zmq.EVENT_DISCONNECTED not in events, events
    finally:
        push.disable_monitor()
        mon.close(linger=0)


def test_ferromq_honours_libzmq_ttl_when_the_link_freezes(ferromq_peer, zsocket):
    """libzmq announces TTL 500 ms in its PINGs; ferromq has no heartbeats of its own.
    When the link freezes, ferromq drops the connection about 500 ms after the last PING
    it got."""
    peer = ferromq_peer("pull", "--bind", "tcp://127.0.0.1:*")
    endpoint = peer.expect_endpoint()
    proxy = FreezableProxy(endpoint)
    try:
        push = zsocket(zmq.PUSH)
        push.setsockopt(zmq.HEARTBEAT_IVL, PING_IVL_MS)
        push.setsockopt(zmq.HEARTBEAT_TTL, TTL_MS)
        push.setsockopt(zmq.HEARTBEAT_TIMEOUT, 60_000)
        push.connect(proxy.endpoint)
        push.send(b"through the proxy")
        assert peer.readline(timeout=10) == describe_message(0, [b"through the proxy"])
        # Let a few PINGs (with the TTL) pass, then freeze.
        time.sleep(3 * PING_IVL_MS / 1000)
        proxy.freeze()
        took = proxy.wait_closed("server", 5.0)
        assert took is not None, "ferromq kept a silent connection past libzmq's TTL"
        ttl = TTL_MS / 1000
        assert ttl - PING_IVL_MS / 1000 - 0.05 <= took <= ttl + 2.0, took
        peer.assert_alive()
    finally:
        proxy.close()


def test_libzmq_honours_ferromq_ttl_when_the_link_freezes(ferromq_peer, zsocket):
    """The reverse: ferromq (connect side) announces TTL 500 ms; libzmq has no heartbeats
    of its own, and drops the frozen link about 500 ms after ferromq's last PING."""
    push = zsocket(zmq.PUSH)
    port = push.bind_to_random_port("tcp://127.0.0.1")
    proxy = FreezableProxy(f"tcp://127.0.0.1:{port}")
    try:
        peer = ferromq_peer(
            "pull", "--connect", proxy.endpoint,
            "--heartbeat-ivl", str(PING_IVL_MS),
            "--heartbeat-ttl", str(TTL_MS),
            "--heartbeat-timeout", "60000",
        )
        push.send(b"to ferromq")
        assert peer.readline(timeout=10) == describe_message(0, [b"to ferromq"])
        time.sleep(3 * PING_IVL_MS / 1000)
        proxy.freeze()
        took = proxy.wait_closed("server", 5.0)
        assert took is not None, "libzmq kept a silent connection past ferromq's TTL"
        ttl = TTL_MS / 1000
        assert ttl - PING_IVL_MS / 1000 - 0.05 <= took <= ttl + 2.0, took
        peer.assert_alive()
    finally:
        proxy.close()


def test_zero_heartbeat_timeout_never_drops(ferromq_peer):
    """With HEARTBEAT_TIMEOUT 0 ferromq keeps pinging a silent peer but never drops it,
    as libzmq arms no timeout then."""
    peer = ferromq_peer(
        "pull", "--bind", "tcp://127.0.0.1:*",
        "--heartbeat-ivl", str(PING_IVL_MS), "--heartbeat-timeout", "0",
    )
    endpoint = peer.expect_endpoint()
    s = handshake_as(endpoint, b"PUSH")
    s.settimeout(0.1)
    deadline = time.monotonic() + 1.0
    pings = 0
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], 0.05)
        if r:
            data = s.recv(65536)
            assert data, "ferromq closed the connection although HEARTBEAT_TIMEOUT is 0"
            pings += data.count(b"\x04PING")
    assert pings >= 5, pings
    s.close()
