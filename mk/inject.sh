#!/bin/sh
# mk/inject.sh STOCK OUT [BOARD]: AnyKernel-style injection into a phone's
# stock boot image (make inject STOCK=stock.img [BOARD=mt6572]).
#
# Keeps the stock header (addresses, name, command line, page size, id kind),
# its MediaTek headers (only dsize changes), its trailer and its ramdisk,
# edited in place with the stock compression: the stock /init becomes
# /init.stock (and links to it follow), our minimal init becomes /init (it
# runs the probe, then execs /init.stock), and the probe, modules.list,
# init.conf, the modules the rules can load (with dependencies) and the input
# files are added. Every other entry keeps its bytes.
# Overrides: KERNEL=FILE swaps the kernel (e.g. out/mt6572/kernel-dtb);
# ALLOW_OVERLAP=1 writes a result whose parts overlap where the profile's
# LOADER puts them; MODULES_DIR=DIR the module tree (default: the profile's Debian kernel, whose
# modules load only into that kernel); SCATTER=FILE the partition size (else
# the profile's PARTITION_SIZE). Refuses, writing nothing, when the result
# does not fit, or when the stock ramdisk was already injected.
#
# Checked before anything is written (and printed):
#  - the stock image against the profile's format: an MTK profile wants MTK
#    KERNEL/ROOTFS headers, header v0-v2 and page size 2048 (bootimg verify
#    --mtk); every profile its PAGESIZE;
#  - the kernel the image will boot (KERNEL= or the stock one) against the
#    modules' vermagic: a module built for another release is refused by the
#    kernel, and the probe would then load nothing on the phone. A mismatch is
#    refused unless KERNEL= or MODULES_DIR= make them agree; a kernel whose
#    version cannot be read is reported, not refused.
set -eu
stock=$1 dest=$2 board=${3:-mt6572}
bin=out/bin
die() { echo "mk/inject.sh: $*" >&2; exit 1; }
[ -f "$stock" ] || die "$stock: no such file"

. mk/profile.sh
out=out/$board
swap_kernel=${KERNEL:-}
resolve_kernel
mkdir -p "$out"
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
export SOURCE_DATE_EPOCH

# ---- checks, before anything is written
echo "== checks: $stock against profile $board"
if [ "$P_MTK_HEADERS" != none ]; then
	$bin/bootimg verify --mtk "$stock" >"$out/inject-verify.txt" 2>&1 || {
		grep '^FAIL' "$out/inject-verify.txt" | sed 's/^/  /' >&2
		die "$stock: not an image for the MTK profile $board (MTK headers, header v0-v2, page size 2048; see above); nothing written"
	}
	echo "  ok   MTK format (KERNEL/ROOTFS headers, header v0-v2, page size 2048)"
fi
ps=$($bin/bootimg info "$stock" | sed -n 's/^  @0x024 page_size *//p')
if [ -n "$ps" ] && [ "$ps" != "$((P_PAGESIZE))" ]; then
	die "$stock: page size $ps, but profile $board has PAGESIZE=$P_PAGESIZE; nothing written"
