# The man pages against --help, both ways: every option a tool's --help (or
# a verb's: bootimg VERB --help, ramdisk VERB --help) shows is documented in
# its page, and every option its page documents is one the --help shows.
# "Documented" means named on an option's tag line (the line after .TP or
# .TQ) under OPTIONS or COMMANDS; for bootimg, each verb is also checked
# alone against its subsection (.SS VERB ...). An option is a word --name,
# or -x (one letter or digit); --board_id0..15 count as one, --board_idN.
. "$ROOT/tests/sh/lib.sh"
export LC_ALL=C
M=$ROOT/man
PROBE=$ROOT/out/x86_64/probe

# Options the tools take that their --help does not show (long spellings of
# a short option the --help gives, an alias): the page may document them.
# Each is a --help text to complete (reported; the C sources are not ours).
help_lacks=""

# opts: the option words of standard input, one a line, sorted (another
# program's options quoted in a text, "ls -b", "uname -r", are not words)
opts() {
	sed -E 's/\\-/-/g; s/\\f[BIRP]//g; s/\\[:&]//g; s/(ls|uname|cpio|xargs) -[A-Za-z0-9]+//g' |
		grep -oE -- '(^|[][ ,|("=])--?[A-Za-z0-9][A-Za-z0-9_-]*' | sed 's/^[^-]*//' |
		grep -E -- '^(--[A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9]|-[A-Za-z0-9])$' |
		sed -E 's/^--board_id[0-9]+$/--board_idN/' | sort -u
}
# help_opts CMD...: the options CMD's output names
help_opts() { "$@" 2>&1 | opts; }
# page_opts PAGE [VERB]: the options PAGE's tag lines name (under VERB's .SS)
page_opts() {
	awk -v verb="${2:-}" '
		/^\.SH/ { sh = $0; ss = ""; next }
		/^\.SS/ { ss = $2; gsub(/"/, "", ss); next }
		/^\.T[PQ]/ { tag = 1; next }
		tag { tag = 0; if (sh ~ /OPTIONS|COMMANDS/ && (verb == "" || ss == verb)) print }
	' "$1" | opts
}
# both NAME PAGE-OPTS HELP-OPTS TOOL: each list in the other, but for
# -h/--help (a --help need not name itself) and TOOL's help_lacks words
both() {
	name=$1 tool=$4
	lacking=$(comm -23 "$3" "$2" | paste -sd' ' -)
	[ -z "$lacking" ] && ok "$name: every option --help shows is documented" ||
		bad "$name: --help shows, the page does not document: $lacking"
	extra=""
	for o in $(comm -13 "$3" "$2"); do
		case " $help_lacks -h:-h -h:--help " in
		*" $tool:$o "* | *" -h:$o "*) ;;
		*) extra="$extra $o" ;;
		esac
	done
	[ -z "$extra" ] && ok "$name: every option documented is one --help shows" ||
		bad "$name: documented, but --help does not show:$extra"
}
# whole tools: the union of the tool's and its verbs' --help
help_opts "$BIN/mkbootimg" --help >mkbootimg.help
page_opts "$M/mkbootimg.1" >mkbootimg.page
both "mkbootimg(1)" mkbootimg.page mkbootimg.help mkbootimg
[ "$(wc -l <mkbootimg.help)" -gt 40 ] && ok "mkbootimg --help: $(wc -l <mkbootimg.help) options looked up" ||
	bad "mkbootimg --help: few options ($(wc -l <mkbootimg.help)): is the extraction broken?"

help_opts "$BIN/unpack_bootimg" --help >unpack_bootimg.help
page_opts "$M/unpack_bootimg.1" >unpack_bootimg.page
both "unpack_bootimg(1)" unpack_bootimg.page unpack_bootimg.help unpack_bootimg

BOOTIMG_VERBS="info unpack repack verify check carve diff version config"
{
	help_opts "$BIN/bootimg" --help
	for v in $BOOTIMG_VERBS; do help_opts "$BIN/bootimg" "$v" --help; done
} | sort -u >bootimg.help
page_opts "$M/bootimg.1" >bootimg.page
both "bootimg(1)" bootimg.page bootimg.help bootimg
for v in $BOOTIMG_VERBS; do
	help_opts "$BIN/bootimg" "$v" --help >"bootimg-$v.help"
	page_opts "$M/bootimg.1" "$v" >"bootimg-$v.page"
	both "bootimg(1) $v" "bootimg-$v.page" "bootimg-$v.help" bootimg
done

{
	help_opts "$BIN/ramdisk" --help
	for v in pack list info extract edit; do help_opts "$BIN/ramdisk" "$v" --help; done
} | sort -u >ramdisk.help
page_opts "$M/ramdisk.1" >ramdisk.page
both "ramdisk(1)" ramdisk.page ramdisk.help ramdisk
# ramdisk VERB --help: that command's lines, not every command's
for v in pack list info extract edit; do
	"$BIN/ramdisk" "$v" --help >"rd-$v.help" 2>&1
	others=$(for o in pack list info extract edit; do [ "$o" = "$v" ] || printf '%s|' "$o"; done)
	if head -1 "rd-$v.help" | grep -q "^usage: ramdisk $v " &&
		! grep -qE "^  (${others%|}) " "rd-$v.help"; then
		ok "ramdisk $v --help: its own lines"
	else
		bad "ramdisk $v --help shows: $(head -3 "rd-$v.help")"
	fi
done

help_opts "$PROBE" --help >probe.help
page_opts "$M/probe.8" >probe.page
both "probe(8)" probe.page probe.help probe

# help_lacks entries a --help shows now: the list can lose them
for w in $help_lacks; do
	grep -qx -- "${w#*:}" "${w%%:*}.help" && echo "note: ${w%%:*} --help shows ${w#*:} now: drop $w from help_lacks"
done

# the check itself: a page missing an option, and an option --help lacks, are found
grep -v -- '--tree' bootimg-unpack.page >cut.page
(both "x" cut.page bootimg-unpack.help bootimg) | grep -q 'does not document: --tree' &&
	ok "a page without --tree is caught" || bad "a page without --tree is not caught"
{ cat bootimg-unpack.page; echo --bogus; } | sort >more.page
(both "x" more.page bootimg-unpack.help bootimg) | grep -q 'does not show: --bogus' &&
	ok "a page documenting --bogus is caught" || bad "a page documenting --bogus is not caught"
finish
