# The main job: out/boot.img and the board profiles (make images built them),
# reproducibility, profile errors, and injection into an MTK-style stock image.
. "$ROOT/tests/sh/lib.sh"
R=$ROOT
W=$(pwd)

# ---- out/boot.img (qemu-vexpress): read by ours and by Debian's unpack_bootimg
[ -f "$R/out/boot.img" ] && ok "out/boot.img exists" || bad "out/boot.img missing (make images)"
same "out/boot.img is the qemu-vexpress image" "$R/out/boot.img" "$R/out/qemu-vexpress/boot.img"
check "bootimg verify out/boot.img" "$BIN/bootimg" verify "$R/out/boot.img"
rm -rf du ou
/usr/bin/unpack_bootimg --boot_img "$R/out/boot.img" --out du >/dev/null && ok "Debian's unpack_bootimg reads out/boot.img" || bad "Debian unpack_bootimg"
"$BIN/unpack_bootimg" --boot_img "$R/out/boot.img" --out ou >/dev/null
for f in kernel ramdisk dtb; do same "$f: ours and Debian's unpack agree" "du/$f" "ou/$f"; done
"$BIN/ramdisk" list ou/ramdisk >names
for n in init sbin/probe bin/busybox lib/probe/modules.list lib/probe/init.conf lib/probe/boot.modules \
	lib/probe/input/goodix-gt9xx.idc lib/probe/input/focaltech-ft5x06.idc; do
	grep -qx "$n" names && ok "qemu-vexpress ramdisk has /$n" || bad "qemu-vexpress ramdisk lacks /$n"
done
for m in edt-ft5x06 goodix_ts fan53555 sy8106a-regulator panel-simple panel-orisetech-otm8009a drm i2c-versatile i2c-dev; do
	grep -q "/$m.ko\$" names && ok "module $m.ko is in" || bad "module $m.ko missing"
done
[ "$(grep -c '\.ko$' names)" = 9 ] && ok "exactly the 9 modules the rules and preload name (closure)" || bad "module count: $(grep -c '\.ko$' names)"
"$BIN/ramdisk" extract ou/ramdisk x >/dev/null
grep -q '^preload /lib/modules/.*/i2c-versatile.ko$' x/lib/probe/boot.modules && ok "boot.modules: preload i2c-versatile" || bad "boot.modules preload"
grep '^fallback' x/lib/probe/boot.modules | sed 's|.*/||' | tr '\n' ' ' >fb
[ "$(cat fb)" = "drm.ko panel-simple.ko " ] && ok "boot.modules: fallback drm then panel-simple (dependency first)" || bad "fallback order: $(cat fb)"
cmp -s x/lib/probe/modules.list "$R/modules.list" && ok "modules.list carried as is" || bad "modules.list differs"

# ---- reproducible: a second build from clean gives the same bytes
sum1=$(sha256sum <"$R/out/qemu-vexpress/boot.img")
rm -rf "$R/out/qemu-vexpress"
(cd "$R" && sh mk/image.sh qemu-vexpress >/dev/null) || bad "rebuild failed"
sum2=$(sha256sum <"$R/out/qemu-vexpress/boot.img")
[ "$sum1" = "$sum2" ] && ok "qemu-vexpress rebuilt from clean: same sha256" || bad "not reproducible: $sum1 vs $sum2"

