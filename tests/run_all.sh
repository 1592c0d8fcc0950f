#!/usr/bin/env bash
# The whole ferromq test suite, as CI runs it (.ci/run calls this script).
#
#   bash tests/run_all.sh
#
# Steps: Python venv (.venv, from tests/requirements.txt) -> cargo fmt --check -> clippy
# (-D warnings) -> minimum Rust version (tests/msrv.sh) -> Rust tests in release mode (nextest if installed, else cargo test) ->
# doc tests -> cargo doc -> release build of ferromq-peer -> pip install ./bindings-python -> pytest tests/interop (interop with libzmq
# via pyzmq, and hostile raw-socket peers).
#
# Needs: Rust stable (with rustfmt and clippy), a C toolchain, python3 (3.10+) with venv and
# pip (on Debian: apt-get install python3-venv); cargo-nextest is used when installed.
# Environment: PYTHON (interpreter used to create .venv, default python3),
#              PYTEST_ARGS (extra arguments for pytest, e.g. "-k hostile -x").
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

PYTHON="${PYTHON:-python3}"
VENV="$REPO_ROOT/.venv"
STEPS=()
START_ALL=$SECONDS
CURRENT=""

step() {
    CURRENT="$1"
    STEP_START=$SECONDS
    printf '\n==> %s\n' "$CURRENT"
}

done_step() {
    STEPS+=("ok    $(printf '%4ss' $((SECONDS - STEP_START)))  $CURRENT")
}

summary() {
    local status=$?
    printf '\n==================== summary ====================\n'
    local line
    for line in "${STEPS[@]+"${STEPS[@]}"}"; do
        printf '%s\n' "$line"
    done
    if [ "$status" -ne 0 ]; then
        printf 'FAILED       %s (exit %s)\n' "$CURRENT" "$status"
        printf 'RESULT: FAILED after %ss\n' $((SECONDS - START_ALL))
    else
        printf 'RESULT: all passed in %ss\n' $((SECONDS - START_ALL))
    fi
    exit "$status"
}
trap summary EXIT

step "python venv ($VENV) + tests/requirements.txt"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
"$VENV/bin/python" -c 'import zmq; print("pyzmq", zmq.__version__, "libzmq", zmq.zmq_version())'
done_step

step "cargo fmt --all -- --check"
cargo fmt --all -- --check
done_step

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
done_step

step "minimum Rust version (bash tests/msrv.sh: rust-version of crates and dependencies, clippy incompatible_msrv)"
bash tests/msrv.sh
done_step

if cargo nextest --version >/dev/null 2>&1; then
    step "cargo nextest run --workspace --release"
    cargo nextest run --workspace --release
else
    step "cargo test --workspace --release (cargo-nextest not installed)"
    cargo test --workspace --release
fi
done_step

step "cargo test --doc -p ferromq"
cargo test --doc -p ferromq
done_step

step "cargo doc --workspace --no-deps (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
done_step

step "cargo build --release -p ferromq-test-peer -p ferromq-examples"
cargo build --release -p ferromq-test-peer -p ferromq-examples
done_step

# ---- bindings-c: install libferromq (used by the C test step) ----
step "make -C bindings-c install PREFIX=target/ferromq-install"
make -C bindings-c install PREFIX="$REPO_ROOT/target/ferromq-install"
done_step
# ---- end bindings-c ----

# The ferromq Python module goes into .venv before the interop tests: the ZAP tests
# (tests/interop/test_security_zap.py) run a ferromq ZAP handler in the same process as pyzmq.
step "pip install ./bindings-python (the ferromq module, for tests/interop and the Python binding step)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings-python
done_step

step "pytest tests/interop (libzmq interop via pyzmq, hostile peers)"
FERROMQ_PEER="${FERROMQ_PEER:-${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/ferromq-peer}" \
    "$VENV/bin/python" -m pytest tests/interop -q -p no:cacheprovider ${PYTEST_ARGS:-} # split on purpose
done_step

# --- C tests (issue 5) ---
# tests/c/run.sh compiles every tests/c/test_*.c and examples/c/*.c from the same source
# against Debian's libzmq (installing libzmq3-dev if needed) and against ferromq's C ABI
# (after `make -C bindings-c install`), runs them, and checks that a -lzmq binary runs on
# ferromq through lib/ferromq-compat; then the ferromq build again under ASan/UBSan.
# Until bindings-c/ is in this tree, only the libzmq half can run. (~15 s plus the build.)
if [ -f "$REPO_ROOT/bindings-c/Makefile" ]; then
    step "C tests against libzmq and ferromq (bash tests/c/run.sh --against both)"
    bash tests/c/run.sh --against both
    done_step
    step "C tests against ferromq under ASan/UBSan (bash tests/c/run.sh --against ferromq --asan)"
    bash tests/c/run.sh --against ferromq --asan
    done_step
