# Tolerant reading, exact repack: damaged stock images are read as AOSP's
# unpack_bootimg reads them, and `bootimg repack` with nothing changed gives
# back every image `bootimg info` accepts, byte for byte (the invariant, over a
# corpus and its mutations: tests/sh/exact.py). Writers still produce only
# whole images.
. "$ROOT/tests/sh/lib.sh"
vector_inputs
tab=$(printf '\t')
grep -v '^#' "$ROOT/tests/data/aosp-public.tsv" | while IFS="$tab" read -r name size sha args; do
	eval "\"$BIN/mkbootimg\" $args" >/dev/null || echo "FAIL $name: mkbootimg"
done
python3 - <<'PY'
import gzip, struct, os, random
rnd = random.Random(6577)
payload = gzip.compress(bytes(rnd.getrandbits(8) for _ in range(20000)), mtime=0)
head = bytearray(0x30)
struct.pack_into('<III', head, 0x24, 0x016f2818, 0, 0x30 + len(payload))
open('zimage', 'wb').write(bytes(head) + payload)
open('ramdisk.gz', 'wb').write(gzip.compress(b'070701' + bytes(3000), mtime=0))
PY
MTKARGS="--mtk_header boot --kernel zimage --ramdisk ramdisk.gz --board 1429947554 $MTK --second_addr_always"
"$BIN/mkbootimg" $MTKARGS -o mtk.img
# An MT6577 stock image as found: ramdisk_size one byte more than the MTK
# dsize + 512, and that byte past the end of the file.
python3 - <<'PY'
import struct
b = bytearray(open('mtk.img', 'rb').read())
ksz, rsz = struct.unpack_from('<I4xI', b, 8)
page = 2048
roff = page + (ksz + page - 1) // page * page
struct.pack_into('<I', b, 16, rsz + 1)
open('mt6577.img', 'wb').write(bytes(b[:roff + rsz]))
open('mt6577-dump.img', 'wb').write(bytes(b[:roff + rsz]) + bytes(page - rsz % page))
PY
cp mtk.img mtk-1m.img && truncate -s 1M mtk-1m.img
cp mtk.img mtk-ff.img && head -c 100000 /dev/zero | tr '\0' '\377' >> mtk-ff.img
python3 -c "
b = bytearray(open('v0.img', 'rb').read()); b[576] ^= 1; open('stale.img', 'wb').write(b)"

# ---- the MT6577 case, step by step
"$BIN/bootimg" info mt6577.img >i.txt 2>&1 && ok "info reads the MT6577 image" || { bad "info refuses the MT6577 image"; cat i.txt; }
grep -q "damaged: ramdisk_size @0x10 .* points past the end .*: 1 byte missing" i.txt &&
	ok "info: the missing byte named with field and offset" || { bad "info damage line"; cat i.txt; }
grep -q "ramdisk: MTK dsize @0x[0-9a-f]* is [0-9]* + 512, 1 byte less than ramdisk_size" i.txt &&
	ok "info: the MTK dsize disagreement named" || { bad "info dsize line"; cat i.txt; }
rm -rf deb ours && /usr/bin/unpack_bootimg --boot_img mt6577.img --out deb >/dev/null &&
	"$BIN/unpack_bootimg" --boot_img mt6577.img --out ours >/dev/null 2>&1 &&
	same "unpack_bootimg writes the ramdisk AOSP's tool writes" deb/ramdisk ours/ramdisk &&
	same "... and the kernel" deb/kernel ours/kernel
rm -rf u && "$BIN/bootimg" unpack mt6577.img u >/dev/null 2>&1 && same "bootimg unpack: the ramdisk payload is the gzip" u/ramdisk ramdisk.gz
refuses "verify: damaged, with the reason" 1 "" "$BIN/bootimg" verify mt6577.img
grep -q "FAIL damaged: ramdisk_size" refuse.out && ok "verify names the damage" || bad "verify reason"
"$BIN/bootimg" repack mt6577.img -o same.img >/dev/null 2>&1 && same "repack, nothing changed: the input's bytes" mt6577.img same.img
"$BIN/bootimg" repack mt6577-dump.img -o same2.img >/dev/null 2>&1 && same "padded dump: the input's bytes (dsize untouched)" mt6577-dump.img same2.img
rm -rf u2 && "$BIN/bootimg" unpack mt6577-dump.img u2 >/dev/null 2>&1 && ok "unpack accepts the padded dump" || bad "unpack refuses the padded dump"
# Something changed: a whole image comes out (strict writing)
"$BIN/bootimg" repack mt6577.img --cmdline "lcm=1-x" -o fixed.img >/dev/null 2>fix.err &&
	"$BIN/bootimg" verify --mtk fixed.img >/dev/null && ok "repack with a change writes a whole, MTK-valid image" ||
	{ bad "repack with a change"; cat fix.err; "$BIN/bootimg" verify --mtk fixed.img; }
grep -q "ramdisk: written as" fix.err && ok "repack says what it wrote instead" || { bad "no fixup warning"; cat fix.err; }
rm -rf uf && "$BIN/bootimg" unpack fixed.img uf >/dev/null && same "the fixed image keeps the ramdisk payload" uf/ramdisk ramdisk.gz

# ---- the invariant over the corpus and its mutations
python3 "$ROOT/tests/sh/exact.py" "$BIN" v0.img v0_second.img v1.img v1_dtbo.img v2.img v3.img \
	v4.img vendor_boot_v3.img vendor_boot_v4.img mtk.img mtk-1m.img mtk-ff.img mt6577.img \
	mt6577-dump.img stale.img || failed=1
finish
