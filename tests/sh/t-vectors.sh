# Our mkbootimg rebuilds every AOSP vector byte for byte; unpack_bootimg
# --format mkbootimg and bootimg unpack/repack give the same bytes back.
. "$ROOT/tests/sh/lib.sh"
vector_inputs
tab=$(printf '\t')
grep -v '^#' "$ROOT/tests/data/aosp-public.tsv" > vectors
while IFS="$tab" read -r name _ sha args; do
	eval "\"$BIN/mkbootimg\" $args" || bad "$name: mkbootimg failed"
	got=$(sha256sum "$name" | cut -d' ' -f1)
	[ "$got" = "$sha" ] && ok "$name: sha256 equals AOSP's" || bad "$name: sha256 $got, AOSP $sha"
	case $name in vendor*) dest=--vendor_boot ;; *) dest=-o ;; esac
	rm -rf u && args2=$("$BIN/unpack_bootimg" --boot_img "$name" --out u --format mkbootimg) &&
		eval "\"$BIN/mkbootimg\" $args2 $dest rt-$name" && same "$name: unpack_bootimg --format mkbootimg round trip" "$name" "rt-$name"
	rm -rf u0 && "$BIN/unpack_bootimg" --boot_img "$name" --out u0 --format mkbootimg -0 > args0 &&
		xargs -0 "$BIN/mkbootimg" "$dest" "rt0-$name" < args0 && same "$name: -0 round trip" "$name" "rt0-$name"
	rm -rf b && "$BIN/bootimg" unpack "$name" b >/dev/null && "$BIN/bootimg" repack b -o "rb-$name" >/dev/null &&
		same "$name: bootimg unpack + repack" "$name" "rb-$name"
	"$BIN/bootimg" repack "$name" -o "ri-$name" >/dev/null && same "$name: bootimg repack IMAGE" "$name" "ri-$name"
	"$BIN/bootimg" verify "$name" >/dev/null && ok "$name: verify" || bad "$name: verify failed"
	"$BIN/bootimg" info --json "$name" | python3 -c 'import json,sys; json.load(sys.stdin)' && ok "$name: info --json is JSON" || bad "$name: info --json"
done < vectors
# AOSP's file names and info text
rm -rf u && "$BIN/unpack_bootimg" --boot_img vendor_boot_v4.img --out u > info.txt
for f in vendor_ramdisk00 vendor_ramdisk01 vendor_ramdisk02 dtb bootconfig; do
	[ -f u/$f ] && ok "vendor v4 unpack writes $f" || bad "vendor v4 unpack lacks $f"
done
[ "$(readlink u/vendor-ramdisk-by-name/ramdisk_dlkm)" = ../vendor_ramdisk01 ] && ok "by-name link" || bad "by-name link"
same "fragment 1 content" u/vendor_ramdisk01 vendor_ramdisk_frag1
grep -q '^vendor ramdisk total size: 4511$' info.txt && ok "info text: total size" || bad "info text"
grep -q '^            0x00006572, 0x00000000, 0x00000000, 0x00000000,$' info.txt && ok "info text: board_id row" || bad "board_id row"
finish
