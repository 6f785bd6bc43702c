#!/bin/sh
# mk/image.sh BOARD: assemble out/BOARD/boot.img from profiles/BOARD.conf.
#
# Called by `make` (make BOARD=NAME). Overrides, from make's command line:
#   KERNEL=FILE       the kernel image (default: the profile's Debian package)
#   DTB=FILE          the device tree blob (default: the profile's DTB, taken
#                     from the kernel package)
#   MODULES_DIR=DIR   the module tree (lib/modules/VERSION, or a root holding
#                     it; default: the kernel package's)
#   SCATTER=FILE      take the partition size from a scatter file (BOOTIMG)
#   SOURCE_DATE_EPOCH mtime of the ramdisk entries (default: the last commit's
#                     time, else 0); two runs give the same bytes.
#   ALLOW_OVERLAP=1   write the image although its parts overlap where the
#                     profile's LOADER puts them (README "Brick safety")
# Needs out/bin/{ramdisk,mkbootimg,bootimg} and out/ARCH/{probe,init}.
set -eu
board=$1
bin=out/bin

die() { echo "mk/image.sh: $*" >&2; exit 1; }

. mk/profile.sh
out=out/$board

mkdir -p "$out"
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
export SOURCE_DATE_EPOCH

if [ "$P_KERNEL_PACKAGE" = none ]; then
	[ "${IMAGES_SKIP_STOCK:-0}" = 1 ] && { echo "== $out: skipped: $board keeps a phone's stock kernel (make inject BOARD=$board STOCK=stock.img)"; exit 0; }
	die "profile $board keeps a phone's stock kernel (KERNEL_PACKAGE=none): it makes no image of its own; use make inject BOARD=$board STOCK=stock.img"
fi
resolve_kernel

# ---- the ramdisk: init flow, probe, rules, modules, input files
spec=$out/ramdisk.spec
write_spec "$spec" "$P_INIT"
$bin/ramdisk pack --spec "$spec" --modules "$mods" ${kver:+--kernel-version "$kver"} \
	--modules-list "$P_MODULES_LIST" \
	${P_PRELOAD:+--preload "$P_PRELOAD"} --input ramdisk/input ${dtb:+--dtb "$dtb"} \
	-c "$P_RAMDISK_COMPRESSION" -o "$out/ramdisk.img" --summary 0 >"$out/ramdisk.log" ||
	{ cat "$out/ramdisk.log"; die "ramdisk pack failed"; }

# ---- the kernel payload: the DTB appended or as its own section
payload=$kernel
if [ "$P_DTB_MODE" = appended ]; then
	payload=$out/kernel-dtb
	cat "$kernel" "$dtb" >"$payload.tmp" && mv "$payload.tmp" "$payload"
fi

# ---- the image, refused when it does not fit
set -- --header_version "$P_HEADER_VERSION" --pagesize "$P_PAGESIZE" --base "$P_BASE" \
	--kernel_offset "$P_KERNEL_OFFSET" --ramdisk_offset "$P_RAMDISK_OFFSET" \
	--second_offset "$P_SECOND_OFFSET" --tags_offset "$P_TAGS_OFFSET" \
	--dtb_offset "$P_DTB_OFFSET" --cmdline "$P_CMDLINE" --board "$P_BOARD_NAME" \
	--kernel "$payload" --ramdisk "$out/ramdisk.img"
[ "$P_DTB_MODE" = section ] && set -- "$@" --dtb "$dtb"
[ "$P_MTK_HEADERS" = none ] || set -- "$@" --mtk_header "$P_MTK_HEADERS"
# where the profile's bootloader puts the parts: refused when they overlap
# (README "Brick safety"), unless ALLOW_OVERLAP=1; the shim where it is needed
set -- "$@" --profile "$conf"
[ "$P_LK_SHIM" = auto ] && set -- "$@" --lk-shim out/armhf/lk-shim.bin
[ "${ALLOW_OVERLAP:-0}" = 1 ] && set -- "$@" --allow-overlap
if [ -n "${SCATTER:-}" ]; then
	set -- "$@" --scatter "$SCATTER"
else
	set -- "$@" --partition_size "$P_PARTITION_SIZE"
fi
$bin/mkbootimg "$@" -o "$out/boot.img" || die "mkbootimg refused $out/boot.img (see above)"

# ---- summary: each part, its size and format; headroom in the partition
if [ -n "${SCATTER:-}" ]; then
	set -- --scatter "$SCATTER"
else
	set -- --partition-size "$P_PARTITION_SIZE"
fi
echo "== $out/boot.img: board $board, init $P_INIT, kernel ${kver:-$kernel}"
$bin/bootimg info "$out/boot.img" --profile "$conf" | sed -n '/^layout:/,/^  end of image/p; /^kernel layout:/p; /^layout under/s/^/  /p'
sed -n 's/^/  ramdisk: /; /modules:\|input files:\|entries/p' "$out/ramdisk.log"
# the rules against the DTB (ramdisk pack --dtb): the count, and for a
# profile with DT candidates each rule's binding
if [ -n "$P_DT_OVERLAYS" ]; then
	sed -n 's/^dt: \([^ ]*:[0-9]*: \)/  dt: \1/p' "$out/ramdisk.log"
fi
sed -n 's/^dt: [^ ]*\.dtb: /  dt: /p' "$out/ramdisk.log"
$bin/bootimg check "$out/boot.img" "$@"
