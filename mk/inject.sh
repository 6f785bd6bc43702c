#!/bin/sh
# mk/inject.sh STOCK OUT [BOARD]: AnyKernel-style injection into a phone's
# stock boot image (make inject STOCK=stock.img [BOARD=mt6572]).
#
# Keeps the stock header (addresses, name, command line, page size, id kind),
# its MediaTek headers (only dsize changes), its trailer and its ramdisk,
# edited in place with the stock compression: the stock /init becomes
# /init.stock (and links to it follow), our minimal init becomes /init (it
# runs the probe, then execs /init.stock), and the probe, modules.list,
# init.conf, the modules the rules can load (with dependencies) and the input
# files are added. Every other entry keeps its bytes.
# Overrides: KERNEL=FILE swaps the kernel (e.g. out/mt6572/kernel-dtb);
# ALLOW_OVERLAP=1 writes a result whose parts overlap where the profile's
# LOADER puts them; MODULES_DIR=DIR the module tree (default: the profile's Debian kernel, whose
# modules load only into that kernel); SCATTER=FILE the partition size (else
# the profile's PARTITION_SIZE). Refuses, writing nothing, when the result
# does not fit, or when the stock ramdisk was already injected.
#
# Checked before anything is written (and printed):
#  - the stock image against the profile's format, judged by what its
#    bootloader checks: an MTK profile wants MTK KERNEL/ROOTFS headers, each
#    dsize inside its section with its bytes in the file, header v0-v2 and
#    page size 2048 (bootimg verify --mtk --stock); a stale id or a size
#    field running past the end of a dump (LK checks neither) are warnings,
#    and the result is written consistent; every profile its PAGESIZE;
#  - the kernel the image will boot (KERNEL= or the stock one) against the
#    modules' vermagic: a module built for another release is refused by the
#    kernel, and the probe would then load nothing on the phone. A mismatch is
#    refused unless KERNEL= or MODULES_DIR= make them agree; a kernel whose
#    version cannot be read is reported, not refused.
set -eu
stock=$1 dest=$2 board=${3:-mt6572}
bin=out/bin
die() { echo "mk/inject.sh: $*" >&2; exit 1; }
[ -f "$stock" ] || die "$stock: no such file"

. mk/profile.sh
out=out/$board
swap_kernel=${KERNEL:-}
resolve_kernel
mkdir -p "$out"
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
export SOURCE_DATE_EPOCH

# ---- checks, before anything is written
echo "== checks: $stock against profile $board"
if [ "$P_MTK_HEADERS" != none ]; then
	# judged by what MediaTek's LK checks (--stock): MTK header magic and
	# names, each dsize inside its section with its bytes in the file, page
	# size 2048, header v0-v2; the rest (a stale id, a size field past the end
	# of a dump, ...) only warns, as the phone boots such images: the result
	# is written consistent (sizes, id). Where the parts land is checked on the
	# result (repack).
	$bin/bootimg verify --mtk --stock "$stock" >"$out/inject-verify.txt" 2>&1 || :
	fails=$(grep '^FAIL' "$out/inject-verify.txt" | grep -v '^FAIL layout under' || :)
	if [ -n "$fails" ]; then
		echo "$fails" | sed 's/^/  /' >&2
		die "$stock: not an image for the MTK profile $board (MTK headers, header v0-v2, page size 2048; see above); nothing written"
	fi
	grep -q '^FAIL\|^ok' "$out/inject-verify.txt" || { cat "$out/inject-verify.txt" >&2; die "$stock: unreadable (see above); nothing written"; }
	echo "  ok   MTK format (KERNEL/ROOTFS headers, dsize inside each section, header v0-v2, page size 2048)"
	grep '^warn' "$out/inject-verify.txt" | grep -v '^warn layout under' | sed 's/^warn /  warn /' || :
fi
ps=$($bin/bootimg info "$stock" | sed -n 's/^  @0x024 page_size *//p')
if [ -n "$ps" ] && [ "$ps" != "$((P_PAGESIZE))" ]; then
	die "$stock: page size $ps, but profile $board has PAGESIZE=$P_PAGESIZE; nothing written"
