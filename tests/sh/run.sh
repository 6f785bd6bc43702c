#!/bin/sh
# Run tests/sh/t-*.sh; each prints "ok ..." / "FAIL ..." lines and exits non-zero on failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fail=0
for t in "$@"; do
	name=$(basename "$t" .sh)
	work="$root/out/sh-test/$name"
	rm -rf "$work" && mkdir -p "$work"
	if (cd "$work" && ROOT="$root" BIN="$root/out/bin" sh "$root/$t") >"$work.log" 2>&1; then
		pass=$((pass + 1))
		echo "PASS $name ($(grep -c '^ok' "$work.log") checks)"
	else
		fail=$((fail + 1))
		echo "FAIL $name (log: $work.log)"
		grep -E '^(FAIL|not ok)' "$work.log" | head -20
		tail -5 "$work.log"
	fi
done
echo "shell tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
