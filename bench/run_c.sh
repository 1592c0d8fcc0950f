#!/usr/bin/env bash
# The reference harness: the SAME C programs (bench/c/{local,remote}_{thr,lat}.c,
# inproc_{thr,lat}.c, in the style of libzmq's perf tools, and the PUB -> SUB
# fan-out pair bench/c/{pub,sub}_thr.c) built twice from
# identical sources, once against Debian's libzmq and once against ferromq's
# C ABI (libferromq, bindings-c/), then run alternately on this machine.
# Only the library differs. A third column runs ferromq's own Rust API on the
# same workloads (bench/src, the ferromq_* programs of bench/run.sh), so that the
# cost of the C ABI over the core shows.
#
#   bash bench/run_c.sh            # print the results (Markdown) to stdout
#   bash bench/run_c.sh --write    # ... and put them into docs/PERFORMANCE.md
#                                  # (between the C ABI BENCH RESULTS markers;
#                                  # PUB -> SUB between the PUB SUB C ABI ones)
#   KINDS=pubsub bash bench/run_c.sh --write   # PUB -> SUB only (its block only)
#   MECHANISM=curve bash bench/run_c.sh --write   # the same with CURVE on
#                                  # (between the CURVE C ABI BENCH RESULTS markers)
#
# Environment:
#   MECHANISM   "null" (default) or "curve": every tcp/ipc connection runs CURVE
#               (RFC 26). Each run makes a fresh server key pair with
#               curve_keypair (bench/c/curve_keypair.c, zmq_curve_keypair of the
#               library under test) and hands it to both programs in the
#               environment (bench/c/bench_mechanism.h: the binding side is the
#               CURVE server, the connecting side a client with a key pair of its
#               own); a run whose programs do not both print "mechanism: CURVE"
#               (ZMQ_MECHANISM read back after traffic went through) is a FAIL.
#               No inproc (libzmq runs no mechanism there); defaults become
#               TRANSPORTS="tcp ipc", SIZES="64 1024 65536".
#   TRANSPORTS  any of "tcp ipc inproc"       (default "tcp ipc inproc"; tcp on
#               $HOST, ipc on ipc://<fresh temp dir>/c-<n>.sock, removed
#               afterwards; inproc = the inproc_thr / inproc_lat programs)
#   SIZES       message sizes in bytes        (default "1 64 1024 65536 1048576")
#   RUNS        runs per library and case     (default 3; the median is reported)
#   COUNTS      "size:count ..." throughput message-count overrides, all
#               transports (defaults in default_thr_count, ~1-2 s per run)
#   LAT_COUNTS  "size:count ..." latency round-trip overrides, all transports
#               (defaults in default_lat_count)
#   KINDS       any of "thr lat pubsub"       (default "thr lat pubsub"; with
#               MECHANISM=curve "thr lat", and no pubsub)
#   PUBSUB_SUBS    pubsub: subscriber counts  (default "1 4 16")
#   PUBSUB_SIZE    pubsub: message size in bytes (default 64)
#   PUBSUB_COUNTS  pubsub: "subscribers:count ..." message-count overrides
#               (default min(2 M, max(200 k, 4 M / subscribers)): ~1-3 s a run)
#   PUBSUB_HWM     pubsub: SNDHWM of the PUB and RCVHWM of every SUB, the same
#               for both libraries (default 2 x the run's count, so that no
#               library drops: libzmq's writer hears of its reader's progress
#               only every HWM/2 messages, so HWM = count can still drop)
#   IMPLS       which to run                  (default "libzmq ferromq rust":
#               the C programs on libzmq, on libferromq, and the Rust
#               programs on the ferromq crate)
#   TIMEOUT     seconds allowed per run       (default 60)
#   HOST        tcp address                   (default 127.0.0.1)
#   PREFIX      where libferromq is installed (default $ROOT/target/ferromq-install,
#               by make -C bindings-c install PREFIX=...)
#   IPC_CLOSE_DELAY_MS  ipc throughput runs only: remote_thr (both libraries)
#               sleeps this long after its last send, before closing (default
#               1000), because libzmq 4.3.x can drop the tail of an ipc queue at
#               close despite the infinite linger (libzmq issue #4660; see
#               bench/run.sh). The receiver's clock stops at the last message,
#               so the delay does not enter the figures. 0 disables it.
#
# Build: gcc -O2 -Wall <prog>.c $(pkg-config --cflags --libs libzmq) into
# bench/build/c-libzmq/ (installs libzmq3-dev if pkg-config cannot find it),
# and gcc -O2 -Wall -I$PREFIX/include <prog>.c -L$PREFIX/lib -lferromq
# -Wl,-rpath,$PREFIX/lib into bench/build/c-ferromq/; ldd must show libzmq.so
# (and no libferromq) for the first, libferromq.so from $PREFIX/lib (and no
# libzmq) for the second, or the script stops.
#
# Throughput: local_thr (PULL, bind) then remote_thr (PUSH, connect); the
# receiver's clock starts at the first message (inproc_thr: two threads, one
# context). CPU time per message: user + sys of both processes (every thread,
# from getrusage, which each program prints last) over the message count. Latency: local_lat (REP, bind) echoes for remote_lat (REQ,
# connect), which prints elapsed / (round trips x 2) (inproc_lat: two threads).
# Runs alternate libzmq, ferromq, rust, libzmq, ... so drifting machine load
# hits all alike; every run is bounded by `timeout`. A failed run is listed as FAIL
# (with its exit codes and output under "Failures"); a case whose runs all
# failed shows "-" in the table.
#
# PUB -> SUB (KINDS=pubsub, tcp and ipc; no inproc, the subscribers being
# processes of their own): pub_thr binds a PUB and a PULL control socket, then
# N sub_thr processes connect (subscribed to everything); a warm-up handshake
# ends the slow-joiner race (bench/c/pub_thr.c). Each subscriber times from its
# first data message to its last; the table reports the SLOWEST subscriber's
# msgs/s (per subscriber, not aggregate), the drops (count minus the fewest
# received), and CPU time: user + sys of the publisher and every subscriber per
# delivered message (count x subscribers), and of the publisher alone per
# published message.
set -euo pipefail

