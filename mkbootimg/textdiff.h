/* textdiff.h - a line diff (Myers' O(ND) greedy algorithm), for showing what
 * changed between two text files of two stock images (init.rc, fstab, .kl,
 * .idc, a kernel .config) as a unified diff.
 *
 * E. W. Myers, "An O(ND) Difference Algorithm and Its Variations",
 * Algorithmica 1 (1986): the furthest-reaching path on each diagonal, one
 * round per edit; the rounds are kept to walk the edit script back. Bounded:
 * at most TEXTDIFF_MAX_EDITS edits (and TEXTDIFF_MAX_LINES lines a side);
 * past that the caller is told the texts differ too much to show.
 */
#ifndef BOOTKIT_TEXTDIFF_H
#define BOOTKIT_TEXTDIFF_H

#include <stdbool.h>
#include <stddef.h>

#define TEXTDIFF_MAX_LINES 200000u
#define TEXTDIFF_MAX_EDITS 4000u
#define TEXTDIFF_CONTEXT   3u

/* Does this look like text: no NUL, mostly printable, at most 1 MiB? */
bool textdiff_is_text(const char *p, size_t n);

/*
 * The unified diff of a (na bytes) and b (nb bytes), labelled la and lb,
 * into a malloc'ed NUL-terminated *out. Returns 0 (an empty *out when the
 * texts are equal), -E2BIG when the texts differ by more than
 * TEXTDIFF_MAX_EDITS lines or are too long, -ENOMEM.
 */
int textdiff_unified(const char *a, size_t na, const char *b, size_t nb, const char *la,
		     const char *lb, char **out);

#endif
