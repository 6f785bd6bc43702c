#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int diag_set(struct diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (d) {
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

void diag_prefix(struct diag *d, const char *fmt, ...)
{
	char head[DIAG_MSG_MAX], old[DIAG_MSG_MAX];
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, d->msg, sizeof(old));
	size_t n = strlen(head);
	if (n > sizeof(d->msg) - 3)
		n = sizeof(d->msg) - 3;
	memcpy(d->msg, head, n);
	memcpy(d->msg + n, ": ", 2);
	n += 2;
	size_t rest = strnlen(old, sizeof(old) - 1);
	if (rest > sizeof(d->msg) - 1 - n)
		rest = sizeof(d->msg) - 1 - n;
	memcpy(d->msg + n, old, rest);
	d->msg[n + rest] = 0;
}
