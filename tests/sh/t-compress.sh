# Ramdisk compressions against the CLIs: xz (the kernel's CRC32 flavour),
# lzma, bzip2, zstd; concatenated streams of every format; padding and junk.
. "$ROOT/tests/sh/lib.sh"
R="$BIN/ramdisk"

mkdir -p tree/a tree/b
yes 'compressible line' | head -c 700000 > tree/a/text
head -c 200000 /dev/urandom > tree/a/random
printf '#!/bin/sh\n' > tree/init && chmod 0750 tree/init
for n in 1 2 3; do printf 'file %s\n' $n > tree/b/f$n; done
check "pack (none)" "$R" pack tree -c none -o rd.cpio
names() { cpio -it --quiet < "$1" | LC_ALL=C sort; }
names rd.cpio > all.names

# ---- what we write, the CLIs read; and the bytes are the CLIs' own
for c in xz lzma bzip2 zstd; do check "pack -c $c" "$R" pack tree -c $c -o rd.$c; done
xz -dc rd.xz > un.xz && same "xz -d reads our xz" rd.cpio un.xz
xz -lvv rd.xz > xz.info
grep -q '^  *Check: *CRC32$' xz.info && ok "xz -lvv: CRC32 check (the kernel's)" || { bad "xz check"; cat xz.info; }
grep -q -- '--lzma2=dict=1MiB' xz.info && ok "xz -lvv: LZMA2, 1 MiB dictionary" || bad "xz filter"
xz --check=crc32 --lzma2=dict=1MiB -c < rd.cpio > ref.xz
same "xz == xz --check=crc32 --lzma2=dict=1MiB (Kbuild's)" rd.xz ref.xz
"$R" pack tree -c xz:9 -o rd9.xz >/dev/null && xz --check=crc32 --lzma2=preset=9,dict=1MiB -c < rd.cpio > ref9.xz
same "xz:9 == xz --lzma2=preset=9,dict=1MiB" rd9.xz ref9.xz
xz --format=lzma -dc rd.lzma > un.lzma && same "xz --format=lzma -d reads our lzma" rd.cpio un.lzma
xz --format=lzma --lzma1=preset=6,dict=1MiB -c < rd.cpio > ref.lzma
same "lzma == xz --format=lzma --lzma1=preset=6,dict=1MiB" rd.lzma ref.lzma
bzip2 -dc rd.bzip2 > un.bz2 && same "bzip2 -d reads our bzip2" rd.cpio un.bz2
bzip2 -9 -c < rd.cpio > ref.bz2 && same "bzip2 == bzip2 -9 (Kbuild's)" rd.bzip2 ref.bz2
zstd -q -dc rd.zstd > un.zst && same "zstd -d reads our zstd" rd.cpio un.zst
zstd -q -19 -c < rd.cpio > ref.zst && same "zstd == zstd -19 (Kbuild's)" rd.zstd ref.zst

# ---- what the CLIs write, we read
xz --check=crc32 -c < rd.cpio > cli-crc32.xz
xz -c < rd.cpio > cli-crc64.xz
xz -9e --check=sha256 -c < rd.cpio > cli-sha256.xz
xz --format=lzma -9 -c < rd.cpio > cli.lzma
bzip2 -1 -c < rd.cpio > cli.bz2
zstd -q -3 -c < rd.cpio > cli.zst
for f in cli-crc32.xz cli-crc64.xz cli-sha256.xz cli.lzma cli.bz2 cli.zst; do
	"$R" list "$f" 2>&1 | LC_ALL=C sort > got.names
	same "we read $f" all.names got.names
done
"$R" info cli.lzma | grep -q "bytes lzma" && ok "info names lzma" || bad "info lzma"

# ---- concatenated streams: every one is read (cat a.X b.X, as gzip -d etc. do)
head -c 300000 rd.cpio > p1 && tail -c +300001 rd.cpio > p2
{ lz4 -q -c p1; lz4 -q -c p2; } > cat.lz4f
{ lz4 -l -q -c p1; lz4 -l -q -c p2; } > cat.lz4l
{ gzip -c p1; gzip -c p2; } > cat.gz
{ xz --check=crc32 -c p1; xz -c p2; } > cat.xz
{ xz --format=lzma -c p1; xz --format=lzma -c p2; } > cat.lzma
{ bzip2 -c p1; bzip2 -c p2; } > cat.bz2
{ zstd -q -c p1; zstd -q -c p2; } > cat.zst
{ gzip -c p1; zstd -q -c p2; } > cat.mixed
for f in cat.lz4f cat.lz4l cat.gz cat.xz cat.lzma cat.bz2 cat.zst cat.mixed; do
	"$R" list "$f" 2>&1 | LC_ALL=C sort > got.names
	same "concatenated: $f, every stream read" all.names got.names
