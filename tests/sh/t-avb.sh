# AVB images made by our code (out/avbtest over mkbootimg/avb.h), checked by
# tools that do not share it: the footer and vbmeta fields read with od, the
# signed bytes cut with dd/head/tail and verified by `openssl dgst -verify`,
# the vbmeta hash by `openssl dgst`, the hash descriptor's digest by sha256sum
# over salt || image, the key blob against `openssl rsa -modulus` and
# Python's integers. Then mkbootimg's AOSP --gki_signing_* flags with a
# stand-in avbtool (tests/avbtool-standin; Debian has no avbtool).
. "$ROOT/tests/sh/lib.sh"
A="$ROOT/out/avbtest"
K="$ROOT/tests/data/avb"
STANDIN="$ROOT/tests/avbtool-standin"
[ -x "$A" ] || { bad "out/avbtest is missing (make avbtest)"; finish; }

be() { # be FILE OFFSET BYTES: a big-endian number
	v=$(od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n')
	echo $((0x$v))
}
le32() { # le32 FILE OFFSET
	v=$(od -An -tx1 -j "$2" -N 4 "$1" | awk '{ print $4 $3 $2 $1 }')
	echo $((0x$v))
}
part() { # part FILE OFFSET LEN: those bytes on stdout
	tail -c +$(($2 + 1)) "$1" | head -c "$3"
}
hex() { od -An -tx1 | tr -d ' \n'; }
nonzero() { tr -d '\000' | wc -c; }

# The vbmeta at $2 of file $1, read field by field (avb.h's layout, from the spec).
vbmeta_fields() {
	vb=$2
	auth=$(be "$1" $((vb + 12)) 8) aux=$(be "$1" $((vb + 20)) 8) alg=$(be "$1" $((vb + 28)) 4)
	hoff=$(be "$1" $((vb + 32)) 8) hsize=$(be "$1" $((vb + 40)) 8)
	soff=$(be "$1" $((vb + 48)) 8) ssize=$(be "$1" $((vb + 56)) 8)
	koff=$(be "$1" $((vb + 64)) 8) doff=$(be "$1" $((vb + 96)) 8)
	auxat=$((vb + 256 + auth))
}

# check_vbmeta NAME FILE VBOFF KEY.pem DGST: hash and signature by openssl
check_vbmeta() {
	n=$1 f=$2 md=$5
	vbmeta_fields "$f" "$3"
	{ part "$f" "$vb" 256; part "$f" "$auxat" "$aux"; } > signed.bin
	part "$f" $((vb + 256 + hoff)) "$hsize" > hash.bin
	part "$f" $((vb + 256 + soff)) "$ssize" > sig.bin
	openssl dgst -"$md" -binary signed.bin > want.bin
	same "$n: stored hash = openssl $md(header || aux)" hash.bin want.bin
	openssl pkey -in "$4" -pubout -out pub.pem
	if openssl dgst -"$md" -verify pub.pem -signature sig.bin signed.bin > verify.out 2>&1; then
		ok "$n: openssl dgst -verify: $(cat verify.out)"
	else
		bad "$n: openssl dgst -verify: $(cat verify.out)"
	fi
}

# check_digest NAME FILE VBOFF DATA: hash descriptor 0 = sha256(salt || DATA)
check_digest() {
	n=$1 f=$2
	vbmeta_fields "$f" "$3"
	d0=$((auxat + doff))
	[ "$(be "$f" "$d0" 8)" = 2 ] && ok "$n: descriptor 0 is a hash descriptor" || bad "$n: descriptor 0 tag"
	isize=$(be "$f" $((d0 + 16)) 8) nl=$(be "$f" $((d0 + 56)) 4)
	sl=$(be "$f" $((d0 + 60)) 4) dl=$(be "$f" $((d0 + 64)) 4)
	[ "$isize" = "$(wc -c < "$4")" ] && ok "$n: image_size $isize" || bad "$n: image_size $isize"
	part "$f" $((d0 + 132 + nl)) "$sl" > salt.bin
	want=$({ cat salt.bin; cat "$4"; } | sha256sum | cut -d' ' -f1)
	got=$(part "$f" $((d0 + 132 + nl + sl)) "$dl" | hex)
	[ "$got" = "$want" ] && ok "$n: digest = sha256sum(salt || image)" || bad "$n: digest $got, sha256sum $want"
}

# check_key NAME FILE VBOFF KEY.pem: the key blob's n, n0inv and rr
check_key() {
	n=$1 f=$2
	vbmeta_fields "$f" "$3"
	kat=$((auxat + koff))
	bits=$(be "$f" "$kat" 4)
	mod=$(openssl rsa -in "$4" -noout -modulus | sed 's/^Modulus=//' | tr A-F a-f)
	got=$(part "$f" $((kat + 8)) $((bits / 8)) | hex)
	[ "$got" = "$mod" ] && ok "$n: key blob n = openssl rsa -modulus ($bits bits)" || bad "$n: key blob n"
	n0=$(part "$f" $((kat + 4)) 4 | hex) rr=$(part "$f" $((kat + 8 + bits / 8)) $((bits / 8)) | hex)
	python3 -c "
import sys
n = int('$mod', 16); bits = $bits
ok = int('$n0', 16) == (-pow(n, -1, 2**32)) % 2**32 and int('$rr', 16) == pow(2, 2 * bits, n)
sys.exit(0 if ok else 1)" && ok "$n: n0inv and rr (Python)" || bad "$n: n0inv or rr wrong"
}

# ---- add_hash_footer: layout, hash, signature, digest, key -------------------------
P=1048576
yes AVBDATA | head -c 20000 > data
cp data img && "$A" add_hash_footer --image img --partition_name boot --partition_size $P \
	--key "$K/testkey_rsa2048.pem" --algorithm SHA256_RSA2048 --salt d00df00d
[ "$(wc -c < img)" = $P ] && ok "image grows to the partition size" || bad "size $(wc -c < img)"
F=$((P - 64))
[ "$(part img $F 4)" = AVBf ] && ok "footer magic at P - 64" || bad "footer magic"
orig=$(be img $((F + 12)) 8) voff=$(be img $((F + 20)) 8) vsize=$(be img $((F + 28)) 8)
[ "$orig" = 20000 ] && [ "$voff" = 20480 ] && ok "footer: original size 20000, vbmeta at round_up(20000, 4096)" ||
	bad "footer: $orig $voff"
vbmeta_fields img "$voff"
[ "$vsize" = $((256 + auth + aux)) ] && [ "$auth" = 320 ] && [ "$alg" = 1 ] &&
	ok "vbmeta: $vsize bytes, auth 320, algorithm 1" || bad "vbmeta: $vsize $auth $aux $alg"
[ "$(part img 20000 480 | nonzero)" = 0 ] && [ "$(part img $((voff + vsize)) $((F - voff - vsize)) | nonzero)" = 0 ] &&
	ok "zeros between data, vbmeta and footer" || bad "non-zero padding"
part img 0 20000 > d0
same "image data kept" data d0
check_vbmeta sha256_rsa2048 img "$voff" "$K/testkey_rsa2048.pem" sha256
check_digest sha256_rsa2048 img "$voff" data
check_key sha256_rsa2048 img "$voff" "$K/testkey_rsa2048.pem"
check "avbtest verify agrees" "$A" verify --image img

# SHA512 with a 4096-bit key; a key openssl makes now
cp data img4 && "$A" add_hash_footer --image img4 --partition_name boot --partition_size $P \
	--key "$K/testkey_rsa4096.pem" --algorithm SHA512_RSA4096
check_vbmeta sha512_rsa4096 img4 20480 "$K/testkey_rsa4096.pem" sha512
check_digest sha512_rsa4096 img4 20480 data
check_key sha512_rsa4096 img4 20480 "$K/testkey_rsa4096.pem"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out fresh.pem 2>/dev/null
cp data imgf && "$A" add_hash_footer --image imgf --partition_name boot --partition_size $P --key fresh.pem
check_vbmeta fresh-key imgf 20480 fresh.pem sha256
check_key fresh-key imgf 20480 fresh.pem
# running it again replaces the footer (avbtool's behaviour)
cp img img2 && "$A" add_hash_footer --image img2 --partition_name boot --partition_size $P \
	--key "$K/testkey_rsa2048.pem" --algorithm SHA256_RSA2048 --salt d00df00d
same "add_hash_footer twice = once (the old footer dropped first)" img img2
cp data small
refuses "a partition too small" 1 "20000 bytes of image, 1344 of vbmeta and the footer block do not fit the 20480-byte partition" \
	"$A" add_hash_footer --image small --partition_name boot --partition_size 20480 --key "$K/testkey_rsa2048.pem"
same "a refused add_hash_footer leaves the image alone" data small

# ---- resign: new data, vbmeta rebuilt (what a repack does) ---------------------
yes NEWDATA | head -c 33333 > new
"$A" resign --image img --data new -o re.img --key "$K/testkey_rsa2048.pem" 2>/dev/null
[ "$(wc -c < re.img)" = $P ] && ok "resign keeps the partition size" || bad "resign size"
voff=$(be re.img $((F + 20)) 8)
[ "$voff" = 36864 ] && [ "$(be re.img $((F + 12)) 8)" = 33333 ] &&
	ok "resign: footer names the new size, vbmeta follows the data" || bad "resign footer $voff"
check_vbmeta resigned re.img "$voff" "$K/testkey_rsa2048.pem" sha256
check_digest resigned re.img "$voff" new
"$A" resign --image img --data new -o stale.img 2>resign.err
grep -q "signature is stale" resign.err && ok "resign without a key warns" || bad "no warning"
check_digest "no key" stale.img "$voff" new
vbmeta_fields stale.img "$voff"
{ part stale.img "$vb" 256; part stale.img "$auxat" "$aux"; } > signed.bin
openssl dgst -sha256 -binary signed.bin > want.bin
part stale.img $((vb + 256)) 32 > hash.bin
same "no key: the vbmeta hash is recomputed" hash.bin want.bin
part stale.img $((vb + 256 + 32)) 256 > sig.bin
openssl pkey -in "$K/testkey_rsa2048.pem" -pubout -out pub.pem
if openssl dgst -sha256 -verify pub.pem -signature sig.bin signed.bin >/dev/null 2>&1; then
	bad "no key: openssl verified a stale signature"
else
	ok "no key: openssl rejects the stale signature"
fi
"$A" verify --image stale.img > v.out
grep -q "^signature: mismatch" v.out && grep -q "^digest: ok" v.out && ok "avbtest verify: digest ok, signature stale" ||
	{ bad "avbtest verify on a stale image"; cat v.out; }

# ---- mkbootimg --gki_signing_* (AOSP's deprecated GKI 2.0 signing) -------------
yes K | head -c 4096 > kernel
yes R | head -c 4096 > ramdisk
# mkbootimg: header v4, kernel and ramdisk; and with the GKI test key and algorithm
mkv4() { "$BIN/mkbootimg" --header_version 4 --kernel kernel --ramdisk ramdisk "$@"; }
mkgki() { mkv4 --gki_signing_key "$K/testkey_rsa2048.pem" --gki_signing_algorithm SHA256_RSA2048 "$@"; }
mkdir -p tmp && export TMPDIR="$PWD/tmp"
(export AVBTOOL_LOG=avbtool.args; mkgki --gki_signing_avbtool_path "$STANDIN" \
	--gki_signing_signature_args "--prop foo:bar   --prop gki:nice" -o gki.img)
[ "$(wc -c < gki.img)" = 16384 ] && ok "gki: header, kernel, ramdisk, 4096-byte signature" || bad "gki size"
[ "$(le32 gki.img 1580)" = 4096 ] && ok "gki: signature_size 4096 in the v4 header" || bad "gki signature_size"
# avbtool's command line, as AOSP's mkbootimg gives it
printf '%s\n' add_hash_footer --partition_name boot --partition_size 67108864 --image > want.args
sed -n 7p avbtool.args | grep -q '/\.gki\.img\.' && ok "gki: avbtool signs the temporary file beside the output" ||
	bad "gki: --image $(sed -n 7p avbtool.args)"
sed -n 1,6p avbtool.args > got.head
same "gki: avbtool arguments (head)" want.args got.head
printf '%s\n' --algorithm SHA256_RSA2048 --key "$K/testkey_rsa2048.pem" --do_not_append_vbmeta_image \
	--output_vbmeta_image > want.tail1
sed -n 8,13p avbtool.args > got.tail1
same "gki: avbtool arguments (algorithm, key, output)" want.tail1 got.tail1
sed -n 14p avbtool.args | grep -q "^$TMPDIR/mkbootimg-gki\..*/boot_signature$" && ok "gki: output in \$TMPDIR" || bad "gki: output path"
printf '%s\n' --salt d00df00d --prop foo:bar --prop gki:nice > want.tail2
sed -n "15,\$p" avbtool.args > got.tail2
same "gki: salt, then the signature args split on whitespace" want.tail2 got.tail2
no_files tmp . && no_files . '^\.gki' && ok "gki: no temporary file left" || bad "gki: temporary files left"
# the signature section is a vbmeta image signing the first 12288 bytes
head -c 12288 gki.img > signed_part
part gki.img 12288 4096 > boot_signature
vbmeta_fields boot_signature 0
[ "$auth" = 320 ] && [ "$aux" = 832 ] && ok "gki: Auth 320, Aux 832 (AOSP's test)" || bad "gki: auth $auth aux $aux"
[ "$(part boot_signature $((256 + auth + aux)) $((4096 - 256 - auth - aux)) | nonzero)" = 0 ] &&
	ok "gki: zero-padded to 4096" || bad "gki: padding"
d0=$((auxat + doff))
[ "$(part boot_signature $((d0 + 132)) 4)" = boot ] && [ "$(part boot_signature $((d0 + 136)) 4 | hex)" = d00df00d ] &&
	ok "gki: hash descriptor boot, salt d00df00d" || bad "gki: descriptor"
check_vbmeta gki boot_signature 0 "$K/testkey_rsa2048.pem" sha256
check_digest gki boot_signature 0 signed_part
# avbtool found in PATH by default
mkdir -p path && ln -sf "$STANDIN" path/avbtool
(PATH="$PWD/path:$PATH"; mkgki --gki_signing_signature_args "--prop foo:bar --prop gki:nice" -o gki2.img)
same "gki: avbtool from PATH, same bytes (fixed salt)" gki.img gki2.img
# AOSP's error for an oversize signature; nothing written, nothing left
export AVBTOOL_OVERSIZE=1
refuses "gki: a signature over 4096 bytes" 1 "^ValueError: boot sigature size is > 4096$" \
	mkgki --gki_signing_avbtool_path "$STANDIN" -o big.img
unset AVBTOOL_OVERSIZE
[ "$(tail -n 1 refuse.err)" = "ValueError: boot sigature size is > 4096" ] && ok "gki: AOSP's line comes last" ||
	bad "gki: last line $(tail -n 1 refuse.err)"
grep -q "^mkbootimg: big.img: the boot signature avbtool made is 4097 bytes, more than 4096$" refuse.err &&
	ok "gki: our own line names the size" || bad "gki: $(cat refuse.err)"
refuses "gki: no avbtool" 1 "cannot run no-such-avbtool" \
	mkgki --gki_signing_avbtool_path no-such-avbtool -o none.img
refuses "gki: avbtool fails" 1 "add_hash_footer failed \(exit status 2\)" \
	mkgki --gki_signing_avbtool_path "$STANDIN" --gki_signing_signature_args --bogus -o none.img
[ ! -e big.img ] && [ ! -e none.img ] && no_files tmp . && no_files . '^\.' &&
	ok "gki: refused runs leave no output and no temporary file" || bad "gki: leftovers: $(ls -A . tmp)"
# ignored as AOSP ignores them: not v4, or key or algorithm missing
mkv4 -o plain4.img
mkv4 --gki_signing_key "$K/testkey_rsa2048.pem" --gki_signing_avbtool_path no-such -o k4.img
same "gki: a key without an algorithm is ignored" plain4.img k4.img
"$BIN/mkbootimg" --header_version 2 --kernel kernel --ramdisk ramdisk --dtb ramdisk -o plain2.img
"$BIN/mkbootimg" --header_version 2 --kernel kernel --ramdisk ramdisk --dtb ramdisk \
	--gki_signing_key "$K/testkey_rsa2048.pem" --gki_signing_algorithm SHA256_RSA2048 \
	--gki_signing_avbtool_path no-such -o g2.img
same "gki: ignored below header v4" plain2.img g2.img
refuses "gki and --boot_signature together" 2 "use one" \
	mkgki --boot_signature boot_signature -o x.img
# --boot_signature stays, as an extension
mkv4 --boot_signature boot_signature -o bs.img
same "--boot_signature FILE gives the same image" gki.img bs.img
"$BIN/mkbootimg" --help > help.txt
grep -q '^\[DEPRECATED\] GKI 2.0 signing arguments' help.txt && grep -q -- '--gki_signing_avbtool_path' help.txt &&
	ok "--help lists the GKI flags" || bad "--help"

# ---- bootimg repack of an AVB-footed boot image: the footer follows the data
vector_inputs
"$BIN/mkbootimg" --kernel kernel --ramdisk ramdisk --header_version 2 --dtb dtb -o bimg
cp bimg avbimg && "$A" add_hash_footer --image avbimg --partition_name boot --partition_size 1048576 \
	--key "$K/testkey_rsa2048.pem" >/dev/null
"$BIN/bootimg" info avbimg > ai.txt
grep -q 'avb vbmeta: algorithm SHA256_RSA2048' ai.txt && grep -q 'hash descriptor: partition "boot", 14336 bytes' ai.txt &&
	grep -q 'avb checks: vbmeta hash ok, signature ok, digest ok' ai.txt && ok "info: vbmeta, hash descriptor, checks" || { bad "info avb"; cat ai.txt; }
"$BIN/bootimg" info --json avbimg | python3 -c '
import json, sys
a = json.load(sys.stdin)["avb"]
sys.exit(0 if a["algorithm"] == "SHA256_RSA2048" and a["descriptors"][0]["image_size"] == 14336 and a["checks"]["signature"] == "ok" else 1)' &&
	ok "info --json: avb" || bad "info --json avb"
# the embedded key: its SHA-1 as avbtool prints it, computed here without our code
# (openssl rsa -modulus gives the same key: the blob is the one t-avb checked above)
kb=$(python3 -c '
import struct, hashlib
b = open("avbimg", "rb").read(); f = b[-64:]
voff = struct.unpack(">Q", f[20:28])[0]; h = b[voff:voff + 256]
auth = struct.unpack(">Q", h[12:20])[0]; ko, ks = struct.unpack(">QQ", h[64:80])
aux = voff + 256 + auth
print(ks, hashlib.sha1(b[aux + ko:aux + ko + ks]).hexdigest())')
grep -q "^avb public key: 2048 bits, ${kb% *}-byte blob, sha1 ${kb#* }$" ai.txt &&
	"$BIN/bootimg" info --json avbimg | grep -q "\"public_key\":{\"bits\":2048,\"size\":${kb% *},\"sha1\":\"${kb#* }\"}" &&
	ok "info: the public key's size and SHA-1 (text and --json)" || { bad "info public key ($kb)"; grep "public key" ai.txt; }
check "verify: an AVB-footed image" "$BIN/bootimg" verify avbimg
python3 -c "
b = bytearray(open('avbimg', 'rb').read()); b[-64] ^= 1; open('nofoot.img', 'wb').write(b)"
refuses "verify: a vbmeta whose footer magic is damaged" 1 "" "$BIN/bootimg" verify nofoot.img
grep -q "FAIL AVB: a vbmeta image (AVB0) at 0x[0-9a-f]* but no AVB footer (AVBf) in the last 64 bytes @0xfffc0" refuse.out &&
	"$BIN/bootimg" info nofoot.img | grep -q "trailer  *AVB vbmeta without an AVB footer" &&
	ok "... named by verify and info" || { bad "orphan vbmeta"; cat refuse.out; }
"$BIN/bootimg" repack nofoot.img --cmdline x=1 -o nofoot2.img >/dev/null 2>nofoot.err &&
	grep -q "AVB vbmeta image whose footer (the last 64 bytes) is missing or damaged: copied as it was" nofoot.err &&
	ok "... repack with a change says the vbmeta no longer matches" || { bad "orphan vbmeta repack"; cat nofoot.err; }
yes NEWRAMDISK | head -c 30000 > rd2
"$BIN/bootimg" repack avbimg --ramdisk rd2 -o stale.img >/dev/null 2>stale.err
[ "$(wc -c < stale.img)" = 1048576 ] && ok "repack: the partition size is kept" || bad "repack size $(wc -c < stale.img)"
grep -q "signature is now stale: the image boots only with an unlocked bootloader" stale.err &&
	ok "repack without a key: warns that the signature is stale" || { bad "no stale warning"; cat stale.err; }
orig=$(be stale.img $((1048576 - 64 + 12)) 8) vbo=$(be stale.img $((1048576 - 64 + 20)) 8)
"$BIN/bootimg" info stale.img | grep -q "end of image 0x$(printf %x "$orig")," &&
	ok "footer: original_image_size = the new image's end ($orig)" || bad "footer original size $orig"
[ "$vbo" = $(( (orig + 4095) / 4096 * 4096 )) ] && ok "footer: vbmeta moved to follow the new data" || bad "vbmeta offset $vbo"
head -c "$orig" stale.img > newdata
check_digest "stale repack" stale.img "$vbo" newdata
refuses "verify: a stale signature fails" 1 "" "$BIN/bootimg" verify stale.img
grep -q "FAIL AVB signature: mismatch" refuse.out && ok "verify names the stale signature" || { bad "verify stale"; cat refuse.out; }
"$BIN/bootimg" repack avbimg --ramdisk rd2 --avb-key "$K/testkey_rsa4096.pem" -o signed.img >/dev/null 2>&1
vbo=$(be signed.img $((1048576 - 64 + 20)) 8)
check_vbmeta "repack --avb-key (RSA4096)" signed.img "$vbo" "$K/testkey_rsa4096.pem" sha256
check_key "repack --avb-key" signed.img "$vbo" "$K/testkey_rsa4096.pem"
check "verify: signed again" "$BIN/bootimg" verify signed.img
# issue 26.2: an unsigned vbmeta (algorithm NONE: hashes only, no signature), which avbtool
# verify_image accepts: verify checks the hashes and passes, saying unsigned; --require-signature
# fails it (and an image without AVB); a signed image passes it
cp bimg none.img && "$A" add_hash_footer --image none.img --partition_name boot --partition_size 1048576 >/dev/null
python3 -c '
import struct, sys
b = open("none.img", "rb").read(); f = b[-64:]; voff = struct.unpack(">Q", f[20:28])[0]; h = b[voff:voff + 256]
alg, = struct.unpack(">I", h[44:48]); auth, = struct.unpack(">Q", h[12:20])
sys.exit(0 if h[:4] == b"AVB0" and alg == 0 and auth == 0 else 1)' &&
	ok "none.img: a vbmeta with algorithm 0 (NONE) and no authentication block" || bad "none.img is not NONE"
check "verify: an unsigned (NONE) vbmeta passes" "$BIN/bootimg" verify none.img
grep -q "^ok   AVB signature: unsigned (algorithm NONE: the hashes are checked)$" check.out &&
	grep -q "^ok   AVB digest of the image: ok$" check.out && grep -q "^none.img: OK (AVB unsigned: algorithm NONE, hashes checked)$" check.out &&
	ok "... saying unsigned, the digest checked" || { bad "verify NONE lines"; cat check.out; }
refuses "verify --require-signature: an unsigned vbmeta fails" 1 "" "$BIN/bootimg" verify none.img --require-signature
grep -q "^FAIL AVB signature: unsigned (algorithm NONE: the hashes are checked), and --require-signature asks for one$" refuse.out &&
	ok "... naming why" || { bad "require-signature line"; cat refuse.out; }
check "verify --require-signature: a signed image passes" "$BIN/bootimg" verify signed.img --require-signature
refuses "verify --require-signature: no AVB at all fails" 1 "" "$BIN/bootimg" verify bimg --require-signature
grep -q "^FAIL AVB: no footer, so no signature (--require-signature)$" refuse.out && ok "... naming why" || bad "no footer line"
python3 -c "
b = bytearray(open('none.img', 'rb').read()); b[5000] ^= 1; open('none-bad.img', 'wb').write(b)"
refuses "verify: an unsigned image whose bytes changed fails (its digest)" 1 "" "$BIN/bootimg" verify none-bad.img
grep -q "^FAIL AVB digest of the image: mismatch" refuse.out && ok "... the digest named" || { bad "NONE digest"; cat refuse.out; }
"$BIN/bootimg" repack avbimg --cmdline "lcm=1-x" -o hdr.img >/dev/null 2>hdr.err
grep -q "signature is now stale" hdr.err && ok "a header-only edit warns too (the hash covers the header)" || bad "header edit: no warning"
yes BIG | head -c 1100000 > bigrd
refuses "repack: data + vbmeta past the partition: refused" 1 "do not fit the 1048576-byte partition" \
	"$BIN/bootimg" repack avbimg --ramdisk bigrd -o big.img
[ ! -e big.img ] && ok "nothing written" || bad "big.img written"
"$BIN/bootimg" repack avbimg -o same.img >/dev/null && same "repack, nothing changed: the input's bytes" avbimg same.img
rm -rf ua && "$BIN/bootimg" unpack avbimg ua >/dev/null && cp rd2 ua/ramdisk &&
	"$BIN/bootimg" repack ua --avb-key "$K/testkey_rsa2048.pem" -o fromdir.img >/dev/null 2>&1 &&
	check "repack DIR with a new ramdisk, signed: verify" "$BIN/bootimg" verify fromdir.img
refuses "--avb-key on an image without AVB" 2 "no AVB footer" "$BIN/bootimg" repack bimg --avb-key "$K/testkey_rsa2048.pem" -o x.img
# markers are not signatures: no re-sign warning
cp bimg se.img && printf 'SEANDROIDENFORCE' >> se.img
"$BIN/bootimg" repack se.img --cmdline "x=1" -o se2.img >/dev/null 2>se.err
! grep -q "signature" se.err && [ "$(tail -c 16 se2.img)" = SEANDROIDENFORCE ] &&
	ok "SEANDROIDENFORCE kept, no signature warning" || { bad "SEANDROIDENFORCE"; cat se.err; }
cp bimg lg.img && printf '\101\251\344\147\164\115\035\033\244\051\362\354\352\145\122\171' >> lg.img
"$BIN/bootimg" info lg.img | grep -q "LG bump" && ok "info names LG's bump" || bad "LG bump not shown"
"$BIN/bootimg" repack lg.img --cmdline "x=1" -o lg2.img >/dev/null 2>lg.err
! grep -q "signature" lg.err && cmp -s -i 14336:14336 lg.img lg2.img && ok "LG bump kept, no signature warning" || { bad "LG bump"; cat lg.err; }
finish
