/* spec_internal.h - what the spec parser (spec.c: lines, tokens,
 * attributes, entries) and its statements (spec_edit.c: exact, trailer,
 * compression, rm, mv, insert and the text edits) share. Internal to
 * ramdisk/: ramdisk.h is the interface. */
#ifndef BOOTKIT_SPEC_INTERNAL_H
#define BOOTKIT_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "lib/strfmt.h"
#include "ramdisk/ramdisk.h"
#include "ramdisk/textedit.h"

#define SPEC_MAX_TOKENS 40

struct spec_ctx {
	struct ramdisk *rd;
	const char *file, *base;
	int line;
	bool edits;
	char *tok[SPEC_MAX_TOKENS];
	unsigned ntok;
	const char *rest; /* original text from token 3 on (insert) */
	struct diag *d;
};

enum attr {
	A_INO,
	A_NLINK,
	A_MTIME,
	A_DEV,
	A_RDEV,
	A_MODE,
	A_SIZE,
	A_CHECK,
	A_MAGIC,
	A_UID,
	A_GID,
	A_PAD,
	A_ALIGN,
	A_HEX,
	A_COUNT
};
#define ENTRY_ATTRS                                                                                \
	(1u << A_INO | 1u << A_NLINK | 1u << A_MTIME | 1u << A_DEV | 1u << A_RDEV | 1u << A_MODE | \
	 1u << A_CHECK | 1u << A_MAGIC | 1u << A_HEX)
#define TRAILER_ATTRS (ENTRY_ATTRS | 1u << A_UID | 1u << A_GID | 1u << A_PAD | 1u << A_ALIGN)

struct attrs {
	unsigned has; /* 1 << enum attr */
	uint32_t v[A_COUNT], minor[A_COUNT];
	uint64_t pad;
};

/* What the attributes say, over what the line's fields gave. */
int apply_attrs(struct spec_ctx *s, struct rd_entry *e, const struct attrs *a);

/* Token i as an entry name (checked, normalized) into out. */
int name_arg(struct spec_ctx *s, unsigned i, char *out, size_t cap);

/* The parent of name must exist as a folder (or be the root). */
int need_parent(struct spec_ctx *s, const char *name);

/* Tokens from `from` on: KEY=VALUE, each KEY at most once, from `allowed`. */
int parse_attrs(struct spec_ctx *s, unsigned from, unsigned allowed, struct attrs *a);

/* "FILE:LINE: message" into s->d; returns err. */
int spec_err(struct spec_ctx *s, int err, const char *fmt, ...) STRFMT_CHECK(3, 4);

/* compression COMP[:LEVEL]: what pack writes when -c does not say. */
int spec_compression(struct spec_ctx *s);

/* exact: the lines are an archive, in order (ramdisk.h). */
int spec_exact(struct spec_ctx *s);

/* insert NAME WHERE TEXT: a line into a text entry. */
int spec_insert(struct spec_ctx *s);

/* mv FROM TO: an entry (a folder with what is under it) renamed. */
int spec_mv(struct spec_ctx *s);

/* rm NAME, rmtree NAME (with what is under it). */
int spec_rm(struct spec_ctx *s, bool tree);

/* A text edit (replace_string, insert_line...): 0 or -errno; 1 when tok[0]
 * names none. */
int spec_text(struct spec_ctx *s);

/* trailer [KEY=VALUE...]: the end of one of concatenated archives. */
int spec_trailer(struct spec_ctx *s);

#endif