fi
[ -n "$ps" ] && echo "  ok   page size $ps"
boot_kernel=${swap_kernel:-$stock}
# The kernel's release and build flags (smp/up, preempt) against every
# module's vermagic: a group of modules must be built for this kernel.
kv=$($bin/bootimg version "$boot_kernel" 2>/dev/null | sed -n 's/^.*: \([^ ]*\) (.*; \(.*\))$/\1 \2/p')
krel=${kv%% *} kflags=${kv#* }
groups=$([ -z "$mods" ] || find "$mods" -name '*.ko' -type f -print0 2>/dev/null | xargs -0 -r $bin/bootimg version 2>/dev/null |
	sed -n 's/^.*: \([^ ]*\) (module vermagic; \(.*\))$/\1 \2/p' | sort | uniq -c | sort -rn)
nmod=$(echo "$groups" | awk '{ n += $1 } END { print n + 0 }')
# the modules for this release (and these flags, when the kernel's are known)
same=$(echo "$groups" | awk -v r="$krel" -v f="$kflags" '$2 == r && (f == "unknown" || substr($0, index($0, r) + length(r) + 1) == f) { print; exit }')
samerel=$(echo "$groups" | awk -v r="$krel" '$2 == r { print; exit }')
if [ "$P_KERNEL_PACKAGE" = none ]; then
	echo "  ok   the stock kernel is kept (${krel:-its version unread}): no module added, nothing to check against it"
elif [ -z "$kv" ]; then
	echo "  note the kernel's version cannot be read from $boot_kernel: modules not checked against it"
elif [ "$nmod" = 0 ]; then
	echo "  note no readable module in $mods: nothing to check the kernel against"
elif [ -n "$same" ]; then
	echo "  ok   kernel $krel ($kflags) and the vermagic of the modules agree ($(echo "$same" | awk '{ print $1 }') of $nmod)"
	echo "$groups" | grep -vxF "$same" | while read -r c r f; do
		echo "  note $c of the modules are for $r ($f): not checked to stay out of the ramdisk"
	done
elif [ -n "$samerel" ]; then
	mflags=$(echo "$samerel" | sed "s/^ *[0-9]* [^ ]* //")
	die "the kernel $krel is built \"$kflags\" (${swap_kernel:+KERNEL=}$boot_kernel) but the modules in $mods \"$mflags\" (vermagic): the kernel would refuse them; give KERNEL= or MODULES_DIR= a matching build; nothing written"
else
	mrel=$(echo "$groups" | awk 'NR == 1 { print $2 }')
	die "the kernel is $krel (${swap_kernel:+KERNEL=}$boot_kernel) but the modules in $mods are for $mrel: the kernel would refuse every one; give KERNEL= a matching kernel or MODULES_DIR= matching modules; nothing written"
fi

# ---- when the result does not fit: what takes the room, what would help

# trial OUT REPACK-ARGS...: the image as repack would write it, no limit;
# prints its size (repack's own messages in OUT.log)
trial() {
	t=$1
	shift
	$bin/bootimg repack "$stock" -o "$t" "$@" >"$t.log" 2>&1 || return 1
	wc -c <"$t" | tr -d ' '
}

# keep_classes LIST CLASSES: the rules file without the rules (and order and
# settle words) of every class not in CLASSES (comma separated)
keep_classes() {
	awk -v keep=",$2," '
		function kept(c) { return index(keep, "," c ",") > 0 }
		/^[ \t]*(#|$)/ { print; next }
		$1 == "order" { line = "order"; for (i = 2; i <= NF; i++) if (kept($i)) line = line " " $i; print line; next }
		$1 == "settle" { if (kept($2)) print; next }
		{ if (kept($1)) { print; n++ } }
		END { if (!n) { print "keep_classes: no rule of the classes " keep " in " FILENAME > "/dev/stderr"; exit 1 } }
	' "$1"
}

# rd_support COMP: does the kernel the image boots read a ramdisk so
# compressed? "yes SOURCE", "no SOURCE" or "unknown"
rd_support() {
	opt=CONFIG_RD_$(echo "$1" | tr '[:lower:]' '[:upper:]')
	if $bin/bootimg config "${swap_kernel:-$stock}" >"$work/kconfig" 2>/dev/null; then
		src="its embedded config"
	elif [ -n "$swap_kernel" ] && pk=$(sh mk/kernel.sh "$P_KERNEL_PACKAGE" "$debarch" "out/kernel/$debarch") &&
		[ -f "${pk%% *}/boot/config-${pk#* }" ]; then
		# KERNEL= without an embedded config: the profile's kernel package says
		cp "${pk%% *}/boot/config-${pk#* }" "$work/kconfig"
		src="the config of the profile's kernel package, ${pk#* }"
	else
		echo unknown
		return
	fi
	if grep -qx "$opt=y" "$work/kconfig"; then echo "yes $src"; else echo "no $src"; fi
}

# fit_report SIZE CAP REPACK-ARGS...
fit_report() {
	sz=$1 cp=$2
	shift 2
	echo "== does not fit: $sz bytes, $((sz - cp)) more than the $cp-byte partition" >&2
	echo "  what takes the room:" >&2
	$bin/bootimg info "$work/trial.img" | sed -n 's/^  0x[0-9a-f]* \([0-9]*\) *[0-9]* *\(kernel\|ramdisk\|second\|dtb\) *\(.*\)$/    \2: \1 bytes (\3)/p' >&2
	echo "    the stock ramdisk: $(wc -c <"$work/parts/ramdisk" | tr -d ' ') bytes as it came" >&2
	echo "    our additions (uncompressed):" >&2
	$bin/ramdisk list -v "$work/ramdisk" | awk -v stock="$work/stock.list" '
		BEGIN { while ((getline l < stock) > 0) { n = split(l, f, " "); had[f[n]] = 1 } }
		$1 ~ /^-/ && !had[$NF] && $NF != "init.stock" { printf "      /%s %d\n", $NF, $5; t += $5 }
		END { printf "      in all %d bytes\n", t }' >&2
	echo "  what would make it fit (make inject ... OPTION; nothing written now):" >&2
	cur=$($bin/ramdisk info "$work/ramdisk" | sed -n '1s/.* bytes \([a-z0-9-]*\) ([0-9.]*%)$/\1/p')
	best_c="" best_cn=$sz
	for c in xz lzma zstd bzip2 gzip lz4; do
		[ "$c" = "${cur%-legacy}" ] && continue
		sup=$(rd_support "$c")
		case "$sup" in
		yes*) ;;
		no*) echo "    (not $c: the kernel does not read it, says ${sup#no })" >&2 && continue ;;
		*) continue ;;
		esac
		edit_ramdisk "$work/fit-$c" -c "$c" >/dev/null 2>&1 || continue
		n=$(trial "$work/fit-$c.img" --ramdisk "$work/fit-$c" "$@") || continue
		echo "    INJECT_COMPRESSION=$c: $n bytes, $(verdict "$n" "$cp") (the kernel reads $c, says ${sup#yes })" >&2
		[ "$n" -lt "$best_cn" ] && best_c=$c best_cn=$n
	done
	[ -n "$(rd_support gzip)" ] && [ "$(rd_support gzip)" = unknown ] &&
		echo "    (no other compression offered: what the kernel reads is not known; no embedded config)" >&2
	classes=$(awk '!/^[ \t]*(#|$)/ && $1 != "order" && $1 != "settle" { print $1 }' "$P_MODULES_LIST" | sort -u)
	for cl in $classes; do
		others=$(echo "$classes" | grep -vx "$cl" | paste -sd, -)
		[ -n "$others" ] || continue
		keep_classes "$P_MODULES_LIST" "$others" >"$work/fit-$cl.list" 2>/dev/null || continue
		(P_MODULES_LIST=$work/fit-$cl.list edit_ramdisk "$work/fit-$cl") >/dev/null 2>&1 || continue
		n=$(trial "$work/fit-$cl.img" --ramdisk "$work/fit-$cl" "$@") || continue
		echo "    INJECT_CLASSES=$others (no $cl rules, nor their modules): $n bytes, $(verdict "$n" "$cp")" >&2
		if [ "$n" -gt "$cp" ] && [ -n "$best_c" ]; then
			(P_MODULES_LIST=$work/fit-$cl.list edit_ramdisk "$work/fit-$cl-$best_c" -c "$best_c") >/dev/null 2>&1 || continue
			n=$(trial "$work/fit-$cl-$best_c.img" --ramdisk "$work/fit-$cl-$best_c" "$@") || continue
			echo "    INJECT_CLASSES=$others INJECT_COMPRESSION=$best_c: $n bytes, $(verdict "$n" "$cp")" >&2
		fi
	done
}
verdict() {
	if [ "$1" -le "$2" ]; then echo "fits ($(($2 - $1)) bytes left)"; else echo "still $(($1 - $2)) over"; fi
}

