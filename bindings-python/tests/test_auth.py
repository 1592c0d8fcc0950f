"""ferromq.auth: the ZAP handler's replies (requests sent by hand from an inproc REQ, as
a server socket's session would send them), the policies, certificate files, and the
thread and asyncio authenticators."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

import ferromq as zmq
from ferromq.auth import CURVE_ALLOW_ANY, create_certificates, load_certificate, load_certificates
from ferromq.auth.asyncio import AsyncioAuthenticator
from ferromq.auth.thread import ThreadAuthenticator
from ferromq.utils import z85

ZAP = "inproc://zeromq.zap.01"


@pytest.fixture
def auth(ctx: zmq.Context) -> Iterator[ThreadAuthenticator]:
    a = ThreadAuthenticator(ctx)
    a.start()
    assert a.is_alive()
    yield a
    a.stop()
    assert not a.is_alive()


def ask(ctx: zmq.Context, mechanism: bytes, *credentials: bytes, address: bytes = b"127.0.0.1",
        domain: bytes = b"", version: bytes = b"1.0", request_id: bytes = b"1") -> list[bytes]:
    """Sends one ZAP request and returns the reply (6 frames after REQ's envelope)."""
    with ctx.socket(zmq.REQ) as req:
        req.linger = 0
        req.rcvtimeo = 5000
        req.connect(ZAP)
        req.send_multipart([version, request_id, domain, address, b"IDENT", mechanism, *credentials])
        return req.recv_multipart()


def status(reply: list[bytes]) -> tuple[bytes, bytes, bytes]:
    assert len(reply) == 6 and reply[0] == b"1.0" and reply[5] == b""
    return reply[2], reply[3], reply[4]


def test_null_is_accepted_by_default_and_the_request_id_echoed(ctx: zmq.Context, auth: ThreadAuthenticator) -> None:
    reply = ask(ctx, b"NULL", request_id=b"req-77")
    assert reply[1] == b"req-77"
    assert status(reply) == (b"200", b"OK", b"anonymous")


def test_allow_list(ctx: zmq.Context, auth: ThreadAuthenticator) -> None:
    auth.allow("127.0.0.1", "::1")
    assert status(ask(ctx, b"NULL"))[0] == b"200"
    assert status(ask(ctx, b"NULL", address=b"::1"))[0] == b"200"
    assert status(ask(ctx, b"NULL", address=b"10.0.0.1")) == (b"400", b"Address not allowed", b"")
    # An allowed PLAIN peer must still authenticate.
    assert status(ask(ctx, b"PLAIN", b"u", b"p")) == (b"400", b"No passwords defined", b"")
    with pytest.raises(ValueError):
        auth.deny("10.0.0.2")


def test_deny_list(ctx: zmq.Context, auth: ThreadAuthenticator) -> None:
    auth.deny("10.0.0.1")
    assert status(ask(ctx, b"NULL", address=b"10.0.0.1")) == (b"400", b"Address denied", b"")
    assert status(ask(ctx, b"NULL"))[0] == b"200"
    auth.configure_plain(passwords={"admin": "secret"})
    assert status(ask(ctx, b"PLAIN", b"admin", b"secret", address=b"10.0.0.1"))[1] == b"Address denied"
    with pytest.raises(ValueError):
        auth.allow("127.0.0.1")


def test_plain(ctx: zmq.Context, auth: ThreadAuthenticator) -> None:
    assert status(ask(ctx, b"PLAIN", b"admin", b"secret")) == (b"400", b"No passwords defined", b"")
    auth.configure_plain("*", {"admin": "secret"})
    auth.configure_plain("lab", {"alice": "wonder"})
    assert status(ask(ctx, b"PLAIN", b"admin", b"secret")) == (b"200", b"OK", b"admin")
    assert status(ask(ctx, b"PLAIN", b"admin", b"wrong")) == (b"400", b"Invalid password", b"")
    assert status(ask(ctx, b"PLAIN", b"eve", b"secret")) == (b"400", b"Invalid username", b"")
    assert status(ask(ctx, b"PLAIN", b"alice", b"wonder", domain=b"lab")) == (b"200", b"OK", b"alice")
    assert status(ask(ctx, b"PLAIN", b"admin", b"secret", domain=b"lab"))[1] == b"Invalid username"
    assert status(ask(ctx, b"PLAIN", b"admin", b"secret", domain=b"other")) == (b"400", b"Invalid domain", b"")
    assert status(ask(ctx, b"PLAIN", b"admin")) == (b"400", b"Invalid credentials", b"")


def test_malformed_requests(ctx: zmq.Context, auth: ThreadAuthenticator) -> None:
    assert status(ask(ctx, b"NULL", version=b"2.0")) == (b"400", b"Invalid version", b"")
    with ctx.socket(zmq.REQ) as req:
        req.linger = 0
        req.rcvtimeo = 5000
        req.connect(ZAP)
        req.send_multipart([b"1.0", b"7", b"domain"])
        assert req.recv_multipart() == [b"1.0", b"7", b"400", b"Not enough frames", b"", b""]
    # The authenticator still answers afterwards.
    assert status(ask(ctx, b"NULL"))[0] == b"200"


@pytest.fixture
def certs(tmp_path: Path) -> dict[str, Any]:
    public_dir = tmp_path / "public"
    secret_dir = tmp_path / "private"
    public_dir.mkdir()
    secret_dir.mkdir()
    keys: dict[str, Any] = {"public_dir": public_dir}
    for name in ("client", "server"):
        pub_file, sec_file = create_certificates(tmp_path, name)
        os.replace(pub_file, public_dir / f"{name}.key")
        os.replace(sec_file, secret_dir / f"{name}.key_secret")
        keys[name] = load_certificate(secret_dir / f"{name}.key_secret")
    return keys


def test_curve_with_a_certificate_directory(ctx: zmq.Context, auth: ThreadAuthenticator, certs: dict[str, Any]) -> None:
    client_public = certs["client"][0]
    raw = z85.decode(client_public)
    assert status(ask(ctx, b"CURVE", raw)) == (b"400", b"Unknown domain", b"")
    auth.configure_curve(domain="*", location=certs["public_dir"])
    assert status(ask(ctx, b"CURVE", raw)) == (b"200", b"OK", client_public)
    stranger, _ = zmq.curve_keypair()
    assert status(ask(ctx, b"CURVE", z85.decode(stranger))) == (b"400", b"Unknown key", b"")
    assert status(ask(ctx, b"CURVE", raw, domain=b"other")) == (b"400", b"Unknown domain", b"")
    assert status(ask(ctx, b"CURVE")) == (b"400", b"Invalid credentials", b"")
    auth.configure_curve(domain="*", location=CURVE_ALLOW_ANY)
    assert status(ask(ctx, b"CURVE", z85.decode(stranger))) == (b"200", b"OK", stranger)


def test_curve_directory_errors_are_logged(ctx: zmq.Context, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    a = ThreadAuthenticator(ctx, log=logging.getLogger("test-auth"))
    with caplog.at_level(logging.ERROR, logger="test-auth"):
        a.configure_curve(location=tmp_path / "missing")
    assert "Failed to load CURVE certs" in caplog.text
    assert a.certs == {}


class Provider:
    def __init__(self, key: bytes, asynchronous: bool) -> None:
        self.key = key
        self.asynchronous = asynchronous
        self.calls: list[tuple[str, bytes]] = []

    def callback(self, domain: str, key: bytes) -> Any:
        self.calls.append((domain, key))
        if not self.asynchronous:
            return key == self.key

        async def verdict() -> bool:
            await asyncio.sleep(0)
            return key == self.key

        return verdict()


@pytest.mark.parametrize("asynchronous", [False, True])
def test_curve_callback(ctx: zmq.Context, auth: ThreadAuthenticator, asynchronous: bool) -> None:
    good, _ = zmq.curve_keypair()
    bad, _ = zmq.curve_keypair()
    provider = Provider(good, asynchronous)
    auth.configure_curve_callback("*", provider)
    assert status(ask(ctx, b"CURVE", z85.decode(good))) == (b"200", b"OK", good)
    assert status(ask(ctx, b"CURVE", z85.decode(bad))) == (b"400", b"Unknown key", b"")
    assert status(ask(ctx, b"CURVE", z85.decode(good), domain=b"x")) == (b"400", b"Unknown domain", b"")
    assert provider.calls == [("*", good), ("*", bad)]


def test_curve_user_id_can_be_overridden(ctx: zmq.Context) -> None:
    class Named(ThreadAuthenticator):
        def curve_user_id(self, client_public_key: bytes) -> str:
            return "client-" + z85.encode(client_public_key)[:4].decode()

    a = Named(ctx)
    a.start()
    try:
        a.configure_curve(location=CURVE_ALLOW_ANY)
        key, _ = zmq.curve_keypair()
        assert status(ask(ctx, b"CURVE", z85.decode(key)))[2] == b"client-" + key[:4]
    finally:
        a.stop()


def test_handler_gone_after_stop(ctx: zmq.Context) -> None:
    a = ThreadAuthenticator(ctx)
    a.start()
    a.stop()
    # The endpoint is free again: a second authenticator can bind it.
    b = ThreadAuthenticator(ctx)
    b.start()
    try:
        assert status(ask(ctx, b"NULL"))[0] == b"200"
    finally:
        b.stop()


def test_asyncio_authenticator() -> None:
    import ferromq.asyncio as zasync

    async def main() -> None:
        ctx = zasync.Context()
        a = AsyncioAuthenticator(ctx)
        a.start()
        a.configure_plain(passwords={"admin": "secret"})
        req = ctx.socket(zmq.REQ)
        req.linger = 0
        req.connect(ZAP)
        try:
            for password, expect in ((b"secret", b"200"), (b"nope", b"400")):
                await req.send_multipart([b"1.0", b"1", b"", b"127.0.0.1", b"", b"PLAIN", b"admin", password])
                reply = await asyncio.wait_for(req.recv_multipart(), 5)
                assert reply[2] == expect
        finally:
            req.close()
            a.stop()
            ctx.destroy(linger=0)

    asyncio.run(main())


# -- certificate files --

def test_create_and_load_certificates(tmp_path: Path) -> None:
    pub_file, sec_file = create_certificates(tmp_path, "node", metadata={"name": "node-1", "site": "lab"})
    assert (pub_file, sec_file) == (str(tmp_path / "node.key"), str(tmp_path / "node.key_secret"))
    public, no_secret = load_certificate(pub_file)
    public2, secret = load_certificate(sec_file)
    assert no_secret is None and public == public2 and secret is not None
    assert len(public) == 40 and len(secret) == 40
    assert zmq.curve_public(secret) == public
    assert stat.S_IMODE(os.stat(sec_file).st_mode) == 0o600
    text = Path(pub_file).read_text()
    assert 'name = "node-1"' in text and "secret-key" not in text
    assert text.index("metadata") < text.index("curve") < text.index("public-key")
    create_certificates(tmp_path, "other")
    keys = load_certificates(tmp_path)
    assert set(keys) == {public, load_certificate(tmp_path / "other.key")[0]}
    assert all(v is True for v in keys.values())


def test_certificate_errors(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_certificate(tmp_path / "nothing.key")
    (tmp_path / "empty.key").write_text("metadata\ncurve\n")
    with pytest.raises(ValueError):
        load_certificate(tmp_path / "empty.key")
    with pytest.raises(OSError):
        load_certificates(tmp_path / "no-such-dir")


def test_certificates_are_interchangeable_with_pyzmq(tmp_path: Path) -> None:
    pyzmq_auth: Optional[Any] = pytest.importorskip("zmq.auth")
    assert pyzmq_auth is not None
    ours = create_certificates(tmp_path, "ours")
    theirs = pyzmq_auth.create_certificates(str(tmp_path), "theirs")
    assert pyzmq_auth.load_certificate(ours[1]) == load_certificate(ours[1])
    assert pyzmq_auth.load_certificate(ours[0]) == load_certificate(ours[0])
    assert load_certificate(theirs[1]) == pyzmq_auth.load_certificate(theirs[1])
    assert load_certificates(tmp_path) == pyzmq_auth.load_certificates(str(tmp_path))
