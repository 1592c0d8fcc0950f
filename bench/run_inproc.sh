#!/usr/bin/env bash
# inproc:// throughput (PUSH -> PULL) and latency (REQ/REP), ferromq against
# libzmq, on this machine: one process, two threads, one context, as libzmq's
# perf/inproc_thr and perf/inproc_lat.
#
#   bash bench/run_inproc.sh            # print the results (Markdown) to stdout
#   bash bench/run_inproc.sh --write    # ... and put them into docs/PERFORMANCE.md
#   bash bench/run.sh --inproc [--write]   # PUSH/PULL over tcp/ipc first, then this
#
# Environment:
#   THR_SIZES  throughput message sizes in bytes  (default "1 64 1024 65536")
#   COUNTS     "size:count ..." throughput count overrides (defaults below,
#              ~1-3 s per run on a 2-vCPU VM)
#   LAT_SIZES  latency message sizes in bytes     (default "1 64 1024 65536")
#   LAT_COUNT  round trips per latency run        (default 200000)
#   RUNS       runs per implementation and case   (default 5; the median is reported)
#   IMPLS      which sides to run                 (default "libzmq ferromq")
#   TIMEOUT    seconds allowed per run            (default 120)
#
# Throughput: inproc_thr <size> <count> binds a PULL socket to inproc://thr_test
# and starts a thread whose PUSH socket (same context) connects and sends count
# messages; the main thread's clock starts at the first message. Latency:
# inproc_lat <size> <roundtrip-count> binds a REQ socket to inproc://lat_test,
# a thread's REP socket connects and echoes; one-way latency = elapsed /
# (round trips x 2). libzmq (bench/c/inproc_{thr,lat}.c) and ferromq
# (ferromq_inproc_{thr,lat}) runs alternate (lz, fm, lz, fm, ...).
set -euo pipefail

# The shared driver: arguments, builds, medians, the report's place.
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args 27 "" "$@"
bench_report run_inproc.sh INPROC TIMEOUT IMPLS RUNS LAT_COUNT LAT_SIZES COUNTS THR_SIZES

THR_SIZES="${THR_SIZES:-1 64 1024 65536}"
LAT_SIZES="${LAT_SIZES:-1 64 1024 65536}"
LAT_COUNT="${LAT_COUNT:-200000}"
RUNS="${RUNS:-5}"
IMPLS="${IMPLS:-libzmq ferromq}"
TIMEOUT="${TIMEOUT:-120}"

default_count() {
    case "$1" in
        1) echo 20000000 ;;
        64) echo 10000000 ;;
        1024) echo 5000000 ;;
        65536) echo 300000 ;;
        1048576) echo 5000 ;;  # up to 2 x HWM = 2000 MiB queued: needs memory
        *)  # aim at roughly 10 GB or 20 M messages, whichever is fewer
            local c=$(( 10000000000 / ($1 > 0 ? $1 : 1) ))
            (( c > 20000000 )) && c=20000000
            (( c < 1000 )) && c=1000
            echo "$c" ;;
    esac
}
count_for() {
    local pair
    for pair in ${COUNTS:-}; do
        if [[ "${pair%%:*}" == "$1" ]]; then echo "${pair#*:}"; return; fi
    done
    default_count "$1"
}

# ---------------------------------------------------------------- build
FM_DIR=""
has_impl libzmq && build_libzmq "$BUILD" inproc_thr inproc_lat
has_impl ferromq && build_ferromq_bench

bin_for() {  # impl prog -> path
    if [[ "$1" == libzmq ]]; then echo "$BUILD/$2"; else echo "$FM_DIR/ferromq_$2"; fi
}

# ---------------------------------------------------------------- helpers
bench_tmp

# thr_run impl size count -> prints msgs/s, or FAIL
thr_run() {
    local impl="$1" size="$2" count="$3" rc=0 thr
    timeout "$TIMEOUT" "$(bin_for "$impl" inproc_thr)" "$size" "$count" \
        >"$TMP/thr.out" 2>"$TMP/thr.err" || rc=$?
    thr="$(sed -n 's/^mean throughput: \([0-9]*\) \[msg\/s\]$/\1/p' "$TMP/thr.out")"
    if [[ $rc -ne 0 || -z "$thr" ]]; then
        log "  $impl inproc_thr size=$size: FAILED (rc=$rc; 124 = timeout)"
        dump_outputs "$TMP/thr.out" "$TMP/thr.err"
        echo FAIL
    else
        echo "$thr"
    fi
}

