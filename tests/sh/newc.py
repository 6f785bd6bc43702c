"""newc.py OUT: write a newc cpio archive described by Python lines on stdin.

    e(name, mode, data=b'', ino=None, nlink=1, uid=0, gid=0, mtime=0,
      dev=(0, 0), rdev=(0, 0), crc=False, check=None)
                       one entry (name and data are bytes; ino counts from 1
                       by default; crc: magic 070702, check = the byte sum)
    trailer(pad=None)  TRAILER!!! then NULs to a 512-byte boundary, or pad NULs
    raw(b'...')        bytes as they are

Hand-made archives for the shell tests: owners, odd orders and mtimes, hard
links, device numbers, control bytes in names, concatenations."""
import sys

out = bytearray()
_ino = [0]


def raw(b):
    out.extend(b)


def e(name, mode, data=b'', ino=None, nlink=1, uid=0, gid=0, mtime=0, dev=(0, 0),
      rdev=(0, 0), crc=False, check=None):
    if ino is None:
        _ino[0] += 1
        ino = _ino[0]
    if check is None:
        check = sum(data) & 0xffffffff if crc else 0
    n = name + b'\0'
    fields = (ino, mode, uid, gid, nlink, mtime, len(data), dev[0], dev[1], rdev[0], rdev[1],
              len(n), check)
    h = (b'070702' if crc else b'070701') + b''.join(b'%08X' % v for v in fields)
    b = h + n
    b += b'\0' * (-(len(out) + len(b)) % 4)
    b += data
    b += b'\0' * (-(len(out) + len(b)) % 4)
    out.extend(b)


def trailer(pad=None, **kw):
    kw.setdefault('ino', 0)
    e(b'TRAILER!!!', 0, **kw)
    out.extend(b'\0' * ((-len(out) % 512) if pad is None else pad))


exec(sys.stdin.read())
open(sys.argv[1], 'wb').write(out)
