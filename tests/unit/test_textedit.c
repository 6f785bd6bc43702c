/* AnyKernel-style line edits: each (input, edit, expected) once, then again on
 * its own output (idempotent: no change the second time), and the errors. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "ramdisk/textedit.h"

enum op { REPLACE, REPLACE_RE, REMOVE, REMOVE_RE, SECTION, RM_SECTION, PROP, PROP_RM, FSTAB };

struct tcase {
	const char *what;
	enum op op;
	const char *in, *a, *b, *c; /* the edit's arguments */
	const char *want;	    /* NULL: an error, with err and msg */
	int err;
	const char *msg;
};

static int run(const struct tcase *t, const char *in, struct te_result *r, struct diag *d)
{
	const uint8_t *p = (const uint8_t *)in;
	size_t n = strlen(in);
	const char *lines[3] = {t->b, t->c, NULL};

	switch (t->op) {
	case REPLACE: return te_replace(p, n, t->a, false, t->b, r, d);
	case REPLACE_RE: return te_replace(p, n, t->a, true, t->b, r, d);
	case REMOVE: return te_remove(p, n, t->a, false, r, d);
	case REMOVE_RE: return te_remove(p, n, t->a, true, r, d);
	case SECTION: /* a: "BEGIN|END", b and c: the new lines */
	{
		char be[64];
		strcpy(be, t->a);
		char *bar = strchr(be, '|');
		*bar = 0;
		return te_replace_section(p, n, be, bar + 1, lines, t->c ? 2 : 1, r, d);
	}
	case RM_SECTION: return te_remove_section(p, n, t->a, t->b, r, d);
	case PROP: return te_prop_set(p, n, t->a, t->b, r, d);
	case PROP_RM: return te_prop_remove(p, n, t->a, r, d);
	case FSTAB: return te_fstab(p, n, t->a, te_fstab_field(t->b), t->c, r, d);
	}
	return -1;
}

