"""Helpers shared by the interop and hostile-peer tests.

* ``PeerProcess`` runs the ``ferromq-peer`` binary (tests/peer) and reads its stdout line by
  line with a timeout (a reader thread feeds a queue, so no read can block forever).
* ``frame_bytes`` / ``describe_frame`` / ``describe_message`` rebuild exactly what
  ``ferromq-peer push`` sends and what ``ferromq-peer pull`` prints for a message.
* ZMTP byte strings (greeting, READY, frame headers) for the raw-socket attackers.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import threading
import time
import zlib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# The transports the interop suites run their representative tests over (see the
# ``transport`` and ``bind_ep`` fixtures in conftest.py).
TRANSPORTS = ["tcp", "ipc"]
# What a test binds when it runs over TCP only: an ephemeral loopback port.
TCP_ANY = "tcp://127.0.0.1:*"

# ---------------------------------------------------------------------------------------
# The ferromq-peer subprocess
# ---------------------------------------------------------------------------------------


def peer_binary() -> Path:
    """Where the ferromq-peer binary is: $FERROMQ_PEER, else target/release/ferromq-peer."""
    env = os.environ.get("FERROMQ_PEER")
    path = Path(env) if env else REPO_ROOT / "target" / "release" / "ferromq-peer"
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


class PeerProcess:
    """A running ``ferromq-peer`` whose stdout is read line by line, always with a timeout."""

    def __init__(self, binary: Path, args: list[str], stdin: bool = False):
        """``stdin=True`` gives the process a pipe for commands (``send_line``)."""
        self.args = [str(binary), *args]
        self.proc = subprocess.Popen(
            self.args,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.pid = self.proc.pid
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: list[str] = []
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()

    def _pump_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)  # end of stream

    def _pump_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line.rstrip("\n"))

    @property
    def stderr(self) -> str:
        return "\n".join(self._stderr)

    def _describe(self) -> str:
        return f"{' '.join(self.args)} (exit {self.proc.poll()}), stderr:\n{self.stderr}"

    def readline(self, timeout: float = 10.0) -> str:
        """Next stdout line; fails the test on timeout or end of output."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no output from ferromq-peer within {timeout} s: {self._describe()}"
            ) from None
        if line is None:
            self._lines.put(None)  # keep reporting end of stream
            raise AssertionError(f"ferromq-peer output ended early: {self._describe()}")
        return line

    def no_line_within(self, timeout: float) -> str | None:
        """Returns a line if one arrives within ``timeout`` seconds, else None."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            self._lines.put(None)
            return "<end of output>"
        return line

    def expect_endpoint(self, timeout: float = 10.0) -> str:
        line = self.readline(timeout)
        assert line.startswith("ENDPOINT "), f"expected ENDPOINT, got {line!r}"
        endpoint = line.split(" ", 1)[1]
        assert endpoint.startswith(("tcp://127.0.0.1:", "tcp://[::1]:", "ipc://")), endpoint
        return endpoint

    def wait(self, timeout: float = 30.0) -> int:
        """Waits for the process to exit (bounded) and returns its exit status."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"ferromq-peer did not exit within {timeout} s: {self._describe()}"
            ) from None

    def send_line(self, line: str) -> None:
        """Writes one command line to the process's stdin (started with ``stdin=True``)."""
        assert self.proc.stdin is not None, "peer started without stdin=True"
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close_stdin(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass

    def cpu_seconds(self) -> float:
        """utime + stime of the process so far, from /proc/<pid>/stat."""
        with open(f"/proc/{self.pid}/stat") as f:
            stat = f.read()
        # The command name (field 2) may contain spaces: split after its closing paren.
        fields = stat[stat.rindex(")") + 2 :].split()
        utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of stat
        return (utime + stime) / os.sysconf("SC_CLK_TCK")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def assert_alive(self) -> None:
        assert self.alive(), f"ferromq-peer died: {self._describe()}"

    def rss_kib(self) -> int:
        """Resident set size (VmRSS) in KiB, from /proc/<pid>/status."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS in /proc status")

    def kill(self) -> None:
        self.close_stdin()
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


# ---------------------------------------------------------------------------------------
# Message content, as produced by `ferromq-peer push` and printed by `ferromq-peer pull`
# ---------------------------------------------------------------------------------------

_CYCLE = bytes(range(251))


def frame_bytes(m: int, f: int, size: int) -> bytes:
    """Frame ``f`` of message ``m``: byte ``i`` is ``(m + f + i) % 251``."""
    start = (m + f) % 251
    rotated = _CYCLE[start:] + _CYCLE[:start]
    return (rotated * (size // 251 + 1))[:size]


def message_frames(m: int, parts: int, sizes: list[int]) -> list[bytes]:
    """All frames of message ``m`` (frame f has size sizes[(m * parts + f) % len(sizes)])."""
    return [frame_bytes(m, f, sizes[(m * parts + f) % len(sizes)]) for f in range(parts)]


def describe_frame(data: bytes) -> str:
    if len(data) <= 32:
        return f"{len(data)}:{data.hex()}"
    return f"{len(data)}:crc={zlib.crc32(data):08x}"


def describe_message(index: int, frames: list[bytes]) -> str:
    """The exact ``MSG`` line ferromq-peer pull prints for a message."""
    return " ".join(["MSG", str(index), str(len(frames)), *map(describe_frame, frames)])


def strip_index(line: str) -> str:
    """``MSG 7 1 3:616263`` -> ``1 3:616263`` (to compare content regardless of position)."""
    parts = line.split(" ", 2)
    assert parts[0] == "MSG", f"expected a MSG line, got {line!r}"
    return parts[2]


def pub_frames(topic: bytes, seq: int, parts: int = 1, sizes: list[int] | None = None) -> list[bytes]:
    """The frames ``ferromq-peer pub`` sends for ``topic`` in round ``seq``.

    ``payload(r, f, n)``: n bytes, byte i = ``b'a' + (r + f + i) % 26``; size(f) =
    ``sizes[f % len(sizes)]``. One part: ``topic|seq|payload(seq, 0, size(0))``; K parts:
    ``topic``, then ``seq|f|payload(seq, f, size(f))`` for f = 1..K-1.
    """
    sizes = sizes or [16]

    def payload(f: int) -> bytes:
        n = sizes[f % len(sizes)]
        start = (seq + f) % 26
        return bytes(97 + (start + i) % 26 for i in range(n))

    if parts == 1:
        return [topic + f"|{seq}|".encode() + payload(0)]
    return [topic] + [f"{seq}|{f}|".encode() + payload(f) for f in range(1, parts)]


def parse_pub_message(frames: list[bytes], parts: int = 1) -> tuple[bytes, int]:
    """(topic, seq) of a message sent by ``ferromq-peer pub`` (content checked by caller)."""
    if parts == 1:
        assert len(frames) == 1, frames
        topic, seq, _ = frames[0].rsplit(b"|", 2)
        return topic, int(seq)
    assert len(frames) == parts, f"expected {parts} frames, got {len(frames)}"
    return frames[0], int(frames[1].split(b"|", 1)[0])


# ---------------------------------------------------------------------------------------
# ZMTP bytes for raw-socket peers
# ---------------------------------------------------------------------------------------

GREETING = b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x01" + b"NULL" + b"\x00" * 16 + b"\x00" + b"\x00" * 31
assert len(GREETING) == 64


def greeting(minor: int = 1, as_server: bool = False) -> bytes:
    """A NULL-mechanism greeting for ZMTP 3.``minor``."""
    g = (
        b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, minor]) + b"NULL" + b"\x00" * 16
        + (b"\x01" if as_server else b"\x00") + b"\x00" * 31
    )
    assert len(g) == 64
    return g


def command_frame(body: bytes) -> bytes:
    """A ZMTP command frame (short form when the body is <= 255 bytes)."""
    if len(body) <= 255:
        return bytes([0x04, len(body)]) + body
    return b"\x06" + len(body).to_bytes(8, "big") + body


def subscribe_command(topic: bytes) -> bytes:
    """ZMTP 3.1 SUBSCRIBE command frame."""
    return command_frame(b"\x09SUBSCRIBE" + topic)


def cancel_command(topic: bytes) -> bytes:
    """ZMTP 3.1 CANCEL command frame."""
    return command_frame(b"\x06CANCEL" + topic)


def ready_command(socket_type: bytes) -> bytes:
    body = b"\x05READY" + b"\x0bSocket-Type" + len(socket_type).to_bytes(4, "big") + socket_type
    return b"\x04" + bytes([len(body)]) + body


def message_frame(body: bytes, more: bool = False) -> bytes:
    """A ZMTP data frame, short form when <= 255 bytes, like libzmq's encoder."""
    flags = 0x01 if more else 0x00
    if len(body) <= 255:
        return bytes([flags, len(body)]) + body
    return bytes([flags | 0x02]) + len(body).to_bytes(8, "big") + body


def raw_connect(endpoint: str, timeout: float = 5.0) -> socket.socket:
    """A plain TCP connection to a ``tcp://host:port`` endpoint (loopback only)."""
    assert endpoint.startswith("tcp://")
    host, port = endpoint[len("tcp://") :].rsplit(":", 1)
    host = host.strip("[]")
    assert host in ("127.0.0.1", "::1"), host
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, int(port)))
    return s


