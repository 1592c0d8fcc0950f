#!/usr/bin/env bash
# Fuzz smoke (issue 11): builds every cargo-fuzz target once, then runs each for a short
# while starting from its committed seeds (fuzz/seeds/<target>/, which are thereby also
# replayed as regression inputs). Fails on the first crash, leak, timeout or OOM.
#
#   bash fuzz/smoke.sh [TARGET...]          # all targets by default
#
# Environment: FUZZ_SMOKE_SECONDS (per target, default 30). Installs cargo-fuzz if missing.
# New inputs found go to target/fuzz-smoke/<target>/ (thrown away next run); a crash is
# written to fuzz/artifacts/<target>/ with the command to replay it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
SECS="${FUZZ_SMOKE_SECONDS:-30}"
[ $# -gt 0 ] && { check_targets "$@"; TARGETS=("$@"); }

cd "$FUZZ_DIR"
cargo fmt --check  # fuzz/ is outside the workspace that `cargo fmt --all` formats
cd "$REPO_ROOT"
ensure_cargo_fuzz
t0=$SECONDS
cargo fuzz build
echo "fuzz targets built in $((SECONDS - t0))s"

for t in "${TARGETS[@]}"; do
    work="$REPO_ROOT/target/fuzz-smoke/$t"
    rm -rf "$work"
    mkdir -p "$work"
    echo "==> fuzz smoke: $t (${SECS}s, seeds: fuzz/seeds/$t, $(ls "$FUZZ_DIR/seeds/$t" | wc -l) inputs)"
    log="$work.log"
    if ! cargo fuzz run "$t" "$work" "$FUZZ_DIR/seeds/$t" -- \
            -max_total_time="$SECS" -max_len="$MAX_LEN" -timeout=30 -rss_limit_mb=4096 \
            -print_final_stats=1 $(target_flags "$t") >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "FAIL: fuzz target $t found a problem (full log: $log)."
        echo "Replay: RUSTC_BOOTSTRAP=1 cargo fuzz run $t fuzz/artifacts/$t/<file>;"
        echo "minimise: RUSTC_BOOTSTRAP=1 cargo fuzz tmin $t fuzz/artifacts/$t/<file>;"
        echo "then commit the minimised input as fuzz/seeds/$t/regress-<what>."
        exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|DONE' "$log" || true
done
echo "fuzz smoke: ${#TARGETS[@]} targets, ${SECS}s each, no finding"
