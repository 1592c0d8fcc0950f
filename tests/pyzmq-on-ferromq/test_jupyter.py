"""Jupyter on ferromq: jupyter_client drives an ipykernel through the installed pyzmq.

run.sh copies this file next to pyzmq's tests and runs it with the venv's interpreter, so
both this process and the kernel it starts (``python -m ipykernel_launcher`` with the same
interpreter) use the pyzmq in that venv: built on libferromq, or pyzmq's wheel when the
baseline is recorded. $PYZMQ_EXPECT_LIB names the library both processes must have loaded
("libferromq" or "libzmq").

The kernel uses every ZeroMQ channel Jupyter has: shell and control (ROUTER/DEALER),
iopub (XPUB/SUB), stdin, and the heartbeat (a REP-like echo through zmq_proxy(s, s) on a
ROUTER, which jupyter_client's heartbeat channel pings).
"""

from __future__ import annotations

import os
import queue
import tempfile
import time
from typing import Any

import pytest
from jupyter_client.manager import KernelManager

TIMEOUT = 30
EXPECT_LIB = os.environ.get("PYZMQ_EXPECT_LIB", "libferromq")
LOADED_LIB = "print('|'.join(sorted({l.split('/')[-1] for l in open('/proc/self/maps') if 'libferromq' in l or 'libzmq' in l})))"


def run_cell(kc: Any, code: str, stop_on_error: bool = True) -> tuple[dict[str, Any], str]:
    """Executes `code`, returns (the execute reply's content, the text it printed).

    A cell that fails with stop_on_error makes ipykernel abort the requests that reach it
    shortly after (status "aborted"), so cells expected to fail pass stop_on_error=False.
    """
    printed: list[str] = []
    seen: list[str] = []

    def on_output(msg: dict[str, Any]) -> None:
        seen.append(msg["msg_type"])
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])

    reply = kc.execute_interactive(
        code, timeout=TIMEOUT, output_hook=on_output, stop_on_error=stop_on_error
    )
    content = dict(reply["content"])
    content["iopub"] = seen  # for the assertion messages
    return content, "".join(printed)


def wait_for_output(kc: Any, msg_id: str, text: str) -> None:
    """Waits until the cell of request `msg_id` has printed `text` (it is running)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["msg_type"] == "stream"
            and text in msg["content"]["text"]
        ):
            return
    raise AssertionError(f"the cell never printed {text!r}")


def wait_for_heartbeat(kc: Any) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not kc.hb_channel.is_beating():
        assert time.monotonic() < deadline, "no heartbeat from the kernel"
        time.sleep(0.1)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_kernel_output_exception_interrupt_restart_shutdown(transport: str) -> None:
    loaded_here = {
        line.rsplit("/", 1)[-1] for line in open("/proc/self/maps") if "libferromq" in line or "libzmq" in line
    }
    assert any(name.startswith(EXPECT_LIB) for name in loaded_here), loaded_here

    with tempfile.TemporaryDirectory(prefix="fmq-jk") as tmp:
        # ipc endpoints are <ip>-<port> paths; a short directory keeps them under 108 bytes.
        where = {"ip": os.path.join(tmp, "kernel")} if transport == "ipc" else {}
        km = KernelManager(kernel_name="python3", transport=transport, **where)
        drive_kernel(km)


def drive_kernel(km: KernelManager) -> None:
    """Starts the kernel, runs the scenario, shuts it down."""
    km.start_kernel()
    kc = km.client()
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        wait_for_heartbeat(kc)

        # The kernel runs on the same library.
        content, printed = run_cell(kc, LOADED_LIB)
        assert content["status"] == "ok"
        assert printed.strip().startswith(EXPECT_LIB), printed

        # Output.
        content, printed = run_cell(kc, "x = 6 * 7\nprint('answer', x)")
        assert content["status"] == "ok"
        assert printed == "answer 42\n", content

        # An exception.
        content, _ = run_cell(kc, "1 / 0", stop_on_error=False)
        assert content["status"] == "error"
        assert content["ename"] == "ZeroDivisionError"

        # An interrupt (SIGINT to the kernel process) during a long cell. ipykernel only
        # turns SIGINT into KeyboardInterrupt while code runs, hence waiting for its output.
        msg_id = kc.execute(
            "import time\nprint('started', flush=True)\nfor _ in range(600): time.sleep(0.1)",
            stop_on_error=False,
        )
        wait_for_output(kc, msg_id, "started")
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        content, printed = run_cell(kc, "print(x)")
        assert printed == "42\n", f"the kernel lost its state on interrupt: {content}"

        # A restart: a new kernel process, without the old one's variables.
        old_pid = km.provisioner.pid if km.provisioner else None
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=60)
        assert km.provisioner is not None and km.provisioner.pid != old_pid
        content, _ = run_cell(kc, "x", stop_on_error=False)
        assert content["status"] == "error" and content["ename"] == "NameError"
        content, printed = run_cell(kc, "print('after restart')")
        assert printed == "after restart\n", content
        wait_for_heartbeat(kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert not km.is_alive()
