#!/bin/sh
# /init of a bootkit ramdisk, BusyBox mode. The same flow as ramdisk/init/init.c
# (the minimal mode, without BusyBox); see that file and probe(8), "THE INIT":
#   mount, load the "preload" bus drivers, run the probe (the fallback modules
#   when it is missing, fails or hangs), then hand over: root= -> switch_root;
#   /init.stock -> exec it; bootkit.halt=poweroff|reboot; else a console shell.
# Settings: /lib/probe/init.conf (KEY=VALUE), overridden by bootkit.KEY=VALUE
# in /proc/bootconfig, then on the kernel command line. Never exits (PID 1).
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
# Run as something else (a stock ueventd link to /init that was not moved)?
# That is the stock init's business.
case "$0" in */init | init) ;; *) [ -x /init.stock ] && exec /init.stock "$@" ;; esac
[ -x /bin/busybox ] && /bin/busybox --install -s /bin 2>/dev/null

say() { echo "<6>bootkit-init: $*" >/dev/kmsg 2>/dev/null || echo "bootkit-init: $*" >&2; }

mkdir -p /proc /sys /dev /run
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o nosuid devtmpfs /dev 2>/dev/null
mount -t tmpfs -o nosuid,nodev tmpfs /run
say "start (busybox)"
# The settings: defaults here; KEY=VALUE lines of /lib/probe/init.conf, then
# bootkit.KEY=VALUE from /proc/bootconfig, then from the command line override
# them (and root=, init=, rootfstype=, rw come from the command line). The
# probe reads them (probe --init-settings: lib/kcmdline.c, as the C init and the
# probe's rules read them: quotes, the last one wins) and prints assignments.
# shellcheck disable=SC2034 # the eval below assigns them
prog=/sbin/probe dry=0 noprobe=0 ptmo=10 budget=2000 xfer=25 watch=0 dump=0 halt=
unset root init type rw
settings="prog=probe dry=dry_run noprobe=noprobe ptmo=probe_timeout budget=budget xfer=timeout
watch=watch dump=dump halt=halt root=:root init=:init type=:rootfstype rw=:rw"
# shellcheck disable=SC2086 # the specs are words
if [ -x /sbin/probe ] && s=$(/sbin/probe --init-settings $settings); then
	eval "$s"
else
	# no probe to read them with: the command line's words split on blanks
	# (no quotes, no bootconfig, no init.conf), the last one wins
	say "settings: /sbin/probe missing or failed: the command line split on blanks"
	read -r cmdline </proc/cmdline
	for sp in $settings; do
		k=${sp#*=}
		case "$k" in :*) k=${k#:} ;; *) k=bootkit.$k ;; esac
		for w in $cmdline; do
			case "$w" in "$k") eval "${sp%%=*}=" ;; "$k="*) eval "${sp%%=*}=\${w#*=}" ;; esac
		done
	done
fi

load_kind() {
	n=0
	[ -f /lib/probe/boot.modules ] || { echo 0; return; }
	while read -r kind path; do
		[ "$kind" = "$1" ] || continue
		if insmod "$path" 2>/dev/null || grep -q "^$(basename "$path" .ko | tr - _) " /proc/modules; then
			n=$((n + 1))
		else
			say "$1 $path: insmod failed"
		fi
	done </lib/probe/boot.modules
	echo "$n"
}

say "preload: $(load_kind preload) modules"
ok=0
# bootkit.probe=PROGRAM runs another decider (a shell script, for comparison);
# bootkit.dry_run=1: decide and record, load nothing (BOOTKIT_DRY_RUN=1 for another decider)
dryarg=
[ "$dry" = 1 ] && dryarg=--dry-run
if [ "$noprobe" != 1 ] && [ -x "$prog" ]; then
	say "probe start"
	if [ "$prog" = /sbin/probe ]; then
		timeout "$ptmo" /sbin/probe --budget "$budget" --timeout "$xfer" --watch "$watch" $dryarg
	else
		BOOTKIT_DRY_RUN=$dry timeout "$ptmo" "$prog"
	fi
	rc=$?
	say "probe done status=$rc"
	[ $rc = 0 ] && ok=1
fi
if [ $ok = 1 ]; then
	say "decided"
else
	say "probe missing, failed or skipped: fallback modules"
	say "fallback: $(load_kind fallback) modules"
fi
if [ "$dump" = 1 ]; then
	{
		echo "==== bootkit decisions ===="; cat /run/probe/decisions; echo "==== end ===="
		# what the drivers made of it: input devices, regulators
		echo "==== input devices ===="; cat /proc/bus/input/devices 2>/dev/null
		echo "==== regulators ===="
		for r in /sys/class/regulator/*/name; do [ -f "$r" ] && echo "${r%/name}: $(cat "$r")"; done
		echo "==== end ===="
	} >/dev/console
fi

if [ -n "$root" ]; then
	mode=ro
	[ "${rw+set}" = set ] && mode=rw
	mkdir -p /newroot
	i=0
	while [ ! -e "$root" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	if mount -t "${type:-ext4}" -o "$mode" "$root" /newroot; then
		# said before /dev moves: after it, /dev/kmsg would be a new file
		say "switch root to $root, ${init:-/sbin/init}"
		for m in dev proc sys run; do mount --move /$m /newroot/$m 2>/dev/null || umount -l /$m; done
		exec switch_root /newroot "${init:-/sbin/init}"
	fi
	say "root $root: mount failed"
elif [ -x /init.stock ]; then
	say "exec /init.stock"
	umount -l /proc
	umount -l /sys
	exec /init.stock
fi
case "$halt" in
poweroff) say poweroff; sync; poweroff -f ;;
reboot) say reboot; sync; reboot -f ;;
esac
say "nothing to hand over to (no root=, no /init.stock): shell on the console"
while :; do setsid -c sh </dev/console >/dev/console 2>&1 || sleep 5; done
