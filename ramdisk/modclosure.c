/* modclosure.c - kernel module closure over modules.dep. See modclosure.h. */
#include "ramdisk/modclosure.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/fileio.h"
#include "lib/moddep.h"
#include "lib/strfmt.h"

#define MODDEP_MAX (64u << 20)

/* "a/b" into out; false when it does not fit. */
static bool join(char *out, size_t cap, const char *a, const char *b)
{
	return strfmt(out, cap, "%s/%s", a, b) >= 0;
}

static bool is_file(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	return join(p, sizeof(p), dir, name) && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* kdir itself, or kdir/lib/modules/<version>. */
static int find_tree(struct mod_closure *mc, const char *kdir, const char *version, struct diag *d)
{
	char base[PATH_MAX], p[PATH_MAX];
	DIR *dp;
	struct dirent *de;
	unsigned found = 0;

	if (is_file(kdir, "modules.dep")) {
		const char *b = strrchr(kdir, '/');
		if (strfmt(mc->version, sizeof(mc->version), "%s", b && b[1] ? b + 1 : kdir) < 0)
			return diag_set(d, -ENAMETOOLONG,
					"%s: folder name too long for a kernel "
					"version",
					kdir);
		mc->dir = strdup(kdir);
		return mc->dir ? 0 : -ENOMEM;
	}
	if (!join(base, sizeof(base), kdir, "lib/modules"))
		return diag_set(d, -ENAMETOOLONG, "%s: path too long", kdir);
	if (version) {
		if (strfmt(mc->version, sizeof(mc->version), "%s", version) < 0)
			return diag_set(d, -ENAMETOOLONG, "kernel version %s: too long", version);
		found = 1;
	} else if ((dp = opendir(base))) {
		while ((de = readdir(dp)))
			if (de->d_name[0] != '.' && strlen(de->d_name) < sizeof(mc->version)) {
				strcpy(mc->version, de->d_name);
				found++;
			}
		closedir(dp);
	}
	if (found == 1 && !join(p, sizeof(p), base, mc->version))
		return diag_set(d, -ENAMETOOLONG, "%s: path too long", base);
	if (found != 1)
		return diag_set(
		    d, -ENOENT, "%s: %s (give lib/modules/VERSION or --kernel-version)", kdir,
		    found ? "several kernel versions" : "no modules.dep, no lib/modules/*");
	if (!is_file(p, "modules.dep"))
		return diag_set(d, -ENOENT, "%s: no modules.dep (run: depmod -b %s %s)", p, kdir,
				mc->version);
	mc->dir = strdup(p);
	return mc->dir ? 0 : -ENOMEM;
}

/* The tree's modules.dep indexed (lib/moddep.c) and what the closure wants. */
struct closure {
	struct moddep_graph g;
	bool *want;	     /* per node: in the ramdisk */
	const char *depfile; /* for messages */
	char *builtin;	     /* modules.builtin of the tree, or NULL */
	size_t builtin_len;
	bool *want_builtin; /* per modules.builtin byte offset of a line: named */
};

/* Every line must be "path: deps" (depmod writes nothing else). */
static int check_lines(const char *text, size_t len, const char *file, struct diag *d)
{
	struct moddep_line l;
	size_t pos = 0;
	unsigned line = 0;
	int rc;

	while ((rc = moddep_next(text, len, &pos, &line, &l)) != 0)
		if (rc < 0)
			return diag_set(d, -EBADMSG, "%s:%u: no ':' after a module path", file,
					line);
	return 0;
}

static int mark_visit(void *ctx, const struct moddep_graph *g, unsigned node)
{
	(void)g;
	((struct closure *)ctx)->want[node] = true;
	return 0;
}

/* What a failed walk means, for a message. */
static int walk_error(struct closure *c, unsigned node, int err, struct diag *d)
{
	size_t pl;
	const char *path = moddep_graph_path(&c->g, node, &pl);
	char cyc[DIAG_MSG_MAX];

	if (err == -ENOENT && c->g.missing)
		return diag_set(d, err, "%s: %.*s needs %.*s, which has no line", c->depfile,
				(int)pl, path, (int)c->g.missing_len, c->g.missing);
	if (err == -ELOOP) {
		moddep_graph_cycle(&c->g, cyc, sizeof(cyc)); /* "..." ends a cut cycle */
		return diag_set(d, err, "%s: dependency cycle %s", c->depfile, cyc);
	}
	return diag_set(d, err, "%s: %.*s: %s", c->depfile, (int)pl, path, strerror(-err));
}

/* Mark a module and everything it needs. */
static int mark(struct closure *c, unsigned node, struct diag *d)
{
	int err = moddep_walk(&c->g, node, mark_visit, c);

	return err < 0 ? walk_error(c, node, err, d) : 0;
}

/* A module the kernel has built in: its modules.builtin line goes into the
 * ramdisk's modules.builtin, so the probe knows `load` has nothing to do. */
static bool want_builtin(struct closure *c, const char *name)
{
	size_t pos = 0;

	while (c->builtin && pos < c->builtin_len) {
		const char *s = c->builtin + pos, *nl = memchr(s, '\n', c->builtin_len - pos);
		size_t n = nl ? (size_t)(nl - s) : c->builtin_len - pos;
		if (n && moddep_name_eq(s, n, name)) {
			c->want_builtin[pos] = true;
			return true;
		}
		pos += n + 1;
	}
	return false;
}

static int want_rules(struct mod_closure *mc, struct closure *c, const struct rules *r,
		      const char *rules_file, struct diag *d)
{
	for (unsigned i = 0; i < r->nrule; i++) {
		const struct rule *ru = &r->rule[i];
		for (unsigned a = 0; a < ru->nact; a++) {
			const struct action *ac = &r->act[ru->act + a];
			int k, err;
			if (ac->kind != AK_LOAD)
				continue;
			if ((k = moddep_graph_find(&c->g, ac->arg)) < 0) {
				if (want_builtin(c, ac->arg)) {
					mc->nbuiltin++;
					continue;
				}
				return diag_set(d, -ENOENT,
						"%s:%d: module %s is not in the kernel's modules "
						"(%s, %s)",
						rules_file, ru->line, ac->arg, mc->version,
						mc->dir);
			}
			if (!c->want[k])
				mc->nnamed++;
			if ((err = mark(c, (unsigned)k, d)) < 0)
				return err;
		}
	}
	return 0;
}

/* The next name of a comma or space separated list: its length in the list
 * (0 at the end), s moved past it, its module name in name ("" when too long). */
static size_t next_name(const char **s, char *name, size_t cap)
{
	char word[MODULE_NAME_MAX];
	size_t n;

	if (!*s)
		return 0;
	*s += strspn(*s, ", ");
	if (!(n = strcspn(*s, ", ")))
		return 0;
	name[0] = 0;
	if (n < sizeof(word) && cap >= MODULE_NAME_MAX) {
		memcpy(word, *s, n);
		if (moddep_name(word, n, name) < 0)
			name[0] = 0;
	}
	*s += n;
	return n;
}

/* Preloaded modules: named by the board, not by modules.list. */
static int want_preload(struct mod_closure *mc, struct closure *c, const char *preload,
			struct diag *d)
{
	const char *s = preload;
	char name[MODULE_NAME_MAX];
	size_t n;

	while ((n = next_name(&s, name, sizeof(name)))) {
		int k, err;
		if (!name[0])
			return diag_set(d, -ENAMETOOLONG, "preload: module %.*s: name too long",
					(int)n, s - n);
		if ((k = moddep_graph_find(&c->g, name)) < 0)
			return diag_set(
			    d, -ENOENT,
			    "preload: module %.*s is not in the kernel's modules (%s, %s)", (int)n,
			    s - n, mc->version, mc->dir);
		if ((err = mark(c, (unsigned)k, d)) < 0)
			return err;
	}
	return 0;
}

/* Text being built: boot.modules. */
struct text {
	char *s;
	size_t len, cap;
};

static int text_add(struct text *t, const char *kind, const char *version, const char *path,
		    size_t plen)
{
	size_t need = strlen(kind) + strlen(version) + plen + 32;

	if (t->len + need > t->cap) {
		char *n;
		t->cap = (t->len + need) * 2;
		if (!(n = realloc(t->s, t->cap)))
			return -ENOMEM;
		t->s = n;
	}
	t->len += (size_t)sprintf(t->s + t->len, "%s /lib/modules/%s/%.*s\n", kind, version,
				  (int)plen, path);
	return 0;
}

struct boot_ctx {
	struct text *t;
	const char *kind, *version;
};

static int boot_visit(void *ctx, const struct moddep_graph *g, unsigned node)
{
	struct boot_ctx *b = ctx;
	size_t pl;
	const char *path = moddep_graph_path(g, node, &pl);

	return text_add(b->t, b->kind, b->version, path, pl);
}

/* One kind's modules in load order (dependencies first), each once. */
static int boot_kind(struct closure *c, struct boot_ctx *b, const char *name)
{
	int k = moddep_graph_find(&c->g, name);

	if (k < 0) /* built in: nothing to load */
		return 0;
	return moddep_walk(&c->g, (unsigned)k, boot_visit, b);
}

static int boot_list(struct mod_closure *mc, struct closure *c, const struct rules *r,
		     const char *preload)
{
	struct text t = {0};
	struct boot_ctx b = {.t = &t, .kind = "preload", .version = mc->version};
	const char *s = preload;
	char name[MODULE_NAME_MAX];
	int err = 0;

	moddep_graph_reset(&c->g);
	while (!err && next_name(&s, name, sizeof(name)))
		if (name[0])
			err = boot_kind(c, &b, name);
	moddep_graph_reset(&c->g); /* each module once per kind */
	b.kind = "fallback";
	for (unsigned i = 0; !err && i < r->nrule; i++) {
		const struct rule *ru = &r->rule[i];
		for (unsigned a = 0; !err && ru->fallback && a < ru->nact; a++)
			if (r->act[ru->act + a].kind == AK_LOAD)
				err = boot_kind(c, &b, r->act[ru->act + a].arg);
	}
	if (!err && !t.s && !(t.s = calloc(1, 1)))
		err = -ENOMEM;
	mc->boot = t.s;
	mc->boot_len = t.len;
	return err;
}

/* The subset's modules.dep (the original lines, in their order), and the
 * module paths. */
static int subset_dep(struct mod_closure *mc, const struct closure *c)
{
	size_t len = 0, o = 0;

	for (unsigned i = 0; i < c->g.n; i++)
		if (c->want[i])
			len += c->g.node[i].plen + c->g.node[i].dlen + 2, mc->n++;
	if (!(mc->sub_dep = malloc(len + 1)) || !(mc->path = calloc(mc->n + 1, sizeof(char *))))
		return -ENOMEM;
	mc->n = 0;
	for (unsigned i = 0; i < c->g.n; i++) {
		struct moddep_line l;
		if (!c->want[i])
			continue;
		moddep_graph_line(&c->g, i, &l);
		o += (size_t)sprintf(mc->sub_dep + o, "%.*s:%.*s\n", (int)l.plen, l.path,
				     (int)l.dlen, l.deps); /* sized above */
		if (!(mc->path[mc->n++] = strndup(l.path, l.plen)))
			return -ENOMEM;
	}
	mc->sub_dep_len = o;
	return 0;
}

/* The modules.builtin lines of the built-in modules named. */
static int subset_builtin(struct mod_closure *mc, const struct closure *c)
{
	size_t o = 0;

	if (!mc->nbuiltin)
		return 0;
	if (!(mc->sub_builtin = malloc(c->builtin_len + 2)))
		return -ENOMEM;
	for (size_t pos = 0; pos < c->builtin_len;) {
		const char *s = c->builtin + pos, *nl = memchr(s, '\n', c->builtin_len - pos);
		size_t n = nl ? (size_t)(nl - s) : c->builtin_len - pos;
		if (c->want_builtin[pos]) {
			memcpy(mc->sub_builtin + o, s, n);
			o += n;
			mc->sub_builtin[o++] = '\n';
		}
		pos += n + 1;
	}
	mc->sub_builtin_len = o;
	return 0;
}

/* "alias PATTERN NAME" lines whose NAME is in the subset. */
static int subset_alias(struct mod_closure *mc, const struct closure *c, struct diag *d)
{
	char p[PATH_MAX];
	uint8_t *text;
	size_t len, o = 0;

	if (!join(p, sizeof(p), mc->dir, "modules.alias") || !is_file(mc->dir, "modules.alias")) {
		mc->sub_alias = strdup("");
		return mc->sub_alias ? 0 : -ENOMEM;
	}
	if (file_read_small(p, MODDEP_MAX, &text, &len, d) < 0)
		return -EIO;
	if (!(mc->sub_alias = malloc(len + 1))) {
		free(text);
		return -ENOMEM;
	}
	for (char *s = (char *)text, *nl; s < (char *)text + len; s = nl + 1) {
		char *sp;
		size_t ll;
		int k;
		if (!(nl = memchr(s, '\n', (size_t)((char *)text + len - s))))
			nl = (char *)text + len;
		ll = (size_t)(nl - s);
		*nl = 0;
		sp = strrchr(s, ' ');
		if (strncmp(s, "alias ", 6) || !sp)
			continue;
		if ((k = moddep_graph_find(&c->g, sp + 1)) >= 0 && c->want[k]) {
			memcpy(mc->sub_alias + o, s, ll);
			o += ll;
			mc->sub_alias[o++] = '\n';
		}
	}
	mc->sub_alias[o] = 0;
	mc->sub_alias_len = o;
	free(text);
	return 0;
}

/* The tree's modules.builtin, when it has one. */
static int read_builtin(struct mod_closure *mc, struct closure *c, struct diag *d)
{
	char p[PATH_MAX];
	uint8_t *text;

	if (!is_file(mc->dir, "modules.builtin"))
		return 0;
	if (!join(p, sizeof(p), mc->dir, "modules.builtin"))
		return diag_set(d, -ENAMETOOLONG, "%s: path too long", mc->dir);
	if (file_read_small(p, MODDEP_MAX, &text, &c->builtin_len, d) < 0) {
		diag_prefix(d, "%s", p);
		return -EIO;
	}
	c->builtin = (char *)text;
	if (!(c->want_builtin = calloc(c->builtin_len + 1, sizeof(bool))))
		return -ENOMEM;
	return 0;
}

int mod_closure_build(struct mod_closure *mc, const char *kdir, const char *version,
		      const struct rules *r, const char *rules_file, const char *preload,
		      struct diag *d)
{
	char depfile[PATH_MAX];
	struct closure c = {.depfile = depfile};
	uint8_t *text;
	size_t len;
	int err;

	memset(mc, 0, sizeof(*mc));
	if ((err = find_tree(mc, kdir, version, d)) < 0)
		return err;
	if (!join(depfile, sizeof(depfile), mc->dir, "modules.dep"))
		return diag_set(d, -ENAMETOOLONG, "%s: path too long", mc->dir);
	if ((err = file_read_small(depfile, MODDEP_MAX, &text, &len, d)) < 0)
		return err;
	mc->dep = (char *)text;
	if ((err = check_lines(mc->dep, len, depfile, d)) < 0)
		return err;
	if ((err = moddep_graph_init(&c.g, mc->dep, len)) < 0 ||
	    !(c.want = calloc(c.g.n + 1, sizeof(bool))))
		err = err < 0 ? err : -ENOMEM;
	if (!err && (err = read_builtin(mc, &c, d)) == 0 &&
	    (err = want_rules(mc, &c, r, rules_file, d)) == 0 &&
	    (err = want_preload(mc, &c, preload, d)) == 0 && (err = subset_dep(mc, &c)) == 0 &&
	    (err = subset_builtin(mc, &c)) == 0 && (err = subset_alias(mc, &c, d)) == 0 &&
	    (err = boot_list(mc, &c, r, preload)) < 0)
		walk_error(&c, 0, err, d);
	moddep_graph_free(&c.g);
	free(c.want);
	free(c.builtin);
	free(c.want_builtin);
	if (err == -ENOMEM)
		diag_set(d, err, "out of memory");
	return err;
}

/* The ramdisk's lib/modules/<version>/file, of len bytes at data; with file
 * NULL, the folder lib/modules/<version> itself. */
static int add_tree_file(const struct mod_closure *mc, struct ramdisk *rd, const char *file,
			 const char *data, size_t len, struct diag *d)
{
	char name[CPIO_NAME_MAX];

	if (strfmt(name, sizeof(name), "lib/modules/%s%s%s", mc->version, file ? "/" : "",
		   file ? file : "") < 0)
		return diag_set(d, -ENAMETOOLONG, "lib/modules/%s/%s: name too long", mc->version,
				file ? file : "");
	return file ? rd_add_file(rd, name, 0644, NULL, data, len, d)
		    : rd_add_dirs(rd, name, 0755, d);
}

int mod_closure_add(const struct mod_closure *mc, struct ramdisk *rd, struct diag *d)
{
	char name[CPIO_NAME_MAX], host[PATH_MAX];
	int err;

	for (size_t i = 0; i < mc->n; i++) {
		char *slash;
		if (strfmt(name, sizeof(name), "lib/modules/%s/%s", mc->version, mc->path[i]) < 0 ||
		    !join(host, sizeof(host), mc->dir, mc->path[i]))
			return diag_set(d, -ENAMETOOLONG, "%s: path too long", mc->path[i]);
		slash = strrchr(name, '/');
		*slash = 0;
		if ((err = rd_add_dirs(rd, name, 0755, d)) < 0)
			return err;
		*slash = '/';
		if ((err = rd_add_file(rd, name, 0644, host, NULL, 0, d)) < 0)
			return err;
	}
	if ((err = add_tree_file(mc, rd, NULL, NULL, 0, d)) < 0 ||
	    (err = add_tree_file(mc, rd, "modules.dep", mc->sub_dep, mc->sub_dep_len, d)) < 0 ||
	    (err = add_tree_file(mc, rd, "modules.alias", mc->sub_alias, mc->sub_alias_len, d)) <
		0 ||
	    (mc->sub_builtin && (err = add_tree_file(mc, rd, "modules.builtin", mc->sub_builtin,
						     mc->sub_builtin_len, d)) < 0))
		return err;
	if ((err = rd_add_dirs(rd, "lib/probe", 0755, d)) < 0)
		return err;
	return rd_add_file(rd, "lib/probe/boot.modules", 0644, NULL, mc->boot, mc->boot_len, d);
}

void mod_closure_free(struct mod_closure *mc)
{
	if (!mc)
		return;
	free(mc->dir);
	free(mc->dep);
	for (size_t i = 0; mc->path && i < mc->n; i++)
		free(mc->path[i]);
	free(mc->path);
	free(mc->sub_builtin);
	free(mc->sub_dep);
	free(mc->sub_alias);
	free(mc->boot);
	memset(mc, 0, sizeof(*mc));
}
