#!/bin/sh
# qemu-tests/run.sh [BOARD...]: boot the images `make images` wrote under QEMU,
# one emulated board at a time (qemu-tests/boards/*.board, format in HACKING.md, "QEMU board tests"),
# and check what the probe decided and what the drivers did.
#
# Per image: unpack it with our unpack_bootimg and with Debian's (they must
# agree byte for byte). Per board: emulated chips (at24c EEPROM models on the
# ARM board's I2C bus; QEMU's DDC on x86's SMBus), optional ramdisk edits,
# one boot (-accel tcg, a hard timeout), then the decision record (printed on
# the console by the init flow, bootkit.dump=1) and the console are matched
# against the board's expectations. Prints one line per board with the
# kernel's time stamps (/init start, probe decision, modules loaded) and
# "N passed, N failed". Timings also go to out/qemu-tests/timing.tsv.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
bin=$root/out/bin
work=$root/out/qemu-tests
boot_timeout=${QEMU_BOOT_TIMEOUT:-90}
mkdir -p "$work"

missing=""
for t in qemu-system-arm qemu-system-x86_64 python3 mke2fs; do command -v $t >/dev/null || missing="$missing $t"; done
[ -x /usr/bin/unpack_bootimg ] || missing="$missing unpack_bootimg(mkbootimg package)"
if [ -n "$missing" ]; then
	echo "qemu-tests: missing:$missing (make check installs them as root: sh mk/deps.sh qemu check)" >&2
	exit 1
fi

if [ $# -gt 0 ]; then boards="$*"; else boards=$(ls qemu-tests/boards/*.board); fi

# unpack IMAGE -> $work/img/IMAGE/{kernel,ramdisk,dtb}, checked against Debian's
unpack_image() {
	unpack_file "out/$1/boot.img" "$work/img/$1"
}
# unpack_file IMG DIR -> DIR/ours/{kernel,ramdisk,dtb}, checked against Debian's
unpack_file() {
	img=$1 d=$2
	[ -f "$img" ] || { echo "no $img (run make images)"; return 1; }
	# the unpacked image is kept while it is newer than the image
	[ -f "$d/.ok" ] && [ -z "$(find "$img" -newer "$d/.ok")" ] && return 0
	rm -rf "$d" && mkdir -p "$d"
	"$bin/unpack_bootimg" --boot_img "$img" --out "$d/ours" >/dev/null || { echo "our unpack_bootimg failed on $img"; return 1; }
	/usr/bin/unpack_bootimg --boot_img "$img" --out "$d/debian" >/dev/null 2>&1 || { echo "Debian's unpack_bootimg failed on $img"; return 1; }
	for f in "$d"/debian/*; do
		cmp -s "$f" "$d/ours/${f##*/}" || { echo "unpack_bootimg: ours and Debian's differ on ${f##*/}"; return 1; }
	done
	touch "$d/.ok"
}

# inject PROFILE DIR: a stock-like boot image (the profile's kernel and DTB, a
# gzip ramdisk whose /init is qemu-tests/stock-init.c and /sbin/ueventd a link
# to it), then make inject's script on it -> DIR/injected.img
inject_stock() {
	d=$2/stock
	rm -rf "$d" && mkdir -p "$d/tree/sbin"
	if ! { cp "out/armhf/stock-init" "$d/tree/init" && ln -s ../init "$d/tree/sbin/ueventd" &&
		printf 'ro.secure=1\nro.hardware=mt6572\n' >"$d/tree/default.prop" &&
		printf 'on early-init\n    start ueventd\n' >"$d/tree/init.rc" &&
		"$bin/ramdisk" pack "$d/tree" -c gzip -o "$d/ramdisk.gz" >/dev/null &&
		"$bin/mkbootimg" --header_version 2 --kernel "$work/img/$1/ours/kernel" \
			--dtb "$work/img/$1/ours/dtb" --ramdisk "$d/ramdisk.gz" --base 0x60000000 \
			--cmdline "console=ttyAMA0" -o "$d/stock.img"; }; then
		echo "cannot build the stock image"
		return 1
	fi
	sh mk/inject.sh "$d/stock.img" "$2/injected.img" "$1" >"$2/inject.log" 2>&1 ||
		{ cat "$2/inject.log"; return 1; }
}

