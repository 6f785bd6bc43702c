#!/usr/bin/env python3
"""Boot a boot image under QEMU vexpress-a9 the way a phone's bootloader does.

QEMU's -kernel/-initrd put the parts where QEMU likes and describe memory
QEMU's way; a phone's bootloader does neither. This places every part of a
boot image (v0-v2) where a loader model says (the LOADER syntax of the board
profiles, README "Brick safety"), shifted by one constant from the phone's
DRAM into the board's RAM, builds the ATAG list as MediaTek's LK builds it
(CORE, MEM, CMDLINE, INITRD2, NONE) and points CPU 0 at an entry stub that
jumps as LK jumps (r0 = 0, r1 = machine type, r2 = tags); CPU 1 waits in a
holding pen (stubs.S). Everything is loaded with QEMU's generic loader
device (-device loader), so no -kernel and no -dtb: the kernel finds its DTB
appended to it.

  fixed,kernel=A,ramdisk=A,tags=A,mem=START+SIZE[,reserved=START+SIZE]...
      a loader with its own constants (MT6572 LK: the header's addresses
      are never read); it reports mem as ATAG_MEM
  header[,mem=START+SIZE]
      the header's kernel_addr, ramdisk_addr and tags_addr; ATAG_MEM is mem
      (default: 256 MiB from the kernel address rounded down to 256 MiB)

usage: lkboot.py --image IMG --model SPEC --stubs stubs.bin --out DIR
                 [--cmdline TEXT] [--ramdisk FILE] [--machtype N]
                 [--ram-base 0x60000000] [--ram-size 256M] [--smp N]
Prints the QEMU arguments, one per line; the files go to DIR.
"""
import argparse
import os
import struct
import sys

MTK_MAGIC = 0x58881688
SRAM = 0x48000000  # vexpress-a9's static RAM: the stubs live there
ATAG_CORE, ATAG_MEM, ATAG_INITRD2, ATAG_CMDLINE = 0x54410001, 0x54410002, 0x54420005, 0x54410009


def num(s):
    s = s.strip()
    mult = 1
    if s[-1:] in 'KMG':
        mult = {'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30}[s[-1]]
        s = s[:-1]
    return int(s, 0) * mult


def parse_model(spec):
    words = spec.split(',')
    m = {'kind': words[0], 'reserved': []}
    if m['kind'] not in ('fixed', 'header'):
        sys.exit('lkboot.py: model %r: not fixed or header' % spec)
    for w in words[1:]:
        k, _, v = w.partition('=')
        if k in ('mem', 'reserved'):
            start, _, size = v.partition('+')
            r = (num(start), num(size))
            if k == 'mem':
                m['mem'] = r
            else:
                m['reserved'].append(r)
        elif k in ('kernel', 'ramdisk', 'tags'):
            m[k] = num(v)
        elif k != 'name':
            sys.exit('lkboot.py: model %r: unknown key %s' % (spec, k))
    return m


def sections(img):
    """kernel, ramdisk payloads (MTK headers stripped) and the header's addresses."""
    if img[:8] != b'ANDROID!':
        sys.exit('lkboot.py: not a boot image')
    ksz, kaddr, rsz, raddr, ssz, _saddr, taddr, page, ver = struct.unpack_from('<9I', img, 8)
    if ver > 2:
        sys.exit('lkboot.py: header v%d has no load addresses' % ver)
    koff = page
    roff = koff + (ksz + page - 1) // page * page
    return payload(img[koff:koff + ksz]), payload(img[roff:roff + rsz]), kaddr, raddr, taddr


def payload(b):
    """A section's payload: after its MediaTek header, dsize bytes (LK's reading)."""
    if len(b) >= 512 and struct.unpack_from('<I', b, 0)[0] == MTK_MAGIC:
        dsize = struct.unpack_from('<I', b, 4)[0]
        b = b[512:512 + dsize]
    return b


def atags(mem, initrd, cmdline):
    t = struct.pack('<II', 2, ATAG_CORE)
    t += struct.pack('<IIII', 4, ATAG_MEM, mem[1], mem[0])
    c = cmdline.encode() + b'\0'
    c += b'\0' * (-len(c) % 4)
    t += struct.pack('<II', 2 + len(c) // 4, ATAG_CMDLINE) + c
    t += struct.pack('<IIII', 4, ATAG_INITRD2, initrd[0], initrd[1])
    return t + struct.pack('<II', 0, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--image', required=True)
    ap.add_argument('--model', required=True)
    ap.add_argument('--stubs', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--cmdline', default='')
    ap.add_argument('--ramdisk')
    ap.add_argument('--machtype', type=lambda s: int(s, 0), default=6572)  # MT6572 LK's MACH_TYPE
    ap.add_argument('--ram-base', type=num, default=0x60000000)
    ap.add_argument('--ram-size', type=num, default=256 << 20)
    ap.add_argument('--smp', type=int, default=2)
    a = ap.parse_args()

    img = open(a.image, 'rb').read()
    kernel, ramdisk, kaddr, raddr, taddr = sections(img)
    if a.ramdisk:
        ramdisk = payload(open(a.ramdisk, 'rb').read())
    m = parse_model(a.model)
    if m['kind'] == 'fixed':
        kaddr, raddr, taddr = m['kernel'], m['ramdisk'], m['tags']
        mem = m['mem']
        dram = min([mem[0]] + [r[0] for r in m['reserved']])
    else:
        mem = m.get('mem', (kaddr & ~0x0fffffff, a.ram_size))
        dram = mem[0]
    shift = a.ram_base - dram
    if dram + shift < a.ram_base or mem[0] + mem[1] + shift > a.ram_base + a.ram_size:
        sys.exit('lkboot.py: the model\'s memory does not fit the board\'s RAM')
    k, r, t = kaddr + shift, raddr + shift, taddr + shift
    tags = atags((mem[0] + shift, mem[1]), (r, len(ramdisk)), a.cmdline)

    stubs = bytearray(open(a.stubs, 'rb').read())
    struct.pack_into('<III', stubs, 0x10, a.machtype, t, k)
    os.makedirs(a.out, exist_ok=True)
    files = {'kernel.bin': kernel, 'ramdisk.bin': ramdisk, 'atags.bin': tags, 'stubs.bin': stubs}
    for name, data in files.items():
        with open(os.path.join(a.out, name), 'wb') as f:
            f.write(data)
    for name, addr in (('kernel.bin', k), ('ramdisk.bin', r), ('atags.bin', t)):
        if addr < a.ram_base or addr + len(files[name]) > a.ram_base + a.ram_size:
            sys.exit('lkboot.py: %s at 0x%x is outside the board\'s RAM' % (name, addr))
        print('-device')
        print('loader,file=%s,addr=0x%x,force-raw=on' % (os.path.join(a.out, name), addr))
    # CPU 0 starts at the entry stub, CPU 1 in the pen (64 bytes in)
    print('-device')
    print('loader,file=%s,addr=0x%x,force-raw=on,cpu-num=0' % (os.path.join(a.out, 'stubs.bin'), SRAM))
    if a.smp < 2:
        return
    with open(os.path.join(a.out, 'pen.bin'), 'wb') as f:
        f.write(stubs[0x40:])
    print('-device')
    print('loader,file=%s,addr=0x%x,force-raw=on,cpu-num=1' % (os.path.join(a.out, 'pen.bin'), SRAM + 0x40))


if __name__ == '__main__':
    main()
