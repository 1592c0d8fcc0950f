#!/usr/bin/env bash
# A/B of two libferromq builds on the same C programs (bench/c/local_thr, remote_thr,
# PUSH -> PULL over tcp or ipc), runs alternating, for before/after figures on a loaded
# machine: besides msgs/s it prints the receiver's CPU time (user + sys of the whole
# local_thr process, from /usr/bin/time) per message, which other load disturbs far less
# than wall-clock throughput.
#
#   BEFORE=/path/a/bench/build/c-ferromq AFTER=/path/b/bench/build/c-ferromq bash bench/ab_c.sh
#
# Each directory holds local_thr and remote_thr as bench/run_c.sh builds them (linked with
# an rpath to their libferromq). Environment: SIZES (default "64 1024 65536"), RUNS
# (default 5), TRANSPORTS (any of "tcp ipc", default "tcp"), PORT (first tcp port,
# default 47611). Output: one line per run,
# "<before|after> <transport> <size> <msgs/s> <receiver CPU µs per message>".
set -euo pipefail
: "${BEFORE:?set BEFORE to the C programs of the before build}" "${AFTER:?set AFTER to the C programs of the after build}"
port="${PORT:-47611}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for transport in ${TRANSPORTS:-tcp}; do
for size in ${SIZES:-64 1024 65536}; do
    case "$size" in
        64) n=2000000 ;; 1024) n=1000000 ;; 65536) n=20000 ;; 1048576) n=2000 ;; *) n=500000 ;;
    esac
    for _ in $(seq "${RUNS:-5}"); do
        for lib in before after; do
            dir="$BEFORE"; [[ "$lib" == after ]] && dir="$AFTER"
            port=$((port + 1))
            addr="tcp://127.0.0.1:$port"; [[ "$transport" == ipc ]] && addr="ipc://$out/ab-$port.sock"
            /usr/bin/time -f "%U %S" -o "$out/time" timeout 60 "$dir/local_thr" \
                "$addr" "$size" "$n" > "$out/local" 2>&1 &
            pid=$!
            # remote_thr connects with reconnection, so it may start before the bind.
            timeout 60 "$dir/remote_thr" "$addr" "$size" "$n" > /dev/null 2>&1 || true
            wait "$pid" || true
            thr="$(sed -n 's/^mean throughput: \([0-9]*\) \[msg\/s\]$/\1/p' "$out/local")"
            cpu="$(awk -v n="$n" '{ printf "%.3f", ($1 + $2) * 1e6 / n }' "$out/time")"
            echo "$lib $transport $size ${thr:-FAIL} $cpu"
        done
    done
done
done