# android_stock PROFILE DIR MODE: the real Android 4.0 ramdisk of
# tests/data/android (Nexus S: Android's own init and init.rc) packed with the
# profile's kernel and DTB as a stock image, the test's own additions in it
# (BusyBox, a report script, init.test.rc imported by init.rc: a trigger on
# the property the probe sets and a oneshot service that says where the input
# file landed, then powers off; MODE system-file: /system mounted from an SD
# card holding a file of that name), then make inject's script on it ->
# DIR/injected.img
android_stock() {
	d=$2/stock
	rm -rf "$d" && mkdir -p "$d"
	# shellcheck disable=SC2046 # two words: root and version
	set -- "$1" "$2" "$3" $(sh mk/kernel.sh busybox-static armhf out/busybox/armhf)
	{
		# /data: a phone's own partition; crespo's is on MTD (gone here), and
		# its init.rc makes the rootfs read-only at post-fs
		printf 'on fs\n    mount tmpfs tmpfs /data mode=0771,uid=1000,gid=1000\n'
		# an earlier boot's file for another part (a FocalTech panel's)
		printf '    mkdir /data/system\n    mkdir /data/system/devices\n    mkdir /data/system/devices/idc\n'
		printf '    write /data/system/devices/idc/generic_ft5x06__11_.idc stale\n'
		printf '    write /data/system/devices/idc/users-own.idc kept\n\n'
		echo 'on property:ro.bootkit.touch=gt9xx@0-0x5d'
		echo '    write /dev/kmsg "android-test: init saw ro.bootkit.touch=gt9xx@0-0x5d"'
		echo '    start bootkit-report'
		echo ''
		echo 'service bootkit-report /sbin/busybox sh /bootkit-report.sh'
		echo '    oneshot'
		echo '    disabled'
		if [ "$3" = system-file ]; then
			printf '\non fs\n    mount ext2 /dev/block/mmcblk0 /system wait ro\n'
		fi
	} >"$d/init.test.rc"
	cat >"$d/report.sh" <<'EOF'
# what Android's InputReader finds: /system/usr/idc first, then /data/system/devices/idc
f=Goodix_Capacitive_TouchScreen.idc
for p in /system/usr/idc/$f /data/system/devices/idc/$f /data/system/devices/idc/generic_ft5x06__11_.idc \
	/data/system/devices/idc/users-own.idc; do
	if [ ! -e $p ]; then s="absent"
	elif busybox cmp -s $p /lib/probe/input/goodix-gt9xx.idc; then s="the shipped file"
	else s="another file"; fi
	echo "android-test: $p: $s, $(busybox stat -c 'owner %u:%g mode %a' $p 2>/dev/null)" >/dev/kmsg
done
busybox sleep 1
busybox poweroff -f
EOF
	if ! "$bin/ramdisk" edit tests/data/android/crespo-ramdisk.cpio.gz -o "$d/ramdisk.gz" \
		-e "file /sbin/busybox $root/$4/bin/busybox 0755 0 0" \
		-e "file /bootkit-report.sh $d/report.sh 0755 0 0" \
		-e "file /init.test.rc $d/init.test.rc 0644 0 0" \
		-e "insert init.rc top import /init.test.rc" >"$d/edit.log" 2>&1 ||
		! "$bin/mkbootimg" --header_version 2 --kernel "$work/img/$1/ours/kernel" \
			--dtb "$work/img/$1/ours/dtb" --ramdisk "$d/ramdisk.gz" --base 0x60000000 \
			--ramdisk_offset 0x04000000 --dtb_offset 0x03f00000 \
			--cmdline "console=ttyAMA0" -o "$d/stock.img" >>"$d/edit.log" 2>&1; then
		cat "$d/edit.log"
		return 1
	fi
	sh mk/inject.sh "$d/stock.img" "$2/injected.img" "$1" >"$2/inject.log" 2>&1 ||
		{ cat "$2/inject.log"; return 1; }
}

# chip image: ADDR reg8|reg16 REG=HEX... -> a 64 KiB at24c backing file. An
# 8-bit-register chip is its 256-byte map in every 256-byte page (the model
# keeps a 2-byte pointer; write-pointer + STOP leaves (old << 8 | reg)).
chip_image() {
	python3 - "$@" <<'PY'
import sys
out, kind = sys.argv[1], sys.argv[2]
img = bytearray(b'\xff' * 65536)
page = bytearray(b'\xff' * 256)
for spec in sys.argv[3:]:
    reg, hexb = spec.split('=')
    data = bytes.fromhex(hexb)
    reg = int(reg, 16)
    if kind == 'reg8':
        page[reg:reg + len(data)] = data
    else:
        img[reg:reg + len(data)] = data
if kind == 'reg8':
    img = page * 256
open(out, 'wb').write(img[:65536])
PY
}