def wait_closed(s: socket.socket, timeout: float) -> float | None:
    """Reads and discards until the peer closes the connection.

    Returns the seconds it took (EOF or reset), or None if still open after ``timeout``.
    """
    start = time.monotonic()
    deadline = start + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        s.settimeout(left)
        try:
            data = s.recv(65536)
        except socket.timeout:
            return None
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
        if not data:
            return time.monotonic() - start


def send_ignoring_reset(s: socket.socket, data: bytes) -> None:
    """Sends ``data``; the peer may already have closed, which is fine for an attacker."""
    try:
        s.sendall(data)
    except (ConnectionResetError, BrokenPipeError):
        pass


def read_exactly(s: socket.socket, n: int, timeout: float = 5.0) -> bytes:
    """Reads exactly n bytes (or fails the test)."""
    s.settimeout(timeout)
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        assert chunk, f"connection closed after {len(buf)} of {n} bytes"
        buf += chunk
    return buf


def read_frame(s: socket.socket, timeout: float = 5.0) -> tuple[int, bytes]:
    """Reads one ZMTP frame; returns (flags, body)."""
    flags = read_exactly(s, 1, timeout)[0]
    if flags & 0x02:
        size = int.from_bytes(read_exactly(s, 8, timeout), "big")
    else:
        size = read_exactly(s, 1, timeout)[0]
    assert size < 1 << 20, f"unexpectedly large frame from ferromq: {size}"
    return flags, read_exactly(s, size, timeout)


def handshake_as(endpoint: str, socket_type: bytes, peer_type: bytes = b"PULL") -> socket.socket:
    """Connects, does the NULL handshake as ``socket_type`` and checks ferromq's side of it:
    a ZMTP 3.x NULL greeting, then READY with ``Socket-Type`` = ``peer_type``."""
    s = raw_connect(endpoint)
    s.sendall(GREETING + ready_command(socket_type))
    greeting = read_exactly(s, 64)
    assert greeting[0] == 0xFF and greeting[9] & 1 == 1, greeting[:10].hex()
    assert greeting[10] == 3, f"major version {greeting[10]}"
    assert greeting[12:32] == b"NULL" + b"\x00" * 16, greeting[12:32]
    flags, body = read_frame(s)
    assert flags & 0x04, f"expected a command frame, got flags {flags:#x}"
    assert body.startswith(b"\x05READY"), body
    prop = b"\x0bSocket-Type" + len(peer_type).to_bytes(4, "big") + peer_type
    assert prop in body, f"READY without Socket-Type {peer_type!r}: {body!r}"
    return s
