/* moddep.c - modules.dep, modules.builtin and .modinfo. See moddep.h. */
#include "lib/moddep.h"
#include "lib/readat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bytes.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* ---- names ------------------------------------------------------------------ */

/* The name part of a path: after the last '/', up to the first '.'. */
static const char *base(const char *path, size_t len, size_t *n)
{
	const char *b = path;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			b = path + i + 1;
	len -= (size_t)(b - path);
	for (*n = 0; *n < len && b[*n] != '.'; (*n)++)
		;
	return b;
}

static char norm(char c)
{
	return c == '-' ? '_' : c;
}

static bool names_eq(const char *a, size_t al, const char *b, size_t bl)
{
	size_t an, bn;
	const char *x = base(a, al, &an), *y = base(b, bl, &bn);

	if (an != bn || an == 0)
		return false;
	for (size_t i = 0; i < an; i++)
		if (norm(x[i]) != norm(y[i]))
			return false;
	return true;
}

int moddep_name(const char *path, size_t len, char out[MODULE_NAME_MAX])
{
	size_t n;
	const char *b = base(path, len, &n);

	out[0] = 0;
	if (n == 0)
		return -EINVAL;
	if (n >= MODULE_NAME_MAX)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < n; i++)
		out[i] = norm(b[i]);
	out[n] = 0;
	return (int)n;
}

bool moddep_name_eq(const char *path, size_t len, const char *name)
{
	return names_eq(path, len, name, strlen(name));
}

/* ---- modules.dep ----------------------------------------------------------------- */

int moddep_next(const char *text, size_t len, size_t *pos, unsigned *line, struct moddep_line *l)
{
	while (*pos < len) {
		size_t s = *pos, e;
		const char *nl = memchr(text + s, '\n', len - s), *colon;
		bool empty = true;
		e = nl ? (size_t)(nl - text) : len;
		*pos = nl ? e + 1 : len;
		(*line)++;
		for (size_t i = s; i < e && empty; i++)
			empty = blank(text[i]);
		if (empty)
			continue;
		l->line = *line;
		colon = memchr(text + s, ':', e - s);
		if (!colon || colon == text + s) /* no ':', or no path before it */
			return -EBADMSG;
		l->path = text + s;
		l->plen = (size_t)(colon - l->path);
		l->deps = colon + 1;
		l->dlen = e - (size_t)(l->deps - text);
		return 1;
	}
	return 0;
}

int moddep_dep_next(const struct moddep_line *l, size_t *pos, const char **w, size_t *wl)
{
	size_t i = *pos;

	while (i < l->dlen && blank(l->deps[i]))
		i++;
	if (i >= l->dlen) {
		*pos = l->dlen;
		return 0;
	}
	*w = l->deps + i;
	while (i < l->dlen && !blank(l->deps[i]))
		i++;
	*wl = (size_t)(l->deps + i - *w);
	*pos = i;
	return 1;
}

int moddep_find(const char *text, size_t len, const char *name, struct moddep_line *l)
{
	size_t pos = 0;
	unsigned line = 0;
	int rc;

	while ((rc = moddep_next(text, len, &pos, &line, l)) != 0)
		if (rc > 0 && moddep_name_eq(l->path, l->plen, name))
			return 0;
	return -ENOENT;
}

/* ---- modules.builtin ---------------------------------------------------------------- */

bool moddep_builtin(const char *text, size_t len, const char *name)
{
	size_t pos = 0;

	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += nl ? n + 1 : n;
		while (n && blank(s[n - 1]))
			n--;
		while (n && blank(*s))
			s++, n--;
		if (n && moddep_name_eq(s, n, name))
			return true;
	}
	return false;
}

/* ---- the dependency walk ------------------------------------------------------------- */

enum { ST_NEW = 0, ST_ACTIVE = 1, ST_DONE = 2 };

/* FNV-1a of a module name as moddep_name makes it (base name, '-' as '_'). */
static uint32_t name_hash(const char *path, size_t len)
{
	size_t n;
	const char *b = base(path, len, &n);
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)norm(b[i])) * 16777619u;
	return h;
}

