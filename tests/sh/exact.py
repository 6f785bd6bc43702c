#!/usr/bin/env python3
"""The exact-repack invariant over a corpus of images and their mutations.

For every image, and every mutation of it (truncations at and around each
section boundary, flipped bytes in headers, MTK headers, padding and
trailers, sizes off by one) that `bootimg info` accepts:
  - `bootimg repack IMAGE` gives the image's bytes back,
  - `bootimg unpack IMAGE DIR` accepts it, and `bootimg repack DIR` gives the
    same bytes back;
and for every mutation info refuses, unpack and repack refuse too (exit 1).
Prints one "ok"/"FAIL" line per image (the mutations it survived), so the
shell runner counts checks.

usage: exact.py BIN IMAGE...
"""
import concurrent.futures
import os
import random
import shutil
import struct
import subprocess
import sys

BIN = sys.argv[1]
failed = False


def run(*args):
    return subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode


def same(a, b):
    with open(a, 'rb') as f, open(b, 'rb') as g:
        return f.read() == g.read()


def layout(data):
    """Section boundaries of a boot or vendor_boot image (best effort)."""
    marks = [0, 8, 16, 40, 48, 0x40, 0x240]
    if data[:8] == b'ANDROID!':
        ver = struct.unpack_from('<I', data, 40)[0]
        if ver < 3:
            ksz, rsz, ssz = struct.unpack_from('<I4xI4xI', data, 8)
            page = struct.unpack_from('<I', data, 36)[0]
            sizes = [ksz, rsz, ssz]
        elif ver <= 4:
            ksz, rsz = struct.unpack_from('<II', data, 8)
            page, sizes = 4096, [ksz, rsz]
        else:
            return marks
    elif data[:8] == b'VNDRBOOT':
        page = struct.unpack_from('<I', data, 12)[0]
        sizes = [struct.unpack_from('<I', data, 24)[0]]
    else:
        return marks
    if page == 0 or page & (page - 1) or page > 65536:
        return marks
    pos = page
    for s in sizes:
        marks += [pos, pos + 4, pos + 512, pos + 516, pos + s]
        pos += (s + page - 1) // page * page
        marks.append(pos)
    return marks


def mutants(data, rnd):
    """(label, bytes) pairs, deterministic for a seed."""
    n = len(data)
    for m in sorted(set(layout(data))):
        for d in (-1, 1):
            at = m + d
            if 0 < at < n:
                yield 'cut@%d' % at, data[:at]
    for at in rnd.sample(range(1, n), min(4, n - 1)):
        yield 'cut@%d' % at, data[:at]
    for m in sorted(set(layout(data))):
        at = m + 1
        if 0 <= at < n:
            b = bytearray(data)
            b[at] ^= 0x5a
            yield 'flip@%d' % at, bytes(b)
    for at in rnd.sample(range(n), min(6, n)):
        b = bytearray(data)
        b[at] ^= 1 << rnd.randrange(8)
        yield 'bit@%d' % at, bytes(b)
    # size fields off by one (boot v0-v2 kernel/ramdisk, MTK dsize)
    for off in (8, 16, 24):
        if n >= off + 4:
            v = struct.unpack_from('<I', data, off)[0]
            for d in (-1, 1):
                b = bytearray(data)
                struct.pack_into('<I', b, off, (v + d) & 0xffffffff)
                yield 'size@%d%+d' % (off, d), bytes(b)
    i = data.find(b'\x88\x16\x88\x58')
    while 0 <= i < n - 8:
        v = struct.unpack_from('<I', data, i + 4)[0]
        for d in (-1, 1):
            b = bytearray(data)
            struct.pack_into('<I', b, i + 4, (v + d) & 0xffffffff)
            yield 'dsize@%d%+d' % (i + 4, d), bytes(b)
        i = data.find(b'\x88\x16\x88\x58', i + 1)
    yield 'pad00', data + bytes(4096 - n % 4096 if n % 4096 else 4096)
    yield 'padff', data + b'\xff' * 8192


def one(label, mut, work):
    """None when the invariant holds for this mutation, else what broke."""
    m = os.path.join(work, 'm.img')
    out = os.path.join(work, 'o.img')
    d = os.path.join(work, 'd')
    with open(m, 'wb') as f:
        f.write(mut)
    shutil.rmtree(d, ignore_errors=True)
    if os.path.exists(out):
        os.unlink(out)
    info = run(BIN + '/bootimg', 'info', m)
    rep = run(BIN + '/bootimg', 'repack', m, '-o', out)
    unp = run(BIN + '/bootimg', 'unpack', m, d)
    if info != 0:
        if rep != 1 or unp != 1:
            return False, '%s: info refuses (rc %d), repack rc %d, unpack rc %d' % (label, info, rep, unp)
        return False, None
    if rep != 0 or not same(m, out):
        return True, '%s: repack IMAGE not exact (rc %d)' % (label, rep)
    if unp != 0:
        return True, '%s: info accepts, unpack refuses' % label
    os.unlink(out)
    rd = run(BIN + '/bootimg', 'repack', d, '-o', out)
    if rd != 0 or not same(m, out):
        return True, '%s: repack DIR not exact (rc %d)' % (label, rd)
    return True, None


def check(path, work):
    global failed
    data = open(path, 'rb').read()
    rnd = random.Random(len(data))
    todo = list(mutants(data, rnd))
    # two workers, each in its own folder (the machines here have 2 cores)
    dirs = [os.path.join(work, str(i)) for i in range(2)]
    for w in dirs:
        os.makedirs(w, exist_ok=True)
    res = [None] * len(todo)

    def worker(k):
        for i in range(k, len(todo), 2):
            res[i] = one(todo[i][0], todo[i][1], dirs[k])
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        list(ex.map(worker, range(2)))
    accepted = sum(1 for a, _ in res if a)
    bad = [b for _, b in res if b]
    name = os.path.basename(path)
    if bad:
        failed = True
        print('FAIL %s: %d of %d mutations broke the invariant' % (name, len(bad), len(todo)))
        for b in bad[:10]:
            print('    ' + b)
    else:
        print('ok %s: exact repack for %d accepted mutations (%d refused by all)' %
              (name, accepted, len(todo) - accepted))


work = os.path.abspath('exact-work')
os.makedirs(work, exist_ok=True)
for p in sys.argv[2:]:
    check(p, work)
sys.exit(1 if failed else 0)
