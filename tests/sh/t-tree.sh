# bootimg unpack --tree / repack DIR (issue 18.4): the ramdisk as a folder
# and an exact spec, round trip byte-identical with nothing changed, an edited
# file, a new file and a spec edit rebuilding only what changed, recompressed
# as the original; run as the user running the tests (root in CI) and, when
# root, as nobody too (device nodes and owners live in the spec).
. "$ROOT/tests/sh/lib.sh"
# a stock-like ramdisk: owners, a device node, a hard link, odd mtimes, not sorted
python3 "$ROOT/tests/sh/newc.py" stock.cpio <<'EOF'
e(b'.', 0o40755, mtime=1400000000)
e(b'sbin', 0o40750, mtime=1400000001)
e(b'init.rc', 0o100750, b'on early-init\n    start ueventd\n', mtime=1234567890)
e(b'data', 0o40771, uid=1000, gid=1000, mtime=1400000002)
e(b'dev', 0o40755)
e(b'dev/console', 0o20600, rdev=(5, 1))
e(b'sbin/adbd', 0o100750, ino=40, nlink=2)
e(b'sbin/adbd2', 0o100750, b'\x7fELF adbd', ino=40, nlink=2)
e(b'default.prop', 0o100644, b'ro.secure=1\nro.debuggable=0\n', mtime=1400000003)
e(b'charger', 0o120777, b'/sbin/healthd')
trailer()
EOF
gzip -9n <stock.cpio >stock.gz
yes KERNEL | head -c 100000 >kernel
mkbootimg_mtk --mtk_header boot --kernel kernel --ramdisk stock.gz --cmdline 'console=ttyMT0' -o stock.img
cp stock.img stock.orig

rm -rf u && check "unpack --tree" "$BIN/bootimg" unpack stock.img u --tree
grep -q "u/ramdisk.spec: 10 entries, compression gzip" check.out && ok "says entries and compression" || bad "$(cat check.out)"
[ -d u/ramdisk.d/sbin ] && [ -f u/ramdisk.spec ] && grep -q '^tree ramdisk.d ramdisk.spec ' u/manifest &&
	ok "ramdisk.d, ramdisk.spec, the manifest's tree line" || bad "tree files"
grep -q '^dir data 0771 1000 1000' u/ramdisk.spec && ok "owner 1000 kept in the spec" || bad "data owner"
grep -q '^nod dev/console 0600 0 0 c 5 1' u/ramdisk.spec && ok "the device node in the spec" || bad "console node"
[ ! -e u/ramdisk.d/dev/console ] && ok "no device node made on disk" || bad "dev/console made"
check "repack, nothing changed" "$BIN/bootimg" repack u -o same.img
same "round trip: the image byte for byte" stock.img same.img
cmp -s stock.img stock.orig && ok "the input is untouched" || bad "input modified"

# an edited file: only its entry changes, gzip again
printf '    start adbd\n' >>u/ramdisk.d/init.rc
check "repack with init.rc edited" "$BIN/bootimg" repack u -o edit.img
grep -q "ramdisk rebuilt from ramdisk.d and ramdisk.spec: .* gzip" check.out && ok "says rebuilt, gzip" || bad "$(cat check.out)"
rm -rf e && "$BIN/bootimg" unpack edit.img e >/dev/null
[ "$("$BIN/bootimg" info edit.img | grep -c 'ROOTFS.*gzip')" = 1 ] && ok "the ramdisk is gzip, MTK ROOTFS header kept" || bad "ramdisk format"
gzip -dc e/ramdisk >edit.cpio
"$BIN/ramdisk" list -v stock.cpio | grep -v ' init.rc$' >l1
"$BIN/ramdisk" list -v edit.cpio | grep -v ' init.rc$' >l2
same "every other entry listed identically (owners, modes, links, node)" l1 l2
rm -rf x && mkdir x && (cd x && cpio -id --quiet <../edit.cpio 2>/dev/null)
tail -1 x/init.rc | grep -q 'start adbd' && ok "GNU cpio reads the edited init.rc" || bad "init.rc content"
[ "$(stat -c %h x/sbin/adbd)" = 2 ] && ok "the hard link survives" || bad "hard link"

