# One rules policy (issue 27.4): the host (ramdisk pack --modules-list) and the
# probe (probe --check, and at boot) load a rules file with the same code
# (probe/rules.c's rules_load): the same lists are accepted and refused, with
# the same exit status and the same messages (the program's name aside).
. "$ROOT/tests/sh/lib.sh"
P="$ROOT/out/x86_64/probe"
printf '' >empty.list
printf '# only comments\n\n' >comment.list
printf 'touch a when i2c 0x99 then install x.idc\ntouch b when exists /x then export a=1\n' >bad.list
printf 'touch a when exists /x then prop ro.way.too.long.for.an.android.property=1\n' >prop.list
printf 'order touch\n' >order.list
head -c 300000 /dev/zero | tr '\0' '#' >big.list
printf 'touch\0 a when exists /x then export a=1\n' >nul.list
cp "$ROOT/profiles/mt6572-stock.list" good.list
printf 'dir /x 0755 0 0\n' >s.spec
for f in empty comment bad prop order big nul good; do
	"$P" --check --modules-list $f.list 2>p.err
	pe=$?
	"$BIN/ramdisk" pack --spec s.spec -o x.rd --modules-list $f.list --input "$ROOT/ramdisk/input" >/dev/null 2>r.err
	re=$?
	sed 's/^probe: //' p.err >p.msg
	sed 's/^ramdisk: //' r.err >r.msg
	if [ "$pe" = "$re" ] && cmp -s p.msg r.msg; then
		ok "$f.list: probe and ramdisk both exit $pe, the same $(wc -l <p.msg) message lines"
	else
		bad "$f.list: probe exit $pe, ramdisk exit $re"
		diff p.msg r.msg
	fi
done
"$P" --check --modules-list comment.list 2>&1 | grep -q '^comment.list: no rules$' && ok "a file without a statement: no rules, said" || bad "no rules"
"$P" --check --modules-list good.list && ok "the stock rules pass both" || bad "good.list"
finish
