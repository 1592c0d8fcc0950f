#!/usr/bin/env bash
# PUSH -> PULL throughput over tcp and ipc, ferromq against libzmq, on this machine.
#
#   bash bench/run.sh            # print the results (Markdown) to stdout
#   bash bench/run.sh --write    # ... and put them into docs/PERFORMANCE.md
#   bash bench/run.sh --patterns # then also REQ/REP latency
#                                # (bench/run_patterns.sh, which gets --write
#                                # too and has its own knobs; PUB -> SUB is
#                                # KINDS=pubsub bash bench/run_c.sh)
#   bash bench/run.sh --inproc   # then also inproc throughput and latency
#                                # (bench/run_inproc.sh, same remarks)
#
# Environment:
#   TRANSPORTS  "tcp", "ipc" or both         (default "tcp ipc"; ipc endpoints
#               are ipc://<fresh temp dir>/thr-<n>.sock, removed afterwards)
#   SIZES    message sizes in bytes        (default "1 64 1024 65536")
#   RUNS     runs per implementation       (default 5; the median is reported)
#   COUNTS   "size:count ..." overrides    (default counts below, ~1-3 s per run)
#   IMPLS    which sides to run            (default "libzmq ferromq")
#   TIMEOUT  seconds allowed per run       (default 120)
#   HOST     address to use                (default 127.0.0.1)
#   IPC_CLOSE_DELAY_MS  ipc runs only: remote_thr (both libraries) sleeps this
#            long after its last send, before closing (default 1000), because
#            libzmq 4.3.x can drop the tail of an ipc queue at close despite
#            the infinite linger (libzmq issue #4660: the receiver then waits
#            until TIMEOUT). The receiver's clock stops at the last message, so
#            the delay does not enter the figures. 0 disables it.
#
# Each run starts local_thr (PULL, bind) on a free port or a fresh ipc path,
# then remote_thr (PUSH, connect); local_thr's clock starts at the first
# message. libzmq and ferromq runs alternate (lz, fm, lz, fm, ...) so that
# drifting machine load hits both alike. A build of ferromq without ipc://
# fails its ipc runs, which the table shows as "-" (all runs listed as FAIL).
set -euo pipefail

# The shared driver: arguments, builds, endpoints, runs, medians, the report's place.
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args 33 "--patterns --inproc" "$@"
bench_report run.sh "" IPC_CLOSE_DELAY_MS HOST TIMEOUT IMPLS COUNTS RUNS SIZES TRANSPORTS

TRANSPORTS="${TRANSPORTS:-tcp ipc}"
for t in $TRANSPORTS; do
    case "$t" in tcp|ipc) ;; *) echo "unknown transport: $t (tcp, ipc)" >&2; exit 2 ;; esac
done
SIZES="${SIZES:-1 64 1024 65536}"
RUNS="${RUNS:-5}"
IMPLS="${IMPLS:-libzmq ferromq}"
TIMEOUT="${TIMEOUT:-120}"
HOST="${HOST:-127.0.0.1}"
IPC_CLOSE_DELAY_MS="${IPC_CLOSE_DELAY_MS:-1000}"

default_count() {
    case "$1" in
        1) echo 20000000 ;;
        64) echo 10000000 ;;
        1024) echo 2000000 ;;
        65536) echo 100000 ;;
        *)  # aim at roughly 2 GB or 20 M messages, whichever is fewer
            local c=$(( 2000000000 / ($1 > 0 ? $1 : 1) ))
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
has_impl libzmq && build_libzmq "$BUILD" local_thr remote_thr
has_impl ferromq && build_ferromq_bench
bin_for() {  # impl prog -> path
    if [[ "$1" == libzmq ]]; then echo "$BUILD/$2"; else echo "$FM_DIR/ferromq_$2"; fi
}

# ---------------------------------------------------------------- helpers
bench_tmp
MEDIAN_FORMAT="%d"

# one_run impl endpoint size count -> prints msgs/s, or FAIL
one_run() {
    local impl="$1" ep="$2" size="$3" count="$4" delay=0 thr
    [[ "$ep" != ipc://* ]] || delay="$IPC_CLOSE_DELAY_MS"
    run_pair "$(bin_for "$impl" local_thr)" "$(bin_for "$impl" remote_thr)" "$ep" "$size" "$count" "$delay"
    thr="$(sed -n 's/^mean throughput: \([0-9]*\) \[msg\/s\]$/\1/p' "$TMP/local.out")"
    if [[ $RC_L -ne 0 || $RC_R -ne 0 || -z "$thr" ]]; then
        log "  $impl $ep size=$size: FAILED (local rc=$RC_L, remote rc=$RC_R; 124 = timeout)"
        sed 's/^/    local: /' "$TMP/local.out" "$TMP/local.err" >&2 || true
        sed 's/^/    remote: /' "$TMP/remote.out" "$TMP/remote.err" >&2 || true
        echo FAIL
    else
        echo "$thr"
    fi
}

# ---------------------------------------------------------------- machine
machine_before

# ---------------------------------------------------------------- runs
declare -A RESULTS  # "$transport:$impl:$size" -> "v1 v2 ..."
for transport in $TRANSPORTS; do
    for size in $SIZES; do
        count="$(count_for "$size")"
        log "$transport, size $size B, count $count, $RUNS runs each"
        for run in $(seq 1 "$RUNS"); do
            for impl in libzmq ferromq; do
                has_impl "$impl" || continue
                new_endpoint "$transport" thr
                v="$(one_run "$impl" "$EP" "$size" "$count")"
                RESULTS["$transport:$impl:$size"]="${RESULTS["$transport:$impl:$size"]:-} $v"
                log "  run $run $impl: $v msg/s"
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
    echo "| transport | size | count | libzmq msgs/s | libzmq MB/s | ferromq msgs/s | ferromq MB/s | ferromq / libzmq |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for transport in $TRANSPORTS; do
        for size in $SIZES; do
            count="$(count_for "$size")"
            # shellcheck disable=SC2086
            lz="$(median ${RESULTS["$transport:libzmq:$size"]:-})"
            # shellcheck disable=SC2086
            fm="$(median ${RESULTS["$transport:ferromq:$size"]:-})"
            echo "| $transport | $size B | $count | $(fmt_rate "$lz") | $(fmt_mbs "$lz" "$size") | $(fmt_rate "$fm") | $(fmt_mbs "$fm" "$size") | $(fmt_ratio "$fm" "$lz") |"
        done
    done
    echo
    echo "Medians of $RUNS runs; MB/s = msgs/s × size / 10^6; \"-\" = every run failed. All runs (msgs/s, in order):"
    echo
    for transport in $TRANSPORTS; do
        for size in $SIZES; do
            for impl in libzmq ferromq; do
                has_impl "$impl" || continue
                echo "- $transport $size B $impl:$(echo "${RESULTS["$transport:$impl:$size"]:-}" | sed 's/ \+/ /g')"
            done
        done
    done
} >"$TMP/report.md"

cat "$TMP/report.md"

write_report "Results"

if has_flag --patterns; then
    echo
    if [[ $WRITE -eq 1 ]]; then
        bash "$ROOT/bench/run_patterns.sh" --write
    else
        bash "$ROOT/bench/run_patterns.sh"
    fi
fi

if has_flag --inproc; then
    echo
    if [[ $WRITE -eq 1 ]]; then
        bash "$ROOT/bench/run_inproc.sh" --write
    else
        bash "$ROOT/bench/run_inproc.sh"
    fi
fi
