/* modclosure.c - kernel module closure over modules.dep. See modclosure.h. */
#include "modclosure.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"

#define MODDEP_MAX (64u << 20)

/* "a/b" into out; false when it does not fit. */
static bool join(char *out, size_t cap, const char *a, const char *b)
{
	return (size_t)snprintf(out, cap, "%s/%s", a, b) < cap;
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
		snprintf(mc->version, sizeof(mc->version), "%s", b && b[1] ? b + 1 : kdir);
		mc->dir = strdup(kdir);
		return mc->dir ? 0 : -ENOMEM;
	}
	if (!join(base, sizeof(base), kdir, "lib/modules"))
		return diag_set(d, -ENAMETOOLONG, "%s: path too long", kdir);
	if (version) {
		if (strlen(version) >= sizeof(mc->version))
			return diag_set(d, -ENAMETOOLONG, "kernel version %s: too long", version);
		strcpy(mc->version, version);
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
		return diag_set(d, -ENOENT,
				"%s: %s (give lib/modules/VERSION or --kernel-version)", kdir,
				found ? "several kernel versions" : "no modules.dep, no lib/modules/*");
	if (!is_file(p, "modules.dep"))
		return diag_set(d, -ENOENT, "%s: no modules.dep (run: depmod -b %s %s)", p, kdir,
				mc->version);
	mc->dir = strdup(p);
	return mc->dir ? 0 : -ENOMEM;
}

struct dep_line {
	char *path; /* module path */
	char *deps; /* the rest of the line, space separated */
	char name[64];
	bool want;
};

struct deps {
	struct dep_line *v;
	size_t n;
};

static long dep_by_name(const struct deps *ds, const char *name)
{
	for (size_t i = 0; i < ds->n; i++)
		if (!strcmp(ds->v[i].name, name))
			return (long)i;
	return -1;
}

static long dep_by_path(const struct deps *ds, const char *path, size_t len)
{
	for (size_t i = 0; i < ds->n; i++)
		if (strlen(ds->v[i].path) == len && !memcmp(ds->v[i].path, path, len))
			return (long)i;
	return -1;
}

/* Split modules.dep (owned text) into lines. */
static int parse_dep(char *text, struct deps *ds, const char *file, struct diag *d)
{
	size_t cap = 0;
	int line = 0;

	for (char *s = text, *nl; *s; s = nl ? nl + 1 : s + strlen(s)) {
		char *colon;
		line++;
		if ((nl = strchr(s, '\n')))
			*nl = 0;
		if (!*s)
			continue;
		if (!(colon = strchr(s, ':')))
			return diag_set(d, -EBADMSG, "%s:%d: no ':' in the line", file, line);
		*colon = 0;
		if (ds->n == cap) {
			struct dep_line *v;
			cap = cap ? cap * 2 : 1024;
			if (!(v = realloc(ds->v, cap * sizeof(*v))))
				return diag_set(d, -ENOMEM, "out of memory");
			ds->v = v;
		}
		ds->v[ds->n].path = s;
		ds->v[ds->n].deps = colon + 1;
		ds->v[ds->n].want = false;
		rules_mod_name(s, ds->v[ds->n].name, sizeof(ds->v[ds->n].name));
		ds->n++;
		if (!nl)
			break;
	}
	return 0;
}

/* Mark i and everything it needs. */
static int mark(struct deps *ds, size_t i, const char *file, struct diag *d)
{
	const char *s = ds->v[i].deps;

	if (ds->v[i].want)
		return 0;
	ds->v[i].want = true;
	while (*s) {
		size_t n;
		long k;
		while (*s == ' ' || *s == '\t')
			s++;
		n = strcspn(s, " \t");
		if (!n)
			break;
		if ((k = dep_by_path(ds, s, n)) < 0)
			return diag_set(d, -ENOENT, "%s: %s needs %.*s, which has no line", file,
					ds->v[i].path, (int)n, s);
		if (mark(ds, (size_t)k, file, d) < 0)
			return -ENOENT;
		s += n;
	}
	return 0;
}

