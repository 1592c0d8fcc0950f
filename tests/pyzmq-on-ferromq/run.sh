#!/usr/bin/env bash
# pyzmq built from its source (PyPI sdist, pyzmq 27.3.0) against libferromq, running
# pyzmq's own test suite and a Jupyter kernel test (test_jupyter.py).
#
#   bash tests/pyzmq-on-ferromq/run.sh            # build (once) and run against libferromq
#   bash tests/pyzmq-on-ferromq/run.sh --record   # run against pyzmq's wheel (libzmq 4.3.5)
#                                                 # and rewrite wheel-baseline.txt
#
# Steps: libferromq from `make -C bindings-c install` (run_all.sh's step; run here only if
# the install is missing) -> the sdist via `pip download` (sha256-checked) -> `pip wheel`
# with ZMQ_PREFIX at the install and PYZMQ_NO_BUNDLE=1 (cmake fails instead of falling back
# to a bundled libzmq) -> a venv of its own (target/venv-pyzmq-ferromq; the repository's
# .venv keeps pyzmq's wheel, the libzmq reference) -> ldd check that the zmq backend loads
# libferromq and no libzmq -> suite.py runs the sdist's tests/ plus test_jupyter.py with
# a per-test timeout and judges the outcomes against wheel-baseline.txt and
# expected-failures.txt (the script fails if an unlisted test fails or a listed one passes).
#
# The built wheel is kept in target/pyzmq-on-ferromq/ and rebuilt only when zmq.h, the
# sdist or the interpreter changes; pip's cache is not used (nothing outside the repo).
# Environment: PYTHON (interpreter for the venvs, default python3), FERROMQ_INSTALL
# (default target/ferromq-install), PYZMQ_TEST_TIMEOUT (seconds per test, default 20),
# PYZMQ_TEST_ARGS (pytest arguments replacing the default selection, e.g. "tests/test_socket.py").
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
PYTHON="${PYTHON:-python3}"
# Absolute: it ends up in the module's RPATH.
INSTALL="$(realpath -m "${FERROMQ_INSTALL:-$TARGET/ferromq-install}")"
WORK="$TARGET/pyzmq-on-ferromq"
PYZMQ_VERSION=27.3.0
PYZMQ_SHA256=bbedb3d1d99babc625f1dd9d7438acefd442b36b75073fd6bc1ef7c0a4b96d56
PIP_FLAGS=(--quiet --disable-pip-version-check --no-cache-dir)
# The 2 GiB message of test_large_send (marked "large") takes 20 s and over 4 GiB of memory.
TEST_ARGS=(-m "not large" tests jupyter)
if [ -n "${PYZMQ_TEST_ARGS:-}" ]; then
    read -r -a TEST_ARGS <<<"$PYZMQ_TEST_ARGS"
fi

RECORD=0
case "${1:-}" in
--record) RECORD=1 ;;
"") ;;
*) echo "usage: $0 [--record]" >&2; exit 2 ;;
esac

new_venv() { # dir
    [ -x "$1/bin/python" ] || "$PYTHON" -m venv "$1"
    "$1/bin/python" -m pip install "${PIP_FLAGS[@]}" --upgrade pip
}

mkdir -p "$WORK/home"
# Jupyter's and IPython's files (connection files, history) stay under target/ too, and
# no user configuration gets in.
export IPYTHONDIR="$WORK/home/ipython" JUPYTER_CONFIG_DIR="$WORK/home/jupyter-config" \
    JUPYTER_DATA_DIR="$WORK/home/jupyter-data" JUPYTER_RUNTIME_DIR="$WORK/home/jupyter-runtime"

# --- the sdist (its tests/ is what we run; the ferromq build also compiles it) ---
BUILD_VENV="$TARGET/venv-pyzmq-build"
SDIST="$WORK/pyzmq-$PYZMQ_VERSION.tar.gz"
if ! echo "$PYZMQ_SHA256  $SDIST" | sha256sum -c --quiet - 2>/dev/null; then
    new_venv "$BUILD_VENV"
    "$BUILD_VENV/bin/pip" install "${PIP_FLAGS[@]}" -r "$HERE/build-requirements.txt"
    # --no-build-isolation: pip reads the sdist's metadata with the backend installed above
    # instead of installing the build requirements into a throw-away environment.
    "$BUILD_VENV/bin/pip" download "${PIP_FLAGS[@]}" --no-deps --no-binary pyzmq \
        --no-build-isolation -d "$WORK" "pyzmq==$PYZMQ_VERSION"
    echo "$PYZMQ_SHA256  $SDIST" | sha256sum -c --quiet -
