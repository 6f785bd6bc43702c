/* dtcheck.c - modules.list against a board's DTB. See dtcheck.h. */
#include "ramdisk/dtcheck.h"

#include <errno.h>
#include <fnmatch.h>
#include <libfdt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/moddep.h"
#include "lib/strfmt.h"

#define ALIAS_FILE_MAX (32u << 20)
#define MODALIAS_MAX   1024
#define DT_PATH_MAX    256 /* a node's path, for messages (libfdt's -FDT_ERR_NOSPACE beyond) */

/* An I2C client node of the DTB. */
struct dnode {
	int off, parent;
	uint32_t addr;
	bool enabled;
	char path[DT_PATH_MAX];
	char compat[SHOW_MAX]; /* the first compatible string, for messages */
	char modalias[MODALIAS_MAX];
};

struct aliases {
	char *alias; /* modules.alias, NUL-terminated */
	size_t alen;
	char *builtin; /* modules.builtin.modinfo, or NULL */
	size_t blen;
};

/* A module name with '-' as '_' (as the kernel keeps it); false when it is
 * too long to be one. */
static bool norm(const char *in, char *out, size_t cap)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < cap; i++)
		out[i] = in[i] == '-' ? '_' : in[i];
	out[i] = 0;
	return !in[i];
}

static bool glob_hit(const char *pat, size_t plen, const char *modalias)
{
	char p[MODALIAS_MAX];

	if (plen < 3 || plen >= sizeof(p) || memcmp(pat, "of:", 3))
		return false;
	memcpy(p, pat, plen);
	p[plen] = 0;
	return fnmatch(p, modalias, 0) == 0;
}

/* Does module mod (as a load action names it) match this modalias? */
static bool module_matches(const struct aliases *al, const char *mod, const char *modalias)
{
	char m[MODULE_NAME_MAX];
	size_t ml, pos = 0;
	const char *s = al->alias, *end = al->alias + al->alen;

	if (!norm(mod, m, sizeof(m)))
		return false; /* no module has such a name */
	ml = strlen(m);
	while (s < end) { /* "alias PATTERN NAME" */
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *le = nl ? nl : end;
		const char *p = s + 6, *sp;
		if ((size_t)(le - s) > 6 && !memcmp(s, "alias ", 6) &&
		    (sp = memchr(p, ' ', (size_t)(le - p))) && (size_t)(le - sp - 1) == ml &&
		    !memcmp(sp + 1, m, ml) && glob_hit(p, (size_t)(sp - p), modalias))
			return true;
		s = le + 1;
	}
	if (al->builtin) {
		const char *v;
		size_t vl;
		while (modinfo_get(al->builtin, al->blen, &pos, true, m, "alias", &v, &vl))
			if (glob_hit(v, vl, modalias))
				return true;
	}
	return false;
}

static int load_aliases(struct aliases *al, const char *moddir, struct diag *d)
{
	char alias[PATH_MAX], builtin[PATH_MAX];
	uint8_t *buf;
	size_t len;
	struct diag ignore;
	int r;

	if (strfmt(alias, sizeof(alias), "%s/modules.alias", moddir) < 0 ||
	    strfmt(builtin, sizeof(builtin), "%s/modules.builtin.modinfo", moddir) < 0)
		return diag_set(d, -ENAMETOOLONG, "%s: path too long", moddir);
	if ((r = file_read_small(alias, ALIAS_FILE_MAX, &buf, &len, d)) < 0)
		return r;
	al->alias = (char *)buf;
	al->alen = len;
	if (file_read_small(builtin, ALIAS_FILE_MAX, &buf, &len, &ignore) == 0) {
		al->builtin = (char *)buf;
		al->blen = len;
	}
	return 0;
}

static bool is_i2c_bus(const void *fdt, int off)
{
	const char *name = fdt_get_name(fdt, off, NULL), *c;
	int len, i = 0;

	if (name && !strncmp(name, "i2c", 3))
		return true;
	while ((c = fdt_stringlist_get(fdt, off, "compatible", i++, &len)))
		if (strstr(c, "i2c"))
			return true;
	return false;
}

/* "of:N<name>T<type>C<compat>C<compat>...", as the kernel writes a node's
 * modalias (type "<NULL>" when the node has no device_type). It is matched:
 * -ENAMETOOLONG when it does not fit, never a cut one. */
