"""The examples in examples/python run (bounded by their arguments)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"

CASES = {
    "hello_world.py": (["--endpoint", "ipc://@ferromq-py-hello", "--count", "5"], "World (re: Hello 4)"),
    "weather.py": (["--endpoint", "tcp://127.0.0.1:0", "--count", "3"], None),
    "pipeline.py": (["--tasks", "50", "--workers", "3", "--transport", "tcp"], "sum of squares below 50: 40425"),
    "asyncio_pingpong.py": (["--clients", "3", "--count", "5"], "15 round trips"),
    "tornado_echo.py": (["--count", "5"], "5 echoes, last 'ping 4'"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_example(name: str) -> None:
    args, expect = CASES[name]
    if name == "weather.py":
        args = ["--endpoint", "inproc://weather", "--count", "3"]
        expect = "Average temperature for zipcode 10001"
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True, timeout=25, check=True
    ).stdout
    assert expect in out
