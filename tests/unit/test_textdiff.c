/* The line diff: minimal (as many - and + lines as the longest common
 * subsequence leaves, checked against a dynamic-programming LCS) and its
 * hunks re-applied give the second text back, on random texts. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/textdiff.h"

static size_t make(char *buf, const unsigned *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += (size_t)sprintf(buf + k, "line %u\n", v[i]);
	return k;
}

static size_t lcs(const unsigned *a, size_t n, const unsigned *b, size_t m)
{
	size_t *t = calloc((n + 1) * (m + 1), sizeof(*t)), r;

	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++)
			t[i * (m + 1) + j] = a[i - 1] == b[j - 1] ? t[(i - 1) * (m + 1) + j - 1] + 1
					     : t[(i - 1) * (m + 1) + j] > t[i * (m + 1) + j - 1]
						 ? t[(i - 1) * (m + 1) + j]
						 : t[i * (m + 1) + j - 1];
	r = t[n * (m + 1) + m];
	free(t);
	return r;
}

/* Apply the hunks to a's lines: b's lines, in order. */
static void apply(const unsigned *a, size_t n, const char *patch, unsigned *out, size_t *m)
{
	const char *p = strstr(patch, "\n+++ ");
	size_t ai = 0, k = 0;

	p = p ? strchr(p + 1, '\n') + 1 : patch;
	while (*p) {
		const char *e = strchr(p, '\n');
		unsigned v;

		if (p[0] == '@') {
			size_t start;
			sscanf(p, "@@ -%zu", &start);
			while (ai + 1 < start) /* lines before the hunk: unchanged */
				out[k++] = a[ai++];
			if (strstr(p, ",0 +") && start)
				while (ai < start)
					out[k++] = a[ai++];
		} else if (p[0] == ' ') {
			out[k++] = a[ai++];
		} else if (p[0] == '-') {
			ai++;
		} else if (p[0] == '+' && sscanf(p + 1, "line %u", &v) == 1) {
			out[k++] = v;
		}
		p = e + 1;
	}
	while (ai < n)
		out[k++] = a[ai++];
	*m = k;
}

Test(textdiff, minimal_and_applies_on_random_texts)
{
	unsigned a[80], b[80], back[200];
	char ta[2000], tb[2000];

	srand(17);
	for (int round = 0; round < 400; round++) {
		size_t n = (size_t)(rand() % 60), m = (size_t)(rand() % 60), got, pm = 0, plus = 0;
		char *patch;

		for (size_t i = 0; i < n; i++)
			a[i] = (unsigned)(rand() % 5);
		for (size_t i = 0; i < m; i++)
			b[i] = rand() % 3 ? (i < n ? a[i] : 0) : (unsigned)(rand() % 5);
		size_t la = make(ta, a, n), lb = make(tb, b, m);
		cr_assert_eq(textdiff_unified(ta, la, tb, lb, "a", "b", NULL, &patch), 0);
		for (const char *p = patch; *p; p = strchr(p, '\n') + 1) {
			if (!strncmp(p, "--- ", 4) || !strncmp(p, "+++ ", 4))
				continue;
			pm += p[0] == '-';
			plus += p[0] == '+';
		}
		size_t l = lcs(a, n, b, m);
		cr_expect_eq(pm, n - l, "round %d: %zu deletions, LCS leaves %zu", round, pm,
			     n - l);
		cr_expect_eq(plus, m - l, "round %d: %zu insertions, LCS leaves %zu", round, plus,
			     m - l);
		apply(a, n, patch, back, &got);
		cr_expect(got == m && !memcmp(back, b, m * sizeof(*b)), "round %d: applied != b",
			  round);
		cr_expect_eq(*patch == 0, n == m && !memcmp(a, b, n * sizeof(*a)));
		free(patch);
	}
}

Test(textdiff, too_different_is_said)
{
	size_t n = 20000;
	char *a = malloc(n * 8), *b = malloc(n * 8), *patch;
	size_t la = 0, lb = 0;

	for (size_t i = 0; i < n; i++) {
		la += (size_t)sprintf(a + la, "a%zu\n", i);
		lb += (size_t)sprintf(b + lb, "b%zu\n", i);
	}
	cr_expect_eq(textdiff_unified(a, la, b, lb, "a", "b", NULL, &patch), -E2BIG);
	cr_expect(textdiff_is_text("abc\n", 4));
	cr_expect(!textdiff_is_text("a\0c", 3));
	free(a);
	free(b);
}

