#!/usr/bin/env python3
"""mk/lint.py: the house rules of the tree (make lint; HACKING.md, "Layout").

1. Every #include "..." names its folder from the top (lib/fileio.h,
   mkbootimg/image.h) and the file exists: the Makefile passes one -I, the
   top folder, so a reader knows whose header it is.
2. Dependencies point down: commands (mkbootimg/tools/, ramdisk/tools/,
   probe/main.c, ramdisk/init/) -> libraries (mkbootimg/, ramdisk/, probe/)
   -> lib/. lib/ includes only lib/; no library includes a command's header;
   the libraries' includes of each other have no cycle; lib/cli.h (messages
   and die, for commands) is included by commands and tests only.
3. No function over 60 lines, unless the comment above it says why ("Long:").
4. No C file over 800 lines.
Prints one line per breach ("FILE:LINE: ...") and exits 1 if any.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUNC_MAX, FILE_MAX = 60, 800
LIBS = ('lib', 'mkbootimg', 'ramdisk', 'probe')


def kind(path):
    """lib, a library's name, 'command', or 'test' (tests, fuzz, bench, qemu-tests)."""
    top = path.split('/')[0]
    if path.startswith(('mkbootimg/tools/', 'ramdisk/tools/', 'ramdisk/init/')) or path == 'probe/main.c':
        return 'command'
    if top in LIBS:
        return top
    return 'test'


def sources():
    pats = ['lib', 'mkbootimg', 'mkbootimg/tools', 'ramdisk', 'ramdisk/tools', 'ramdisk/init',
            'probe', 'tests', 'tests/unit', 'fuzz', 'bench', 'qemu-tests']
    out = []
    for d in pats:
        for ext in ('c', 'h'):
            out += glob.glob(os.path.join(ROOT, d, '*.' + ext))
    return sorted(os.path.relpath(p, ROOT) for p in out)


def long_functions(path, lines):
    """(line, name, length) of functions over FUNC_MAX lines without "Long:" above."""
    out, start = [], None
    for i, l in enumerate(lines):
        if l.startswith('{') and start is None:
            start = i
        elif l.startswith('}') and start is not None:
            n = i - start + 1
            j = start - 1
            while j >= 0 and '(' not in lines[j]:
                j -= 1
            sig = j
            while sig > 0 and lines[sig - 1].strip() and not lines[sig - 1].strip().endswith(('*/', ';', '}')):
                sig -= 1
            above = '\n'.join(lines[max(0, sig - 12):sig])
            if n > FUNC_MAX and 'Long:' not in above:
                m = re.search(r'(\w+)\s*\(', lines[j])
                out.append((sig + 1, m.group(1) if m else '?', n))
            start = None
    return out


def main():
    errors = []
    deps = {}
    for path in sources():
        text = open(os.path.join(ROOT, path), encoding='utf-8', errors='replace').read()
        lines = text.split('\n')
        k = kind(path)
        for i, l in enumerate(lines):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', l)
            if not m:
                continue
            inc = m.group(1)
            where = '%s:%d' % (path, i + 1)
            if '/' not in inc or not os.path.isfile(os.path.join(ROOT, inc)):
                errors.append('%s: #include "%s": name its folder from the top (lib/fileio.h)' % (where, inc))
                continue
            ik = kind(inc)
            if k == 'lib' and ik != 'lib':
                errors.append('%s: lib/ includes %s: lib/ knows nothing above it' % (where, inc))
            elif k in LIBS and inc == 'lib/cli.h' and path != 'lib/cli.c':
                errors.append('%s: a library includes lib/cli.h: libraries never print nor exit' % where)
            elif k in LIBS and ik == 'command':
                errors.append('%s: a library includes a command\'s header %s' % (where, inc))
            elif k in LIBS and ik in LIBS and ik != k and ik != 'lib':
                deps.setdefault(k, set()).add(ik)
        if path.endswith('.c'):
            if len(lines) - 1 > FILE_MAX:
                errors.append('%s: %d lines, more than %d' % (path, len(lines) - 1, FILE_MAX))
            for ln, name, n in long_functions(path, lines):
                errors.append('%s:%d: %s is %d lines, more than %d without a "Long:" reason above it'
                              % (path, ln, name, n, FUNC_MAX))
    # the libraries' dependencies: no cycle
    state = {}

    def visit(n, trail):
        if state.get(n) == 1:
            errors.append('library cycle: %s' % ' -> '.join(trail + [n]))
            return
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in sorted(deps.get(n, ())):
            visit(d, trail + [n])
        state[n] = 2
    for n in sorted(deps):
        visit(n, [])
    for e in errors:
        print(e)
    if errors:
        print('lint: %d breach%s of the house rules (mk/lint.py)' % (len(errors), 'es' if len(errors) > 1 else ''))
        return 1
    print('lint: the house rules hold (includes, dependencies %s, functions, files)'
          % ', '.join('%s -> %s' % (k, '+'.join(sorted(v))) for k, v in sorted(deps.items())))
    return 0


sys.exit(main())
