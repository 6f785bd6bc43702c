# Bad input: exit 1 with the file, field and offset named; bad usage: exit 2;
# nothing half-written, inputs never modified.
. "$ROOT/tests/sh/lib.sh"
vector_inputs
mkbootimg_mtk --kernel kernel --ramdisk ramdisk --header_version 2 --dtb dtb -o good.img
head -c 9000 good.img > cut.img
# A truncated image is read as AOSP's unpack_bootimg reads it (the bytes there),
# with a warning naming the field, its offset and the byte counts; verify fails.
"$BIN/unpack_bootimg" --boot_img cut.img --out u1 >/dev/null 2>cut.err &&
	grep -q "cut.img: ramdisk_size @0x10 (3000 bytes at 0x2000) points past the end (file is 9000 bytes): 2192 bytes missing" cut.err &&
	ok "truncated image: unpack_bootimg warns with field, offset, byte counts" || { bad "truncated unpack_bootimg"; cat cut.err; }
/usr/bin/unpack_bootimg --boot_img cut.img --out d1 >/dev/null
for f in kernel ramdisk dtb; do same "truncated image: $f as Debian's unpack_bootimg writes it" d1/$f u1/$f; done
"$BIN/bootimg" info cut.img >cut.info 2>&1 && grep -q "damaged: dtb_size @0x670" cut.info &&
	ok "truncated image: bootimg info shows the damage" || { bad "truncated info"; cat cut.info; }
refuses "truncated image: bootimg verify fails" 1 "" "$BIN/bootimg" verify cut.img
grep -q "FAIL damaged: ramdisk_size @0x10" refuse.out && ok "verify names the damage" || { bad "verify reason"; cat refuse.out; }
python3 -c "
import struct; b = bytearray(open('good.img','rb').read()); struct.pack_into('<I', b, 0x24, 3000); open('page.img','wb').write(b)"
refuses "page size 3000" 1 "page.img: page_size @0x24" "$BIN/bootimg" info page.img
printf 'NOTANIMAGE' > junk.img
refuses "wrong magic" 1 "junk.img: .*magic" "$BIN/bootimg" verify junk.img
refuses "missing input file" 1 "nosuch: cannot open: No such file" "$BIN/mkbootimg" --kernel nosuch -o out.img
[ ! -e out.img ] && ok "no output for a missing input" || bad "out.img written"
refuses "output over an input" 1 "good.img: is also an input" "$BIN/bootimg" repack good.img -o good.img
sha_before=$(sha256sum good.img)
refuses "mkbootimg output over its kernel" 1 "is also an input" "$BIN/mkbootimg" --kernel good.img -o good.img
[ "$(sha256sum good.img)" = "$sha_before" ] && ok "input unchanged" || bad "input modified"
cp good.img keep.img
head -c 100000 /dev/urandom > big
refuses "refused write keeps the old output" 1 "nothing written" "$BIN/mkbootimg" --kernel big --partition_size 64K -o keep.img
same "old output untouched" good.img keep.img
no_files . '\.tmp|^\.keep|XXXX' && ok "no temporary files left" || { bad "temp files left"; ls -a; }
"$BIN/mkbootimg" --gki_signing_key k.pem --kernel kernel -o gki0.img && ok "GKI signing flags accepted (ignored below v4, as AOSP)" || bad "GKI flags refused"
refuses "GKI signing without an avbtool" 1 "x.img: cannot run no-avbtool" "$BIN/mkbootimg" --header_version 4 \
	--gki_signing_key k.pem --gki_signing_algorithm SHA256_RSA2048 --gki_signing_avbtool_path no-avbtool --kernel kernel -o x.img
[ ! -e x.img ] && no_files . '^\.x\.img' && ok "GKI failure: nothing written" || bad "GKI failure left files"
refuses "no output" 2 "nothing to write" "$BIN/mkbootimg" --kernel kernel
refuses "unknown option" 2 "unknown option|unrecognized" "$BIN/mkbootimg" --frobnicate -o x.img
refuses "ambiguous prefix" 2 "ambiguous" "$BIN/mkbootimg" --ramdisk_ x -o x.img
refuses "pagesize choices" 2 "2048, 4096, 8192, 16384" "$BIN/mkbootimg" --pagesize 1024 -o x.img
refuses "board too long" 2 "longer than 15" "$BIN/mkbootimg" --board 0123456789abcdef -o x.img
long=$(printf 'x%.0s' $(seq 1 1535))
refuses "cmdline too long for v0" 2 "at most 1534 fit" "$BIN/mkbootimg" --cmdline "$long" -o x.img
"$BIN/mkbootimg" --header_version 3 --cmdline "$long" -o v3long.img && ok "1535 bytes fit v3" || bad "v3 1535"
refuses "v2 without dtb" 2 "needs --dtb" "$BIN/mkbootimg" --header_version 2 --kernel kernel -o x.img
refuses "second with v3" 2 "not supported by boot image header v3" "$BIN/mkbootimg" --header_version 3 --second second -o x.img
refuses "vendor_boot without ramdisk" 2 "needs --vendor_ramdisk" "$BIN/mkbootimg" --header_version 4 --vendor_boot x.img
refuses "duplicate ramdisk names" 2 "given to two fragments" "$BIN/mkbootimg" --header_version 4 --vendor_boot x.img \
	--ramdisk_name a --vendor_ramdisk_fragment ramdisk --ramdisk_name a --vendor_ramdisk_fragment ramdisk
refuses "partition too big in a scatter" 1 "no partition named NOPE" "$BIN/bootimg" check good.img \
	--scatter "$ROOT/tests/data/scatter/MT6572_konka72_i128_emmc_Android_scatter.txt" --partition NOPE
refuses "unknown bootimg command" 2 "unknown command" "$BIN/bootimg" frob
for t in mkbootimg unpack_bootimg bootimg; do
	"$BIN/$t" --help | grep -q usage && ok "$t --help" || bad "$t --help"
done
# an unpacked folder with a broken manifest
rm -rf b && "$BIN/bootimg" unpack good.img b >/dev/null && echo "bogus line" >> b/manifest
refuses "broken manifest names its line" 1 "manifest:[0-9]+: cannot read \"bogus\"" "$BIN/bootimg" repack b -o y.img
finish
