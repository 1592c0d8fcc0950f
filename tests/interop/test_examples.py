"""The Rust guide examples in examples/rust/guide run end to end over tcp loopback.

Each test starts the programs with explicit loopback endpoints on free ports and bounded
counts, and checks their exit codes and what they print. The binaries come from
`cargo build --release -p ferromq-examples` (directory FERROMQ_EXAMPLES_DIR, default
target/release).
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("FERROMQ_EXAMPLES_DIR", ROOT / "target" / "release"))
TIMEOUT_S = 30


def free_endpoint() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"


def start(name: str, *args: str) -> subprocess.Popen[str]:
    exe = BIN / name
    if not exe.exists():
        pytest.fail(f"{exe} missing: run cargo build --release -p ferromq-examples")
    return subprocess.Popen(
        [str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(p: subprocess.Popen[str]) -> str:
    """Waits (bounded) for a program that must exit by itself, successfully."""
    try:
        out, err = p.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        pytest.fail(f"{p.args} did not finish:\n{out}\n{err}")
    assert p.returncode == 0, f"{p.args} exited {p.returncode}:\n{out}\n{err}"
    return out


def stop(p: subprocess.Popen[str]) -> None:
    p.kill()
    p.communicate()


def test_hello_world_request_reply():
    ep = free_endpoint()
    server = start("hwserver", ep, "5")
    client = finish(start("hwclient", ep, "5"))
    assert client.count("Received World") == 5
    assert finish(server).count("Received Hello") == 5


def test_weather_updates_are_filtered_by_zipcode():
    ep = free_endpoint()
    server = start("wuserver", ep)
    try:
        out = finish(start("wuclient", ep, "10001", "5"))
    finally:
        stop(server)
    assert "Average temperature for zipcode '10001' was" in out


def test_task_pipeline_collects_every_result():
    vent, sink_ep = free_endpoint(), free_endpoint()
    sink = start("tasksink", sink_ep)
    workers = [start("taskwork", vent, sink_ep, "2000") for _ in range(2)]
    assert "Total expected cost" in finish(start("taskvent", vent, sink_ep, "20"))
    assert "Collected 20 results" in finish(sink)
    for w in workers:
        finish(w)  # each exits after 2 s without tasks


def test_broker_forwards_requests_and_replies():
    frontend, backend = free_endpoint(), free_endpoint()
    broker = start("rrbroker", frontend, backend)
    try:
        worker = start("rrworker", backend, "6")
        clients = [start("rrclient", frontend, "3") for _ in range(2)]
        for c in clients:
            assert finish(c).count("[World]") == 3
        assert finish(worker).count("Received request: Hello") == 6
    finally:
        stop(broker)


def test_lazy_pirate_client_retries_lost_replies():
    ep = free_endpoint()
    server = start("lpserver", ep, "3", "8")
    out = finish(start("lpclient", ep, "5", "3", "300"))
    stop(server)
    assert out.count("server replied OK") == 5
    assert "retrying" in out


def test_lazy_pirate_client_gives_up_without_a_server():
    p = start("lpclient", free_endpoint(), "1", "1", "100")
    try:
        out, _ = p.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        p.kill()
        pytest.fail("lpclient did not give up")
    assert p.returncode == 1
    assert "abandoning" in out