# ---- mt6572: MTK headers, page 2048, minimal init, fits 6 MiB with touch, regulator and panel modules
M=$R/out/mt6572/boot.img
check "bootimg verify --mtk (MT6572 rules)" "$BIN/bootimg" verify --mtk "$M"
check "mt6572 fits the 6 MiB BOOTIMG partition" "$BIN/bootimg" check "$M" --partition-size 0x600000
check "mt6572 fits BOOTIMG of the real MT6572 scatter file" "$BIN/bootimg" check "$M" --scatter "$R/tests/data/scatter/MT6572_konka72_i128_emmc_Android_scatter.txt"
"$BIN/bootimg" info "$M" >minfo
grep -q 'MTK "KERNEL" dsize [0-9]* + bootkit shim (192 bytes) + zImage (xz data @+0x[0-9a-f]*) + 1 appended dtb' minfo && ok "mt6572 kernel: MTK KERNEL + bootkit's LK shim + zImage (its xz payload) + appended DTB" || { bad "mt6572 kernel payload"; cat minfo; }
grep -q 'MTK "ROOTFS" dsize [0-9]* + gzip' minfo && ok "mt6572 ramdisk: MTK ROOTFS + gzip" || bad "mt6572 ramdisk payload"
grep -q 'page_size *2048' minfo && ok "mt6572 page size 2048" || bad "mt6572 page size"
rm -rf mu && "$BIN/bootimg" unpack "$M" mu >/dev/null && "$BIN/ramdisk" list mu/ramdisk >mnames
grep -qx bin/busybox mnames && bad "mt6572 carries BusyBox" || ok "mt6572 (minimal mode) has no BusyBox"
for m in edt-ft5x06 goodix_ts fan53555 sy8106a-regulator panel-simple; do
	grep -q "/$m.ko\$" mnames && ok "mt6572 carries $m.ko" || bad "mt6572 lacks $m.ko"
done
"$BIN/ramdisk" extract mu/ramdisk mx >/dev/null
[ "$(head -c 4 mx/init | od -An -c | tr -d ' ')" = '177ELF' ] && ok "mt6572 /init is the C init (ELF)" || bad "mt6572 /init"

# ---- profile errors name the file, line and key; nothing is written
mkdir -p prof
sed 's/^PAGESIZE=2048/PAGESIZ=2048/' "$R/profiles/mt6572.conf" >prof/typo.conf
refuses "a misspelt key: file:line and the key" 1 'typo.conf:[0-9]+: unknown key PAGESIZ' sh -c "cd '$R' && sh mk/image.sh '$W/prof/typo.conf'"
grep -v '^INIT=' "$R/profiles/mt6572.conf" >prof/noinit.conf
refuses "a missing key is named" 1 'noinit.conf: key INIT is missing' sh -c "cd '$R' && sh mk/image.sh '$W/prof/noinit.conf'"
sed 's/^PARTITION_SIZE=.*/PARTITION_SIZE=0x500000/' "$R/profiles/mt6572.conf" >prof/small.conf
refuses "an image over the profile's partition size is refused" 1 'refused' sh -c "cd '$R' && sh mk/image.sh '$W/prof/small.conf'"
[ ! -e "$R/out/small/boot.img" ] && ok "nothing written under the final name" || bad "out/small/boot.img written"
rm -rf "$R/out/typo" "$R/out/noinit" "$R/out/small"

# ---- injection into an MTK-style stock image (gzip stock ramdisk, ueventd -> ../init)
mkdir -p st/sbin st/dev st/proc st/sys
printf '\177ELF stock android init\n' >st/init
printf 'on early-init\n    start ueventd\n\nservice ueventd /sbin/ueventd\n    critical\n' >st/init.rc
printf 'ro.secure=1\nro.debuggable=0\n' >st/default.prop
ln -s ../init st/sbin/ueventd
ln -s ../init st/sbin/watchdogd
chmod 0750 st/init
(cd st && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9n) >stock-ramdisk.gz
yes STOCKKERNEL | head -c 3000000 >stock-kernel
mkbootimg_mtk --mtk_header boot --kernel stock-kernel --ramdisk stock-ramdisk.gz --board 1429947554 \
	--cmdline 'console=ttyMT3,921600n1' --second_addr_always -o stock.img
truncate -s 6M stock.img
cp stock.img stock.orig
(cd "$R" && make -s inject STOCK="$W/stock.img" KERNEL="$R/out/mt6572/kernel-dtb" INJECTED="$W/inj.img") >inject.log 2>&1 &&
	ok "make inject writes the injected image" || { bad "make inject"; cat inject.log; }
