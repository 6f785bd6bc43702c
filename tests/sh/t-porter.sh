# The porter's workflow (issue 18): a stock ramdisk as a folder and an exact
# spec, back byte for byte, without root; AnyKernel-style edit lines.
# shellcheck disable=SC2086 # $s names a stock (gnu, hand): a plain word
. "$ROOT/tests/sh/lib.sh"
R="$BIN/ramdisk"
diffcpio() { python3 "$ROOT/tests/sh/cpiodiff.py" "$1" "$2"; }
# the non-root runs: as uid 65534 when the tests run as root, else as the
# (already non-root) user running them
if [ "$(id -u)" = 0 ]; then
	nb_uid=65534
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	nb_uid=$(id -u)
	as_nobody() { "$@"; }
fi
nobody_dir # the non-root runs work in $NB/w with the tools of $NB/bin

# ---- a stock-like ramdisk by GNU cpio: owners (a uid-1000 data folder), a
# device node, a hard link, odd mtimes, a non-sorted order, 512-byte padding
if [ "$(id -u)" = 0 ]; then
	mkdir -p st/sbin st/dev st/data st/res/images
	printf '\177ELF stock init\n' > st/init && chmod 0750 st/init
	printf 'on early-init\n    start ueventd\n\non init\n    mkdir /data 0771 system system\n\nservice adbd /sbin/adbd\n    disabled\n' > st/init.rc
	printf 'ro.secure=1\nro.adb.secure=1\nro.debuggable=0\npersist.sys.usb.config=mtp\n' > st/default.prop
	printf '# Android fstab\n/dev/block/mmcblk0p7 /system ext4 ro,noatime wait\n/dev/block/mmcblk0p9 /data ext4 noatime,nosuid,nodev wait,check,encryptable=footer\n' > st/fstab.mt6572
	printf 'charger image\n' > st/res/images/charger.png && ln st/res/images/charger.png st/res/images/charger-link.png
	ln -s ../init st/sbin/ueventd
	mknod st/dev/console c 5 1 && chmod 0600 st/dev/console
	chown 1000:1000 st/data && chmod 0771 st/data
	touch -d '2009-01-01 00:00:00' st/init; touch -d '2038-01-19 03:14:07' st/init.rc; touch -h -d '1999-12-31 23:59:59' st/sbin/ueventd
	# not sorted: init first, then a folder's contents before later folders
	printf '%s\n' . init sbin sbin/ueventd res res/images res/images/charger.png dev dev/console \
		init.rc data res/images/charger-link.png default.prop fstab.mt6572 |
		(cd st && cpio -o -H newc --quiet) > gnu.cpio
	gzip -9n < gnu.cpio > gnu.gz
	STOCKS="gnu"
fi

# ---- the same kinds of entry made by hand, and what GNU cpio cannot make:
# names with spaces, quotes, control bytes; a 070702 entry; gen_init_cpio
# links; rdev on a file; two concatenated archives with odd padding
python3 "$ROOT/tests/sh/newc.py" hand.cpio <<'EOF'
e(b'.', 0o40755, nlink=6, mtime=1230768000, ino=300)
e(b'init', 0o100750, b'\x7fELF\n', mtime=1230768001, ino=301, dev=(8, 2))
e(b'data', 0o40771, uid=1000, gid=1000, mtime=1230768002, nlink=2, ino=302)
e(b'dev', 0o40755, nlink=2, mtime=7, ino=303)
e(b'dev/console', 0o20600, rdev=(5, 1), mtime=8, ino=304)
e(b'dev/block', 0o60640, rdev=(179, 0), gid=6, ino=305)
e(b'dev/pipe', 0o10600, ino=306)
e(b'sbin', 0o40755, nlink=2, ino=307)
e(b'sbin/ueventd', 0o120777, b'../init', ino=308, mtime=4294967295)
e(b'z-first', 0o100644, b'', ino=400, nlink=2, dev=(3, 1))
e(b'a-last', 0o100644, b'linked data\n', ino=400, nlink=2, dev=(3, 1))
e(b'./with space', 0o100644, b'x', ino=401)
e(b'we"ird\n\x1b\\#name', 0o100604, b'q', ino=402, uid=2000, gid=3000)
e(b'crc', 0o100644, b'sum me', ino=403, crc=True)
e(b'odd-rdev', 0o100644, b'', ino=404, rdev=(1, 2))
e(b'init.rc', 0o100644, b'on init\n    start adbd\n', ino=405)
trailer()
e(b'second', 0o100644, b'second archive\n', ino=400, nlink=1)
trailer(pad=100)
EOF
gzip -9n < hand.cpio > hand.gz
STOCKS="${STOCKS:-} hand"

