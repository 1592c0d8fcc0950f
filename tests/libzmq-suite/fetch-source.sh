#!/usr/bin/env bash
# Fetches libzmq 4.3.4's source from Debian's source package `zeromq3` into $1 (a directory
# that will hold zeromq3-4.3.4/, with Debian's patches applied by dpkg-source) and prints the
# path of the unpacked tree. Used by tests/libzmq-suite/run.sh.
#
#   bash tests/libzmq-suite/fetch-source.sh target/libzmq-suite
#
# The system's apt configuration is never touched: `apt-get update` and `apt-get source` run
# with a PRIVATE configuration under $1/apt (its own sources list, preferences, state and
# cache directories). Its deb-src lines are derived from the system's Debian `deb` entries
# (/etc/apt/sources.list, /etc/apt/sources.list.d/*.list and *.sources), keeping their
# URIs, suites and signing keyring; only component `main` is used. Needs dpkg-source
# (dpkg-dev) to unpack; installs dpkg-dev with apt-get when missing.
set -euo pipefail

WORK="${1:?usage: fetch-source.sh DIR}"
UPSTREAM_VERSION=4.3.4
SRC="$WORK/src/zeromq3-$UPSTREAM_VERSION"

log() { printf 'fetch-source: %s\n' "$*" >&2; }

if [ -f "$SRC/tests/testutil.cpp" ] && [ -f "$SRC/Makefile.am" ]; then
    printf '%s\n' "$SRC"
    exit 0
fi

if ! command -v dpkg-source >/dev/null; then
    log "dpkg-source missing: installing dpkg-dev"
    apt-get -o DPkg::Lock::Timeout=600 install -y dpkg-dev >&2
fi

APT="$WORK/apt"
rm -rf "$APT" "$WORK/src"
mkdir -p "$APT/etc/sources.list.d" "$APT/etc/preferences.d" "$APT/etc/apt.conf.d" \
    "$APT/state/lists/partial" "$APT/cache/archives/partial" "$WORK/src"

# deb-src lines from the system's Debian archive entries (one-line and deb822 formats).
python3 - "$APT/etc/sources.list" <<'PY'
import glob, re, sys

out = []
def add(uri, suites, comps, signed_by):
    if "debian" not in uri or "main" not in comps:
        return
    opt = f"[signed-by={signed_by}] " if signed_by else ""
    for suite in suites:
        line = f"deb-src {opt}{uri} {suite} main"
        if line not in out:
            out.append(line)

for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        continue
    for line in lines:
        line = line.split("#", 1)[0].strip()
        m = re.match(r"^deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$", line)
        if not m:
            continue
        opts = m.group(1) or ""
        sb = re.search(r"signed-by=(\S+?)\]?(\s|$)", opts)
        add(m.group(2), [m.group(3)], m.group(4).split(), sb.group(1) if sb else "")

for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        continue
    for stanza in re.split(r"\n\s*\n", text):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line:
                continue
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.split()
        if "deb" not in fields.get("types", []):
            continue
        if fields.get("enabled", ["yes"])[0].lower() == "no":
            continue
        sb = fields.get("signed-by", [""])
        for uri in fields.get("uris", []):
            add(uri, fields.get("suites", []), fields.get("components", []), sb[0] if len(sb) == 1 else "")

if not out:
    sys.exit("no Debian 'deb' entry with component main in the system's apt sources")
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(out) + "\n")
PY
log "private deb-src entries ($APT/etc/sources.list):"
sed 's/^/    /' "$APT/etc/sources.list" >&2

APT_OPTS=(
    -o "Dir::Etc::SourceList=$APT/etc/sources.list"
    -o "Dir::Etc::SourceParts=$APT/etc/sources.list.d"
    -o "Dir::Etc::Preferences=$APT/etc/preferences"
    -o "Dir::Etc::PreferencesParts=$APT/etc/preferences.d"
    -o "Dir::State=$APT/state"
    -o "Dir::Cache=$APT/cache"
    -o "APT::Sandbox::User=$(id -un)"
    -o "Acquire::Languages=none"
)
log "apt-get update (private state in $APT/state)"
apt-get "${APT_OPTS[@]}" -q update >&2
log "apt-get source zeromq3"
(cd "$WORK/src" && apt-get "${APT_OPTS[@]}" -q source zeromq3 >&2)

if [ ! -f "$SRC/tests/testutil.cpp" ]; then
    log "expected $SRC after apt-get source; found: $(ls "$WORK/src" | tr '\n' ' ')"
    log "(Debian's zeromq3 is no longer libzmq $UPSTREAM_VERSION? update UPSTREAM_VERSION and expected-failures.txt)"
    exit 1
fi
printf '%s\n' "$SRC"
