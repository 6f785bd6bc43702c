# make inject on stock MediaTek images as phones carry them (issue 26.3a): judged by what
# MediaTek's LK checks (MTK header magic and names, dsize inside its section with its bytes
# in the file, page size, header v0-v2); a stale id (LK never checks it) and a ramdisk_size
# one byte past the end of a dump are warnings, and the result is written consistent (sizes,
# id). And every path given to make passed as given (issue 26.8): names with a space, quotes,
# a backquote, $(...), ; and a newline are names, never shell code.
. "$ROOT/tests/sh/lib.sh"
R=$ROOT
W=$(pwd)
K=$R/out/mt6572/kernel-dtb
[ -f "$K" ] || { bad "$K missing (make images)"; finish; }

# a stock-like MT6572 image: gzip ramdisk with an init, MTK headers, a build-stamp name
mkdir -p st/sbin st/dev st/proc st/sys
printf '\177ELF stock android init\n' >st/init
printf 'on early-init\n    start ueventd\n' >st/init.rc
ln -s ../init st/sbin/ueventd
chmod 0750 st/init
(cd st && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9n) >stock-ramdisk.gz
yes STOCKKERNEL | head -c 2000000 >stock-kernel
mkbootimg_mtk --mtk_header boot --kernel stock-kernel --ramdisk stock-ramdisk.gz --board 1429947554 \
	--cmdline 'console=ttyMT3,921600n1' -o good.img
# the two real cases: a stale SHA-1 id (a TCL MT6575/77 stock image), and a ramdisk_size one byte
# past the end of the file with the MTK dsize bytes all there (a ZTE MT6577 dump)
python3 - <<'PY'
import struct
b = bytearray(open('good.img', 'rb').read())
s = bytearray(b); s[576] ^= 0x5a
open('stale-id.img', 'wb').write(bytes(s))
ksz, rsz = struct.unpack_from('<I4xI', b, 8)
page = 2048
roff = page + (ksz + page - 1) // page * page
struct.pack_into('<I', b, 16, rsz + 1)
open('short.img', 'wb').write(bytes(b[:roff + rsz]))
# what LK does refuse: a wrong MTK name, a dsize past its section
n = bytearray(open('good.img', 'rb').read()); n[roff + 8:roff + 14] = b'ROOTFZ'
open('badname.img', 'wb').write(bytes(n))
d = bytearray(open('good.img', 'rb').read()); struct.pack_into('<I', d, roff + 4, rsz)
open('bigdsize.img', 'wb').write(bytes(d))
PY
for f in stale-id short; do
	refuses "$f.img: plain verify fails it" 1 "" "$BIN/bootimg" verify --mtk "$f.img"
	check "$f.img: verify --mtk --stock passes it (what LK checks)" "$BIN/bootimg" verify --mtk --stock "$f.img"
	grep -q "^$f.img: OK for MediaTek's LK" check.out && grep -q '^warn ' check.out &&
		ok "... with warn lines for what LK does not check" || { bad "$f: stock verdict"; cat check.out; }
done
grep -q '^warn id (sha1) does not match the sections$' "$W/check.out" ||
	{ "$BIN/bootimg" verify --mtk --stock stale-id.img | grep -q '^warn id (sha1) does not match the sections$' &&
		ok "stale-id.img: the id a warning"; } || bad "stale id line"
refuses "badname.img: verify --mtk --stock fails a wrong MTK name" 1 "" "$BIN/bootimg" verify --mtk --stock badname.img
grep -q '^FAIL ramdisk: MTK header name "ROOTFZ"' refuse.out && ok "... naming it" || { bad "badname line"; cat refuse.out; }
refuses "bigdsize.img: verify --mtk --stock fails a dsize past its section" 1 "" "$BIN/bootimg" verify --mtk --stock bigdsize.img
grep -q '^FAIL ramdisk: MTK dsize [0-9]* inside the section' refuse.out && ok "... naming it" || { bad "bigdsize line"; cat refuse.out; }
refuses "--stock without --mtk is a usage error" 2 "give --mtk" "$BIN/bootimg" verify --stock good.img

