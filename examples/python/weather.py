"""Weather update PUB/SUB: a publisher thread and a subscriber filtering one zip code.

    python examples/python/weather.py --endpoint tcp://127.0.0.1:5556 --count 5 --zipcode 10001
"""

from __future__ import annotations

import argparse
import random
import threading

import ferromq as zmq


def publisher(ctx: zmq.Context, endpoint: str, stop: threading.Event) -> None:
    with ctx.socket(zmq.PUB) as pub:
        pub.linger = 0
        pub.bind(endpoint)
        while not stop.is_set():
            zipcode = random.randrange(10000, 10010)
            temperature = random.randrange(-80, 135)
            humidity = random.randrange(10, 60)
            pub.send_string(f"{zipcode} {temperature} {humidity}")
            stop.wait(0.0005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5556")
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--zipcode", default="10001")
    args = parser.parse_args()

    ctx = zmq.Context()
    stop = threading.Event()
    t = threading.Thread(target=publisher, args=(ctx, args.endpoint, stop))
    t.start()
    total = 0
    with ctx.socket(zmq.SUB) as sub:
        sub.rcvtimeo = 10000
        sub.connect(args.endpoint)
        sub.subscribe(args.zipcode)
        for _ in range(args.count):
            zipcode, temperature, _humidity = sub.recv_string().split()
            assert zipcode == args.zipcode
            total += int(temperature)
    stop.set()
    t.join()
    print(f"Average temperature for zipcode {args.zipcode} was {total / args.count:.1f}F")
    ctx.term()


if __name__ == "__main__":
    main()