done
"$R" info cat.zst | grep -q "^streams: 2, concatenated" && ok "info counts the streams" || bad "info streams"
# the lz4 CLI and gzip agree with us on the concatenations
lz4 -q -dc cat.lz4f > un.cat && same "lz4 -d of the frames == the archive" rd.cpio un.cat
gzip -dc cat.gz > un.cat && same "gzip -d of the members == the archive" rd.cpio un.cat

# ---- edit keeps the input's compression and writes back every stream
for f in cat.xz cat.lzma cat.bz2 cat.zst cat.gz cat.lz4f; do
	check "edit $f" "$R" edit "$f" -o "e.$f" -e 'rm init'
done
# edited DESCRIPTION FILE DECOMPRESSOR...: FILE holds every entry but init
edited() {
	d=$1 f=$2; shift 2
	"$@" < "$f" | cpio -it --quiet | LC_ALL=C sort > e.names
	if grep -vx init all.names | cmp -s - e.names; then ok "$d"; else bad "$d"; fi
}
xz -lvv e.cat.xz | grep -q '^  *Check: *CRC32$' && ok "edit xz: CRC32 xz out" || bad "edit xz check"
edited "edit xz: every stream written back" e.cat.xz xz -dc --single-stream
edited "edit lzma: lzma out, every stream written back" e.cat.lzma xz --format=lzma -dc
edited "edit bzip2: bzip2 out, every stream written back" e.cat.bz2 bzip2 -dc
edited "edit zstd: zstd out, every stream written back" e.cat.zst zstd -q -dc
edited "edit gzip: one member with everything" e.cat.gz gzip -dc
# lz4 frames: kernels read lz4 legacy only, so that is what edit writes
[ "$(head -c 4 e.cat.lz4f | od -An -tx1 | tr -d ' ')" = 02214c18 ] &&
	ok "edit lz4 frames: lz4 legacy out" || bad "edit lz4 frames: not legacy"
edited "edit lz4 frames: every frame written back" e.cat.lz4f lz4 -q -dc
"$R" edit cat.mixed -o e.mixed -e 'rm init' 2> mixed.err >/dev/null
grep -q "streams in several formats: all written as one gzip stream" mixed.err &&
	ok "edit of mixed streams says what it writes" || { bad "mixed warning"; cat mixed.err; }
check "edit -c overrides" "$R" edit cat.xz -o e2.bz2 -c bzip2:5 -e 'rm init'
[ "$(head -c 4 e2.bz2)" = BZh5 ] && ok "edit -c bzip2:5" || bad "edit -c"

# ---- padding and junk after the last stream
for f in rd.xz rd.lzma rd.bzip2 rd.zstd cat.lz4l; do
	cp "$f" "pad.$f" && head -c 1001 /dev/zero >> "pad.$f"
	"$R" list "pad.$f" 2>&1 | LC_ALL=C sort > got.names
	same "NUL padding after $f" all.names got.names
done
for f in rd.xz rd.lzma rd.bzip2 rd.zstd cat.lz4f cat.lz4l cat.gz; do
	size=$(wc -c < "$f")
	cp "$f" "junk.$f" && printf '\0\0\0\0junk' >> "junk.$f"
	at=$(printf '0x%x' $((size + 4)))
	refuses "junk after $f names its offset" 1 "junk.$f: .* data: @$at: junk after the" "$R" list "junk.$f"
done
# lz4 legacy: a zero word ends the stream; what follows is not ignored
{ lz4 -l -q -c p1; printf '\0\0\0\0'; gzip -c p2; } > legacy-then-gzip
"$R" list legacy-then-gzip | LC_ALL=C sort > got.names
same "lz4 legacy, zero word, gzip: both read" all.names got.names

# ---- bombs, truncation and the rest
refuses "xz bomb" 1 "rd.xz: xz data: @0x.*: decompresses to more than the 524288-byte cap" \
	"$R" list --max-size 512K rd.xz
for f in rd.xz rd.lzma rd.bzip2 rd.zstd; do
	head -c $(($(wc -c < "$f") - 9)) "$f" > "cut.$f"
	refuses "truncated $f" 1 "cut.$f: .* data: @0x[0-9a-f]*: .*(truncated|corrupt)" "$R" list "cut.$f"
done
printf '\211LZO\0\r\n\032\n' > x.lzo
refuses "lzop is named" 1 "lzop ramdisks are not supported" "$R" list x.lzo
{ cat rd.xz; cat x.lzo; } > xz-then-lzo
refuses "an lzop stream after an xz one" 1 "an lzop stream follows the xz one" "$R" list xz-then-lzo
refuses "bad level" 2 "want lz4.*zstd\[:1..19\]" "$R" pack tree -c xz:10 -o bad.xz
no_files . '\.tmp' && ok "no temporary files left" || bad "temp files left"
finish