# make inject accepts both real cases and writes consistent images
for f in stale-id short; do
	(cd "$R" && make -s inject STOCK="$W/$f.img" KERNEL="$K" INJECTED="$W/$f-inj.img") >"$f.log" 2>&1 &&
		ok "make inject accepts $f.img" || { bad "make inject $f.img"; tail -5 "$f.log"; continue; }
	grep -q '^  warn ' "$f.log" && ok "... printing what LK does not check as warnings" || { bad "$f: no warning"; cat "$f.log"; }
	# (where the parts land is the layout check's, on a stock header's addresses: not looked at)
	"$BIN/bootimg" verify --mtk "$f-inj.img" >v.out 2>&1
	grep -q '^ok   id (sha1) matches the sections$' v.out && grep -q '^ok   ramdisk: MTK dsize [0-9]* + 512 = section size' v.out &&
		! grep '^FAIL\|^warn' v.out | grep -qv 'layout under' &&
		ok "$f-inj.img: verify --mtk passes (sizes, dsize and id consistent)" || { bad "$f-inj verify lines"; cat v.out; }
done
for f in badname bigdsize; do
	refuses "make inject refuses $f.img (LK would not boot it)" 1 "not an image for the MTK profile" \
		sh -c "cd '$R' && KERNEL='$K' sh mk/inject.sh '$W/$f.img' '$W/$f-inj.img' mt6572"
	[ ! -e "$f-inj.img" ] && ok "... nothing written" || bad "$f-inj.img written"
done

# ---- issue 26.8: names that are shell code to a careless Makefile (the commands, relative,
# would run in make's folder, $R, or the tests': neither may get a file P1..P8)
nl='
'
weird="$W/a b'c\"d\`touch P1\`\$(touch P2);touch P3;e${nl}f"
mkdir -p "$weird"
cp good.img "$weird/stock img;\`touch P4\`.img"
(cd "$R" && make -s inject STOCK="$weird/stock img;\`touch P4\`.img" KERNEL="$K" \
	INJECTED="$weird/out \$(touch P5).img") >weird.log 2>&1 &&
	ok "make inject with a STOCK and INJECTED full of shell syntax" || { bad "make inject weird"; tail -5 weird.log; }
[ -f "$weird/out \$(touch P5).img" ] && ok "... wrote the output under its exact name" ||
	{ bad "weird output missing"; ls -la "$weird"; }
ran() { ls "$R"/P[1-9] "$W"/P[1-9] 2>/dev/null; }
[ -z "$(ran)" ] && ok "... and ran none of the commands in the names" || bad "a command in a name ran: $(ran)"
"$BIN/bootimg" verify --mtk --stock "$weird/out \$(touch P5).img" >/dev/null && ok "... a valid image" || bad "weird output invalid"
# make's own expansion is not applied either: $(shell ...) in a value stays text
(cd "$R" && make -s inject STOCK="$W/no such \$(shell touch P6).img") >weird2.log 2>&1
grep -qF "no such \$(shell touch P6).img: no such file" weird2.log && [ -z "$(ran)" ] &&
	ok "a \$(shell ...) in STOCK is a name, not run by make" || { bad "make expanded \$(shell)"; cat weird2.log; }
# install, uninstall the same way
dest="$W/dest 'q\"\`touch P7\`\$(touch P8);${nl}x"
(cd "$R" && make -s install DESTDIR="$dest" PREFIX=/usr) >inst.log 2>&1 &&
	[ -x "$dest/usr/bin/bootimg" ] && ok "make install into a DESTDIR full of shell syntax" || { bad "install weird"; tail -3 inst.log; }
(cd "$R" && make -s uninstall DESTDIR="$dest" PREFIX=/usr) >uninst.log 2>&1 &&
	[ ! -e "$dest/usr/bin/bootimg" ] && [ ! -e "$dest/usr/share/bootkit" ] && ok "... and uninstall" || { bad "uninstall weird"; tail -3 uninst.log; }
[ -z "$(ran)" ] && ok "... ran nothing" || bad "a command in DESTDIR ran: $(ran)"
finish