# The shared driver: arguments, builds, endpoints, runs, medians, the report's place.
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args 88 "" "$@"
case "${MECHANISM:-null}" in
    null) LABEL="C ABI" ;;
    curve) LABEL="CURVE C ABI" ;;
    *) echo "unknown MECHANISM: $MECHANISM (null, curve)" >&2; exit 2 ;;
esac
bench_report run_c.sh "$LABEL" PREFIX IPC_CLOSE_DELAY_MS HOST TIMEOUT IMPLS PUBSUB_HWM PUBSUB_COUNTS PUBSUB_SIZE PUBSUB_SUBS KINDS LAT_COUNTS COUNTS RUNS SIZES TRANSPORTS MECHANISM
PUBSUB_BEGIN_MARK="<!-- BEGIN PUB SUB $LABEL BENCH RESULTS (generated by bench/run_c.sh --write) -->"
PUBSUB_END_MARK="<!-- END PUB SUB $LABEL BENCH RESULTS -->"
MECHANISM="${MECHANISM:-null}"

if [[ "$MECHANISM" == curve ]]; then
    TRANSPORTS="${TRANSPORTS:-tcp ipc}"
    SIZES="${SIZES:-64 1024 65536}"
    [[ " $TRANSPORTS " != *" inproc "* ]] || { echo "MECHANISM=curve: no inproc (libzmq runs no mechanism there)" >&2; exit 2; }
    # The Rust API programs (bench/src) take no mechanism: C programs only.
    IMPLS="${IMPLS:-libzmq ferromq}"
    [[ " $IMPLS " != *" rust "* ]] || { echo "MECHANISM=curve: the rust programs run NULL only" >&2; exit 2; }
    # pub_thr / sub_thr take no mechanism.
    KINDS="${KINDS:-thr lat}"
    [[ " $KINDS " != *" pubsub "* ]] || { echo "MECHANISM=curve: no pubsub (pub_thr/sub_thr run NULL only)" >&2; exit 2; }
fi
TRANSPORTS="${TRANSPORTS:-tcp ipc inproc}"
for t in $TRANSPORTS; do
    case "$t" in tcp|ipc|inproc) ;; *) echo "unknown transport: $t (tcp, ipc, inproc)" >&2; exit 2 ;; esac
done
KINDS="${KINDS:-thr lat pubsub}"
for k in $KINDS; do
    case "$k" in thr|lat|pubsub) ;; *) echo "unknown kind: $k (thr, lat, pubsub)" >&2; exit 2 ;; esac
