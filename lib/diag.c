#include "lib/diag.h"

#include <stdarg.h>
#include <string.h>

#include "lib/strfmt.h"

/* Put the n-byte text s into d->msg; when it does not fit, its middle goes
 * ("..."): the start names the place, the end says what was wrong, and a long
 * path between them is what a reader can spare. */
static void diag_fit(struct diag *d, const char *s, size_t n)
{
	size_t cap = sizeof(d->msg), head, tail;

	if (n < cap) {
		memcpy(d->msg, s, n + 1);
		return;
	}
	head = (cap - 4) / 3;
	tail = cap - 4 - head;
	memcpy(d->msg, s, head);
	memcpy(d->msg + head, "...", 3);
	memcpy(d->msg + head + 3, s + n - tail, tail);
	d->msg[cap - 1] = 0;
}

int diag_vset(struct diag *d, int err, const char *fmt, va_list ap)
{
	char text[DIAG_FORMAT_MAX];

	if (d)
		diag_fit(d, text, vstrfmt_show(text, sizeof(text), fmt, ap));
	return err;
}

int diag_set(struct diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vset(d, err, fmt, ap);
	va_end(ap);
	return err;
}

void diag_prefix(struct diag *d, const char *fmt, ...)
{
	char text[DIAG_FORMAT_MAX];
	va_list ap;
	size_t n;

	if (!d)
		return;
	va_start(ap, fmt);
	n = vstrfmt_show(text, sizeof(text), fmt, ap); /* before d->msg changes: fmt may use it */
	va_end(ap);
	d->msg[sizeof(d->msg) - 1] = 0;
	strfmt_show_add(text, sizeof(text), &n, ": %s", d->msg);
	diag_fit(d, text, n);
}
