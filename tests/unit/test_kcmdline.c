/* lib/cmdline: the kernel command line and /proc/bootconfig, as the init and
 * the probe read them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kcmdline.h"
#include "lib/textsize.h"

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
	    {"a=1\tlcm=x\nb=2", "b", 1, "2"},			 /* blanks and newlines split */
	    {"lcm=\"1-otm 8009a\" x", "lcm", 11, "1-otm 8009a"}, /* quoted value: quotes dropped */
	    {"\"lcm=1-otm 8009a\" x", "lcm", 11, "1-otm 8009a"}, /* a quoted word */
	    {"x=1 x=2 x=3", "x", 1, "3"},			 /* the last one wins */
	    {"x=\"a b\" x=c", "x", 1, "c"},
	    {"ro rw", "rw", 0, ""}, /* a bare word: present, empty */
	    {"rw=", "rw", 0, ""},
	    {"ab=1", "a", -ENOENT, ""},
	    {"a", "ab", -ENOENT, ""},
	    {"", "a", -ENOENT, ""},
	    {"   ", "a", -ENOENT, ""},
	    {"a=b=c", "a", 3, "b=c"},		/* the first '=' splits */
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

Test(cmdline, edit_set_and_remove)
{
	static const struct {
		const char *text, *key, *word, *want;
	} t[] = {
	    {"a=1 lcm=x b", "lcm", "lcm=y", "a=1 lcm=y b"}, /* replaced in place */
	    {"a=1  b", "lcm", "lcm=y", "a=1  b lcm=y"},	    /* absent: appended */
	    {"", "lcm", "lcm=y", "lcm=y"},
	    {"a ", "lcm", "lcm=y", "a lcm=y"},			  /* no doubled blank */
	    {"x=1 a x=2 b x=3", "x", "x=9", "x=9 a b"},		  /* later ones dropped */
	    {"a \"x=1 2\" b", "x", "x=\"3 4\"", "a x=\"3 4\" b"}, /* quoted words */
	    {"a quiet b", "quiet", NULL, "a b"},		  /* removed */
	    {"quiet a b", "quiet", NULL, "a b"},		  /* the first word */
	    {"a b quiet", "quiet", NULL, "a b"},		  /* the last word */
	    {"x a x b x", "x", NULL, "a b"},			  /* every one */
	    {"x", "x", NULL, ""},
	    {"a  b", "x", NULL, "a  b"},	 /* absent: untouched */
	    {"xy=1 x", "x", NULL, "xy=1"},	 /* keys compare whole */
	    {"a=1\0b=2", "b", "b=3", "a=1 b=3"}, /* a header field ends at NUL */
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char out[64];
		long rc = cmdline_edit(t[i].text, strlen(t[i].text) + (i == 13 ? 4 : 0), t[i].key,
				       t[i].word, out, sizeof(out));
		cr_expect_eq(rc, (long)strlen(t[i].want), "[%zu] %ld", i, rc);
		cr_expect_str_eq(out, t[i].want, "[%zu] \"%s\"", i, t[i].text);
	}
	char small[6];
	cr_expect_eq(cmdline_edit("a=1", 3, "b", "b=2", small, sizeof(small)), -ENOSPC);
	cr_expect_str_eq(small, "");
}

Test(cmdline, bootconfig_edit_lines)
{
	static const struct {
		const char *text, *key, *val;
		long rc;
		const char *want;
	} t[] = {
	    {"a=1\nandroidboot.x=2\nb=3\n", "androidboot.x", "\"9\"", 0,
	     "a=1\nandroidboot.x=\"9\"\nb=3\n"},
	    {"a=1\n", "k", "v", 0, "a=1\nk=v\n"},
	    {"a=1", "k", "v", 0, "a=1\nk=v\n"}, /* no final newline */
	    {"# c\n  k = old\nk=again\n", "k", "new", 0, "# c\nk=new\n"},
	    {"a=1\nk=2\nb=3\n", "k", NULL, 0, "a=1\nb=3\n"},
	    {"a=1\nk=2", "k", NULL, 0, "a=1\n"},
	    {"a { k = 1 }\n", "a.k", "2", -ENOTSUP, ""},
	    {"a=1; k=2\n", "k", NULL, -ENOTSUP, ""},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char out[64];
		long rc = bootconfig_edit(t[i].text, strlen(t[i].text), t[i].key, t[i].val, out,
					  sizeof(out));
		cr_expect_eq(rc, t[i].rc ? t[i].rc : (long)strlen(t[i].want), "[%zu] %ld", i, rc);
		cr_expect_str_eq(out, t[i].want, "[%zu]", i);
	}
}

/* The init's settings: the command line wins over bootconfig, which wins over
 * init.conf (whose keys have no "bootkit."); quotes dropped; the last wins. */
