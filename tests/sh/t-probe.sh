# The probe binary (static musl, x86-64) over a fixture tree with fake chips.
. "$ROOT/tests/sh/lib.sh"
P="$ROOT/out/x86_64/probe"
file "$P" | grep -q "statically linked" && ok "static binary" || bad "not static: $(file "$P")"
check "shipped modules.list parses" "$P" --check --modules-list "$ROOT/modules.list"
printf 'touch a when i2c 0x38 reg8 0x1ff then load x\npanel p when cmdline lcm then load y\n' > bad.list
refuses "--check names file:line:column" 1 "bad.list:1:28: register" "$P" --check --modules-list bad.list

R=root; mkdir -p $R/proc $R/lib/probe/input $R/lib/modules/6.1.0-t $R/sys/bus/i2c/devices/i2c-0 $R/dev
cp "$ROOT/modules.list" $R/lib/probe/modules.list
echo "console=ttyAMA0 lcm=1-otm8009a_fwvga_dsi_vdo" > $R/proc/cmdline
cat > $R/lib/modules/6.1.0-t/modules.dep <<'DEP'
kernel/drivers/regulator/fan53555.ko:
kernel/drivers/input/touchscreen/edt-ft5x06.ko:
kernel/drivers/input/touchscreen/goodix_ts.ko:
kernel/drivers/gpu/drm/panel/panel-orisetech-otm8009a.ko: kernel/drivers/gpu/drm/drm.ko
kernel/drivers/gpu/drm/panel/panel-simple.ko: kernel/drivers/gpu/drm/drm.ko
kernel/drivers/gpu/drm/drm.ko:
DEP
# the module files (the probe opens a module below its root itself)
sed 's/:.*//' "$R/lib/modules/6.1.0-t/modules.dep" | while read -r m; do
	mkdir -p "$(dirname "$R/lib/modules/6.1.0-t/$m")"; : > "$R/lib/modules/6.1.0-t/$m"
done
: > $R/sys/bus/i2c/devices/i2c-0/new_device; : > $R/dev/kmsg
printf 'adapter 0 i2c Versatile I2C adapter\nchip 0 0x38 a3=36 a8=5d\nchip 0 0x61 03=81\n' > hw
cp "$ROOT/ramdisk/input/focaltech-ft5x06.idc" $R/lib/probe/input/
check "a pass over fixtures" "$P" --root $R --fake-i2c hw --kernel-release 6.1.0-t --explain
rec=$R/run/probe/decisions
# rule_line 'CLASS NAME': the line of that rule in modules.list
rule_line() { grep -n "^$1 " "$ROOT/modules.list" | cut -d: -f1; }
grep -q "^decide class=regulator rule=fan53555 line=$(rule_line 'regulator fan53555') bus=0 addr=0x61 reg=0x03 read=81" $rec && ok "regulator decided" || bad "regulator"
grep -q "^decide class=touch rule=ft5x06 line=$(rule_line 'touch ft5x06') bus=0 addr=0x38 reg=0xa8 read=5d" $rec && ok "touch decided with evidence (the maker's ID read first)" || bad "touch"
grep -q "^install class=touch file=focaltech-ft5x06.idc to=/run/probe/usr/idc/generic_ft5x06__5d_.idc status=ok" $rec &&
	cmp -s $R/run/probe/usr/idc/generic_ft5x06__5d_.idc "$ROOT/ramdisk/input/focaltech-ft5x06.idc" &&
	ok "install ... as generic_ft5x06__\${id}_.idc: the name edt-ft5x06 gives, under /run/probe (no Android here)" || bad "install as"
grep -q "^android status=none:no-default.prop" $rec && [ ! -e $R/init.bootkit.rc ] && ok "no default.prop: not Android, nothing written for it" || bad "android none"
grep -q "^decide class=panel rule=otm8009a line=$(rule_line 'panel otm8009a') value=\"1-otm8009a_fwvga_dsi_vdo\"" $rec && ok "panel by lcm=" || bad "panel"
grep -q '^load class=panel module=drm status=ok' $rec && ok "dependency loaded" || bad "drm"
[ "$(cat $R/sys/bus/i2c/devices/i2c-0/new_device)" = "edt-ft5x06 0x38" ] && ok "new_device written" || bad "new_device"
grep -q '^touch=ft5x06@0-0x38$' $R/run/probe/facts && ok "facts exported" || bad "facts"
grep -q '^probe: decide class=touch' $R/dev/kmsg && ok "kmsg lines" || bad "kmsg"
grep -q "^explain touch gt9xx (line $(rule_line 'touch gt9xx')): no:" check.out && ok "--explain says why not" || bad "--explain"
: > $R/sys/bus/i2c/devices/i2c-0/new_device
cp $R/run/probe/facts facts.real
check "--dry-run" "$P" --root $R --fake-i2c hw --kernel-release 6.1.0-t --dry-run
[ ! -s $R/sys/bus/i2c/devices/i2c-0/new_device ] && grep -q 'status=dry-run' $rec && ok "dry run acts on nothing" || bad "dry run acted"
# issue 15.12: the facts an earlier real pass exported survive a dry run
same "--dry-run keeps /run/probe/facts" facts.real $R/run/probe/facts
rm -rf $R/run/probe/usr $R/run/probe/facts
check "--dry-run on a fresh /run" "$P" --root $R --fake-i2c hw --kernel-release 6.1.0-t --dry-run
[ ! -e $R/run/probe/facts ] && [ ! -e $R/run/probe/usr ] && ok "--dry-run creates no facts file" || bad "dry run created files: $(ls $R/run/probe)"
printf 'touch x when i2c 0x99 then load y\n' >> $R/lib/probe/modules.list
check "a corrupt line does not stop the pass" "$P" --root $R --fake-i2c hw --kernel-release 6.1.0-t
grep -q "^error file=/lib/probe/modules.list line=$(wc -l < $R/lib/probe/modules.list) col=18" $rec && grep -q '^decide class=touch rule=ft5x06' $rec &&
	ok "error logged with its line, other rules applied" || { bad "corrupt line"; cat $rec; }
