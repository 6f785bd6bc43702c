/* textedit.h - AnyKernel-style edits of a text file's lines (issue 18.2).
 *
 * The edits porters make to a stock ramdisk's init.rc, fstab and
 * default.prop, each written so that running it again changes nothing: a
 * script of them can run twice. A line is the bytes up to '\n' (or the end);
 * a '\r' before the '\n' is kept with it and ignored when comparing; a new
 * line takes the ending of the line it replaces ("\n" for an added one).
 *
 * Each function reads n bytes at p and returns 1 with *out (malloc'ed,
 * *outn bytes) when the text changed, 0 when it is already as asked (no
 * change; *why then says why, for a note), or -errno with d saying what is
 * missing (-ENOENT) or wrong (-EINVAL). They never print.
 */
#ifndef BOOTKIT_TEXTEDIT_H
#define BOOTKIT_TEXTEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

struct te_result {
	uint8_t *out;
	size_t outn;
	const char *why; /* a no-op's reason (static text) */
};

/* Every line containing pattern (a substring; with regex a POSIX extended
 * regular expression, regcomp) becomes the line text. No line matching: a
 * no-op when a line equal to text is there (applied before), else -ENOENT. */
int te_replace(const uint8_t *p, size_t n, const char *pattern, bool regex, const char *text,
	       struct te_result *r, struct diag *d);

/* Every line containing pattern (or matching it, with regex) removed. None:
 * a no-op (so a script can run twice; *why says so). */
int te_remove(const uint8_t *p, size_t n, const char *pattern, bool regex, struct te_result *r,
	      struct diag *d);

/* Every section, from a line containing begin to the next line (after it)
 * containing end, inclusive, becomes the lines text[0..ntext-1]. No line
 * containing begin: a no-op when the text lines are there in a row, else
 * -ENOENT; a begin line with no end line after it: -ENOENT. */
int te_replace_section(const uint8_t *p, size_t n, const char *begin, const char *end,
		       const char *const *text, size_t ntext, struct te_result *r, struct diag *d);

/* Every such section removed; none: a no-op; a begin without an end: -ENOENT. */
int te_remove_section(const uint8_t *p, size_t n, const char *begin, const char *end,
		      struct te_result *r, struct diag *d);

/* A KEY=VALUE properties file: every line setting key (spaces around the
 * '=' allowed, '#' comments skipped) becomes "key=value"; none: the line is
 * added at the end. */
int te_prop_set(const uint8_t *p, size_t n, const char *key, const char *value, struct te_result *r,
		struct diag *d);

/* Every line setting key removed; none: a no-op. */
int te_prop_remove(const uint8_t *p, size_t n, const char *key, struct te_result *r,
		   struct diag *d);

/* An fstab field by number (1-6) or name: device 1, mountpoint 2, type 3,
 * options (flags, mnt_flags) 4, dump (fs_mgr_flags: Android's fifth) 5,
 * pass 6. 0 for a name it does not know. */
unsigned te_fstab_field(const char *name);

/* In every line (not a comment) whose second field is mountpoint, field
 * (1-based) becomes value (one word); its spacing is kept. No such line:
 * -ENOENT (a no-op when field 2 was changed to value before); a line with
 * fewer fields: -EINVAL. */
int te_fstab(const uint8_t *p, size_t n, const char *mountpoint, unsigned field, const char *value,
	     struct te_result *r, struct diag *d);

#endif
