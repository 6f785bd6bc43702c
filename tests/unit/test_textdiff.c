/* The line diff: minimal (as many - and + lines as the longest common
 * subsequence leaves, checked against a dynamic-programming LCS) and its
 * hunks re-applied give the second text back, on random texts. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textdiff.h"

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
		cr_assert_eq(textdiff_unified(ta, la, tb, lb, "a", "b", &patch), 0);
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
	cr_expect_eq(textdiff_unified(a, la, b, lb, "a", "b", &patch), -E2BIG);
	cr_expect(textdiff_is_text("abc\n", 4));
	cr_expect(!textdiff_is_text("a\0c", 3));
	free(a);
	free(b);
}