static int node_modalias(const void *fdt, int off, char *out, size_t cap)
{
	const char *name = fdt_get_name(fdt, off, NULL), *type, *c;
	int nl = 0, len, i = 0, r;
	size_t o = 0;

	while (name && name[nl] && name[nl] != '@')
		nl++;
	type = fdt_getprop(fdt, off, "device_type", &len);
	r = strfmt_add(out, cap, &o, "of:N%.*sT%s", nl, name ? name : "",
		       type && len > 0 && !memchr(type, 0, (size_t)len - 1) ? type : "<NULL>");
	while (r >= 0 && (c = fdt_stringlist_get(fdt, off, "compatible", i++, &len)))
		r = strfmt_add(out, cap, &o, "C%s", c);
	return r < 0 ? r : 0;
}

static int collect(const void *fdt, struct dnode **out, unsigned *n, struct diag *d)
{
	int off, depth = 0;
	unsigned cap = 0;

	*out = NULL;
	*n = 0;
	for (off = fdt_next_node(fdt, -1, &depth); off >= 0;
	     off = fdt_next_node(fdt, off, &depth)) {
		int parent = fdt_parent_offset(fdt, off), len;
		const fdt32_t *reg;
		const char *st, *c;
		struct dnode *dn;

		if (parent < 0 || fdt_address_cells(fdt, parent) != 1 ||
		    fdt_size_cells(fdt, parent) != 0 || !is_i2c_bus(fdt, parent))
			continue;
		reg = fdt_getprop(fdt, off, "reg", &len);
		if (!reg || len != 4 || !fdt_getprop(fdt, off, "compatible", NULL))
			continue;
		if (*n == cap) {
			struct dnode *m = realloc(*out, (cap = cap ? 2 * cap : 16) * sizeof(**out));
			if (!m)
				return diag_set(d, -ENOMEM, "out of memory");
			*out = m;
		}
		dn = &(*out)[(*n)++];
		dn->off = off;
		dn->parent = parent;
		dn->addr = fdt32_to_cpu(*reg);
		st = fdt_getprop(fdt, off, "status", &len);
		dn->enabled = !st || !strcmp(st, "okay") || !strcmp(st, "ok");
		if (fdt_get_path(fdt, off, dn->path, sizeof(dn->path)))
			strfmt_show(dn->path, sizeof(dn->path), "%s", fdt_get_name(fdt, off, NULL));
		c = fdt_stringlist_get(fdt, off, "compatible", 0, &len);
		strfmt_show(dn->compat, sizeof(dn->compat), "%s", c ? c : "");
		if (node_modalias(fdt, off, dn->modalias, sizeof(dn->modalias)) < 0)
			return diag_set(d, -ENAMETOOLONG,
					"DTB node %s: modalias longer than %d bytes", dn->path,
					MODALIAS_MAX - 1);
	}
	return 0;
}

static const struct action *first_act(const struct rules *r, const struct rule *ru,
				      enum action_kind k)
{
	for (unsigned i = 0; i < ru->nact; i++)
		if (r->act[ru->act + i].kind == k)
			return &r->act[ru->act + i];
	return NULL;
}

