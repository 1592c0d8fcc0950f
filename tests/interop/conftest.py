"""Fixtures for the interop (ferromq <-> pyzmq/libzmq) and hostile-peer tests.

The ferromq side is the ``ferromq-peer`` binary (crate tests/peer), found through
$FERROMQ_PEER or at target/release/ferromq-peer; ``bash tests/run_all.sh`` builds it. Tests
that need a ferromq ZAP handler use the ferromq Python module in the same process as
pyzmq (fixtures ``fzmq``, ``fctx``, ``fsocket``); run_all.sh installs it before them.
Every wait is bounded: stdout is read with timeouts, pyzmq sockets get RCVTIMEO/SNDTIMEO,
every test has a pytest-timeout, and every started process is killed at teardown.
"""

from __future__ import annotations

import pytest
import zmq

from peerlib import PeerProcess, peer_binary

# Per-test ceiling (pytest-timeout), so that no test can hang the suite.
TEST_TIMEOUT_S = 120
# RCVTIMEO/SNDTIMEO on every pyzmq socket, in milliseconds.
ZMQ_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT_S))


@pytest.fixture(scope="session")
def peer_bin():
    path = peer_binary()
    if not path.is_file():
        pytest.fail(
            f"ferromq-peer not found at {path}: run `cargo build --release -p ferromq-test-peer` "
            "or set FERROMQ_PEER"
        )
    return path


@pytest.fixture
def ferromq_peer(peer_bin):
    """Factory: ``ferromq_peer("pull", "--bind", "tcp://127.0.0.1:*")`` starts a peer;
    ``stdin=True`` gives it a command pipe (``proc.send_line``, ``proc.close_stdin``).

    Every process started through it is killed when the test ends, whatever happened.
    """
    started: list[PeerProcess] = []

    def start(*args: str, stdin: bool = False) -> PeerProcess:
        proc = PeerProcess(peer_bin, [str(a) for a in args], stdin=stdin)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()


@pytest.fixture
def zctx():
    """A pyzmq context; sockets made with ``zsocket`` are closed with LINGER 0 at the end."""
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def zsocket(zctx):
    """Factory for pyzmq sockets with bounded timeouts: ``zsocket(zmq.PULL)``."""

    def make(kind: int, linger: int = 0) -> zmq.Socket:
        s = zctx.socket(kind)
        s.setsockopt(zmq.RCVTIMEO, ZMQ_TIMEOUT_MS)
        s.setsockopt(zmq.SNDTIMEO, ZMQ_TIMEOUT_MS)
        s.setsockopt(zmq.LINGER, linger)
        return s

    return make


@pytest.fixture
def transport():
    """The transport of a test that is not parametrized by it; tests parametrized with
    ``@pytest.mark.parametrize("transport", peerlib.TRANSPORTS)`` override it."""
    return "tcp"


@pytest.fixture
def bind_ep(transport, tmp_path_factory):
    """Factory: a fresh endpoint to bind over ``transport``. tcp: an ephemeral loopback
    port; ipc: a socket file in a new pytest temp directory (short enough for sun_path)."""

    def make() -> str:
        if transport == "tcp":
            return "tcp://127.0.0.1:*"
        path = f"{tmp_path_factory.mktemp('ipc')}/s"
        assert len(path) < 108, f"ipc path too long for sun_path: {path}"
        return f"ipc://{path}"

    return make


@pytest.fixture
def fzmq():
    """The ferromq Python module (bindings-python), used in the same process as pyzmq:
    ``bash tests/run_all.sh`` installs it into the venv before these tests."""
    try:
        import ferromq
    except ImportError:
        pytest.fail("the ferromq Python module is not installed: pip install ./bindings-python")
    return ferromq


@pytest.fixture
def fctx(fzmq):
    """A ferromq context; sockets made with ``fsocket`` are closed with LINGER 0 at the end."""
    ctx = fzmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def fsocket(fzmq, fctx):
    """Factory for ferromq sockets with bounded timeouts: ``fsocket(zmq.REP)``."""

    def make(kind: int, linger: int = 0):
        s = fctx.socket(kind)
        s.rcvtimeo = s.sndtimeo = ZMQ_TIMEOUT_MS
        s.linger = linger
        return s

    return make
