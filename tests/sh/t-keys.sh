# bootimg repack --cmdline-set/--cmdline-remove and --bootconfig-set/
# --bootconfig-remove (issue 18.3): one key changed, the rest of the command
# line kept; the result is what Debian's mkbootimg builds with the command
# line (or bootconfig) written out in full; applied twice, nothing changes.
# Debian's mkbootimg (Android 10's) is the oracle for v0; it splits a long
# command line at 512 where AOSP splits at 511, writes no AOSP v3 header and
# has no bootconfig, so v2-v4 are checked against our mkbootimg, which builds
# AOSP's own vectors byte for byte (t-vectors.sh).
. "$ROOT/tests/sh/lib.sh"
vector_inputs
D=/usr/bin/mkbootimg
[ -x $D ] || { echo "Debian's mkbootimg (package mkbootimg) is missing"; exit 1; }
cmd0='console=ttyMT0,921600n1 vmalloc=496M androidboot.selinux=permissive quiet'

# v0 and v2 (v2's command line runs on into extra_cmdline past 512 bytes)
long=$(printf 'x%03d=abcdefghij ' $(seq 1 60)); long=${long% }
for hv in 0 2; do
	c=$cmd0; [ $hv = 2 ] && c="$cmd0 $long"
	extra="--kernel kernel --ramdisk ramdisk --header_version $hv"
	[ $hv = 2 ] && extra="$extra --dtb dtb"
	# shellcheck disable=SC2086 # extra: plain words
	$D $extra --cmdline "$c" -o v$hv.img
	check "v$hv: set, replace, add with blanks, remove" "$BIN/bootimg" repack v$hv.img -o v$hv-e.img \
		--cmdline-set androidboot.selinux=enforcing --cmdline-set 'lcm=1-otm 8009a' \
		--cmdline-remove vmalloc --cmdline-set ro
	want=$(printf '%s' "$c" | sed 's/ vmalloc=496M//; s/permissive/enforcing/')' lcm="1-otm 8009a" ro'
	M=$D; [ $hv = 2 ] && M=$BIN/mkbootimg
	# shellcheck disable=SC2086
	$M $extra --cmdline "$want" -o v$hv-want.img
	same "v$hv: the edited image is $M's with the full command line" v$hv-e.img v$hv-want.img
	check "v$hv: the same edits again" "$BIN/bootimg" repack v$hv-e.img -o v$hv-e2.img \
		--cmdline-set androidboot.selinux=enforcing --cmdline-set 'lcm=1-otm 8009a' \
		--cmdline-remove vmalloc --cmdline-set ro
	same "v$hv: applied twice, the bytes are the same" v$hv-e.img v$hv-e2.img
	if grep -q "nothing changed" check.out; then ok "v$hv: says nothing changed"; else bad "v$hv: $(cat check.out)"; fi
done

# an unpacked folder takes the edits as an image does
rm -rf u0 && "$BIN/bootimg" unpack v0.img u0 >/dev/null
check "folder: --cmdline-remove quiet" "$BIN/bootimg" repack u0 -o u0.img --cmdline-remove quiet
$D --kernel kernel --ramdisk ramdisk --cmdline "${cmd0% quiet}" -o u0-want.img
same "folder: Debian mkbootimg's image" u0.img u0-want.img

# v3 boot and v4 vendor_boot: the vendor command line and bootconfig lines
M=$BIN/mkbootimg
$M --header_version 3 --kernel kernel --ramdisk ramdisk --cmdline "$cmd0" -o v3.img
check "v3: --cmdline-set" "$BIN/bootimg" repack v3.img -o v3-e.img --cmdline-set vmalloc=400M
$M --header_version 3 --kernel kernel --ramdisk ramdisk --cmdline "${cmd0%% vmalloc*} vmalloc=400M ${cmd0#* vmalloc=496M }" -o v3-want.img
same "v3: mkbootimg's image with the full command line" v3-e.img v3-want.img
vargs="--header_version 4 --vendor_ramdisk vendor_ramdisk --dtb dtb --pagesize 4096"
# shellcheck disable=SC2086 # vargs: plain words
$M $vargs --vendor_cmdline "$cmd0" --vendor_bootconfig bootconfig --vendor_boot vb.img
check "vendor_boot v4: vendor command line and bootconfig edited" "$BIN/bootimg" repack vb.img -o vb-e.img \
	--cmdline-remove quiet --bootconfig-set androidboot.console=ttyS0 \
	--bootconfig-set 'androidboot.serialno=A B' --bootconfig-remove androidboot.hardware
