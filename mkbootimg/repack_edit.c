/* repack_edit.c - the repack model's line edits (repack.h): one key of the
 * kernel command line (--cmdline-set/--cmdline-remove; a vendor_boot's is
 * the vendor command line) or one line of a vendor_boot v4's bootconfig
 * (--bootconfig-set/--bootconfig-remove), in the order given. An edit that
 * leaves things as they were changes nothing. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/kcmdline.h"
#include "mkbootimg/repack_internal.h"

static const char *edit_option(enum repack_edit_kind k)
{
	return k == REPACK_CMDLINE_SET	    ? "--cmdline-set"
	       : k == REPACK_CMDLINE_REMOVE ? "--cmdline-remove"
	       : k == REPACK_BOOTCONFIG_SET ? "--bootconfig-set"
					    : "--bootconfig-remove";
}

/* An edit's key and the word written: for the command line, what the kernel
 * reads back as that one word (kcmdline.h's cmdline_word, or refused with
 * the reason); for bootconfig, the value as bootconfig_value writes it. */
static int kv_split(struct repack *rp, const struct repack_edit *e, char *key, size_t kcap,
		    char *word, size_t wcap, struct diag *d)
{
	const char *opt = edit_option(e->kind);
	const char *eq = strchr(e->arg, '='), *val = eq ? eq + 1 : NULL, *why = NULL;
	size_t kl = eq ? (size_t)(eq - e->arg) : strlen(e->arg);
	bool set = e->kind == REPACK_CMDLINE_SET || e->kind == REPACK_BOOTCONFIG_SET;
	bool bc = e->kind == REPACK_BOOTCONFIG_SET || e->kind == REPACK_BOOTCONFIG_REMOVE;
	char shown[ESC_SHOW_MAX];
	long n;

	esc_show(shown, e->arg);
	if (!set && eq)
		return repack_usage(rp, d, "%s takes a KEY, not KEY=VALUE (\"%s\")", opt, shown);
	if (e->kind == REPACK_BOOTCONFIG_SET && !eq)
		return repack_usage(rp, d, "%s takes KEY=VALUE (\"%s\")", opt, shown);
	if (kl >= kcap)
		return repack_usage(rp, d, "%s \"%s\": KEY is too long", opt, shown);
	memcpy(key, e->arg, kl);
	key[kl] = 0;
	if (bc && bootconfig_key_check(key, &why) < 0)
		return repack_usage(rp, d, "%s \"%s\": %s", opt, shown, why);
	if (!bc && (n = cmdline_word(key, NULL, word, wcap, &why)) < 0)
		return repack_usage(rp, d, "%s \"%s\": %s", opt, shown, why ? why : "too long");
	if (!set)
		return 0;
	n = bc ? bootconfig_value(val, word, wcap, &why) : cmdline_word(key, val, word, wcap, &why);
	if (n < 0)
		return repack_usage(rp, d, "%s \"%s\": %s", opt, shown, why ? why : "too long");
	return 0;
}

static bool is_cmdline_edit(const struct repack_edit *e)
{
	return e->kind == REPACK_CMDLINE_SET || e->kind == REPACK_CMDLINE_REMOVE;
}

int repack_apply_cmdline_edits(struct repack *rp, const struct repack_changes *c, struct diag *d)
{
	struct bootimg *g = &rp->img;
	char cur[BOOT_ARGS_SIZE + BOOT_EXTRA_ARGS_SIZE + VENDOR_BOOT_ARGS_SIZE + 2];
	char next[sizeof(cur)], key[sizeof(cur)], word[sizeof(cur)], was[sizeof(cur)];
	size_t len = bootimg_get_cmdline(g, cur, sizeof(cur)), wl;
	bool any = false;
	struct diag why;
	int r;

	for (unsigned i = 0; i < c->nedit; i++) {
		const struct repack_edit *e = &c->edit[i];
		if (!is_cmdline_edit(e))
			continue;
		any = true;
		if ((r = kv_split(rp, e, key, sizeof(key), word, sizeof(word), d)) < 0)
			return r;
		long n = cmdline_edit(cur, len, key, e->kind == REPACK_CMDLINE_SET ? word : NULL,
				      next, sizeof(next));
		if (n < 0) { /* the key shown, cut: the reason must fit the message */
			char shown[ESC_SHOW_MAX];
			return repack_usage(rp, d, "%s %s: the command line grows past %zu bytes",
					    edit_option(e->kind), esc_show(shown, key),
					    sizeof(next) - 1);
		}
		memcpy(cur, next, (size_t)n + 1);
		len = (size_t)n;
	}
	wl = bootimg_get_cmdline(g, was, sizeof(was));
	if (!any || (wl == len && !memcmp(was, cur, len)))
		return 0; /* nothing asked, or already as asked */
	if (bootimg_set_cmdline(g, cur, len, &why))
		return repack_usage(rp, d,
				    "%s: the edited command line (%zu bytes) does not fit: %s",
				    rp->src, len, why.msg);
	rp->header_changed = true;
	return 0;
}

