"""Pipeline (divide and conquer): a ventilator PUSHes tasks to worker threads, which PUSH
results to a sink.

    python examples/python/pipeline.py --tasks 100 --workers 4
"""

from __future__ import annotations

import argparse
import threading

import ferromq as zmq


def worker(ctx: zmq.Context, tasks: str, results: str) -> None:
    with ctx.socket(zmq.PULL) as pull, ctx.socket(zmq.PUSH) as push:
        pull.connect(tasks)
        push.connect(results)
        while True:
            task = pull.recv_json()
            if task is None:
                return
            push.send_json({"n": task, "square": task * task})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--transport", default="inproc", choices=["inproc", "tcp"])
    args = parser.parse_args()

    ctx = zmq.Context()
    vent = ctx.socket(zmq.PUSH)
    sink = ctx.socket(zmq.PULL)
    sink.rcvtimeo = 10000
    if args.transport == "inproc":
        vent.bind("inproc://tasks")
        sink.bind("inproc://results")
    else:
        vent.bind("tcp://127.0.0.1:0")
        sink.bind("tcp://127.0.0.1:0")
    tasks_url = vent.last_endpoint.decode()
    results_url = sink.last_endpoint.decode()
    threads = [threading.Thread(target=worker, args=(ctx, tasks_url, results_url)) for _ in range(args.workers)]
    for t in threads:
        t.start()
    for n in range(args.tasks):
        vent.send_json(n)
    total = sum(sink.recv_json()["square"] for _ in range(args.tasks))
    for _ in threads:
        vent.send_json(None)
    for t in threads:
        t.join()
    vent.close()
    sink.close()
    ctx.term()
    print(f"sum of squares below {args.tasks}: {total}")


if __name__ == "__main__":
    main()
