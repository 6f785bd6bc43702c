# The probe as on a phone's 3.0-3.10 kernel: under tests/enosys.c's seccomp
# filter every system call added after Linux 3.0 answers ENOSYS (openat2,
# finit_module, statx, getrandom, the time64 calls, clone3...), so the
# fallbacks run (the user-space path walk for openat2). Each fixture pass
# must leave the same decision record (timings aside) and the same files as
# without the filter. QEMU board 27 boots the armhf init and probe under the
# ARM filter (module loads through init_module there).
. "$ROOT/tests/sh/lib.sh"
P="$ROOT/out/x86_64/probe"
E="$ROOT/out/enosys"
[ -x "$E" ] || { bad "no $E (make out/enosys)"; finish; }
"$E" "$P" --version >/dev/null 2>&1 && ok "the probe starts under the 3.0 filter" || bad "probe under enosys"
sh -c "\"$E\" /bin/sh -c 'exit 0'" && ok "enosys runs a program" || bad "enosys"

# a program that asks for a syscall 3.0 lacks gets ENOSYS, an old one works
printf 'int main(void){return 0;}\n' >/dev/null
cat >sys.c <<'C'
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void)
{
	long a = syscall(318, 0, 0, 0); /* getrandom, 3.17 */
	int ea = errno;
	long b = syscall(SYS_getppid);
	return a == -1 && ea == ENOSYS && b > 0 ? 0 : 1;
}
C
cc -o sys sys.c && "$E" ./sys && ok "the filter: getrandom ENOSYS, getppid works" || bad "the filter"

# fixture: the shipped rules, a FocalTech chip and a regulator; an Android root
fixture() {
	R=$1
	rm -rf "$R" && mkdir -p "$R/proc" "$R/lib/probe/input" "$R/lib/modules/6.1.0-t" \
		"$R/sys/bus/i2c/devices/i2c-0" "$R/dev"
	cp "$2" "$R/lib/probe/modules.list"
	cp "$ROOT"/ramdisk/input/* "$R/lib/probe/input/"
	echo "console=ttyAMA0 lcm=1-otm8009a_fwvga_dsi_vdo" >"$R/proc/cmdline"
	printf 'ro.secure=1\nro.bootkit.touch=stale\n' >"$R/default.prop"
	printf '%s\n' kernel/drivers/regulator/fan53555.ko: kernel/drivers/input/touchscreen/edt-ft5x06.ko: \
		kernel/drivers/input/touchscreen/goodix_ts.ko: \
		"kernel/drivers/gpu/drm/panel/panel-orisetech-otm8009a.ko: kernel/drivers/gpu/drm/drm.ko" \
		"kernel/drivers/gpu/drm/panel/panel-simple.ko: kernel/drivers/gpu/drm/drm.ko" \
		kernel/drivers/gpu/drm/drm.ko: >"$R/lib/modules/6.1.0-t/modules.dep"
	sed 's/:.*//' "$R/lib/modules/6.1.0-t/modules.dep" | while read -r m; do
		mkdir -p "$(dirname "$R/lib/modules/6.1.0-t/$m")" && : >"$R/lib/modules/6.1.0-t/$m"
	done
	: >"$R/sys/bus/i2c/devices/i2c-0/new_device"
	: >"$R/dev/kmsg"
	# a stock kernel's binding: ft5306 holds 0-0038, gt818 registered, unbound
	mkdir -p "$R/sys/bus/i2c/drivers/ft5306" "$R/sys/bus/i2c/devices/0-0038" "$R/sys/bus/i2c/devices/0-005d"
	ln -s ../../../bus/i2c/drivers/ft5306 "$R/sys/bus/i2c/devices/0-0038/driver"
	# a link inside the root the probe follows (the user-space walk's part)
	ln -s /sys/bus/i2c "$R/i2c-link"
}
printf 'adapter 0 i2c Versatile I2C adapter\nchip 0 0x38 a3=55 a8=5d\nchip 0 0x61 03=81\n' >hw
norm() { sed -E 's/ (xfer_ms|cpu_ms|ms|load_ms|settle_ms|own_ms)=[0-9.]+//g' "$1"; }
same_run() { # same_run NAME RULES PROBE-ARGS...: with and without the filter
	n=$1 rules=$2
	shift 2
	fixture "$n.plain" "$rules" && fixture "$n.old" "$rules"
	"$P" --root "$n.plain" "$@" >"$n.plain.out" 2>&1
	"$E" "$P" --root "$n.old" "$@" >"$n.old.out" 2>&1
	norm "$n.plain/run/probe/decisions" >"$n.plain.rec"
	norm "$n.old/run/probe/decisions" >"$n.old.rec"
	if [ -s "$n.plain.rec" ] && cmp -s "$n.plain.rec" "$n.old.rec"; then
		ok "$n: the same record under the 3.0 filter ($(wc -l <"$n.old.rec") lines)"
	else
		bad "$n: records differ"
		diff "$n.plain.rec" "$n.old.rec" | head -10
	fi
	for f in default.prop init.bootkit.rc run/probe/facts run/probe/usr; do
		[ -e "$n.plain/$f" ] || continue
		diff -r "$n.plain/$f" "$n.old/$f" >/dev/null && ok "$n: /$f the same" || bad "$n: /$f differs"
	done
}
same_run shipped "$ROOT/modules.list" --fake-i2c hw --kernel-release 6.1.0-t
grep -q '^decide class=touch rule=ft5x06' shipped.old.rec && grep -q '^android fragment=/init.bootkit.rc' shipped.old.rec &&
	ok "shipped: decided and delivered under the filter" || bad "shipped: not decided"
same_run stock "$ROOT/profiles/mt6572-stock.list" --fake-i2c hw --kernel-release 6.1.0-t
grep -q '^decide class=touch rule=ft5x06 .* driver=ft5306' stock.old.rec && ok "stock: decided by the bound driver under the filter" ||
	bad "stock: not decided by the binding"
same_run dry "$ROOT/modules.list" --fake-i2c hw --kernel-release 6.1.0-t --dry-run
"$E" "$P" --check --modules-list "$ROOT/modules.list" && ok "--check under the filter" || bad "--check"
fixture settings "$ROOT/modules.list"
printf 'console=ttyS0 bootkit.budget="1500" bootkit.dump=1\n' >settings/proc/cmdline
"$P" --root settings --init-settings B=budget D=dump >s.plain && "$E" "$P" --root settings --init-settings B=budget D=dump >s.old &&
	cmp -s s.plain s.old && grep -q "^B='1500'$" s.old && ok "--init-settings: the same under the filter" || bad "--init-settings"
finish
