"""cpiodiff.py A B: what differs between two newc archives, entry by entry.

One line per difference, in archive order:
    NAME: FIELD A_VALUE -> B_VALUE     a header field (ino mode uid gid nlink
                                       mtime filesize devmajor devminor
                                       rdevmajor rdevminor check magic)
    NAME: data                         the data
    NAME: position I -> J              the entry moved
    only in A: NAME / only in B: NAME
    archives: M -> N                   how many trailers
    padding: P -> Q                    NUL bytes after the last trailer
Nothing printed: the same entries, headers and data (the bytes may still
differ in the padding after the last trailer, reported above)."""
import sys

FIELDS = ('ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor',
          'rdevmajor', 'rdevminor', 'namesize', 'check')


def entries(b):
    out, p, trailers = [], 0, 0
    while p < len(b):
        if b[p] == 0:
            p += 1
            continue
        f = [int(b[p + 6 + 8 * i:p + 14 + 8 * i], 16) for i in range(13)]
        ns, fs = f[11], f[6]
        name = b[p + 110:p + 110 + ns - 1]
        d = p + 110 + ns
        d += -d % 4
        end = d + fs
        end += -end % 4
        if name == b'TRAILER!!!':
            trailers += 1
            last_end = end
        else:
            out.append((name, dict(zip(FIELDS, f), magic=b[p:p + 6].decode()), b[d:d + fs]))
        p = end
    return out, trailers, len(b) - last_end


def main():
    a, ta, pa = entries(open(sys.argv[1], 'rb').read())
    b, tb, pb = entries(open(sys.argv[2], 'rb').read())
    ia = {e[0]: i for i, e in enumerate(a)}
    ib = {e[0]: i for i, e in enumerate(b)}
    show = lambda n: n.decode('utf-8', 'backslashreplace').encode('unicode_escape').decode()
    for i, (name, h, data) in enumerate(a):
        if name not in ib:
            print('only in A:', show(name))
            continue
        j = ib[name]
        _, h2, data2 = b[j]
        if i != j:
            print('%s: position %d -> %d' % (show(name), i, j))
        for k in FIELDS + ('magic',):
            if k != 'namesize' and h[k] != h2[k]:
                print('%s: %s %s -> %s' % (show(name), k, h[k], h2[k]))
        if data != data2:
            print('%s: data' % show(name))
    for name, _, _ in b:
        if name not in ia:
            print('only in B:', show(name))
    if ta != tb:
        print('archives: %d -> %d' % (ta, tb))
    if pa != pb:
        print('padding: %d -> %d' % (pa, pb))


main()
