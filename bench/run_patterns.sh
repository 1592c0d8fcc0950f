#!/usr/bin/env bash
# REQ/REP latency (tcp and ipc) and PUB -> SUB throughput (tcp), ferromq
# against libzmq, on this machine.
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
#   PUBSUB_SIZE   PUB -> SUB message size in bytes   (default 64)
#   PUBSUB_SUBS   subscriber counts                  (default "1 4")
#   PUBSUB_COUNT  messages per PUB -> SUB run        (default 2000000)
#   PUBSUB_HWM    SNDHWM of the PUB and RCVHWM of each SUB, same for both
#                 libraries (default 2 x PUBSUB_COUNT: libzmq's writer learns of
#                 the reader's progress only every HWM/2 messages, so HWM =
#                 count can still drop; twice the count leaves ample margin)
#   IMPLS         which sides to run                 (default "libzmq ferromq")
#   TIMEOUT       seconds allowed per run            (default 120)
#   HOST          address to use                     (default 127.0.0.1)
#
# Latency: local_lat (REP, bind; free port or fresh ipc path) echoes LAT_COUNT
# messages for remote_lat (REQ, connect), which prints the one-way latency
# elapsed / (count x 2), as libzmq's perf tools do. PUB -> SUB: pub_thr binds a PUB and a PULL control socket, N
# sub_thr processes connect; see bench/c/pub_thr.c for the warm-up handshake.
# Each sub_thr times from its first data message; the table reports the slowest
# subscriber (msgs/s per subscriber) and any drops. libzmq and ferromq runs
# alternate (lz, fm, lz, fm, ...). A build of ferromq without ipc:// fails its
# ipc runs, which the table shows as "-" (all runs listed as FAIL).
set -euo pipefail

# The shared driver: arguments, builds, endpoints, runs, medians, the report's place.
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args 36 "" "$@"
bench_report run_patterns.sh PATTERN HOST TIMEOUT IMPLS PUBSUB_HWM PUBSUB_COUNT PUBSUB_SUBS PUBSUB_SIZE LAT_COUNT LAT_SIZES RUNS TRANSPORTS

TRANSPORTS="${TRANSPORTS:-tcp ipc}"
for t in $TRANSPORTS; do
    case "$t" in tcp|ipc) ;; *) echo "unknown transport: $t (tcp, ipc)" >&2; exit 2 ;; esac
done
RUNS="${RUNS:-5}"
LAT_SIZES="${LAT_SIZES:-1 1024}"
LAT_COUNT="${LAT_COUNT:-20000}"
PUBSUB_SIZE="${PUBSUB_SIZE:-64}"
PUBSUB_SUBS="${PUBSUB_SUBS:-1 4}"
PUBSUB_COUNT="${PUBSUB_COUNT:-2000000}"
PUBSUB_HWM="${PUBSUB_HWM:-$(( 2 * PUBSUB_COUNT ))}"
IMPLS="${IMPLS:-libzmq ferromq}"
TIMEOUT="${TIMEOUT:-120}"
HOST="${HOST:-127.0.0.1}"

# ---------------------------------------------------------------- build
FM_DIR=""
has_impl libzmq && build_libzmq "$BUILD" local_lat remote_lat pub_thr sub_thr
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

# pubsub_run impl subs size count hwm -> prints "<min msgs/s>/<drops>", or FAIL
# (drops = count minus the fewest data messages any subscriber received)
pubsub_run() {
    local impl="$1" subs="$2" size="$3" count="$4" hwm="$5"
    local port cport ppid i rc rc_p=0 failed=0 thr got min_thr="" min_got=""
    local -a spids=()
    port="$(free_port)"
    cport="$(free_port)"
    while [[ "$cport" == "$port" ]]; do cport="$(free_port)"; done
    timeout "$TIMEOUT" "$(bin_for "$impl" pub_thr)" "tcp://$HOST:$port" "tcp://$HOST:$cport" \
        "$size" "$count" "$subs" "$hwm" >"$TMP/pub.out" 2>"$TMP/pub.err" &
    ppid=$!
    wait_listening "$port"
    wait_listening "$cport"
    for i in $(seq 1 "$subs"); do
        timeout "$TIMEOUT" "$(bin_for "$impl" sub_thr)" "tcp://$HOST:$port" "tcp://$HOST:$cport" \
            "$size" "$count" "$hwm" >"$TMP/sub$i.out" 2>"$TMP/sub$i.err" &
        spids+=($!)
    done
    for i in $(seq 1 "$subs"); do
        rc=0; wait "${spids[$((i - 1))]}" || rc=$?
        thr="$(sed -n 's/^mean throughput: \([0-9]*\) \[msg\/s\]$/\1/p' "$TMP/sub$i.out")"
        got="$(sed -n 's/^messages received: \([0-9]*\)$/\1/p' "$TMP/sub$i.out")"
        if [[ $rc -ne 0 || -z "$thr" || -z "$got" ]]; then
            log "  $impl pub/sub subs=$subs: subscriber $i FAILED (rc=$rc; 124 = timeout)"
            failed=1
            continue
        fi
        if [[ -z "$min_thr" ]] || (( thr < min_thr )); then min_thr="$thr"; fi
        if [[ -z "$min_got" ]] || (( got < min_got )); then min_got="$got"; fi
    done
    wait "$ppid" || rc_p=$?
    if [[ $rc_p -ne 0 || $failed -ne 0 || -z "$min_thr" ]]; then
        log "  $impl pub/sub subs=$subs: FAILED (publisher rc=$rc_p)"
        dump_outputs "$TMP/pub.out" "$TMP/pub.err" "$TMP"/sub*.out "$TMP"/sub*.err
        echo FAIL
    else
        echo "$min_thr/$(( count - min_got ))"
    fi
    rm -f "$TMP"/sub*.out "$TMP"/sub*.err
}

