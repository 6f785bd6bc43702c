#!/bin/sh
# make bench: our tools against the reference tools, side by side, same inputs.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/out/bench"
rm -rf "$work" && mkdir -p "$work"
cd "$work"
exec python3 "$root/bench/bench.py" "$root/out/bin"
