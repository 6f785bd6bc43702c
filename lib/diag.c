#include "lib/diag.h"

#include <stdarg.h>
#include <string.h>

#include "lib/strfmt.h"

int diag_set(struct diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (d) {
		va_start(ap, fmt);
		vstrfmt_show(d->msg, sizeof(d->msg), fmt, ap);
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
	vstrfmt_show(head, sizeof(head), fmt, ap); /* before d->msg changes: fmt may use it */
	va_end(ap);
	memcpy(old, d->msg, sizeof(old));
	old[sizeof(old) - 1] = 0;
	strfmt_show(d->msg, sizeof(d->msg), "%s: %s", head, old);
}