drops_of() {  # "thr/drops ..." -> "0" / "0, 0, 12, ..." (FAIL runs shown as "-")
    local v out=() d all_zero=1
    for v in "$@"; do
        if [[ "$v" == */* ]]; then d="${v#*/}"; else d="-"; fi
        [[ "$d" == 0 ]] || all_zero=0
        out+=("$d")
    done
    if [[ ${#out[@]} -eq 0 ]]; then echo "-"
    elif [[ $all_zero -eq 1 ]]; then echo "0"
    else (IFS=,; echo "${out[*]}" | sed 's/,/, /g'); fi
}

# ---------------------------------------------------------------- machine
machine_before

# ---------------------------------------------------------------- runs
declare -A LAT PS  # "$transport:$impl:$size" -> "v1 v2 ..."; "$impl:$subs" -> "thr/drops ..."
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
for subs in $PUBSUB_SUBS; do
    log "PUB -> SUB, $subs subscriber(s), size $PUBSUB_SIZE B, count $PUBSUB_COUNT, HWM $PUBSUB_HWM, $RUNS runs each"
    for run in $(seq 1 "$RUNS"); do
        for impl in libzmq ferromq; do
            has_impl "$impl" || continue
            v="$(pubsub_run "$impl" "$subs" "$PUBSUB_SIZE" "$PUBSUB_COUNT" "$PUBSUB_HWM")"
            PS["$impl:$subs"]="${PS["$impl:$subs"]:-} $v"
            log "  run $run $impl: $v (slowest subscriber msg/s / drops)"
        done
    done
done
machine_after

# ---------------------------------------------------------------- report
thr_values() {  # "thr/drops ..." -> "thr ..."
    local v
    for v in "$@"; do echo "${v%%/*}"; done
}
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
    echo "PUB → SUB throughput over tcp://$HOST, $(fmt_size "$PUBSUB_SIZE") messages, SNDHWM = RCVHWM = $PUBSUB_HWM; msgs/s received by the slowest subscriber; **ratio = ferromq / libzmq, so > 1 means ferromq is faster**:"
    echo
    echo "| subscribers | count | libzmq msgs/s per sub | ferromq msgs/s per sub | ferromq / libzmq (> 1: ferromq faster) | drops libzmq | drops ferromq |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    for subs in $PUBSUB_SUBS; do
        # shellcheck disable=SC2086
        lz="$(median $(thr_values ${PS["libzmq:$subs"]:-}))"
        # shellcheck disable=SC2086
        fm="$(median $(thr_values ${PS["ferromq:$subs"]:-}))"
        # shellcheck disable=SC2086
        dlz="$(drops_of ${PS["libzmq:$subs"]:-})"
        # shellcheck disable=SC2086
        dfm="$(drops_of ${PS["ferromq:$subs"]:-})"
        echo "| $subs | $PUBSUB_COUNT | $(fmt_rate "$lz") | $(fmt_rate "$fm") | $(fmt_ratio "$fm" "$lz") | $dlz | $dfm |"
    done
    echo
    echo "Medians of $RUNS runs. All runs, in order (latency in µs; PUB → SUB as slowest subscriber's msgs/s / messages dropped):"
    echo
    for transport in $TRANSPORTS; do
        for size in $LAT_SIZES; do
            for impl in libzmq ferromq; do
                has_impl "$impl" || continue
                echo "- latency $transport $(fmt_size "$size") $impl:$(echo "${LAT["$transport:$impl:$size"]:-}" | sed 's/ \+/ /g')"
            done
        done
    done
    for subs in $PUBSUB_SUBS; do
        for impl in libzmq ferromq; do
            has_impl "$impl" || continue
            echo "- PUB → SUB ×$subs $impl:$(echo "${PS["$impl:$subs"]:-}" | sed 's/ \+/ /g')"
        done
    done
} >"$TMP/report.md"

cat "$TMP/report.md"

write_report "Results: REQ/REP latency, PUB → SUB throughput"
