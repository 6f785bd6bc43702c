/* eval.c - a rule's conditions against the facts: I2C reads (bus.c: cached,
 * within the budgets), text facts (/proc/cmdline, bootconfig, device tree,
 * cpuinfo, sysfs) and the tests of the rules language. Says why a rule did
 * not match. A text fact cut at its cap is neither true nor false: the rule
 * does not match, negated or not. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/kcmdline.h"
#include "probe/probe.h"

/* ---- tests ------------------------------------------------------------------------- */

/* Facts are numbers by the rules' own reading (0x hex, else decimal: a
 * leading 0 is decimal in both), so fact "010" equals rule value 010. */
static bool to_num(const char *s, uint64_t *n)
{
	return rules_parse_num(s, n) == 0;
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
	char nm[LABEL_MAX];

	return !c->bus || rules_glob(c->bus, a->name) ||
	       (strfmt(nm, sizeof(nm), "i2c-%d", a->nr) >= 0 && rules_glob(c->bus, nm));
}

/* ---- conditions ---------------------------------------------------------------------- */

enum verdict { V_NO, V_YES, V_UNKNOWN };

/* Why a rule did not match, for the record and --explain: shown only, a
 * long one is cut at sizeof(w->s), marked "...". */
static void why_add(struct why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why_add(struct why *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstrfmt_show_add(w->s, sizeof(w->s), &w->n, fmt, ap);
	va_end(ap);
}

#define SHOWN_MAX 64 /* a fact's text in an explanation */

/* A fact's text, escaped and cut short for an explanation. */
static const char *shown(const char *s, char out[SHOWN_MAX])
{
	if (probe_esc(s, strlen(s), out, SHOWN_MAX, false) >= SHOWN_MAX)
		memcpy(out + SHOWN_MAX - 4, "...", 4); /* deliberate: an explanation */
	return out;
}

/* Keep the value that matched for ${value}; its real length says if cut. */
static void keep_value(struct match *m, const char *s, size_t n)
{
	size_t k = n < sizeof(m->value) - 1 ? n : sizeof(m->value) - 1;

	memcpy(m->value, s, k);
	m->value[k] = 0;
	m->value_len = n;
}

static bool cond_i2c(struct probe *p, const struct cond *c, struct match *m, struct why *w)
{
	unsigned order[PROBE_ADAPTERS_MAX], n = probe_bus_order(p, order);

	for (unsigned i = 0; i < n; i++) {
		struct adapter *a = &p->run.ad[order[i]];
		if (!bus_ok(c, a))
			continue;
		for (unsigned k = 0; k < c->naddr; k++) {
			struct i2c_req r = {.addr = c->addr[k],
					    .regbits = c->regbits,
					    .reg = c->reg,
					    .len = c->len,
					    .via = c->via,
					    .force = c->force};
			uint8_t b[I2C_ID_MAX] = {0};
			char hx[2 * I2C_ID_MAX + 1];
			enum i2c_res res = probe_i2c_read(p, a, &r, b);
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

/* bound: the first device B-00AA (buses in number order, the condition's
 * addresses in its order) whose driver passes the test; ${bus}, ${addr}
 * and ${value} (the driver) come from it. A device no driver holds never
 * matches: the kernel found no part there. */
static bool cond_bound(struct probe *p, const struct cond *c, struct match *m, struct why *w)
{
	for (unsigned i = 0; i < p->run.nad; i++) {
		const struct adapter *a = &p->run.ad[i];
		if (!bus_ok(c, a))
			continue;
		for (unsigned k = 0; k < c->naddr; k++) {
			char drv[DRIVER_NAME_MAX];
			bool of_node;
			if (!probe_dev_state(p, a->nr, c->addr[k], &of_node, drv, sizeof(drv)))
				continue;
			if (!drv[0] || !test_text(p->rules, c, drv)) {
				why_add(w, " %d-%04x:%s%s", a->nr, c->addr[k],
					drv[0] ? drv : "unbound", drv[0] ? "(no)" : "");
				continue;
			}
			why_add(w, " %d-%04x:%s", a->nr, c->addr[k], drv);
			if (!m->i2c) {
				memset(m, 0, sizeof(*m));
				m->i2c = true;
				m->bus = a->nr;
				m->addr = c->addr[k];
				memcpy(m->driver, drv, sizeof(m->driver));
				keep_value(m, drv, strlen(drv));
			}
			return true;
		}
	}
	if (!w->n)
		why_add(w, " no device at 0x%02x", c->addr[0]);
	return false;
}

/* NUL-separated elements (a DT string list, a bootconfig array): any one. */
static bool any_element(const struct rules *r, const struct cond *c, const char *buf, size_t n,
			struct match *m)
{
	for (size_t i = 0; i < n;) {
		const char *e = buf + i;
		size_t el = strnlen(e, n - i);
		if (test_text(r, c, e)) {
			keep_value(m, e, el);
			return true;
		}
		i += el + 1;
	}
	return false;
}

/* A file fact (device tree, sysfs) into p->run.scratch: its length, or <0. */
static long file_fact(struct probe *p, const char *dir, const char *key, struct why *w,
		      const char *what, bool *cut)
{
	char path[PROBE_PATH_MAX];
	long n;

	*cut = false;
	if (strfmt(path, sizeof(path), "%s%s", dir, key[0] == '/' ? key + 1 : key) < 0) {
		why_add(w, " %s %s: path too long", what, key);
		return -ENAMETOOLONG;
	}
	if ((n = probe_read_cut(p, path, p->run.scratch, PROBE_FACT_MAX + 1, cut)) < 0) {
		why_add(w, " %s %s: absent", what, key);
		return n;
	}
	if (*cut) {
		probe_log(p, "fault file=/%s status=cut bytes=%ld", path, n);
		why_add(w, " %s %s: cut at %ld bytes", what, key, n);
	}
	return n;
}

static enum verdict cond_text(struct probe *p, const struct cond *c, struct match *m, struct why *w)
{
	char *buf = p->run.scratch, esc[SHOWN_MAX];
	long n;
	bool cut;

	switch (c->kind) {
	case CK_CMDLINE: /* the command line, then bootconfig (an array: any element) */
		if ((n = cmdline_get(p->run.cmdline, p->run.cmdline_len, c->key, buf,
				     PROBE_FACT_MAX + 1)) < 0 &&
		    (n = bootconfig_get(p->run.bootconfig, p->run.bootconfig_len, c->key, buf,
					PROBE_FACT_MAX + 1, NULL)) < 0) {
			why_add(w, " %s: absent", c->key);
			return V_NO;
		}
		if (any_element(p->rules, c, buf, (size_t)n + 1, m))
			return V_YES;
		why_add(w, " %s=\"%s\"(no)", c->key, shown(buf, esc));
		return V_NO;
	case CK_DT:
		if ((n = file_fact(p, "proc/device-tree/", c->key, w, "dt", &cut)) < 0)
			return V_NO;
		if (cut)
			return V_UNKNOWN;
		if (c->op == OP_NONE) { /* present: also an empty (boolean) property */
			keep_value(m, buf, strnlen(buf, (size_t)n));
			return V_YES;
		}
		if (any_element(p->rules, c, buf, (size_t)n, m))
			return V_YES;
		why_add(w, " dt %s=\"%s\"(no)", c->key, shown(buf, esc));
		return V_NO;
	case CK_CPUINFO:
		if (cpuinfo_get(probe_cpuinfo(p), c->key, buf, PROBE_FACT_MAX + 1) < 0) {
			why_add(w, " cpuinfo %s: absent", c->key);
			return V_NO;
		}
		break;
	case CK_SYSFS:
		if ((n = file_fact(p, "sys/", c->key, w, "sysfs", &cut)) < 0)
			return V_NO;
		if (cut)
			return V_UNKNOWN;
		probe_trim(buf);
		break;
	default: /* CK_EXISTS */
		if (probe_exists(p, c->key) == 0)
			return V_YES;
		why_add(w, " %s: absent", c->key);
		return V_NO;
	}
	if (test_text(p->rules, c, buf)) {
		keep_value(m, buf, strlen(buf));
		return V_YES;
	}
	why_add(w, " %s=\"%s\"(no)", c->key, shown(buf, esc));
	return V_NO;
}

bool probe_eval_rule(struct probe *p, const struct rule *ru, struct match *m, struct why *w)
{
	for (unsigned k = 0; k < ru->ncond; k++) {
		const struct cond *c = &p->rules->cond[ru->cond + k];
		struct match scratch = *m, *into = c->negate ? &scratch : m;
		enum verdict v = c->kind == CK_I2C     ? (cond_i2c(p, c, into, w) ? V_YES : V_NO)
				 : c->kind == CK_BOUND ? (cond_bound(p, c, into, w) ? V_YES : V_NO)
						       : cond_text(p, c, into, w);
		if (v == V_UNKNOWN || (v == V_YES) == c->negate)
			return false;
	}
	return true;
}
