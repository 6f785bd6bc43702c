# The ramdisk tool against GNU cpio, busybox cpio, the lz4 CLI and gzip.
. "$ROOT/tests/sh/lib.sh"
R="$BIN/ramdisk"

# ---- a tree with the awkward cases: name lengths around the 4-byte padding,
# sizes 0..5, nested and read-only folders, set-id bits, links in and out
mkdir -p tree/a/b/c tree/ro tree/empty
for n in 0 1 2 3 4 5; do head -c $n /dev/urandom > "tree/s$n"; done
printf 'x' > tree/a/b/c/deep
head -c 300000 /dev/urandom > tree/a/random
yes 'compressible line' | head -c 2000000 > tree/a/text
printf '#!/bin/sh\n' > tree/init && chmod 0750 tree/init
printf 'x' > tree/setuid && chmod 4755 tree/setuid
ln -s a/b/c/deep tree/rel-link
ln -s /system/bin tree/abs-link
printf 'inside\n' > tree/ro/file && chmod 0555 tree/ro
cat > spec <<'EOF'
# nodes and ownership without root
dir dev 0755 0 0
nod dev/console 0600 0 0 c 5 1
nod dev/loop0 0640 0 6 b 7 0
pipe dev/initctl 0600 0 0
sock dev/log 0666 0 0
file sbin/probe tree/init 0750 0 2000
dir sbin 0755 0 2000
slink bin sbin 0777 0 0
EOF
check "pack (none)" "$R" pack tree --spec spec -c none -o rd.cpio
check "pack (lz4)" "$R" pack tree --spec spec -o rd.lz4
check "pack (gzip)" "$R" pack tree --spec spec -c gzip -o rd.gz

# ---- compression: byte-identical to the lz4 CLI; read by lz4 and gzip
lz4 -l -12 --favor-decSpeed -c < rd.cpio > ref.lz4
same "lz4 legacy == lz4 -l -12 --favor-decSpeed" rd.lz4 ref.lz4
lz4 -dc rd.lz4 > un.lz4 && same "lz4 -dc reads ours" rd.cpio un.lz4
gzip -dc rd.gz > un.gz && same "gzip -dc reads ours" rd.cpio un.gz
"$R" pack tree --spec spec -c lz4:3 -o rd3.lz4 >/dev/null && lz4 -l -3 -c < rd.cpio > ref3.lz4
same "lz4:3 == lz4 -l -3" rd3.lz4 ref3.lz4

# ---- listing: names, modes, sizes and link targets as GNU cpio sees them
cpio -it --quiet < rd.cpio > gnu.names
"$R" list rd.lz4 > our.names
same "names: ramdisk list == cpio -it" gnu.names our.names
cpio -itv --quiet < rd.cpio | awk '{ k = 9; if ($1 ~ /^[cb]/) { s = $5 $6; k = 10 } else s = $5; n = $k; for (i = k + 1; i <= NF; i++) n = n " " $i; print $1, s, n }' > gnu.long
"$R" list -v rd.gz | awk '{ k = 8; if ($1 ~ /^[cb]/) { s = $5 $6; k = 9 } else s = $5; n = $k; for (i = k + 1; i <= NF; i++) n = n " " $i; print $1, s, n }' > our.long
same "modes, sizes, targets: list -v == cpio -itv" gnu.long our.long

# ---- extraction: ours, GNU cpio and busybox cpio give the same tree
snap() { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r f; do
	if [ -L "$f" ]; then echo "$f link $(readlink "$f")"
	elif [ -f "$f" ]; then echo "$f $(stat -c '%A %s' "$f") $(sha256sum < "$f" | cut -c1-16)"
	else echo "$f $(stat -c '%A %t,%T' "$f")"; fi; done); }