for s in $STOCKS; do
	# ---- extract --spec, then pack --spec: the same decompressed archive
	check "$s: extract --spec" "$R" extract $s.gz $s.d --spec $s.spec
	grep -qx 'exact' $s.spec && grep -qx 'compression gzip' $s.spec && ok "$s: spec says exact and gzip" || bad "$s: spec header"
	check "$s: pack --spec" "$R" pack --spec $s.spec -o $s.back.gz
	gzip -t $s.back.gz && ok "$s: written with the spec's compression (gzip)" || bad "$s: not gzip"
	gzip -dc $s.back.gz > $s.back.cpio
	same "$s: byte for byte after extract --spec / pack --spec" $s.cpio $s.back.cpio
	[ "$(wc -l < $s.spec)" -gt "$("$R" list $s.gz | wc -l)" ] && ok "$s: a line per entry" || bad "$s: spec lines"

	# ---- the same as a non-root user: owners and nodes live in the spec
	mkdir "$NB/w/$s" && cp $s.gz "$NB/w/$s/" && chmod -R a+rwX "$NB/w/$s"
	as_nobody sh -c "cd '$NB/w/$s' && '$NB/bin/ramdisk' extract $s.gz d --spec r.spec && '$NB/bin/ramdisk' pack --spec r.spec -c none -o back.cpio" > nb.$s.out 2>&1 &&
		ok "$s: extract/pack --spec as uid $nb_uid" || { bad "$s: as nobody"; cat nb.$s.out; }
	same "$s: byte for byte as non-root" $s.cpio "$NB/w/$s/back.cpio"
	[ ! -e "$NB/w/$s/d/dev/console" ] && [ "$(stat -c %u "$NB/w/$s/d/data")" = "$nb_uid" ] && ok "$s: (no node made, owner not applied on disk)" || bad "$s: disk state as nobody"

	# ---- one file changed: only that entry's data and size
	cp -a $s.d $s.d0
	printf '    start probe\n' >> $s.d/init.rc
	"$R" pack --spec $s.spec -c none -o $s.edited.cpio > /dev/null
	diffcpio $s.cpio $s.edited.cpio | grep -v '^padding' > $s.delta
	printf 'init.rc: filesize %s -> %s\ninit.rc: data\n' $(( $(wc -c < $s.d0/init.rc) )) $(( $(wc -c < $s.d/init.rc) )) > $s.want
	same "$s: an edited file changes only its entry's data and size" $s.want $s.delta
	rm -rf $s.d && mv $s.d0 $s.d

	# ---- owners and modes change in the spec
	sed 's|^dir data 0771 1000 1000 |dir data 0770 1001 1000 |' $s.spec > $s.owner.spec
	grep -q '^dir data 0770 1001 1000 ' $s.owner.spec || bad "$s: no data line to edit"
	"$R" pack --spec $s.owner.spec -c none -o $s.owner.cpio > /dev/null
	diffcpio $s.cpio $s.owner.cpio > $s.odelta
	printf 'data: mode 16889 -> 16888\ndata: uid 1000 -> 1001\n' > $s.owant
	same "$s: an owner and a mode edited in the spec" $s.owant $s.odelta
done

# ---- what only the hand-made archive has
grep -qF 'file "we\"ird\n\033\\#name" "hand.d/we\"ird\n\033\\#name" 0604 2000 3000 ' hand.spec &&
	ok "a name with quotes, control bytes, '\\' and '#' is quoted and escaped" || { bad "odd name in the spec"; grep ird hand.spec; }