same "the stock image is not modified" stock.img stock.orig
rm -rf iu su && "$BIN/bootimg" unpack inj.img iu >/dev/null && "$BIN/bootimg" unpack stock.img su >/dev/null
"$BIN/bootimg" info stock.img | grep -E '^  @0x0(0c|14|1c|20|24|30|40) ' >h.stock
"$BIN/bootimg" info inj.img | grep -E '^  @0x0(0c|14|1c|20|24|30|40) ' >h.inj
same "header kept: addresses, page size, name, cmdline" h.stock h.inj
[ -s su/ramdisk.mtk ] && [ -s iu/ramdisk.mtk ] || bad "ramdisk.mtk missing after unpack"
cmp -s su/ramdisk.mtk iu/ramdisk.mtk && bad "ramdisk MTK header: dsize did not change" ||
	{ cmp -l su/ramdisk.mtk iu/ramdisk.mtk | awk '$1 < 5 || $1 > 8 { x = 1 } END { exit x }' &&
		ok "ramdisk MTK header kept, only dsize (bytes 4-7) changed" || bad "ramdisk MTK header bytes changed beyond dsize"; }
cat iu/kernel iu/kernel.dtb > iu-kernel-dtb
cat "$R/out/armhf/lk-shim.bin" "$R/out/mt6572/kernel-dtb" > shim-kernel-dtb
same "kernel swapped for the one given, behind bootkit's LK shim (unpack splits its appended DTB off)" iu-kernel-dtb shim-kernel-dtb
"$BIN/bootimg" info inj.img | grep -q 'MTK "ROOTFS" dsize [0-9]* + gzip' && ok "stock compression (gzip) kept" || bad "compression changed"
"$BIN/bootimg" info inj.img | grep -q 'trailer' && ok "the padding to the partition is kept" || bad "trailer lost"
[ "$(stat -c %s inj.img)" = "$(stat -c %s stock.img)" ] && ok "injected image is still 6 MiB (padded like the stock one)" || bad "size changed"
"$BIN/ramdisk" list -v su/ramdisk >l.stock
"$BIN/ramdisk" list -v iu/ramdisk >l.inj
# every stock entry but /init and the links to it is listed identically
grep -v -E ' (init|init.rc|sbin/ueventd|sbin/watchdogd)( ->.*)?$' l.stock >l.stock.kept
missing=$(grep -cvxF -f l.inj l.stock.kept)
[ "$missing" = 0 ] && ok "every other stock entry unchanged in the listing" || { bad "$missing stock entries changed"; grep -vxF -f l.inj l.stock.kept; }
grep -q ' init.stock$' l.inj && ok "stock /init moved to /init.stock" || bad "init.stock"
grep -q ' sbin/ueventd -> ../init.stock$' l.inj && ok "sbin/ueventd follows it" || bad "ueventd link"
"$BIN/ramdisk" extract su/ramdisk sx >/dev/null && "$BIN/ramdisk" extract iu/ramdisk ix >/dev/null
same "stock init bytes kept as /init.stock" sx/init ix/init.stock
{ echo "import /init.bootkit.rc"; cat sx/init.rc; } >want.rc
same "init.rc: one import line for the probe's fragment on top, the rest byte-identical" want.rc ix/init.rc
grep -q "^# /init.bootkit.rc: bootkit's probe writes here at boot" ix/init.bootkit.rc &&
	ok "an empty fragment is there until the probe writes it" || bad "no /init.bootkit.rc"
mkdir -p noinitrc && printf 'init' >noinitrc/init && "$BIN/ramdisk" pack noinitrc -c gzip -o noinitrc.gz >/dev/null &&
	mkbootimg_mtk --mtk_header boot --kernel stock-kernel --ramdisk noinitrc.gz -o noinitrc.img
refuses "a ramdisk without /init.rc (Android 10+ first stage): refused, with why" 1 "no /init.rc: an Android 10\+ first-stage ramdisk" \
	sh -c "cd '$R' && sh mk/inject.sh '$W/noinitrc.img' '$W/noinitrc-inj.img' mt6572"
[ ! -e noinitrc-inj.img ] && ok "nothing written" || bad "noinitrc-inj.img written"
same "default.prop byte-identical" sx/default.prop ix/default.prop
"$BIN/ramdisk" list su/ramdisk >n.stock
"$BIN/ramdisk" list iu/ramdisk >n.inj
added=$(grep -vxF -f n.stock n.inj)
echo "$added" | grep -qx 'sbin/probe' && echo "$added" | grep -qx 'lib/probe/modules.list' &&
	echo "$added" | grep -q 'goodix_ts.ko$' && ok "added: the probe, modules.list, modules" || bad "added entries: $added"
