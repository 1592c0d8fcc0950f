#!/usr/bin/env bash
# What a socket costs when nothing moves, and what a stalled consumer costs in memory
# (issue 14: "an idle socket with 1,000 connected idle peers costs < 1 % of a CPU;
# memory under a stalled consumer stays bounded by the HWMs"). The SAME C programs,
# built twice from identical sources, once against Debian's libzmq and once against
# ferromq's C ABI (libferromq), run alternately on this machine, as bench/run_c.sh does.
#
#   bash bench/run_footprint.sh            # print the results (Markdown) to stdout
#   bash bench/run_footprint.sh --write    # ... and put them into docs/PERFORMANCE.md
#                                          # (between the Footprint BENCH RESULTS markers)
#
# Idle peers (bench/c/idle_bind.c, idle_connect.c): one process binds one ROUTER or PULL
# socket on tcp; a second process opens PEERS DEALER or PUSH sockets in one context,
# connects each, and sends one message on each (a DEALER also waits for the ROUTER's
# answer: a round trip per peer). Once both programs have printed "ready" (every peer
# has carried traffic), the script opens a window of WINDOW seconds ("start"/"stop" on
# their stdin); each program prints its own CPU time (user + sys, every thread, from
# getrusage) and context switches over the window, and its VmRSS / VmHWM at the end.
# With ZMQ_HEARTBEAT_IVL set (on both sides, as applications do) every connection
# sends a PING each interval and answers the peer's: the idle cost is then that traffic.
#
# Stalled consumer (bench/c/stall_send.c, stall_recv.c): a PUSH, PUB (an XPUB: the same
# sending path, and the subscription it receives says when the subscriber is there) or
# ROUTER socket (ZMQ_ROUTER_MANDATORY) binds with ZMQ_SNDHWM = HWM; the peer (PULL, SUB,
# DEALER, ZMQ_RCVHWM = HWM) connects and never reads. The sender sends with ZMQ_DONTWAIT
# until the way stays full for 500 ms after EAGAIN (PUB: until it has offered 20 × HWM,
# since PUB drops at the HWM); then, after SETTLE_MS, both programs print VmRSS and
# VmHWM. Reported: messages the sender accepted, and each process's peak RSS growth
# (VmHWM minus its VmRSS before any connection) against HWM × size, what each side's
# queue may hold (the kernel's socket buffers hold the rest, outside RSS).
#
# Environment:
#   PARTS        "idle", "stalled" or both                   (default "idle stalled")
#   PEERS        idle peers                                  (default 1000; the open-file
#                limit is raised to fit)
#   WINDOW       seconds of the idle window                  (default 10)
#   IDLE_CASES   "type:heartbeat-ivl-ms ..." with type router or pull (default
#                "router:0 pull:0 router:1000 pull:1000"; 0 = no heartbeats)
#   STALL_TYPES  any of "push pub router"                    (default all three)
#   STALL_CASES  "size:hwm ..."                              (default
#                "64:1000 1024:1000 65536:1000 64:100000")
#   SETTLE_MS    wait after the sender stopped, before RSS is read (default 1000)
#   RUNS         runs per library and case                   (default 3; medians)
#   IMPLS        "libzmq ferromq" (default) or one of them
#   TIMEOUT      seconds allowed per program                 (default 120)
#   HOST         tcp address                                 (default 127.0.0.1)
#   PREFIX       where libferromq is installed (default $ROOT/target/ferromq-install)
#
# Build and link check as bench/run_c.sh (bench/lib.sh: build_libzmq, build_ferromq_c,
# check_linked): only the library differs between the two builds.
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args 50 "" "$@"
bench_report run_footprint.sh "Footprint C ABI" PREFIX HOST TIMEOUT IMPLS RUNS SETTLE_MS STALL_CASES STALL_TYPES IDLE_CASES WINDOW PEERS PARTS

PARTS="${PARTS:-idle stalled}"
PEERS="${PEERS:-1000}"
WINDOW="${WINDOW:-10}"
IDLE_CASES="${IDLE_CASES:-router:0 pull:0 router:1000 pull:1000}"
STALL_TYPES="${STALL_TYPES:-push pub router}"
STALL_CASES="${STALL_CASES:-64:1000 1024:1000 65536:1000 64:100000}"
SETTLE_MS="${SETTLE_MS:-1000}"
RUNS="${RUNS:-3}"
IMPLS="${IMPLS:-libzmq ferromq}"
TIMEOUT="${TIMEOUT:-120}"
HOST="${HOST:-127.0.0.1}"
PREFIX="${PREFIX:-$ROOT/target/ferromq-install}"
for p in $PARTS; do
    case "$p" in idle|stalled) ;; *) echo "unknown part: $p (idle, stalled)" >&2; exit 2 ;; esac