else
    step "C tests against libzmq only (bash tests/c/run.sh --against libzmq)"
    printf 'NOTICE: bindings-c/Makefile not found: the ferromq C ABI is not in this tree yet,\n'
    printf '        so the C tests run against Debian libzmq only (not against ferromq).\n'
    bash tests/c/run.sh --against libzmq
    done_step
fi
# --- end C tests (issue 5) ---
# --- libzmq's own test suite (issue 10) ---
# tests/libzmq-suite/run.sh fetches libzmq 4.3.4's source (Debian's zeromq3, `apt-get source`
# with a private apt configuration under target/libzmq-suite; the system's is not touched),
# builds its stable tests/test_*.cpp against Debian's libzmq and the installed libferromq,
# runs both, and checks the failures against tests/libzmq-suite/expected-failures.txt (which
# only shrinks). (~2-3 min build + ~2 min run on 2 cores.)
step "libzmq's own test suite against libferromq (bash tests/libzmq-suite/run.sh)"
bash tests/libzmq-suite/run.sh
done_step
# --- end libzmq's own test suite (issue 10) ---
# --- fuzz smoke (issue 11) ---
# fuzz/smoke.sh installs cargo-fuzz if missing, builds the fuzz targets (fuzz/, its own
# workspace; RUSTC_BOOTSTRAP=1 on stable) and runs each for FUZZ_SMOKE_SECONDS (30 s) from
# its committed seeds, which are replayed as regression inputs. Long runs: fuzz/run_long.sh.
step "fuzz smoke (bash fuzz/smoke.sh: 4 cargo-fuzz targets x ${FUZZ_SMOKE_SECONDS:-30}s)"
bash fuzz/smoke.sh
done_step
# --- end fuzz smoke (issue 11) ---
# --- Python binding (issue 6) ---
# bindings-python (maturin, abi3 wheel) is installed into .venv before tests/interop; this runs its
# pytest suite (patterns, options, errors, Poller, Frame, asyncio, signals, pyzmq
# interop, examples, the shared socket lock), mypy --strict on examples/python, and
# mypy.stubtest: the installed module against its stub (python/ferromq/_native.pyi).
step "python binding: pytest bindings-python/tests + mypy + stubtest (module installed above)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check mypy
# tornado and gevent: the module's ZMQStream and green tests (issue 15).
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "tornado>=6" "gevent>=23"
"$VENV/bin/python" -m pytest bindings-python/tests -q -p no:cacheprovider ${PYTEST_ARGS:-}
"$VENV/bin/python" -m mypy --strict examples/python
"$VENV/bin/python" -m mypy.stubtest ferromq._native
done_step
# --- end Python binding (issue 6) ---
# --- pyzmq on ferromq (issue 10) ---
# pyzmq 27.3.0 built from its PyPI sdist against libferromq (the install above), in its own
# venv (target/venv-pyzmq-ferromq), ldd-checked, running pyzmq's own test suite and a
# Jupyter kernel test; judged against tests/pyzmq-on-ferromq/wheel-baseline.txt and
# expected-failures.txt. (~1.5 min to build pyzmq, ~2 min of tests.)
step "pyzmq built on libferromq: its test suite + Jupyter (bash tests/pyzmq-on-ferromq/run.sh)"
PYTHON="$PYTHON" FERROMQ_INSTALL="$REPO_ROOT/target/ferromq-install" bash tests/pyzmq-on-ferromq/run.sh
done_step
# --- end pyzmq on ferromq (issue 10) ---
# --- pyzmq suite on the module (issue 15) ---
# pyzmq 27.3.0's own test suite (sdist from PyPI, sha256-pinned) run on pyzmq's wheel and
# with `zmq` resolved to the ferromq module (ferromq.compat.install()); fails on an
# unlisted difference, a listed test that passes, or < 95 % (not counting tests pending
# elsewhere). List: tests/pyzmq-on-module/expected-failures.txt. (~3 min)
step "pyzmq's test suite on the ferromq module (bash tests/pyzmq-on-module/run.sh)"
VENV="$VENV" bash tests/pyzmq-on-module/run.sh
done_step
# --- end pyzmq suite on the module (issue 15) ---