Test(cmdline, settings_order)
{
	static const char cl[] = "a bootkit.budget=9 bootkit.dump=\"1 2\" bootkit.dump=\"3\" x\n";
	static const char bc[] = "bootkit.budget = \"8\"\nbootkit.watch = \"7\", \"6\"\n";
	static const char conf[] = "budget=5\nwatch=4\nhalt=poweroff\nbootkit.noprobe=1\n";
	const struct settings s = {.cmdline = cl,
				   .cmdline_len = sizeof(cl) - 1,
				   .bootconfig = bc,
				   .bootconfig_len = sizeof(bc) - 1,
				   .conf = conf,
				   .conf_len = sizeof(conf) - 1};
	const struct settings none = {0};
	char v[SETTING_MAX], small[2], longkey[LABEL_MAX];

	cr_expect_eq(setting_get(&s, "budget", v, sizeof(v)), 1);
	cr_expect_str_eq(v, "9"); /* the command line over bootconfig and init.conf */
	cr_expect_eq(setting_get(&s, "dump", v, sizeof(v)), 1);
	cr_expect_str_eq(v, "3"); /* the last one, its quotes dropped */
	cr_expect_eq(setting_get(&s, "watch", v, sizeof(v)), 3);
	cr_expect_str_eq(v, "7"); /* bootconfig over init.conf; an array: its values */
	cr_expect_eq(setting_get(&s, "halt", v, sizeof(v)), 8);
	cr_expect_str_eq(v, "poweroff");
	/* init.conf's keys are bare: its "bootkit.noprobe" is no noprobe */
	cr_expect_eq(setting_get(&s, "noprobe", v, sizeof(v)), -ENOENT);
	cr_expect_str_eq(v, "");
	cr_expect_eq(setting_get(&none, "budget", v, sizeof(v)), -ENOENT);
	cr_expect_eq(setting_get(&s, "halt", small, sizeof(small)), -ENOSPC);
	cr_expect_str_eq(small, "");
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = 0;
	cr_expect_eq(setting_get(&s, longkey, v, sizeof(v)), -ENAMETOOLONG);
	/* the longest name that fits "bootkit." and a NUL is looked up */
	longkey[LABEL_MAX - sizeof("bootkit.")] = 0;
	cr_expect_eq(setting_get(&s, longkey, v, sizeof(v)), -ENOENT);
	longkey[LABEL_MAX - sizeof("bootkit.")] = 'k';
	longkey[LABEL_MAX - sizeof("bootkit.") + 1] = 0;
	cr_expect_eq(setting_get(&s, longkey, v, sizeof(v)), -ENAMETOOLONG);
	cr_expect_eq(setting_get(&s, "", v, sizeof(v)), -ENAMETOOLONG);
}

/* /proc/cmdline ends with a newline the kernel's parser never saw: an
 * unclosed quote must not take it into the value. */
Test(cmdline, proc_newline)
{
	static const char t[] = "a bootkit.halt=\"poweroff\n";
	char v[16];
	size_t n = cmdline_proc_len(t, sizeof(t) - 1);

	cr_expect_eq(n, sizeof(t) - 2);
	cr_expect_eq(cmdline_get(t, n, "bootkit.halt", v, sizeof(v)), 8);
	cr_expect_str_eq(v, "poweroff");
	cr_expect_eq(cmdline_proc_len("x", 1), 1);
	cr_expect_eq(cmdline_proc_len("", 0), 0);
}

/* --cmdline-set's word (issue 26.12): what is accepted, the kernel's parser
 * (cmdline_next follows kernel/params.c) reads back as that one word with that
 * key and value; what it would split or read otherwise is refused, saying why. */