done
for i in $IMPLS; do
    case "$i" in libzmq|ferromq) ;; *) echo "unknown impl: $i (libzmq, ferromq)" >&2; exit 2 ;; esac
done
for c in $IDLE_CASES; do
    [[ "$c" =~ ^(router|pull):[0-9]+$ ]] || { echo "bad IDLE_CASES entry: $c" >&2; exit 2; }
done
for t in $STALL_TYPES; do
    case "$t" in push|pub|router) ;; *) echo "unknown stall type: $t (push, pub, router)" >&2; exit 2 ;; esac
done
for c in $STALL_CASES; do
    [[ "$c" =~ ^[0-9]+:[1-9][0-9]*$ ]] || { echo "bad STALL_CASES entry: $c" >&2; exit 2; }
done
has_part() { [[ " $PARTS " == *" $1 "* ]]; }

# Every idle peer takes a descriptor in each process (libzmq: two in the connecting one,
# the connection and the socket's mailbox).
NOFILE=$((PEERS * 3 + 256))
if (( $(ulimit -n) < NOFILE )); then
    ulimit -n "$NOFILE" || { log "cannot raise the open-file limit to $NOFILE (hard limit $(ulimit -Hn))"; exit 1; }
fi

# ---------------------------------------------------------------- build
PROGS="idle_bind idle_connect stall_send stall_recv"
if has_impl libzmq; then
    # shellcheck disable=SC2086
    build_libzmq "$BUILD/c-libzmq" $PROGS
    # shellcheck disable=SC2086
    check_linked libzmq "$BUILD/c-libzmq" $PROGS
fi
if has_impl ferromq; then
    # shellcheck disable=SC2086
    build_ferromq_c "$PREFIX" "$BUILD/c-ferromq" $PROGS
    # shellcheck disable=SC2086
    check_linked ferromq "$BUILD/c-ferromq" $PROGS
fi
bin_for() { echo "$BUILD/c-$1/$2"; }  # impl prog

# ---------------------------------------------------------------- helpers
bench_tmp
: >"$TMP/failures.md"
MEDIAN_FORMAT="%.2f"

record_failure() {  # description files...
    local desc="$1" f detail=""
    shift
    log "  $desc: FAILED"
    dump_outputs "$@"
    for f in "$@"; do
        if [[ -s "$f" ]]; then detail="$detail $(basename "$f"): $(tail -c 300 "$f" | tr '\n' ' ' | sed 's/ *$//');"; fi
    done
    echo "- $desc.${detail:- no output}" >>"$TMP/failures.md"
}

