"""Hello world: a REP server thread and a REQ client (pyzmq's hwserver/hwclient).

    python examples/python/hello_world.py --endpoint tcp://127.0.0.1:5555 --count 10
"""

from __future__ import annotations

import argparse
import threading

import ferromq as zmq


def server(ctx: zmq.Context, endpoint: str, count: int, ready: threading.Event) -> None:
    with ctx.socket(zmq.REP) as sock:
        sock.bind(endpoint)
        ready.set()
        for _ in range(count):
            message = sock.recv_string()
            sock.send_string(f"World (re: {message})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5555")
    parser.add_argument("--count", type=int, default=10)
    args = parser.parse_args()

    ctx = zmq.Context()
    ready = threading.Event()
    t = threading.Thread(target=server, args=(ctx, args.endpoint, args.count, ready))
    t.start()
    ready.wait()
    with ctx.socket(zmq.REQ) as req:
        req.rcvtimeo = 5000
        req.connect(args.endpoint)
        for i in range(args.count):
            req.send_string(f"Hello {i}")
            print(req.recv_string())
    t.join()
    ctx.term()


if __name__ == "__main__":
    main()
