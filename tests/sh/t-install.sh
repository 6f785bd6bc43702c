# make install / make uninstall into a staging folder (DESTDIR): every file
# lands with its mode, the tools say their version, each man page renders and
# is found by name; uninstall leaves no file. (The pages against --help, both
# ways: t-man.sh.)
. "$ROOT/tests/sh/lib.sh"
# a make of its own, whatever make runs this test (no jobserver from it)
mk() { env -u MAKEFLAGS -u MFLAGS make -C "$ROOT" "$@"; }
D=$PWD/dest
P=$D/usr/local

# what install must put, with its mode and its source
cat > want <<EOF
0755 bin/mkbootimg out/bin/mkbootimg
0755 bin/unpack_bootimg out/bin/unpack_bootimg
0755 bin/bootimg out/bin/bootimg
0755 bin/ramdisk out/bin/ramdisk
0644 share/man/man1/mkbootimg.1 man/mkbootimg.1
0644 share/man/man1/unpack_bootimg.1 man/unpack_bootimg.1
0644 share/man/man1/bootimg.1 man/bootimg.1
0644 share/man/man1/ramdisk.1 man/ramdisk.1
0644 share/man/man5/modules.list.5 man/modules.list.5
0644 share/man/man8/probe.8 man/probe.8
0755 share/bootkit/armhf/probe out/armhf/probe
0755 share/bootkit/armhf/init out/armhf/init
0644 share/bootkit/armhf/lk-shim.bin out/armhf/lk-shim.bin
0755 share/bootkit/x86_64/probe out/x86_64/probe
0755 share/bootkit/x86_64/init out/x86_64/init
0644 share/bootkit/modules.list modules.list
EOF

# ---- install ----------------------------------------------------------------
# Built first (a no-op under make check), as a user does before installing.
# Then install rebuilds nothing, even when git would now describe the tree
# otherwise (root's git refusing a user's checkout: safe.directory).
check "make tools probes" mk tools probes
want_version=$(cat "$ROOT/out/version.txt" 2>/dev/null)
stamp() { ls -l --time-style=+%s.%N "$ROOT"/out/bin/* "$ROOT"/out/*/probe "$ROOT"/out/*/init "$ROOT/out/version.txt"; }
mkdir -p fakebin && printf '#!/bin/sh\necho another-version\n' > fakebin/git && chmod +x fakebin/git
stamp > before
path=$PATH PATH="$PWD/fakebin:$PATH"
check "make install DESTDIR=... (git says another version)" mk install DESTDIR="$D"
PATH=$path
stamp > after
same "install rebuilt nothing (the built files kept their times)" before after
missing=0
while read -r mode path src; do
	f=$P/$path
	if [ ! -f "$f" ]; then bad "not installed: $path"; missing=1; continue; fi
	[ "$(stat -c %a "$f")" = "${mode#0}" ] || bad "$path: mode $(stat -c %a "$f"), not $mode"
	cmp -s "$f" "$ROOT/$src" || bad "$path differs from $src"
done < want
[ "$missing" = 0 ] && ok "every file installed, with its mode and bytes"
n=$(find "$D" ! -type d | wc -l)
[ "$n" = "$(wc -l < want)" ] && ok "nothing else installed" || { bad "$n files installed"; find "$D" ! -type d; }

# ---- --version ----------------------------------------------------------------
for t in mkbootimg unpack_bootimg bootimg ramdisk; do
	v=$("$P/bin/$t" --version) && [ "$v" = "$t $want_version" ] && ok "$t --version: $v" ||
		bad "$t --version: \"$v\", want \"$t $want_version\""
done
v=$("$P/share/bootkit/x86_64/probe" --version) && [ "$v" = "probe $want_version" ] &&
	ok "probe --version: $v" || bad "probe --version: \"$v\""
case $want_version in
'' | unknown) bad "no version stamped (out/version.txt: \"$want_version\")" ;;
*) ok "a version is stamped: $want_version" ;;
esac

# ---- man pages ------------------------------------------------------------------
for page in "$P"/share/man/man?/*; do
	name=${page##*/}
	if MANWIDTH=80 man -l "$page" > "$name.txt" 2> "$name.err" && [ ! -s "$name.err" ] &&
		grep -q '^NAME' "$name.txt" && grep -q '^SEE ALSO' "$name.txt"; then
		ok "man -l $name renders"
	else
		bad "man -l $name"; cat "$name.err"
	fi
	if command -v groff > /dev/null; then
		groff -man -Tutf8 -ww -z "$page" > "$name.groff" 2>&1
		[ ! -s "$name.groff" ] && ok "groff -ww: no warnings in $name" || { bad "groff warns on $name"; cat "$name.groff"; }
	fi
done
# found by name where they were installed
for sp in "1 bootimg" "1 mkbootimg" "1 unpack_bootimg" "1 ramdisk" "5 modules.list" "8 probe"; do
	# shellcheck disable=SC2086 # "SECTION NAME", two words
	MANWIDTH=80 man -M "$P/share/man" $sp > found.txt 2>&1 && grep -q '^NAME' found.txt &&
		ok "man -M PREFIX/share/man $sp" || { bad "man $sp not found"; cat found.txt; }
done

# ---- uninstall --------------------------------------------------------------------
check "make uninstall DESTDIR=..." mk uninstall DESTDIR="$D"
left=$(find "$D" ! -type d)
[ -z "$left" ] && ok "uninstall leaves no file" || { bad "left after uninstall:"; echo "$left"; }
[ ! -e "$P/share/bootkit" ] && ok "uninstall removes share/bootkit/" || bad "share/bootkit/ left"
check "uninstall twice is fine" mk uninstall DESTDIR="$D"

# ---- another PREFIX ------------------------------------------------------------------
check "make install PREFIX=/usr DESTDIR=..." mk install PREFIX=/usr DESTDIR="$D"
[ -x "$D/usr/bin/bootimg" ] && [ -f "$D/usr/share/man/man8/probe.8" ] &&
	[ -x "$D/usr/share/bootkit/armhf/probe" ] && [ ! -e "$D/usr/local/bin/bootimg" ] &&
	ok "PREFIX=/usr: bin/, share/man/, share/bootkit/ under /usr" || bad "PREFIX=/usr layout"
check "make uninstall PREFIX=/usr DESTDIR=..." mk uninstall PREFIX=/usr DESTDIR="$D"
left=$(find "$D" ! -type d)
[ -z "$left" ] && ok "uninstall PREFIX=/usr leaves no file" || { bad "left:"; echo "$left"; }
finish