done
PUBSUB_SUBS="${PUBSUB_SUBS:-1 4 16}"
PUBSUB_SIZE="${PUBSUB_SIZE:-64}"
SIZES="${SIZES:-1 64 1024 65536 1048576}"
RUNS="${RUNS:-3}"
IMPLS="${IMPLS:-libzmq ferromq rust}"
TIMEOUT="${TIMEOUT:-60}"
HOST="${HOST:-127.0.0.1}"
IPC_CLOSE_DELAY_MS="${IPC_CLOSE_DELAY_MS:-1000}"
PREFIX="${PREFIX:-$ROOT/target/ferromq-install}"

# Messages per throughput run: ~1-2 s on a loaded 2-vCPU VM.
default_thr_count() {  # transport size
    local t="$1" s="$2"
    if [[ "$MECHANISM" == curve ]]; then  # every frame boxed: fewer per second
        case "$s" in
            1|64) echo 1000000 ;; 1024) echo 300000 ;; 65536) echo 10000 ;; 1048576) echo 500 ;;
            *) local c=$(( 1000000000 / (s > 0 ? s : 1) ))
               (( c > 2000000 )) && c=2000000; (( c < 500 )) && c=500; echo "$c" ;;
        esac
    elif [[ "$t" == inproc ]]; then
        case "$s" in
            1) echo 8000000 ;; 64) echo 5000000 ;; 1024) echo 3000000 ;;
            65536) echo 100000 ;; 1048576) echo 30000 ;;  # up to 2 x HWM queued: ~2 GiB
            *) local c=$(( 5000000000 / (s > 0 ? s : 1) ))
               (( c > 20000000 )) && c=20000000; (( c < 500 )) && c=500; echo "$c" ;;
        esac
    else
        case "$s" in
            1) echo 10000000 ;; 64) echo 5000000 ;; 1024) echo 1500000 ;;
            65536) echo 30000 ;; 1048576) echo 2000 ;;
            *) local c=$(( 2000000000 / (s > 0 ? s : 1) ))
               (( c > 10000000 )) && c=10000000; (( c < 500 )) && c=500; echo "$c" ;;
        esac
    fi
}
# Round trips per latency run.
default_lat_count() {  # transport size
    local t="$1" s="$2"
    if [[ "$MECHANISM" == curve ]]; then
        case "$s" in
            1|64|1024) echo 10000 ;; 65536) echo 5000 ;; *) echo 1000 ;;
        esac
    elif [[ "$t" == inproc ]]; then
        case "$s" in
            1|64|1024) echo 200000 ;; 65536) echo 20000 ;; 1048576) echo 5000 ;;
            *) echo 10000 ;;
        esac
    else
        case "$s" in
            1|64|1024) echo 20000 ;; 65536) echo 10000 ;; 1048576) echo 2000 ;;
            *) echo 5000 ;;
        esac
    fi
}
count_for() {  # kind transport size
    local pair overrides
    if [[ "$1" == thr ]]; then overrides="${COUNTS:-}"; else overrides="${LAT_COUNTS:-}"; fi
    for pair in $overrides; do
        if [[ "${pair%%:*}" == "$3" ]]; then echo "${pair#*:}"; return; fi
    done
    if [[ "$1" == thr ]]; then default_thr_count "$2" "$3"; else default_lat_count "$2" "$3"; fi
}
# PUB -> SUB messages per run for a subscriber count (every transport).
pubsub_count() {  # subscribers
    local pair c
    for pair in ${PUBSUB_COUNTS:-}; do
        if [[ "${pair%%:*}" == "$1" ]]; then echo "${pair#*:}"; return; fi
    done
    c=$(( 4000000 / $1 ))
    (( c > 2000000 )) && c=2000000; (( c < 200000 )) && c=200000
    echo "$c"
}
pubsub_hwm() {  # count
    echo "${PUBSUB_HWM:-$(( 2 * $1 ))}"
}

PROGS="local_thr remote_thr local_lat remote_lat inproc_thr inproc_lat curve_keypair pub_thr sub_thr"

# ---------------------------------------------------------------- build
if has_impl libzmq; then
    # shellcheck disable=SC2086
    build_libzmq "$BUILD/c-libzmq" $PROGS
    for prog in $PROGS; do
        deps="$(ldd "$BUILD/c-libzmq/$prog")"
        if ! grep -q 'libzmq\.so' <<<"$deps" || grep -q libferromq <<<"$deps"; then
            log "$BUILD/c-libzmq/$prog does not link libzmq alone:"; log "$deps"; exit 1
        fi
    done
