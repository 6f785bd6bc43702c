#!/bin/sh
# make bench: our tools against the reference tools, side by side, same inputs.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/out/bench"
rm -rf "$work" && mkdir -p "$work"
cd "$work"
python3 "$root/bench/bench.py" "$root/out/bin"

# Under QEMU, same image, same emulated board: the probe (board 1) against a
# BusyBox script making the same decisions (board 8), both booted in this run.
echo
echo "QEMU vexpress-a9, board 1 (FocalTech + FAN53555 + lcm panel), probe vs BusyBox script:"
sh "$root/qemu-tests/run.sh" "$root/qemu-tests/boards/1-focaltech.board" "$root/qemu-tests/boards/8-script.board" >qemu.log 2>&1 || { cat qemu.log; exit 1; }
awk -F'\t' 'NR > 1 { pass[$1] = $7; dec[$1] = $8 }
	END {
		p = pass["1-focaltech"]; s = pass["8-script"]; dp = dec["1-focaltech"]; ds = dec["8-script"]
		printf "  deciding (sum of per-class times): probe %7.1f ms  script %7.1f ms  ratio %.1fx\n", dp, ds, ds / dp
		printf "  whole pass (incl. insmod, bind):   probe %7.1f ms  script %7.1f ms  ratio %.1fx\n", p, s, s / p
	}' "$root/out/qemu-tests/timing.tsv"