grep -qvxF -f n.inj n.stock && bad "stock entries removed" || ok "no stock entry removed"
rm -rf dj && /usr/bin/unpack_bootimg --boot_img inj.img --out dj >/dev/null && ok "Debian's unpack_bootimg reads the injected image" || bad "Debian unpack of inj.img"
grep -q "ok   MTK format" inject.log && grep -q "ok   kernel 6\.1\.0-[^ ]* (smp) and the vermagic of the modules agree ([0-9]* of [0-9]*)" inject.log &&
	ok "make inject prints what it checked (format, kernel against vermagic)" || { bad "inject checks not printed"; cat inject.log; }
# a non-MTK, 4 KiB-page stock image for the MTK profile: refused before anything is written
"$BIN/mkbootimg" --kernel stock-kernel --ramdisk stock-ramdisk.gz --pagesize 4096 -o plain4k.img
refuses "an MTK profile and a stock image without MTK headers: refused" 1 "not an image for the MTK profile" \
	sh -c "cd '$R' && KERNEL='$R/out/mt6572/kernel-dtb' sh mk/inject.sh '$W/plain4k.img' '$W/p4.img' mt6572"
grep -q "kernel: no MediaTek header" refuse.err && ok "... naming what is missing" || { bad "inject format reason"; cat refuse.err; }
[ ! -e p4.img ] && ok "nothing written" || bad "p4.img written"
# banner_kernel OUT BANNER: a zImage whose xz payload holds the version string BANNER
banner_kernel() {
	BANNER="$2" python3 - "$1" <<'PY'
import lzma, os, struct, sys
v = bytearray(200000)
ban = (os.environ['BANNER'] + '\n').encode()
v[100000:100000 + len(ban)] = ban
pay = lzma.compress(bytes(v), format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32)
h = bytearray(0x400)
struct.pack_into('<III', h, 0x24, 0x016f2818, 0, 0x400 + len(pay) + 4)
open(sys.argv[1], 'wb').write(bytes(h) + pay + struct.pack('<I', len(v)))
PY
}
# the stock kernel is another release than the modules: refused unless KERNEL= or MODULES_DIR= agree
banner_kernel vendor-kernel 'Linux version 3.4.67-mt6572 (builder@odm) (gcc version 4.7) #1 SMP PREEMPT'
mkbootimg_mtk --mtk_header boot --kernel vendor-kernel --ramdisk stock-ramdisk.gz -o vendor.img
refuses "stock kernel 3.4.67 and Debian modules: refused" 1 "the kernel is 3.4.67-mt6572 .* but the modules in .* are for 6\.1\.0" \
	sh -c "cd '$R' && sh mk/inject.sh '$W/vendor.img' '$W/v.img' mt6572"
[ ! -e v.img ] && ok "nothing written" || bad "v.img written"
# the same release as the modules, but built PREEMPT (their vermagic says smp only)
rel=$("$BIN/bootimg" version "$R/out/mt6572/kernel-dtb" | sed -n 's/^.*: \([^ ]*\) (.*$/\1/p')
banner_kernel preempt-kernel "Linux version $rel (builder@odm) (gcc version 12) #1 SMP PREEMPT"
mkbootimg_mtk --mtk_header boot --kernel preempt-kernel --ramdisk stock-ramdisk.gz -o preempt.img
refuses "same release, built PREEMPT against smp modules: refused" 1 "is built \"smp preempt\" .* but the modules in .* \"smp\" \(vermagic\)" \
	sh -c "cd '$R' && sh mk/inject.sh '$W/preempt.img' '$W/pp.img' mt6572"
[ ! -e pp.img ] && ok "nothing written" || bad "pp.img written"
# a clang-built kernel's version string runs past 400 bytes: its flags are still read
banner_kernel long-kernel "Linux version 5.10.43-android12 (build-user@build-host) (Android ($(head -c 380 /dev/zero | tr '\0' c)) clang version 12.0.5, LLD 12.0.5) #1 SMP PREEMPT Mon Jun 7 2021"
"$BIN/bootimg" version long-kernel | grep -q ": 5.10.43-android12 (kernel; smp preempt)$" &&
	ok "bootimg version: the flags of a 500-byte version string" || { bad "long banner flags"; "$BIN/bootimg" version long-kernel; }
