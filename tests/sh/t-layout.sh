# Where the loader puts the parts, on real kernels (README "Brick safety"):
# Debian's armmp zImage and amd64 bzImage under AOSP's default addresses
# (overlap found and named) and under safe ones; mkbootimg warns and writes,
# refuses under --loader/--profile (nothing written) unless --allow-overlap;
# bootimg repack refuses a swapped kernel that overlaps, but not what the
# source had already; the mt6572 image with the shim passes MT6572 LK's model,
# without the shim it fails it; every profile's own image passes its profile.
. "$ROOT/tests/sh/lib.sh"
R=$ROOT
zimage=$(ls "$R"/out/kernel/armhf/root/boot/vmlinuz-*)
bzimage=$(ls "$R"/out/kernel/amd64/root/boot/vmlinuz-*)
dtb=$(find "$R/out/kernel/armhf/root/usr/lib" -name vexpress-v2p-ca9.dtb | head -1)
head -c 600000 /dev/urandom >ramdisk
LK="fixed,name=lk,kernel=0x80108000,ramdisk=0x84100000,tags=0x80100100,mem=0x80100000+0x0ff00000,reserved=0x80000000+1M"

# ---- mkbootimg: the header's addresses warn, a loader model refuses
"$BIN/mkbootimg" --kernel "$zimage" --ramdisk ramdisk -o aosp.img 2>warn.txt &&
	ok "mkbootimg writes an image with AOSP's addresses (as AOSP's does)" || bad "mkbootimg refused"
grep -q "mkbootimg: layout under header: warning: overlap: the kernel, decompressed (0x10204000-0x11[0-9a-f]*), and the ramdisk (0x11000000-0x110927c0)" warn.txt &&
	ok "... and warns: both ranges named" || { bad "mkbootimg warning"; cat warn.txt; }
refuses "mkbootimg --loader header refuses the same" 1 "refused: refused.img not written" \
	"$BIN/mkbootimg" --kernel "$zimage" --ramdisk ramdisk --loader header -o refused.img
[ ! -e refused.img ] && no_files . 'refused' && ok "nothing written, no temporary left" || bad "refused.img written"
"$BIN/mkbootimg" --kernel "$zimage" --ramdisk ramdisk --loader header --allow-overlap -o allowed.img 2>/dev/null &&
	cmp -s allowed.img aosp.img && ok "--allow-overlap writes it (the same bytes)" || bad "--allow-overlap"
"$BIN/mkbootimg" --kernel "$zimage" --ramdisk ramdisk --ramdisk_offset 0x04000000 --loader header \
	-o safe.img 2>safe.err && [ ! -s safe.err ] && ok "the ramdisk 64 MiB up: written, nothing said" ||
	{ bad "64 MiB up"; cat safe.err; }
"$BIN/mkbootimg" --kernel "$bzimage" --ramdisk ramdisk --pagesize 4096 -o x86.img 2>x86.err
grep -q "overlap: the kernel, decompressed (0x10200000-0x1[0-9a-f]*), and the ramdisk" x86.err &&
	ok "bzImage: init_size from 2 MiB above the kernel address runs over the ramdisk" || { bad "x86"; cat x86.err; }

# ---- verify and info run it
refuses "verify: the overlap fails it" 1 "" "$BIN/bootimg" verify aosp.img
grep -q "^FAIL layout under header: overlap: the kernel, decompressed" refuse.out && ok "verify names the overlap" ||
	{ bad "verify layout line"; cat refuse.out; }
check "verify: the safe image passes" "$BIN/bootimg" verify safe.img
grep -q "^ok   layout under header: kernel 0x10008000-" check.out && ok "... with where each part lands" || { bad "verify ok line"; cat check.out; }
"$BIN/bootimg" info safe.img >info.txt
grep -q "^kernel layout: zImage, AUTO_ZRELADDR, TEXT_OFFSET 0x[0-9a-f]*; [0-9]* bytes decompressed (the size word its table points at)" info.txt &&
	ok "info: the zImage's decompression, from its table" || { bad "info kernel layout"; cat info.txt; }
"$BIN/bootimg" info --json aosp.img | python3 -c '
import json, sys
j = json.load(sys.stdin)
l = j["layout"][0]
assert l["loader"] == "header" and l["errors"] == 1, l
assert l["kernel_runs"][0] == 0x10204000 and l["ramdisk"] == [0x11000000, 0x11000000 + 600000], l
assert any("overlap" in f["message"] for f in l["findings"]), l
' && ok "info --json: the layout, its spans and findings" || bad "info --json layout"
refuses "verify --loader: a bad model is a usage error naming the word" 2 '"kernel=x" is not one of' \
	"$BIN/bootimg" verify safe.img --loader "fixed,kernel=x"

# ---- MT6572 LK: the memory start, the shim
cat "$zimage" "$dtb" >kernel-dtb
mkbootimg_mtk --kernel kernel-dtb --ramdisk ramdisk --mtk_header boot --loader "$LK" --allow-overlap \
	-o noshim.img 2>noshim.err
