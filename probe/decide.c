/* decide.c - facts against modules.list: first matching rule per class, in
 * class order, then its actions; a record of every decision and why. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "probe.h"

static const char *const res_name[] = {"ok", "nak", "busy", "timeout", "eio", "over-budget"};

void probe_defaults(struct probe *p)
{
	memset(p, 0, sizeof(*p));
	p->rootfd = -1;
	p->budget_ms = 2000;
	p->bus_budget_ms = 500;
	p->timeout_ms = 25;
	p->retries = 1;
	p->record_path = "run/probe/decisions";
	p->facts_path = "run/probe/facts";
	p->input_dir = "run/probe/usr";
	p->record_fd = p->kmsg_fd = -1;
}

static double ms_since(const struct probe *p, uint64_t t)
{
	return (double)(p->ops->now_us(p->ops->ctx) - t) / 1000.0;
}

void probe_log(struct probe *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (p->record_fd >= 0 && write(p->record_fd, line, (size_t)n) < 0)
		p->failures++;
	if (p->kmsg_fd >= 0) {
		char k[540];
		int kn = snprintf(k, sizeof(k), "probe: %.*s", n, line);
		if (kn > 0 && write(p->kmsg_fd, k, (size_t)kn) < 0)
			p->failures++;
	}
	if (p->explain)
		fwrite(line, 1, (size_t)n, stdout);
}

/* mkdir -p of a root-relative folder. */
static void mkdirs(const struct probe *p, const char *dir)
{
	char buf[256];
	size_t n = strlen(dir);

	if (n >= sizeof(buf))
		return;
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++)
		if (buf[i] == '/' || buf[i] == 0) {
			char c = buf[i];
			buf[i] = 0;
			mkdirat(p->rootfd, buf, 0755);
			buf[i] = c;
		}
}

static int open_out(const struct probe *p, const char *path, int flags)
{
	char dir[256];
	const char *slash = strrchr(path, '/');

	if (slash && (size_t)(slash - path) < sizeof(dir)) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = 0;
		mkdirs(p, dir);
	}
	return openat(p->rootfd, path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
}

