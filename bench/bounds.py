"""Time and memory bounds on hostile and large inputs (issue 26), one line
each: the figure, the bound it must stay under, ok or OVER. The bounds leave
room for a busy machine; a figure far below its bound is the point (the
quadratic versions took seconds to minutes). Exit 1 when one is over.

    python3 bench/bounds.py out/bin     (make bench runs it; make bench-bounds alone)
"""
import os, struct, subprocess, sys

BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(BIN))
PEAKRSS = os.path.join(os.path.dirname(BIN), "peakrss")
REPEAT = 3
over = []


def measure(cmd, ok_status=(0,)):
    """Best wall time of REPEAT runs and the highest peak RSS (KiB); the
    command must exit with one of ok_status (peakrss passes it on)."""
    best, rss = None, 0
    for _ in range(REPEAT):
        p = subprocess.run([PEAKRSS, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        last = p.stderr.decode(errors="replace").strip().splitlines()[-1].split()
        if last[0] != "PEAKRSS" or p.returncode not in ok_status:
            sys.exit(f"bounds: {' '.join(cmd)}: exit {p.returncode}, expected {ok_status}: "
                     f"{p.stderr.decode(errors='replace')}")
        dt, kib = float(last[1]), int(last[2])
        best = dt if best is None else min(best, dt)
        rss = max(rss, kib)
    return best, rss


def line(label, cmd, ms, mib=None, ok_status=(0,)):
    t, kib = measure(cmd, ok_status)
    bad = t * 1000 > ms or (mib is not None and kib / 1024 > mib)
    bound = f"{ms} ms" + (f", {mib} MiB" if mib is not None else "")
    print(f"  {label:72s} {t * 1000:8.1f} ms {kib / 1024:6.1f} MiB  (bound {bound}) "
          f"{'OVER' if bad else 'ok'}")
    if bad:
        over.append(label)


def zimage(body):
    h = bytearray(0x30)
    struct.pack_into("<III", h, 0x24, 0x016F2818, 0, 0x30 + len(body))
    return bytes(h) + body


def fill(unit, n):
    return (unit * (n // len(unit) + 1))[:n]


def mkboot(kernel, out, ramdisk=None):
    cmd = [f"{BIN}/mkbootimg", "--kernel", kernel, "--base", "0x10000000", "--pagesize", "2048",
           "-o", out]
    if ramdisk:
        cmd += ["--ramdisk", ramdisk]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


print(f"bounds (issue 26): best of {REPEAT} runs, peak RSS; each line states its bound")

# 26.4: payload search in a zImage of compression magics (each a stream to the end)
LZ4_EMPTY = b"\x02\x21\x4c\x18" + struct.pack("<I", 1) + b"\x00"
for name, unit in (("lz4 legacy magics and empty blocks", LZ4_EMPTY),
                   ("lz4 legacy magics", b"\x02\x21\x4c\x18"),
                   ("gzip headers and empty stored blocks",
                    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00\x00\x00\xff\xff" * 4),
                   ("zstd frames of empty blocks",
                    b"\x28\xb5\x2f\xfd\x00\x00" + b"\x00\x00\x00" * 4)):
    for mib in (1, 64):
        if mib == 64 and unit is not LZ4_EMPTY:
            continue
        k = f"magics-{mib}.k"
        with open(k, "wb") as f:
            f.write(zimage(fill(unit, (mib << 20) - 0x30)))
        mkboot(k, f"magics-{mib}.img")
        line(f"bootimg version, {mib:2d} MiB zImage of {name}", [f"{BIN}/bootimg", "version", k],
             1000, 32, ok_status=(1,))
        line(f"bootimg info,    {mib:2d} MiB zImage of {name} (image)",
             [f"{BIN}/bootimg", "info", f"magics-{mib}.img"], 1000, 32)

# 26.16: info streams the kernel as verify does
with open("rk", "wb") as f:
    f.write(os.urandom(48 << 20))
with open("rr", "wb") as f:
    f.write(os.urandom(15 << 20))
mkboot("rk", "big.img", "rr")
line("bootimg info, 64 MiB image (48 MiB kernel)", [f"{BIN}/bootimg", "info", "big.img"], 1000, 16)
line("bootimg verify, 64 MiB image (48 MiB kernel)", [f"{BIN}/bootimg", "verify", "big.img"], 1000, 16)
vmlinuz = os.path.join(ROOT, "out/kernel/armhf/root/boot")
real = [os.path.join(vmlinuz, f) for f in os.listdir(vmlinuz) if f.startswith("vmlinuz")] \
    if os.path.isdir(vmlinuz) else []
if real:
    mkboot(real[0], "real.img")
    line("bootimg info, Debian armmp zImage (xz payload, decoded whole)",
         [f"{BIN}/bootimg", "info", "real.img"], 3000, 48)
    line("bootimg version, Debian armmp zImage (decoded up to the banner)",
         [f"{BIN}/bootimg", "version", real[0]], 2000, 48)

# 26.10: replace-regex on a 2,000-byte line: a back-reference is refused (it made glibc backtrack:
# "(a*)*\\1b" ran for minutes), the heaviest repetitions allowed match without backtracking
with open("long.rc", "w") as f:
    f.write("a" * 2000 + "\n")
with open("long.spec", "w") as f:
    f.write("file init.rc long.rc 0644 0 0\n")
subprocess.run([f"{BIN}/ramdisk", "pack", "--spec", "long.spec", "-c", "none", "-o", "long.cpio"],
               check=True, stdout=subprocess.DEVNULL)
for rx, st in (("(a*)*\\1b", 1), ("(a|aa)*b", 1), ("(.*a){20}x", 1), ("^(a+)+$", 0)):
    line(f"ramdisk edit replace-regex '{rx}', a 2,000-byte line",
         [f"{BIN}/ramdisk", "edit", "long.cpio", "-o", "long.out", "-e", f'replace-regex init.rc "{rx}" x'],
         1000, 16, ok_status=(st,))

# 26.7: modules.dep chains, each module depending on the next: the probe's dry run over a
# 40,000-module chain in under 1 MiB (its cap), ramdisk pack --modules over 100,000 (each module
# file opened and added: the time is mostly that I/O)
PROBE = os.path.join(ROOT, "out", "x86_64", "probe")


def chain(root, n, sub):
    d = os.path.join(root, "lib/modules/6.1.0-b")
    os.makedirs(os.path.join(d, sub), exist_ok=True)
    with open(os.path.join(d, "modules.dep"), "w") as f:
        for i in range(n):
            f.write(f"{sub}/{i}.ko:" + (f" {sub}/{i + 1}.ko" if i + 1 < n else "") + "\n")
    for i in range(n):
        open(os.path.join(d, sub, f"{i}.ko"), "w").close()
    return d


if os.path.exists(PROBE):
    chain("chainp", 40000, "m")
    os.makedirs("chainp/proc", exist_ok=True)
    os.makedirs("chainp/lib/probe", exist_ok=True)
    open("chainp/proc/cmdline", "w").write("x\n")
    open("chainp/lib/probe/modules.list", "w").write("a x when cmdline x then load 0\n")
    open("chainhw", "w").write("adapter 0 i2c V\n")
    dep = os.path.getsize("chainp/lib/modules/6.1.0-b/modules.dep")
    line(f"probe --dry-run, a 40,000-module chain ({dep:,}-byte modules.dep)",
         [PROBE, "--root", "chainp", "--fake-i2c", "chainhw", "--kernel-release", "6.1.0-b",
          "--dry-run"], 500, 32)
    if open("chainp/run/probe/decisions").read().count("status=dry-run") != 40000:
        sys.exit("bounds: the probe did not walk the 40,000 modules")
for n in (10000, 100000):
    chain(f"chain{n}", n, "kernel")
    open("chain.list", "w").write("touch m0 when cmdline x then load 0\n")
    line(f"ramdisk pack --modules, a {n:,}-module chain ({n:,} files added)",
         [f"{BIN}/ramdisk", "pack", "--modules", f"chain{n}", "--modules-list", "chain.list",
          "-c", "none", "--summary", "0", "-o", "chain.cpio"], 500 if n == 10000 else 2000, 64)

# 26.9: bootimg diff of two 64 MiB images whose ramdisks hold 32 changed text files of 190,000
# lines each: every line changed (too different: a summary line each) and 2,000 lines changed
# (a unified diff each, within the budget of search steps the run shares)
def text_ramdisk(name, change):
    os.makedirs(f"{name}.d/etc", exist_ok=True)
    for f in range(32):
        with open(f"{name}.d/etc/t{f:02d}.rc", "w") as fh:
            fh.write("".join((change(i) if change else f"{i % 10000:04d}") + "\n"
                             for i in range(190000)))  # 950,000 bytes: text (under 1 MiB)
    subprocess.run([f"{BIN}/ramdisk", "pack", f"{name}.d", "-c", "gzip:1", "-o", f"{name}.gz",
                    "--summary", "0"], check=True, stdout=subprocess.DEVNULL)


with open("dk", "wb") as f:
    f.write(os.urandom(56 << 20))
for name, change in (("ta", None), ("tall", lambda i: f"x{i % 1000:03d}"),
                     ("tsome", lambda i: f"y{i % 1000:03d}" if i % 95 == 7 else f"{i % 10000:04d}")):
    text_ramdisk(name, change)
    mkboot("dk", f"{name}.img", f"{name}.gz")
size_mib = os.path.getsize("ta.img") / (1 << 20)
line(f"bootimg diff, {size_mib:.0f} MiB images, 32 text files of 190,000 lines all changed",
     [f"{BIN}/bootimg", "diff", "ta.img", "tall.img"], 5000, 400)
line(f"bootimg diff, {size_mib:.0f} MiB images, 32 text files with 2,000 lines changed each",
     [f"{BIN}/bootimg", "diff", "ta.img", "tsome.img"], 5000, 400)

print(f"bounds: {'all within their bounds' if not over else 'OVER: ' + ', '.join(over)}")
sys.exit(1 if over else 0)