int moddep_graph_init(struct moddep_graph *g, const char *text, size_t len)
{
	size_t lines = 1, bytes, pos = 0, per;
	unsigned line = 0;
	struct moddep_line l;
	int rc;

	memset(g, 0, sizeof(*g));
	if (len > UINT32_MAX)
		return -EFBIG;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	for (g->nbucket = 1; g->nbucket < lines; g->nbucket *= 2)
		;
	per = sizeof(*g->stack) + sizeof(*g->node) + sizeof(*g->state) + sizeof(*g->next);
	if (__builtin_mul_overflow(lines, per, &bytes) ||
	    __builtin_add_overflow(bytes, (size_t)g->nbucket * sizeof(*g->bucket), &bytes))
		return -ENOMEM;
	if (!(g->stack = malloc(bytes)))
		return -ENOMEM;
	/* one allocation: the frames first (8-byte aligned), then nodes, states,
	 * the name index (a chain per node, the buckets) */
	g->node = (struct moddep_node *)(g->stack + lines);
	g->state = (int32_t *)(g->node + lines);
	g->next = (uint32_t *)(g->state + lines);
	g->bucket = g->next + lines;
	g->text = text;
	g->len = len;
	while ((rc = moddep_next(text, len, &pos, &line, &l)) != 0) {
		if (rc < 0) {
			g->bad_lines++;
			continue;
		}
		g->node[g->n] = (struct moddep_node){.off = (uint32_t)(l.path - text),
						     .plen = (uint32_t)l.plen,
						     .dlen = (uint32_t)l.dlen};
		g->state[g->n++] = ST_NEW;
	}
	/* each chain in file order (inserted last first): a name on two lines
	 * finds the first, as a walk over the lines would */
	for (unsigned b = 0; b < g->nbucket; b++)
		g->bucket[b] = UINT32_MAX;
	for (unsigned i = g->n; i-- > 0;) {
		uint32_t b = name_hash(text + g->node[i].off, g->node[i].plen) & (g->nbucket - 1);
		g->next[i] = g->bucket[b];
		g->bucket[b] = i;
	}
	return 0;
}

void moddep_graph_free(struct moddep_graph *g)
{
	if (!g)
		return;
	free(g->stack); /* the start of the one allocation */
	memset(g, 0, sizeof(*g));
}

/* The node whose module name is path's: through the name index, O(1) on
 * average (a chain of 40,000 modules looked up by a scan took seconds). */
static int find_path(const struct moddep_graph *g, const char *path, size_t len)
{
	uint32_t i;

	if (!g->nbucket)
		return -ENOENT;
	for (i = g->bucket[name_hash(path, len) & (g->nbucket - 1)]; i != UINT32_MAX;
	     i = g->next[i])
		if (names_eq(g->text + g->node[i].off, g->node[i].plen, path, len))
			return (int)i;
	return -ENOENT;
}

int moddep_graph_find(const struct moddep_graph *g, const char *name)
{
	return find_path(g, name, strlen(name));
}

const char *moddep_graph_path(const struct moddep_graph *g, unsigned node, size_t *len)
{
	*len = g->node[node].plen;
	return g->text + g->node[node].off;
}

void moddep_graph_line(const struct moddep_graph *g, unsigned node, struct moddep_line *l)
{
	const struct moddep_node *nd = &g->node[node];

	l->path = g->text + nd->off;
	l->plen = nd->plen;
	l->deps = l->path + nd->plen + 1;
	l->dlen = nd->dlen;
	l->line = 0;
}

void moddep_graph_reset(struct moddep_graph *g)
{
	for (unsigned i = 0; i < g->n; i++)
		g->state[i] = ST_NEW;
	g->depth = 0;
}

/* The dependency word before f->pos (they are visited last first): 1, or 0. */
static int prev_dep(const struct moddep_graph *g, struct moddep_frame *f, const char **w,
		    size_t *wl)
{
	const struct moddep_node *nd = &g->node[f->node];
	const char *deps = g->text + nd->off + nd->plen + 1;
	size_t i = f->pos, e;

	while (i > 0 && blank(deps[i - 1]))
		i--;
	if (i == 0)
		return 0;
	e = i;
	while (i > 0 && !blank(deps[i - 1]))
		i--;
	f->pos = (uint32_t)i;
	*w = deps + i;
	*wl = e - i;
	return 1;
}

