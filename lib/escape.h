/* escape.h - names shown safely.
 *
 * A name from an archive or a spec may hold any byte but NUL. Printed raw, a
 * newline forges a line of a listing (and of what parses it) and ESC starts a
 * terminal command. Shown names are escaped as GNU `ls -b` does in the C
 * locale: printable ASCII as it is, a backslash doubled, \a \b \t \n \v \f \r
 * as C escapes, any other byte (controls, DEL, 0x80-0xff) as three octal
 * digits ("\033"). Spaces stay. The spec parser reads the same escapes inside
 * "quoted parts", so a shown name pasted into a quoted spec field is the name.
 */
#ifndef BOOTKIT_ESCAPE_H
#define BOOTKIT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/* The longest name shown in full in a message (longer ones are cut with "..."). */
#define ESC_SHOW_MAX 200

/*
 * Escape the n bytes at s into out (at most cap bytes, always NUL-terminated
 * when cap > 0). With quote, '"' is escaped too (\"), for a quoted spec field.
 * Returns the length the whole escaped text needs, without the NUL (as
 * snprintf does): the output was cut when the result is >= cap.
 */
size_t esc_bytes(char *out, size_t cap, const void *s, size_t n, bool quote);

/* s escaped for a message, cut with "..." past ESC_SHOW_MAX bytes; returns out. */
const char *esc_show(char out[ESC_SHOW_MAX], const char *s);

/* True when s needs no escaping (every byte printable ASCII, no backslash). */
bool esc_plain(const char *s);

#endif
