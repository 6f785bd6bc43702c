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
finish