static void push(struct moddep_graph *g, unsigned node)
{
	g->state[node] = ST_ACTIVE;
	g->stack[g->depth++] = (struct moddep_frame){.node = node, .pos = g->node[node].dlen};
}

/* A failed walk: the modules still on the stack were not visited. */
static int unwind(struct moddep_graph *g, int err)
{
	for (unsigned i = 0; i < g->depth; i++)
		if (g->state[g->stack[i].node] == ST_ACTIVE)
			g->state[g->stack[i].node] = ST_NEW;
	g->depth = 0;
	return err;
}

/* The next step from the top frame: push a new dependency, or visit the
 * module whose dependencies are all done. 0 to go on, or an error. */
static int step(struct moddep_graph *g, moddep_visit_fn fn, void *ctx)
{
	struct moddep_frame *f = &g->stack[g->depth - 1];
	const char *w;
	size_t wl;
	int k, err;

	while (prev_dep(g, f, &w, &wl)) {
		if ((k = find_path(g, w, wl)) < 0) {
			g->missing = w;
			g->missing_len = wl;
			return -ENOENT;
		}
		if (g->state[k] == ST_DONE)
			continue;
		if (g->state[k] < 0) /* failed earlier: fails again, at no cost */
			return g->state[k];
		if (g->state[k] == ST_ACTIVE) { /* on the stack: a cycle back to it */
			for (g->cycle_from = 0; g->stack[g->cycle_from].node != (unsigned)k;)
				g->cycle_from++;
			g->cycle_to = g->depth;
			return -ELOOP;
		}
		push(g, (unsigned)k); /* new: its dependencies first */
		return 0;
	}
	if ((err = fn(ctx, g, f->node)) != 0) {
		g->state[f->node] = err < 0 ? err : -EIO;
		g->depth--;
		return err;
	}
	g->state[f->node] = ST_DONE;
	g->depth--;
	return 0;
}

int moddep_walk(struct moddep_graph *g, unsigned node, moddep_visit_fn fn, void *ctx)
{
	int err = 0;

	if (node >= g->n)
		return -EINVAL;
	g->missing = NULL;
	g->cycle_from = g->cycle_to = 0;
	if (g->state[node] == ST_DONE)
		return 0;
	if (g->state[node] < 0)
		return g->state[node];
	g->depth = 0;
	push(g, node);
	/* every step pushes a new module or pops one: at most 2n steps, and
	 * the stack never holds a module twice, so depth <= n */
	while (g->depth && (err = step(g, fn, ctx)) == 0)
		;
	return err ? unwind(g, err) : 0;
}

int moddep_graph_cycle(const struct moddep_graph *g, char *out, size_t cap)
{
	size_t o = 0;

	if (cap < 4)
		return -ENOSPC;
	out[0] = 0;
	for (unsigned i = g->cycle_from; i <= g->cycle_to && g->cycle_to > g->cycle_from; i++) {
		/* the first module again at the end closes the cycle */
		unsigned node = g->stack[i < g->cycle_to ? i : g->cycle_from].node;
		char nm[MODULE_NAME_MAX];
		int n = moddep_name(g->text + g->node[node].off, g->node[node].plen, nm);
		size_t need = (n > 0 ? (size_t)n : 1) + (i > g->cycle_from);
		if (o + need + 4 > cap) { /* room for "..." and the NUL */
			memcpy(out + o, "...", 4);
			return -ENOSPC;
		}
		if (i > g->cycle_from)
			out[o++] = '>';
		memcpy(out + o, n > 0 ? nm : "?", n > 0 ? (size_t)n : 1);
		o += n > 0 ? (size_t)n : 1;
		out[o] = 0;
	}
	return (int)o;
}

/* ---- .modinfo ------------------------------------------------------------------------------- */

static uint16_t rd16(const uint8_t *p, bool be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : get_le16(p);
}

