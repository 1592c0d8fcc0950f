#!/usr/bin/env bash
# REQ/REP latency (tcp and ipc), ferromq's Rust programs against libzmq's C ones,
# on this machine. PUB -> SUB throughput moved to the reference harness, which runs
# the same C programs on both libraries: KINDS=pubsub bash bench/run_c.sh.
#
#   bash bench/run_patterns.sh            # print the results (Markdown) to stdout
#   bash bench/run_patterns.sh --write    # ... and put them into docs/PERFORMANCE.md
#   bash bench/run.sh --patterns [--write]   # PUSH/PULL first, then this script
#
# Environment:
#   TRANSPORTS    latency transports, "tcp", "ipc" or both (default "tcp ipc";
#                 ipc endpoints are ipc://<fresh temp dir>/lat-<n>.sock)
#   RUNS          runs per implementation and case   (default 5; the median is reported)
#   LAT_SIZES     REQ/REP message sizes in bytes     (default "1 1024")
#   LAT_COUNT     round trips per latency run        (default 20000)
#   IMPLS         which sides to run                 (default "libzmq ferromq")
#   TIMEOUT       seconds allowed per run            (default 120)
#   HOST          address to use                     (default 127.0.0.1)
#
# Latency: local_lat (REP, bind; free port or fresh ipc path) echoes LAT_COUNT
# messages for remote_lat (REQ, connect), which prints the one-way latency
# elapsed / (count x 2), as libzmq's perf tools do. libzmq and ferromq runs
# alternate (lz, fm, lz, fm, ...). A build of ferromq without ipc:// fails its
# ipc runs, which the table shows as "-" (all runs listed as FAIL).
set -euo pipefail

# The shared driver: arguments, builds, endpoints, runs, medians, the report's place.
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args 24 "" "$@"
bench_report run_patterns.sh PATTERN HOST TIMEOUT IMPLS LAT_COUNT LAT_SIZES RUNS TRANSPORTS

TRANSPORTS="${TRANSPORTS:-tcp ipc}"
for t in $TRANSPORTS; do
    case "$t" in tcp|ipc) ;; *) echo "unknown transport: $t (tcp, ipc)" >&2; exit 2 ;; esac
done
RUNS="${RUNS:-5}"
LAT_SIZES="${LAT_SIZES:-1 1024}"
LAT_COUNT="${LAT_COUNT:-20000}"
IMPLS="${IMPLS:-libzmq ferromq}"
TIMEOUT="${TIMEOUT:-120}"
HOST="${HOST:-127.0.0.1}"

# ---------------------------------------------------------------- build
FM_DIR=""
has_impl libzmq && build_libzmq "$BUILD" local_lat remote_lat
has_impl ferromq && build_ferromq_bench

bin_for() {  # impl prog -> path
    if [[ "$1" == libzmq ]]; then echo "$BUILD/$2"; else echo "$FM_DIR/ferromq_$2"; fi
}

# ---------------------------------------------------------------- helpers
bench_tmp

# lat_run impl endpoint size count -> prints one-way latency in us, or FAIL
lat_run() {
    local impl="$1" ep="$2" size="$3" count="$4" lat
    run_pair "$(bin_for "$impl" local_lat)" "$(bin_for "$impl" remote_lat)" "$ep" "$size" "$count" 0
    lat="$(sed -n 's/^average latency: \([0-9.]*\) \[us\]$/\1/p' "$TMP/remote.out")"
    if [[ $RC_L -ne 0 || $RC_R -ne 0 || -z "$lat" ]]; then
        log "  $impl latency $ep size=$size: FAILED (local rc=$RC_L, remote rc=$RC_R; 124 = timeout)"
        dump_outputs "$TMP/local.out" "$TMP/local.err" "$TMP/remote.out" "$TMP/remote.err"
        echo FAIL
    else
        echo "$lat"
    fi
}

# ---------------------------------------------------------------- machine
machine_before

# ---------------------------------------------------------------- runs
declare -A LAT  # "$transport:$impl:$size" -> "v1 v2 ..."
for transport in $TRANSPORTS; do
    for size in $LAT_SIZES; do
        log "REQ/REP latency over $transport, size $size B, $LAT_COUNT round trips, $RUNS runs each"
        for run in $(seq 1 "$RUNS"); do
            for impl in libzmq ferromq; do
                has_impl "$impl" || continue
                new_endpoint "$transport" lat
                v="$(lat_run "$impl" "$EP" "$size" "$LAT_COUNT")"
                LAT["$transport:$impl:$size"]="${LAT["$transport:$impl:$size"]:-} $v"
                log "  run $run $impl: $v us"
            done
        done
    done
done
machine_after

# ---------------------------------------------------------------- report
{
    echo "Command: \`$COMMAND\`"
    echo
    echo "Machine: $NPROC CPUs ($CPU_MODEL), $KERNEL; libzmq $LZ_VERSION (Debian libzmq3-dev, C programs in bench/c, gcc -O2); ferromq built with $RUSTC, release profile."
    echo "Run: $STARTED; RUNS=$RUNS, alternating libzmq/ferromq; CPU idle just before $IDLE_BEFORE %, just after $IDLE_AFTER % (below ~95 % means other work was running: expect noise); load average before $LOAD_BEFORE, after $LOAD_AFTER."
    echo
    echo "REQ/REP latency over tcp://$HOST and ipc://, one way (elapsed / (round trips × 2)); **ratio = libzmq latency / ferromq latency, so > 1 means ferromq is faster**; \"-\" = every run failed:"
    echo
    echo "| transport | size | round trips | libzmq µs | ferromq µs | libzmq / ferromq (> 1: ferromq faster) |"
    echo "|---|---:|---:|---:|---:|---:|"
    for transport in $TRANSPORTS; do
        for size in $LAT_SIZES; do
            # shellcheck disable=SC2086
            lz="$(median ${LAT["$transport:libzmq:$size"]:-})"
            # shellcheck disable=SC2086
            fm="$(median ${LAT["$transport:ferromq:$size"]:-})"
            echo "| $transport | $(fmt_size "$size") | $LAT_COUNT | $(fmt_us "$lz" 1) | $(fmt_us "$fm" 1) | $(fmt_ratio "$lz" "$fm") |"
        done
    done
    echo
    echo "Medians of $RUNS runs. All runs, in order (latency in µs):"
    echo
    for transport in $TRANSPORTS; do
        for size in $LAT_SIZES; do
            for impl in libzmq ferromq; do
                has_impl "$impl" || continue
                echo "- latency $transport $(fmt_size "$size") $impl:$(echo "${LAT["$transport:$impl:$size"]:-}" | sed 's/ \+/ /g')"
            done
        done
    done
} >"$TMP/report.md"

cat "$TMP/report.md"

write_report "Results: REQ/REP latency"
