# A MediaTek-style stock image (MTK headers, a zImage with gzip data and an
# appended DTB, padding to the 6 MiB partition) through info, verify, repack,
# check and carve.
. "$ROOT/tests/sh/lib.sh"
python3 - <<'PY'
import gzip, struct, os
payload = gzip.compress(os.urandom(200000), mtime=0)
head = bytearray(0x30)
struct.pack_into('<III', head, 0x24, 0x016f2818, 0, 0x30 + len(payload))
z = bytes(head) + payload
dtb = bytearray(struct.pack('>II', 0xd00dfeed, 1000)) + bytes(992)
open('kernel', 'wb').write(z + dtb)
open('kernel2', 'wb').write(z + os.urandom(5000) + dtb)
open('ramdisk.gz', 'wb').write(gzip.compress(b'070701' + bytes(500), mtime=0))
PY
# like stock MT6572 images: second_addr set although there is no second
mkbootimg_mtk --mtk_header boot --kernel kernel --ramdisk ramdisk.gz --board 1429947554 --second_addr_always -o body.img
cp body.img stock.img && truncate -s 6M stock.img
"$BIN/bootimg" info stock.img > info.txt
grep -q 'MTK "KERNEL" dsize' info.txt && ok "info shows the KERNEL header" || bad "info: MTK kernel"
grep -q 'MTK "ROOTFS" dsize .* gzip' info.txt && ok "info shows ROOTFS + gzip" || bad "info: MTK ramdisk"
grep -q 'zImage (gzip data @+0x30) + 1 appended dtb' info.txt && ok "info finds the gzip data and the appended DTB" || { bad "info: kernel payload"; cat info.txt; }
grep -q 'trailer *zero padding' info.txt && ok "info shows the padding to the partition" || bad "info: trailer"
check "verify --mtk accepts the stock image" "$BIN/bootimg" verify --mtk stock.img
mkbootimg_mtk --kernel kernel --ramdisk ramdisk.gz -o plain.img
refuses "verify --mtk rejects an image without MTK headers" 1 "" "$BIN/bootimg" verify --mtk plain.img
grep -q 'FAIL kernel: no MediaTek header' refuse.out && ok "verify names the missing header" || bad "verify message"
"$BIN/bootimg" info body.img | grep -q 'second_addr *0x10f00000' && ok "second_addr kept with no second" || bad "second_addr"
rm -rf ub && a=$("$BIN/unpack_bootimg" --boot_img body.img --out ub --format mkbootimg) && eval "\"$BIN/mkbootimg\" $a -o body-rt.img"
same "unpack_bootimg --format mkbootimg rebuilds the stock body (second_addr kept)" body.img body-rt.img
"$BIN/unpack_bootimg" --boot_img stock.img --out us --format mkbootimg 2>&1 >/dev/null | grep -q '6084608 bytes after the last section' &&
	ok "unpack_bootimg warns that the padding is not reproduced" || bad "trailer warning"
# repack unchanged: identical, from the image and from an unpacked folder
"$BIN/bootimg" repack stock.img -o same.img >/dev/null && same "repack of the stock image, unchanged" stock.img same.img
rm -rf u && "$BIN/bootimg" unpack stock.img u >/dev/null
[ -f u/kernel.mtk ] && [ "$(head -c 4 u/kernel | od -An -tx1 | tr -d ' ')" != 88168858 ] && ok "unpack strips the MTK header into kernel.mtk" || bad "unpack mtk"
cat u/kernel u/kernel.dtb > u-kernel-dtb
same "unpacked kernel + kernel.dtb are the original payload" u-kernel-dtb kernel
[ "$(od -An -tx1 -N4 u/kernel.dtb | tr -d ' ')" = d00dfeed ] && ok "unpack splits the appended DTB into kernel.dtb" || bad "kernel.dtb"
"$BIN/bootimg" info stock.img | grep -q "^kernel: no version string found" && ok "info: no version string in a made-up kernel" || bad "info kernel line"
# a new DTB in place of the appended one: the kernel section is kernel + it
printf '\320\015\376\355\000\000\000\050' > newdtb && head -c 32 /dev/zero >> newdtb
rm -rf u3 && cp -r u u3 && cp newdtb u3/kernel.dtb && "$BIN/bootimg" repack u3 -o dtb-new.img >/dev/null 2>&1
rm -rf u4 && "$BIN/bootimg" unpack dtb-new.img u4 >/dev/null && same "repack puts a replaced kernel.dtb back after the kernel" newdtb u4/kernel.dtb &&
	same "... and the kernel stays" u/kernel u4/kernel
"$BIN/bootimg" verify --mtk dtb-new.img >/dev/null && ok "the result is a valid MTK image" || bad "dtb-new.img verify"
cat u/kernel.mtk kernel > wrapped
refuses "--mtk_header on an already wrapped kernel" 1 "wrapped: already starts with a MediaTek header" \
	"$BIN/mkbootimg" --mtk_header boot --kernel wrapped -o x.img