/* The bootconfig edits work on text in memory, room for one more line. */
struct bc_text {
	uint8_t *cur, *next;
	size_t len, cap;
};

#define BC_KEY_MAX   256
#define BC_VALUE_MAX 4096
#define BC_ROOM	     (2 * BC_VALUE_MAX + 64)

static int bc_room(struct bc_text *t, struct diag *d)
{
	uint8_t *a, *b;

	if (t->len + BC_ROOM <= t->cap)
		return 0;
	t->cap = t->len + BC_ROOM;
	if (!(a = realloc(t->cur, t->cap)))
		return repack_nomem(d);
	t->cur = a;
	if (!(b = realloc(t->next, t->cap)))
		return repack_nomem(d);
	t->next = b;
	return 0;
}

/* The section's bytes into t (at most 1 MiB: line edits, not a file). */
static int bc_read(const struct repack *rp, const struct piece *pc, struct bc_text *t,
		   struct diag *d)
{
	int r;

	if (pc->len > (1u << 20))
		return diag_set(d, -EFBIG,
				"%s: bootconfig: %" PRIu64 " bytes; line edits stop at 1 MiB",
				rp->src, pc->len);
	t->len = (size_t)pc->len;
	if ((r = bc_room(t, d)) < 0)
		return r;
	if (pc->mem)
		memcpy(t->cur, pc->mem, t->len);
	else if (t->len && (r = read_at(pc->fd, t->cur, t->len, pc->off)) != 0)
		return diag_set(d, r, "%s: reading bootconfig: %s", rp->src, strerror(-r));
	return 0;
}

static int bc_edit(struct repack *rp, const struct repack_edit *e, struct bc_text *t,
		   struct diag *d)
{
	char key[BC_KEY_MAX], val[BC_VALUE_MAX];
	long n;
	int r;

	if ((r = kv_split(rp, e, key, sizeof(key), val, sizeof(val), d)) < 0)
		return r;
	n = bootconfig_edit((char *)t->cur, t->len, key,
			    e->kind == REPACK_BOOTCONFIG_SET ? val : NULL, (char *)t->next, t->cap);
	if (n == -ENOTSUP)
		return diag_set(d, -ENOTSUP,
				"%s: bootconfig has { } blocks or ';': edit it as a file "
				"(unpack, edit bootconfig, repack the folder)",
				rp->src);
	if (n < 0)
		return diag_set(d, -ENOSPC, "%s: bootconfig: out of room", rp->src);
	t->len = (size_t)n;
	if ((r = bc_room(t, d)) < 0)
		return r;
	memcpy(t->cur, t->next, t->len);
	return 0;
}

/* Are the edited bytes the section's own? */
static bool bc_same(const struct piece *pc, const struct bc_text *t)
{
	uint8_t *was;
	bool same;

	if (t->len != pc->len)
		return false;
	if (pc->mem)
		return !memcmp(pc->mem, t->cur, t->len);
	was = malloc(t->len ? t->len : 1);
	same = was && !read_at(pc->fd, was, t->len, pc->off) && !memcmp(was, t->cur, t->len);
	free(was);
	return same;
}

static int bc_edits(struct repack *rp, const struct repack_changes *c, struct bc_text *t,
		    struct diag *d)
{
	struct rp_part *p = &rp->part[BP_BOOTCONFIG];
	int r;

	if (rp->img.kind != BOOTIMG_VENDOR || rp->img.version < 4)
		return repack_usage(rp, d,
				    "%s: --bootconfig-set/--bootconfig-remove: bootconfig lives in "
				    "a vendor_boot v4 image; this is %s v%" PRIu32,
				    rp->src,
				    rp->img.kind == BOOTIMG_VENDOR ? "vendor_boot" : "a boot image",
				    rp->img.version);
	if ((r = bc_read(rp, &p->data, t, d)) < 0)
		return r;
	for (unsigned k = 0; k < c->nedit && !r; k++)
		if (!is_cmdline_edit(&c->edit[k]))
			r = bc_edit(rp, &c->edit[k], t, d);
	if (r < 0 || bc_same(&p->data, t))
		return r;	  /* failed, or already as asked */
	free(rp->bootconfig_buf); /* an earlier repack_apply's */
	rp->bootconfig_buf = t->cur;
	t->cur = NULL;
	p->data = (struct piece){.mem = rp->bootconfig_buf, .len = t->len};
	p->present = p->changed = true;
	p->has_pad = false;
	p->slack = (struct piece){0};
	p->dtb = (struct piece){0};
	return 0;
}

int repack_apply_bootconfig_edits(struct repack *rp, const struct repack_changes *c, struct diag *d)
{
	struct bc_text t = {0};
	bool any = false;
	int r;

	for (unsigned k = 0; k < c->nedit; k++)
		any = any || !is_cmdline_edit(&c->edit[k]);
	if (!any)
		return 0;
	r = bc_edits(rp, c, &t, d);
	free(t.cur);
	free(t.next);
	return r;
}