static int want_rules(struct mod_closure *mc, struct deps *ds, const struct rules *r,
		      const char *rules_file, const char *depfile, struct diag *d)
{
	for (unsigned i = 0; i < r->nrule; i++) {
		const struct rule *ru = &r->rule[i];
		for (unsigned a = 0; a < ru->nact; a++) {
			const struct action *ac = &r->act[ru->act + a];
			char name[64];
			long k;
			int err;
			if (ac->kind != AK_LOAD)
				continue;
			rules_mod_name(ac->arg, name, sizeof(name));
			if ((k = dep_by_name(ds, name)) < 0)
				return diag_set(d, -ENOENT,
						"%s:%d: module %s is not in the kernel's modules "
						"(%s, %s)",
						rules_file, ru->line, ac->arg, mc->version, mc->dir);
			if (!ds->v[k].want)
				mc->nnamed++;
			if ((err = mark(ds, (size_t)k, depfile, d)) < 0)
				return err;
		}
	}
	return 0;
}

/* The next name of a comma or space separated list: its length in the list
 * (0 at the end), s moved past it, its module name in name ("" when too long). */
static size_t next_name(const char **s, char *name, size_t cap)
{
	size_t n;

	if (!*s)
		return 0;
	*s += strspn(*s, ", ");
	if (!(n = strcspn(*s, ", ")))
		return 0;
	name[0] = 0;
	if (n < cap) {
		memcpy(name, *s, n);
		name[n] = 0;
		rules_mod_name(name, name, cap);
	}
	*s += n;
	return n;
}