# issue 26.3: a MediaTek-wrapped kernel as unpack_bootimg writes it (KERNEL header, then the
# zImage): bootimg version finds what info finds; a missing file, a FIFO: unknown, and why
rm -rf ub && "$BIN/unpack_bootimg" --boot_img vendor.img --out ub >/dev/null
"$BIN/bootimg" version ub/kernel >ver.out 2>ver.err
grep -q "^ub/kernel: 3.4.67-mt6572 (kernel after an MTK header; smp preempt)$" ver.out &&
	ok "bootimg version: a kernel behind its MTK header" || { bad "MTK kernel version"; cat ver.out ver.err; }
refuses "bootimg version: a missing file says why" 1 "no-such-file: no kernel release: .*No such file" \
	"$BIN/bootimg" version no-such-file
grep -q "^no-such-file: unknown$" refuse.out && ok "... and stdout still says unknown" || bad "missing file stdout"
mkfifo ver.fifo
refuses "bootimg version: a FIFO says why, at once" 1 "ver.fifo: no kernel release: .*not a regular file" \
	timeout 10 "$BIN/bootimg" version ver.fifo
head -c 70000 /dev/urandom >noise.bin
refuses "bootimg version: noise says what it is not" 1 "noise.bin: no kernel release: .*no \"Linux version\" string" \
	"$BIN/bootimg" version noise.bin
(cd "$R" && KERNEL="$R/out/mt6572/kernel-dtb" sh mk/inject.sh "$W/vendor.img" "$W/v2.img" mt6572) >v2.log 2>&1 &&
	ok "... and accepted with KERNEL= a kernel the modules match" || { bad "KERNEL= did not make it pass"; cat v2.log; }
refuses "injecting twice is refused" 1 'already injected' sh -c "cd '$R' && sh mk/inject.sh '$W/inj.img' '$W/twice.img' mt6572"
[ ! -e twice.img ] && ok "nothing written" || bad "twice.img written"
sed 's/^PARTITION_SIZE=.*/PARTITION_SIZE=0x400000/' "$R/profiles/mt6572.conf" >prof/tiny.conf
refuses "injection that does not fit is refused" 1 'refused' sh -c "cd '$R' && KERNEL='$R/out/mt6572/kernel-dtb' sh mk/inject.sh '$W/stock.img' '$W/big.img' '$W/prof/tiny.conf'"
[ ! -e big.img ] && ok "nothing written when it does not fit" || bad "big.img written"
rm -rf "$R/out/tiny"

# ---- the fit report: a stock image whose ramdisk (about 600 KB of gzip, as a
# real MT6577's) leaves too little room for the generic kernel and our additions
mkdir -p fit/system && printf '#!/init\n' >fit/init && printf 'on init\n' >fit/init.rc
find "$R/out/kernel/armhf/root/lib/modules" -name '*.ko' | sort | xargs cat 2>/dev/null | head -c 1700000 >fit/system/blob
"$BIN/ramdisk" pack fit -c gzip -o fit.gz >/dev/null
mkbootimg_mtk --kernel stock-kernel --ramdisk fit.gz --mtk_header boot -o fitstock.img 2>/dev/null
refuses "make inject: too big for BOOTIMG: refused" 1 "refused: .* would be [0-9]* bytes, [0-9]* more than the 6291456-byte partition; nothing written" \
	sh -c "cd '$R' && KERNEL='$R/out/mt6572/kernel-dtb' sh mk/inject.sh '$W/fitstock.img' '$W/fit.img' mt6572"
[ ! -e fit.img ] && ok "nothing written" || bad "fit.img written"
grep -q "^  what takes the room:" refuse.err && grep -q "^    kernel: [0-9]* bytes" refuse.err &&
	grep -q "^    the stock ramdisk: $(wc -c <fit.gz) bytes as it came" refuse.err &&
	grep -q "^      /sbin/probe [0-9]*$" refuse.err && grep -q "^      /lib/modules/.*/drm.ko [0-9]*$" refuse.err &&
	ok "the report: kernel, the stock ramdisk, each of our additions" || { bad "fit report"; cat refuse.err; }
