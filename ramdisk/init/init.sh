#!/bin/sh
# /init of a bootkit ramdisk, BusyBox mode. The same flow as ramdisk/init/init.c
# (the minimal mode, without BusyBox); see that file and README.md:
#   mount, load the "preload" bus drivers, run the probe (the fallback modules
#   when it is missing, fails or hangs), then hand over: root= -> switch_root;
#   /init.stock -> exec it; bootkit.halt=poweroff|reboot; else a console shell.
# Settings: /lib/probe/init.conf (KEY=VALUE), overridden by bootkit.KEY=VALUE
# on the kernel command line. Never exits (PID 1).
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
read -r cmdline </proc/cmdline

# get VAR KEY DEFAULT: VAR = bootkit.KEY from the command line, else KEY from
# init.conf, else DEFAULT; a key given twice: the last one wins, as in the C
# init (lib/cmdline.c; quotes are not honoured here). Sets a variable rather
# than printing: every $(...) is a fork, and forks are what a boot script
# spends its time on.
get() {
	_got=
	for w in $cmdline; do
		case "$w" in "bootkit.$2="*) eval "$1=\${w#*=}"; _got=1 ;; esac
	done
	[ -n "$_got" ] && return
	if [ -f /lib/probe/init.conf ]; then
		# shellcheck disable=SC2034 # v is read by the eval
		while IFS='=' read -r k v; do
			[ "$k" = "$2" ] && { eval "$1=\$v"; _got=1; }
		done </lib/probe/init.conf
	fi
	[ -n "$_got" ] || eval "$1=\$3"
}
# cmdword VAR WORD: VAR = the value of WORD= on the command line (empty if
# absent; the last one wins)
cmdword() {
	eval "$1="
	for w in $cmdline; do
		case "$w" in "$2="*) eval "$1=\${w#*=}" ;; esac
	done
}
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

say "start (busybox)"
say "preload: $(load_kind preload) modules"
ok=0
# bootkit.probe=PROGRAM runs another decider (a shell script, for comparison);
# bootkit.dry_run=1: decide and record, load nothing (BOOTKIT_DRY_RUN=1 for another decider)
# the settings get() assigns (by eval, which shellcheck cannot follow)
prog='' dry='' noprobe='' ptmo='' budget='' xfer='' watch='' dump='' halt=''
get prog probe /sbin/probe
get dry dry_run 0
get noprobe noprobe 0
get ptmo probe_timeout 10
get budget budget 2000
get xfer timeout 25
get watch watch 0
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
get dump dump 0
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

cmdword root root
cmdword init init
if [ -n "$root" ]; then
	cmdword type rootfstype
	mode=ro
	for w in $cmdline; do [ "$w" = rw ] && mode=rw; done
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
get halt halt ''
case "$halt" in
poweroff) say poweroff; sync; poweroff -f ;;
reboot) say reboot; sync; reboot -f ;;
esac
say "nothing to hand over to (no root=, no /init.stock): shell on the console"
while :; do setsid -c sh </dev/console >/dev/console 2>&1 || sleep 5; done