# start_prog name stdin-fifo cmd...: runs cmd in the background (bounded by TIMEOUT) with
# its stdin on a fifo the script holds open read-write (so that writing to it never
# blocks or raises SIGPIPE, and closing it is the program's end of input); output in
# $TMP/name.out, .err. Sets PID_<name> and FD_<name>.
start_prog() {
    local name="$1" fd
    shift
    rm -f "$TMP/$name.in" "$TMP/$name.out" "$TMP/$name.err"
    mkfifo "$TMP/$name.in"
    exec {fd}<>"$TMP/$name.in"
    printf -v "FD_$name" '%s' "$fd"
    OPEN_FDS="$OPEN_FDS $fd"
    # The program keeps none of the script's fifo ends: its input ends when the script's does.
    (
        for fd in $OPEN_FDS; do eval "exec $fd>&-"; done
        exec timeout "$TIMEOUT" "$@" <"$TMP/$name.in" >"$TMP/$name.out" 2>"$TMP/$name.err"
    ) &
    printf -v "PID_$name" '%s' "$!"
}
OPEN_FDS=""
say() { local fd="FD_$1"; echo "$2" >&"${!fd}"; }  # name line
hang_up() {  # name
    local v="FD_$1" n
    n="${!v}"
    exec {n}>&-
    OPEN_FDS="$(echo " $OPEN_FDS " | sed "s/ $n / /; s/^ *//; s/ *$//")"
}
# wait_lines name regex [name regex ...]: until every named program printed a line
# matching its regex, or one of them ended without it, or TIMEOUT: 0 = all did.
wait_lines() {
    local deadline=$((SECONDS + TIMEOUT)) i pid all args=("$@")
    while :; do
        all=1
        for ((i = 0; i < ${#args[@]}; i += 2)); do
            grep -qE "${args[i + 1]}" "$TMP/${args[i]}.out" 2>/dev/null && continue
            all=0
            pid="PID_${args[i]}"
            # Its output is complete once it has ended: look once more, then give up.
            if ! kill -0 "${!pid}" 2>/dev/null; then
                grep -qE "${args[i + 1]}" "$TMP/${args[i]}.out" 2>/dev/null || return 1
            fi
        done
        [[ $all -eq 0 ]] || return 0
        (( SECONDS < deadline )) || return 1
        sleep 0.05
    done
}
finish() {  # names...: ends their input and waits; 0 = all exited 0 (else each exit code is logged)
    local name pid rc=0 one
    for name in "$@"; do hang_up "$name"; done
    for name in "$@"; do
        pid="PID_$name"
        one=0
        wait "${!pid}" || one=$?
        if [[ $one -ne 0 ]]; then
            log "  $name exited with $one (124 = timeout)"
            echo "exit code $one (124 = timeout)" >>"$TMP/$name.err"
            rc=1
        fi
    done
    return $rc
}

# ---------------------------------------------------------------- machine
machine_before
GCC="$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)"
FM_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
IDLE_SAMPLES=""

# ---------------------------------------------------------------- idle peers
declare -A R  # result lists, "kind:case:impl" -> "v1 v2 ..."
add() { R["$1"]="${R["$1"]:-} $2"; }

# idle_run impl type ivl run: one window; adds to R or records a failure.
idle_run() {
    local impl="$1" type="$2" ivl="$3" run="$4" ctype t0 t1 key desc ok=1
    [[ "$type" == router ]] && ctype=dealer || ctype=push
    key="$type:$ivl:$impl"
    desc="$impl idle $type heartbeat $ivl ms run $run"
    new_endpoint tcp idle
    start_prog bind "$(bin_for "$impl" idle_bind)" "$EP" "$type" "$PEERS" "$ivl"
    wait_listening "$EP"
    t0="$(date +%s%N)"
    start_prog conn "$(bin_for "$impl" idle_connect)" "$EP" "$ctype" "$PEERS" "$ivl"
    if wait_lines bind '^ready' conn '^ready'; then
        t1="$(date +%s%N)"
        say bind start
        say conn start
        sleep "$WINDOW"
        say bind stop
        say conn stop
        wait_lines bind '^rss:' conn '^rss:' || ok=0
    else
        ok=0
    fi
    finish bind conn || ok=0
    if [[ $ok -eq 1 ]]; then
        local side out wall cpu csw rss
        for side in bind conn; do
            out="$TMP/$side.out"
            wall="$(awk '/^window wall:/ { print $3 }' "$out")"
            cpu="$(awk '/^window cpu:/ { print $3 + $4 }' "$out")"
            csw="$(awk '/^window csw:/ { print $3 + $4 }' "$out")"
            rss="$(awk '/^rss:/ { print $2 }' "$out")"
            [[ -n "$wall" && -n "$cpu" && -n "$csw" && -n "$rss" && "$wall" -gt 0 ]] || { ok=0; break; }
            add "cpu_$side:$key" "$(awk -v c="$cpu" -v w="$wall" 'BEGIN { printf "%.3f", 100 * c / w }')"
            add "csw_$side:$key" "$(awk -v c="$csw" -v w="$wall" 'BEGIN { printf "%.0f", c * 1e6 / w }')"
            add "rss_$side:$key" "$rss"
        done
        add "setup:$key" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')"
    fi
    if [[ $ok -eq 1 ]]; then
        log "  run $run $impl: binder $(echo "${R["cpu_bind:$key"]}" | awk '{ print $NF }') % CPU, connecting side $(echo "${R["cpu_conn:$key"]}" | awk '{ print $NF }') %"
    else
        record_failure "$desc" "$TMP/bind.out" "$TMP/bind.err" "$TMP/conn.out" "$TMP/conn.err"
    fi
}

if has_part idle; then
    for c in $IDLE_CASES; do
        type="${c%%:*}"
        ivl="${c#*:}"
        log "idle: $PEERS peers, $type, heartbeat $ivl ms, window $WINDOW s, $RUNS runs each"
        for run in $(seq 1 "$RUNS"); do
            for impl in libzmq ferromq; do
                has_impl "$impl" || continue
                idle_run "$impl" "$type" "$ivl" "$run"
            done
        done
    done
    IDLE_SAMPLES="$IDLE_SAMPLES $(cpu_idle_pct)"
fi

# ---------------------------------------------------------------- stalled consumer
# stall_run impl type size hwm run: one fill; adds to R or records a failure.
stall_run() {
    local impl="$1" type="$2" size="$3" hwm="$4" run="$5" stype rtype offer key desc ok=1
    case "$type" in
        push) stype=push rtype=pull offer=1000000000000 ;;
        pub) stype=xpub rtype=sub offer=$((20 * hwm)) ;;
        router) stype=router rtype=dealer offer=1000000000000 ;;
    esac
    key="$type:$size:$hwm:$impl"
    desc="$impl stalled $type $(fmt_size "$size") HWM $hwm run $run"
    new_endpoint tcp stall
    start_prog send "$(bin_for "$impl" stall_send)" "$EP" "$stype" "$size" "$hwm" "$offer"
    wait_listening "$EP"
    start_prog recv "$(bin_for "$impl" stall_recv)" "$EP" "$rtype" "$hwm"
    if wait_lines send '^sent:' recv '^rss base:'; then
        sleep "$(awk -v ms="$SETTLE_MS" 'BEGIN { print ms / 1000 }')"
        say send report
        say recv report
        wait_lines send '^rss:' recv '^rss:' || ok=0
    else
        ok=0
    fi
    finish send recv || ok=0
    if [[ $ok -eq 1 ]]; then
        local side base peak sent
        sent="$(awk '/^sent:/ { print $2 }' "$TMP/send.out")"
        [[ -n "$sent" ]] || ok=0
        for side in send recv; do
            base="$(awk '/^rss base:/ { print $3 }' "$TMP/$side.out")"
            peak="$(awk '/^rss:/ { print $3 }' "$TMP/$side.out")"
            [[ -n "$base" && -n "$peak" ]] || { ok=0; break; }
            add "grow_$side:$key" "$((peak - base))"
        done
        [[ $ok -eq 0 ]] || add "sent:$key" "$sent"
    fi
    if [[ $ok -eq 1 ]]; then
        log "  run $run $impl: $sent accepted, peak RSS growth sender $(echo "${R["grow_send:$key"]}" | awk '{ print $NF }') kB, receiver $(echo "${R["grow_recv:$key"]}" | awk '{ print $NF }') kB"
    else
        record_failure "$desc" "$TMP/send.out" "$TMP/send.err" "$TMP/recv.out" "$TMP/recv.err"
    fi
}

