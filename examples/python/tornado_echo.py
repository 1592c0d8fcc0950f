"""An echo service on a tornado ZMQStream, behind a ThreadDevice queue, with log records
published by a PUBHandler: pyzmq's callback-style API on ferromq.

    python examples/python/tornado_echo.py --count 5
"""

from __future__ import annotations

import argparse
import asyncio
import logging

import ferromq as zmq
from ferromq.devices import ThreadDevice
from ferromq.eventloop.zmqstream import ZMQStream
from ferromq.log.handlers import PUBHandler


async def run(count: int) -> list[bytes]:
    ctx = zmq.Context()
    # The device: clients (REQ) -> ROUTER | DEALER -> echo workers (REP).
    queue = ThreadDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER)
    queue.context_factory = lambda: ctx  # the device's sockets end with ctx.destroy()
    front = queue.bind_in_to_random_port("tcp://127.0.0.1")
    back = queue.bind_out_to_random_port("tcp://127.0.0.1")
    queue.start()

    log = logging.getLogger("tornado_echo")
    log.setLevel(logging.INFO)
    log.addHandler(PUBHandler("inproc://tornado-echo-log", ctx))

    worker = ZMQStream(ctx.socket(zmq.REP))
    worker.connect(f"tcp://127.0.0.1:{back}")

    def echo(stream: ZMQStream, msg: list[bytes]) -> None:
        log.info("echo::%r", msg)
        stream.send_multipart(msg)

    worker.on_recv_stream(echo)

    client = ctx.socket(zmq.REQ)
    client.connect(f"tcp://127.0.0.1:{front}")
    client.rcvtimeo = 5000
    loop = asyncio.get_running_loop()
    replies = []
    for i in range(count):
        client.send(b"ping %d" % i)
        # The blocking recv runs in a thread so the loop keeps serving the worker.
        replies.append(await loop.run_in_executor(None, client.recv))
    client.close(linger=0)
    worker.close(linger=0)
    ctx.destroy(linger=0)
    queue.join(5)
    return replies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5)
    args = parser.parse_args()
    replies = asyncio.run(run(args.count))
    print(f"{len(replies)} echoes, last {replies[-1].decode()!r}")


if __name__ == "__main__":
    main()
