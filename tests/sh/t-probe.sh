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
: > $R/sys/bus/i2c/devices/i2c-0/new_device; : > $R/dev/kmsg
printf 'adapter 0 i2c Versatile I2C adapter\nchip 0 0x38 a3=36\nchip 0 0x61 03=81\n' > hw
check "a pass over fixtures" "$P" --root $R --fake-i2c hw --kernel-release 6.1.0-t --explain
rec=$R/run/probe/decisions
ln() { grep -n "^$1 " "$ROOT/modules.list" | cut -d: -f1; }
grep -q "^decide class=regulator rule=fan53555 line=$(ln 'regulator fan53555') bus=0 addr=0x61 reg=0x03 read=81" $rec && ok "regulator decided" || bad "regulator"
grep -q "^decide class=touch rule=ft5x06 line=$(ln 'touch ft5x06') bus=0 addr=0x38 reg=0xa3 read=36" $rec && ok "touch decided with evidence" || bad "touch"
grep -q "^decide class=panel rule=otm8009a line=$(ln 'panel otm8009a') value=\"1-otm8009a_fwvga_dsi_vdo\"" $rec && ok "panel by lcm=" || bad "panel"
grep -q '^load class=panel module=drm status=ok' $rec && ok "dependency loaded" || bad "drm"
[ "$(cat $R/sys/bus/i2c/devices/i2c-0/new_device)" = "edt-ft5x06 0x38" ] && ok "new_device written" || bad "new_device"
grep -q '^touch=ft5x06@0-0x38$' $R/run/probe/facts && ok "facts exported" || bad "facts"
grep -q '^probe: decide class=touch' $R/dev/kmsg && ok "kmsg lines" || bad "kmsg"
grep -q "^explain touch gt9xx (line $(ln 'touch gt9xx')): no:" check.out && ok "--explain says why not" || bad "--explain"
: > $R/sys/bus/i2c/devices/i2c-0/new_device
check "--dry-run" "$P" --root $R --fake-i2c hw --kernel-release 6.1.0-t --dry-run
[ ! -s $R/sys/bus/i2c/devices/i2c-0/new_device ] && grep -q 'status=dry-run' $rec && ok "dry run acts on nothing" || bad "dry run acted"
printf 'touch x when i2c 0x99 then load y\n' >> $R/lib/probe/modules.list
check "a corrupt line does not stop the pass" "$P" --root $R --fake-i2c hw --kernel-release 6.1.0-t
grep -q "^error file=/lib/probe/modules.list line=$(wc -l < $R/lib/probe/modules.list) col=18" $rec && grep -q '^decide class=touch rule=ft5x06' $rec &&
	ok "error logged with its line, other rules applied" || { bad "corrupt line"; cat $rec; }
printf 'adapter 0 i2c V\nchip 0 0x38 a3=55\nfrob\n' > badhw
refuses "bad fixture names the line" 1 "badhw: line 3" "$P" --root $R --fake-i2c badhw
refuses "unknown option" 2 "unknown option" "$P" --frob
"$P" --help | grep -q -- "--fake-i2c" && ok "--help" || bad "--help"
rm -f $R/proc/cmdline
check "unreadable /proc/cmdline: logged, boot goes on" "$P" --root $R --fake-i2c hw --kernel-release 6.1.0-t
grep -q '^fault file=/proc/cmdline status=unreadable' $rec && grep -q '^decide class=panel rule=fallback' $rec &&
	ok "fallback panel without a command line" || bad "no cmdline"
finish
