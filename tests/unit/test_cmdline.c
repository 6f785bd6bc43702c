/* lib/cmdline: the kernel command line and /proc/bootconfig, as the init and
 * the probe read them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

static long get(const char *text, const char *key, char *out, size_t cap)
{
	return cmdline_get(text, strlen(text), key, out, cap);
}

Test(cmdline, semantics_pinned)
{
	static const struct {
		const char *text, *key;
		long rc;
		const char *val;
	} t[] = {
		{"a=1 lcm=1-otm8009a b", "lcm", 10, "1-otm8009a"},
		{"a=1\tlcm=x\nb=2", "b", 1, "2"},		  /* blanks and newlines split */
		{"lcm=\"1-otm 8009a\" x", "lcm", 11, "1-otm 8009a"}, /* quoted value: quotes dropped */
		{"\"lcm=1-otm 8009a\" x", "lcm", 11, "1-otm 8009a"}, /* a quoted word */
		{"x=1 x=2 x=3", "x", 1, "3"},			  /* the last one wins */
		{"x=\"a b\" x=c", "x", 1, "c"},
		{"ro rw", "rw", 0, ""}, /* a bare word: present, empty */
		{"rw=", "rw", 0, ""},
		{"ab=1", "a", -ENOENT, ""},
		{"a", "ab", -ENOENT, ""},
		{"", "a", -ENOENT, ""},
		{"   ", "a", -ENOENT, ""},
		{"a=b=c", "a", 3, "b=c"}, /* the first '=' splits */
		{"a=x\"y z\"", "a", 6, "x\"y z\""}, /* inner quotes stay, but hold the blank */
		{"a=\"", "a", 0, ""},
		{"a=\"\"", "a", 0, ""},
		{"a=\"unterminated b=2", "a", 16, "unterminated b=2"},
		{"\"rw\"", "rw", 0, ""},
		{"=v", "", -ENOENT, ""}, /* an empty key is never found */
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char v[64] = "junk";
		long rc = get(t[i].text, t[i].key, v, sizeof(v));
		cr_expect_eq(rc, t[i].rc, "[%zu] %s / %s: %ld", i, t[i].text, t[i].key, rc);
		cr_expect_str_eq(v, t[i].val, "[%zu] %s / %s", i, t[i].text, t[i].key);
	}
}

Test(cmdline, bounded_by_len_and_cap)
{
	char v[4];
	const char text[] = "a=1 b=22 c=333";

	cr_expect_eq(cmdline_get(text, 3, "a", v, sizeof(v)), 1); /* len stops before " b" */
	cr_expect_eq(cmdline_get(text, 3, "b", v, sizeof(v)), -ENOENT);
	cr_expect_eq(cmdline_get(text, 2, "a", v, sizeof(v)), 0, "\"a=\": cut by len");
	cr_expect_eq(get(text, "c", v, sizeof(v)), 3);
	cr_expect_eq(get("c=4444", "c", v, sizeof(v)), -ENOSPC, "no silent cut");
	cr_expect_str_eq(v, "");
	cr_expect(cmdline_has(text, strlen(text), "b"));
	cr_expect_not(cmdline_has(text, strlen(text), "d"));
	/* a NUL byte is a blank: a fixture cannot hide a key behind one */
	cr_expect_eq(cmdline_get("a=1\0b=2", 7, "b", v, sizeof(v)), 1);
}

Test(cmdline, truncation_sweep)
{
	const char text[] = "console=ttyMT0 lcm=\"1-hx 8389b\" x=1 rw \"q=a b\" x=2";
	struct cmdline_word w;

	/* every prefix parses without reading past it */
	for (size_t n = 0; n <= sizeof(text) - 1; n++) {
		char *cut = malloc(n ? n : 1);
		size_t pos = 0;
		unsigned words = 0;
		memcpy(cut, text, n);
		while (cmdline_next(cut, n, &pos, &w)) {
			cr_assert_leq(pos, n);
			cr_assert(w.key >= cut && w.key + w.klen <= cut + n);
			cr_assert(!w.has_val || (w.val >= cut && w.val + w.vlen <= cut + n));
			words++;
		}
		cr_expect_leq(words, 6);
		free(cut);
	}
}

static long bc(const char *text, const char *key, char *out, size_t cap, unsigned *n)
{
	return bootconfig_get(text, strlen(text), key, out, cap, n);
}

Test(cmdline, bootconfig_as_proc_prints_it)
{
	const char text[] = "androidboot.x = \"y\"\n"
			    "androidboot.hardware = \"mt6572\"\n"
			    "androidboot.list = \"a\", \"b c\", \"d\"\n"
			    "androidboot.q = 'say \"hi\"'\n"
			    "androidboot.empty = \"\"\n"
			    "androidboot.nl = \"two\nlines\"\n"
			    "androidboot.plain = bare words \n"
			    "androidboot.x = \"z\"\n";
	char v[64];
	unsigned n;

	cr_expect_eq(bc(text, "androidboot.hardware", v, sizeof(v), &n), 6);
	cr_expect_str_eq(v, "mt6572");
	cr_expect_eq(n, 1);
	cr_expect_eq(bc(text, "androidboot.list", v, sizeof(v), &n), 7, "values NUL-separated");
	cr_expect_eq(n, 3);
	cr_expect(!memcmp(v, "a\0b c\0d", 8));
	cr_expect_eq(bc(text, "androidboot.q", v, sizeof(v), &n), 8);
	cr_expect_str_eq(v, "say \"hi\"");
	cr_expect_eq(bc(text, "androidboot.empty", v, sizeof(v), &n), 0);
	cr_expect_eq(n, 1);
	cr_expect_eq(bc(text, "androidboot.nl", v, sizeof(v), &n), 9, "a newline inside quotes");
	cr_expect_str_eq(v, "two\nlines");
	cr_expect_eq(bc(text, "androidboot.plain", v, sizeof(v), &n), 10);
	cr_expect_str_eq(v, "bare words");
	cr_expect_eq(bc(text, "androidboot.x", v, sizeof(v), &n), 1, "the last line wins");
	cr_expect_str_eq(v, "z");
	cr_expect_eq(bc(text, "androidboot", v, sizeof(v), &n), -ENOENT);
	cr_expect_eq(bc(text, "hardware", v, sizeof(v), &n), -ENOENT);
	cr_expect_eq(bc(text, "androidboot.list", v, 4, &n), -ENOSPC);
	cr_expect_str_eq(v, "");
}

Test(cmdline, bootconfig_truncation_sweep)
{
	const char text[] = "a.b = \"x\", \"y\"\nc = 'q\"'\nd = \"unterminated\n";

	for (size_t n = 0; n <= sizeof(text) - 1; n++) {
		char *cut = malloc(n ? n : 1), v[32];
		memcpy(cut, text, n);
		long r1 = bootconfig_get(cut, n, "a.b", v, sizeof(v), NULL);
		cr_expect(r1 == -ENOENT || (r1 >= 0 && r1 <= 3), "%zu: %ld", n, r1);
		long r2 = bootconfig_get(cut, n, "d", v, sizeof(v), NULL);
		cr_expect(r2 == -ENOENT || (r2 >= 0 && (size_t)r2 < sizeof(v)));
		free(cut);
	}
}