/* Longer random texts (recursion several levels deep): still minimal, still applies. */
Test(textdiff, minimal_on_longer_texts)
{
	static unsigned a[400], b[400], back[900];
	static char ta[8000], tb[8000];

	srand(26);
	for (int round = 0; round < 40; round++) {
		size_t n = 200 + (size_t)(rand() % 200), m = 0, got, pm = 0, plus = 0;
		char *patch;

		for (size_t i = 0; i < n; i++)
			a[i] = (unsigned)(rand() % 50);
		for (size_t i = 0; i < n && m < 400; i++) { /* b: a with edits */
			int r = rand() % 10;
			if (r == 0)
				continue; /* deleted */
			if (r == 1)	  /* inserted */
				b[m++] = (unsigned)(rand() % 50);
			if (m < 400)
				b[m++] = r == 2 ? (unsigned)(rand() % 50) : a[i];
		}
		size_t la = make(ta, a, n), lb = make(tb, b, m);
		cr_assert_eq(textdiff_unified(ta, la, tb, lb, "a", "b", NULL, &patch), 0);
		for (const char *p = patch; *p; p = strchr(p, '\n') + 1) {
			if (!strncmp(p, "--- ", 4) || !strncmp(p, "+++ ", 4))
				continue;
			pm += p[0] == '-';
			plus += p[0] == '+';
		}
		size_t l = lcs(a, n, b, m);
		cr_expect_eq(pm + plus, n + m - 2 * l, "round %d: not minimal", round);
		apply(a, n, patch, back, &got);
		cr_expect(got == m && !memcmp(back, b, m * sizeof(*b)), "round %d: applied != b",
			  round);
		free(patch);
	}
}

/* 190,000 lines with a few changed (issue 26.9): the shared ends are taken
 * off, the diff is exact; the budget of search steps bounds a diff whatever
 * the texts and is shared by the caller's diffs; the summary says how they
 * differ. */
Test(textdiff, long_files_budget_and_summary)
{
	size_t n = 190000, la = 0, lb = 0;
	char *a = malloc(n * 12), *b = malloc(n * 12), *patch, sum[128];
	uint64_t work;

	for (size_t i = 0; i < n; i++) {
		la += (size_t)sprintf(a + la, "l%zu\n", i);
		lb += (size_t)sprintf(b + lb, i == 100000 ? "changed\n" : "l%zu\n", i);
	}
	work = 1000;
	cr_assert_eq(textdiff_unified(a, la, b, lb, "a", "b", &work, &patch), 0);
	cr_expect(strstr(patch, "@@ -99998,7 +99998,7 @@\n l99997\n l99998\n l99999\n-l100000\n"
				"+changed\n"),
		  "%s", patch);
	cr_expect_lt(work, 1000u, "steps were taken from the budget");
	free(patch);
	/* every line different: too different, the budget spent, not the time */
	for (size_t i = 0; i < lb; i++)
		b[i] = b[i] == 'l' ? 'm' : b[i];
	work = 5000;
	cr_expect_eq(textdiff_unified(a, la, b, lb, "a", "b", &work, &patch), -E2BIG);
	cr_expect_eq(work, 0, "the budget is spent");
	cr_expect_eq(textdiff_unified("x\n", 2, "x\n", 2, "a", "b", &work, &patch), 0,
		     "equal texts need no step");
	cr_expect_str_eq(patch, "");
	free(patch);
	cr_expect_eq(textdiff_unified("x\n", 2, "y\n", 2, "a", "b", &work, &patch), -E2BIG,
		     "a spent budget refuses the next diff");
	textdiff_summary(a, la, "l0\nl1\nzz\n", 9, sum, sizeof(sum));
	cr_expect_str_eq(sum, "190000 lines -> 3 lines, first difference at line 3");
	free(a);
	free(b);
}
