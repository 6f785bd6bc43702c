#!/bin/sh
# Run tests/sh/t-*.sh; each prints "ok ..." / "FAIL ..." lines and exits non-zero on failure.
set -u
# SH_BIN: the tools to test (default out/bin; make sh-test also runs some
# tests with out/san-bin, the sanitizer builds); SH_WORK: out/ folder of the
# runs; SH_SAN: set for sanitizer builds (any report fails the test).
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SH_BIN:-$root/out/bin}
pass=0 fail=0
for t in "$@"; do
	name=$(basename "$t" .sh)
	work="$root/out/${SH_WORK:-sh-test}/$name"
	rm -rf "$work" "$work.san" && mkdir -p "$work"
	# with sanitizer builds, every report goes to a file of its own (a test
	# that sends stderr elsewhere, or sees an exit status it expects, still fails)
	if [ -n "${SH_SAN:-}" ]; then
		mkdir -p "$work.san"
		export ASAN_OPTIONS="detect_leaks=1:log_path=$work.san/asan"
		export UBSAN_OPTIONS="print_stacktrace=1:log_path=$work.san/ubsan"
	fi
	if (cd "$work" && ROOT="$root" BIN="$bin" sh "$root/$t") >"$work.log" 2>&1 &&
		! ls "$work.san"/* >/dev/null 2>&1; then
		pass=$((pass + 1))
		echo "PASS $name ($(grep -c '^ok' "$work.log") checks)"
	else
		fail=$((fail + 1))
		echo "FAIL $name (log: $work.log)"
		grep -E '^(FAIL|not ok)' "$work.log" | head -20
		tail -5 "$work.log"
		for r in "$work.san"/*; do
			[ -f "$r" ] && echo "sanitizer report $r:" && grep -m3 -A6 'ERROR\|runtime error' "$r"
		done
	fi
done
echo "shell tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
