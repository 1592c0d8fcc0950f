"""Socket and context options of issue 10 through the Python module: every integer option
pyzmq's own test_int_sockopts reads is readable, the new options work as attributes and by
number, and XPUB_MANUAL / PROBE_ROUTER behave as in libzmq."""

from __future__ import annotations

import pytest

import ferromq as zmq

# pyzmq's test_int_sockopts skips these prefixes (write-only or transport-specific).
_SKIP = (
    "HWM", "ROUTER", "XPUB", "TCP", "FAIL", "REQ_", "CURVE_", "PROBE_ROUTER", "IPC_FILTER",
    "GSSAPI", "STREAM_", "VMCI_", "BLOCKY", "IN_BATCH_SIZE", "OUT_BATCH_SIZE",
    "WSS_TRUST_SYSTEM", "ONLY_FIRST_SUBSCRIBE", "PRIORITY", "RECONNECT_STOP", "NORM_",
    "BUSY_POLL", "XSUB_VERBOSE_", "TOPICS_",
)
_BYTES = {
    "ROUTING_ID", "IDENTITY", "SUBSCRIBE", "UNSUBSCRIBE", "LAST_ENDPOINT", "CONNECT_ROUTING_ID",
    "CONNECT_RID", "TCP_ACCEPT_FILTER", "PLAIN_USERNAME", "PLAIN_PASSWORD", "ZAP_DOMAIN",
    "SOCKS_PROXY", "SOCKS_USERNAME", "SOCKS_PASSWORD", "XPUB_WELCOME_MSG", "BINDTODEVICE",
    "METADATA", "WSS_KEY_PEM", "WSS_CERT_PEM", "WSS_TRUST_PEM", "WSS_HOSTNAME", "HELLO_MSG",
    "DISCONNECT_MSG", "HICCUP_MSG",
}


def test_every_int_option_pyzmq_reads_is_readable(ctx: zmq.Context) -> None:
    p = ctx.socket(zmq.PUB)
    errors = []
    for opt in zmq.constants.SocketOption:
        if opt.name.startswith(_SKIP) or opt.name in _BYTES:
            continue
        try:
            v = p.getsockopt(opt)
        except zmq.ZMQError as e:
            errors.append(f"{opt.name}: {e}")
            continue
        assert isinstance(v, int) and v < 2**31, opt.name
    assert not errors, errors
    assert (p.rate, p.recovery_ivl, p.multicast_hops, p.multicast_maxtpdu) == (100, 10000, 1, 1500)
    assert (p.affinity, p.tos, p.use_fd, p.ipv4only, p.invert_matching) == (0, 0, -1, 1, 0)
    p.close(linger=0)


def test_new_options_round_trip(ctx: zmq.Context) -> None:
    s = ctx.socket(zmq.SUB)
    assert s.linger == 0  # SUB and XSUB default to 0 in libzmq
    s.tos = 0x28
    s.affinity = 3
    s.invert_matching = 1
    s.socks_proxy = b"127.0.0.1:1080"
    s.zap_domain = b"global"
    s.setsockopt(zmq.TCP_ACCEPT_FILTER, b"127.0.0.1")
    assert (s.tos, s.affinity, s.invert_matching) == (0x28, 3, 1)
    assert s.getsockopt_string(zmq.SOCKS_PROXY) == "127.0.0.1:1080"
    assert s.zap_domain == b"global"
    s.setsockopt(zmq.CURVE_SERVER, 1)  # makes the socket a CURVE server
    assert s.mechanism == zmq.CURVE
    assert s.getsockopt(zmq.PLAIN_SERVER) == 0
    s.setsockopt(zmq.PLAIN_SERVER, 1)  # the last mechanism option wins, as in libzmq
    assert (s.plain_server, s.mechanism) == (1, zmq.PLAIN)
    s.bind("tcp://127.0.0.1:*")  # a PLAIN server socket binds like any other
    s.close(linger=0)


def test_context_thread_options(ctx: zmq.Context) -> None:
    ctx.set(zmq.THREAD_NAME_PREFIX, 77)
    assert ctx.get(zmq.THREAD_NAME_PREFIX) == 77
    ctx.set(zmq.THREAD_AFFINITY_CPU_ADD, 0)
    ctx.set(zmq.THREAD_AFFINITY_CPU_REMOVE, 0)
    with pytest.raises(zmq.ZMQError):
        ctx.set(zmq.THREAD_AFFINITY_CPU_REMOVE, 0)
    with pytest.raises(zmq.ZMQError):
        ctx.set(zmq.THREAD_SCHED_POLICY, -1)
    assert ctx.get(zmq.ZERO_COPY_RECV) == 1


def test_xpub_manual_and_probe_router(ctx: zmq.Context) -> None:
    xpub = ctx.socket(zmq.XPUB)
    xpub.xpub_manual = 1
    xpub.bind("inproc://py-manual")
    xsub = ctx.socket(zmq.XSUB)
    xsub.rcvtimeo = 5000
    xsub.connect("inproc://py-manual")
    xsub.send(b"\x01A")
    assert xpub.recv() == b"\x01A"
    xpub.setsockopt(zmq.SUBSCRIBE, b"B")
    xpub.send(b"A")
    xpub.send(b"B")
    assert xsub.recv() == b"B"

    router = ctx.socket(zmq.ROUTER)
    router.bind("inproc://py-probe")
    dealer = ctx.socket(zmq.DEALER)
    dealer.routing_id = b"D"
    dealer.probe_router = 1
    dealer.connect("inproc://py-probe")
    assert router.recv_multipart() == [b"D", b""]
    for s in (xpub, xsub, router, dealer):
        s.close(linger=0)
