#!/usr/bin/env python3
"""Regenerates fuzz/seeds/: real libzmq bytes (via pyzmq) wrapped in each target's input format.

    .venv/bin/python fuzz/make_seeds.py      # needs pyzmq (tests/requirements.txt)

For every libzmq socket type X, a raw TCP peer plays a compatible type Y: it sends a NULL
greeting and READY(Y), then records everything libzmq sends (greeting, READY with its real
property list, then traffic: single and multipart messages, a 300-byte frame (LONG header),
empty frames, subscriptions and cancels as 3.1 commands or, to a 3.0 peer, as messages,
heartbeat PINGs, the PONG answering our PING). The recordings become:

  handshake_null/   [our type][split seed][options] + libzmq's greeting, READY and traffic
  frame_stream/     [split seed][limit]             + libzmq's traffic after the handshake
  command_metadata/ [0] + each command body libzmq sent; [1] + each READY property list
  engine/           [socket][flags][peer]           + libzmq's whole stream (flags 0), or
                                                      its traffic after our prefix (flags 1)

A few hand-made inputs (an ERROR command, bad greetings, oversized frames) are added.
Inputs named regress-* are minimised crashes found earlier: this script leaves them alone.
"""
import os
import socket
import struct
import sys
import time

import zmq

SEEDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
TYPES = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB"]
RAW = {name: i for i, name in enumerate(TYPES)}
# libzmq socket type -> the type our raw peer plays.
PARTNER = {"PAIR": "PAIR", "PUB": "SUB", "SUB": "PUB", "REQ": "REP", "REP": "REQ",
           "DEALER": "ROUTER", "ROUTER": "DEALER", "PULL": "PUSH", "PUSH": "PULL",
           "XPUB": "XSUB", "XSUB": "XPUB"}


def greeting(minor=1):
    return b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, minor]) + b"NULL".ljust(20, b"\x00") + b"\x00" * 32


def command(body):
    return (b"\x04" + bytes([len(body)]) if len(body) < 256 else b"\x06" + struct.pack(">Q", len(body))) + body


def ready(sock_type, identity=None):
    props = b"\x0bSocket-Type" + struct.pack(">I", len(sock_type)) + sock_type.encode()
    if identity is not None:
        props += b"\x08Identity" + struct.pack(">I", len(identity)) + identity
    return command(b"\x05READY" + props)


def frames(stream):
    """Splits a ZMTP byte stream into (flags, body, raw) tuples; stops at a partial frame."""
    out, i = [], 0
    while i + 2 <= len(stream):
        flags = stream[i]
        if flags & 2:
            if i + 9 > len(stream):
                break
            size, hl = struct.unpack(">Q", stream[i + 1:i + 9])[0], 9
        else:
            size, hl = stream[i + 1], 2
        if i + hl + size > len(stream):
            break
        out.append((flags, stream[i + hl:i + hl + size], stream[i:i + hl + size]))
        i += hl + size
    return out


def capture(ctx, x, minor):
    """libzmq socket of type x talks to our raw peer; returns all the bytes libzmq sent."""
    y = PARTNER[x]
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    z = ctx.socket(getattr(zmq, x))
    z.setsockopt(zmq.LINGER, 0)
    z.setsockopt(zmq.HEARTBEAT_IVL, 30)
    z.setsockopt(zmq.HEARTBEAT_TIMEOUT, 5000)  # we never answer its PINGs
    if x == "REQ":
        z.setsockopt(zmq.ROUTING_ID, b"req-1")
    z.connect("tcp://127.0.0.1:%d" % lsock.getsockname()[1])
    conn, _ = lsock.accept()
    conn.settimeout(0.05)
    ident = b"peer1" if y in ("DEALER", "REQ", "ROUTER") else None
    conn.sendall(greeting(minor) + ready(y, ident))
    got = bytearray()

    def pump(seconds):
        end = time.time() + seconds
        while time.time() < end:
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                return
            got.extend(chunk)

    pump(0.2)
    conn.sendall(command(b"\x04PING\x00\x0actx1"))  # libzmq answers with PONG "ctx1"
    if y in ("SUB", "XSUB"):
        sub = command(b"\x09SUBSCRIBE") if minor >= 1 else b"\x00\x01\x01"
        conn.sendall(sub)
        pump(0.1)
    if x in ("PUSH", "PUB", "XPUB", "DEALER", "PAIR", "REQ"):
        z.send(b"hello")
        if x != "REQ":
            z.send_multipart([b"topic", b"", b"x" * 300])
            z.send(b"")
    elif x == "ROUTER":
        z.send_multipart([b"peer1", b"reply to peer1"])
        z.send_multipart([b"peer1", b"", b"two", b"x" * 300])
    elif x == "REP":
        conn.sendall(b"\x01\x00" + b"\x01\x05hello" + b"\x00\x03req")  # '' | hello | req
        pump(0.1)
        z.recv_multipart()
        z.send_multipart([b"world", b"x" * 300])
    elif x == "SUB":
        z.setsockopt(zmq.SUBSCRIBE, b"weather")
        z.setsockopt(zmq.SUBSCRIBE, b"")
        z.setsockopt(zmq.UNSUBSCRIBE, b"weather")
    elif x == "XSUB":
        z.send(b"\x01news")
        z.send(b"\x00news")
        z.send(b"\x02other message")
    pump(0.2)
    z.close()
    conn.close()
    lsock.close()
    return bytes(got)