# lat_run impl size count -> prints one-way latency in us, or FAIL
lat_run() {
    local impl="$1" size="$2" count="$3" rc=0 lat
    timeout "$TIMEOUT" "$(bin_for "$impl" inproc_lat)" "$size" "$count" \
        >"$TMP/lat.out" 2>"$TMP/lat.err" || rc=$?
    lat="$(sed -n 's/^average latency: \([0-9.]*\) \[us\]$/\1/p' "$TMP/lat.out")"
    if [[ $rc -ne 0 || -z "$lat" ]]; then
        log "  $impl inproc_lat size=$size: FAILED (rc=$rc; 124 = timeout)"
        dump_outputs "$TMP/lat.out" "$TMP/lat.err"
        echo FAIL
    else
        echo "$lat"
    fi
}

# ---------------------------------------------------------------- machine
machine_before

# ---------------------------------------------------------------- runs
declare -A THR LAT  # "$impl:$size" -> "v1 v2 ..."
for size in $THR_SIZES; do
    count="$(count_for "$size")"
    log "inproc throughput, size $size B, count $count, $RUNS runs each"
    for run in $(seq 1 "$RUNS"); do
        for impl in libzmq ferromq; do
            has_impl "$impl" || continue
            v="$(thr_run "$impl" "$size" "$count")"
            THR["$impl:$size"]="${THR["$impl:$size"]:-} $v"
            log "  run $run $impl: $v msg/s"
        done
    done
done
for size in $LAT_SIZES; do
    log "inproc latency, size $size B, $LAT_COUNT round trips, $RUNS runs each"
    for run in $(seq 1 "$RUNS"); do
        for impl in libzmq ferromq; do
            has_impl "$impl" || continue
            v="$(lat_run "$impl" "$size" "$LAT_COUNT")"
            LAT["$impl:$size"]="${LAT["$impl:$size"]:-} $v"
            log "  run $run $impl: $v us"
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
    echo "PUSH → PULL throughput over inproc:// (one process, two threads); **ratio = ferromq / libzmq, so > 1 means ferromq is faster**:"
    echo
    echo "| size | count | libzmq msgs/s | libzmq MB/s | ferromq msgs/s | ferromq MB/s | ferromq / libzmq (> 1: ferromq faster) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    for size in $THR_SIZES; do
        count="$(count_for "$size")"
        # shellcheck disable=SC2086
        lz="$(median ${THR["libzmq:$size"]:-})"
        # shellcheck disable=SC2086
        fm="$(median ${THR["ferromq:$size"]:-})"
        echo "| $(fmt_size "$size") | $count | $(fmt_rate "$lz") | $(fmt_mbs "$lz" "$size") | $(fmt_rate "$fm") | $(fmt_mbs "$fm" "$size") | $(fmt_ratio "$fm" "$lz") |"
    done
    echo
    echo "REQ/REP latency over inproc://, one way (elapsed / (round trips × 2)); **ratio = libzmq latency / ferromq latency, so > 1 means ferromq is faster**:"
    echo
    echo "| size | round trips | libzmq µs | ferromq µs | libzmq / ferromq (> 1: ferromq faster) |"
    echo "|---:|---:|---:|---:|---:|"
    for size in $LAT_SIZES; do
        # shellcheck disable=SC2086
        lz="$(median ${LAT["libzmq:$size"]:-})"
        # shellcheck disable=SC2086
        fm="$(median ${LAT["ferromq:$size"]:-})"
        echo "| $(fmt_size "$size") | $LAT_COUNT | $(fmt_us "$lz") | $(fmt_us "$fm") | $(fmt_ratio "$lz" "$fm") |"
    done
    echo
    echo "Medians of $RUNS runs; MB/s = msgs/s × size / 10^6. All runs, in order (throughput in msgs/s, latency in µs):"
    echo
    for size in $THR_SIZES; do
        for impl in libzmq ferromq; do
            has_impl "$impl" || continue
            echo "- throughput $(fmt_size "$size") $impl:$(echo "${THR["$impl:$size"]:-}" | sed 's/ \+/ /g')"
        done
    done
    for size in $LAT_SIZES; do
        for impl in libzmq ferromq; do
            has_impl "$impl" || continue
            echo "- latency $(fmt_size "$size") $impl:$(echo "${LAT["$impl:$size"]:-}" | sed 's/ \+/ /g')"
        done
    done
} >"$TMP/report.md"

cat "$TMP/report.md"

write_report "Results: inproc throughput and latency"