fi
if has_impl ferromq; then
    make -C "$ROOT/bindings-c" install PREFIX="$PREFIX" >&2
    mkdir -p "$BUILD/c-ferromq"
    for prog in $PROGS; do
        gcc -O2 -Wall -I"$PREFIX/include" -o "$BUILD/c-ferromq/$prog" "$ROOT/bench/c/$prog.c" \
            -L"$PREFIX/lib" -lferromq -Wl,-rpath,"$PREFIX/lib"
        deps="$(ldd "$BUILD/c-ferromq/$prog")"
        if ! grep -qF "libferromq.so.0 => $PREFIX/lib/libferromq.so.0" <<<"$deps" || grep -q 'libzmq\.so' <<<"$deps"; then
            log "$BUILD/c-ferromq/$prog does not link $PREFIX/lib/libferromq.so alone:"; log "$deps"; exit 1
        fi
    done
fi
if has_impl rust; then
    build_ferromq_bench
fi
bin_for() {  # impl prog -> path
    case "$1" in
        libzmq) echo "$BUILD/c-libzmq/$2" ;;
        ferromq) echo "$BUILD/c-ferromq/$2" ;;
        rust) echo "$FM_DIR/ferromq_$2" ;;
    esac
}

# ---------------------------------------------------------------- helpers
bench_tmp
: >"$TMP/failures.md"
MEDIAN_FORMAT="%.3f"

# Records a failed run (stderr now, the report's Failures list later).
record_failure() {  # description rc-text files...
    local desc="$1" rcs="$2" f detail=""
    shift 2
    log "  $desc: FAILED ($rcs; 124 = timeout)"
    for f in "$@"; do
        [[ -s "$f" ]] && sed "s|^|    $(basename "$f"): |" "$f" >&2
        if [[ -s "$f" ]]; then detail="$detail $(basename "$f"): $(tail -c 300 "$f" | tr '\n' ' ' | sed 's/ *$//');"; fi
    done
    echo "- $desc: $rcs (124 = timeout).${detail:- no output}" >>"$TMP/failures.md"
    return 0
}

# one_run kind impl transport endpoint size count run -> prints msgs/s (thr) and
# CPU ns per message (or "-"), µs one way (lat), or FAIL
one_run() {
    local kind="$1" impl="$2" transport="$3" ep="$4" size="$5" count="$6" run="$7"
    local rc_l=0 rc_r=0 v="" cpu="" delay=0 desc
    desc="$impl $kind $transport $(fmt_size "$size") run $run"
    rm -f "$TMP"/local.* "$TMP"/remote.*
    if [[ "$transport" == inproc ]]; then
        timeout "$TIMEOUT" "$(bin_for "$impl" "inproc_$kind")" "$size" "$count" \
            >"$TMP/local.out" 2>"$TMP/local.err" || rc_l=$?
        : >"$TMP/remote.out"
    else
        [[ "$kind" != thr || "$transport" != ipc ]] || delay="$IPC_CLOSE_DELAY_MS"
        if [[ "$MECHANISM" == curve ]]; then
            # A fresh server key pair per run, from the library under test.
            local keys
            keys="$("$(bin_for "$impl" curve_keypair)")"
            export BENCH_MECHANISM=curve
            export BENCH_CURVE_SERVER_PUBLIC="${keys%% *}" BENCH_CURVE_SERVER_SECRET="${keys#* }"
        fi
        run_pair "$(bin_for "$impl" "local_$kind")" "$(bin_for "$impl" "remote_$kind")" \
            "$ep" "$size" "$count" "$delay"
        rc_l=$RC_L
        rc_r=$RC_R
    fi
    if [[ "$kind" == thr ]]; then
        v="$(sed -n 's/^mean throughput: \([0-9]*\) \[msg\/s\]$/\1/p' "$TMP/local.out")"
        cpu="$(cat "$TMP/local.out" "$TMP/remote.out" \
            | awk -v n="$count" '/^cpu time: [0-9]+ [0-9]+ \[us\]$/ { t += $3 + $4; k++ }
                END { if (k == 0) print "-"; else printf "%.0f\n", t * 1000 / n }')"
    else
        v="$(cat "$TMP/local.out" "$TMP/remote.out" | sed -n 's/^average latency: \([0-9.]*\) \[us\]$/\1/p')"
    fi
    if [[ "$MECHANISM" == curve && "$transport" != inproc ]] \
        && ! { grep -qx 'mechanism: CURVE' "$TMP/local.out" && grep -qx 'mechanism: CURVE' "$TMP/remote.out"; }; then
        v=""  # not shown to have run CURVE on both sides: not a CURVE figure
    fi
    if [[ $rc_l -ne 0 || $rc_r -ne 0 || -z "$v" ]]; then
        local rcs="rc=$rc_l"
        [[ "$transport" == inproc ]] || rcs="local rc=$rc_l, remote rc=$rc_r"
        record_failure "$desc" "$rcs" "$TMP/local.out" "$TMP/local.err" "$TMP/remote.out" "$TMP/remote.err"
        echo FAIL
    else
        echo "$v${cpu:+ $cpu}"
    fi
}