# (GNU and busybox cpio, as root, make device nodes and keep set-id bits: so
# do we when asked with --devices --same-permissions)
check "ramdisk extract --devices -p" "$R" extract rd.lz4 x-ours --devices --same-permissions
mkdir x-gnu x-bb
(cd x-gnu && cpio -idm --quiet --no-absolute-filenames < ../rd.cpio)
(cd x-bb && busybox cpio -id < ../rd.cpio 2>/dev/null)
snap x-ours > s-ours; snap x-gnu > s-gnu; snap x-bb > s-bb
same "extracted tree == GNU cpio's" s-ours s-gnu
same "extracted tree == busybox cpio's" s-ours s-bb
grep -q "dev/log" s-ours && ok "socket listed" || bad "socket missing from the listing"

# ---- safe defaults (issue 15.13): no device nodes, no set-id bits, owners not
# applied; the summary counts what was left out, by kind
python3 "$ROOT/tests/sh/newc.py" risky.cpio <<'EOF'
e(b'dev', 0o40755, nlink=2)
e(b'dev/mem', 0o20666, rdev=(1, 1))
e(b'dev/sda', 0o60660, rdev=(8, 0))
e(b'su', 0o104755, b'ELF', uid=1000)
e(b'sg', 0o102755, b'ELF', gid=1000)
e(b'data', 0o42770, uid=1000, gid=1000)
e(b'fifo', 0o10600)
e(b'whiteout', 0o160000)
trailer()
EOF
"$R" extract risky.cpio x-risky > risky.out 2>&1 && ok "extract a risky archive with the defaults" || bad "extract risky"
[ ! -e x-risky/dev/mem ] && [ ! -e x-risky/dev/sda ] && ok "no device nodes by default" || bad "device nodes created"
[ "$(stat -c %a x-risky/su x-risky/sg x-risky/data | tr '\n' ' ')" = "755 755 770 " ] && ok "set-id bits dropped (files and folders)" ||
	bad "set-id bits kept: $(stat -c '%n %a' x-risky/su x-risky/sg x-risky/data)"
[ "$(stat -c %u:%g x-risky/su x-risky/data | sort -u)" = "$(id -u):$(id -g)" ] && ok "owners not applied" || bad "owners applied"
[ -p x-risky/fifo ] && [ ! -e x-risky/whiteout ] && ok "FIFO made, unknown type left out" || bad "fifo or whiteout"
grep -qF "x-risky: 2 files, 2 folders, 0 symlinks, 1 FIFO; 2 device nodes not created (--devices to create them), 1 setuid bit dropped (--same-permissions to keep them), 2 setgid bits dropped (--same-permissions to keep them), 1 entry of unknown type (mode 0160000) left out" risky.out &&
	ok "summary counts what was left out, by kind" || { bad "summary"; cat risky.out; }
if [ "$(id -u)" = 0 ]; then
	check "extract --devices --same-permissions --same-owner (root)" "$R" extract risky.cpio x-root --devices --same-permissions --same-owner
	[ -c x-root/dev/mem ] && [ "$(stat -c '%t,%T %a' x-root/dev/mem)" = "1,1 666" ] && [ -b x-root/dev/sda ] && ok "--devices: nodes made" || bad "--devices"
	[ "$(stat -c '%a %u:%g' x-root/su x-root/sg x-root/data | tr '\n' ' ')" = "4755 1000:0 2755 0:1000 2770 1000:1000 " ] &&
		ok "--same-owner applies owners, -p keeps set-id bits (after the chown)" ||
		bad "owners/modes: $(stat -c '%n %a %u:%g' x-root/su x-root/sg x-root/data)"
	# as a non-root user: --devices cannot make nodes, --same-owner fails
	nobody_dir
	cp risky.cpio "$NB/w/" && chmod 644 "$NB/w/risky.cpio"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$NB/bin/ramdisk" extract "$NB/w/risky.cpio" "$NB/w/x" --devices > nobody.out 2>&1 &&
		grep -qF "2 device nodes not created (--devices: it needs root)" nobody.out &&
		ok "--devices as non-root: counted as needing root" || { bad "--devices non-root"; cat nobody.out; }
	refuses "--same-owner as non-root fails naming the entry" 1 '"su": cannot give it to 1000:0 \(--same-owner\): Operation not permitted \(it needs root\)' \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$NB/bin/ramdisk" extract "$NB/w/risky.cpio" "$NB/w/y" --same-owner
