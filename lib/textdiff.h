/* textdiff.h - a line diff (Myers' O(ND) algorithm in linear space), for
 * showing what changed between two text files of two stock images (init.rc,
 * fstab, .kl, .idc, a kernel .config) as a unified diff.
 *
 * E. W. Myers, "An O(ND) Difference Algorithm and Its Variations",
 * Algorithmica 1 (1986): the furthest-reaching path on each diagonal, one
 * round per edit, searched from both ends to the "middle snake" that splits
 * the problem in two (section 4b), so memory is linear (the lines, the
 * script, and arrays as long as the edits allowed), never edits squared.
 * Lines shared at both ends are taken off first. Bounded: at most
 * TEXTDIFF_MAX_EDITS edits, TEXTDIFF_MAX_LINES lines a side, and a budget of
 * search steps (one per line compared or diagonal extended) for one diff and
 * for all those of a caller; past any of them the caller is told the texts
 * differ too much to show, and says how (textdiff_summary).
 */
#ifndef BOOTKIT_TEXTDIFF_H
#define BOOTKIT_TEXTDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXTDIFF_MAX_LINES 200000u
#define TEXTDIFF_MAX_EDITS 4000u
#define TEXTDIFF_CONTEXT   3u
#define TEXTDIFF_WORK	   (16u << 20) /* search steps for one diff: tens of ms */

/* Does this look like text: no NUL, mostly printable, at most 1 MiB? */
bool textdiff_is_text(const char *p, size_t n);

/*
 * The unified diff of a (na bytes) and b (nb bytes), labelled la and lb,
 * into a malloc'ed NUL-terminated *out. *work (NULL: none) is the caller's
 * budget of search steps for all its diffs: this one takes at most
 * TEXTDIFF_WORK of it, and what it took is subtracted. Returns 0 (an empty
 * *out when the texts are equal), -E2BIG when the texts differ by more than
 * TEXTDIFF_MAX_EDITS lines, are too long or the budget runs out, -ENOMEM.
 */
int textdiff_unified(const char *a, size_t na, const char *b, size_t nb, const char *la,
		     const char *lb, uint64_t *work, char **out);

/* What a diff too big to show says instead: the lines of each side and
 * where they first differ ("1200 lines -> 1250 lines, first difference at
 * line 17"), into out (cap bytes). */
void textdiff_summary(const char *a, size_t na, const char *b, size_t nb, char *out, size_t cap);

#endif
