/* eval.c - a rule's conditions against the facts: I2C reads (cached, within
 * the budgets), text facts (/proc/cmdline, bootconfig, device tree, cpuinfo,
 * sysfs) and the tests of the rules language. Says why a rule did not match. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "probe.h"

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
				  (double)a->spent_us / 1000.0, probe_ms_since(p, p->t0));
		a->over_budget = true;
		return IR_SKIPPED;
	}
	res = p->ops->xfer(p->ops->ctx, p, a, r, out);
	for (unsigned k = 0; k < p->retries && res == IR_EIO; k++)
		res = p->ops->xfer(p->ops->ctx, p, a, r, out);
	a->spent_us += p->ops->now_us(p->ops->ctx) - t;
	if (res != IR_OK && res != IR_NAK)
		probe_log(p, "fault bus=%d addr=0x%02x reg=0x%x status=%s%s", a->nr, r->addr, r->reg,
			  probe_res_name[res], res == IR_TIMEOUT ? " bus=abandoned" : "");
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


static bool bus_ok(const struct cond *c, const struct adapter *a)
{
	char nm[16];

	snprintf(nm, sizeof(nm), "i2c-%d", a->nr);
	return !c->bus || rules_glob(c->bus, a->name) || rules_glob(c->bus, nm);
}

/* ---- conditions ---------------------------------------------------------------------- */

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
				why_add(w, " %d-%02x:%s", a->nr, r.addr, probe_res_name[res]);
				continue;
			}
			probe_hex(b, r.len, hx);
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
	case CK_CMDLINE: /* the command line, then bootconfig (an array: any element) */
		if ((n = cmdline_get(p->cmdline, strlen(p->cmdline), c->key, buf, sizeof(buf))) < 0 &&
		    (n = bootconfig_get(p->bootconfig, strlen(p->bootconfig), c->key, buf,
					sizeof(buf), NULL)) < 0) {
			why_add(w, " %s: absent", c->key);
			return false;
		}
		if (any_element(p->rules, c, buf, n + 1, m->value, sizeof(m->value)))
			return true;
		why_add(w, " %s=\"%.60s\"(no)", c->key, buf);
		return false;
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
		probe_trim(buf);
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

bool probe_eval_rule(struct probe *p, const struct rule *ru, struct match *m, struct why *w)
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
