"""CURVE keys and Z85 in Python: pyzmq's curve_keypair/curve_public and zmq.utils.z85,
checked against zmq_curve.adoc's vectors and, where pyzmq is installed, libzmq itself."""

from __future__ import annotations

import pytest

import ferromq as zmq
from ferromq.utils import z85

# doc/zmq_curve.adoc (libzmq): (public, secret) pairs.
CLIENT = (b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs")
SERVER = (b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6")


def test_curve_public_known_answers() -> None:
    for public, secret in (CLIENT, SERVER):
        assert zmq.curve_public(secret) == public
        assert zmq.curve_public(secret.decode()) == public


def test_curve_public_rejects_bad_secrets() -> None:
    with pytest.raises(ValueError):
        zmq.curve_public(CLIENT[1][:39])
    with pytest.raises(zmq.ZMQError) as e:
        zmq.curve_public(CLIENT[1][:39] + b" ")
    assert e.value.errno == zmq.EINVAL


def test_curve_keypair() -> None:
    public, secret = zmq.curve_keypair()
    assert isinstance(public, bytes) and isinstance(secret, bytes)
    assert len(public) == 40 and len(secret) == 40
    assert zmq.curve_public(secret) == public
    assert len(z85.decode(public)) == 32
    assert zmq.curve_keypair() != (public, secret)


def test_keypair_matches_libzmq() -> None:
    pyzmq = pytest.importorskip("zmq")
    if not pyzmq.has("curve"):
        pytest.skip("pyzmq's libzmq has no CURVE")
    public, secret = zmq.curve_keypair()
    assert pyzmq.curve_public(secret) == public
    their_public, their_secret = pyzmq.curve_keypair()
    assert zmq.curve_public(their_secret) == their_public


def test_z85_known_answers_and_errors() -> None:
    assert z85.encode(b"\x86\x4f\xd2\x6f\xb5\x59\xf7\x5b") == b"HelloWorld"
    assert z85.decode("HelloWorld") == b"\x86\x4f\xd2\x6f\xb5\x59\xf7\x5b"
    assert z85.encode(b"\xff" * 4) == b"%nSc0"
    assert z85.encode(b"") == b"" and z85.decode(b"") == b""
    data = bytes(range(256))
    assert z85.decode(z85.encode(data)) == data
    for bad in (b"%nSc1", b"Hell World", b'Hell"World', b"Hell\x7fWorld"):
        with pytest.raises(ValueError):
            z85.decode(bad)
    with pytest.raises(ValueError):
        z85.decode(b"abcd")
    with pytest.raises(ValueError):
        z85.encode(b"abc")


def test_curve_keygen_cli() -> None:
    import json
    import subprocess
    import sys

    keygen = [sys.executable, "-m", "ferromq.curve_keygen"]
    out = subprocess.run(keygen, capture_output=True, text=True, check=True, timeout=60).stdout
    lines = out.splitlines()
    public = lines[lines.index("== CURVE PUBLIC KEY ==") + 1].encode()
    secret = lines[lines.index("== CURVE SECRET KEY ==") + 1].encode()
    assert zmq.curve_public(secret) == public
    out = subprocess.run(keygen + ["--secret", CLIENT[1].decode(), "--json"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    assert json.loads(out) == {"public": CLIENT[0].decode(), "secret": CLIENT[1].decode()}
    help_text = subprocess.run(keygen + ["-h"], capture_output=True, text=True, check=True, timeout=60).stdout
    assert "--json" in help_text
