# bootimg diff: two stock-like images of "the same" phone from two ODM
# variants: header fields, kernel version and config, DTBs, ramdisk entries
# with unified diffs that GNU patch applies.
. "$ROOT/tests/sh/lib.sh"
python3 - <<'PY'
import gzip, lzma, os, random, struct
rnd = random.Random(1404)
def zimage(release, config):
    v = bytearray(rnd.getrandbits(8) for _ in range(60000))
    ban = ('Linux version %s (build@odm) (gcc 4.6) #1 PREEMPT\n' % release).encode()
    v[30000:30000 + len(ban)] = ban
    c = b'IKCFG_ST' + gzip.compress(config.encode(), mtime=0) + b'IKCFG_ED'
    v[40000:40000 + len(c)] = c
    pay = lzma.compress(bytes(v), format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32)
    h = bytearray(0x400)
    struct.pack_into('<III', h, 0x24, 0x016f2818, 0, 0x400 + len(pay) + 4)
    return bytes(h) + pay + struct.pack('<I', len(v))
cfg = 'CONFIG_LOCALVERSION=""\nCONFIG_TOUCHSCREEN_FT5X06=y\n# CONFIG_TOUCHSCREEN_GT9XX is not set\nCONFIG_HZ=100\n'
open('kernel-a', 'wb').write(zimage('3.4.67-odm-a', cfg))
open('kernel-b', 'wb').write(zimage('3.4.67-odm-b', cfg.replace('CONFIG_TOUCHSCREEN_FT5X06=y', '# CONFIG_TOUCHSCREEN_FT5X06 is not set')
                                     .replace('# CONFIG_TOUCHSCREEN_GT9XX is not set', 'CONFIG_TOUCHSCREEN_GT9XX=y') + 'CONFIG_NEW=m\n'))
def fdt(model):
    # a minimal valid FDT: root node with "model" and "compatible"
    strings = b'model\0compatible\0'
    def prop(nameoff, val):
        val = val + b'\0'
        return struct.pack('>III', 3, len(val), nameoff) + val + b'\0' * (-len(val) % 4)
    st = struct.pack('>I', 1) + b'\0\0\0\0' + prop(0, model) + prop(6, b'mediatek,mt6572') + struct.pack('>II', 2, 9)
    hdr = 40
    rsv = 16
    off_st = hdr + rsv
    off_str = off_st + len(st)
    total = off_str + len(strings)
    h = struct.pack('>IIIIIIIIII', 0xd00dfeed, total, off_st, off_str, hdr, 17, 16, 0, len(strings), len(st))
    return h + bytes(rsv) + st + strings
open('dtb-a', 'wb').write(fdt(b'ODM A board'))
open('dtb-b', 'wb').write(fdt(b'ODM B board'))
# ramdisk trees: init.rc edited at random places, fstab added, a .kl removed
os.makedirs('ra/usr/keylayout', exist_ok=True)
os.makedirs('rb/usr/keylayout', exist_ok=True)
lines = ['service s%d /system/bin/s%d' % (i, i) for i in range(400)]
rc_b = list(lines)
for _ in range(25):
    op = rnd.randrange(3)
    i = rnd.randrange(len(rc_b))
    if op == 0:
        del rc_b[i]
    elif op == 1:
        rc_b.insert(i, 'on property:odm=%d' % rnd.randrange(1000))
    else:
        rc_b[i] += ' # changed'
open('ra/init.rc', 'w').write('\n'.join(lines) + '\n')
open('rb/init.rc', 'w').write('\n'.join(rc_b) + '\n')
open('ra/init.rc.orig', 'w').write('\n'.join(lines) + '\n')
open('ra/usr/keylayout/mtk-tpd.kl', 'w').write('key 158 BACK\n')
open('rb/fstab.mt6572', 'w').write('/dev/block/mmcblk0p7 /system ext4 ro wait\n')
PY
rm ra/init.rc.orig
"$BIN/ramdisk" pack ra -c gzip -o ra.gz >/dev/null && "$BIN/ramdisk" pack rb -c gzip -o rb.gz >/dev/null
mkbootimg_mtk --mtk_header boot --kernel kernel-a --ramdisk ra.gz --cmdline "console=ttyMT0" -o a.img
cat kernel-a dtb-a > kda; cat kernel-b dtb-b > kdb
mkbootimg_mtk --mtk_header boot --kernel kda --ramdisk ra.gz --cmdline "console=ttyMT0" -o a.img
mkbootimg_mtk --mtk_header boot --kernel kdb --ramdisk rb.gz --cmdline "console=ttyMT0 lcm=1" --board odmb -o b.img