# a new file dropped into ramdisk.d, and an owner changed in the spec
rm -rf u && "$BIN/bootimg" unpack stock.img u --tree >/dev/null
mkdir -p u/ramdisk.d/usr/idc && printf 'touch.deviceType = touchScreen\n' >u/ramdisk.d/usr/idc/ft5x06.idc
sed -i 's/^dir data 0771 1000 1000/dir data 0771 1000 2000/' u/ramdisk.spec
check "repack with a new file and a spec edit" "$BIN/bootimg" repack u -o add.img
grep -q "3 new entries from ramdisk.d" check.out && ok "counts the new entries (usr, usr/idc, the .idc)" || bad "$(cat check.out)"
rm -rf a && "$BIN/bootimg" unpack add.img a --tree >/dev/null
grep -q '^file usr/idc/ft5x06.idc ramdisk.d/usr/idc/ft5x06.idc 0644 0 0' a/ramdisk.spec && ok "new file: 0:0, its mode" || bad "new entry line"
grep -q '^dir data 0771 1000 2000' a/ramdisk.spec && ok "gid changed through the spec" || bad "gid"
# the same changes, applied again to the new image's tree: nothing changes
check "repack of the repacked, nothing changed" "$BIN/bootimg" repack a -o add2.img
same "stable: repacking the result gives it back" add.img add2.img

# a removed file needs its spec line gone; otherwise a clear error
rm -rf u && "$BIN/bootimg" unpack stock.img u --tree >/dev/null
rm u/ramdisk.d/default.prop
refuses "a spec line whose file is gone" 1 "delete its line from ramdisk.spec" "$BIN/bootimg" repack u -o no.img
sed -i '/^file default.prop /d' u/ramdisk.spec
check "its line deleted: the entry is removed" "$BIN/bootimg" repack u -o rm.img
"$BIN/bootimg" unpack rm.img r >/dev/null && gzip -dc r/ramdisk | cpio -t --quiet 2>/dev/null >names
grep -qx default.prop names && bad "default.prop still there" || ok "default.prop gone"

# hostile folders: nothing from outside ramdisk.d
rm -rf u && "$BIN/bootimg" unpack stock.img u --tree >/dev/null
sed -i 's|^file default.prop ramdisk.d/default.prop|file default.prop /etc/passwd|' u/ramdisk.spec
refuses "a spec naming /etc/passwd" 1 "is not below ramdisk.d/" "$BIN/bootimg" repack u -o no.img
rm -rf u && "$BIN/bootimg" unpack stock.img u --tree >/dev/null
up=$(printf '../%.0s' $(seq 1 30)) # past the root: it resolves to /etc/passwd
sed -i "s|^file default.prop ramdisk.d/default.prop|file default.prop ramdisk.d/${up}etc/passwd|" u/ramdisk.spec
refuses "a spec naming ramdisk.d/../../" 1 "\"\\.\\.\"" "$BIN/bootimg" repack u -o no.img
rm -rf u && "$BIN/bootimg" unpack stock.img u --tree >/dev/null
rm u/ramdisk.d/default.prop && ln -s /etc/passwd u/ramdisk.d/default.prop
refuses "a symlink planted in ramdisk.d" 1 "default.prop" "$BIN/bootimg" repack u -o no.img
[ -e no.img ] && bad "a refused repack wrote no.img" || ok "refused repacks wrote nothing"
# both the ramdisk file and the tree changed: refused
rm -rf u && "$BIN/bootimg" unpack stock.img u --tree >/dev/null
printf 'x' >>u/ramdisk.d/init.rc && gzip -9n <stock.cpio >u/ramdisk && printf '\0' >>u/ramdisk
refuses "ramdisk file and tree both changed" 1 "both the ramdisk file and ramdisk.d" "$BIN/bootimg" repack u -o no.img
# unpack --tree refuses a folder already holding a tree, before writing anything
refuses "unpack --tree over a tree" 1 "already there" "$BIN/bootimg" unpack stock.img u --tree
# issue 26.1: a real Android ramdisk (AOSP's mkbootfs writes lower-case hex in its cpio headers,
# tests/data/android/README.md): packed as a boot image, the tree round trip is byte for byte,
# and an edit writes the headers it rebuilds in lower case too, as ramdisk edit does
yes KERNEL | head -c 300000 >kernel2
"$BIN/mkbootimg" --kernel kernel2 --ramdisk "$ROOT/tests/data/android/crespo-ramdisk.cpio.gz" \
	--base 0x30000000 --pagesize 2048 --cmdline 'console=ttySAC2,115200' -o crespo.img
