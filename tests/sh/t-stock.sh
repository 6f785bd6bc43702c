# Stock MediaTek kernels (profile mt6572-stock): make inject on a stock image
# made the way MediaTek's tools make them (MTK KERNEL/ROOTFS headers, header
# v0, page size 2048, a 3.x zImage with a fixed ZRELADDR, a gzip ramdisk with
# AOSP's lower-case cpio headers: the Nexus S's) keeps the kernel's bytes,
# adds the init, the probe, the stock rules and the input files, no module,
# and passes bootimg verify --mtk and MT6572 LK's layout; make refuses the
# profile (it makes no image of its own); the ramdisk tool reads a ramdisk
# behind its MediaTek header.
. "$ROOT/tests/sh/lib.sh"
R=$ROOT W=$(pwd)
# a 3.4-style zImage: `ldr r4, =0x80108000` (a fixed ZRELADDR) near its
# start, LC0 literals pointing at the size word, a gzip payload
python3 - <<'PY'
import gzip, struct, random
rnd = random.Random(304)
vmlinux = b'Linux version 3.4.67 (builder@mediatek) (gcc version 4.6) #1 PREEMPT Mon Nov 3 2014\n'
vmlinux += bytes(rnd.getrandbits(8) & 0x3f for _ in range(600000))
pay = gzip.compress(vmlinux, mtime=0)
code = 0x30
size_at = 0x400 + len(pay) - 4          # the gzip's ISIZE is its last word
end = 0x400 + len(pay) + 8
z = bytearray(end)
struct.pack_into('<I', z, 0x20, 0xea000000 | ((code - 0x28) // 4))
struct.pack_into('<III', z, 0x24, 0x016f2818, 0, end)
struct.pack_into('<I', z, code, 0xe59f4000 | 0x40)     # ldr r4, [pc, #0x40]
struct.pack_into('<I', z, code + 8 + 0x40, 0x80108000)
lc0 = 0x200
struct.pack_into('<5I', z, lc0, lc0, end + 0x100, end + 0x2000, end, size_at)
z[0x400:0x400 + len(pay)] = pay
open('stock-zimage', 'wb').write(bytes(z))
PY
mkbootimg_mtk --kernel stock-zimage --ramdisk "$R/tests/data/android/crespo-ramdisk.cpio.gz" --mtk_header boot \
	--board 1429947554 -o stock.img 2>/dev/null && ok "a stock-like MT6572 image" || bad "stock image"
"$BIN/bootimg" info stock.img | grep -q "kernel layout: zImage, fixed ZRELADDR 0x80108000; [0-9]* bytes decompressed (the size word its LC0 literals point at)" &&
	ok "info: the stock zImage's fixed ZRELADDR and size word" || { bad "stock kernel layout"; "$BIN/bootimg" info stock.img | grep layout; }

(cd "$R" && make -s inject BOARD=mt6572-stock STOCK="$W/stock.img" INJECTED="$W/inj.img") >inject.log 2>&1 &&
	ok "make inject BOARD=mt6572-stock" || { bad "make inject BOARD=mt6572-stock"; cat inject.log; }
grep -q "ok   the stock kernel is kept (3.4.67): no module added" inject.log && ok "... the stock kernel kept, no vermagic checked" ||
	{ bad "stock kernel line"; cat inject.log; }
rm -rf su iu && "$BIN/bootimg" unpack stock.img su >/dev/null && "$BIN/bootimg" unpack inj.img iu >/dev/null
same "the kernel's bytes kept" su/kernel iu/kernel
check "bootimg verify --mtk on the result" "$BIN/bootimg" verify --mtk inj.img
check "... and under MT6572 LK's layout (its profile)" "$BIN/bootimg" verify --profile "$R/profiles/mt6572-stock.conf" inj.img
"$BIN/ramdisk" list iu/ramdisk >list.txt
grep -qx sbin/probe list.txt && grep -qx lib/probe/modules.list list.txt && grep -qx init.stock list.txt &&
	grep -qx lib/probe/input/mtk-tpd-goodix.kl list.txt && grep -qx lib/probe/input/mtk-tpd.idc list.txt &&
	ok "the init, the probe, the stock rules, the input files" || { bad "entries"; cat list.txt; }
grep -q '^lib/modules' list.txt && bad "modules added to a stock kernel's ramdisk" || ok "no module"
rm -rf ix && "$BIN/ramdisk" extract iu/ramdisk ix >/dev/null 2>&1
cmp -s ix/lib/probe/modules.list "$R/profiles/mt6572-stock.list" && ok "the stock rules as the rules" || bad "rules"
"$BIN/bootimg" info inj.img | grep -q 'bootkit shim' && bad "a shim in front of a stock kernel" || ok "no shim for the stock kernel"
refuses "make BOARD=mt6572-stock: no image of its own" 2 "keeps a phone's stock kernel .*make inject BOARD=mt6572-stock" \
	sh -c "cd '$R' && make -s BOARD=mt6572-stock image"
refuses "KERNEL= with the stock profile: refused" 1 "keeps the stock kernel" \
	sh -c "cd '$R' && KERNEL=/dev/null sh mk/inject.sh '$W/stock.img' '$W/x.img' mt6572-stock"
printf 'touch a when bound 0x38 then load edt-ft5x06\n' >load.list
refuses "ramdisk: rules for a kernel's own drivers load nothing" 1 "load edt-ft5x06: no --modules folder" \
	"$BIN/ramdisk" edit iu/ramdisk -o x.rd --modules-list load.list --input "$R/ramdisk/input"

# ---- the ramdisk behind its MediaTek header (as unpack_bootimg writes it)
rm -rf ub && "$BIN/unpack_bootimg" --boot_img stock.img --out ub >/dev/null
"$BIN/ramdisk" list ub/ramdisk >mtk.list 2>mtk.err && grep -qx init.rc mtk.list &&
	grep -q 'a MediaTek "ROOTFS" header (512 bytes) in front' mtk.err &&
	ok "ramdisk list reads behind a MediaTek header, and says so" || { bad "list MTK"; cat mtk.err; }
rm -rf mx sx && "$BIN/ramdisk" extract ub/ramdisk mx >/dev/null 2>&1 && "$BIN/ramdisk" extract su/ramdisk sx >/dev/null 2>&1 &&
	diff -r mx sx >/dev/null && ok "ramdisk extract too: the same tree as from the bare payload" || bad "extract MTK"
"$BIN/ramdisk" edit ub/ramdisk -o edited -e "prop default.prop ro.secure=1" >/dev/null 2>edit.err &&
	grep -q "written behind its MediaTek header, dsize updated" edit.err && ok "ramdisk edit: written behind the header" ||
	{ bad "edit MTK"; cat edit.err; }
python3 - ub/ramdisk edited <<'PY' && ok "... its 512 bytes kept but dsize, which is the new payload's size" || echo "FAIL MTK header after edit"
import struct, sys
a, b = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
assert a[:4] == b[:4] and a[8:512] == b[8:512], "header bytes changed"
assert struct.unpack_from('<I', b, 4)[0] == len(b) - 512, "dsize"
PY
"$BIN/ramdisk" extract edited ex >/dev/null 2>&1 && grep -qx 'ro.secure=1' ex/default.prop && ok "the edit is in it" || bad "edit content"
finish