# cpu_ns files... count: the "cpu time" lines of every file (each must have one), user +
# sys summed, in ns per `count` messages; "-" when a file has none.
cpu_ns() {
    local n="${*: -1}"
    awk -v n="$n" -v files=$(($# - 1)) '/^cpu time: [0-9]+ [0-9]+ \[us\]$/ { t += $3 + $4; k++ }
        END { if (k != files) print "-"; else printf "%.0f\n", t * 1000 / n }' "${@:1:$#-1}"
}

# pubsub_run impl transport endpoint control-endpoint subscribers size count hwm run -> prints the
# slowest subscriber's msgs/s, the drops (count minus the fewest messages any subscriber
# received), CPU ns per delivered message (publisher and subscribers) and the
# publisher's CPU ns per published message; or FAIL
pubsub_run() {
    local impl="$1" transport="$2" ep="$3" ctl="$4" subs="$5" size="$6" count="$7" hwm="$8" run="$9"
    local i thr got min_thr="" min_got="" bad="" desc all pub
    local -a files=()
    desc="$impl pubsub $transport ×$subs $(fmt_size "$size") run $run"
    run_fanout "$(bin_for "$impl" pub_thr)" "$(bin_for "$impl" sub_thr)" "$ep" "$ctl" \
        "$subs" "$size" "$count" "$hwm"
    for i in $(seq 1 "$subs"); do
        thr="$(sed -n 's/^mean throughput: \([0-9]*\) \[msg\/s\]$/\1/p' "$TMP/sub$i.out")"
        got="$(sed -n 's/^messages received: \([0-9]*\)$/\1/p' "$TMP/sub$i.out")"
        if [[ ${RC_S[i]} -ne 0 || -z "$thr" || -z "$got" ]]; then
            bad="$bad, subscriber $i rc=${RC_S[i]}"
            files+=("$TMP/sub$i.out" "$TMP/sub$i.err")
            continue
        fi
        if [[ -z "$min_thr" ]] || (( thr < min_thr )); then min_thr="$thr"; fi
        if [[ -z "$min_got" ]] || (( got < min_got )); then min_got="$got"; fi
    done
    if [[ $RC_P -ne 0 || -n "$bad" || -z "$min_thr" ]]; then
        record_failure "$desc" "publisher rc=$RC_P$bad" "$TMP/pub.out" "$TMP/pub.err" "${files[@]}"
        echo FAIL
        return
    fi
    all="$(cpu_ns "$TMP/pub.out" $(seq -f "$TMP/sub%g.out" 1 "$subs") $(( count * subs )))"
    pub="$(cpu_ns "$TMP/pub.out" "$count")"
    echo "$min_thr $(( count - min_got )) $all $pub"
}

# ---------------------------------------------------------------- machine
machine_before
GCC="$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)"
FM_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
IDLE_SAMPLES=""  # idle % sampled between cases (one second each)

# ---------------------------------------------------------------- runs
has_kind() { [[ " $KINDS " == *" $1 "* ]]; }
has_kind thr || has_kind lat || SIZES=""
declare -A RESULTS  # "$kind:$transport:$impl:$size" -> "v1 v2 ..." (pubsub: subscribers
                    # for size, the slowest subscriber's msgs/s)
declare -A CPU      # "$transport:$impl:$size" -> CPU ns per message, "c1 c2 ..." (thr);
                    # "pubsub:$transport:$impl:$subs": per delivered message,
                    # "pubsub-pub:...": the publisher's per published message
declare -A DROPS    # "$transport:$impl:$subs" -> "d1 d2 ..." (pubsub)
for transport in $TRANSPORTS; do
    for size in $SIZES; do
        for kind in $KINDS; do
            [[ "$kind" != pubsub ]] || continue
            count="$(count_for "$kind" "$transport" "$size")"
            log "$kind $transport, size $size B, count $count, $RUNS runs each"
            for run in $(seq 1 "$RUNS"); do
                for impl in libzmq ferromq rust; do
                    has_impl "$impl" || continue
                    new_endpoint "$transport" c
                    read -r v cpu < <(one_run "$kind" "$impl" "$transport" "$EP" "$size" "$count" "$run")
                    RESULTS["$kind:$transport:$impl:$size"]="${RESULTS["$kind:$transport:$impl:$size"]:-} $v"
                    if [[ "$kind" == thr ]]; then
                        CPU["$transport:$impl:$size"]="${CPU["$transport:$impl:$size"]:-} ${cpu:--}"
                        log "  run $run $impl: $v msg/s, ${cpu:--} CPU ns/msg"
                    else
                        log "  run $run $impl: $v us"
                    fi
                done
            done
        done
    done
    if has_kind pubsub && [[ "$transport" != inproc ]]; then
        for subs in $PUBSUB_SUBS; do
            count="$(pubsub_count "$subs")"
            hwm="$(pubsub_hwm "$count")"
            log "pubsub $transport, $subs subscriber(s), size $PUBSUB_SIZE B, count $count, HWM $hwm, $RUNS runs each"
            for run in $(seq 1 "$RUNS"); do
                for impl in libzmq ferromq rust; do
                    has_impl "$impl" || continue
                    new_endpoint "$transport" ps
                    ep="$EP"
                    new_endpoint "$transport" psc
                    while [[ "$EP" == "$ep" ]]; do new_endpoint "$transport" psc; done
                    read -r v drops cpu pcpu < <(pubsub_run "$impl" "$transport" "$ep" "$EP" \
                        "$subs" "$PUBSUB_SIZE" "$count" "$hwm" "$run")
                    key="$transport:$impl:$subs"
                    RESULTS["pubsub:$key"]="${RESULTS["pubsub:$key"]:-} $v"
                    DROPS["$key"]="${DROPS["$key"]:-} ${drops:--}"
                    CPU["pubsub:$key"]="${CPU["pubsub:$key"]:-} ${cpu:--}"
                    CPU["pubsub-pub:$key"]="${CPU["pubsub-pub:$key"]:-} ${pcpu:--}"
                    log "  run $run $impl: $v msg/s (slowest subscriber), ${drops:--} dropped, ${cpu:--} CPU ns/delivered msg, ${pcpu:--} publisher CPU ns/msg"
                done
            done
        done
    fi
    IDLE_SAMPLES="$IDLE_SAMPLES $(cpu_idle_pct)"
done
machine_after
FINISHED="$(date -u '+%H:%M UTC')"

# ---------------------------------------------------------------- report
# The command, machine and load, at the head of each report block.
report_head() {
    echo "Command: \`$COMMAND\`"
    echo
    echo "Machine: $NPROC CPUs ($CPU_MODEL), $KERNEL; gcc $GCC -O2; libzmq $LZ_VERSION (Debian libzmq3-dev); libferromq = ferromq $FM_COMMIT C ABI (bindings-c, release profile, $RUSTC)."
    if [[ "$MECHANISM" == curve ]]; then
        echo "Mechanism: **CURVE** on every connection (fresh server key pair per run from the library's own zmq_curve_keypair; libzmq's CURVE is libsodium's; both programs of every counted run printed \`mechanism: CURVE\` after traffic went through)."
    fi
    echo "Run: $STARTED – $FINISHED; RUNS=$RUNS, alternating $(echo $IMPLS | tr ' ' /); CPU idle just before $IDLE_BEFORE %, after each transport ($TRANSPORTS):$(echo "$IDLE_SAMPLES" | sed 's/ \([0-9]*\)/ \1 %,/g; s/,$//'), just after $IDLE_AFTER % (below ~95 % means other work was running: expect noise); load average before $LOAD_BEFORE, after $LOAD_AFTER."
}
# The failed runs (every kind's), at the end of each report block.
report_failures() {
    if [[ -s "$TMP/failures.md" ]]; then
        echo "Failures ($(wc -l <"$TMP/failures.md") runs):"
        echo
        cat "$TMP/failures.md"
    else
        echo "Failures: none."
    fi
}
: >"$TMP/report.md"
if has_kind thr || has_kind lat; then {
    report_head
    if has_kind thr; then
        echo
        echo "Throughput (receiver's clock, first to last message); **ratio = ferromq / libzmq, > 1 = ferromq faster**; Rust API = the same workload through ferromq's Rust API (bench/src), **C / Rust > 1 = the C ABI is faster**:"
        echo
        echo "| transport | size | count | libzmq msgs/s | libzmq MB/s | ferromq msgs/s | ferromq MB/s | ferromq / libzmq | Rust API msgs/s | C / Rust |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for transport in $TRANSPORTS; do
            for size in $SIZES; do
                count="$(count_for thr "$transport" "$size")"
                # shellcheck disable=SC2086
                lz="$(median ${RESULTS["thr:$transport:libzmq:$size"]:-})"
                # shellcheck disable=SC2086
                fm="$(median ${RESULTS["thr:$transport:ferromq:$size"]:-})"
                # shellcheck disable=SC2086
                rs="$(median ${RESULTS["thr:$transport:rust:$size"]:-})"
                echo "| $transport | $(fmt_size "$size") | $count | $(fmt_rate "$lz") | $(fmt_mbs "$lz" "$size") | $(fmt_rate "$fm") | $(fmt_mbs "$fm" "$size") | $(fmt_ratio "$fm" "$lz") | $(fmt_rate "$rs") | $(fmt_ratio "$fm" "$rs") |"
            done
        done
        echo
        echo "CPU time per message (user + sys of both processes, every thread, from getrusage, over the message count; inproc: the one process); **ratio = ferromq / libzmq, < 1 = ferromq cheaper**:"
        echo
        echo "| transport | size | libzmq ns/msg | ferromq ns/msg | ferromq / libzmq | Rust API ns/msg |"
        echo "|---|---:|---:|---:|---:|---:|"
        for transport in $TRANSPORTS; do
            for size in $SIZES; do
                # shellcheck disable=SC2086
                lz="$(median ${CPU["$transport:libzmq:$size"]:-})"
                # shellcheck disable=SC2086
                fm="$(median ${CPU["$transport:ferromq:$size"]:-})"
                # shellcheck disable=SC2086
                rs="$(median ${CPU["$transport:rust:$size"]:-})"
                echo "| $transport | $(fmt_size "$size") | $(fmt_us "$lz" 0) | $(fmt_us "$fm" 0) | $(fmt_ratio "$fm" "$lz") | $(fmt_us "$rs" 0) |"
            done
        done
    fi
    if has_kind lat; then
        echo
        echo "REQ/REP latency, one way (elapsed / (round trips × 2)); **ratio = libzmq µs / ferromq µs, > 1 = ferromq faster**; **Rust / C > 1 = the C ABI is faster**:"
        echo
        echo "| transport | size | round trips | libzmq µs | ferromq µs | libzmq / ferromq | Rust API µs | Rust / C |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|"
        for transport in $TRANSPORTS; do
            for size in $SIZES; do
                count="$(count_for lat "$transport" "$size")"
                # shellcheck disable=SC2086
                lz="$(median ${RESULTS["lat:$transport:libzmq:$size"]:-})"
                # shellcheck disable=SC2086
                fm="$(median ${RESULTS["lat:$transport:ferromq:$size"]:-})"
                # shellcheck disable=SC2086
                rs="$(median ${RESULTS["lat:$transport:rust:$size"]:-})"
                echo "| $transport | $(fmt_size "$size") | $count | $(fmt_us "$lz") | $(fmt_us "$fm") | $(fmt_ratio "$lz" "$fm") | $(fmt_us "$rs") | $(fmt_ratio "$rs" "$fm") |"
            done
        done
    fi
    echo
    echo "Medians of $RUNS runs; MB/s = msgs/s × size / 10^6; \"-\" = every run failed. All runs, in order (throughput in msgs/s, then CPU ns per message; latency in µs; FAIL = failed run):"
    echo
    for kind in $KINDS; do
        [[ "$kind" != pubsub ]] || continue
        for transport in $TRANSPORTS; do
            for size in $SIZES; do
                for impl in libzmq ferromq rust; do
                    has_impl "$impl" || continue
                    echo "- $kind $transport $(fmt_size "$size") $impl:$(echo "${RESULTS["$kind:$transport:$impl:$size"]:-}" | sed 's/ \+/ /g')$([[ $kind == thr ]] && echo "; CPU ns/msg:${CPU["$transport:$impl:$size"]:-}" | sed 's/ \+/ /g')"
                done
            done
        done
    done
    echo
    report_failures
} >"$TMP/report.md"; fi

# PUB -> SUB, a block of its own.
: >"$TMP/pubsub.md"
if has_kind pubsub; then {
    report_head
    echo
    echo "PUB → SUB, $(fmt_size "$PUBSUB_SIZE") messages, every subscriber subscribed to everything, SNDHWM (PUB) = RCVHWM (each SUB) = 2 × count unless PUBSUB_HWM says otherwise; **msgs/s of the slowest subscriber** (its clock: first to last data message; per subscriber, not aggregate); **ratio = ferromq / libzmq, > 1 = ferromq faster**; Rust API = the same workload through ferromq's Rust API (bench/src/{pub,sub}_thr.rs), **C / Rust > 1 = the C ABI is faster**; drops = count − the fewest messages any subscriber received (median):"
    echo
    echo "| transport | subscribers | count | libzmq msgs/s | ferromq msgs/s | ferromq / libzmq | Rust API msgs/s | C / Rust | drops libzmq / ferromq / Rust |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    for transport in $TRANSPORTS; do
        [[ "$transport" != inproc ]] || continue
        for subs in $PUBSUB_SUBS; do
            # shellcheck disable=SC2086
            lz="$(median ${RESULTS["pubsub:$transport:libzmq:$subs"]:-})"
            # shellcheck disable=SC2086
            fm="$(median ${RESULTS["pubsub:$transport:ferromq:$subs"]:-})"
            # shellcheck disable=SC2086
            rs="$(median ${RESULTS["pubsub:$transport:rust:$subs"]:-})"
            d=""
            for impl in libzmq ferromq rust; do
                # shellcheck disable=SC2086
                d="$d / $(MEDIAN_FORMAT="%.0f" median ${DROPS["$transport:$impl:$subs"]:-})"
            done
            echo "| $transport | $subs | $(pubsub_count "$subs") | $(fmt_rate "$lz") | $(fmt_rate "$fm") | $(fmt_ratio "$fm" "$lz") | $(fmt_rate "$rs") | $(fmt_ratio "$fm" "$rs") | ${d# / } |"
        done
    done
    echo
    echo "CPU time (user + sys from getrusage, every thread): **all processes** (publisher and subscribers) per delivered message (count × subscribers), and the **publisher** alone per published message; **ratio = ferromq / libzmq, < 1 = ferromq cheaper**:"
    echo
    echo "| transport | subscribers | libzmq ns/delivered | ferromq ns/delivered | ferromq / libzmq | Rust API ns/delivered | libzmq publisher ns/msg | ferromq publisher ns/msg | ferromq / libzmq | Rust API publisher ns/msg |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for transport in $TRANSPORTS; do
        [[ "$transport" != inproc ]] || continue
        for subs in $PUBSUB_SUBS; do
            row="| $transport | $subs"
            for which in pubsub pubsub-pub; do
                # shellcheck disable=SC2086
                lz="$(median ${CPU["$which:$transport:libzmq:$subs"]:-})"
                # shellcheck disable=SC2086
                fm="$(median ${CPU["$which:$transport:ferromq:$subs"]:-})"
                # shellcheck disable=SC2086
                rs="$(median ${CPU["$which:$transport:rust:$subs"]:-})"
                row="$row | $(fmt_us "$lz" 0) | $(fmt_us "$fm" 0) | $(fmt_ratio "$fm" "$lz") | $(fmt_us "$rs" 0)"
            done
            echo "$row |"
        done
    done
    echo
    echo "Medians of $RUNS runs. All runs, in order (slowest subscriber's msgs/s; drops; CPU ns per delivered message; publisher CPU ns per message; FAIL = failed run):"
    echo
    for transport in $TRANSPORTS; do
        [[ "$transport" != inproc ]] || continue
        for subs in $PUBSUB_SUBS; do
            for impl in libzmq ferromq rust; do
                has_impl "$impl" || continue
                key="$transport:$impl:$subs"
                echo "- pubsub $transport ×$subs $impl:${RESULTS["pubsub:$key"]:-}; drops:${DROPS["$key"]:-}; CPU ns/delivered:${CPU["pubsub:$key"]:-}; publisher CPU ns/msg:${CPU["pubsub-pub:$key"]:-}" | sed 's/ \+/ /g'
            done
        done
    done
    echo
    report_failures
} >"$TMP/pubsub.md"; fi

cat "$TMP/report.md" "$TMP/pubsub.md"

if [[ -s "$TMP/report.md" ]]; then
    if [[ "$MECHANISM" == curve ]]; then
        write_report "CURVE: same C programs, libzmq vs libferromq"
    else
        write_report "Same C programs, libzmq vs libferromq"
    fi
fi
if [[ -s "$TMP/pubsub.md" ]]; then
    write_report "PUB → SUB: same C programs, libzmq vs libferromq" \
        "$TMP/pubsub.md" "$PUBSUB_BEGIN_MARK" "$PUBSUB_END_MARK"
fi
