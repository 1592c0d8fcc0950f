#!/usr/bin/env python3
"""Checks an installed zmq.h against libzmq's (/usr/include/zmq.h, stable API):

* every stable prototype of libzmq, re-declared after including ours, compiles (C
  rejects conflicting declarations), so the signatures are compatible;
* every #define both headers have evaluates to the same number (except the version).

Usage: check_header.py <prefix>
"""
import os
import re
import subprocess
import sys
import tempfile

LIBZMQ_H = "/usr/include/zmq.h"


def main():
    include = os.path.join(sys.argv[1], "include")
    text = open(LIBZMQ_H).read()
    stable = text[: text.index("#ifdef ZMQ_BUILD_DRAFT_API")]
    protos = [" ".join(d.split()) for d in re.findall(r"\nZMQ_EXPORT\s+([^;#]*?;)", stable, re.S)]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "protos.c")
        with open(src, "w") as f:
            f.write("#include <zmq.h>\n" + "\n".join(protos) + "\nint main(void) { return 0; }\n")
        subprocess.run(["cc", "-Wall", "-Werror", "-c", "-o", os.devnull, "-I" + include, src], check=True)
        print(f"{len(protos)} libzmq prototypes: compatible")

        def defines(extra):
            out = subprocess.run(["cc", "-dM", "-E", *extra, "-"], input="#include <zmq.h>\n",
                                 capture_output=True, text=True, check=True).stdout
            return {m.group(1) for m in re.finditer(r"#define ((?:ZMQ_|E)[A-Z0-9_]+) ", out)}

        names = sorted((defines([]) & defines(["-I" + include])) - {"ZMQ_H_INCLUDED", "ZMQ_EXPORT"})
        prog = os.path.join(tmp, "vals.c")
        with open(prog, "w") as f:
            f.write("#include <zmq.h>\n#include <stdio.h>\nint main(void) {\n")
            f.writelines(f'printf("{n} %ld\\n", (long) ({n}));\n' for n in names)
            f.write("return 0; }\n")
        values = []
        for extra in ([], ["-I" + include]):
            exe = os.path.join(tmp, "vals")
            subprocess.run(["cc", *extra, "-o", exe, prog], check=True)
            values.append(dict(l.split() for l in subprocess.run([exe], capture_output=True,
                                                                  text=True, check=True).stdout.splitlines()))
        differ = {n: (values[0][n], values[1][n]) for n in names
                  if values[0][n] != values[1][n] and n not in ("ZMQ_VERSION", "ZMQ_VERSION_PATCH")}
        if differ:
            sys.exit(f"constants differ from libzmq: {differ}")
        print(f"{len(names)} constants: same values as libzmq")


if __name__ == "__main__":
    main()