printf 'androidboot.console=ttyS0\nandroidboot.serialno="A B"\n' >bootconfig-want
# shellcheck disable=SC2086
$M $vargs --vendor_cmdline "${cmd0% quiet}" --vendor_bootconfig bootconfig-want --vendor_boot vb-want.img
same "vendor_boot v4: mkbootimg's image with the full vendor command line and bootconfig" vb-e.img vb-want.img
check "vendor_boot v4: again" "$BIN/bootimg" repack vb-e.img -o vb-e2.img --cmdline-remove quiet \
	--bootconfig-set androidboot.console=ttyS0 --bootconfig-set 'androidboot.serialno=A B' \
	--bootconfig-remove androidboot.hardware
same "vendor_boot v4: applied twice, the bytes are the same" vb-e.img vb-e2.img

# refusals: exit 2, nothing written
refuses "bootconfig in a v2 image" 2 "bootconfig lives in a vendor_boot v4 image" \
	"$BIN/bootimg" repack v2.img -o no.img --bootconfig-set a=b
refuses "a v3 command line past 1536 bytes" 2 "v3.img: the edited command line \(1[0-9]{3} bytes\) does not fit" \
	"$BIN/bootimg" repack v3.img -o no.img --cmdline-set "big=$(printf '%01500d' 0)"
refuses "a KEY=VALUE for --cmdline-remove" 2 "takes a KEY, not KEY=VALUE" \
	"$BIN/bootimg" repack v0.img -o no.img --cmdline-remove a=b
refuses "a value with blanks and a quote" 2 "cannot read that back" \
	"$BIN/bootimg" repack v0.img -o no.img --cmdline-set 'a=b "c"'
# issue 26.12/13: what the kernel or the bootconfig parser would read otherwise than meant
vt=$(printf 'a=x\vinit=/evil')
refuses "--cmdline-set: a vertical tab (a blank to the kernel: it would add init=)" 2 "counts as a blank" \
	"$BIN/bootimg" repack v0.img -o no.img --cmdline-set "$vt"
refuses "--cmdline-set: a lone quote" 2 "lone quote: the kernel would read the words after it" \
	"$BIN/bootimg" repack v0.img -o no.img --cmdline-set 'a=b"c'
refuses "--cmdline-set: a value opening with a quote" 2 "opens with a quote, which the kernel drops" \
	"$BIN/bootimg" repack v0.img -o no.img --cmdline-set 'a="bc"'
refuses "--cmdline-set: a control byte in KEY" 2 "KEY holds a control byte" \
	"$BIN/bootimg" repack v0.img -o no.img --cmdline-set "$(printf 'a\finit=/evil')"
refuses "--cmdline-remove: a KEY with a blank" 2 "KEY is empty or holds a blank" \
	"$BIN/bootimg" repack v0.img -o no.img --cmdline-remove 'a b'
nl=$(printf 'androidboot.x=1\nandroidboot.selinux=permissive')
refuses "--bootconfig-set: a newline in VALUE (another key)" 2 "newline, which would start another key" \
	"$BIN/bootimg" repack vb.img -o no.img --bootconfig-set "$nl"
refuses "--bootconfig-set: an unterminated quote" 2 "must end with its quote" \
	"$BIN/bootimg" repack vb.img -o no.img --bootconfig-set 'androidboot.x="open'
refuses "--bootconfig-set: a KEY that is no bootconfig key" 2 "words of A-Z a-z 0-9 - _ joined by single dots" \
	"$BIN/bootimg" repack vb.img -o no.img --bootconfig-set 'a..b=1'
check "--bootconfig-set: a value with a quote, quoted with '" "$BIN/bootimg" repack vb.img -o vb-q.img \
	--bootconfig-set 'androidboot.msg=say "hi"'
rm -rf vq && "$BIN/bootimg" unpack vb-q.img vq >/dev/null
grep -qx "androidboot.msg='say \"hi\"'" vq/bootconfig && ok "... written as androidboot.msg='say \"hi\"'" ||
	{ bad "quoted bootconfig value"; cat vq/bootconfig; }
if [ -e no.img ]; then bad "a refused repack left no.img"; else ok "refused repacks wrote nothing"; fi
finish