fi
rm -rf "$WORK/src" "$WORK/run"
mkdir -p "$WORK/src" "$WORK/run/jupyter"
tar -xzf "$SDIST" -C "$WORK/src"
# Only tests/ and pytest.ini: the sdist's zmq/ source package must not shadow the install.
cp -r "$WORK/src/pyzmq-$PYZMQ_VERSION/tests" "$WORK/src/pyzmq-$PYZMQ_VERSION/pytest.ini" "$WORK/run/"
cp "$HERE/test_jupyter.py" "$WORK/run/jupyter/"

if [ "$RECORD" = 1 ]; then
    VENV="$TARGET/venv-pyzmq-wheel"
    new_venv "$VENV"
    "$VENV/bin/pip" install "${PIP_FLAGS[@]}" --only-binary pyzmq "pyzmq==$PYZMQ_VERSION" -r "$HERE/requirements.txt"
    PYZMQ_EXPECT_LIB=libzmq "$PYTHON" "$HERE/suite.py" --python "$VENV/bin/python" \
        --workdir "$WORK/run" --outcomes "$WORK/outcomes-wheel.jsonl" \
        --baseline "$HERE/wheel-baseline.txt" --timeout "${PYZMQ_TEST_TIMEOUT:-20}" \
        --record -- "${TEST_ARGS[@]}"
    exit
fi

# --- libferromq ---
if [ ! -f "$INSTALL/lib/libferromq.so.0" ] || [ ! -f "$INSTALL/include/zmq.h" ]; then
    make -C "$REPO_ROOT/bindings-c" install PREFIX="$INSTALL"
fi

# --- pyzmq built against it (once) ---
WHEEL_DIR="$WORK/wheel"
STAMP="$(cat "$INSTALL/include/zmq.h" <(echo "$PYZMQ_SHA256 $INSTALL") <("$PYTHON" -VV) | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$WHEEL_DIR/stamp" 2>/dev/null)" != "$STAMP" ]; then
    new_venv "$BUILD_VENV"
    "$BUILD_VENV/bin/pip" install "${PIP_FLAGS[@]}" -r "$HERE/build-requirements.txt"
    rm -rf "$WHEEL_DIR"
    echo "building pyzmq $PYZMQ_VERSION against $INSTALL (a minute or two)"
    # ZMQ_PREFIX makes pyzmq's CMakeLists look only there; LIBZMQ_LIBRARY names the
    # library, which is libferromq.so rather than libzmq.so (the RPATH gets $INSTALL/lib).
    ZMQ_PREFIX="$INSTALL" PYZMQ_NO_BUNDLE=1 "$BUILD_VENV/bin/pip" wheel "${PIP_FLAGS[@]}" \
        --no-deps --no-build-isolation -w "$WHEEL_DIR" \
        -C "cmake.define.LIBZMQ_LIBRARY=$INSTALL/lib/libferromq.so" \
        -C "cmake.define.LIBZMQ_INCLUDE_DIR=$INSTALL/include" "$SDIST"
    echo "$STAMP" >"$WHEEL_DIR/stamp"
fi
VENV="$TARGET/venv-pyzmq-ferromq"
new_venv "$VENV"
"$VENV/bin/pip" install "${PIP_FLAGS[@]}" --force-reinstall --no-deps "$WHEEL_DIR"/pyzmq-*.whl
"$VENV/bin/pip" install "${PIP_FLAGS[@]}" -r "$HERE/requirements.txt"

# --- the backend loads libferromq, not libzmq ---
BACKEND="$("$VENV/bin/python" -c 'import zmq.backend.cython._zmq as m; print(m.__file__)')"
LDD="$(ldd "$BACKEND")"
echo "$LDD"
if ! grep -q "libferromq.so.0 => $INSTALL/lib/libferromq.so.0" <<<"$LDD" || grep -q libzmq <<<"$LDD"; then
    echo "FAILED: $BACKEND does not load $INSTALL/lib/libferromq.so.0 (or loads a libzmq)" >&2
    exit 1
fi
"$VENV/bin/python" -c '
import zmq
maps = open("/proc/self/maps").read()
assert "libferromq.so.0" in maps and "libzmq" not in maps, "zmq did not load libferromq alone"
print("pyzmq", zmq.pyzmq_version(), "on libferromq (zmq_version() reports", zmq.zmq_version() + ")")
'

PYZMQ_EXPECT_LIB=libferromq "$PYTHON" "$HERE/suite.py" --python "$VENV/bin/python" \
    --workdir "$WORK/run" --outcomes "$WORK/outcomes-ferromq.jsonl" \
    --baseline "$HERE/wheel-baseline.txt" --expected "$HERE/expected-failures.txt" \
    --timeout "${PYZMQ_TEST_TIMEOUT:-20}" -- "${TEST_ARGS[@]}"