# loader_args IMAGE MODEL RAMDISK DIR CMDLINE: the QEMU words that boot the
# image's parts where the model named MODEL of its profile's LOADER puts them
# (qemu-tests/loader/lkboot.py: generic loader devices, ATAGs, LK's jump)
loader_args() {
	spec=$(sed -n 's/^LOADER=//p' "profiles/$1.conf" | tr ' ' '\n' | grep -E "(^|,)name=$2(,|\$)" | head -1)
	[ -n "$spec" ] || { echo "no model named $2 in profiles/$1.conf's LOADER" >&2; return 1; }
	if [ -z "$(find "$work/loader/stubs.bin" -newer qemu-tests/loader/stubs.S 2>/dev/null)" ]; then
		mkdir -p "$work/loader" &&
			arm-linux-gnueabihf-as -march=armv7-a -o "$work/loader/stubs.o" qemu-tests/loader/stubs.S &&
			arm-linux-gnueabihf-objcopy -O binary "$work/loader/stubs.o" "$work/loader/stubs.bin" || return 1
	fi
	python3 qemu-tests/loader/lkboot.py --image "out/$1/boot.img" --model "$spec" --ramdisk "$3" \
		--stubs "$work/loader/stubs.bin" --out "$4" --smp "$smp" --cmdline "$5" >"$4.args" &&
		paste -sd' ' - <"$4.args"
}