static uint32_t rd32(const uint8_t *p, bool be)
{
	return be ? get_be32(p) : get_le32(p);
}

static uint64_t rd64(const uint8_t *p, bool be)
{
	return be ? get_be64(p) : get_le64(p);
}

static int fail(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

struct elf {
	moddep_read_fn rd;
	void *ctx;
	uint64_t size;
	bool is64, be;
};

/* Section header i: its name offset, type, file offset and size. */
static int section(const struct elf *e, uint64_t shoff, unsigned shentsize, unsigned i,
		   uint32_t *name, uint32_t *type, uint64_t *off, uint64_t *sz)
{
	uint8_t sh[ELF64_SHDR_SIZE];
	int err;

	if ((err = e->rd(e->ctx, shoff + (uint64_t)i * shentsize, sh,
			 e->is64 ? ELF64_SHDR_SIZE : ELF32_SHDR_SIZE)) < 0)
		return err;
	*name = rd32(sh, e->be);
	*type = rd32(sh + 4, e->be);
	*off = e->is64 ? rd64(sh + 0x18, e->be) : rd32(sh + 0x10, e->be);
	*sz = e->is64 ? rd64(sh + 0x20, e->be) : rd32(sh + 0x14, e->be);
	return 0;
}

#define SHT_NOBITS_ 8

/* The ELF header: class and byte order into e, where the section headers are. */
struct shdrs {
	uint64_t off;
	unsigned entsize, num, strndx;
};

static long read_ehdr(struct elf *e, struct shdrs *sh, const char **why)
{
	uint8_t eh[ELF64_EHDR_SIZE];
	int err;

	if (e->size < 16)
		return fail(why, "shorter than an ELF identification", -ENOEXEC);
	if ((err = e->rd(e->ctx, 0, eh, 16)) < 0)
		return err;
	if (memcmp(eh, "\177ELF", 4))
		return fail(why, "no ELF magic", -ENOEXEC);
	if ((eh[4] != 1 && eh[4] != 2) || (eh[5] != 1 && eh[5] != 2))
		return fail(why, "ELF class or byte order unknown", -ENOEXEC);
	e->is64 = eh[4] == 2;
	e->be = eh[5] == 2;
	if (e->size < (e->is64 ? ELF64_EHDR_SIZE : ELF32_EHDR_SIZE))
		return fail(why, "shorter than its ELF header", -EBADMSG);
	if ((err = e->rd(e->ctx, 16, eh + 16, (e->is64 ? ELF64_EHDR_SIZE : ELF32_EHDR_SIZE) - 16)) <
	    0)
		return err;
	sh->off = e->is64 ? rd64(eh + 0x28, e->be) : rd32(eh + 0x20, e->be);
	sh->entsize = rd16(eh + (e->is64 ? 0x3a : 0x2e), e->be);
	sh->num = rd16(eh + (e->is64 ? 0x3c : 0x30), e->be);
	sh->strndx = rd16(eh + (e->is64 ? 0x3e : 0x32), e->be);
	if (sh->num == 0) /* modules always have sections; extended numbering unused */
		return fail(why, "no section headers", -ENOENT);
	if (sh->entsize < (e->is64 ? ELF64_SHDR_SIZE : ELF32_SHDR_SIZE))
		return fail(why, "e_shentsize smaller than a section header", -EBADMSG);
	if (!range_ok(sh->off, (uint64_t)sh->num * sh->entsize, e->size))
		return fail(why, "e_shoff: section headers past the end", -EBADMSG);
	if (sh->strndx >= sh->num)
		return fail(why, "e_shstrndx: no such section", -EBADMSG);
	return 0;
}

long modinfo_read(moddep_read_fn rd, void *ctx, uint64_t size, char *out, size_t cap,
		  const char **why)
{
	static const char want[] = ".modinfo"; /* compared with its NUL */
	struct elf e = {.rd = rd, .ctx = ctx, .size = size};
	struct shdrs sh;
	uint64_t str_off, str_sz, off, sz;
	uint32_t name, type;
	long err;

	if (why)
		*why = NULL;
	if ((err = read_ehdr(&e, &sh, why)) < 0 ||
	    (err = section(&e, sh.off, sh.entsize, sh.strndx, &name, &type, &str_off, &str_sz)) < 0)
		return err;
	if (type == SHT_NOBITS_ || !range_ok(str_off, str_sz, size))
		return fail(why, "section names past the end", -EBADMSG);
	for (unsigned i = 0; i < sh.num; i++) {
		char nm[sizeof(want)];
		if ((err = section(&e, sh.off, sh.entsize, i, &name, &type, &off, &sz)) < 0)
			return err;
		if (name >= str_sz || str_sz - name < sizeof(want))
			continue; /* too close to the end of the names to be ".modinfo" */
		if ((err = rd(ctx, str_off + name, nm, sizeof(want))) < 0)
			return err;
		if (memcmp(nm, want, sizeof(want)))
			continue;
		if (type == SHT_NOBITS_ || !range_ok(off, sz, size))
			return fail(why, ".modinfo past the end", -EBADMSG);
		if (sz >= cap)
			return fail(why, ".modinfo larger than the buffer", -EFBIG);
		if ((err = rd(ctx, off, out, (size_t)sz)) < 0)
			return err;
		out[sz] = 0;
		return (long)sz;
	}
	return fail(why, "no .modinfo section", -ENOENT);
}

struct membuf {
	const uint8_t *p;
	size_t n;
};

static int mem_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	const struct membuf *m = ctx;

	if (!range_ok(off, n, m->n))
		return -ENODATA;
	memcpy(buf, m->p + off, n);
	return 0;
}

