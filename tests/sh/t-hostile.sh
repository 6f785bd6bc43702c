# Hostile inputs to the host tools: nothing written outside the target, no
# hang on a FIFO, nothing half-written left behind (issue 15's cases).
. "$ROOT/tests/sh/lib.sh"
vector_inputs
mkbootimg_mtk --kernel kernel --ramdisk ramdisk --header_version 2 --dtb dtb -o good.img
echo "precious" > secret

# ---- unpack: a symlink planted at an output name is replaced, never followed
rm -rf u && mkdir u && ln -s ../secret u/manifest && ln -s ../secret u/kernel && ln -s ../secret u/manifest.tmp
"$BIN/bootimg" unpack good.img u >/dev/null && [ "$(cat secret)" = precious ] && [ ! -L u/kernel ] && [ ! -L u/manifest ] &&
	ok "unpack: planted symlinks replaced, their target untouched" || bad "unpack followed a planted symlink"
# the input image named like a temporary file inside DIR survives
rm -rf v && mkdir v && cp good.img v/manifest.tmp
"$BIN/bootimg" unpack v/manifest.tmp v >/dev/null && same "unpack: an input inside DIR is read, not truncated" good.img v/manifest.tmp
"$BIN/bootimg" repack v -o v.img >/dev/null && same "... and the folder repacks" good.img v.img
cp good.img u/kernel
refuses "unpack: an input is never an output" 1 "is also an input" "$BIN/bootimg" unpack u/kernel u
same "... and stays as it was" good.img u/kernel
# a failure leaves nothing: a folder where an output must go
rm -rf w && mkdir -p w/ramdisk/x
refuses "unpack into a folder where ramdisk is a folder" 1 "w/ramdisk: is a folder; nothing was written" "$BIN/bootimg" unpack good.img w
no_files w -vx ramdisk && ok "unpack: nothing left after the failure (no temporaries, no manifest)" ||
	{ bad "unpack left files"; ls -A w; }

# ---- repack DIR: names confined to DIR, no symlink followed
rm -rf r && "$BIN/bootimg" unpack good.img r >/dev/null
sed 's|^part kernel kernel |part kernel ../secret |' r/manifest > r/m2 && mv r/m2 r/manifest
refuses "repack: a ../ name in the manifest" 1 "manifest:[0-9]+: \"../secret\" is not a file name" "$BIN/bootimg" repack r -o x.img
rm -rf r && "$BIN/bootimg" unpack good.img r >/dev/null
sed 's|^part kernel kernel |part kernel /etc/passwd |' r/manifest > r/m2 && mv r/m2 r/manifest
refuses "repack: an absolute name in the manifest" 1 "is not a file name" "$BIN/bootimg" repack r -o x.img
rm -rf r && "$BIN/bootimg" unpack good.img r >/dev/null && rm r/kernel && ln -s ../secret r/kernel
refuses "repack: a part file that is a symlink" 1 "r/kernel: is a symlink; not followed" "$BIN/bootimg" repack r -o x.img
[ ! -e x.img ] && ok "nothing written for a hostile folder" || bad "x.img written"

# ---- issue 26.5: repack DIR checks the manifest's size before writing (a folder that claims
# 1 TiB was written toward it, at 1.5 GiB RSS, its temporary left behind)
cp good.img padded.img && head -c 1048576 /dev/zero >>padded.img
rm -rf r && "$BIN/bootimg" unpack padded.img r >/dev/null && grep -q '^trailer trailer.bin pad00' r/manifest &&
	ok "a padded image unpacks with a pad00 trailer" || bad "no pad00 trailer"
cp -r r r2 && sed -i 's/^size .*/size 1099511627776/' r/manifest
refuses "repack DIR: a manifest claiming 1 TiB, nothing changed" 1 "size 1099511627776: past the 1024 MiB a boot image may be; nothing written" \
	"$BIN/bootimg" repack r -o x.img
refuses "... and with a change (the padding re-fitted)" 1 "past the 1024 MiB" \
	timeout 20 "$BIN/bootimg" repack r -o x.img --cmdline-set a=b
sed -i 's/^size .*/size 3000000/' r2/manifest
refuses "repack DIR: a size the header and trailer.bin do not make" 1 "size 3000000, but the header's layout and the trailer make [0-9]+ bytes" \
	"$BIN/bootimg" repack r2 -o x.img --cmdline-set a=b