/* Preloaded modules: named by the board, not by modules.list. */
static int want_preload(struct mod_closure *mc, struct deps *ds, const char *preload,
			const char *depfile, struct diag *d)
{
	const char *s = preload;
	char name[64];
	size_t n;

	while ((n = next_name(&s, name, sizeof(name)))) {
		long k;
		int err;
		if (!name[0])
			return diag_set(d, -ENAMETOOLONG, "preload: module %.*s: name too long",
					(int)n, s - n);
		if ((k = dep_by_name(ds, name)) < 0)
			return diag_set(d, -ENOENT,
					"preload: module %.*s is not in the kernel's modules (%s, %s)",
					(int)n, s - n, mc->version, mc->dir);
		if ((err = mark(ds, (size_t)k, depfile, d)) < 0)
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

/* Line i's dependencies (last listed is loaded first), then i; each once. */
static int boot_order(struct text *t, const char *kind, const char *version, struct deps *ds,
		      bool *done, size_t i)
{
	const char *s = ds->v[i].deps, *end = s + strlen(s);
	int err;

	if (done[i])
		return 0;
	while (end > s) {
		const char *b;
		long k;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		b = end;
		while (b > s && b[-1] != ' ' && b[-1] != '\t')
			b--;
		if (b == end)
			break;
		if ((k = dep_by_path(ds, b, (size_t)(end - b))) >= 0 && !done[k]) {
			if ((err = text_add(t, kind, version, b, (size_t)(end - b))) < 0)
				return err;
			done[k] = true;
		}
		end = b;
	}
	done[i] = true;
	return text_add(t, kind, version, ds->v[i].path, strlen(ds->v[i].path));
}

static int boot_list(struct mod_closure *mc, struct deps *ds, const struct rules *r,
		     const char *preload)
{
	struct text t = {0};
	bool *done = calloc(ds->n + 1, sizeof(bool));
	int err = done ? 0 : -ENOMEM;
	const char *s = preload;
	char name[64];

	while (!err && next_name(&s, name, sizeof(name))) {
		long k;
		if (name[0] && (k = dep_by_name(ds, name)) >= 0)
			err = boot_order(&t, "preload", mc->version, ds, done, (size_t)k);
	}
	if (done)
		memset(done, 0, (ds->n + 1) * sizeof(bool));
	for (unsigned i = 0; !err && i < r->nrule; i++) {
		const struct rule *ru = &r->rule[i];
		for (unsigned a = 0; !err && ru->fallback && a < ru->nact; a++) {
			const struct action *ac = &r->act[ru->act + a];
			long k;
			if (ac->kind != AK_LOAD)
				continue;
			rules_mod_name(ac->arg, name, sizeof(name));
			if ((k = dep_by_name(ds, name)) >= 0)
				err = boot_order(&t, "fallback", mc->version, ds, done, (size_t)k);
		}
	}
	free(done);
	if (!err && !t.s && !(t.s = calloc(1, 1)))
		err = -ENOMEM;
	mc->boot = t.s;
	mc->boot_len = t.len;
	return err;
}

/* The subset's modules.dep, and the module paths. */
static int subset_dep(struct mod_closure *mc, const struct deps *ds)
{
	size_t len = 0, o = 0;

	for (size_t i = 0; i < ds->n; i++)
		if (ds->v[i].want)
			len += strlen(ds->v[i].path) + strlen(ds->v[i].deps) + 2, mc->n++;
	if (!(mc->sub_dep = malloc(len + 1)) || !(mc->path = calloc(mc->n + 1, sizeof(char *))))
		return -ENOMEM;
	mc->n = 0;
	for (size_t i = 0; i < ds->n; i++) {
		if (!ds->v[i].want)
			continue;
		o += (size_t)sprintf(mc->sub_dep + o, "%s:%s\n", ds->v[i].path, ds->v[i].deps);
		mc->path[mc->n++] = ds->v[i].path;
	}
	mc->sub_dep_len = o;
	return 0;
}

/* "alias PATTERN NAME" lines whose NAME is in the subset. */
static int subset_alias(struct mod_closure *mc, const struct deps *ds, struct diag *d)
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
		long k;
		if (!(nl = memchr(s, '\n', (size_t)((char *)text + len - s))))
			nl = (char *)text + len;
		ll = (size_t)(nl - s);
		*nl = 0;
		sp = strrchr(s, ' ');
		if (strncmp(s, "alias ", 6) || !sp)
			continue;
		if ((k = dep_by_name(ds, sp + 1)) >= 0 && ds->v[k].want) {
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

int mod_closure_build(struct mod_closure *mc, const char *kdir, const char *version,
		      const struct rules *r, const char *rules_file, const char *preload,
		      struct diag *d)
{
	char depfile[PATH_MAX];
	struct deps ds = {0};
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
	if ((err = parse_dep(mc->dep, &ds, depfile, d)) == 0 &&
	    (err = want_rules(mc, &ds, r, rules_file, depfile, d)) == 0 &&
	    (err = want_preload(mc, &ds, preload, depfile, d)) == 0 &&
	    (err = subset_dep(mc, &ds)) == 0 && (err = subset_alias(mc, &ds, d)) == 0)
		err = boot_list(mc, &ds, r, preload);
	free(ds.v);
	if (err == -ENOMEM)
		diag_set(d, err, "out of memory");
	return err;
}

int mod_closure_add(const struct mod_closure *mc, struct ramdisk *rd, struct diag *d)
{
	char name[CPIO_NAME_MAX], host[PATH_MAX];
	int err;

	for (size_t i = 0; i < mc->n; i++) {
		char *slash;
		if ((size_t)snprintf(name, sizeof(name), "lib/modules/%s/%s", mc->version,
				     mc->path[i]) >= sizeof(name) ||
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
	snprintf(name, sizeof(name), "lib/modules/%s", mc->version);
	if ((err = rd_add_dirs(rd, name, 0755, d)) < 0)
		return err;
	snprintf(name, sizeof(name), "lib/modules/%s/modules.dep", mc->version);
	if ((err = rd_add_file(rd, name, 0644, NULL, mc->sub_dep, mc->sub_dep_len, d)) < 0)
		return err;
	snprintf(name, sizeof(name), "lib/modules/%s/modules.alias", mc->version);
	if ((err = rd_add_file(rd, name, 0644, NULL, mc->sub_alias, mc->sub_alias_len, d)) < 0 ||
	    (err = rd_add_dirs(rd, "lib/probe", 0755, d)) < 0)
		return err;
	return rd_add_file(rd, "lib/probe/boot.modules", 0644, NULL, mc->boot, mc->boot_len, d);
}

void mod_closure_free(struct mod_closure *mc)
{
	if (!mc)
		return;
	free(mc->dir);
	free(mc->dep);
	free(mc->path);
	free(mc->sub_dep);
	free(mc->sub_alias);
	free(mc->boot);
	memset(mc, 0, sizeof(*mc));
}
