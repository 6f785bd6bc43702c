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

print(f"bounds: {'all within their bounds' if not over else 'OVER: ' + ', '.join(over)}")
sys.exit(1 if over else 0)