if has_part stalled; then
    for type in $STALL_TYPES; do
        for c in $STALL_CASES; do
            size="${c%%:*}"
            hwm="${c#*:}"
            log "stalled: $type, $(fmt_size "$size"), HWM $hwm, $RUNS runs each"
            for run in $(seq 1 "$RUNS"); do
                for impl in libzmq ferromq; do
                    has_impl "$impl" || continue
                    stall_run "$impl" "$type" "$size" "$hwm" "$run"
                done
            done
        done
    done
    IDLE_SAMPLES="$IDLE_SAMPLES $(cpu_idle_pct)"
fi
machine_after
FINISHED="$(date -u '+%H:%M UTC')"

# ---------------------------------------------------------------- report
# shellcheck disable=SC2086
med() { median ${R["$1"]:-}; }
mib() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f\n", k / 1024 }'; }
sum_or_dash() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else print a + b }'; }
{
    echo "Command: \`$COMMAND\`"
    echo
    echo "Machine: $NPROC CPUs ($CPU_MODEL), $KERNEL; gcc $GCC -O2; libzmq $LZ_VERSION (Debian libzmq3-dev); libferromq = ferromq $FM_COMMIT C ABI (bindings-c, release profile, $RUSTC)."
    echo "Run: $STARTED – $FINISHED; RUNS=$RUNS, alternating $(echo $IMPLS | tr ' ' /); CPU idle just before $IDLE_BEFORE %, after each part ($PARTS):$(echo "$IDLE_SAMPLES" | sed 's/ \([0-9]*\)/ \1 %,/g; s/,$//'), just after $IDLE_AFTER % (below ~95 % means other work was running: expect noise); load average before $LOAD_BEFORE, after $LOAD_AFTER."
    if has_part idle; then
        echo
        echo "Idle peers over tcp: one bound socket, $PEERS connected peers in a second process, a ${WINDOW} s window with no messages; **% of one CPU** = user + sys (every thread, getrusage) / wall time of the window; wakeups = context switches per second (voluntary + involuntary, every thread); RSS = VmRSS at the end; setup = seconds from starting the connecting process until every peer had carried its message (and answer):"
        echo
        echo "| bound socket | peers | heartbeat | libzmq binder % CPU | ferromq binder % CPU | libzmq peers % CPU | ferromq peers % CPU | libzmq binder wakeups/s | ferromq binder wakeups/s | libzmq binder RSS MiB | ferromq binder RSS MiB | libzmq peers RSS MiB | ferromq peers RSS MiB | libzmq setup s | ferromq setup s |"
        echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for c in $IDLE_CASES; do
            type="${c%%:*}"
            ivl="${c#*:}"
            k="$type:$ivl"
            [[ "$type" == router ]] && peer=DEALER || peer=PUSH
            hb="$([[ $ivl -eq 0 ]] && echo none || echo "$ivl ms")"
            echo "| ${type^^} ($peer peers) | $PEERS | $hb | $(med "cpu_bind:$k:libzmq") | $(med "cpu_bind:$k:ferromq") | $(med "cpu_conn:$k:libzmq") | $(med "cpu_conn:$k:ferromq") | $(med "csw_bind:$k:libzmq") | $(med "csw_bind:$k:ferromq") | $(mib "$(med "rss_bind:$k:libzmq")") | $(mib "$(med "rss_bind:$k:ferromq")") | $(mib "$(med "rss_conn:$k:libzmq")") | $(mib "$(med "rss_conn:$k:ferromq")") | $(med "setup:$k:libzmq") | $(med "setup:$k:ferromq") |"
        done
    fi
    if has_part stalled; then
        echo
        echo "Stalled consumer over tcp: SNDHWM = RCVHWM = HWM, the consumer never reads; accepted = messages the sender took (with ZMQ_DONTWAIT until the way stayed full 500 ms; PUB: offered 20 × HWM, it drops the rest); growth = peak RSS (VmHWM) minus RSS before any connection, in MiB, per process; HWM × size = what one side's queue may hold (the kernel's buffers, outside RSS, hold what is in flight); **ferromq / libzmq** = the two processes' growth together, < 1 = ferromq holds less:"
        echo
        echo "| sender → consumer | size | HWM | HWM × size MiB | libzmq accepted | libzmq sender growth | libzmq consumer growth | ferromq accepted | ferromq sender growth | ferromq consumer growth | ferromq / libzmq |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for type in $STALL_TYPES; do
            case "$type" in push) pair="PUSH → PULL" ;; pub) pair="PUB (XPUB) → SUB" ;; router) pair="ROUTER → DEALER" ;; esac
            for c in $STALL_CASES; do
                size="${c%%:*}"
                hwm="${c#*:}"
                k="$type:$size:$hwm"
                lz_s="$(med "grow_send:$k:libzmq")"; lz_r="$(med "grow_recv:$k:libzmq")"
                fm_s="$(med "grow_send:$k:ferromq")"; fm_r="$(med "grow_recv:$k:ferromq")"
                bound="$(awk -v h="$hwm" -v s="$size" 'BEGIN { printf "%.1f\n", h * s / 1048576 }')"
                echo "| $pair | $(fmt_size "$size") | $hwm | $bound | $(med "sent:$k:libzmq") | $(mib "$lz_s") | $(mib "$lz_r") | $(med "sent:$k:ferromq") | $(mib "$fm_s") | $(mib "$fm_r") | $(fmt_ratio "$(sum_or_dash "$fm_s" "$fm_r")" "$(sum_or_dash "$lz_s" "$lz_r")") |"
            done
        done
    fi
    echo
    echo "Medians of $RUNS runs (\"-\" = every run failed). All runs, in order:"
    echo
    for k in $(printf '%s\n' "${!R[@]}" | sort); do
        echo "- $k:$(echo "${R[$k]}" | sed 's/ \+/ /g')"
    done
    echo
    if [[ -s "$TMP/failures.md" ]]; then
        echo "Failures ($(wc -l <"$TMP/failures.md") runs):"
        echo
        cat "$TMP/failures.md"
    else
        echo "Failures: none."
    fi
} >"$TMP/report.md"

cat "$TMP/report.md"
write_report "Footprint: idle peers and stalled consumers, libzmq vs libferromq"
