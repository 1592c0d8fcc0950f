"""ferromq.asyncio: awaitable send/recv/multipart/poll and Poller, over the readiness FD."""

from __future__ import annotations

import asyncio
import os
from typing import Any, Awaitable, Callable

import pytest

import ferromq as zmq
import ferromq.asyncio as azmq


def run(coro_fn: Callable[[azmq.Context], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        ctx = azmq.Context()
        try:
            return await asyncio.wait_for(coro_fn(ctx), 15)
        finally:
            ctx.destroy(linger=0)

    return asyncio.run(main())


def _pair(ctx: azmq.Context, t1: int, t2: int, url: str = "tcp://127.0.0.1:0") -> tuple[azmq.Socket, azmq.Socket]:
    a: azmq.Socket = ctx.socket(t1)
    a.bind(url)
    b: azmq.Socket = ctx.socket(t2)
    b.connect(a.last_endpoint.decode())
    return a, b


def test_recv_waits_for_send() -> None:
    async def body(ctx: azmq.Context) -> None:
        pull, push = _pair(ctx, zmq.PULL, zmq.PUSH)
        fut = asyncio.ensure_future(pull.recv())
        await asyncio.sleep(0.02)
        assert not fut.done()
        await push.send(b"hello")
        assert await fut == b"hello"
        await push.send_multipart([b"a", b"b"])
        assert await pull.recv_multipart() == [b"a", b"b"]
        frames = None
        await push.send(b"frame")
        frames = await pull.recv(copy=False)
        assert isinstance(frames, zmq.Frame) and frames.bytes == b"frame"

    run(body)


def test_many_messages_in_order() -> None:
    async def body(ctx: azmq.Context) -> None:
        pull, push = _pair(ctx, zmq.PULL, zmq.PUSH, "inproc://many")

        async def produce() -> None:
            for i in range(5000):
                await push.send(b"%d" % i)

        task = asyncio.ensure_future(produce())
        got = [await pull.recv() for _ in range(5000)]
        await task
        assert got == [b"%d" % i for i in range(5000)]

    run(body)


def test_send_blocks_on_hwm_then_resumes() -> None:
    async def body(ctx: azmq.Context) -> None:
        push: azmq.Socket = ctx.socket(zmq.PUSH)
        push.sndhwm = 5
        push.bind("inproc://hwm")
        sends = [asyncio.ensure_future(push.send(b"%d" % i)) for i in range(50)]
        await asyncio.sleep(0.02)
        assert not all(s.done() for s in sends)
        pull: azmq.Socket = ctx.socket(zmq.PULL)
        pull.connect("inproc://hwm")
        got = [await pull.recv() for _ in range(50)]
        await asyncio.gather(*sends)
        assert got == [b"%d" % i for i in range(50)]

    run(body)


def test_req_rep_helpers() -> None:
    async def body(ctx: azmq.Context) -> None:
        rep, req = _pair(ctx, zmq.REP, zmq.REQ)
        await req.send_json({"q": 1})
        assert await rep.recv_json() == {"q": 1}
        await rep.send_pyobj(("tuple", 2))
        assert await req.recv_pyobj() == ("tuple", 2)
        await req.send_string("s")
        assert await rep.recv_string() == "s"
        await rep.send_string("t")
        assert await req.recv_string() == "t"

    run(body)


def test_timeouts_and_dontwait() -> None:
    async def body(ctx: azmq.Context) -> None:
        pull: azmq.Socket = ctx.socket(zmq.PULL)
        pull.bind("inproc://to")
        with pytest.raises(zmq.Again):
            await pull.recv(zmq.DONTWAIT)
        pull.rcvtimeo = 50
        with pytest.raises(zmq.Again):
            await pull.recv()
        assert await pull.poll(30) == 0
        with pytest.raises(asyncio.TimeoutError):
            pull.rcvtimeo = -1
            await asyncio.wait_for(pull.recv(), 0.05)

    run(body)


def test_cancel_then_receive() -> None:
    async def body(ctx: azmq.Context) -> None:
        pull, push = _pair(ctx, zmq.PULL, zmq.PUSH, "inproc://cancel")
        f = pull.recv()
        f.cancel()
        await push.send(b"x")
        assert await pull.recv() == b"x"

    run(body)


def test_socket_poll_and_poller() -> None:
    async def body(ctx: azmq.Context) -> None:
        a, b = _pair(ctx, zmq.PAIR, zmq.PAIR)
        poller = azmq.Poller()
        poller.register(a, zmq.POLLIN)
        assert await poller.poll(30) == []
        waiter = asyncio.ensure_future(poller.poll(5000))
        await asyncio.sleep(0.01)
        await b.send(b"x")
        assert await waiter == [(a, zmq.POLLIN)]
        assert await a.poll(1000) == zmq.POLLIN
        assert await a.recv() == b"x"
        r, w = os.pipe()
        try:
            p2 = azmq.Poller()
            p2.register(r, zmq.POLLIN)
            fut = asyncio.ensure_future(p2.poll(5000))
            await asyncio.sleep(0.01)
            os.write(w, b"1")
            assert await fut == [(r, zmq.POLLIN)]
        finally:
            os.close(r)
            os.close(w)

    run(body)


def test_interop_with_pyzmq_asyncio() -> None:
    pyzmq = pytest.importorskip("zmq")

    async def body(ctx: azmq.Context) -> None:
        p = pyzmq.Context()
        try:
            srv = p.socket(pyzmq.REP)
            srv.linger = 0
            port = srv.bind_to_random_port("tcp://127.0.0.1")
            req: azmq.Socket = ctx.socket(zmq.REQ)
            req.connect(f"tcp://127.0.0.1:{port}")
            await req.send(b"from asyncio")

            def answer() -> None:
                srv.send(srv.recv() + b" ok")

            await asyncio.get_running_loop().run_in_executor(None, answer)
            assert await req.recv() == b"from asyncio ok"
        finally:
            p.destroy(linger=0)

    run(body)
