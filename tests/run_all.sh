#!/usr/bin/env bash
# The whole ferromq test suite, as CI runs it (.ci/run calls this script).
#
#   bash tests/run_all.sh
#
# Steps: Python venv (.venv, from tests/requirements.txt) -> cargo fmt --check -> clippy
# (-D warnings) -> Rust tests in release mode (nextest if installed, else cargo test) ->
# doc tests -> cargo doc -> release build of ferromq-peer -> pytest tests/interop (interop with libzmq
# via pyzmq, and hostile raw-socket peers).
#
# Needs: Rust stable (with rustfmt and clippy), a C toolchain, python3 (3.9+) with venv and
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

step "pytest tests/interop (libzmq interop via pyzmq, hostile peers)"
FERROMQ_PEER="${FERROMQ_PEER:-${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/ferromq-peer}" \
    "$VENV/bin/python" -m pytest tests/interop -q -p no:cacheprovider ${PYTEST_ARGS:-} # split on purpose
done_step

# --- Python binding (issue 6) ---
# Builds and installs bindings-python (maturin, abi3 wheel) into .venv, then runs its
# pytest suite (patterns, options, errors, Poller, Frame, asyncio, signals, pyzmq
# interop, examples) and mypy --strict on examples/python.
step "python binding: pip install ./bindings-python + pytest bindings-python/tests + mypy"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check mypy
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings-python
"$VENV/bin/python" -m pytest bindings-python/tests -q -p no:cacheprovider ${PYTEST_ARGS:-}
"$VENV/bin/python" -m mypy --strict examples/python
done_step
# --- end Python binding (issue 6) ---