/* What one rule does at one address. */
static void check_addr(const struct rules *r, const struct rule *ru, const char *list,
		       unsigned addr, const struct aliases *al, const struct dnode *dn, unsigned n,
		       dtcheck_fn fn, void *ctx)
{
	const struct action *bind = first_act(r, ru, AK_BIND), *ov = first_act(r, ru, AK_OVERLAY);
	const struct dnode *other = NULL;
	const char *mods = "";
	char msg[DTCHECK_MSG_MAX];
	size_t at;

	at = strfmt_show(msg, sizeof(msg), "%s:%d: %s %s: ", list, ru->line, ru->cls, ru->name);
	for (unsigned i = 0; i < ru->nact; i++) {
		const struct action *a = &r->act[ru->act + i];
		if (a->kind != AK_LOAD)
			continue;
		if (!*mods)
			mods = a->arg;
		for (unsigned k = 0; k < n; k++) {
			if (dn[k].addr != addr)
				continue;
			if (!module_matches(al, a->arg, dn[k].modalias)) {
				other = &dn[k];
				continue;
			}
			enum dtcheck_kind kind = dn[k].enabled ? DTC_BINDS
						 : ov	       ? DTC_OVERLAY
							       : DTC_DISABLED;
			strfmt_show_add(
			    msg, sizeof(msg), &at,
			    kind == DTC_BINDS ? "%s binds %s (\"%s\") at 0x%02x: its interrupt, "
						"GPIOs and supplies from the node%s"
			    : kind == DTC_OVERLAY ? "%s matches %s (\"%s\") at 0x%02x, disabled: "
						    "the rule's overlay enables it%s"
						  : "%s matches %s (\"%s\") at 0x%02x, but the "
						    "node is disabled and the rule "
						    "has no overlay action: nothing binds it%s",
			    a->arg, dn[k].path, dn[k].compat, addr,
			    kind == DTC_BINDS && bind
				? " (the bind action is skipped: exists:dt-node)"
				: "");
			fn(ctx, kind, ru, addr, msg);
			return;
		}
	}
	if (bind)
		strfmt_show_add(msg, sizeof(msg), &at,
				"no DT node at 0x%02x that %s matches%s%s%s: bound through "
				"new_device (%s), no IRQ",
				addr, mods, other ? " (" : "", other ? other->path : "",
				other ? " is not one of its compatibles)" : "", bind->arg);
	else
		strfmt_show_add(msg, sizeof(msg), &at,
				"no DT node at 0x%02x that %s matches%s%s%s, and no bind action: "
				"the module loads, nothing binds a chip found there",
				addr, mods, other ? " (" : "", other ? other->path : "",
				other ? " is not one of its compatibles)" : "");
	fn(ctx, bind ? DTC_NEW_DEVICE : DTC_UNBOUND, ru, addr, msg);
}

int dtcheck_run(const struct rules *r, const char *list, const char *moddir, const void *dtb,
		size_t len, dtcheck_fn fn, void *ctx, struct diag *d)
{
	struct aliases al = {0};
	struct dnode *dn = NULL;
	unsigned n = 0;
	int conflicts = 0, e;

	if (len < sizeof(struct fdt_header) || (e = fdt_check_full(dtb, len)) != 0)
		return diag_set(d, -EINVAL, "not a valid DTB: %s",
				len < sizeof(struct fdt_header) ? "too short" : fdt_strerror(e));
	if ((e = load_aliases(&al, moddir, d)) < 0)
		return e;
	if ((e = collect(dtb, &dn, &n, d)) < 0) {
		free(dn);
		free(al.alias);
		free(al.builtin);
		return e;
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = i + 1; k < n; k++) {
			char msg[DTCHECK_MSG_MAX], bus[DT_PATH_MAX];
			const char *on = bus;
			if (dn[i].parent != dn[k].parent || dn[i].addr != dn[k].addr ||
			    !dn[i].enabled || !dn[k].enabled)
				continue;
			if (fdt_get_path(dtb, dn[i].parent, bus, sizeof(bus)))
				on = "its bus";
			strfmt_show(
			    msg, sizeof(msg),
			    "%s (\"%s\") and %s (\"%s\") are both enabled at 0x%02x on %s: "
			    "both drivers would claim the address. Disable one (status = "
			    "\"disabled\") and enable it with an overlay action in the "
			    "rule that finds its chip, or let the kernel's of-prober (Linux "
			    "6.13+) enable the one that answers",
			    dn[i].path, dn[i].compat, dn[k].path, dn[k].compat, dn[i].addr, on);
			fn(ctx, DTC_CONFLICT, NULL, dn[i].addr, msg);
			conflicts++;
		}
	for (unsigned i = 0; i < r->nrule; i++) {
		const struct rule *ru = &r->rule[i];
		if (ru->fallback || !first_act(r, ru, AK_LOAD))
			continue;
		for (unsigned c = 0; c < ru->ncond; c++) {
			const struct cond *co = &r->cond[ru->cond + c];
			if (co->kind != CK_I2C || co->negate)
				continue;
			for (unsigned a = 0; a < co->naddr; a++)
				check_addr(r, ru, list, co->addr[a], &al, dn, n, fn, ctx);
			break; /* the rule's first i2c condition: the one ${addr} names */
		}
	}
	free(dn);
	free(al.alias);
	free(al.builtin);
	return conflicts;
}
