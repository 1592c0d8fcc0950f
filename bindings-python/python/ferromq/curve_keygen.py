"""``python3 -m ferromq.curve_keygen``: prints a new CURVE key pair (pyzmq's
``zmq.curve_keygen``), or the public key of ``--secret``, as text or ``--json``."""

from __future__ import annotations

import argparse
import json
from typing import Optional, Sequence

from ferromq.curve import curve_keypair, curve_public


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python3 -m ferromq.curve_keygen",
        description="Generate a CURVE key pair (Z85 text) for ZeroMQ security.",
    )
    parser.add_argument("--secret", help="derive the public key of this Z85 secret key instead")
    parser.add_argument("--json", action="store_true", help='print {"public": ..., "secret": ...} as JSON')
    args = parser.parse_args(argv)
    if args.secret:
        secret = args.secret.encode("ascii")
        public = curve_public(secret)
    else:
        public, secret = curve_keypair()
    if args.json:
        print(json.dumps({"public": public.decode("ascii"), "secret": secret.decode("ascii")}))
    else:
        print("== CURVE PUBLIC KEY ==")
        print(public.decode("ascii"))
        print("== CURVE SECRET KEY ==")
        print(secret.decode("ascii"))


if __name__ == "__main__":
    main()
