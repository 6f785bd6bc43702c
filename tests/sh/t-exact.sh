# Tolerant reading, exact repack: damaged stock images are read as AOSP's
# unpack_bootimg reads them, and `bootimg repack` with nothing changed gives
# back every image `bootimg info` accepts, byte for byte (the invariant, over a
# corpus and its mutations: tests/sh/exact.py). Writers still produce only
# whole images.
. "$ROOT/tests/sh/lib.sh"
vector_inputs
tab=$(printf '\t')
grep -v '^#' "$ROOT/tests/data/aosp-public.tsv" | while IFS="$tab" read -r name _ _ args; do
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
mkbootimg_mtk --mtk_header boot --kernel zimage --ramdisk ramdisk.gz --board 1429947554 --second_addr_always \
	-o mtk.img
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
scat="$ROOT/tests/data/scatter/MT6572_konka72_i128_emmc_Android_scatter.txt"
{ head -c $((0x80000)) /dev/zero; cat mt6577.img; head -c 6291456 /dev/zero; } > readback.bin
"$BIN/bootimg" carve readback.bin --scatter "$scat" --partition BOOTIMG --dump-offset 0x2900000 -o carved.img >carve.txt 2>&1 &&
	grep -q "carved.img: damaged: ramdisk: MTK dsize @0x[0-9a-f]* is 43 + 512, 1 byte less" carve.txt &&
	ok "carve reports the damage info reports" || { bad "carve damage"; cat carve.txt; }
rm -rf u2 && "$BIN/bootimg" unpack mt6577-dump.img u2 >/dev/null 2>&1 && ok "unpack accepts the padded dump" || bad "unpack refuses the padded dump"
# Something changed: a whole image comes out (strict writing)
"$BIN/bootimg" repack mt6577.img --cmdline "lcm=1-x" -o fixed.img >/dev/null 2>fix.err &&
	"$BIN/bootimg" verify --mtk fixed.img >/dev/null && ok "repack with a change writes a whole, MTK-valid image" ||
	{ bad "repack with a change"; cat fix.err; "$BIN/bootimg" verify --mtk fixed.img; }
grep -q "ramdisk: written as" fix.err && ok "repack says what it wrote instead" || { bad "no fixup warning"; cat fix.err; }
rm -rf uf && "$BIN/bootimg" unpack fixed.img uf >/dev/null && same "the fixed image keeps the ramdisk payload" uf/ramdisk ramdisk.gz

# ---- pre-headers: DHTB (Samsung/Spreadtrum) and Tegra BLOB
python3 - <<'PY'
import hashlib, struct
img = open('mtk.img', 'rb').read()
body = img + b'SEANDROIDENFORCE' + b'\xff' * 4
h = bytearray(512)
h[0:8] = b'DHTB\x01\x00\x00\x00'
h[8:40] = hashlib.sha256(body).digest()
struct.pack_into('<I', h, 48, len(body))
open('dhtb.img', 'wb').write(bytes(h) + body + bytes(4096))
b = bytearray(104)
b[0:20] = b'-SIGNED-BY-SIGNBLOB-'
b[28:44] = b'MSM-RADIO-UPDATE'
struct.pack_into('<I', b, 96, len(img))
open('blob.img', 'wb').write(bytes(b) + img)
PY
"$BIN/bootimg" info dhtb.img > dh.txt && grep -q "pre-header: DHTB, 512 bytes before the boot image, size field [0-9]*, SHA-256 matches" dh.txt &&
	ok "info: the DHTB pre-header and its checksum" || { bad "info dhtb"; cat dh.txt; }
