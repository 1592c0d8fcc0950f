#!/usr/bin/env bash
# Checks the declared minimum Rust version (`rust-version` in Cargo.toml, 1.85) with
# the stable toolchain alone, since no older one is installed:
#
#  1. every workspace crate declares the workspace's rust-version;
#  2. no crate built for this platform (normal, build and dev dependencies, from
#     Cargo.lock) declares a newer rust-version than ours; the workspace resolver "3"
#     keeps `cargo update` choosing such versions;
#  3. clippy's incompatible_msrv lint (denied in the workspace [lints]) finds no std API
#     newer than rust-version in any target, and the edition is one that release knows.
#
#   bash tests/msrv.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TARGET="$(rustc -vV | sed -n 's/^host: //p')"
DECLARED="$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)"
[[ -n "$DECLARED" ]] || { echo "no rust-version in the workspace Cargo.toml" >&2; exit 1; }
META="$(mktemp)"
trap 'rm -f "$META"' EXIT
cargo metadata --format-version 1 --locked --filter-platform "$TARGET" >"$META"
python3 - "$META" "$DECLARED" <<'PY'
import json, sys

def parse(v):
    return tuple(int(x) for x in v.split(".")[:3]) + (0,) * (3 - len(v.split(".")[:3]))

declared = sys.argv[2]
msrv = parse(declared)
meta = json.load(open(sys.argv[1]))
members = set(meta["workspace_members"])
built = {n["id"] for n in meta["resolve"]["nodes"]}
bad = []
for p in meta["packages"]:
    rv = p.get("rust_version")
    if p["id"] in members:
        if rv != declared:
            bad.append(f'{p["name"]}: rust-version {rv}, not the workspace\'s {declared}'
                       " (add `rust-version.workspace = true`)")
        if p["edition"] not in ("2015", "2018", "2021", "2024"):
            bad.append(f'{p["name"]}: edition {p["edition"]}')
    elif p["id"] in built and rv and parse(rv) > msrv:
        bad.append(f'{p["name"]} {p["version"]} needs Rust {rv} (> {declared})')
if bad:
    print("MSRV check failed:", *bad, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"MSRV {declared}: {len(members)} workspace crates declare it; "
      f"no dependency built for this platform needs a newer Rust")
PY
cargo clippy --workspace --all-targets --locked -- -D clippy::incompatible_msrv
echo "MSRV $DECLARED: clippy finds no std API newer than it"