# an AVB image whose trailer.bin is made a sparse 1 TiB with its footer at the end, the size to match
cp good.img avb.img && "$ROOT/out/avbtest" add_hash_footer --image avb.img --partition_name boot \
	--partition_size 1048576 --key "$ROOT/tests/data/avb/testkey_rsa2048.pem" >/dev/null
rm -rf ra && "$BIN/bootimg" unpack avb.img ra >/dev/null && tail -c 64 ra/trailer.bin >foot &&
	truncate -s 1099511627712 ra/trailer.bin && cat foot >>ra/trailer.bin
big=$(( $(sed -n 's/^size //p' ra/manifest) - 1048576 + $(stat -c %s ra/trailer.bin) ))
sed -i "s/^size .*/size $big/" ra/manifest
refuses "repack DIR: a sparse 1 TiB trailer.bin with an AVB footer, the size to match" 1 "past the 1024 MiB" \
	timeout 20 "$ROOT/out/peakrss" "$BIN/bootimg" repack ra -o x.img --cmdline-set a=b
grep -q "^PEAKRSS" refuse.err && [ "$(sed -n 's/^PEAKRSS [^ ]* //p' refuse.err)" -lt 65536 ] &&
	ok "... refused at once, under 64 MiB" || { bad "peak"; cat refuse.err; }
rm -f ra/trailer.bin
[ ! -e x.img ] && no_files . '^\.x\.img' && ok "nothing written, no temporary left" || bad "x.img or a temporary left"

# ---- FIFOs as inputs: refused at once, no tool blocks
mkfifo fifo.img
for cmd in "bootimg info fifo.img" "bootimg verify fifo.img" "bootimg unpack fifo.img fu" \
	"bootimg repack fifo.img -o f.img" "unpack_bootimg --boot_img fifo.img --out fu" \
	"mkbootimg --kernel fifo.img -o f.img" "ramdisk list fifo.img" "ramdisk extract fifo.img fx" \
	"bootimg check fifo.img --partition-size 6M"; do
	# shellcheck disable=SC2086 # a command line of plain words
	set -- $cmd
	prog=$1; shift
	timeout 10 "$BIN/$prog" "$@" >fifo.out 2>&1
	rc=$?
	[ "$rc" = 1 ] && grep -q "FIFO" fifo.out && ok "$prog $1: a FIFO input is refused (exit 1)" ||
		{ bad "$cmd: exit $rc"; cat fifo.out; }
done
rm -f fifo.img

# ---- unpack_bootimg: the by-name links of vendor_boot v4
"$BIN/mkbootimg" --header_version 4 --vendor_boot vb4.img --vendor_ramdisk vendor_ramdisk \
	--ramdisk_type dlkm --ramdisk_name dlkm --vendor_ramdisk_fragment vendor_ramdisk_frag1 \
	--vendor_bootconfig bootconfig
rm -rf vu && mkdir -p vu elsewhere && echo keep > elsewhere/ramdisk_dlkm && ln -s ../elsewhere vu/vendor-ramdisk-by-name
refuses "unpack_bootimg: a planted vendor-ramdisk-by-name symlink" 1 "vendor-ramdisk-by-name" \
	"$BIN/unpack_bootimg" --boot_img vb4.img --out vu
[ "$(cat elsewhere/ramdisk_dlkm)" = keep ] && ok "nothing deleted or replaced through the link" || bad "file behind the link touched"
[ "$(find vu -mindepth 1)" = vu/vendor-ramdisk-by-name ] && ok "... and no part committed before the refusal" ||
	bad "parts left in vu: $(find vu -mindepth 1 | tr '\n' ' ')"
rm -rf vu && mkdir -p vu/vendor-ramdisk-by-name/ramdisk_dlkm
refuses "unpack_bootimg: a folder where a by-name link goes" 1 "a folder where the link goes; nothing unpacked" \
	"$BIN/unpack_bootimg" --boot_img vb4.img --out vu
[ "$(find vu -mindepth 1 -maxdepth 1)" = vu/vendor-ramdisk-by-name ] && ok "... nothing committed" || bad "parts left: $(find vu -mindepth 1 -maxdepth 1 | tr '\n' ' ')"
python3 - <<'PY'
b = bytearray(open('vb4.img', 'rb').read())
i = b.find(b'dlkm\0')
b[i:i + 5] = b'a/../'
open('vb4-slash.img', 'wb').write(b)
PY
rm -rf vs
refuses "unpack_bootimg: a ramdisk name with '/'" 1 "ramdisk name .*a/\.\./.*is not a plain file name" \
	"$BIN/unpack_bootimg" --boot_img vb4-slash.img --out vs
