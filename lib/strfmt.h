/* strfmt.h - formatting into a fixed buffer, never cut silently.
 *
 * The policy, for the host tools, the probe and the init alike: no bare
 * snprintf. What a cut means depends on what the text is for, and that picks
 * the function:
 *
 *   strfmt()       text that is used: a path opened or written, a name
 *                  compared or put into an image, an archive or sysfs, a key
 *                  looked up. A cut is an error: -ENAMETOOLONG and buf is "",
 *                  so a cut name can never be used by mistake. The caller
 *                  says which text did not fit, or takes its fallback.
 *
 *   strfmt_show()  text that is only read by a person: a message, a
 *                  description in info or diff output, a record or log line.
 *                  A cut is visible: the text ends with "..." (the last three
 *                  bytes that fit, when cap is at least 4). Never fails.
 *
 * The _add forms append at *len (the length so far, < cap), for text built in
 * pieces; the v forms take a va_list. Buffer sizes: textsize.h.
 *
 *   strbuf_add()   text of no fixed size (the unpack manifest, a unified
 *   strbuf_put()   diff, a spec, an edited file): the buffer grows, nothing is cut; out of memory
 * is remembered (oom) and said once, by the caller, at the end.
 *
 * (They also keep gcc's -Wformat-truncation=2 quiet: it looks at snprintf
 * calls, whose cuts these functions handle, not at calls through them.)
 */
#ifndef BOOTKIT_STRFMT_H
#define BOOTKIT_STRFMT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/textsize.h"

#define STRFMT_CHECK(f, a) __attribute__((format(printf, f, a)))

/* The length written (>= 0), or -ENAMETOOLONG when it does not fit in cap
 * bytes with its NUL (buf is then ""). */
int strfmt(char *buf, size_t cap, const char *fmt, ...) STRFMT_CHECK(3, 4);
int vstrfmt(char *buf, size_t cap, const char *fmt, va_list ap) STRFMT_CHECK(3, 0);

/* Append at *len: the new length (also in *len), or -ENAMETOOLONG with buf
 * and *len as they were. */
int strfmt_add(char *buf, size_t cap, size_t *len, const char *fmt, ...) STRFMT_CHECK(4, 5);

/* The length written: the whole text, or cap - 1 with the cut marked "...". */
size_t strfmt_show(char *buf, size_t cap, const char *fmt, ...) STRFMT_CHECK(3, 4);
size_t vstrfmt_show(char *buf, size_t cap, const char *fmt, va_list ap) STRFMT_CHECK(3, 0);

/* Append at *len: the new length (also in *len). Once cut, the text stays
 * cut: what is added later is dropped and the "..." kept. */
size_t strfmt_show_add(char *buf, size_t cap, size_t *len, const char *fmt, ...) STRFMT_CHECK(4, 5);
size_t vstrfmt_show_add(char *buf, size_t cap, size_t *len, const char *fmt, va_list ap)
    STRFMT_CHECK(4, 0);

/* A growing text: start from {0}; p is NUL-terminated once anything was
 * added; free(p) when done. After an allocation failure oom stays set and
 * later additions are dropped. */
struct strbuf {
	char *p;
	size_t n, cap;
	bool oom;
};
void strbuf_add(struct strbuf *b, const char *fmt, ...) STRFMT_CHECK(2, 3);
/* Append n bytes of s (any bytes; p stays NUL-terminated after them). */
void strbuf_put(struct strbuf *b, const void *s, size_t n);

#endif
