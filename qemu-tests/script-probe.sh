#!/bin/sh
# The approach the probe replaces, for comparison (board 8-script): a boot
# script that makes board 1's decisions with one BusyBox i2cset/i2cget/
# i2ctransfer process per read and insmod. It is given an advantage the probe
# does not take: it knows the chips are on bus 0 (the dead bus 1 would cost it
# seconds per read). It writes a record in the probe's format. With
# BOOTKIT_DRY_RUN=1 (bootkit.dry_run=1) it decides only: no insmod, no bind.
M=/lib/modules/$(uname -r)
mkdir -p /run/probe
rec=/run/probe/decisions
: >"$rec"
say() { echo "$*" >>"$rec"; echo "<6>script: $*" >/dev/kmsg; }
ld() {
	[ "${BOOTKIT_DRY_RUN:-0}" = 1 ] && return 0 # bootkit.dry_run=1: decide only
	for m in "$@"; do
		insmod "$(find "$M" -name "$m.ko" | head -1)" && say "load module=$m status=ok"
	done
}
bind() { [ "${BOOTKIT_DRY_RUN:-0}" = 1 ] || echo "$1 $2" >/sys/bus/i2c/devices/i2c-0/new_device; }
# decision time per class (reads and tests, not insmod), as the probe records
# it: BusyBox ash's $EPOCHREALTIME (microseconds, no process in the interval)
# shellcheck disable=SC3028 # BusyBox ash has EPOCHREALTIME; this runs only there
start() { ts=$EPOCHREALTIME; }
dec() {
	# shellcheck disable=SC3028
	te=$EPOCHREALTIME
	say "$* ms=$(awk -v a="$ts" -v b="$te" 'BEGIN { printf "%.1f", (b - a) * 1000 }')"
}
rd8() { i2cset -y 0 "$1" "$2" 2>/dev/null && i2cget -y 0 "$1" 2>/dev/null; } # pointer, STOP, read
# shellcheck disable=SC3028
t0=$EPOCHREALTIME

start
reg=fallback
for a in 0x60 0x61 0x62 0x63; do
	v=$(rd8 $a 0x03) || continue
	if [ $((v & 0xe0)) = $((0x80)) ]; then
		dec "decide class=regulator rule=fan53555 addr=$a read=$v"
		ld fan53555
		reg=fan53555
		break
	fi
done
[ $reg = fallback ] && dec "decide class=regulator rule=fallback"

start
touch=fallback
v=$(rd8 0x38 0xa3)
case "$v" in 0x55 | 0x06 | 0x36 | 0x64 | 0x08 | 0x0a)
	dec "decide class=touch rule=ft5x06 addr=0x38 read=$v"
	ld edt-ft5x06
	bind edt-ft5x06 0x38
	touch=ft5x06
	;;
esac
if [ $touch = fallback ]; then
	for a in 0x5d 0x14; do
		id=$(i2ctransfer -y 0 w2@$a 0x81 0x40 r4 2>/dev/null) || continue
		case "$id" in 0x39*)
			dec "decide class=touch rule=gt9xx addr=$a read=$id"
			ld goodix_ts
			bind GDIX1001:00 $a
			touch=gt9xx
			break
			;;
		esac
	done
fi
[ $touch = fallback ] && dec "decide class=touch rule=fallback"

start
lcm=""
read -r cmdline </proc/cmdline
for w in $cmdline; do case "$w" in lcm=*) lcm=${w#lcm=} ;; esac; done
case "$lcm" in
*otm8009a*) dec "decide class=panel rule=otm8009a"; ld drm panel-orisetech-otm8009a ;;
*hx8389b*) dec "decide class=panel rule=hx8389b"; ld drm panel-simple ;;
*) dec "decide class=panel rule=fallback"; ld drm panel-simple ;;
esac
# shellcheck disable=SC3028
t1=$EPOCHREALTIME
say "done ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')"