[ ! -e vs/vendor_ramdisk00 ] && ok "... refused before any part was committed" || bad "parts committed before the name was checked"
# ---- issue 26.11: header strings with ESC, BEL, a newline, a quote and a backslash reach neither
# the terminal raw nor the JSON raw: info, verify --mtk and diff escape them, info --json is valid
yes HOSTILEK | head -c 9000 >hk && yes HOSTILER | head -c 5000 >hr
mkbootimg_mtk --mtk_header boot --kernel hk --ramdisk hr --board clean --cmdline 'console=ttyMT0' -o clean.img
python3 - <<'PY'
b = bytearray(open('clean.img', 'rb').read())
evil_name = b'\x1b]0;x\x07"\\\n'               # 10 bytes: ESC ] 0 ; x BEL " \ newline
evil_cmd = b'a=1\nkernel: Linux version FORGED\x1b[2J'
b[48:64] = evil_name + bytes(16 - len(evil_name))
b[64:64 + 512] = evil_cmd + bytes(512 - len(evil_cmd))
k = 2048                                      # the kernel section: its MTK header's name at +8
b[k + 8:k + 40] = b'KERN\x1b[31m\nEL' + bytes(32 - 13)
open('evil.img', 'wb').write(b)
PY
"$BIN/bootimg" info evil.img >evil.txt 2>&1
"$BIN/bootimg" verify evil.img --mtk >>evil.txt 2>&1
"$BIN/bootimg" diff clean.img evil.img >>evil.txt 2>&1
tr -d '\n' <evil.txt | LC_ALL=C grep -q '[[:cntrl:]]' && bad "a control byte reached the output: $(LC_ALL=C grep -n '[[:cntrl:]]' evil.txt | head -3)" ||
	ok "info, verify, diff: no control byte of the header in their output"
grep -q '^kernel: Linux version FORGED' evil.txt && bad "a newline in the cmdline forged a line" ||
	ok "... and a newline in the command line forges no line"
grep -q '^  @0x030 name  *"\\033\]0;x\\a\\"\\\\\\n"$' evil.txt && ok "info: the name C-escaped (\\033 \\a \\\" \\\\ \\n)" ||
	{ bad "info name line"; grep -n 'name' evil.txt | head -3; }
grep -q 'MTK header name "KERN\\033\[31m\\nEL"' evil.txt && ok "verify --mtk: the MTK name escaped" || { bad "verify mtk name"; grep -n MTK evil.txt; }
grep -q '^cmdline: "console=ttyMT0" -> "a=1\\nkernel: Linux version FORGED\\033\[2J"$' evil.txt &&
	ok "diff: the command line escaped" || { bad "diff cmdline"; grep -n cmdline evil.txt; }
"$BIN/bootimg" info --json evil.img | python3 -c '
import json, sys
j = json.load(sys.stdin)
ok = j["header"]["name"] == "\x1b]0;x\x07\"\\\n" and j["header"]["cmdline"].startswith("a=1\nkernel:") and \
     j["sections"][0]["mtk"]["name"] == "KERN\x1b[31m\nEL"
sys.exit(0 if ok else 1)' && ok "info --json: valid JSON, the strings exact (\\u00XX)" || bad "info --json of the hostile strings"
"$BIN/bootimg" diff --json clean.img evil.img | python3 -c 'import json, sys; json.load(sys.stdin)' &&
	ok "diff --json: valid JSON" || bad "diff --json invalid"
# ---- repack: an input read into memory (the manifest, the header, the table, a
# key) is still an input: never overwritten by the output
rm -rf ri && "$BIN/bootimg" unpack good.img ri >/dev/null && cp ri/manifest manifest.was && cp ri/header.bin header.was
for n in manifest header.bin; do
	refuses "repack: -o over the folder's $n is refused" 1 "ri/$n: is also an input" \
		"$BIN/bootimg" repack ri --cmdline x -o "ri/$n"
done
same "... the manifest as it was" manifest.was ri/manifest
same "... the header as it was" header.was ri/header.bin
"$BIN/bootimg" repack ri --cmdline x -o ri/new.img >/dev/null && ok "repack: an output of another name in the folder" ||
	bad "repack into the folder"
