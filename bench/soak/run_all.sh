#!/usr/bin/env bash
# Soak and fault scripts (issue 11), each against libzmq (pyzmq) and ferromq side by side.
# They print figures (Markdown tables, as recorded in docs/RELIABILITY.md); they are not
# pass/fail tests.
#
#   bash bench/soak/run_all.sh [--impl libzmq|ferromq|both] [--skip-setup] [SCRIPT...]
#
# SCRIPT names (default: all, in this order): ping_flood never_reading peer_restarts
# linger_burst sigpipe_storm connections netns_faults. Each also runs alone:
#   .venv/bin/python bench/soak/<script>.py --help
# Setup (skipped with --skip-setup): .venv with tests/requirements.txt (pyzmq), the ferromq
# Python module (pip install ./bindings-python), libferromq under target/ferromq-install
# (make -C bindings-c install) and Debian's libzmq3-dev (for the C program of
# sigpipe_storm). netns_faults needs root (it says SKIPPED otherwise).
# Output is also written to target/soak/figures-<commit>.md.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"
VENV="${VENV:-$REPO_ROOT/.venv}"
IMPL=both
SETUP=1
SCRIPTS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --impl) IMPL="$2"; shift 2 ;;
        --skip-setup) SETUP=0; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) SCRIPTS+=("$1"); shift ;;
    esac
done
[ ${#SCRIPTS[@]} -eq 0 ] && SCRIPTS=(ping_flood never_reading peer_restarts linger_burst sigpipe_storm connections netns_faults)

if [ "$SETUP" = 1 ]; then
    [ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings-python
    make -C bindings-c install PREFIX="$REPO_ROOT/target/ferromq-install" >/dev/null
    if [ ! -f /usr/include/zmq.h ]; then
        apt-get -o DPkg::Lock::Timeout=600 install -y libzmq3-dev >/dev/null ||
            { apt-get update >/dev/null && apt-get -o DPkg::Lock::Timeout=600 install -y libzmq3-dev >/dev/null; }
    fi
fi

mkdir -p target/soak
commit="$(git log -1 --format='%h')"
out="target/soak/figures-$commit.md"
{
    echo "## Soak and fault figures"
    echo
    echo "ferromq commit $(git log -1 --format='%h (%cs) %s'); $(git status --porcelain --untracked-files=no | grep -q . && echo 'with uncommitted changes; ')$("$VENV/bin/python" -c 'import zmq; print("libzmq", zmq.zmq_version(), "via pyzmq", zmq.__version__)'); $(uname -sr), $(nproc) CPUs; $(date -u +%FT%TZ)"
} | tee "$out"
for s in "${SCRIPTS[@]}"; do
    args=(--impl "$IMPL")
    echo "==> bench/soak/$s.py ${args[*]}" >&2
    "$VENV/bin/python" "bench/soak/$s.py" "${args[@]}" | tee -a "$out"
    if [ "$s" = ping_flood ]; then
        "$VENV/bin/python" bench/soak/ping_flood.py "${args[@]}" --heartbeat | tee -a "$out"
    fi
done
echo >&2
echo "figures written to $out" >&2
