#!/bin/sh
# Checks an install tree: builds smoke.c against it (shared, static, AddressSanitizer)
# and, when Debian's libzmq is present, against libzmq, then runs that binary both on
# libzmq and on ferromq through lib/ferromq-compat.
#   bindings-c/smoke/run.sh <prefix>
set -eu
PREFIX=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
CC=${CC:-cc}

step() { printf '== %s\n' "$*"; }

step "header: C89, C99, C11 (pedantic) and C++, included twice"
printf '#include <zmq.h>\n#include <zmq.h>\nint main(void) { zmq_msg_t m; return zmq_msg_init(&m); }\n' > "$OUT/hdr.c"
for std in c89 c99 c11; do
    $CC -std=$std -pedantic -Wall -Wextra -Werror -c -o /dev/null $(pkg-config --cflags ferromq) "$OUT/hdr.c"
done
if command -v c++ >/dev/null; then
    c++ -Wall -Werror -x c++ -c -o /dev/null $(pkg-config --cflags ferromq) "$OUT/hdr.c"
fi

step "shared, via pkg-config"
$CC -Wall -Wextra -Werror -o "$OUT/shared" "$HERE/smoke.c" $(pkg-config --cflags --libs ferromq) -lpthread
timeout 120 "$OUT/shared"

step "static"
$CC -Wall -o "$OUT/static" "$HERE/smoke.c" $(pkg-config --cflags ferromq) \
    "$PREFIX/lib/libferromq.a" $(pkg-config --static --libs-only-l ferromq | sed 's/-lferromq//') -lpthread
timeout 120 "$OUT/static"

step "AddressSanitizer"
$CC -g -fsanitize=address -fno-omit-frame-pointer -o "$OUT/asan" "$HERE/smoke.c" \
    $(pkg-config --cflags --libs ferromq) -lpthread
timeout 120 "$OUT/asan"

if [ -e /usr/include/zmq.h ] && command -v python3 >/dev/null; then
    step "installed zmq.h against libzmq's: prototypes and constants"
    python3 "$HERE/check_header.py" "$PREFIX"
fi

if [ -e /usr/include/zmq.h ] && $CC -o "$OUT/libzmq" "$HERE/smoke.c" -lzmq -lpthread 2>/dev/null; then
    step "built against libzmq, run on libzmq"
    timeout 120 "$OUT/libzmq"
    step "built against libzmq, run on ferromq (LD_LIBRARY_PATH=lib/ferromq-compat)"
    LD_LIBRARY_PATH="$PREFIX/lib/ferromq-compat" ldd "$OUT/libzmq" | grep libzmq
    LD_LIBRARY_PATH="$PREFIX/lib/ferromq-compat" timeout 120 "$OUT/libzmq"
else
    step "libzmq not installed: compat check skipped"
fi
step "smoke: all ok"
