# mk/profile.sh: sourced by mk/image.sh and mk/inject.sh with $board set
# (and $out, where the files they make go).
# Reads profiles/$board.conf into P_KEY variables (every key known, none
# missing, values checked) and defines resolve_kernel, which sets kernel,
# dtb, mods and kver from the profile's Debian package and the KERNEL, DTB
# and MODULES_DIR overrides.
# $board may also be the path of a profile file (NAME.conf anywhere).
case "$board" in
*/* | *.conf) conf=$board board=$(basename "$board" .conf) ;;
*) conf=profiles/$board.conf ;;
esac
[ -f "$conf" ] || die "no board profile $conf (profiles: $(for f in profiles/*.conf; do f=${f#profiles/}; printf '%s ' "${f%.conf}"; done))"

# ---- the profile: KEY=VALUE lines, '#' comments; every key known, none missing
keys="ARCH KERNEL_PACKAGE DTB DTB_MODE HEADER_VERSION PAGESIZE BASE KERNEL_OFFSET RAMDISK_OFFSET \
SECOND_OFFSET TAGS_OFFSET DTB_OFFSET CMDLINE BOARD_NAME MTK_HEADERS PARTITION_SIZE \
RAMDISK_COMPRESSION INIT PRELOAD MODULES_LIST PROBE_BUDGET PROBE_WATCH PROBE_TIMEOUT DT_OVERLAYS \
LOADER LK_SHIM"
n=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	case "$line" in '' | '#'*) continue ;; esac
	k=${line%%=*}
	[ "$k" != "$line" ] || die "$conf:$n: not KEY=VALUE: $line"
	case " $keys " in *" $k "*) ;; *) die "$conf:$n: unknown key $k (keys: $keys)" ;; esac
	eval "P_$k=\${line#*=}"
done <"$conf"
for k in $keys; do
	eval "[ \"\${P_$k+set}\" = set ]" || die "$conf: key $k is missing"
done
bad() { die "$conf: $1=$2: $3"; }
case "$P_ARCH" in armhf) debarch=armhf ;; x86_64) debarch=amd64 ;; *) bad ARCH "$P_ARCH" "want armhf or x86_64" ;; esac
case "$P_DTB_MODE" in none | section | appended) ;; *) bad DTB_MODE "$P_DTB_MODE" "want none, section or appended" ;; esac
case "$P_INIT" in busybox | minimal) ;; *) bad INIT "$P_INIT" "want busybox or minimal" ;; esac
case "$P_MTK_HEADERS" in none | boot | recovery) ;; *) bad MTK_HEADERS "$P_MTK_HEADERS" "want none, boot or recovery" ;; esac
case "$P_LK_SHIM" in auto | none) ;; *) bad LK_SHIM "$P_LK_SHIM" "want auto or none" ;; esac
[ "$P_KERNEL_PACKAGE" != none ] || [ "$P_DTB_MODE" = none ] ||
	bad KERNEL_PACKAGE none "a stock kernel keeps its own DTB: DTB_MODE must be none"
[ -n "$P_LOADER" ] || bad LOADER "" "want a loader model (README, \"Brick safety\")"

[ "$P_DTB_MODE" = section ] && [ "$P_HEADER_VERSION" -lt 2 ] &&
	bad DTB_MODE section "a DTB section needs HEADER_VERSION 2"
[ -f "$P_MODULES_LIST" ] || bad MODULES_LIST "$P_MODULES_LIST" "no such file"
for o in $(echo "$P_DT_OVERLAYS" | tr ',' ' '); do
	[ -f "$o" ] || bad DT_OVERLAYS "$o" "no such file"
done
[ -z "$P_DT_OVERLAYS" ] || [ "$P_DTB_MODE" != none ] || bad DT_OVERLAYS "$P_DT_OVERLAYS" "needs a DTB (DTB_MODE none)"

resolve_kernel() {
	kernel=${KERNEL:-} dtb=${DTB:-} mods=${MODULES_DIR:-} kver=""
	if [ "$P_KERNEL_PACKAGE" = none ]; then # the stock kernel, its own drivers
		if [ -n "$kernel$mods$dtb" ]; then
			die "profile $board keeps the stock kernel (KERNEL_PACKAGE=none): no KERNEL=, DTB= or MODULES_DIR="
		fi
		return 0
	fi
	if [ -z "$kernel" ] || [ -z "$mods" ] || { [ -z "$dtb" ] && [ -n "$P_DTB" ]; }; then
		# shellcheck disable=SC2046 # kernel.sh prints two words: root and release
		set -- $(sh mk/kernel.sh "$P_KERNEL_PACKAGE" "$debarch" "out/kernel/$debarch")
		kroot=$1 kver=$2
		[ -n "$kernel" ] || kernel=$kroot/boot/vmlinuz-$kver
		[ -n "$dtb" ] || [ -z "$P_DTB" ] || dtb=$kroot/usr/lib/linux-image-$kver/$P_DTB
		if [ -z "$mods" ]; then
			mods=$kroot
			[ -n "${KERNEL:-}" ] && echo "warning: KERNEL given without MODULES_DIR: modules come from Debian's $kver and load only into that kernel" >&2
		else
			kver=""
		fi
	fi
	[ -f "$kernel" ] || die "kernel $kernel: no such file"
	[ "$P_DTB_MODE" = none ] && dtb=""
	[ -z "$dtb" ] || [ -f "$dtb" ] || die "DTB $dtb: no such file"
	if [ -n "$P_DT_OVERLAYS" ] && [ -n "$dtb" ]; then apply_overlays; fi
	[ "$P_DTB_MODE" = none ] || [ -n "$dtb" ] || bad DTB_MODE "$P_DTB_MODE" "but no DTB (set DTB or DTB=FILE)"
}

# apply_overlays: the profile's DT fragments (.dtso: every candidate part of
# the board family, with its interrupt) compiled with dtc and applied to the
# DTB with fdtoverlay -> $out/board.dtb, which becomes $dtb. Their targets
# are paths (&{/...}), so the base needs no __symbols__.
apply_overlays() {
	: "${out:?set by the script that sources profile.sh}"
	mkdir -p "$out/dt"
	set --
	for o in $(echo "$P_DT_OVERLAYS" | tr ',' ' '); do
		b=$out/dt/$(basename "$o" .dtso).dtbo
		# dtc cannot see the parent's interrupt-map from a fragment
		dtc -q -@ -Wno-interrupts_property -I dts -O dtb -o "$b" "$o" ||
			die "DT_OVERLAYS: $o does not compile (dtc, above)"
		set -- "$@" "$b"
	done
	fdtoverlay -i "$dtb" -o "$out/board.dtb.tmp" "$@" ||
		die "DT_OVERLAYS: fdtoverlay cannot apply $P_DT_OVERLAYS to $dtb (above)"
	mv "$out/board.dtb.tmp" "$out/board.dtb"
	dtb=$out/board.dtb
}

# write_spec SPEC MODE: the ramdisk lines of the init flow (MODE busybox or
# minimal), the probe, modules.list and init.conf, as gen_init_cpio spec
# lines (also valid edit lines). Host paths are absolute.
write_spec() {
	spec=$1
	P_INIT=$2
	init_conf=$out/init.conf
	printf 'board=%s\nbudget=%s\nwatch=%s\ntimeout=%s\n' "$board" "$P_PROBE_BUDGET" "$P_PROBE_WATCH" \
		"$P_PROBE_TIMEOUT" >"$init_conf"
	top=$(pwd)
	case "$mods" in /* | "") ;; *) mods=$top/$mods ;; esac
	{
		echo "# generated by mk/image.sh from $conf"
		for d in /dev /proc /sys /run /sbin /lib /lib/probe; do echo "dir $d 0755 0 0"; done
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "file /sbin/probe $top/out/$P_ARCH/probe 0755 0 0"
		echo "file /lib/probe/modules.list $top/$P_MODULES_LIST 0644 0 0"
		echo "file /lib/probe/init.conf $top/$init_conf 0644 0 0"
		if [ "$P_INIT" = busybox ]; then
			# shellcheck disable=SC2046 # two words: root and version
			set -- $(sh mk/kernel.sh busybox-static "$debarch" "out/busybox/$debarch")
			echo "file /init $top/ramdisk/init/init.sh 0755 0 0"
			echo "dir /bin 0755 0 0"
			echo "file /bin/busybox $top/$1/bin/busybox 0755 0 0"
			echo "slink /bin/sh busybox 0777 0 0"
		else
			echo "file /init $top/out/$P_ARCH/init 0755 0 0"
		fi
	} >"$spec"
}