check "verify: DHTB checksum" "$BIN/bootimg" verify --mtk dhtb.img
head -c 512 dhtb.img > dhtb-head
rm -rf ud && "$BIN/bootimg" unpack dhtb.img ud >/dev/null && same "unpack: wrapper.bin is the DHTB header" ud/wrapper.bin dhtb-head
"$BIN/bootimg" repack ud -o dh-same.img >/dev/null && same "repack DIR: the DHTB image's bytes" dhtb.img dh-same.img
yes NEWK | head -c 70000 > k2
"$BIN/bootimg" repack dhtb.img --kernel k2 -o dh-new.img >/dev/null 2>&1 && check "repack with a new kernel: the DHTB size and SHA-256 follow" "$BIN/bootimg" verify dh-new.img
python3 -c "
import hashlib, struct, sys
b = open('dh-new.img', 'rb').read()
n = struct.unpack_from('<I', b, 48)[0]
body = b[512:512 + n]
sys.exit(0 if hashlib.sha256(body).digest() == b[8:40] and body.endswith(b'SEANDROIDENFORCE\xff\xff\xff\xff') else 1)" &&
	ok "DHTB: size covers the image and the marker, SHA-256 right (Python)" || bad "DHTB fields after repack"
"$BIN/bootimg" info blob.img | grep -q "pre-header: Tegra BLOB, 104 bytes" && ok "info: a Tegra BLOB pre-header" || bad "info blob"
"$BIN/bootimg" repack blob.img --kernel k2 -o blob2.img >/dev/null 2>&1 &&
	python3 -c "
import struct, sys
b = open('blob2.img', 'rb').read()
sys.exit(0 if struct.unpack_from('<I', b, 96)[0] == len(b) - 104 else 1)" && ok "BLOB: size field follows the image" || bad "BLOB size field"

# ---- images with trailers, an xz ramdisk and an appended DTB, for the corpus
printf 'ANDROID!' > rd.cpio && head -c 3000 /dev/zero >> rd.cpio && xz --check=crc32 -c rd.cpio > rd.xz
printf '\320\015\376\355\000\000\000\100' > dtb && head -c 56 /dev/zero >> dtb
cat zimage dtb > zimage-dtb
"$BIN/mkbootimg" --kernel zimage-dtb --ramdisk rd.xz --header_version 2 --dtb dtb -o xz-dtb.img
"$BIN/mkbootimg" --kernel zimage --ramdisk ramdisk.gz -o plain.img
cp plain.img se.img && printf 'SEANDROIDENFORCE' >> se.img
cp plain.img lg.img && printf '\101\251\344\147\164\115\035\033\244\051\362\354\352\145\122\171' >> lg.img
A="$ROOT/out/avbtest" K="$ROOT/tests/data/avb"
if [ -x "$A" ]; then
	cp plain.img avb.img && "$A" add_hash_footer --image avb.img --partition_name boot \
		--partition_size 1048576 --key "$K/testkey_rsa2048.pem" --algorithm SHA256_RSA2048 \
		--salt d00df00d && ok "an AVB-footed image for the corpus" || bad "avbtest add_hash_footer"
else
	bad "out/avbtest is missing (make avbtest)"
fi
# An AVB footer that does not follow the image (its original_image_size past
# the vbmeta offset): read, copied as is when nothing changed
python3 -c "
import struct
b = bytearray(open('avb.img', 'rb').read()); f = len(b) - 64
struct.pack_into('>Q', b, f + 12, struct.unpack_from('>Q', b, f + 20)[0] + 1)
open('avb-off.img', 'wb').write(b)"
"$BIN/bootimg" repack avb-off.img -o avb-off2.img >/dev/null 2>&1 &&
	same "AVB footer that does not follow the header, nothing changed: the input's bytes" avb-off.img avb-off2.img
refuses "... a change to it: refused, the AVB footer named" 1 "AVB footer original_image_size @0x[0-9a-f]*\+12" "$BIN/bootimg" repack avb-off.img --cmdline x=1 -o avb-off3.img
[ ! -e avb-off3.img ] && ok "... nothing written" || bad "avb-off3.img written"

# ---- the invariant over the corpus and its mutations
python3 "$ROOT/tests/sh/exact.py" "$BIN" v0.img v0_second.img v1.img v1_dtbo.img v2.img v3.img \
	v4.img vendor_boot_v3.img vendor_boot_v4.img mtk.img mtk-1m.img mtk-ff.img mt6577.img \
	mt6577-dump.img stale.img dhtb.img blob.img xz-dtb.img se.img lg.img avb.img || failed=1
finish
