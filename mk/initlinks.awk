# mk/initlinks.awk: from `ramdisk list -v` output, an edit line re-pointing
# each symlink to the stock /init at /init.stock (mk/inject.sh moves it).
# Names come escaped by the listing (a backslash, controls and bytes past
# ASCII as \\ \n \033 ...); inside a quoted spec field the same escapes read
# back as the name, so only '"' needs escaping here. Names may hold spaces:
# the name is what follows the time, up to the last " -> ".
$1 ~ /^l/ {
	rest = $0
	for (i = 0; i < 7; i++)
		sub(/^ *[^ ]+ +/, "", rest)
	if (!match(rest, / -> (\.\.\/init|\/init|init)$/))
		next
	name = substr(rest, 1, RSTART - 1)
	t = substr(rest, RSTART + 4)
	sub(/init$/, "init.stock", t)
	gsub(/"/, "\\\"", name)
	printf "slink \"/%s\" %s 0777 0 0\n", name, t
}