grep -q "memory start 0x80100000 .* not on a 2 MiB boundary" noshim.err && ok "MT6572 LK: the memory start a generic kernel cannot use" ||
	{ bad "memory start"; cat noshim.err; }
mkbootimg_mtk --kernel kernel-dtb --ramdisk ramdisk --mtk_header boot --loader "$LK" \
	--lk-shim "$R/out/armhf/lk-shim.bin" -o shim.img 2>shim.err &&
	grep -q "shim (.*192 bytes) put in front" shim.err && ok "--lk-shim: the shim put in front, said" || { bad "shim"; cat shim.err; }
check "the shimmed image passes MT6572 LK's model" "$BIN/bootimg" verify --mtk --loader "$LK" shim.img
"$BIN/bootimg" info shim.img | grep -q 'MTK "KERNEL" dsize [0-9]* + bootkit shim (192 bytes) + zImage' &&
	ok "info names the shim" || bad "info shim"
"$BIN/bootimg" version shim.img | grep -q "6.1" && ok "version reads the kernel behind the shim" || bad "version through the shim"
mkbootimg_mtk --kernel "$bzimage" --ramdisk ramdisk --mtk_header boot --loader "$LK" --allow-overlap \
	--lk-shim "$R/out/armhf/lk-shim.bin" -o x86shim.img 2>/dev/null
"$BIN/bootimg" info x86shim.img | grep -q "bootkit shim" && bad "the shim put in front of a bzImage" || ok "no shim for a kernel that is not a zImage"

# ---- bootimg repack: a swapped kernel that overlaps is refused; the source's own failures are said
mkbootimg_mtk --kernel "$zimage" --ramdisk ramdisk -o tiny.img 2>/dev/null
printf 'not a kernel' >small
mkbootimg_mtk --kernel small --ramdisk ramdisk -o stock.img 2>/dev/null
refuses "repack: a kernel that runs over the ramdisk is refused" 1 "refused: out.img not written" \
	"$BIN/bootimg" repack stock.img --kernel "$zimage" -o out.img
[ ! -e out.img ] && ok "... nothing written" || bad "out.img written"
"$BIN/bootimg" repack stock.img --kernel "$zimage" --allow-overlap -o out.img 2>/dev/null &&
	ok "repack --allow-overlap writes it" || bad "repack --allow-overlap"
"$BIN/bootimg" repack tiny.img --cmdline "lcm=1-x" -o tiny2.img 2>tiny2.err &&
	grep -q "the source image fails it already" tiny2.err && ok "repack: the source's own overlap is said, not refused" ||
	{ bad "source overlap"; cat tiny2.err; }

# ---- the AOSP vectors (tests/data): their kernels are no kernel format: said, never flagged
mkdir -p vec && (cd vec && vector_inputs)
tab=$(printf '\t')
grep -v '^#' "$ROOT/tests/data/aosp-public.tsv" | while IFS="$tab" read -r name _ _ args; do
	case "$name" in vendor*) continue ;; esac
	(cd vec && eval "\"$BIN/mkbootimg\" $args" >/dev/null 2>&1)
	"$BIN/bootimg" verify "vec/$name" >v.txt 2>&1
	if grep -q '^FAIL layout' v.txt; then echo "FAIL $name: flagged"; grep '^FAIL layout' v.txt; fi
done >vec.txt
[ -s vec.txt ] && { bad "a vector flagged by the layout check"; cat vec.txt; } || ok "no AOSP vector flagged by the layout check"

# ---- a kernel file with its MTK header on (as unpack_bootimg writes it): the
# check looks behind the header, as LK loads what follows it
if [ -f "$R/out/mt6572/boot.img" ]; then
	rm -rf u6572 && "$BIN/unpack_bootimg" --boot_img "$R/out/mt6572/boot.img" --out u6572 >/dev/null
	refuses "mkbootimg: a kernel behind its MTK header that overlaps the ramdisk is refused" 1 \
		"error: overlap: the kernel, decompressed" \
		"$BIN/mkbootimg" --kernel u6572/kernel --ramdisk u6572/ramdisk --base 0x80000000 \
		--ramdisk_offset 0x01000000 --loader header,mem=0x80000000+256M -o mtkk.img
	[ ! -e mtkk.img ] && ok "... nothing written" || bad "mtkk.img written"
fi

# ---- every profile's image passes its own profile
for p in "$R"/profiles/*.conf; do
	b=$(basename "$p" .conf)
	[ -f "$R/out/$b/boot.img" ] || continue
	"$BIN/bootimg" verify --profile "$p" "$R/out/$b/boot.img" >v.txt 2>&1 &&
		ok "out/$b/boot.img passes its profile's loaders" || { bad "$b"; grep -v '^ok' v.txt; }
done
finish