printf 'adapter 0 i2c V\nchip 0 0x38 a3=55\nfrob\n' > badhw
refuses "bad fixture names the line" 1 "badhw: line 3" "$P" --root $R --fake-i2c badhw
# issue 15.19: --check on what is not a readable regular file with rules fails
mkdir adir; mkfifo afifo; : > empty.list; printf '# only a comment\n' > comment.list
refuses "--check on a folder" 1 "adir: not a regular file" "$P" --check --modules-list adir
refuses "--check on a FIFO (no hang)" 1 "afifo: not a regular file" timeout 5 "$P" --check --modules-list afifo
refuses "--check on an empty file" 1 "empty.list: no rules" "$P" --check --modules-list empty.list
refuses "--check on a file with no statement" 1 "comment.list: no rules" "$P" --check --modules-list comment.list
refuses "--check on a missing file" 1 "nosuch.list: No such file" "$P" --check --modules-list nosuch.list
# --fake-i2c: read whole (a chip past 64 KiB counts), a NUL byte is an error with its line
{ printf 'adapter 0 i2c V\n'; i=0; while [ $i -lt 1200 ]; do printf '# padding line %s to pass 64 KiB ................................\n' $i; i=$((i+1)); done
  printf 'chip 0 0x38 a3=36\n'; } > bighw
[ "$(wc -c < bighw)" -gt 65536 ] || bad "bighw too small"
check "--fake-i2c past 64 KiB" "$P" --root $R --fake-i2c bighw --kernel-release 6.1.0-t
grep -q '^decide class=touch rule=ft5x06' $rec && ok "a chip after 64 KiB of fixture" || bad "fixture cut at 64 KiB"
printf 'adapter 0 i2c V\nchip 0 0x38 a3=36\0\nstuck 0\n' > nulhw
refuses "--fake-i2c with a NUL byte names its line" 1 "nulhw: line 2: NUL byte" "$P" --root $R --fake-i2c nulhw
refuses "--fake-i2c on a folder" 1 "adir: not a regular file" "$P" --root $R --fake-i2c adir
refuses "unknown option" 2 "unknown option" "$P" --frob
"$P" --help | grep -q -- "--fake-i2c" && ok "--help" || bad "--help"
rm -f $R/proc/cmdline
check "unreadable /proc/cmdline: logged, boot goes on" "$P" --root $R --fake-i2c hw --kernel-release 6.1.0-t
grep -q '^fault file=/proc/cmdline status=unreadable' $rec && grep -q '^decide class=panel rule=fallback' $rec &&
	ok "fallback panel without a command line" || bad "no cmdline"
# --init-settings: the BusyBox init's settings through lib/kcmdline.c (quotes,
# the last one wins, bootconfig, init.conf), as assignments a shell evals
S=sroot; mkdir -p $S/proc $S/lib/probe
printf '%s\n' "console=ttyAMA0 bootkit.budget=100 bootkit.budget=\"3000\" root=/dev/mmcblk0 rw bootkit.halt=\"it's off\" init=/sbin/x" > $S/proc/cmdline
printf 'bootkit.watch = "7"\nbootkit.probe = "/a b"\n' > $S/proc/bootconfig
printf 'probe_timeout=12\nwatch=3\nbudget=5\n' > $S/lib/probe/init.conf
check "--init-settings" "$P" --root $S --init-settings prog=probe ptmo=probe_timeout budget=budget \
	watch=watch dump=dump halt=halt root=:root type=:rootfstype rw=:rw
cat > settings.want <<'EOF'
prog='/a b'
ptmo='12'
budget='3000'
watch='7'
halt='it'\''s off'
root='/dev/mmcblk0'
rw=''
EOF
same "--init-settings: command line over bootconfig over init.conf, quotes, unset ones absent" settings.want check.out
# shellcheck disable=SC2154 # the eval assigns them
(eval "$(cat check.out)" && [ "$halt" = "it's off" ] && [ "$prog" = "/a b" ] && [ "${rw+set}" = set ] && [ -z "${type+set}" ]) &&
	ok "--init-settings output evals back to the values" || bad "--init-settings eval"
refuses "--init-settings: a spec that is no VAR=KEY" 2 "'1x=y' is not VAR=KEY" "$P" --root $S --init-settings a=b 1x=y
refuses "--init-settings: an empty key" 2 "'x=:' is not" "$P" --root $S --init-settings x=:
printf 'bootkit.halt="poweroff\n' > $S/proc/cmdline
check "--init-settings: an unclosed quote" "$P" --root $S --init-settings halt=halt
[ "$(cat check.out)" = "halt='poweroff'" ] && ok "an unclosed quote ends before /proc/cmdline's newline" || bad "unclosed quote: $(cat check.out)"
printf 'bootkit.halt=%0300d\n' 0 > $S/proc/cmdline
refuses "--init-settings: a value too long is said and left out" 0 "setting halt: value longer than 255 bytes" \
	"$P" --root $S --init-settings halt=halt watch=watch
[ "$(cat refuse.out)" = "watch='7'" ] && ok "the others still printed" || bad "too-long value: $(cat refuse.out)"
finish
