#!/usr/bin/env bash
# Long fuzzing runs (issue 11): each target in turn for HOURS, with JOBS parallel workers
# (libFuzzer's fork mode), continuing past findings so that one run collects them all.
#
#   bash fuzz/run_long.sh [--hours H] [--jobs N] [TARGET...]
#
# Defaults: 1 hour per target, 2 workers, all targets. The corpus grows in
# fuzz/corpus/<target>/ (not committed; kept between runs), starting from fuzz/seeds/.
# Findings land in fuzz/artifacts/<target>/ and are listed at the end; minimise each with
# `RUSTC_BOOTSTRAP=1 cargo fuzz tmin TARGET FILE` and commit it as fuzz/seeds/TARGET/regress-*.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
HOURS=1
JOBS=2
while [ $# -gt 0 ]; do
    case "$1" in
        --hours) HOURS="$2"; shift 2 ;;
        --jobs) JOBS="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] && { check_targets "$@"; TARGETS=("$@"); }
SECS="$(awk -v h="$HOURS" 'BEGIN { printf "%d", h * 3600 }')"

cd "$REPO_ROOT"
ensure_cargo_fuzz
cargo fuzz build
for t in "${TARGETS[@]}"; do
    mkdir -p "$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/artifacts/$t"
    echo "==> $t: ${SECS}s with $JOBS workers ($(date -u +%FT%TZ))"
    cargo fuzz run "$t" "$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/seeds/$t" -- \
        -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$SECS" -max_len="$MAX_LEN" -timeout=30 -rss_limit_mb=4096 \
        -print_final_stats=1 $(target_flags "$t") 2>&1 | grep -vE '^#[0-9]+\s+(NEW|REDUCE)' || true
done
echo
echo "==> findings (fuzz/artifacts):"
found=0
for t in "${TARGETS[@]}"; do
    for f in "$FUZZ_DIR/artifacts/$t"/*; do
        [ -e "$f" ] || continue
        found=1
        echo "  $t: $f"
    done
done
[ "$found" = 0 ] && echo "  none"
exit "$found"
