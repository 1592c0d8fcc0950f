"""asyncio: a ROUTER server and several DEALER clients in one event loop.

    python examples/python/asyncio_pingpong.py --clients 3 --count 10
"""

from __future__ import annotations

import argparse
import asyncio

import ferromq as zmq
import ferromq.asyncio as azmq


async def server(sock: azmq.Socket, total: int) -> None:
    for _ in range(total):
        ident, body = await sock.recv_multipart()
        await sock.send_multipart([ident, b"pong " + body])


async def client(ctx: azmq.Context, url: str, name: str, count: int) -> int:
    sock: azmq.Socket = ctx.socket(zmq.DEALER)
    sock.connect(url)
    replies = 0
    for i in range(count):
        await sock.send(f"{name}-{i}".encode())
        reply = await sock.recv()
        assert reply == f"pong {name}-{i}".encode()
        replies += 1
    sock.close()
    return replies


async def main(clients: int, count: int) -> None:
    ctx = azmq.Context()
    srv: azmq.Socket = ctx.socket(zmq.ROUTER)
    srv.bind("tcp://127.0.0.1:0")
    url = srv.last_endpoint.decode()
    results = await asyncio.wait_for(
        asyncio.gather(server(srv, clients * count), *(client(ctx, url, f"c{i}", count) for i in range(clients))),
        timeout=20,
    )
    print(f"{sum(r for r in results[1:] if r is not None)} round trips")
    ctx.destroy(linger=0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--count", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.clients, args.count))
