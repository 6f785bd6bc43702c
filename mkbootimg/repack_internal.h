/* repack_internal.h - what the repack library's files (repack.c, the source
 * and the changes; repack_edit.c, the command-line and bootconfig edits;
 * repack_write.c, the copy, the plan and the writing) share. Not for its
 * users: repack.h is. */
#ifndef BOOTKIT_REPACK_INTERNAL_H
#define BOOTKIT_REPACK_INTERNAL_H

#include <stdbool.h>

#include "lib/diag.h"
#include "lib/strfmt.h"
#include "mkbootimg/repack.h"

/* Keep a note for the caller (info: a fact, else a warning). */
void repack_note(struct repack *rp, bool info, const char *fmt, ...) STRFMT_CHECK(3, 4);
/* "out of memory", -ENOMEM. */
int repack_nomem(struct diag *d);
/* A request this image cannot take: sets rp->usage, returns -EINVAL. */
int repack_usage(struct repack *rp, struct diag *d, const char *fmt, ...) STRFMT_CHECK(3, 4);
/* repack_edit.c: the --cmdline-* edits on the header's command line, the
 * --bootconfig-* edits on a vendor_boot v4's bootconfig section. */
int repack_apply_cmdline_edits(struct repack *rp, const struct repack_changes *c, struct diag *d);
int repack_apply_bootconfig_edits(struct repack *rp, const struct repack_changes *c,
				  struct diag *d);

#endif
