# Helpers shared by the benchmark scripts (bench/run*.sh), sourced by each of them.
# They read the caller's IMPLS (has_impl) and print to stdout unless noted.

log() { echo "$*" >&2; }

has_impl() { [[ " $IMPLS " == *" $1 "* ]]; }

free_port() {
    python3 - "$HOST" <<'PY'
import socket, sys
s = socket.socket()
s.bind((sys.argv[1], 0))
print(s.getsockname()[1])
s.close()
PY
}

dump_outputs() {  # files...
    local f
    for f in "$@"; do
        [[ -s "$f" ]] && sed "s|^|    $(basename "$f"): |" "$f" >&2
    done
    return 0
}

fmt_rate() {  # msgs/s -> 7.15 M / 532 k / 980
    awk -v x="$1" 'BEGIN {
        if (x == "-") { print "-"; exit }
        if (x >= 1e6) printf "%.2f M\n", x / 1e6
        else if (x >= 1e4) printf "%.1f k\n", x / 1e3
        else printf "%d\n", x }'
}

fmt_mbs() {  # msgs/s, size -> MB/s (10^6 bytes)
    awk -v x="$1" -v s="$2" 'BEGIN { if (x == "-") print "-"; else printf "%.1f\n", x * s / 1e6 }'
}

fmt_ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'
}

cpu_idle_pct() {  # share of CPU time idle over one second (other work on the machine = noise)
    local a b
    a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
    awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
        n = split(a, x, " "); split(b, y, " "); t = 0
        for (i = 2; i <= n; i++) t += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6])
        printf "%.0f\n", (t > 0 ? 100 * idle / t : 0) }'
}

fmt_size() {
    if (( $1 >= 1048576 && $1 % 1048576 == 0 )); then echo "$(( $1 / 1048576 )) MiB"
    elif (( $1 >= 1024 && $1 % 1024 == 0 )); then echo "$(( $1 / 1024 )) KiB"
    else echo "$1 B"; fi
}
