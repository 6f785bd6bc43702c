# Every fuzz corpus input through the tools' error paths (issue 26.14): each
# command exits 0 or 1 (a bad input is a clear error, never a crash or a usage
# error), leaves nothing half-written; run with the sanitizer builds (make
# sh-test's second pass, out/san-bin), an error exit that leaks memory fails
# here (LeakSanitizer's report, in the log).
. "$ROOT/tests/sh/lib.sh"
C=$ROOT/fuzz/corpus
n=0 odd=0
run() { # run CMD...: exit 0 or 1 and no sanitizer report (a leak leaves the exit status
	# alone when it is not 0), else name it
	n=$((n + 1))
	"$@" >/dev/null 2>run.err
	rc=$?
	if { [ "$rc" != 0 ] && [ "$rc" != 1 ]; } || grep -q 'Sanitizer\|runtime error:' run.err; then
		odd=$((odd + 1))
		echo "  exit $rc: $*"
		sed -n '1,12p' run.err
	fi
}
for f in "$C"/fuzz_bootimg/* "$C"/fuzz_avb/*; do
	run "$BIN/bootimg" info "$f"
	run "$BIN/bootimg" verify --mtk --stock "$f"
	run "$BIN/bootimg" version "$f"
	rm -rf u && run "$BIN/bootimg" unpack "$f" u --tree
	rm -rf v && run "$BIN/unpack_bootimg" --boot_img "$f" --out v
	run "$BIN/bootimg" repack "$f" -o o.img --cmdline-set a=b
done
for f in "$C"/fuzz_cpio/* "$C"/fuzz_streams/*; do
	run "$BIN/ramdisk" list -v "$f"
	rm -rf x && run "$BIN/ramdisk" extract "$f" x --spec x.spec
	run "$BIN/ramdisk" edit "$f" -o o.cpio -e 'rm nothere'
done
for f in "$C"/fuzz_spec/*; do
	run "$BIN/ramdisk" pack --spec "$f" -o o.cpio
done
[ "$odd" = 0 ] && ok "$n runs over the fuzz corpora: each exit 0 or 1, no sanitizer report" ||
	bad "$odd of $n runs exited otherwise or had a sanitizer report (above)"
no_files . '^\.(o\.img|o\.cpio)\.' && ok "no temporary left behind" || bad "temporaries left"
finish