fi
"$R" --help | grep -q -- "--same-permissions" && "$R" --help | grep -q -- "--devices" && "$R" --help | grep -q -- "--same-owner" &&
	ok "--help documents the extraction flags" || bad "--help lacks the extraction flags"

# ---- hard links (issue 15.9): GNU cpio and gen_init_cpio put the data on the
# last name only; extraction makes the file once and links the other names
mkdir -p hl/sub && printf 'data1\n' > hl/a && ln hl/a hl/sub/b && ln hl/a hl/c
printf 'solo\n' > hl/d && ln hl/d hl/e && mkfifo hl/f && ln hl/f hl/g
(cd hl && find . | cpio -o -H newc --quiet) > hl.cpio
check "extract GNU cpio's hard links" "$R" extract hl.cpio x-hl
inodes() { (cd "$1" && for f in a sub/b c d e f g; do printf '%s %s %s\n' "$f" "$(stat -c '%i %h %F' "$f")" "$([ -f "$f" ] && od -An -c "$f" | tr -s ' ')"; done) |
	awk '{ if (!($2 in id)) id[$2] = ++n; $2 = id[$2]; print }'; }
inodes hl > hl.want; inodes x-hl > hl.got
same "hard links: same groups, link counts and data as the source tree" hl.want hl.got
grep -q ", 4 hard links, 1 FIFO$" check.out && ok "summary counts the hard links" || { bad "hard link count"; cat check.out; }
mkdir x-hl-gnu && (cd x-hl-gnu && cpio -i --quiet < ../hl.cpio) && inodes x-hl-gnu > hl.gnu
same "hard links: as GNU cpio -i restores them" hl.gnu hl.got
# (busybox links regular files only; GNU cpio and the kernel FIFOs too)
mkdir x-hl-bb && (cd x-hl-bb && busybox cpio -i < ../hl.cpio 2>/dev/null) && inodes x-hl-bb | grep -v fifo > hl.bb
grep -v fifo hl.got > hl.got.reg
same "hard links: as busybox cpio -i restores them (regular files)" hl.bb hl.got.reg
# pack keeps them: one inode number, nlink = the names, data on the last one
check "pack a folder with hard links" "$R" pack hl -c none -o hl-ours.cpio
mkdir x-hl-cpio && (cd x-hl-cpio && cpio -i --quiet < ../hl-ours.cpio) && inodes x-hl-cpio > hl.cpio-i
same "pack: GNU cpio -i of ours restores the same links" hl.want hl.cpio-i
mkdir x-hl-bb2 && (cd x-hl-bb2 && busybox cpio -i < ../hl-ours.cpio 2>/dev/null) && inodes x-hl-bb2 | grep -v fifo > hl.bb2
same "pack: busybox cpio -i of ours too (regular files)" hl.bb hl.bb2
cpio -itv --quiet < hl-ours.cpio | awk '$1 ~ /^-/ { print $2, $5, $NF }' > hl.tv
printf '3 0 a\n3 0 c\n2 0 d\n2 5 e\n3 6 sub/b\n' > hl.tv.want
same "pack: nlink set, data on the last name only (as GNU cpio -o)" hl.tv.want hl.tv
"$R" list -v hl-ours.cpio | awk '{ print $2, $NF }' | grep -qx '3 sub/b' && ok "list -v shows the link count" || bad "list -v nlink"
# gen_init_cpio's layout, the data on the first name (the kernel takes it
# anywhere), and a trailer between two archives ending the groups
python3 "$ROOT/tests/sh/newc.py" hl2.cpio <<'EOF'
e(b'x1', 0o100644, b'', ino=5, nlink=2, dev=(3, 1))
e(b'x2', 0o100644, b'last', ino=5, nlink=2, dev=(3, 1))
e(b'y1', 0o100644, b'first', ino=6, nlink=2)
e(b'y2', 0o100644, b'', ino=6, nlink=2)
e(b'z1', 0o100644, b'other dev', ino=5, nlink=2, dev=(3, 2))
trailer()
e(b'x3', 0o100644, b'new archive', ino=5, nlink=2, dev=(3, 1))
trailer()
EOF
check "extract gen_init_cpio-style links and concatenated archives" "$R" extract hl2.cpio x-hl2
[ "$(cat x-hl2/x1)" = last ] && [ "$(stat -c %i x-hl2/x1)" = "$(stat -c %i x-hl2/x2)" ] && ok "data on the last name" || bad "x1/x2"
[ "$(cat x-hl2/y2)" = first ] && [ "$(stat -c %i x-hl2/y1)" = "$(stat -c %i x-hl2/y2)" ] && ok "data on the first name" || bad "y1/y2"
[ "$(stat -c %h x-hl2/z1)" = 1 ] && [ "$(cat x-hl2/z1)" = "other dev" ] && ok "devmajor/devminor are part of the key" || bad "z1 linked"
[ "$(stat -c %h x-hl2/x3)" = 1 ] && [ "$(cat x-hl2/x3)" = "new archive" ] && ok "a trailer ends the link groups" || bad "x3 linked across the trailer"

