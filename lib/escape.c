#include "lib/escape.h"

#include <string.h>

static const char c_esc[] = "\a\b\t\n\v\f\r";
static const char c_let[] = "abtnvfr";

/* Bytes of the escaped form of c: 1, 2 or 4. */
static size_t esc_one(unsigned char c, bool quote, char buf[4])
{
	const char *e = c ? strchr(c_esc, c) : NULL;

	if (c == '\\' || (quote && c == '"')) {
		buf[0] = '\\';
		buf[1] = (char)c;
		return 2;
	}
	if (e) {
		buf[0] = '\\';
		buf[1] = c_let[e - c_esc];
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		buf[0] = (char)c;
		return 1;
	}
	buf[0] = '\\';
	buf[1] = (char)('0' + (c >> 6));
	buf[2] = (char)('0' + ((c >> 3) & 7));
	buf[3] = (char)('0' + (c & 7));
	return 4;
}

size_t esc_bytes(char *out, size_t cap, const void *s, size_t n, bool quote)
{
	const unsigned char *p = s;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char buf[4];
		size_t k = esc_one(p[i], quote, buf);
		if (cap && o + k < cap)
			memcpy(out + o, buf, k);
		else if (cap && o < cap)
			cap = o + 1; /* cut at a whole escape, never inside one */
		o += k;
	}
	if (cap)
		out[o < cap ? o : cap - 1] = 0;
	return o;
}

const char *esc_show(char out[ESC_SHOW_MAX], const char *s)
{
	size_t n = strlen(s);

	if (esc_bytes(out, ESC_SHOW_MAX, s, n, false) >= ESC_SHOW_MAX) {
		esc_bytes(out, ESC_SHOW_MAX - 3, s, n, false); /* cut at a whole escape */
		strcat(out, "...");
	}
	return out;
}

bool esc_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '\\')
			return false;
	return true;
}