int probe_start(struct probe *p)
{
	static struct utsname u;
	char path[160];
	long n;

	p->t0 = p->ops->now_us(p->ops->ctx);
	p->record_fd = open_out(p, p->record_path, O_TRUNC);
	p->kmsg_fd = openat(p->rootfd, "dev/kmsg", O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	int ffd = open_out(p, p->facts_path, O_TRUNC);
	if (ffd >= 0)
		close(ffd);
	if (probe_read(p, "proc/cmdline", p->cmdline, sizeof(p->cmdline)) < 0)
		probe_log(p, "fault file=/proc/cmdline status=unreadable");
	trim(p->cmdline);
	if (probe_read(p, "proc/bootconfig", p->bootconfig, sizeof(p->bootconfig)) < 0)
		p->bootconfig[0] = 0;
	if (!p->release && uname(&u) == 0)
		p->release = u.release;
	snprintf(path, sizeof(path), "lib/modules/%s/modules.dep", p->release ? p->release : "");
	if ((p->moddep = malloc(PROBE_DEP_MAX)) &&
	    (n = probe_read(p, path, p->moddep, PROBE_DEP_MAX)) >= 0) {
		p->moddep_len = (size_t)n;
	} else {
		probe_log(p, "fault file=/%s status=unreadable", path);
		free(p->moddep);
		p->moddep = NULL;
	}
	p->nad = p->ops->adapters(p->ops->ctx, p, p->ad, PROBE_ADAPTERS_MAX);
	for (unsigned i = 0; i < p->nad; i++)
		probe_log(p, "adapter bus=%d name=\"%s\" %s", p->ad[i].nr, p->ad[i].name,
			  p->ad[i].smbus_only ? "smbus-only" : "i2c");
	return 0;
}

/* ---- I2C reads, cached and within budget ---------------------------------------- */

static bool same_req(const struct i2c_req *a, const struct i2c_req *b)
{
	return a->addr == b->addr && a->regbits == b->regbits && a->reg == b->reg &&
	       a->len == b->len && a->via == b->via && a->force == b->force;
}

static enum i2c_res i2c_read(struct probe *p, struct adapter *a, const struct i2c_req *r,
			     uint8_t *out)
{
	struct i2c_cache *c;
	uint64_t t;
	enum i2c_res res;

	for (unsigned i = 0; i < p->ncache; i++)
		if (p->cache[i].bus == a->nr && same_req(&p->cache[i].req, r)) {
			memcpy(out, p->cache[i].bytes, r->len);
			return p->cache[i].res;
		}
	if (a->over_budget) /* out of time, or stopped answering */
		return IR_SKIPPED;
	t = p->ops->now_us(p->ops->ctx);
	if (t - p->t0 > (uint64_t)p->budget_ms * 1000u || a->spent_us > (uint64_t)p->bus_budget_ms * 1000u) {
		if (!a->over_budget)
			probe_log(p, "budget bus=%d spent_ms=%.1f total_ms=%.1f status=exhausted", a->nr,
				  (double)a->spent_us / 1000.0, ms_since(p, p->t0));
		a->over_budget = true;
		return IR_SKIPPED;
	}
	res = p->ops->xfer(p->ops->ctx, p, a, r, out);
	for (unsigned k = 0; k < p->retries && res == IR_EIO; k++)
		res = p->ops->xfer(p->ops->ctx, p, a, r, out);
	a->spent_us += p->ops->now_us(p->ops->ctx) - t;
	if (res != IR_OK && res != IR_NAK)
		probe_log(p, "fault bus=%d addr=0x%02x reg=0x%x status=%s%s", a->nr, r->addr, r->reg,
			  res_name[res], res == IR_TIMEOUT ? " bus=abandoned" : "");
	/* A transfer that timed out leaves a bus no one can trust (a stuck
	 * line, a dead bit-banged adapter): nothing more on it this pass. */
	if (res == IR_TIMEOUT)
		a->over_budget = true;
	if (p->ncache < PROBE_CACHE_MAX) {
		c = &p->cache[p->ncache++];
		c->bus = a->nr;
		c->req = *r;
		c->res = res;
		memcpy(c->bytes, out, r->len);
	}
	return res;
}

/* ---- tests ------------------------------------------------------------------------- */

static bool to_num(const char *s, uint64_t *n)
{
	char *end;

	if (!*s)
		return false;
	*n = strtoull(s, &end, 0);
	return *end == 0;
}

/* One value against a fact given as text and, when it has one, a number. */
static bool value_eq(const struct value *v, const char *text, bool has_num, uint64_t num)
{
	if (v->is_num && has_num)
		return v->n == num;
	return !strcmp(v->s, text);
}

static bool test(const struct rules *r, const struct cond *c, const char *text, bool has_num,
		 uint64_t num)
{
	const struct value *v = &r->val[c->val];

	switch (c->op) {
	case OP_NONE: return true;
	case OP_EQ: return value_eq(v, text, has_num, num);
	case OP_NE: return !value_eq(v, text, has_num, num);
	case OP_ONEOF:
		for (unsigned i = 0; i < c->nval; i++)
			if (value_eq(&v[i], text, has_num, num))
				return true;
		return false;
	case OP_MASK: return has_num && (num & c->mask) == v->n;
	case OP_PREFIX: return !strncmp(text, v->s, strlen(v->s));
	case OP_GLOB: return rules_glob(v->s, text);
	}
	return false;
}

static bool test_text(const struct rules *r, const struct cond *c, const char *text)
{
	uint64_t n = 0;
	bool has = to_num(text, &n);

	return test(r, c, text, has, n);
}

/* Register bytes: a big-endian number (up to 8 bytes) and text up to a NUL. */
static bool test_bytes(const struct rules *r, const struct cond *c, const uint8_t *b, unsigned len)
{
	char text[I2C_ID_MAX + 1];
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < len; i++)
		n = n << 8 | b[i];
	for (i = 0; i < len && b[i]; i++)
		text[i] = (char)b[i];
	text[i] = 0;
	return test(r, c, text, len <= 8, n);
}