"$BIN/mkbootimg" --kernel kernel --ramdisk ramdisk -o avbsrc.img &&
	"$ROOT/out/avbtest" add_hash_footer --image avbsrc.img --partition_name boot --partition_size 1048576 \
		--key "$ROOT/tests/data/avb/testkey_rsa2048.pem" && cp "$ROOT/tests/data/avb/testkey_rsa2048.pem" key.pem
refuses "repack: -o over the --avb-key file is refused" 1 "key.pem: is also an input" \
	"$BIN/bootimg" repack avbsrc.img --cmdline x --avb-key key.pem -o key.pem
cmp -s key.pem "$ROOT/tests/data/avb/testkey_rsa2048.pem" && ok "... the key as it was" || bad "key.pem overwritten"
cp "$ROOT/tests/data/scatter/MT6572_konka72_i128_emmc_Android_scatter.txt" sc.txt
refuses "repack: -o over the --scatter file is refused" 1 "sc.txt: is also an input" \
	"$BIN/bootimg" repack good.img --cmdline x --scatter sc.txt -o sc.txt
cmp -s sc.txt "$ROOT/tests/data/scatter/MT6572_konka72_i128_emmc_Android_scatter.txt" && ok "... the scatter file as it was" ||
	bad "sc.txt overwritten"
# a vendor folder whose table is short for its fragments: refused, the table named, nothing
# left (and in the sanitizer run: no leak on that exit)
rm -rf rv && "$BIN/bootimg" unpack vb4.img rv >/dev/null && head -c 10 rv/vendor_ramdisk_table >t && mv t rv/vendor_ramdisk_table &&
	echo x >>rv/vendor_ramdisk01
refuses "repack: a vendor_ramdisk_table short for its fragments" 1 "rv: vendor_ramdisk_table: 10 bytes for 2 fragments" \
	"$BIN/bootimg" repack rv -o rv.img
[ ! -e rv.img ] && ok "... nothing written" || bad "rv.img written"
# a header whose kernel_size runs past the folder's kernel file (the manifest's hash made
# to match): the copy would be short of the manifest's size; refused, not written short
rm -rf hk && "$BIN/bootimg" unpack good.img hk >/dev/null &&
	printf '\377\377\377\017' | dd of=hk/header.bin bs=1 seek=8 conv=notrunc 2>/dev/null &&
	h=$(sha256sum hk/header.bin | cut -d' ' -f1) && sed "s/^header header.bin \([0-9]*\) .*/header header.bin \1 $h/" hk/manifest >m2 &&
	mv m2 hk/manifest
refuses "repack: a header claiming more than the folder holds" 1 "hk: the folder holds [0-9]+ bytes less than the original" \
	"$BIN/bootimg" repack hk -o hk.img
[ ! -e hk.img ] && ok "... nothing written" || bad "hk.img written ($(wc -c <hk.img) bytes)"
# a folder path of 600 bytes: the message keeps its reason (the middle of the path goes)
long=$(printf 'd%.0s' $(seq 1 200))/$(printf 'e%.0s' $(seq 1 200))/$(printf 'f%.0s' $(seq 1 200))
mkdir -p "$long/t"
refuses "repack: a long folder path, the reason kept" 1 "\\.\\.\\..*/t/manifest: cannot open" \
	"$BIN/bootimg" repack "$long/t" -o long.img
rm -rf "${long%%/*}"
# an unpack --tree folder: its ramdisk.d is an input, at any depth (and through a link)
rm -rf rt rl && "$BIN/mkbootimg" --kernel kernel --ramdisk "$ROOT/tests/data/android/crespo-ramdisk.cpio.gz" \
	-o tree.img && "$BIN/bootimg" unpack --tree tree.img rt >/dev/null && mkdir -p rt/ramdisk.d/sub &&
	ln -s rt/ramdisk.d rl && find rt -type f -exec sha256sum {} + | sort >rt.sums
for o in rt/ramdisk.d/init.rc rt/ramdisk.d/sub/new.img rl/new.img; do
	refuses "repack: -o $o, inside the tree folder" 1 "$o: is inside a folder read as an input" \
		"$BIN/bootimg" repack rt --cmdline x -o "$o"
done
find rt -type f -exec sha256sum {} + | sort | cmp -s - rt.sums && ok "... the tree folder as it was" ||
	bad "the tree folder changed"
finish
