/* lib/strfmt: a cut is an error (strfmt, strfmt_add) or marked "..."
 * (strfmt_show, strfmt_show_add), never silent; lib/diag's messages follow
 * the second rule. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diag.h"
#include "lib/strfmt.h"

Test(strfmt, used_text_fits_or_is_refused)
{
	static const struct {
		size_t cap;
		const char *in;
		int rc;
		const char *out;
	} t[] = {
	    {8, "abc", 3, "abc"},
	    {8, "1234567", 7, "1234567"},	/* exactly full */
	    {8, "12345678", -ENAMETOOLONG, ""}, /* one more: refused, nothing left behind */
	    {1, "", 0, ""},
	    {1, "a", -ENAMETOOLONG, ""},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char b[16];

		memset(b, '#', sizeof(b));
		cr_expect_eq(strfmt(b, t[i].cap, "%s", t[i].in), t[i].rc, "[%zu]", i);
		cr_expect_str_eq(b, t[i].out, "[%zu]", i);
	}
	cr_expect_eq(strfmt(NULL, 0, "x"), -ENAMETOOLONG);
}

Test(strfmt, add_keeps_the_text_when_refused)
{
	char b[8];
	size_t n = 0;

	cr_expect_eq(strfmt_add(b, sizeof(b), &n, "abc"), 3);
	cr_expect_eq(strfmt_add(b, sizeof(b), &n, "%s", "123456"), -ENAMETOOLONG);
	cr_expect_eq(n, 3);
	cr_expect_str_eq(b, "abc");
	cr_expect_eq(strfmt_add(b, sizeof(b), &n, "%d", 1234), 7);
	cr_expect_str_eq(b, "abc1234");
	cr_expect_eq(strfmt_add(b, sizeof(b), &n, "%s", ""), 7);
	cr_expect_eq(strfmt_add(b, sizeof(b), &n, "x"), -ENAMETOOLONG);
	cr_expect_eq(n, 7);
	cr_expect_str_eq(b, "abc1234");
}

Test(strfmt, shown_text_marks_a_cut)
{
	static const struct {
		size_t cap;
		const char *in;
		size_t n;
		const char *out;
	} t[] = {
	    {8, "abc", 3, "abc"},  {8, "1234567", 7, "1234567"}, {8, "12345678", 7, "1234..."},
	    {4, "abcd", 3, "..."}, {3, "abcd", 2, "ab"}, /* no room for the dots */
	    {1, "abcd", 0, ""},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char b[16];

		memset(b, '#', sizeof(b));
		cr_expect_eq(strfmt_show(b, t[i].cap, "%s", t[i].in), t[i].n, "[%zu]", i);
		cr_expect_str_eq(b, t[i].out, "[%zu]", i);
	}
	cr_expect_eq(strfmt_show(NULL, 0, "x"), 0);
}

Test(strfmt, shown_text_stays_cut)
{
	char b[10];
	size_t n = 0;

	cr_expect_eq(strfmt_show_add(b, sizeof(b), &n, "%s", "abc"), 3);
	cr_expect_eq(strfmt_show_add(b, sizeof(b), &n, "%s", "defghi"), 9); /* exactly full */
	cr_expect_str_eq(b, "abcdefghi");
	cr_expect_eq(strfmt_show_add(b, sizeof(b), &n, "%s", ""), 9);
	cr_expect_str_eq(b, "abcdefghi", "nothing added: not a cut");
	cr_expect_eq(strfmt_show_add(b, sizeof(b), &n, "j"), 9);
	cr_expect_str_eq(b, "abcdef...");
	cr_expect_eq(strfmt_show_add(b, sizeof(b), &n, "k"), 9);
	cr_expect_str_eq(b, "abcdef...");
	cr_expect_eq(n, 9);
}

Test(strfmt, diag_messages_are_cut_visibly)
{
	char big[2 * DIAG_MSG_MAX];
	struct diag d;

	cr_expect_eq(diag_set(&d, -EINVAL, "inner %d", 1), -EINVAL);
	diag_prefix(&d, "outer %s", "x");
	cr_expect_str_eq(d.msg, "outer x: inner 1");
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	diag_set(&d, -EINVAL, "%s: too short", big);
	cr_expect_eq(strlen(d.msg), DIAG_MSG_MAX - 1);
	cr_expect(strstr(d.msg, "b...b") != NULL, "the middle goes: %s", d.msg);
	cr_expect_str_eq(d.msg + DIAG_MSG_MAX - 1 - strlen(": too short"), ": too short",
			 "a long path does not push the reason out");
	cr_expect_eq(d.msg[0], 'b');
	diag_set(&d, -EINVAL, "short");
	diag_prefix(&d, "%s", big);
	cr_expect_eq(strlen(d.msg), DIAG_MSG_MAX - 1);
	cr_expect_str_eq(d.msg + DIAG_MSG_MAX - 1 - strlen(": short"), ": short",
			 "a long prefix is cut in its middle, the reason kept");
	diag_set(&d, -EINVAL, "exactly");
	memset(big, 'c', DIAG_MSG_MAX - 1 - strlen(": exactly"));
	big[DIAG_MSG_MAX - 1 - strlen(": exactly")] = 0;
	diag_prefix(&d, "%s", big);
	cr_expect_eq(strlen(d.msg), DIAG_MSG_MAX - 1);
	cr_expect(strstr(d.msg, "...") == NULL, "what fits is not cut");
}

/* strbuf: grows from nothing, never cuts, keeps every piece in order. */
Test(strfmt, strbuf_grows_without_cutting)
{
	struct strbuf b = {0};
	char want[64 * 1024 + 1];
	size_t n = 0;

	for (unsigned i = 0; i < 8192; i++) {
		strbuf_add(&b, "%07u\n", i);
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%07u\n", i);
	}
	cr_assert(!b.oom);
	cr_expect_eq(b.n, n);
	cr_expect_eq(strlen(b.p), n);
	cr_expect_str_eq(b.p, want);
	strbuf_add(&b, "%s", "");
	cr_expect_eq(b.n, n, "an empty piece adds nothing");
	strbuf_put(&b, "a\0b", 3); /* any bytes */
	cr_expect_eq(b.n, n + 3);
	cr_expect(!memcmp(b.p + n, "a\0b", 4), "the bytes, then a NUL");
	free(b.p);
}