Test(cmdline, set_word_reads_back_or_is_refused)
{
	static const struct {
		const char *key, *val, *word, *why;
	} t[] = {
	    {"lcm", "1-otm 8009a", "lcm=\"1-otm 8009a\"", NULL},
	    {"a", "x\ty", "a=\"x\ty\"", NULL},
	    {"ro", NULL, "ro", NULL},
	    {"k", "", "k=", NULL},
	    {"k", "a\"b\"c", "k=a\"b\"c", NULL},
	    {"a", "x\vinit=/evil", NULL, "counts as a blank"},
	    {"a", "x\finit=/evil", NULL, "counts as a blank"},
	    {"a", "x\rinit=/evil", NULL, "counts as a blank"},
	    {"a", "x\ninit=/evil", NULL, "newline"},
	    {"a", "x\033", NULL, "control byte"},
	    {"a", "b\"c", NULL, "lone quote"},
	    {"a", "\"bc\"", NULL, "opens with a quote"},
	    {"a", "b \"c\"", NULL, "blanks and a quote"},
	    {"a\vinit", "/evil", NULL, "KEY holds a control byte"},
	    {"a b", "c", NULL, "KEY is empty or holds a blank"},
	    {"", "c", NULL, "KEY is empty"},
	    {"a\"", NULL, NULL, "a quote"},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char out[64], line[96];
		const char *why = NULL;
		long n = cmdline_word(t[i].key, t[i].val, out, sizeof(out), &why);

		if (!t[i].word) {
			cr_expect_eq(n, -EINVAL, "[%zu] accepted: %s", i, out);
			cr_expect(why && strstr(why, t[i].why), "[%zu] why: %s", i, why);
			continue;
		}
		cr_assert_eq(n, (long)strlen(t[i].word), "[%zu] %ld %s", i, n, why);
		cr_expect_str_eq(out, t[i].word, "[%zu]", i);
		/* read back between two other words: three words, the middle one as given */
		snprintf(line, sizeof(line), "x=1 %s y=2", out);
		size_t pos = 0, k = 0;
		struct cmdline_word w[4];
		while (k < 4 && cmdline_next(line, strlen(line), &pos, &w[k]))
			k++;
		cr_expect_eq(k, 3, "[%zu] %zu words in %s", i, k, line);
		cr_expect(w[1].klen == strlen(t[i].key) && !memcmp(w[1].key, t[i].key, w[1].klen),
			  "[%zu] key", i);
		if (t[i].val)
			cr_expect(w[1].vlen == strlen(t[i].val) &&
				      !memcmp(w[1].val, t[i].val, w[1].vlen),
				  "[%zu] value \"%.*s\"", i, (int)w[1].vlen, w[1].val);
	}
	char small[4];
	const char *why;
	cr_expect_eq(cmdline_word("abc", "def", small, sizeof(small), &why), -ENOSPC);
}

/* --bootconfig-set's value (issue 26.13): no newline or quote can end the
 * line early or open a string that swallows the lines after it. */
Test(cmdline, bootconfig_value_reads_back_or_is_refused)
{
	static const struct {
		const char *val, *out, *why;
	} t[] = {
	    {"ttyS0", "ttyS0", NULL},
	    {"A B", "\"A B\"", NULL},
	    {"say \"hi\"", "'say \"hi\"'", NULL},
	    {"'quoted'", "'quoted'", NULL},
	    {"\"a b\"", "\"a b\"", NULL},
	    {"", "\"\"", NULL},
	    {"a\nb=c", NULL, "newline"},
	    {"a\033", NULL, "control byte"},
	    {"\"open", NULL, "must end with its quote"},
	    {"\"a\"b\"", NULL, "hold no other"},
	    {"'", NULL, "must end with its quote"},
	    {"a'b\"c", NULL, "both quotes"},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char out[64], text[128], got[64];
		const char *why = NULL;
		long n = bootconfig_value(t[i].val, out, sizeof(out), &why);

		if (!t[i].out) {
			cr_expect_eq(n, -EINVAL, "[%zu] accepted: %s", i, out);
			cr_expect(why && strstr(why, t[i].why), "[%zu] why: %s", i, why);
			continue;
		}
		cr_assert_eq(n, (long)strlen(t[i].out), "[%zu] %s", i, why);
		cr_expect_str_eq(out, t[i].out, "[%zu]", i);
		/* read back: the value, and the next line's key still its own */
		snprintf(text, sizeof(text), "k=%s\nnext=1\n", out);
		long g = bootconfig_get(text, strlen(text), "k", got, sizeof(got), NULL);
		const char *want =
		    t[i].val[0] == '"' || t[i].val[0] == '\'' ? t[i].out + 1 : t[i].val;
		size_t wl = t[i].val[0] == '"' || t[i].val[0] == '\'' ? strlen(t[i].out) - 2
								      : strlen(t[i].val);
		cr_expect(g == (long)wl && !memcmp(got, want, wl), "[%zu] read back %ld \"%s\"", i,
			  g, got);
		cr_expect_eq(bootconfig_get(text, strlen(text), "next", got, sizeof(got), NULL), 1,
			     "[%zu] next", i);
	}
	const char *why;
	cr_expect_eq(bootconfig_key_check("androidboot.serialno", &why), 0);
	cr_expect_eq(bootconfig_key_check("a..b", &why), -EINVAL);
	cr_expect_eq(bootconfig_key_check("a.b=", &why), -EINVAL);
	cr_expect_eq(bootconfig_key_check("a\nb", &why), -EINVAL);
	cr_expect_eq(bootconfig_key_check("", &why), -EINVAL);
	cr_expect_eq(bootconfig_key_check(".a", &why), -EINVAL);
}