static void hex(const uint8_t *b, unsigned len, char *out)
{
	for (unsigned i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * len] = 0;
}

static bool bus_ok(const struct cond *c, const struct adapter *a)
{
	char nm[16];

	snprintf(nm, sizeof(nm), "i2c-%d", a->nr);
	return !c->bus || rules_glob(c->bus, a->name) || rules_glob(c->bus, nm);
}

/* ---- conditions ---------------------------------------------------------------------- */

struct why {
	char s[256];
	size_t n;
};

static void why_add(struct why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why_add(struct why *w, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (w->n >= sizeof(w->s) - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(w->s + w->n, sizeof(w->s) - w->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		w->n = w->n + (size_t)k < sizeof(w->s) ? w->n + (size_t)k : sizeof(w->s) - 1;
}

static bool cond_i2c(struct probe *p, const struct cond *c, struct match *m, struct why *w)
{
	for (unsigned i = 0; i < p->nad; i++) {
		struct adapter *a = &p->ad[i];
		if (!bus_ok(c, a))
			continue;
		for (unsigned k = 0; k < c->naddr; k++) {
			struct i2c_req r = {.addr = c->addr[k], .regbits = c->regbits, .reg = c->reg,
					    .len = c->len, .via = c->via, .force = c->force};
			uint8_t b[I2C_ID_MAX] = {0};
			char hx[2 * I2C_ID_MAX + 1];
			enum i2c_res res = i2c_read(p, a, &r, b);
			if (res != IR_OK) {
				why_add(w, " %d-%02x:%s", a->nr, r.addr, res_name[res]);
				continue;
			}
			hex(b, r.len, hx);
			if (c->op != OP_NONE && !test_bytes(p->rules, c, b, r.len)) {
				why_add(w, " %d-%02x:read=%s(no)", a->nr, r.addr, hx);
				continue;
			}
			why_add(w, " %d-%02x:read=%s", a->nr, r.addr, r.len ? hx : "ack");
			if (!m->i2c) {
				m->i2c = true;
				m->bus = a->nr;
				m->addr = r.addr;
				m->reg = r.reg;
				m->regbits = r.regbits;
				m->len = r.len;
				memcpy(m->bytes, b, r.len);
			}
			return true;
		}
	}
	if (!w->n)
		why_add(w, " no adapter%s%s", c->bus ? " matches " : "", c->bus ? c->bus : "");
	return false;
}

static bool any_element(const struct rules *r, const struct cond *c, char *buf, long n,
			char *value, size_t cap)
{
	for (long i = 0; i < n;) {
		const char *e = buf + i;
		size_t el = strlen(e);
		if (test_text(r, c, e)) {
			snprintf(value, cap, "%.127s", e);
			return true;
		}
		i += (long)el + 1;
	}
	return false;
}

static bool cond_text(struct probe *p, const struct cond *c, struct match *m, struct why *w)
{
	char buf[PROBE_TEXT_MAX], path[300];
	long n;

	switch (c->kind) {
	case CK_CMDLINE:
		if (!cmdline_get(p->cmdline, c->key, buf, sizeof(buf)) &&
		    !bootconfig_get(p->bootconfig, c->key, buf, sizeof(buf))) {
			why_add(w, " %s: absent", c->key);
			return false;
		}
		break;
	case CK_DT:
		snprintf(path, sizeof(path), "proc/device-tree/%s", c->key);
		if ((n = probe_read(p, path, buf, sizeof(buf))) < 0) {
			why_add(w, " dt %s: absent", c->key);
			return false;
		}
		if (any_element(p->rules, c, buf, n, m->value, sizeof(m->value)))
			return true;
		why_add(w, " dt %s=\"%s\"(no)", c->key, buf);
		return false;
	case CK_CPUINFO:
		if (!p->cpuinfo && (p->cpuinfo = malloc(PROBE_CPUINFO_MAX)) &&
		    probe_read(p, "proc/cpuinfo", p->cpuinfo, PROBE_CPUINFO_MAX) < 0)
			p->cpuinfo[0] = 0; /* unreadable: every field absent */
		if (!p->cpuinfo || !cpuinfo_get(p->cpuinfo, c->key, buf, sizeof(buf))) {
			why_add(w, " cpuinfo %s: absent", c->key);
			return false;
		}
		break;
	case CK_SYSFS:
		snprintf(path, sizeof(path), "sys/%s", c->key[0] == '/' ? c->key + 1 : c->key);
		if (probe_read(p, path, buf, sizeof(buf)) < 0) {
			why_add(w, " sysfs %s: absent", c->key);
			return false;
		}
		trim(buf);
		break;
	default: /* CK_EXISTS */
		snprintf(path, sizeof(path), "%s", c->key[0] == '/' ? c->key + 1 : c->key);
		if (faccessat(p->rootfd, path, F_OK, 0) == 0)
			return true;
		why_add(w, " %s: absent", c->key);
		return false;
	}
	if (test_text(p->rules, c, buf)) {
		snprintf(m->value, sizeof(m->value), "%.127s", buf);
		return true;
	}
	why_add(w, " %s=\"%.60s\"(no)", c->key, buf);
	return false;
}

static bool eval_rule(struct probe *p, const struct rule *ru, struct match *m, struct why *w)
{
	for (unsigned k = 0; k < ru->ncond; k++) {
		const struct cond *c = &p->rules->cond[ru->cond + k];
		struct match scratch = *m;
		bool hit = c->kind == CK_I2C ? cond_i2c(p, c, c->negate ? &scratch : m, w)
					     : cond_text(p, c, c->negate ? &scratch : m, w);
		if (hit == c->negate)
			return false;
	}
	return true;
}

/* ---- actions ----------------------------------------------------------------------------- */

/* ${bus} ${addr} ${id} ${value} from the match. */
static void expand(const struct match *m, const char *in, char *out, size_t cap)
{
	size_t o = 0;

	while (*in && o + 1 < cap) {
		char v[2 * I2C_ID_MAX + 130];
		const char *end;
		if (in[0] != '$' || in[1] != '{' || !(end = strchr(in, '}'))) {
			out[o++] = *in++;
			continue;
		}
		if (!strncmp(in, "${bus}", 6))
			snprintf(v, sizeof(v), "%d", m->bus);
		else if (!strncmp(in, "${addr}", 7))
			snprintf(v, sizeof(v), "0x%02x", m->addr);
		else if (!strncmp(in, "${id}", 5))
			hex(m->bytes, m->len, v);
		else if (!strncmp(in, "${value}", 8))
			snprintf(v, sizeof(v), "%s", m->value);
		else
			snprintf(v, sizeof(v), "%.*s", (int)(end - in + 1), in);
		for (const char *s = v; *s && o + 1 < cap; s++)
			out[o++] = *s;
		in = end + 1;
	}
	out[o] = 0;
}

/* The modules.dep line of a module name: path and dependency list. */
static bool dep_find(const struct probe *p, const char *name, const char **path, size_t *plen,
		     const char **deps, size_t *dlen)
{
	const char *s = p->moddep, *end = s ? s + p->moddep_len : NULL;

	while (s && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *e = nl ? nl : end;
		const char *colon = memchr(s, ':', (size_t)(e - s));
		char pb[256], nm[64];
		if (colon && (size_t)(colon - s) < sizeof(pb)) {
			memcpy(pb, s, (size_t)(colon - s));
			pb[colon - s] = 0;
			rules_mod_name(pb, nm, sizeof(nm));
			if (!strcmp(nm, name)) {
				*path = s, *plen = (size_t)(colon - s);
				*deps = colon + 1, *dlen = (size_t)(e - colon - 1);
				return true;
			}
		}
		s = e + 1;
	}
	return false;
}

static int load_path(struct probe *p, const char *cls, const char *path, size_t plen,
		     const char *params, unsigned depth);

/* Dependencies in the reverse of their modules.dep order, each with its own. */
static int load_deps(struct probe *p, const char *cls, const char *deps, size_t dlen, unsigned depth)
{
	const char *w[32];
	size_t wl[32];
	unsigned n = 0;

	for (size_t i = 0; i < dlen && n < 32;) {
		while (i < dlen && deps[i] == ' ')
			i++;
		if (i == dlen)
			break;
		w[n] = deps + i;
		while (i < dlen && deps[i] != ' ')
			i++;
		wl[n] = (size_t)(deps + i - w[n]);
		n++;
	}
	while (n--) {
		int err = load_path(p, cls, w[n], wl[n], "", depth + 1);
		if (err < 0)
			return err;
	}
	return 0;
}

static int load_path(struct probe *p, const char *cls, const char *path, size_t plen,
		     const char *params, unsigned depth)
{
	char full[320], nm[64], pb[256];
	const char *dp, *deps;
	size_t dl, dpl;
	int err;

	snprintf(pb, sizeof(pb), "%.*s", (int)plen, path);
	rules_mod_name(pb, nm, sizeof(nm));
	if (depth > 8)
		return -ELOOP;
	if (dep_find(p, nm, &dp, &dpl, &deps, &dl) && (err = load_deps(p, cls, deps, dl, depth)) < 0)
		return err;
	snprintf(full, sizeof(full), "lib/modules/%s/%s", p->release, pb);
	if (p->dry_run) {
		probe_log(p, "load class=%s module=%s status=dry-run", cls, nm);
		return 0;
	}
	err = p->ops->load(p->ops->ctx, p, full, params);
	probe_log(p, "load class=%s module=%s status=%s%s%s", cls, nm,
		  err == 0 ? "ok" : err == -EEXIST ? "already" : "error:",
		  err && err != -EEXIST ? strerror(-err) : "", *params ? " params=" : "");
	return err == -EEXIST ? 0 : err;
}

static int act_load(struct probe *p, const char *cls, const struct action *a, const struct match *m)
{
	char params[512] = "", one[160];
	const char *path, *deps;
	size_t plen, dlen;
	char nm[64];

	for (unsigned i = 0; i < a->nparam; i++) {
		expand(m, p->rules->val[a->param + i].s, one, sizeof(one));
		if (strlen(params) + strlen(one) + 2 < sizeof(params))
			snprintf(params + strlen(params), sizeof(params) - strlen(params), "%s%s",
				 i ? " " : "", one);
	}
	rules_mod_name(a->arg, nm, sizeof(nm));
	if (!dep_find(p, nm, &path, &plen, &deps, &dlen)) {
		probe_log(p, "load class=%s module=%s status=error:not-in-modules.dep", cls, nm);
		return -ENOENT;
	}
	return load_path(p, cls, path, plen, params, 0);
}

static int write_file(struct probe *p, const char *path, const char *data, size_t n, int flags)
{
	int fd = open_out(p, path, flags), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, data, n) != (ssize_t)n)
		err = -errno ? -errno : -EIO;
	close(fd);
	return err;
}

static int act_bind(struct probe *p, const char *cls, const char *dev, const struct match *m)
{
	char path[96], line[96];
	int fd, err = 0;

	if (!m->i2c) {
		probe_log(p, "bind class=%s device=%s status=error:no-i2c-match", cls, dev);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "sys/bus/i2c/devices/i2c-%d/new_device", m->bus);
	snprintf(line, sizeof(line), "%s 0x%02x\n", dev, m->addr);
	if (!p->dry_run) { /* an existing sysfs file: no O_CREAT */
		fd = openat(p->rootfd, path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, line, strlen(line)) < 0)
			err = -errno;
		if (fd >= 0)
			close(fd);
	}
	probe_log(p, "bind class=%s device=%s bus=%d addr=0x%02x status=%s%s", cls, dev, m->bus,
		  m->addr, p->dry_run ? "dry-run" : err ? "error:" : "ok", err ? strerror(-err) : "");
	return err;
}

