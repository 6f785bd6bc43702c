#!/bin/sh
# mk/version.sh: the version every tool's --version prints, on stdout.
# In a git checkout of this tree: `git describe --tags --always --dirty`;
# else the VERSION file `make dist` puts in the tarball; else "unknown".
# A tree unpacked inside some other git checkout is not described by it.
top=$(cd -P "$(dirname "$0")/.." && pwd)
v=
if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	v=$(git -C "$top" describe --tags --always --dirty 2>/dev/null)
fi
if [ -z "$v" ] && [ -r "$top/VERSION" ]; then
	v=$(head -n 1 "$top/VERSION")
fi
# It becomes a C string and a file name: plain characters only.
printf '%s\n' "${v:-unknown}" | tr -c 'A-Za-z0-9._+~\n-' '_'
