/* merge.c - what a folder holds that a ramdisk lacks. See merge.h. */
#include "ramdisk/merge.h"

#include <errno.h>
#include <string.h>

#include "ramdisk/rd_internal.h"

int rd_add_missing(struct ramdisk *rd, const char *dir, unsigned *added, struct diag *d)
{
	struct ramdisk t;
	unsigned n = 0;
	int r;

	if (added)
		*added = 0;
	rd_init(&t, rd->mtime);
	if ((r = rd_add_tree(&t, dir, d)) < 0 || (r = rd_sort(&t)) < 0) {
		if (r == -ENOMEM)
			diag_set(d, r, "out of memory");
		rd_free(&t);
		return r;
	}
	/* into the last archive, before its trailer (an exact spec leaves the
	 * current archive past it) */
	if (rd->ntr && rd->cur_arch >= rd->ntr)
		rd->cur_arch = (unsigned)rd->ntr - 1;
	for (size_t i = 0; i < t.n; i++) {
		struct rd_entry *s = &t.v[i], *e;

		if (!*s->name || rd_find(rd, s->name) >= 0)
			continue;
		if (!(e = rd_push(rd, s->name))) {
			rd_free(&t);
			return diag_set(d, -ENOMEM, "out of memory");
		}
		/* the data moves over: t's entry no longer owns it */
		e->m = s->m;
		e->m.f[CF_NLINK] = S_ISDIR(e->m.f[CF_MODE]) ? 2 : 1;
		e->m.lower = rd->hex_lower; /* the archive's case */
		e->src = s->src;
		e->data = s->data;
		e->path = s->path;
		e->raw_len = s->raw_len;
		if (rd->exact) /* numbered after the largest in use (the spec set next_ino) */
			e->m.f[CF_INO] = rd->next_ino++;
		s->src = RD_ORIG;
		s->data = NULL;
		s->path = NULL;
		n++;
	}
	rd_free(&t);
	if (added)
		*added = n;
	return 0;
}