static int act_install(struct probe *p, const char *cls, const char *file)
{
	char src[200], dst[300], *buf = malloc(1u << 16);
	const char *ext = strrchr(file, '.');
	long n;
	int err = 0;

	snprintf(src, sizeof(src), "lib/probe/input/%s", file);
	snprintf(dst, sizeof(dst), "%s/%s/%s", p->input_dir,
		 ext && !strcmp(ext, ".kl") ? "keylayout" : "idc", file);
	if (!buf || (n = probe_read(p, src, buf, 1u << 16)) < 0)
		err = buf ? (int)n : -ENOMEM;
	else if (!p->dry_run)
		err = write_file(p, dst, buf, (size_t)n, O_TRUNC);
	free(buf);
	probe_log(p, "install class=%s file=%s to=/%s status=%s%s", cls, file, dst,
		  p->dry_run && !err ? "dry-run" : err ? "error:" : "ok", err ? strerror(-err) : "");
	return err;
}

static int act_export(struct probe *p, const char *cls, const char *kv, const struct match *m)
{
	char line[300];
	int err = 0;

	expand(m, kv, line, sizeof(line) - 1);
	if (!p->dry_run) {
		size_t n = strlen(line);
		line[n] = '\n';
		err = write_file(p, p->facts_path, line, n + 1, O_APPEND);
		line[n] = 0;
	}
	probe_log(p, "export class=%s %s status=%s", cls, line, p->dry_run ? "dry-run" : err ? "error" : "ok");
	return err;
}