grep -q "^    INJECT_COMPRESSION=xz: [0-9]* bytes, .* (the kernel reads xz, says the config of the profile's kernel package" refuse.err &&
	ok "the report: xz offered, the kernel's support said with its source" || bad "no xz offer"
opt=$(sed -n 's/^    \(INJECT_[A-Z]*=[^:]*\): [0-9]* bytes, fits .*/\1/p' refuse.err | head -1)
[ -n "$opt" ] && ok "the report offers an option that fits ($opt)" || bad "no option that fits"
# shellcheck disable=SC2086 # opt: NAME=VALUE words
(cd "$R" && env $opt KERNEL="$R/out/mt6572/kernel-dtb" sh mk/inject.sh "$W/fitstock.img" "$W/fit.img" mt6572) >fit.log 2>&1 &&
	"$BIN/bootimg" check fit.img --partition-size 0x600000 >/dev/null &&
	ok "make inject $opt: written, and it fits" || { bad "inject with $opt"; cat fit.log; }
# ---- the kernel: payload found, decoded, version read (Debian's armmp zImage)
V="$R/out/qemu-vexpress/boot.img"
"$BIN/bootimg" info "$V" > vinfo.txt
at=$(sed -n 's/.*zImage (xz data @+0x\([0-9a-f]*\)).*/\1/p' vinfo.txt)
[ -n "$at" ] && ok "info finds the zImage's xz payload (@+0x$at, past the first KiB)" || { bad "no payload in info"; cat vinfo.txt; }
rel=$(ls "$R/out/kernel/armhf/root/lib/modules")
grep -q "^kernel: Linux version $rel " vinfo.txt && ok "info reads the version string ($rel)" || bad "info: no version $rel"
rm -rf vk && "$BIN/bootimg" unpack "$V" vk --decompress-kernel >/dev/null
tail -c +$((0x$at + 1)) vk/kernel | xz -dc --single-stream > xz-vmlinux 2>/dev/null
same "unpack --decompress-kernel gives what xz -dc gives for the payload" xz-vmlinux vk/kernel.vmlinux
# ---- issue 16.1: the rules checked against the DT profile's DTB at build time
L=$R/out/qemu-vexpress-dt/ramdisk.log
grep -q '^dt: modules.list:[0-9]*: touch ft5x06: edt-ft5x06 binds .*/touchscreen@38 ("edt,edt-ft5406") at 0x38' "$L" &&
	ok "dt check: ft5x06's driver binds the DT node at 0x38" || bad "dt check: ft5x06 line"
grep -q '^dt: modules.list:[0-9]*: touch gt9xx: no DT node at 0x14 that goodix_ts matches: bound through new_device (GDIX1001:00), no IRQ' "$L" &&
	ok "dt check: gt9xx at 0x14 relies on new_device, said so" || bad "dt check: 0x14 line"
grep -q '^dt: .*board.dtb: 4 rule addresses bind DT nodes' "$L" && ok "dt check: the count" || bad "dt check: count"
# two enabled candidates at one address: refused, nothing written
cat >clash.dtso <<'DTS'
/dts-v1/;
/plugin/;
&{/bus@40000000/motherboard-bus@40000000/iofpga@7,00000000/i2c@16000} {
	#address-cells = <1>;
	#size-cells = <0>;
	touchscreen@38 { compatible = "edt,edt-ft5406"; reg = <0x38>; };
	ts@38 { compatible = "focaltech,ft6236"; reg = <0x38>; };
};
DTS
dtc -q -@ -I dts -O dtb -o clash.dtbo clash.dtso &&
	fdtoverlay -i "$(find "$R/out/kernel/armhf/root/usr/lib" -name vexpress-v2p-ca9.dtb | head -1)" \
		-o clash.dtb clash.dtbo || bad "dt check: building the clashing DTB"
refuses "dt check: two enabled nodes at 0x38 refused" 1 "are both enabled at 0x38 .*status = \"disabled\".*of-prober" \
	"$BIN/ramdisk" pack --spec "$R/out/qemu-vexpress-dt/ramdisk.spec" --modules "$R/out/kernel/armhf/root" \
	--modules-list "$R/modules.list" --dtb clash.dtb -o clash.img
[ -e clash.img ] && bad "dt check: clash.img written" || ok "dt check: nothing written"
finish
