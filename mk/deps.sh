#!/bin/sh
# mk/deps.sh GROUP...: make sure the Debian packages of these groups (mk/deps.list)
# are installed. As root, install what is missing with apt-get; otherwise name the
# missing packages and exit 1.
set -u
here=$(dirname "$0")
list="$here/deps.list"
[ $# -gt 0 ] || { echo "usage: $0 GROUP..." >&2; exit 2; }

wanted=""
for g in "$@"; do
	pk=$(awk -v g="$g" '$1 == g { print $2 }' "$list")
	[ -n "$pk" ] || { echo "deps.sh: no group '$g' in $list" >&2; exit 2; }
	wanted="$wanted $pk"
done

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=""
for p in $wanted; do
	installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages:$missing" >&2
	echo "install them as root with:" >&2
	case "$missing" in *:armhf*) echo "  dpkg --add-architecture armhf && apt-get update" >&2 ;; esac
	echo "  apt-get install --no-install-recommends$missing" >&2
	exit 1
fi

case "$missing" in
*:armhf*)
	dpkg --print-foreign-architectures | grep -qx armhf || dpkg --add-architecture armhf
	;;
esac
echo "deps.sh: installing:$missing" >&2
# One index (armhf bookworm-security) is known to be served with a wrong size;
# apt-get update then exits 100 although the main indexes are fine: go on.
DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
	echo "deps.sh: apt-get install$missing failed" >&2
	exit 1
}
for p in $missing; do
	installed "$p" || { echo "deps.sh: $p still missing after apt-get" >&2; exit 1; }
done