/* Overlays need the out-of-tree configfs interface; say so when it is absent. */
static int act_overlay(struct probe *p, const char *cls, const char *file)
{
	const char *base = "sys/kernel/config/device-tree/overlays";
	char dir[200], dst[260], *buf;
	const char *b = strrchr(file, '/');
	long n;
	int err = 0;

	if (faccessat(p->rootfd, base, F_OK, 0) != 0) {
		probe_log(p, "overlay class=%s file=%s status=unsupported:no-configfs-overlays", cls, file);
		return 0;
	}
	b = b ? b + 1 : file;
	snprintf(dir, sizeof(dir), "%s/%.*s", base, (int)strcspn(b, "."), b);
	snprintf(dst, sizeof(dst), "%s/dtbo", dir);
	if (!(buf = malloc(1u << 18)))
		return -ENOMEM;
	if ((n = probe_read(p, file, buf, 1u << 18)) < 0)
		err = (int)n;
	else if (!p->dry_run && (mkdirat(p->rootfd, dir, 0755) < 0 && errno != EEXIST))
		err = -errno;
	else if (!p->dry_run)
		err = write_file(p, dst, buf, (size_t)n, 0);
	free(buf);
	probe_log(p, "overlay class=%s file=%s status=%s%s", cls, file,
		  p->dry_run && !err ? "dry-run" : err ? "error:" : "ok", err ? strerror(-err) : "");
	return err;
}