"$BIN/bootimg" diff a.img b.img > d.txt 2>d.err && ok "diff runs" || { bad "diff failed"; cat d.err; }
grep -q '^cmdline: "console=ttyMT0" -> "console=ttyMT0 lcm=1"$' d.txt && ok "the command line" || bad "cmdline line"
grep -q '^name: "" -> "odmb"$' d.txt && ok "a header field (name)" || bad "name line"
grep -q '^version: "Linux version 3.4.67-odm-a .*" -> "Linux version 3.4.67-odm-b ' d.txt && ok "the kernel version" || bad "version line"
grep -q '^CONFIG_TOUCHSCREEN_FT5X06: "y" -> "n"$' d.txt && grep -q '^CONFIG_TOUCHSCREEN_GT9XX: "n" -> "y"$' d.txt &&
	grep -q '^CONFIG_NEW: (none) -> "m"$' d.txt && ok "the config, option by option" || { bad "config lines"; cat d.txt; }
grep -q '^dtb 0: ".*model \"ODM A board\", compatible \"mediatek,mt6572\"" -> ".*model \"ODM B board\"' d.txt &&
	ok "the appended DTB's model" || { bad "dtb line"; grep dtb d.txt; }
grep -q '^fstab.mt6572: (none) -> ' d.txt && ok "an added file" || bad "added file"
grep -q '^usr/keylayout/mtk-tpd.kl: ".*" -> (none)$' d.txt && ok "a removed file" || bad "removed file"
grep -q '^--- a/init.rc$' d.txt && ok "a unified diff for init.rc" || bad "no diff for init.rc"
"$BIN/bootimg" diff --json a.img b.img > d.json && python3 - <<'PY' && ok "--json: GNU patch turns a's init.rc into b's with the diff" || bad "json diff does not apply"
import json, subprocess, sys
j = json.load(open('d.json'))
p = [x['diff'] for x in j['ramdisk'] if x.get('diff') and x['what'] == 'init.rc'][0]
open('init.patch', 'w').write(p)
r = subprocess.run(['patch', '-s', '-o', 'init.rc.patched', 'ra/init.rc', 'init.patch'])
sys.exit(0 if r.returncode == 0 and open('init.rc.patched').read() == open('rb/init.rc').read() else 1)
PY
# issue 26.9: a text file changed on every line (past the edits and the search budget a diff
# may take): a summary line with the line counts and the first difference, not a diff
mkdir -p ta tb && python3 -c "
open('ta/big.rc', 'w').write(''.join('%06d\n' % i for i in range(60000)))
open('tb/big.rc', 'w').write('head\n' + ''.join('x%05d\n' % i for i in range(60000)))"
"$BIN/ramdisk" pack ta -o ta.gz -c gzip --summary 0 >/dev/null && "$BIN/ramdisk" pack tb -o tb.gz -c gzip --summary 0 >/dev/null
"$BIN/mkbootimg" --kernel kernel-a --ramdisk ta.gz -o ta.img && "$BIN/mkbootimg" --kernel kernel-a --ramdisk tb.gz -o tb.img
"$BIN/bootimg" diff ta.img tb.img >big.txt
grep -qx '(text files too different to show line by line: 60000 lines -> 60001 lines, first difference at line 1)' big.txt &&
	! grep -q '^@@' big.txt && ok "a file changed on every line: its summary, no hunk" || { bad "big text diff"; head -5 big.txt; }
"$BIN/bootimg" diff a.img a.img > same.txt && [ "$(cat same.txt)" = "a.img and a.img: 0 differences" ] && ok "an image against itself: no differences" || { bad "self diff"; cat same.txt; }
finish