static const struct tcase cases[] = {
    {"replace: every line containing", REPLACE, "a x\nb\nc x\n", "x", "new", NULL, "new\nb\nnew\n",
     0, NULL},
    {"replace: CRLF endings kept", REPLACE, "a x\r\nb\r\n", "x", "new", NULL, "new\r\nb\r\n", 0,
     NULL},
    {"replace: no final newline stays so", REPLACE, "a\nb x", "x", "y", NULL, "a\ny", 0, NULL},
    {"replace: missing pattern", REPLACE, "a\nb\n", "zz", "y", NULL, NULL, -ENOENT,
     "no line contains \"zz\""},
    {"replace: applied before (TEXT there, PATTERN gone)", REPLACE, "a\nnew\n", "old", "new", NULL,
     "a\nnew\n", 0, NULL},
    {"replace-regex: ERE", REPLACE_RE, "service adbd /sbin/adbd\n  x\n", "^service +adbd",
     "service adbd /sbin/adbd --root", NULL, "service adbd /sbin/adbd --root\n  x\n", 0, NULL},
    {"replace-regex: bad regex", REPLACE_RE, "a\n", "(", "x", NULL, NULL, -EINVAL, "regex \"(\""},
    {"replace-regex: stacked repetitions (regcomp would blow up)", REPLACE_RE, "a\n", "a+++++", "x",
     NULL, NULL, -EINVAL, "a repetition of a repetition"},
    {"replace-regex: nested group repetitions", REPLACE_RE, "a\n",
     "((((((((((((((a)+)+)+)+)+)+)+)+)+)+)+)+)+)+", "x", NULL, NULL, -EINVAL,
     "could make over 4096 copies"},
    {"replace-regex: big bounds", REPLACE_RE, "a\n", "(a{100}){100}", "x", NULL, NULL, -EINVAL,
     "could make over 4096 copies"},
    {"replace-regex: a back-reference (not ERE; exponential)", REPLACE_RE, "aa\n", "(a)\\1", "x",
     NULL, NULL, -EINVAL, "a back-reference (\\1) is not POSIX ERE"},
    {"replace-regex: \\9 too, and after other escapes", REPLACE_RE, "a\n", "\\.x(b)\\9", "x", NULL,
     NULL, -EINVAL, "back-reference (\\9)"},
    {"replace-regex: a digit in brackets, an escaped backslash: no back-reference", REPLACE_RE,
     "a1\\1\n", "a[\\1]\\\\1", "x", NULL, "x\n", 0, NULL},
    {"replace-regex: brackets and bounds that are fine", REPLACE_RE, "ab1\n",
     "^[[:alpha:]]{2}[0-9+*]$", "x", NULL, "x\n", 0, NULL},
    {"remove: lines containing", REMOVE, "keep\ndrop me\nkeep too\ndrop\n", "drop", NULL, NULL,
     "keep\nkeep too\n", 0, NULL},
    {"remove: nothing to remove is a no-op", REMOVE, "a\n", "zz", NULL, NULL, "a\n", 0, NULL},
    {"remove-regex", REMOVE_RE, "a1\nb\na2\n", "^a[0-9]$", NULL, NULL, "b\n", 0, NULL},
    {"replace-section: every section, inclusive", SECTION, "x\n# b\n1\n# e\ny\n# b\n2\n# e\n",
     "# b|# e", "# b", "# e", "x\n# b\n# e\ny\n# b\n# e\n", 0, NULL},
    {"replace-section: END must follow", SECTION, "x\n# b\n1\n", "# b|# e", "n", NULL, NULL,
     -ENOENT, "the section from line 2 (\"# b\") has no line containing \"# e\""},
    {"replace-section: BEGIN and END on one line are not a section", SECTION, "# b # e\n1\n# e\n",
     "# b|# e", "n", NULL, "n\n", 0, NULL},
    {"replace-section: missing BEGIN", SECTION, "x\n", "# b|# e", "n", NULL, NULL, -ENOENT,
     "no line contains \"# b\""},
    {"replace-section: applied before (markers replaced)", SECTION, "x\nn1\nn2\n", "# b|# e", "n1",
     "n2", "x\nn1\nn2\n", 0, NULL},
    {"remove-section", RM_SECTION, "a\non b\n1\non e\nz\n", "on b", "on e", NULL, "a\nz\n", 0,
     NULL},
    {"remove-section: none is a no-op", RM_SECTION, "a\n", "on b", "on e", NULL, "a\n", 0, NULL},
    {"prop: set in place", PROP, "a=1\nro.secure=1\nb=2\n", "ro.secure", "0", NULL,
     "a=1\nro.secure=0\nb=2\n", 0, NULL},
    {"prop: spaces around =, comments skipped", PROP, "# ro.x=1\n ro.x = 1\n", "ro.x", "2", NULL,
     "# ro.x=1\nro.x=2\n", 0, NULL},
    {"prop: a prefix is another key", PROP, "ro.xy=1\n", "ro.x", "2", NULL, "ro.xy=1\nro.x=2\n", 0,
     NULL},
    {"prop: added, after a missing final newline", PROP, "a=1", "b", "2", NULL, "a=1\nb=2\n", 0,
     NULL},
    {"prop: bad key", PROP, "a=1\n", "a=b", "2", NULL, NULL, -EINVAL, "want KEY"},
    {"prop-remove", PROP_RM, "a=1\nb=2\n", "a", NULL, NULL, "b=2\n", 0, NULL},
    {"prop-remove: absent is a no-op", PROP_RM, "a=1\n", "z", NULL, NULL, "a=1\n", 0, NULL},
    {"fstab: Android's 5 fields, by name, spacing kept", FSTAB,
     "# c\n/dev/a  /data\text4  noatime  wait\n/dev/b /system ext4 ro wait\n", "/data",
     "fs_mgr_flags", "wait,check",
     "# c\n/dev/a  /data\text4  noatime  wait,check\n/dev/b /system ext4 ro wait\n", 0, NULL},
    {"fstab: every line of the mount point", FSTAB, "a /d ext4 x w\nb /d f2fs y w\n", "/d",
     "options", "z", "a /d ext4 z w\nb /d f2fs z w\n", 0, NULL},
    {"fstab: by number", FSTAB, "a /d ext4 x w\n", "/d", "3", "f2fs", "a /d f2fs x w\n", 0, NULL},
    {"fstab: field past the line", FSTAB, "a /d ext4 x w\n", "/d", "pass", "2", NULL, -EINVAL,
     "line 1 mounting /d has 5 fields, no field 6"},
    {"fstab: missing mount point", FSTAB, "a /d ext4 x w\n", "/e", "4", "x", NULL, -ENOENT,
     "no line mounts /e"},
    {"fstab: the mount point changed before", FSTAB, "a /new ext4 x w\n", "/old", "2", "/new",
     "a /new ext4 x w\n", 0, NULL},
    {"fstab: a value must be one word", FSTAB, "a /d ext4 x w\n", "/d", "4", "a b", NULL, -EINVAL,
     "want one word"},
};

Test(textedit, table_each_twice)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *t = &cases[i];
		struct te_result r = {0}, r2 = {0};
		struct diag d = {{0}};
		int err = run(t, t->in, &r, &d);
		if (!t->want) {
			cr_expect_eq(err, t->err, "%s: %d (%s)", t->what, err, d.msg);
			cr_expect(strstr(d.msg, t->msg), "%s: \"%s\" lacks \"%s\"", t->what, d.msg,
				  t->msg);
			continue;
		}
		cr_assert_geq(err, 0, "%s: %s", t->what, d.msg);
		char *got = err ? strndup((const char *)r.out, r.outn) : strdup(t->in);
		cr_expect_str_eq(got, t->want, "%s", t->what);
		cr_expect_eq(err, strcmp(t->in, t->want) != 0, "%s: changed flag", t->what);
		/* again on the result: no change */
		int again = run(t, got, &r2, &d);
		cr_expect_eq(again, 0, "%s: not idempotent (%d: %s)", t->what, again, d.msg);
		if (again > 0)
			free(r2.out);
		free(got);
		free(r.out);
	}
}