/* Loads first (a failed load makes the rule fail: the next candidate gets
 * its turn), then the rest. */
static int run_actions(struct probe *p, const struct rule *ru, const struct match *m)
{
	int failed = 0;

	for (int pass = 0; pass < 2; pass++)
		for (unsigned k = 0; k < ru->nact; k++) {
			const struct action *a = &p->rules->act[ru->act + k];
			if ((a->kind == AK_LOAD) != (pass == 0))
				continue;
			if (pass == 1 && failed)
				return failed;
			int err = a->kind == AK_LOAD	  ? act_load(p, ru->cls, a, m)
				  : a->kind == AK_BIND	  ? act_bind(p, ru->cls, a->arg, m)
				  : a->kind == AK_INSTALL ? act_install(p, ru->cls, a->arg)
				  : a->kind == AK_EXPORT  ? act_export(p, ru->cls, a->arg, m)
							  : act_overlay(p, ru->cls, a->arg);
			if (err < 0) {
				p->failures++;
				if (a->kind == AK_LOAD)
					failed = err;
			}
		}
	return failed;
}

/* ---- classes --------------------------------------------------------------------------------- */

static void log_decision(struct probe *p, const struct rule *ru, const struct match *m, uint64_t t,
			 const char *how)
{
	char ev[200] = "";

	if (m->i2c) {
		char hx[2 * I2C_ID_MAX + 1];
		hex(m->bytes, m->len, hx);
		snprintf(ev, sizeof(ev), " bus=%d addr=0x%02x reg=0x%0*x read=%s", m->bus, m->addr,
			 m->regbits == 16 ? 4 : 2, m->reg, m->len ? hx : "ack");
	} else if (m->value[0]) {
		snprintf(ev, sizeof(ev), " value=\"%.100s\"", m->value);
	}
	probe_log(p, "decide class=%s rule=%s line=%d%s%s ms=%.1f", ru->cls, ru->name, ru->line, how,
		  ev, ms_since(p, t));
}