long modinfo_from_buf(const uint8_t *buf, size_t len, char *out, size_t cap, const char **why)
{
	struct membuf m = {.p = buf, .n = len};

	return modinfo_read(mem_read, &m, len, out, cap, why);
}

static int fd_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	return read_at(*(const int *)ctx, buf, n, off);
}

long modinfo_from_fd(int fd, char *out, size_t cap, const char **why)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return fail(why, "not a regular file", -EINVAL);
	return modinfo_read(fd_read, &fd, (uint64_t)st.st_size, out, cap, why);
}

int modinfo_next(const char *area, size_t len, size_t *pos, bool builtin, struct modinfo_rec *r)
{
	while (*pos < len) {
		size_t s = *pos, e;
		const char *nul = memchr(area + s, 0, len - s), *eq, *dot;
		e = nul ? (size_t)(nul - area) : len;
		*pos = nul ? e + 1 : len;
		if (e == s || !(eq = memchr(area + s, '=', e - s)))
			continue; /* padding, or not key=value */
		r->mod = NULL;
		r->mlen = 0;
		r->key = area + s;
		r->klen = (size_t)(eq - r->key);
		r->val = eq + 1;
		r->vlen = e - (size_t)(r->val - area);
		if (builtin) {
			if (!(dot = memchr(r->key, '.', r->klen)) || dot == r->key)
				continue;
			r->mod = r->key;
			r->mlen = (size_t)(dot - r->key);
			r->key = dot + 1;
			r->klen -= r->mlen + 1;
		}
		return 1;
	}
	return 0;
}

int modinfo_get(const char *area, size_t len, size_t *pos, bool builtin, const char *mod,
		const char *key, const char **val, size_t *vlen)
{
	size_t kl = strlen(key);
	struct modinfo_rec r;

	while (modinfo_next(area, len, pos, builtin, &r))
		if (r.klen == kl && !memcmp(r.key, key, kl) &&
		    (!mod || (r.mod && names_eq(r.mod, r.mlen, mod, strlen(mod))))) {
			*val = r.val;
			*vlen = r.vlen;
			return 1;
		}
	return 0;
}

void modinfo_vermagic_release(const char *vermagic, size_t len, const char **rel, size_t *rlen)
{
	size_t i = 0, n;

	while (i < len && vermagic[i] == ' ')
		i++;
	for (n = 0; i + n < len && vermagic[i + n] != ' '; n++)
		;
	*rel = vermagic + i;
	*rlen = n;
}