grep -qF 'file "./with space" "hand.d/with space"' hand.spec && ok "a name as the archive has it (./), with a space" || bad "./with space"
grep -q '^file z-first hand.d/a-last 0644 0 0 ino=400 nlink=2 .*dev=3:1 size=0$' hand.spec &&
	ok "a hard link's earlier name: size=0, LOCATION its data's" || { bad "hard link line"; grep first hand.spec; }
grep -q '^file crc hand.d/crc .* magic=070702$' hand.spec && ok "070702 entry" || bad "crc line"
grep -q '^trailer align=512$' hand.spec && grep -q '^trailer pad=100$' hand.spec && ok "two trailers, their padding" || bad "trailer lines"
grep -q '^nod dev/block 0640 0 6 b 179 0 ino=305 ' hand.spec && ok "a block node without root" || bad "nod line"
[ "$(stat -c %i hand.d/z-first)" = "$(stat -c %i hand.d/a-last)" ] && ok "hard link on disk" || bad "hard link on disk"
# a crc entry whose file changed gets its check again
printf 'other' > hand.d/crc
"$R" pack --spec hand.spec -c none -o crc.cpio > /dev/null
diffcpio hand.cpio crc.cpio | grep -q '^crc: check 583 -> 546$' && ok "070702 check recomputed for changed data" || { bad "crc check"; diffcpio hand.cpio crc.cpio; }
printf 'sum me' > hand.d/crc
# new lines in an exact spec: numbered after the largest inode, at their place
{ sed '/^trailer align=512$/,$d' hand.spec; echo 'file new.rc hand.d/init.rc 0644 0 0'; sed -n '/^trailer align=512$/,$p' hand.spec; } > add.spec
"$R" pack --spec add.spec -c none -o add.cpio > /dev/null
"$R" list -v add.cpio | grep -n 'new.rc' | grep -q '^17:' && ok "a line added to an exact spec stays where it is" || bad "added line position"
diffcpio hand.cpio add.cpio | grep -qx 'only in B: new.rc' && ok "... and nothing else changes" || { bad "added line"; diffcpio hand.cpio add.cpio; }
refuses "an exact spec with DIR" 1 'exact must come before the entries' "$R" pack hand.d --spec hand.spec -o x.cpio
refuses "an exact spec with --modules" 2 'without --modules' "$R" pack --spec hand.spec --modules k --modules-list l -o x.cpio
printf 'exact\nfile a missing.file 0644 0 0\n' > bad.spec
refuses "a missing LOCATION names the spec line" 1 'bad.spec:2: file "./missing.file": No such file' "$R" pack --spec bad.spec -o x.cpio
python3 "$ROOT/tests/sh/newc.py" unknown.cpio <<'EOF'
e(b'whiteout', 0o160000)
trailer()
EOF
refuses "what a spec cannot say is refused before anything is written" 1 '"whiteout": type 0160000 is not one a kernel creates' "$R" extract unknown.cpio u.d --spec u.spec
[ ! -e u.d ] && [ ! -e u.spec ] && ok "... nothing written" || bad "written anyway"