def write(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    ctx = zmq.Context()
    seen_commands = set()
    for x in TYPES:
        for minor in (1, 0):
            if minor == 0 and x not in ("SUB", "XSUB", "PUSH"):
                continue
            tag = "libzmq-%s%s" % (x.lower(), "-to-zmtp30" if minor == 0 else "")
            stream = capture(ctx, x, minor)
            assert stream[:1] == b"\xff" and len(stream) >= 64, (x, stream[:16])
            body = stream[64:]
            fs = frames(body)
            assert fs and fs[0][1].startswith(b"\x05READY"), (x, body[:40])
            traffic = b"".join(raw for _, _, raw in fs[1:])
            ours = RAW[PARTNER[x]]
            # Our side plays the partner; announce ZMTP minor `minor` only in the prefix.
            write("handshake_null", tag, bytes([ours, 5, 1]) + stream)
            write("frame_stream", tag, bytes([3, 0]) + body)
            write("engine", tag, bytes([ours, 0, 0]) + stream)
            flags = 1 | (2 if minor == 0 else 0) | (4 if x in ("DEALER", "REQ", "ROUTER") else 0)
            write("engine", tag + "-traffic", bytes([ours, flags, RAW[x]]) + traffic)
            write("engine", tag + "-tight", bytes([ours + 11, 0, 0]) + stream)
            for flags_, fbody, _ in fs:
                if flags_ & 4 and fbody not in seen_commands:
                    seen_commands.add(fbody)
                    name = fbody[1:1 + fbody[0]].decode(errors="replace").lower()
                    write("command_metadata", "%s-%s" % (tag, name), b"\x00" + fbody)
                    if fbody.startswith(b"\x05READY"):
                        write("command_metadata", "%s-ready-props" % tag, b"\x01" + fbody[6:])
    ctx.term()
    # Hand-made inputs for what libzmq does not send on a NULL connection.
    write("command_metadata", "error", b"\x00\x05ERROR\x0dAccess denied")
    write("command_metadata", "ping-long-context", b"\x00\x04PING\x00\x01" + b"c" * 40)
    write("command_metadata", "unknown", b"\x00\x07HELLO31extra")
    write("handshake_null", "http", bytes([7, 1, 0]) + b"GET / HTTP/1.1\r\n\r\n")
    write("handshake_null", "zmtp2", bytes([7, 1, 0]) + b"\xff" + b"\x00" * 8 + b"\x7f\x01\x05")
    write("handshake_null", "plain", bytes([7, 1, 0]) + greeting()[:12] + b"PLAIN".ljust(52, b"\x00"))
    write("handshake_null", "error-instead-of-ready",
          bytes([7, 1, 0]) + greeting() + command(b"\x05ERROR\x04nope"))
    write("frame_stream", "long-size-huge", b"\x01\x00\x02\x7f\xff\xff\xff\xff\xff\xff\xff")
    write("frame_stream", "over-limit", b"\x00\x10\x00\xff" + b"y" * 255)
    write("engine", "ping-flood", bytes([7, 1, 8]) + command(b"\x04PING\x00\x00") * 200)
    write("engine", "garbage-after-greeting", bytes([7, 0, 0]) + greeting() + b"\x00\x05hello")
    print("seeds written under", SEEDS, file=sys.stderr)


if __name__ == "__main__":
    main()