fi
[ -n "$ps" ] && echo "  ok   page size $ps"
boot_kernel=${swap_kernel:-$stock}
# The kernel's release and build flags (smp/up, preempt) against every
# module's vermagic: a group of modules must be built for this kernel.
kv=$($bin/bootimg version "$boot_kernel" 2>/dev/null | sed -n 's/^.*: \([^ ]*\) (.*; \(.*\))$/\1 \2/p')
krel=${kv%% *} kflags=${kv#* }
groups=$(find "$mods" -name '*.ko' -type f -print0 2>/dev/null | xargs -0 -r $bin/bootimg version 2>/dev/null |
	sed -n 's/^.*: \([^ ]*\) (module vermagic; \(.*\))$/\1 \2/p' | sort | uniq -c | sort -rn)
nmod=$(echo "$groups" | awk '{ n += $1 } END { print n + 0 }')
# the modules for this release (and these flags, when the kernel's are known)
same=$(echo "$groups" | awk -v r="$krel" -v f="$kflags" '$2 == r && (f == "unknown" || substr($0, index($0, r) + length(r) + 1) == f) { print; exit }')
samerel=$(echo "$groups" | awk -v r="$krel" '$2 == r { print; exit }')
if [ -z "$kv" ]; then
	echo "  note the kernel's version cannot be read from $boot_kernel: modules not checked against it"
elif [ "$nmod" = 0 ]; then
	echo "  note no readable module in $mods: nothing to check the kernel against"
elif [ -n "$same" ]; then
	echo "  ok   kernel $krel ($kflags) and the vermagic of the modules agree ($(echo "$same" | awk '{ print $1 }') of $nmod)"
	echo "$groups" | grep -vxF "$same" | while read -r c r f; do
		echo "  note $c of the modules are for $r ($f): not checked to stay out of the ramdisk"
	done
elif [ -n "$samerel" ]; then
	mflags=$(echo "$samerel" | sed "s/^ *[0-9]* [^ ]* //")
	die "the kernel $krel is built \"$kflags\" (${swap_kernel:+KERNEL=}$boot_kernel) but the modules in $mods \"$mflags\" (vermagic): the kernel would refuse them; give KERNEL= or MODULES_DIR= a matching build; nothing written"
else
	mrel=$(echo "$groups" | awk 'NR == 1 { print $2 }')
	die "the kernel is $krel (${swap_kernel:+KERNEL=}$boot_kernel) but the modules in $mods are for $mrel: the kernel would refuse every one; give KERNEL= a matching kernel or MODULES_DIR= matching modules; nothing written"
fi

work=$out/inject
rm -rf "$work"
$bin/bootimg unpack "$stock" "$work/parts" >/dev/null || die "$stock: cannot unpack (see above)"
[ -f "$work/parts/ramdisk" ] || die "$stock: has no ramdisk to inject into"
$bin/ramdisk list -v "$work/parts/ramdisk" >"$work/stock.list" ||
	die "$stock: ramdisk unreadable (see above)"
names=$($bin/ramdisk list "$work/parts/ramdisk")
echo "$names" | grep -qx init || die "$stock: its ramdisk has no /init"
echo "$names" | grep -qx init.stock && die "$stock: already injected (/init.stock exists)"

# The edit: move the stock init aside, repoint links to it, add ours.
{
	echo "mv /init /init.stock"
	awk -f mk/initlinks.awk "$work/stock.list"
	write_spec "$work/spec" minimal
	# folders and nodes the stock ramdisk has stay as they are
	grep -v '^#' "$work/spec" | while read -r kind name rest; do
		case "$kind" in dir | nod) echo "$names" | grep -qx "${name#/}" && continue ;; esac
		echo "$kind $name $rest"
	done
} >"$work/edit"
$bin/ramdisk edit "$work/parts/ramdisk" -o "$work/ramdisk" --script "$work/edit" \
	--modules "$mods" ${kver:+--kernel-version "$kver"} --modules-list "$P_MODULES_LIST" ${P_PRELOAD:+--preload "$P_PRELOAD"} \
	--input ramdisk/input >"$work/ramdisk.log" || { cat "$work/ramdisk.log"; die "ramdisk edit failed"; }

set -- --ramdisk "$work/ramdisk"
[ -n "$swap_kernel" ] && set -- "$@" --kernel "$swap_kernel"
# where the profile's bootloader puts the parts: a result that overlaps there
# is refused (README "Brick safety"; what the stock image fails already is
# only said), unless ALLOW_OVERLAP=1; the shim where a swapped-in kernel needs it
set -- "$@" --profile "$conf"
[ "$P_LK_SHIM" = auto ] && set -- "$@" --lk-shim out/armhf/lk-shim.bin
[ "${ALLOW_OVERLAP:-0}" = 1 ] && set -- "$@" --allow-overlap
if [ -n "${SCATTER:-}" ]; then
	set -- "$@" --scatter "$SCATTER"
else
	set -- "$@" --partition-size "$P_PARTITION_SIZE"
fi
$bin/bootimg repack "$stock" -o "$dest" "$@" || die "refused: $dest not written (see above)"
echo "== $dest: $stock with the probe injected (board $board)"
sed -n 's/^/  ramdisk: /; /modules:\|input files:\|entries/p' "$work/ramdisk.log"
$bin/bootimg info "$dest" --profile "$conf" | sed -n '/^layout:/,/^  end of image/p; /^kernel layout:/p; /^layout under/s/^/  /p'