# ---- AnyKernel-style edit lines: each works, a second run changes nothing,
# a missing file or pattern names the script's file and line
cat > stock-edit <<'EOF'
replace init.rc "start ueventd" "    start ueventd_probe"
replace-regex init.rc "^service adbd .*" "service adbd /sbin/adbd --root"
remove init.rc "    disabled"
replace-section init.rc "on init" "mkdir /data " "on init" "    mkdir /data/probe 0700 root root" "    mkdir /data 0771 system system"
prop default.prop ro.secure=0
prop default.prop ro.adb.secure=0
prop default.prop ro.probe=1
prop-remove default.prop persist.sys.usb.config
fstab fstab.mt6572 /data fs_mgr_flags wait,check
fstab fstab.mt6572 /system 4 rw,noatime
insert init.rc top import /init.probe.rc
EOF
# (hand.gz's init.rc is short: give it the stock lines first)
cat > prep <<'EOF'
file init.rc st-init.rc 0644 0 0 ino=405
file default.prop st-default.prop 0644 0 0
file fstab.mt6572 st-fstab 0640 0 0
EOF
printf 'on early-init\n    start ueventd\n\non init\n    mkdir /data 0771 system system\n\nservice adbd /sbin/adbd\n    disabled\n' > st-init.rc
printf 'ro.secure=1\nro.adb.secure=1\nro.debuggable=0\npersist.sys.usb.config=mtp\n' > st-default.prop
printf '# Android fstab\n/dev/block/mmcblk0p7 /system ext4 ro,noatime wait\n/dev/block/mmcblk0p9 /data ext4 noatime,nosuid,nodev wait,check,encryptable=footer\n' > st-fstab
check "a stock-like ramdisk to edit" "$R" edit hand.gz --script prep -o prep.gz
check "edit with every verb" "$R" edit prep.gz --script stock-edit -o e1.gz
"$R" extract e1.gz e1.d > /dev/null # (GNU cpio -i stops at the first of concatenated archives)
printf 'import /init.probe.rc\non early-init\n    start ueventd_probe\n\non init\n    mkdir /data/probe 0700 root root\n    mkdir /data 0771 system system\n\nservice adbd /sbin/adbd --root\n' > want.rc
same "init.rc: replace, replace-regex, remove, replace-section, insert" want.rc e1.d/init.rc
printf 'ro.secure=0\nro.adb.secure=0\nro.debuggable=0\nro.probe=1\n' > want.prop
same "default.prop: prop set, added, removed" want.prop e1.d/default.prop
printf '# Android fstab\n/dev/block/mmcblk0p7 /system ext4 rw,noatime wait\n/dev/block/mmcblk0p9 /data ext4 noatime,nosuid,nodev wait,check\n' > want.fstab
same "fstab: a field by name and by number" want.fstab e1.d/fstab.mt6572
"$R" edit e1.gz --script stock-edit -o e2.gz 2> again.err > /dev/null
gzip -dc e1.gz > e1.cpio; gzip -dc e2.gz > e2.cpio
same "the script run twice: the same bytes" e1.cpio e2.cpio
[ "$(grep -c 'nothing to do' again.err)" = 10 ] && ok "each line says it had nothing to do" || { bad "notes"; cat again.err; }
gzip -dc prep.gz > prep.cpio
diffcpio prep.cpio e1.cpio | sed 's/: .*//' | sort -u > touched
printf '%s\n' default.prop fstab.mt6572 init.rc > want.touched
same "only the edited files' entries change" want.touched touched
printf 'prop default.prop a=1\nreplace init.rc nothing-like-this x\n' > bad-edit
refuses "a missing pattern names the script and line" 1 'bad-edit:2: replace "init.rc": no line contains "nothing-like-this"' "$R" edit prep.gz --script bad-edit -o bad.gz
refuses "a missing file names the line" 1 '-e:1: "nofile" is not a file in the ramdisk' "$R" edit prep.gz -e 'remove nofile x' -o bad.gz
refuses "a section without its end" 1 '-e:1: remove-section "init.rc": the section from line 4 \("on init"\) has no line containing "nope"' "$R" edit prep.gz -e 'remove-section init.rc "on init" nope' -o bad.gz
refuses "fstab: a missing mount point" 1 'fstab "fstab.mt6572": no line mounts /cache' "$R" edit prep.gz -e 'fstab fstab.mt6572 /cache 4 x' -o bad.gz
refuses "fstab: an unknown field" 1 'field "color": want 1-6' "$R" edit prep.gz -e 'fstab fstab.mt6572 /data color x' -o bad.gz
refuses "a bad regex" 1 'regex "\(": ' "$R" edit prep.gz -e 'replace-regex init.rc ( x' -o bad.gz
refuses "usage of a verb" 1 'replace takes NAME PATTERN TEXT' "$R" edit prep.gz -e 'replace init.rc a b c' -o bad.gz
[ ! -e bad.gz ] && ok "nothing written on an error" || bad "bad.gz written"
finish