work=$out/inject
rm -rf "$work"
$bin/bootimg unpack "$stock" "$work/parts" >/dev/null || die "$stock: cannot unpack (see above)"
[ -f "$work/parts/ramdisk" ] || die "$stock: has no ramdisk to inject into"
$bin/ramdisk list -v "$work/parts/ramdisk" >"$work/stock.list" ||
	die "$stock: ramdisk unreadable (see above)"
names=$($bin/ramdisk list "$work/parts/ramdisk")
echo "$names" | grep -qx init || die "$stock: its ramdisk has no /init"
echo "$names" | grep -qx init.stock && die "$stock: already injected (/init.stock exists)"
# Android hears the decisions through an init.rc fragment (README, "What
# Android sees"): a ramdisk without /init.rc is an Android 10+ first-stage
# ramdisk (its init reads the .rc files from /system), or no Android at all
echo "$names" | grep -qx init.rc ||
	die "$stock: its ramdisk has no /init.rc: an Android 10+ first-stage ramdisk (its init reads init.rc from /system, which a boot image cannot edit) or no Android ramdisk; nothing written"

# INJECT_CLASSES=a,b: only the rules of these classes (and their modules)
if [ -n "${INJECT_CLASSES:-}" ]; then
	keep_classes "$P_MODULES_LIST" "$INJECT_CLASSES" >"$work/modules.list" ||
		die "INJECT_CLASSES=$INJECT_CLASSES: see above"
	P_MODULES_LIST=$work/modules.list
