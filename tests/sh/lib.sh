# Helpers for tests/sh/t-*.sh. Each check prints "ok" or "FAIL" and the first
# failure makes the script exit 1 at the end (all checks still run).
failed=0
ok() { echo "ok $*"; }
bad() { echo "FAIL $*"; failed=1; }
check() { # check DESCRIPTION CMD...: the command must succeed
	d=$1; shift
	if "$@" >check.out 2>&1; then ok "$d"; else bad "$d"; sed 's/^/    /' check.out; fi
}
same() { # same DESCRIPTION FILE1 FILE2: byte-identical
	if cmp -s "$2" "$3"; then ok "$1"; else bad "$1: $2 and $3 differ"; cmp "$2" "$3" | head -3; fi
}
# refuses DESCRIPTION STATUS PATTERN CMD...: exits with STATUS and stderr matches PATTERN
refuses() {
	d=$1 st=$2 pat=$3; shift 3
	"$@" >refuse.out 2>refuse.err
	got=$?
	if [ "$got" != "$st" ]; then bad "$d: exit $got, expected $st"; cat refuse.err; return; fi
	if [ -n "$pat" ] && ! grep -qE -- "$pat" refuse.err; then bad "$d: stderr lacks /$pat/"; cat refuse.err; return; fi
	ok "$d"
}
# nobody_dir: NB, a fresh folder uid 65534 can reach, with the host tools
# copied into NB/bin and NB/w writable by all: the runs as nobody work there,
# since the tree may sit below a folder only root enters (a clone in /root,
# mktemp -d's 0700 for make distcheck). Under /tmp, or in the test's own folder
# when /tmp will not run the copies (noexec). Removed at exit.
nobody_dir() {
	[ -n "${NB:-}" ] && return
	if NB=$(mktemp -d /tmp/bootkit-nb.XXXXXX 2>/dev/null); then
		trap 'rm -rf "$NB"' EXIT
		nobody_fill "$NB" && "$NB/bin/ramdisk" --version >/dev/null 2>&1 && return
		echo "note: $NB does not run programs (noexec?): the non-root runs use $PWD/nb"
		rm -rf "$NB"
	fi
	NB=$PWD/nb
	nobody_fill "$NB" || { bad "nobody_dir: cannot set up $NB"; exit 1; }
}
# nobody_fill DIR: DIR (reachable by all) with the tools in DIR/bin, DIR/w writable by all
nobody_fill() {
	mkdir -p "$1/bin" "$1/w" && chmod 755 "$1" && chmod 777 "$1/w" && cp "$BIN/bootimg" "$BIN/ramdisk" "$1/bin/"
}
finish() { [ "$failed" = 0 ] || { echo "some checks failed"; exit 1; }; echo "all checks passed"; }
# The inputs of the AOSP vectors (tests/data/aosp-public.tsv).
vector_inputs() {
	yes KERNEL | head -c 5000 > kernel; yes RAMDISK | head -c 3000 > ramdisk
	yes SECOND | head -c 1000 > second; yes DTBO | head -c 600 > recovery_dtbo
	yes DTB | head -c 700 > dtb; yes VRAMDISK | head -c 2500 > vendor_ramdisk
	yes VRD1 | head -c 1234 > vendor_ramdisk_frag1; yes VRD2 | head -c 777 > vendor_ramdisk_frag2
	printf 'androidboot.hardware=mt6572\nandroidboot.console=ttyMT0\n' > bootconfig
}
# The MT6572 stock addresses and page size, as mkbootimg flags (plain words).
MTK="--base 0x10000000 --kernel_offset 0x00008000 --ramdisk_offset 0x01000000 --second_offset 0x00f00000 --tags_offset 0x00000100 --pagesize 2048"
# mkbootimg_mtk ARGS...: our mkbootimg with those
# shellcheck disable=SC2086 # MTK: plain words, split on purpose
mkbootimg_mtk() { "$BIN/mkbootimg" $MTK "$@"; }
# no_files DIR [GREP-OPTION...] ERE: no name in DIR (dot files too) matches;
# the names that do are printed
no_files() {
	_d=$1; shift
	! find "$_d" -mindepth 1 -maxdepth 1 -printf '%f\n' | grep -E "$@"
}