# ---- extraction is atomic per file (issue 15.11): a write that fails (here
# RLIMIT_FSIZE, as a full disk) leaves no file under its final name, short
# or whole, and no temporary; files already there are never replaced
python3 "$ROOT/tests/sh/newc.py" full.cpio <<'EOF'
e(b'etc', 0o40755)
e(b'etc/small', 0o100644, b'x' * 10)
e(b'etc/big', 0o100644, b'y' * 200000)
trailer()
EOF
refuses "a write error is reported with the name" 1 '"etc/big": File too large' \
	sh -c "trap '' XFSZ; ulimit -f 100; exec '$R' extract full.cpio x-full"
[ -z "$(ls -A x-full/etc)" ] && ok "no truncated file under its final name, no temporaries" || { bad "left behind"; ls -la x-full/etc; }
mkdir -p x-exist/etc && echo mine > x-exist/etc/small
refuses "an existing file is never replaced" 1 '"etc/small": exists already; nothing is overwritten' "$R" extract full.cpio x-exist
[ "$(cat x-exist/etc/small)" = mine ] && [ "$(ls -A x-exist/etc)" = small ] && ok "... it keeps its bytes, nothing else written" || bad "existing file touched"
python3 "$ROOT/tests/sh/newc.py" many.cpio <<'EOF'
e(b'd', 0o40755)
for i in range(3000):
    e(b'd/f%04d' % i, 0o100644, b'%d\n' % i * 20)
trailer()
EOF
start=$(date +%s%N)
check "extract 3,000 files" "$R" extract many.cpio x-many
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(find x-many/d -type f | wc -l)" = 3000 ] && [ "$(head -1 x-many/d/f2999)" = 2999 ] && ok "3,000 files extracted in ${ms} ms" || bad "3,000 files"
[ "$ms" -lt 10000 ] && ok "... well under 10 s (one syncfs, not 3,000 fsyncs)" || bad "3,000 files took ${ms} ms"

# ---- a parent that is not a folder is named as such (issue 15.19)
python3 "$ROOT/tests/sh/newc.py" pfile.cpio <<'EOF'
e(b'a', 0o100644, b'x')
e(b'a/b', 0o100644, b'y')
trailer()
EOF
refuses "a parent that is a file in the archive" 1 'pfile.cpio: extracting into x-pfile: "a/b": "a" is a file, not a folder' "$R" extract pfile.cpio x-pfile
mkdir -p x-pfile2 && echo file > x-pfile2/etc && ln -s /tmp x-pfile2/tmp
printf "e(b'etc/passwd', 0o100644, b'x')\ntrailer()\n" | python3 "$ROOT/tests/sh/newc.py" pfile2.cpio
refuses "a parent that is a file on disk" 1 '"etc/passwd": "etc" is a file, not a folder' "$R" extract pfile2.cpio x-pfile2
printf "e(b'tmp/x', 0o100644, b'x')\ntrailer()\n" | python3 "$ROOT/tests/sh/newc.py" pfile3.cpio
refuses "a parent that is a symlink on disk" 1 '"tmp/x": folder "tmp" cannot be opened without following a link \(it is a symlink\)' "$R" extract pfile3.cpio x-pfile2