fi

# edit_ramdisk OUT [-c COMP]: the stock ramdisk with the stock init moved
# aside (links to it repointed) and ours added
edit_ramdisk() {
	o=$1
	shift
	printf '# /init.bootkit.rc: bootkit'"'"'s probe writes here at boot what Android needs of\n# its decisions (README, "What Android sees")\n' >"$work/init.bootkit.rc"
	{
		echo "mv /init /init.stock"
		awk -f mk/initlinks.awk "$work/stock.list"
		echo "insert init.rc top import /init.bootkit.rc"
		echo "file /init.bootkit.rc $(pwd)/$work/init.bootkit.rc 0644 0 0"
		write_spec "$work/spec" minimal
		# folders and nodes the stock ramdisk has stay as they are
		grep -v '^#' "$work/spec" | while read -r kind name rest; do
			case "$kind" in dir | nod) echo "$names" | grep -qx "${name#/}" && continue ;; esac
			echo "$kind $name $rest"
		done
	} >"$work/edit"
	# a stock-kernel profile (no modules): the rules and input files alone
	$bin/ramdisk edit "$work/parts/ramdisk" -o "$o" --script "$work/edit" "$@" \
		${mods:+--modules "$mods"} ${kver:+--kernel-version "$kver"} --modules-list "$P_MODULES_LIST" \
		${P_PRELOAD:+--preload "$P_PRELOAD"} --input ramdisk/input
}
edit_ramdisk "$work/ramdisk" ${INJECT_COMPRESSION:+-c "$INJECT_COMPRESSION"} >"$work/ramdisk.log" ||
	{ cat "$work/ramdisk.log"; die "ramdisk edit failed"; }

# the repack options, but the ramdisk and the partition limit
set --
[ -n "$swap_kernel" ] && set -- --kernel "$swap_kernel"
# where the profile's bootloader puts the parts: a result that overlaps there
# is refused (README "Brick safety"; what the stock image fails already is
# only said), unless ALLOW_OVERLAP=1; the shim where a swapped-in kernel needs it
set -- "$@" --profile "$conf"
[ "$P_LK_SHIM" = auto ] && set -- "$@" --lk-shim out/armhf/lk-shim.bin
[ "${ALLOW_OVERLAP:-0}" = 1 ] && set -- "$@" --allow-overlap
if [ -n "${SCATTER:-}" ]; then
	limit_opt="--scatter" limit_val=$SCATTER
else
	limit_opt="--partition-size" limit_val=$P_PARTITION_SIZE
fi

# The image as it would be (no limit), to see whether it fits.
size=$(trial "$work/trial.img" --ramdisk "$work/ramdisk" "$@") ||
	{ cat "$work/trial.img.log" >&2; die "refused: $dest not written (see above)"; }
cap=$($bin/bootimg check "$work/trial.img" "$limit_opt" "$limit_val" | sed -n 's/.* the \([0-9]*\)-byte .*/\1/p')
[ -n "$cap" ] || die "$limit_opt $limit_val: no partition size"
if [ "$size" -gt "$cap" ]; then
	fit_report "$size" "$cap" "$@"
	die "refused: $dest would be $size bytes, $((size - cap)) more than the $cap-byte partition; nothing written"
fi
$bin/bootimg repack "$stock" -o "$dest" --ramdisk "$work/ramdisk" "$@" "$limit_opt" "$limit_val" ||
	die "refused: $dest not written (see above)"
# written consistent whatever the stock image's warnings: sizes, dsize, id
if [ "$P_MTK_HEADERS" != none ] && ! $bin/bootimg verify --mtk --profile "$conf" "$dest" >"$out/inject-result.txt" 2>&1; then
	if grep '^FAIL' "$out/inject-result.txt" | grep -qv '^FAIL layout under'; then
		grep '^FAIL' "$out/inject-result.txt" | sed 's/^/  /' >&2
		rm -f "$dest"
		die "$dest: the result does not verify (see above); removed"
	fi
fi
echo "== $dest: $stock with the probe injected (board $board)"
sed -n 's/^/  ramdisk: /; /modules:\|input files:\|entries/p' "$work/ramdisk.log"
$bin/bootimg info "$dest" --profile "$conf" | sed -n '/^layout:/,/^  end of image/p; /^kernel layout:/p; /^layout under/s/^/  /p'