/* 2: a rule decided; 1: the fallback acted; 0: nothing to do. */
static int decide_class(struct probe *p, unsigned ci)
{
	const char *cls = p->rules->cls[ci].name;
	const struct rule *fb = NULL;
	uint64_t t = p->ops->now_us(p->ops->ctx);

	const struct rule *won = NULL;

	for (unsigned i = 0; i < p->rules->nrule; i++) {
		const struct rule *ru = &p->rules->rule[i];
		struct match m;
		struct why w = {.n = 0};
		if (strcmp(ru->cls, cls))
			continue;
		if (ru->fallback) {
			fb = ru;
			continue;
		}
		if (won && !p->explain)
			break;
		memset(&m, 0, sizeof(m));
		bool hit = eval_rule(p, ru, &m, &w);
		if (p->explain) /* every rule, also those after the winner */
			printf("explain %s %s (line %d): %s%s%s:%s\n", cls, ru->name, ru->line,
			       hit ? "match" : "no", won && hit ? ", not used: decided by " : "",
			       won && hit ? won->name : "", w.s);
		if (!hit || won)
			continue;
		log_decision(p, ru, &m, t, "");
		if (run_actions(p, ru, &m) == 0)
			won = ru;
		else
			probe_log(p, "reject class=%s rule=%s line=%d status=load-failed", cls,
				  ru->name, ru->line);
	}
	if (won)
		return 2;
	if (fb) {
		struct match m;
		memset(&m, 0, sizeof(m));
		log_decision(p, fb, &m, t, " result=fallback");
		run_actions(p, fb, &m);
		return fb->nact ? 1 : 0;
	}
	probe_log(p, "decide class=%s rule=none ms=%.1f", cls, ms_since(p, t));
	return 0;
}

unsigned probe_run(struct probe *p)
{
	unsigned order[CLASSES_MAX], n = rules_class_order(p->rules, order), decided = 0;

	for (unsigned k = 0; k < n; k++) {
		unsigned ci = order[k];
		if (p->class_done[ci])
			continue;
		int how = decide_class(p, ci);
		if (how == 2) {
			p->class_done[ci] = true;
			decided++;
		}
		/* its rail may need time (none in a dry run: nothing was switched) */
		if (how && p->rules->cls[ci].settle_ms && !p->dry_run)
			p->ops->sleep_ms(p->ops->ctx, p->rules->cls[ci].settle_ms);
	}
	p->decided += decided;
	return decided;
}

void probe_finish(struct probe *p)
{
	probe_log(p, "done decided=%u classes=%u failures=%u ms=%.1f", p->decided, p->rules->ncls,
		  p->failures, ms_since(p, p->t0));
	if (p->record_fd >= 0)
		close(p->record_fd);
	if (p->kmsg_fd >= 0)
		close(p->kmsg_fd);
	p->record_fd = p->kmsg_fd = -1;
	free(p->moddep);
	free(p->cpuinfo);
	p->moddep = p->cpuinfo = NULL;
}
