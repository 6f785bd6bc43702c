#!/bin/sh
# mk/distcheck.sh TARBALL [GOAL...]: unpack a `make dist` tarball into a
# temporary folder outside any git checkout and build it there with `make`,
# then `make check` (the whole suite, QEMU boots included); with GOALs, `make
# GOAL...` alone instead (`make distcheck DISTCHECK_GOALS="tools probes
# unit-test"`: the build and the unit tests, no QEMU). The folder is removed
# when all passed, and kept (its name printed) when something failed.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 TARBALL [GOAL...]" >&2; exit 2; }
tarball=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
# make distcheck passes DISTCHECK_GOALS through the environment, as given:
# split into goals on blanks here, never read as shell code
if [ $# -eq 0 ] && [ -n "${DISTCHECK_GOALS:-}" ]; then
	set -f
	# shellcheck disable=SC2086 # goals: words split on purpose (globbing off)
	set -- $DISTCHECK_GOALS
	set +f
fi
name=$(basename "$tarball" .tar.gz)
make=${MAKE:-make}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bootkit-distcheck.XXXXXX")
dir=$tmp/$name
fail() { echo "distcheck: $*; $tmp is kept" >&2; exit 1; }

tar -xzf "$tarball" -C "$tmp"
[ -f "$dir/Makefile" ] || fail "$tarball holds no $name/Makefile"
[ -s "$dir/VERSION" ] || fail "$tarball holds no $name/VERSION"
# git must find no repository around the tree: the version comes from VERSION
GIT_CEILING_DIRECTORIES=$tmp
export GIT_CEILING_DIRECTORIES
if git -C "$dir" rev-parse --git-dir >/dev/null 2>&1; then fail "$dir is inside a git checkout"; fi

run() {
	echo "distcheck: make -C $dir $*"
	$make -C "$dir" "$@" || fail "make $* failed"
}
if [ $# -eq 0 ]; then
	run
	run check
else
	run "$@"
fi
# the tools say the version the tarball carries
if [ -x "$dir/out/bin/bootimg" ]; then
	want="bootimg $(cat "$dir/VERSION")"
	got=$("$dir/out/bin/bootimg" --version)
	[ "$got" = "$want" ] || fail "bootimg --version says \"$got\", not \"$want\""
	echo "distcheck: $got"
fi
rm -rf "$tmp"
echo "distcheck: $name: ok"