rm -rf c && check "unpack --tree of the crespo image" "$BIN/bootimg" unpack crespo.img c --tree
grep -q '^exact hex=lower$' c/ramdisk.spec && ok "the spec says hex=lower" || bad "no hex=lower in the spec"
check "repack, nothing changed" "$BIN/bootimg" repack c -o crespo2.img
same "crespo: the tree round trip is byte for byte" crespo.img crespo2.img
check "ramdisk pack --spec of the crespo tree" "$BIN/ramdisk" pack --spec c/ramdisk.spec -c none -o crespo.cpio
gzip -dc "$ROOT/tests/data/android/crespo-ramdisk.cpio.gz" >crespo.orig.cpio
same "... gives the archive back byte for byte" crespo.orig.cpio crespo.cpio
printf '# tree edit\n' >>c/ramdisk.d/init.rc
check "repack with init.rc edited" "$BIN/bootimg" repack c -o crespo3.img
rm -rf c3 && "$BIN/bootimg" unpack crespo3.img c3 >/dev/null && gzip -dc c3/ramdisk >crespo3.cpio
grep -aq '070701[0-9A-F]*[A-F]' crespo3.cpio && bad "an upper-case header in the edited archive" ||
	ok "every header of the edited archive in lower case"
"$BIN/ramdisk" edit "$ROOT/tests/data/android/crespo-ramdisk.cpio.gz" -o ed.cpio -c none \
	-e 'insert init.rc bottom "# tree edit"' >/dev/null 2>&1
same "the same edit through ramdisk edit gives the same archive, byte for byte" ed.cpio crespo3.cpio
# issue 26.6: sizes first, then streamed: a 1.5 GiB (sparse) file dropped into ramdisk.d is refused
# before it is read; a 64 MiB one is hashed and compressed as it streams (it was built in memory)
rm -rf s && "$BIN/bootimg" unpack stock.img s --tree >/dev/null && truncate -s 1536M s/ramdisk.d/huge
refuses "a 1.5 GiB file in ramdisk.d: over the 512 MiB cap, said before reading it" 1 \
	"the archive would be over 512 MiB \(at least 16[0-9]{8} bytes\)" "$ROOT/out/peakrss" "$BIN/bootimg" repack s -o huge.img
[ "$(sed -n 's/^PEAKRSS [^ ]* //p' refuse.err)" -lt 32768 ] && ok "... under 32 MiB" || { bad "peak"; cat refuse.err; }
[ ! -e huge.img ] && no_files . '^\.huge\.img' && ok "... nothing written" || bad "huge.img written"
rm s/ramdisk.d/huge && truncate -s 64M s/ramdisk.d/big
"$ROOT/out/peakrss" "$BIN/bootimg" repack s -o big.img >big.out 2>big.err &&
	[ "$(sed -n 's/^PEAKRSS [^ ]* //p' big.err)" -lt 32768 ] && ok "a 64 MiB file: repacked in under 32 MiB" ||
	{ bad "64 MiB file: $(cat big.err)"; }
rm -rf sb && "$BIN/bootimg" unpack big.img sb >/dev/null && gzip -dc sb/ramdisk | cpio -t --quiet 2>/dev/null | grep -qx big &&
	ok "... and it is in the ramdisk" || bad "big not in the ramdisk"
# without root: the same round trip (owners and the node live in the spec)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	nobody_dir
	cp stock.img "$NB/w/" && chown -R nobody "$NB/w"
	if setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c \
		"cd '$NB/w' && '$NB/bin/bootimg' unpack stock.img u --tree && '$NB/bin/bootimg' repack u -o same.img" >nr.log 2>&1; then
		same "as nobody: the round trip is byte for byte" stock.img "$NB/w/same.img"
	else
		bad "as nobody: $(cat nr.log)"
	fi
else
	ok "not root: the round trips above ran without root"
fi
finish
