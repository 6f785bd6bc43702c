/* diag.h - error messages with a place.
 *
 * Library functions return 0 or a negative errno value and, on error, leave a
 * one-line description in a caller-owned struct diag: the field, its offset
 * and what was wrong ("ramdisk_size @0x10 points past the end (file is 12288
 * bytes)"). The library never prints; CLIs prefix the file name and print.
 * A message longer than DIAG_MSG_MAX - 1 bytes loses its middle, marked
 * "...": its start (the place) and its end (the reason) are kept, so a long
 * path in front of a reason cannot push the reason out (strfmt.h: a message
 * is text only shown).
 */
#ifndef BOOTKIT_DIAG_H
#define BOOTKIT_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#define DIAG_MSG_MAX 320
/* A message is formatted whole, up to this, before it is fitted into msg. */
#define DIAG_FORMAT_MAX 8192

struct diag {
	char msg[DIAG_MSG_MAX];
};

/* Format a message into d (if d is not NULL) and return err (negative errno). */
int diag_set(struct diag *d, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The same with a va_list. */
int diag_vset(struct diag *d, int err, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Append ": <msg>" context in front: "ctx: old message". */
void diag_prefix(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