# ---- archives made by GNU cpio, read back by ours
(cd tree && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > gnu.cpio
cpio -it --quiet < gnu.cpio > gnu2.names
"$R" list gnu.cpio > our2.names
same "GNU cpio archive: names" gnu2.names our2.names
check "GNU cpio archive: extract" "$R" extract gnu.cpio x-from-gnu -p
snap x-from-gnu > s-from-gnu; snap tree > s-tree
same "GNU cpio archive: extracted == the source tree" s-from-gnu s-tree
(cd tree/a && find . | cpio -o -H newc --quiet) > sub.cpio
cat rd.cpio sub.cpio > concat.cpio
[ "$("$R" list concat.cpio | wc -l)" = $(( $(wc -l < gnu.names) + $(cpio -it --quiet < sub.cpio | wc -l) )) ] &&
	ok "concatenated archives" || bad "concatenated archives: wrong count"

# ---- determinism
"$R" pack tree --spec spec -o again.lz4 >/dev/null
same "same inputs, same bytes" rd.lz4 again.lz4
SOURCE_DATE_EPOCH=1700000000 "$R" pack tree --spec spec -c none -o epoch.cpio >/dev/null
cmp -s rd.cpio epoch.cpio && bad "SOURCE_DATE_EPOCH ignored" || ok "SOURCE_DATE_EPOCH changes the bytes"
cpio -itv --quiet < epoch.cpio 2>/dev/null | grep -q "Nov 14  2023" && ok "mtime from SOURCE_DATE_EPOCH" || bad "mtime"

# ---- in-place edits of a stock-like ramdisk (GNU cpio made, gzip)
mkdir stock && printf 'on init\n    mkdir /dev/x\n\non boot\n    class_start core\n' > stock/init.rc
printf 'ro.secure=1\n' > stock/default.prop && printf 'ELF' > stock/init && chmod 750 stock/init
mkdir stock/sbin && printf 'a' > stock/sbin/adbd
(cd stock && find . | cpio -o -H newc --quiet -R 0:0) | gzip -9n > stock.gz
printf 'import /init.probe.rc\n' > probe.rc
cat > edits <<'EOF'
file init.probe.rc probe.rc 0644 0 0
file sbin/probe tree/init 0750 0 0
insert init.rc top import /init.probe.rc
insert init.rc after="on boot" "    exec -- /sbin/probe"
EOF
check "edit a stock ramdisk" "$R" edit stock.gz --script edits -o new.gz
gzip -dc new.gz | cpio -itv --quiet 2>/dev/null > new.lst; gzip -dc stock.gz | cpio -itv --quiet 2>/dev/null > stock.lst
diff stock.lst new.lst | grep '^[<>]' | awk '{print $1, $NF}' > delta.txt
printf '< init.rc\n> init.rc\n> init.probe.rc\n> sbin/probe\n' | sort > want.delta
sort delta.txt | awk '{print $1, $2}' > got.delta
same "edit: only the injected entries differ" want.delta got.delta
[ "$(gzip -dc new.gz | cpio -i --quiet --to-stdout init.rc | head -1)" = "import /init.probe.rc" ] && ok "insert at top" || bad "insert at top"
gzip -dc new.gz | cpio -i --quiet --to-stdout init.rc | grep -A1 '^on boot' | grep -q 'exec -- /sbin/probe' && ok "insert after a line" || bad "insert after"
check "edit again (idempotent inserts)" "$R" edit new.gz -o new2.gz -e 'insert init.rc top import /init.probe.rc'
gzip -dc new.gz > n1; gzip -dc new2.gz > n2
same "idempotent insert: same archive" n1 n2
gzip -dc stock.gz > s1
# untouched entries keep their bytes: every entry of the stock archive but
# init.rc appears byte for byte in the new one
python3 - s1 n1 <<'EOF' && ok "untouched entries byte-identical" || bad "untouched entries changed"
import sys
def entries(b):
    out, p = {}, 0
    while True:
        ns, fs = int(b[p+94:p+102], 16), int(b[p+54:p+62], 16)
        name = b[p+110:p+110+ns-1].decode()
        end = p + 110 + ns; end += -end % 4; end += fs; end += -end % 4
        if name == 'TRAILER!!!': return out
        out[name] = b[p:end]; p = end
a, b = entries(open(sys.argv[1],'rb').read()), entries(open(sys.argv[2],'rb').read())
sys.exit(any(b.get(k) != v for k, v in a.items() if k != 'init.rc'))
EOF

# ---- module closure from a kernel tree (made here: modules.dep and .ko files)
K=kroot/lib/modules/9.9.9-test
mkdir -p $K/kernel/a $K/kernel/b
for m in a/edt-ft5x06 a/goodix_ts b/drm b/panel-simple b/unused b/drm_kms_helper; do printf 'ko' > $K/kernel/$m.ko; done
cat > $K/modules.dep <<'EOF'
kernel/a/edt-ft5x06.ko:
kernel/b/unused.ko: kernel/b/drm.ko
kernel/b/panel-simple.ko: kernel/b/drm_kms_helper.ko kernel/b/drm.ko
kernel/b/drm_kms_helper.ko: kernel/b/drm.ko
kernel/b/drm.ko:
kernel/a/goodix_ts.ko:
EOF
printf 'alias of:N*T*Cedt,edt-ft5406 edt_ft5x06\nalias i2c:unused unused\nalias of:N*T*Cpanel panel_simple\n' > $K/modules.alias
cat > ml <<'EOF'
touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06
panel p when cmdline lcm then load panel_simple
EOF
check "pack with modules" "$R" pack --modules kroot --modules-list ml -c none -o mods.cpio
cpio -it --quiet < mods.cpio | grep '\.ko$' | sort > got.ko
printf '%s\n' drm drm_kms_helper panel-simple | sed "s|.*|lib/modules/9.9.9-test/kernel/b/&.ko|" > want.ko
echo lib/modules/9.9.9-test/kernel/a/edt-ft5x06.ko >> want.ko; sort -o want.ko want.ko
same "closure: named modules and their dependencies, nothing else" want.ko got.ko
cpio -i --quiet --to-stdout lib/modules/9.9.9-test/modules.dep < mods.cpio > sub.dep
grep -v -e unused -e goodix $K/modules.dep > want.dep
same "subset modules.dep, original order" want.dep sub.dep
cpio -i --quiet --to-stdout lib/modules/9.9.9-test/modules.alias < mods.cpio > sub.alias
[ "$(grep -c . sub.alias)" = 2 ] && ! grep -q unused sub.alias && ok "subset modules.alias" || bad "modules.alias subset"
printf 'touch ft when exists /x then load edt-ft5x06\npanel q when exists /y then load nosuch\n' > ml2
refuses "a module the kernel lacks names the modules.list line" 1 "ml2:2: module nosuch is not in the kernel" \
	"$R" pack --modules kroot --modules-list ml2 -o m2.cpio
printf 'touch ft when i2c 0x38 reg8 0x1ff then load edt-ft5x06\n' > ml3
refuses "a modules.list syntax error fails the build" 1 "ml3:1:29: register" \
	"$R" pack --modules kroot --modules-list ml3 -o m3.cpio
[ ! -e m2.cpio ] && [ ! -e m3.cpio ] && ok "nothing written on a modules error" || bad "output written"
# a module the kernel has built in: no file, its modules.builtin line goes along
printf 'kernel/drivers/i2c/i2c-core.ko\nkernel/drivers/input/touchscreen/gt-builtin.ko\n' > $K/modules.builtin
printf 'touch g when exists /x then load gt-builtin\ntouch ft when exists /y then load edt-ft5x06\n' > ml4
check "a built-in module is satisfied without a file" "$R" pack --modules kroot --modules-list ml4 -c none -o m4.cpio
grep -q "1 named in ml4 built into the kernel" check.out && ok "built-in counted" || bad "built-in count: $(cat check.out)"
cpio -i --quiet --to-stdout lib/modules/9.9.9-test/modules.builtin < m4.cpio > sub.builtin
[ "$(cat sub.builtin)" = kernel/drivers/input/touchscreen/gt-builtin.ko ] && ok "subset modules.builtin" || bad "modules.builtin: $(cat sub.builtin)"
rm $K/modules.builtin
# a dependency cycle is named, not looped on
cp $K/modules.dep dep.keep
printf 'kernel/b/cyc-a.ko: kernel/b/cyc-b.ko\nkernel/b/cyc-b.ko: kernel/b/cyc-a.ko\n' >> $K/modules.dep
printf 'touch c when exists /x then load cyc-a\n' > ml5
refuses "a dependency cycle is named" 1 "dependency cycle cyc_a>cyc_b>cyc_a" "$R" pack --modules kroot --modules-list ml5 -o m5.cpio
cp dep.keep $K/modules.dep

# ---- bad input
head -c 3000 rd.lz4 > cut.lz4
refuses "truncated lz4" 1 "cut.lz4: lz4-legacy data: @0x4: lz4 block size" "$R" list cut.lz4
head -c 2000 rd.gz > cut.gz
refuses "truncated gzip" 1 "cut.gz: gzip data: .*truncated" "$R" extract cut.gz never
[ ! -e never ] && ok "no output folder for a bad archive" || bad "folder created"
refuses "decompression bomb" 1 "rd.lz4: lz4-legacy data: .*cap" "$R" list --max-size 1M rd.lz4
printf '\211LZO\0\r\n\032\n' > x.lzo
refuses "unsupported compression" 1 "x.lzo: @0x0: lzop ramdisks are not supported" "$R" list x.lzo
printf 'BZh91AY' > x.bz2
refuses "truncated bzip2" 1 "x.bz2: bzip2 data: @0x7: bzip2 stream is truncated" "$R" list x.bz2
python3 -c "
import sys; b = bytearray(open('rd.cpio','rb').read()); b[6+8*6+2] = ord('z'); open('hex.cpio','wb').write(b)"
refuses "non-hex digit" 1 "hex.cpio: cpio: entry @0x0: filesize @0x38: non-hex digit 0x7a" "$R" list hex.cpio
sha_before=$(sha256sum stock.gz)
refuses "edit output over its input" 1 "is also an input" "$R" edit stock.gz -o stock.gz -e 'rm default.prop'
refuses "bad edit names the line" 1 "stock.gz: -e:1: \"nothere\" is not in the ramdisk" "$R" edit stock.gz -o e.gz -e 'rm nothere'
[ "$(sha256sum stock.gz)" = "$sha_before" ] && [ ! -e e.gz ] && ok "input unchanged, nothing written" || bad "input changed or output written"
printf 'dir x 0755 0 0\nfrob y\n' > badspec
refuses "bad spec names file:line" 1 "badspec:2: unknown verb \"frob\"" "$R" pack --spec badspec -o b.cpio
refuses "unknown compression" 2 "want lz4" "$R" pack tree -c lzop -o z.cpio
no_files . '\.tmp' && ok "no temporary files left" || bad "temp files left"

# ---- malicious archives: nothing lands outside the target folder
mkdir -p jail outside
python3 - <<'EOF'
def ent(name, mode, data=b''):
    n = name.encode() + b'\0'
    h = b'070701' + b''.join(b'%08X' % v for v in (1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(n), 0))
    b = h + n; b += b'\0' * (-len(b) % 4); b += data; b += b'\0' * (-len(b) % 4)
    return b
trailer = ent('TRAILER!!!', 0)
import os
out = os.path.abspath('outside')
open('evil1.cpio','wb').write(ent('../escape', 0o100644, b'x') + trailer)
open('evil2.cpio','wb').write(ent('up', 0o120777, out.encode()) + ent('up/pwned', 0o100644, b'x') + trailer)
open('evil3.cpio','wb').write(ent('/abs/x', 0o40755) + trailer)
EOF
refuses "'..' name" 1 "evil1.cpio: cpio: entry @0x0 \"../escape\": a \"..\" component" "$R" extract evil1.cpio jail/1
refuses "write through a symlink pointing out" 1 "\"up/pwned\": folder \"up\" cannot be opened without following a link" "$R" extract evil2.cpio jail/2
check "absolute name lands inside" "$R" extract evil3.cpio jail/3
[ -d jail/3/abs/x ] && ok "leading / stripped" || bad "leading / not stripped"
[ -z "$(ls outside)" ] && [ ! -e escape ] && ok "nothing written outside" || bad "escaped the target folder"

# ---- names with control bytes are shown escaped (as ls -b), never raw
python3 "$ROOT/tests/sh/newc.py" ctl.cpio <<'EOF'
e(b'init', 0o100750, b'ELF')
e(b'sbin', 0o40755, nlink=2)
e(b'sbin/ueventd', 0o120777, b'../init')
e(b'sbin/we ird\n\x1b[2Jx"q\\', 0o120777, b'/init')
e(b'fake\ninit', 0o100644)
e(b'x\xff\x1b', 0o120777, b'\x1b]0;t\x07')
trailer()
EOF
python3 "$ROOT/tests/sh/newc.py" dup.cpio <<'EOF'
e(b'x\xff\x1b', 0o100644)
e(b'./x\xff\x1b', 0o100644)
trailer()
EOF
python3 "$ROOT/tests/sh/newc.py" nopad.cpio <<'EOF'
e(b'init', 0o100750, b'ELF')
raw(b'\0' * 512)
EOF
"$R" list ctl.cpio > ctl.names
# shellcheck disable=SC1003 # the backslashes are the escaped names' own
printf '%s\n' init sbin sbin/ueventd 'sbin/we ird\n\033[2Jx"q\\' 'fake\ninit' 'x\377\033' > want.names
same "list: control bytes, backslash and bytes past ASCII escaped" want.names ctl.names
"$R" list -v ctl.cpio > ctl.long
grep -qF ' x\377\033 -> \033]0;t\a' ctl.long && ok "list -v: link targets escaped too" || { bad "list -v target"; cat ctl.long; }
! grep -q "$(printf '\033')" ctl.long && [ "$(wc -l < ctl.long)" = 6 ] && ok "list -v: no raw ESC, one line per entry" || bad "raw bytes in list -v"
# mk/inject.sh re-points the links to /init from this listing: names with
# spaces, quotes and escapes come back as the same entries
awk -f "$ROOT/mk/initlinks.awk" ctl.long > relink
[ "$(wc -l < relink)" = 2 ] && ok "initlinks.awk: both links to init found" || { bad "initlinks.awk"; cat relink; }
{ echo "mv init init.stock"; cat relink; } > relink.e
check "edit with the re-pointed links" "$R" edit ctl.cpio --script relink.e -o relinked.cpio
[ "$("$R" list -v relinked.cpio | grep -c -e ' -> ../init.stock$' -e ' -> /init.stock$')" = 2 ] &&
	[ "$("$R" list relinked.cpio | wc -l)" = 6 ] && ok "links re-pointed in place, no entry added" ||
	{ bad "re-pointed links"; "$R" list -v relinked.cpio; }
refuses "NUL padding without a trailer says so" 1 \
	'nopad.cpio: cpio: archive ends without a TRAILER!!! entry at @0x78, after 1 entry \(only NUL bytes follow\)' "$R" list nopad.cpio
refuses "a name with ESC is escaped in errors" 1 'entry @0x[0-9a-f]+ "./x\\377\\033": duplicate name' "$R" list dup.cpio
! grep -q "$(printf '\033')" refuse.err && ok "... no raw ESC in the message" || bad "raw ESC in an error"

# ---- summary and help
"$R" pack tree -o sum.lz4 > sum.out
grep -q "entries, .* bytes raw, .* bytes lz4-legacy" sum.out && grep -q "^  *2000000  a/text$" sum.out &&
	ok "build summary with the largest files" || { bad "summary"; cat sum.out; }
"$R" info rd.gz > info.out && grep -q "rd.gz: 2. entries" info.out && ok "info" || { bad "info"; cat info.out; }
"$R" --help | grep -q "edit RAMDISK" && ok "--help" || bad "--help"
chmod -R u+w x-ours x-gnu x-bb x-from-gnu tree 2>/dev/null
finish
