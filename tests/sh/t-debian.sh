# Differential tests against Debian's mkbootimg, unpack_bootimg and abootimg.
. "$ROOT/tests/sh/lib.sh"
command -v abootimg >/dev/null && [ -x /usr/bin/mkbootimg ] && [ -x /usr/bin/unpack_bootimg ] ||
	{ echo "FAIL Debian mkbootimg/abootimg missing (mk/deps.sh check)"; exit 1; }
# inputs of odd sizes, including one of exactly a page and an empty one
head -c 1234567 /dev/urandom > k1; head -c 2048 /dev/urandom > k2; : > empty
head -c 77777 /dev/urandom > r1; head -c 999 /dev/urandom > s1; head -c 3333 /dev/urandom > d1
n=0
while read -r hv extra; do
	n=$((n + 1))
	eval "/usr/bin/mkbootimg --header_version $hv $extra -o deb$n.img" || { bad "case $n: Debian mkbootimg failed"; continue; }
	eval "\"$BIN/mkbootimg\" --header_version $hv $extra -o our$n.img"
	same "case $n (v$hv $extra): same bytes as Debian's mkbootimg" deb$n.img our$n.img
	rm -rf du && /usr/bin/unpack_bootimg --boot_img our$n.img --out du >/dev/null || bad "case $n: Debian unpack_bootimg rejects ours"
	rm -rf ou && "$BIN/unpack_bootimg" --boot_img our$n.img --out ou >/dev/null
	for f in du/*; do same "case $n: ${f#du/} as Debian's unpack_bootimg extracts it" "$f" "ou/${f#du/}"; done
done <<'CASES'
0 --kernel k1 --ramdisk r1
0 --kernel k1 --ramdisk r1 --second s1 --board MT6572 --cmdline 'console=ttyMT0,921600n1 lcm=1-hx8389b'
0 --kernel k2 --ramdisk empty --pagesize 4096 --base 0x80000000 --ramdisk_offset 0x04000000
0 --kernel k1 --ramdisk r1 --pagesize 16384 --os_version 4.4.2 --os_patch_level 2014-10
1 --kernel k1 --ramdisk r1 --os_version 9.0.0 --os_patch_level 2019-06 --board abcdefghijklmno
2 --kernel k1 --ramdisk r1 --dtb d1 --pagesize 8192 --dtb_offset 0x02000000
2 --kernel k2 --ramdisk r1 --second s1 --dtb d1 --base 0x40000000 --id
CASES
# Inputs on another file system (tmpfs): copy_file_range refuses, the buffered copy takes over.
if shm=$(mktemp -d /dev/shm/bootkit.XXXXXX 2>/dev/null); then
	cp k1 r1 "$shm/"
	"$BIN/mkbootimg" --kernel "$shm/k1" --ramdisk "$shm/r1" -o xfs-our.img
	same "inputs on tmpfs, output here: same bytes as Debian's mkbootimg" deb1.img xfs-our.img
	rm -rf "$shm/u" && "$BIN/unpack_bootimg" --boot_img xfs-our.img --out "$shm/u" >/dev/null
	same "unpack_bootimg onto tmpfs: kernel" k1 "$shm/u/kernel"
	rm -rf "$shm"
else
	bad "no /dev/shm for the cross-file-system copy check"
fi
# abootimg reads our v0 images the same way it reads Debian's
abootimg -i our2.img | grep -v 'file name' > ours.txt
abootimg -i deb2.img | grep -v 'file name' > debs.txt
same "abootimg -i: identical report for ours and Debian's" ours.txt debs.txt
grep -q 'cmdline = console=ttyMT0,921600n1 lcm=1-hx8389b' ours.txt && ok "abootimg sees the cmdline" || bad "abootimg cmdline"
# --id prints the id AOSP's way
"$BIN/mkbootimg" --kernel k1 --ramdisk r1 --id -o idimg.img > ours.id
/usr/bin/mkbootimg --kernel k1 --ramdisk r1 --id -o idimg2.img > debs.id
same "--id output equals Debian's" ours.id debs.id
# A long command line: Debian's (older) mkbootimg splits it at 512, AOSP's at 511.
# We read both and report the same full command line.
long=$(printf 'x%.0s' $(seq 1 700))
/usr/bin/mkbootimg --kernel k2 --cmdline "$long" -o long-deb.img
"$BIN/mkbootimg" --kernel k2 --cmdline "$long" -o long-our.img
for i in long-deb.img long-our.img; do
	rm -rf lu && a=$("$BIN/unpack_bootimg" --boot_img $i --out lu --format mkbootimg 2>warn.txt)
	case "$a" in *"--cmdline=$long"*) ok "$i: full 700-byte cmdline read back" ;; *) bad "$i: cmdline lost" ;; esac
done
grep -q 'cannot be reproduced' warn.txt && bad "AOSP split flagged" || ok "AOSP 511 split reproducible"
"$BIN/unpack_bootimg" --boot_img long-deb.img --out lu --format mkbootimg 2>&1 >/dev/null | grep -q 'header byte @0x23f cannot be reproduced' &&
	ok "Debian's 512 split: unpack_bootimg names byte 0x23f as not reproducible" || bad "512 split not reported"
# A crafted command line cannot become flags: printed as one --cmdline=... word,
# it survives eval (the README's use) and xargs -0, and pulls in no host file.
"$BIN/mkbootimg" --kernel k2 --cmdline "a b --second /etc/passwd ' \" \$(x) -0" -o evil.img
rm -rf eu && a=$("$BIN/unpack_bootimg" --boot_img evil.img --out eu --format mkbootimg) &&
	eval "\"$BIN/mkbootimg\" $a -o evil-rt.img" && same "crafted cmdline: eval round trip" evil.img evil-rt.img
"$BIN/bootimg" info evil-rt.img | grep -q 'second_size *0$' && ok "crafted cmdline: no second section" || bad "a second section appeared"
rm -rf eu && "$BIN/unpack_bootimg" --boot_img evil.img --out eu --format mkbootimg -0 | xargs -0 "$BIN/mkbootimg" -o evil-rt0.img &&
	same "crafted cmdline: xargs -0 round trip" evil.img evil-rt0.img
rm -rf lb && "$BIN/bootimg" unpack long-deb.img lb >/dev/null && "$BIN/bootimg" repack lb -o long-rt.img >/dev/null &&
	same "Debian's 512 split survives bootimg unpack/repack" long-deb.img long-rt.img
finish