"$BIN/bootimg" repack u -o same2.img >/dev/null && same "repack of the unpacked folder" stock.img same2.img
# swap the kernel
"$BIN/bootimg" repack stock.img --kernel kernel2 -o new.img >/dev/null
check "verify --mtk accepts the repacked image (id recomputed)" "$BIN/bootimg" verify --mtk new.img
# a stale id (one kernel byte changed after packing): kept by an exact repack (nothing changed),
# computed again by any repack that rebuilds the image (issue 26.3a: a written image is consistent)
cp stock.img stale.img && printf '\x5a' | dd of=stale.img bs=1 seek=$((2048 + 512 + 100)) conv=notrunc 2>/dev/null
"$BIN/bootimg" verify stale.img >/dev/null 2>&1 && bad "verify accepts a stale id" || ok "verify rejects the stale id"
"$BIN/bootimg" repack stale.img -o stale-same.img >/dev/null && same "nothing changed: the stale id kept, the input's bytes" stale.img stale-same.img
"$BIN/bootimg" repack stale.img --cmdline 'console=ttyMT0,921600n1 x=1' -o stale-cmd.img >/dev/null
cmp -s -n 2048 stale.img stale-cmd.img && bad "repack changed nothing" ||
	{ [ "$(od -An -tx1 -j 576 -N 32 stale.img)" != "$(od -An -tx1 -j 576 -N 32 stale-cmd.img)" ] &&
		"$BIN/bootimg" verify stale-cmd.img >/dev/null &&
		ok "cmdline changed, sections not: the stale id is computed again (verify passes)" || bad "stale id kept"; }
"$BIN/bootimg" repack stale.img --kernel kernel2 -o stale-new.img >/dev/null
check "a section replaced: the id is recomputed (verify passes)" "$BIN/bootimg" verify --mtk stale-new.img
[ "$(stat -c %s new.img)" = 6291456 ] && ok "padding re-fitted: still 6 MiB" || bad "size $(stat -c %s new.img)"
python3 - <<'PY' && ok "MTK header kept: only dsize changed" || bad "MTK header bytes changed"
a = open('stock.img','rb').read()[2048:2048+512]; b = open('new.img','rb').read()[2048:2048+512]
import sys, os
diff = [i for i in range(512) if a[i] != b[i]]
sys.exit(0 if diff and all(4 <= i < 8 for i in diff) and int.from_bytes(b[4:8],'little') == os.path.getsize('kernel2') else 1)
PY
rm -rf n && "$BIN/bootimg" unpack new.img n >/dev/null && same "new kernel in place" n/kernel kernel2 && same "ramdisk untouched" n/ramdisk u/ramdisk
"$BIN/bootimg" repack stock.img --cmdline 'console=ttyMT0 lcm=1' -o cl.img >/dev/null
"$BIN/bootimg" info cl.img | grep -q '"console=ttyMT0 lcm=1"' && ok "repack --cmdline" || bad "repack --cmdline"
# partition limits and the scatter file
scat="$ROOT/tests/data/scatter/MT6572_konka72_i128_emmc_Android_scatter.txt"
check "check --scatter: fits BOOTIMG" "$BIN/bootimg" check stock.img --scatter "$scat"
head -c 7000000 /dev/urandom > big
refuses "mkbootimg refuses 7 MB for a 6 MiB partition" 1 "more than the 6291456-byte BOOTIMG partition" \
	"$BIN/mkbootimg" --kernel big --scatter "$scat" -o big.img
[ ! -e big.img ] && ok "nothing written" || bad "big.img written"
refuses "repack refuses too big a kernel" 1 "nothing written" "$BIN/bootimg" repack stock.img --kernel big --partition-size 6M -o big2.img
"$BIN/bootimg" repack stock.img --kernel big -o grown.img 2>grown.err >/dev/null
grep -q 'grew past the original 6291456 bytes' grown.err && ok "repack warns when the image outgrows the padded size" || bad "no growth warning"
"$BIN/mkbootimg" --kernel big -o big3.img
refuses "check says it does not fit" 1 "" "$BIN/bootimg" check big3.img --partition-size 0x600000
# carve from a readback that starts at 0x2900000
{ head -c $((0x80000)) /dev/zero; cat stock.img; head -c 4096 /dev/zero; } > dump.bin
"$BIN/bootimg" carve dump.bin --scatter "$scat" --partition BOOTIMG --dump-offset 0x2900000 -o carved.img > carve.txt
same "carve cuts the partition" carved.img stock.img
grep -q 'valid boot image, header v0' carve.txt && ok "carve says it is a valid boot image" || bad "carve verdict"
"$BIN/bootimg" carve dump.bin --scatter "$scat" --partition bootimg --dump-offset 0x2900000 --trim -o trimmed.img >/dev/null
same "carve --trim keeps the image, drops the padding" trimmed.img body.img
# a Samsung-style SEANDROIDENFORCE trailer survives
{ cat body.img; printf SEANDROIDENFORCE; } > sea.img
"$BIN/bootimg" info sea.img | grep -q SEANDROIDENFORCE && ok "info shows SEANDROIDENFORCE" || bad "seandroid"
"$BIN/bootimg" repack sea.img -o sea2.img >/dev/null && same "SEANDROIDENFORCE kept on repack" sea.img sea2.img
finish