pass=0 fail=0
printf 'board\tinit_s\tprobe_start_s\tdecided_s\tloaded_s\tprobe_done_s\tprobe_ms\tdecide_ms\trun_ms\n' >"$work/timing.tsv"
for b in $boards; do
	name=$(basename "$b" .board)
	bw=$work/$name
	rm -rf "$bw" && mkdir -p "$bw"
	image="" append="" qargs="" edits="" why="" script="" inject="" rootdisk="" smp=2 release="" removes="" loader="" android="" enosys=""
	preload="" rules=""
	n=0
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		# shellcheck disable=SC2086 # a board line is words
		set -- $line
		case "${1:-#}" in
		'#'*) ;;
		image) image=$2 ;;
		append) shift; append="$append $*" ;;
		chip)
			f=$bw/chip-$2.bin
			# shellcheck disable=SC2046 # the register words
			chip_image "$f" "$3" $(echo "$line" | cut -d' ' -f4-)
			qargs="$qargs -drive if=none,id=c$2,file=$f,format=raw -device at24c-eeprom,bus=i2c,address=$2,rom-size=65536,drive=c$2"
			;;
		ddc) qargs="$qargs -device i2c-ddc,bus=i2c,address=$2" ;;
		script) script=$root/$2; append="$append bootkit.probe=/lib/probe/script.sh" ;;
		inject) inject=1 ;;
		android)
			android=$2 inject=1
			if [ "$2" = system-file ]; then
				# an SD card /system holding a file of the name the probe installs
				rootdisk=$bw/system.img
				mkdir -p "$bw/system/usr/idc"
				echo "# the stock /system file" >"$bw/system/usr/idc/Goodix_Capacitive_TouchScreen.idc"
				mke2fs -q -F -t ext2 -d "$bw/system" "$rootdisk" 4M >"$bw/mke2fs.log" 2>&1 || why="mke2fs failed: $(cat "$bw/mke2fs.log")"
				qargs="$qargs -drive if=sd,format=raw,file=$rootdisk"
			fi
			;;
		remove) removes="$removes $2" ;;
		rootdisk)
			# an SD card with an ext2 root whose /sbin/init is stock-init
			rootdisk=$bw/root.img
			mkdir -p "$bw/rootfs/sbin" "$bw/rootfs/dev" "$bw/rootfs/proc" "$bw/rootfs/sys" "$bw/rootfs/run"
			cp out/armhf/stock-init "$bw/rootfs/sbin/init"
			mke2fs -q -F -t ext2 -d "$bw/rootfs" "$rootdisk" 8M >"$bw/mke2fs.log" 2>&1 || why="mke2fs failed: $(cat "$bw/mke2fs.log")"
			qargs="$qargs -drive if=sd,format=raw,file=$rootdisk"
			append="$append root=/dev/mmcblk0 rootfstype=ext4"
			;;
		corrupt-line) edits="$edits $2" ; echo "$line" | cut -d' ' -f3- >"$bw/corrupt.txt" ;;
		smp) smp=$2 ;;
		loader) loader=$2 ;;
		enosys) enosys=1 ;;
		preload) preload=$2 ;;
		rules) rules=$2 ;;
		modules-release) release=$2 ;;
		expect | reject | console | reject-console | max-probe-ms | max-decide-ms | input-within-ms | same-decisions-as) ;;
		*) why="$b:$n: unknown line '$1'" ;;
		esac
	done <"$b"
	[ -n "$image" ] || why="$b: no image line"
	[ -z "$why" ] && { unpack_image "$image" >"$bw/unpack.err" 2>&1 || why=$(cat "$bw/unpack.err"); }
	if [ -n "$why" ]; then
		echo "FAIL $name: $why"
		fail=$((fail + 1))
		continue
	fi
	parts=$work/img/$image/ours
	if [ -n "$inject" ]; then
		if [ -n "$android" ]; then
			set -- android_stock "$image" "$bw" "$android"
		else
			set -- inject_stock "$image" "$bw"
		fi
		if ! "$@" >"$bw/unpack.err" 2>&1 ||
			! unpack_file "$bw/injected.img" "$bw/img" >>"$bw/unpack.err" 2>&1; then
			echo "FAIL $name: $(tail -3 "$bw/unpack.err")"
			fail=$((fail + 1))
			continue
		fi
		parts=$bw/img/ours
	fi
	ramdisk=$parts/ramdisk
	if [ -n "$edits" ]; then
		# insert a bad line into the image's own modules.list, as line N
		"$bin/ramdisk" extract "$ramdisk" "$bw/rd" >/dev/null
		awk -v n="$edits" -v l="$(cat "$bw/corrupt.txt")" 'NR == n { print l } { print }' \
			"$bw/rd/lib/probe/modules.list" >"$bw/modules.list"
		"$bin/ramdisk" edit "$ramdisk" -o "$bw/ramdisk" -e "file /lib/probe/modules.list $bw/modules.list 0644 0 0" >/dev/null
		ramdisk=$bw/ramdisk
	fi
	if [ -n "$script" ]; then
		"$bin/ramdisk" edit "$ramdisk" -o "$bw/ramdisk.s" -e "file /lib/probe/script.sh $script 0755 0 0" >/dev/null
		ramdisk=$bw/ramdisk.s
	fi
	for r in $removes; do
		"$bin/ramdisk" edit "$ramdisk" -o "$bw/ramdisk.x" -e "rm $r" >"$bw/remove.log" 2>&1 ||
			{ why="remove $r: $(tail -2 "$bw/remove.log")"; break; }
		mv "$bw/ramdisk.x" "$bw/ramdisk.rm" && ramdisk=$bw/ramdisk.rm
	done
	[ -n "$why" ] && { echo "FAIL $name: $why"; fail=$((fail + 1)); continue; }
	if [ -n "$rootdisk$preload$rules" ]; then
		# the modules again: the SD host and ext4 (with the crc32c it asks
		# for at mount) for a root disk, a board's own preloads, a board's own
		# rules file, with the image's preloaded bus drivers
		"$bin/ramdisk" extract "$ramdisk" "$bw/rd0" >/dev/null
		kv=$(ls "$bw/rd0/lib/modules")
		pre=$(sed -n 's|^preload .*/\([^/]*\)\.ko$|\1|p' "$bw/rd0/lib/probe/boot.modules" | paste -sd, -)
		[ -n "$rootdisk" ] && pre="$pre,armmmci,crc32c_generic,ext4"
		[ -n "$preload" ] && pre="$pre,$preload"
		set -- -e "rmtree /lib/modules" -e "rm /lib/probe/boot.modules"
		[ -n "$rules" ] && set -- "$@" -e "file /lib/probe/modules.list $root/$rules 0644 0 0"
		"$bin/ramdisk" edit "$ramdisk" -o "$bw/ramdisk.r" "$@" --modules out/kernel/armhf/root \
			--kernel-version "$kv" --modules-list "${rules:-$bw/rd0/lib/probe/modules.list}" \
			--preload "$pre" --input ramdisk/input >"$bw/modules.log" 2>&1 ||
			{ echo "FAIL $name: ramdisk edit for the modules: $(tail -2 "$bw/modules.log")"; fail=$((fail + 1)); continue; }
		ramdisk=$bw/ramdisk.r
	fi
	if [ -n "$enosys" ]; then
		# the whole boot as on Linux 3.0: the kernel starts tests/enosys.c,
		# which installs its filter and execs /init (PID 1 stays 1)
		"$bin/ramdisk" edit "$ramdisk" -o "$bw/ramdisk.e" -e "file /sbin/enosys $root/out/armhf/enosys 0755 0 0" \
			>"$bw/enosys.log" 2>&1 || { echo "FAIL $name: $(tail -2 "$bw/enosys.log")"; fail=$((fail + 1)); continue; }
		ramdisk=$bw/ramdisk.e
	fi
	if [ -n "$release" ]; then
		# modules for another kernel release: their folder renamed
		kv=$("$bin/ramdisk" list "$ramdisk" | sed -n 's|^lib/modules/\([^/]*\)$|\1|p' | head -1)
		"$bin/ramdisk" edit "$ramdisk" -o "$bw/ramdisk.m" -e "mv /lib/modules/$kv /lib/modules/$release" \
			>"$bw/release.log" 2>&1 || { echo "FAIL $name: $(tail -2 "$bw/release.log")"; fail=$((fail + 1)); continue; }
		ramdisk=$bw/ramdisk.m
	fi
	case "$image" in
	qemu-x86_64)
		set -- qemu-system-x86_64 -M q35 -m 256 -smp "$smp" -kernel "$parts/kernel" -initrd "$ramdisk"
		console=ttyS0
		;;
	*)
		set -- qemu-system-arm -M vexpress-a9 -m 256 -smp "$smp" -kernel "$parts/kernel" -initrd "$ramdisk" -dtb "$parts/dtb"
		console=ttyAMA0
		;;
	esac
	if [ -n "$loader" ]; then
		# every part where the profile's loader model puts it (lkboot.py)
		if ! largs=$(loader_args "$image" "$loader" "$ramdisk" "$bw/loader" \
			"console=$console printk.devkmsg=on bootkit.dump=1 bootkit.halt=poweroff$append" 2>"$bw/loader.err"); then
			echo "FAIL $name: loader $loader: $(tail -2 "$bw/loader.err")"
			fail=$((fail + 1))
			continue
		fi
		# shellcheck disable=SC2086 # the loader's -device words
		set -- qemu-system-arm -M vexpress-a9 -m 256 -smp "$smp" $largs
	fi
	# shellcheck disable=SC2086
	# (a loader boot has its command line in its ATAGs; the init's own
	# arguments go last, after --)
	[ -n "$enosys" ] && append="$append rdinit=/sbin/enosys -- /init"
	[ -n "$loader" ] || set -- "$@" -append "console=$console printk.devkmsg=on bootkit.dump=1 bootkit.halt=poweroff$append"
	# shellcheck disable=SC2086 # the chips' words
	QEMU_AUDIO_DRV=none timeout -k 5 "$boot_timeout" "$@" -accel tcg -nographic -no-reboot $qargs \
		</dev/null >"$bw/console" 2>&1
	rc=$?
	# The record is written to the console by the init while the kernel may
	# still print (a driver's late probe, a --watch child): a kernel message
	# ("[ 8.819289] ...\n") can land inside one of its lines, at any byte.
	# Such a message is cut out and the two halves joined again (before the
	# record only a start of its first line is kept: other text before a
	# kernel message, such as the firmware's escape codes on x86, is not);
	# whole kernel lines are dropped.
	tr -d '\r' <"$bw/console" | awk -v first="==== bootkit decisions ====" '
		{ line = pend $0; pend = "" }
		match(line, /\[ *[0-9]+\.[0-9]+\] /) {
			if (RSTART > 1 && (inrec || index(first, substr(line, 1, RSTART - 1)) == 1))
				pend = substr(line, 1, RSTART - 1)
			next
		}
		line == first { inrec = 1; next }
		inrec && line == "==== end ====" { exit }
		inrec { print line }' >"$bw/record"
	# decision time: the sum of the per-class "decide ... ms=" (no loading)
	dms=$(sed -n 's/^decide .* ms=\([0-9.]*\)$/\1/p' "$bw/record" | awk '{ s += $1 } END { if (NR) printf "%.1f", s }')
	errs=""
	[ $rc = 124 ] && errs="$errs; boot timed out after ${boot_timeout}s"
	[ -s "$bw/record" ] || errs="$errs; no decision record on the console"
	while IFS= read -r line; do
		case "$line" in
		'expect '*) grep -qE -- "${line#expect }" "$bw/record" || errs="$errs; record lacks /${line#expect }/" ;;
		'reject '*) grep -qE -- "${line#reject }" "$bw/record" && errs="$errs; record has /${line#reject }/" ;;
		'console '*) grep -qF -- "${line#console }" "$bw/console" || errs="$errs; console lacks '${line#console }'" ;;
		'reject-console '*) grep -qF -- "${line#reject-console }" "$bw/console" && errs="$errs; console has '${line#reject-console }'" ;;
		'input-within-ms '*)
			# from /init's start to the first input device the kernel registered
			t0=$(grep -a 'bootkit-init: start' "$bw/console" | head -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
			t1=$(grep -a '\] input: ' "$bw/console" | head -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
			awk -v a="${t0:-x}" -v b="${t1:-x}" -v m="${line#input-within-ms }" \
				'BEGIN { exit !(a != "x" && b != "x" && (b - a) * 1000 <= m) }' ||
				errs="$errs; input device ${t1:+at $t1 s, }not within ${line#input-within-ms } ms of /init (${t0:-?} s)"
			;;
		'max-decide-ms '*)
			# the probe's deciding alone (the classes' decide ms), without the
			# module loads that TCG makes slow and noisy
			awk -v m="${dms:-1e9}" -v x="${line#max-decide-ms }" 'BEGIN { exit !(m <= x) }' ||
				errs="$errs; the probe decided in ${dms:-?} ms (max ${line#max-decide-ms })"
			;;
		'same-decisions-as '*)
			# what was decided and done, timings aside, as on another board of this run
			other=$work/${line#same-decisions-as }/record
			keep='^(decide|load|bind|bound|install|export|prop|android) '
			norm='s/ (xfer_ms|cpu_ms|ms)=[0-9.]+//g'
			if [ ! -s "$other" ]; then
				errs="$errs; no record of board ${line#same-decisions-as } to compare (run it first)"
			elif ! grep -E "$keep" "$other" | sed -E "$norm" >"$bw/other.dec" ||
				! grep -E "$keep" "$bw/record" | sed -E "$norm" >"$bw/this.dec" ||
				! cmp -s "$bw/other.dec" "$bw/this.dec"; then
				errs="$errs; decisions differ from board ${line#same-decisions-as } ($(diff "$bw/other.dec" "$bw/this.dec" | grep -c '^[<>]') lines)"
			fi
			;;
		'max-probe-ms '*)
			ms=$(sed -n 's/^done .* ms=\([0-9.]*\)$/\1/p' "$bw/record" | head -1)
			awk -v m="${ms:-1e9}" -v x="${line#max-probe-ms }" 'BEGIN { exit !(m <= x) }' ||
				errs="$errs; probe took ${ms:-?} ms (max ${line#max-probe-ms })"
			;;
		esac
	done <"$b"
	# kernel time stamps: /init start, probe start, last decision, last module loaded
	ts() { grep -a "$1" "$bw/console" | tail -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'; }
	t_init=$(ts 'bootkit-init: start') t_ps=$(ts 'bootkit-init: probe start')
	t_dec=$(ts '\(probe\|script\): decide') t_load=$(ts '\(probe\|script\): load')
	t_pd=$(ts 'bootkit-init: probe done')
	pms=$(sed -n 's/^done .*ms=\([0-9.]*\)$/\1/p' "$bw/record" | head -1)
	# the decider's whole run as init saw it (start to exit), kernel clock
	rms=$(awk -v a="$t_ps" -v b="$t_pd" 'BEGIN { if (a != "" && b != "") printf "%.1f", (b - a) * 1000 }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "${t_init:--}" "${t_ps:--}" "${t_dec:--}" "${t_load:--}" "${t_pd:--}" "${pms:--}" "${dms:--}" "${rms:--}" >>"$work/timing.tsv"
	times="init ${t_init:-?} s, decided ${t_dec:-?} s, loaded ${t_load:-?} s; pass ${pms:-?} ms, deciding ${dms:-?} ms"
	if [ -z "$errs" ]; then
		pass=$((pass + 1))
		echo "PASS $name ($times)"
	else
		fail=$((fail + 1))
		echo "FAIL $name ($times)${errs}"
		echo "     console: $bw/console"
	fi
done
echo "qemu-tests: $pass passed, $fail failed"
[ $fail = 0 ]
