#!/bin/sh
# mk/kernel.sh PACKAGE DEBARCH DEST: fetch a Debian package (a kernel meta
# package such as linux-image-armmp, resolved to its current ABI, or any
# other package such as busybox-static) for DEBARCH, and extract it into
# DEST/root without installing anything on the host. For a kernel, also run
# depmod over the extracted module tree. Prints the extracted root and, for a
# kernel, its version ("ROOT VERSION"). Runs again only when the resolved
# package version changes.
set -eu
pkg=$1 arch=$2 dest=$3

die() { echo "mk/kernel.sh: $*" >&2; exit 1; }

# A meta package (linux-image-armmp) depends on the ABI package
# (linux-image-6.1.0-NN-armmp): never hard-code NN.
real=$pkg
case "$pkg" in
linux-image-*)
	dep=$(apt-cache depends "$pkg:$arch" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { sub(/:.*/, "", $2); print $2; exit }')
	[ -n "$dep" ] && real=$dep
	;;
esac
ver=$(apt-cache policy "$real:$arch" 2>/dev/null | awk '$1 == "Candidate:" { print $2; exit }')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	hint=""
	[ "$arch" != "$(dpkg --print-architecture)" ] &&
		hint=" (as root: dpkg --add-architecture $arch && apt-get update)"
	die "no Debian package $real:$arch in the apt indexes$hint"
fi

stamp="$dest/.$real-$ver.done"
if [ ! -f "$stamp" ]; then
	rm -rf "$dest/root" "$dest/debs"
	mkdir -p "$dest/debs" "$dest/root"
	(cd "$dest/debs" && apt-get download -q "$real:$arch" >/dev/null 2>&1) ||
		die "apt-get download $real:$arch failed (is Debian's package registry reachable?)"
	deb=$(ls "$dest"/debs/*.deb)
	dpkg-deb -x "$deb" "$dest/root" || die "dpkg-deb -x $deb failed"
	if [ -d "$dest/root/lib/modules" ]; then
		kver=$(ls "$dest/root/lib/modules")
		depmod -b "$dest/root" "$kver" || die "depmod -b $dest/root $kver failed"
	fi
	rm -rf "$dest/debs"
	rm -f "$dest"/.*.done
	touch "$stamp"
fi
if [ -d "$dest/root/lib/modules" ]; then
	echo "$dest/root $(ls "$dest/root/lib/modules")"
else
	echo "$dest/root"
fi
