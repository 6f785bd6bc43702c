/* rules.c - the modules.list parser. See rules.h for the language. */
#include "probe/rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strfmt.h"

#define LINE_TOKENS_MAX 64

struct tok {
	char *s;
	int col;
	bool quoted;
};

struct pstate {
	struct rules *r;
	rules_err_fn err;
	void *ctx;
	int line;
	struct tok t[LINE_TOKENS_MAX];
	unsigned n, i; /* tokens, next one */
	int fail_col;
	char msg[DIAG_MSG_MAX];
};

/* Room for one more element in a pool; NULL when out of memory. */
static void *pool_more(void **pool, unsigned *cap, unsigned n, size_t size)
{
	if (n == *cap) {
		unsigned nc = *cap ? *cap * 2 : 16;
		void *np = realloc(*pool, (size_t)nc * size);
		if (!np)
			return NULL;
		*pool = np;
		*cap = nc;
	}
	return (char *)*pool + (size_t)n * size;
}
#define POOL_PUSH(r, what, T)                                                                      \
	((T *)pool_more((void **)&(r)->what, &(r)->cap_##what, (r)->n##what, sizeof(T)))

static int fail(struct pstate *p, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct pstate *p, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstrfmt_show(p->msg, sizeof(p->msg), fmt, ap); /* a message: shown only */
	va_end(ap);
	p->fail_col = col;
	return -EINVAL;
}

/* Split one line (NUL-terminated, modified in place) into tokens. */
static int tokenize(struct pstate *p, char *line)
{
	char *s = line;

	p->n = p->i = 0;
	for (;;) {
		char *o;
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			return 0;
		if (p->n == LINE_TOKENS_MAX)
			return fail(p, (int)(s - line) + 1, "more than %d words", LINE_TOKENS_MAX);
		p->t[p->n].col = (int)(s - line) + 1;
		p->t[p->n].quoted = *s == '"';
		if (*s == '"') {
			o = p->t[p->n].s = ++s;
			while (*s && *s != '"') {
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				*o++ = *s++;
			}
			if (*s != '"')
				return fail(p, p->t[p->n].col, "unterminated quote");
			s++;
			if (*s && *s != ' ' && *s != '\t' && *s != '\r')
				return fail(p, (int)(s - line) + 1,
					    "text right after a closing quote");
			*o = 0;
			if (*s)
				s++;
		} else {
			p->t[p->n].s = s;
			while (*s && *s != ' ' && *s != '\t' && *s != '\r')
				s++;
			if (*s)
				*s++ = 0;
		}
		p->n++;
	}
}

static struct tok *peek(struct pstate *p)
{
	return p->i < p->n ? &p->t[p->i] : NULL;
}

static bool is_word(struct pstate *p, const char *w)
{
	struct tok *t = peek(p);

	return t && !t->quoted && !strcmp(t->s, w);
}

/* The column just past the last token, for "missing X" errors. */
static int end_col(struct pstate *p)
{
	return p->n ? p->t[p->n - 1].col + (int)strlen(p->t[p->n - 1].s) : 1;
}

int rules_parse_num(const char *s, uint64_t *out)
{
	char *end;
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

	/* strtoull alone would take blanks, a sign, and "0x" with no digits */
	if (!((*s >= '0' && *s <= '9')) || (hex && !s[2]))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, hex ? 16 : 10);
	return errno || *end ? -EINVAL : 0;
}

static int need_num(struct pstate *p, const char *what, uint64_t max, uint64_t *out)
{
	struct tok *t = peek(p);

	if (!t)
		return fail(p, end_col(p), "missing %s", what);
	if (t->quoted || rules_parse_num(t->s, out) < 0 || *out > max)
		return fail(p, t->col, "%s \"%s\": want a number up to 0x%llx", what, t->s,
			    (unsigned long long)max);
	p->i++;
	return 0;
}

static bool is_ident(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-' || *s == '.'))
			return false;
	return true;
}

static int class_get(struct pstate *p, const char *name, int col)
{
	struct rules *r = p->r;

	for (unsigned i = 0; i < r->ncls; i++)
		if (!strcmp(r->cls[i].name, name))
			return (int)i;
	if (!is_ident(name))
		return fail(p, col, "class \"%s\": use a-z, 0-9, '_', '-'", name);
	if (r->ncls == CLASSES_MAX)
		return fail(p, col, "more than %d classes", CLASSES_MAX);
	r->cls[r->ncls].name = name;
	r->cls[r->ncls].order = 1000 + p->line;
	r->cls[r->ncls].settle_ms = 0;
	return (int)r->ncls++;
}

static void set_value(struct value *v, const struct tok *t)
{
	v->s = t->s;
	v->is_num = !t->quoted && rules_parse_num(t->s, &v->n) == 0;
}

static bool cond_end(struct pstate *p)
{
	return !peek(p) || is_word(p, "and") || is_word(p, "then");
}

static int parse_test(struct pstate *p, struct cond *c)
{
	static const struct {
		const char *w;
		enum test_op op;
	} ops[] = {{"==", OP_EQ},     {"!=", OP_NE},	     {"oneof", OP_ONEOF},
		   {"mask", OP_MASK}, {"prefix", OP_PREFIX}, {"glob", OP_GLOB}};
	struct tok *t = peek(p);
	int err;

	if (cond_end(p))
		return 0;
	for (unsigned k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (!t->quoted && !strcmp(t->s, ops[k].w))
			c->op = ops[k].op;
	if (c->op == OP_NONE)
		return fail(p, t->col, "\"%s\": want ==, !=, oneof, mask, prefix or glob", t->s);
	p->i++;
	if (c->op == OP_MASK) {
		if ((err = need_num(p, "mask", UINT64_MAX, &c->mask)) < 0)
			return err;
		if (!is_word(p, "=="))
			return fail(p, peek(p) ? peek(p)->col : end_col(p), "mask M wants == V");
		p->i++;
	}
	c->val = p->r->nval;
	while (!cond_end(p)) {
		struct value *v;
		if (c->nval == COND_VALUES_MAX)
			return fail(p, peek(p)->col, "more than %d values", COND_VALUES_MAX);
		if (!(v = POOL_PUSH(p->r, val, struct value)))
			return fail(p, peek(p)->col, "out of memory");
		set_value(v, peek(p));
		if (c->op == OP_GLOB || c->op == OP_PREFIX)
			v->is_num = false;
		if (c->op == OP_MASK && !v->is_num)
			return fail(p, peek(p)->col, "mask compares numbers");
		p->r->nval++;
		c->nval++;
		p->i++;
		if (c->op != OP_ONEOF)
			break;
	}
	if (c->nval == 0)
		return fail(p, end_col(p), "missing value after the test");
	return 0;
}

static int parse_addrs(struct pstate *p, struct cond *c)
{
	struct tok *t = peek(p);
	char *s;

	if (!t)
		return fail(p, end_col(p), "%s wants an address",
			    c->kind == CK_BOUND ? "bound" : "i2c");
	s = t->s;
	while (*s) {
		char *comma = strchr(s, ',');
		uint64_t a;
		if (comma)
			*comma = 0;
		if (rules_parse_num(s, &a) < 0 || a < 0x03 || a > 0x77)
			return fail(p, t->col, "address \"%s\": want 0x03..0x77", s);
		if (c->naddr == COND_ADDRS_MAX)
			return fail(p, t->col, "more than %d addresses", COND_ADDRS_MAX);
		c->addr[c->naddr++] = (uint8_t)a;
		if (!comma)
			break;
		s = comma + 1;
	}
	p->i++;
	return 0;
}

static int parse_i2c(struct pstate *p, struct cond *c)
{
	int err;
	uint64_t v;

	if ((err = parse_addrs(p, c)) < 0)
		return err;
	for (;;) {
		struct tok *t = peek(p);
		if (t && is_word(p, "bus")) {
			p->i++;
			if (!peek(p))
				return fail(p, end_col(p), "bus wants a name or glob");
			c->bus = peek(p)->s;
			p->i++;
		} else if (t && (is_word(p, "reg") || is_word(p, "reg8") || is_word(p, "reg16"))) {
			c->regbits = strcmp(t->s, "reg16") ? 8 : 16;
			p->i++;
			if ((err = need_num(p, "register", c->regbits == 8 ? 0xff : 0xffff, &v)) <
			    0)
				return err;
			c->reg = (uint16_t)v;
		} else if (t && is_word(p, "len")) {
			p->i++;
			if ((err = need_num(p, "len", I2C_ID_MAX, &v)) < 0)
				return err;
			if (v == 0)
				return fail(p, p->t[p->i - 1].col, "len must be 1..%d", I2C_ID_MAX);
			c->len = (uint8_t)v;
		} else if (t && is_word(p, "via")) {
			p->i++;
			t = peek(p);
			if (t && !strcmp(t->s, "rdwr"))
				c->via = VIA_RDWR;
			else if (t && !strcmp(t->s, "smbus"))
				c->via = VIA_SMBUS;
			else if (t && !strcmp(t->s, "stop"))
				c->via = VIA_STOP;
			else
				return fail(p, t ? t->col : end_col(p),
					    "via wants rdwr, smbus or stop");
			p->i++;
		} else if (t && is_word(p, "force")) {
			c->force = true;
			p->i++;
		} else {
			break;
		}
	}
	if (c->regbits && !c->len)
		c->len = 1;
	if (c->len && !c->regbits)
		return fail(p, c->col, "len without reg8/reg16");
	if ((err = parse_test(p, c)) < 0)
		return err;
	if (c->op != OP_NONE && !c->regbits)
		return fail(p, c->col, "a test on an i2c chip needs reg8 or reg16");
	return 0;
}

/* bound ADDR[,ADDR...] [bus GLOB] [TEST]: the test is on the driver's name. */
static int parse_bound(struct pstate *p, struct cond *c)
{
	int err;

	if ((err = parse_addrs(p, c)) < 0)
		return err;
	if (is_word(p, "bus")) {
		p->i++;
		if (!peek(p))
			return fail(p, end_col(p), "bus wants a name or glob");
		c->bus = peek(p)->s;
		p->i++;
	}
	if ((err = parse_test(p, c)) < 0)
		return err;
	if (c->op == OP_MASK)
		return fail(p, c->col,
			    "bound tests a driver's name: ==, !=, oneof, prefix or glob");
	for (unsigned i = 0; i < c->nval; i++) /* a name, never a number */
		p->r->val[c->val + i].is_num = false;
	return 0;
}

static int parse_cond(struct pstate *p, struct cond *c)
{
	static const struct {
		const char *w;
		enum cond_kind k;
	} kinds[] = {{"i2c", CK_I2C},	      {"cmdline", CK_CMDLINE}, {"dt", CK_DT},
		     {"cpuinfo", CK_CPUINFO}, {"sysfs", CK_SYSFS},     {"exists", CK_EXISTS},
		     {"bound", CK_BOUND}};
	struct tok *t;
	bool found = false;

	memset(c, 0, sizeof(*c));
	if (is_word(p, "not")) {
		c->negate = true;
		p->i++;
	}
	if (!(t = peek(p)))
		return fail(p, end_col(p), "missing condition");
	c->col = t->col;
	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!t->quoted && !strcmp(t->s, kinds[k].w)) {
			c->kind = kinds[k].k;
			found = true;
		}
	if (!found)
		return fail(p, t->col,
			    "\"%s\": want i2c, bound, cmdline, dt, cpuinfo, sysfs or exists", t->s);
	p->i++;
	if (c->kind == CK_I2C)
		return parse_i2c(p, c);
	if (c->kind == CK_BOUND)
		return parse_bound(p, c);
	if (!(t = peek(p)) || cond_end(p))
		return fail(p, t ? t->col : end_col(p), "%s wants a key or path", kinds[c->kind].w);
	c->key = t->s;
	p->i++;
	if (c->kind == CK_EXISTS)
		return 0;
	return parse_test(p, c);
}

bool rules_prop_name_ok(const char *s, size_t n)
{
	if (!n || n >= PROP_NAME_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' ||
		      (s[i] == '.' && s[i + 1] != '.')))
			return false;
	return true;
}

const char *rules_input_dir(const char *name)
{
	static const char *const ext[][2] = {
	    {".idc", "idc"}, {".kl", "keylayout"}, {".kcm", "keychars"}};
	size_t n = strlen(name);

	if (!n || n >= INPUT_NAME_MAX || name[0] == '.')
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_' || name[i] == '-' ||
		      name[i] == '.'))
			return NULL;
	for (unsigned k = 0; k < sizeof(ext) / sizeof(ext[0]); k++) {
		size_t e = strlen(ext[k][0]);
		if (n > e && !strcmp(name + n - e, ext[k][0]))
			return ext[k][1];
	}
	return NULL;
}

/* NAME=VALUE of prop, or KEY=VALUE of export (as ro.bootkit.KEY): the name
 * as Android takes it, and a value Android keeps (its literal part: ${...}
 * is checked once expanded, at boot). */
static int check_prop(struct pstate *p, const struct tok *t, bool export)
{
	const char *eq = strchr(t->s, '=');
	size_t n = eq ? (size_t)(eq - t->s) : 0, pre = export ? strlen(PROP_EXPORT_PREFIX) : 0;

	if (!n)
		return fail(p, t->col, "%s wants %s=VALUE", export ? "export" : "prop",
			    export ? "KEY" : "NAME");
	if (pre + n >= PROP_NAME_MAX || !rules_prop_name_ok(t->s, n))
		return fail(p, t->col,
			    "%s%.*s: not an Android property name (A-Z a-z 0-9 . _ -, at most "
			    "%d bytes%s)",
			    export ? PROP_EXPORT_PREFIX : "", (int)n, t->s, PROP_NAME_MAX - 1,
			    export ? "; export KEY=VALUE is also the property " PROP_EXPORT_PREFIX
				     "KEY"
				   : "");
	if (!strstr(eq + 1, "${") && strlen(eq + 1) >= PROP_VALUE_MAX)
		return fail(p, t->col, "%.*s: a value of %zu bytes; Android keeps at most %d",
			    (int)n, t->s, strlen(eq + 1), PROP_VALUE_MAX - 1);
	return 0;
}

/* install FILE [as NAME]: input files Android looks up by name. A NAME may
 * hold ${id} (one byte read: the 256 names it can take are all known, so a
 * later boot can remove the one an earlier boot placed); nothing else. */
static int parse_install(struct pstate *p, struct action *a, const struct tok *file)
{
	const char *dir = rules_input_dir(a->arg), *dir2;
	struct tok *t;

	if (!dir)
		return fail(p, file->col,
			    "install \"%s\": a file name (A-Z a-z 0-9 . _ -) ending .idc, .kl "
			    "or .kcm",
			    a->arg);
	if (!is_word(p, "as"))
		return 0;
	p->i++;
	if (!(t = peek(p)))
		return fail(p, end_col(p), "as wants a NAME");
	a->as = t->s;
	p->i++;
	char plain[INPUT_NAME_MAX + 8];
	const char *v = strstr(a->as, "${id}");
	size_t o = 0;
	if ((v && strstr(v + 5, "${")) || (!v && strstr(a->as, "${")))
		return fail(p, t->col, "as \"%s\": only ${id} may stand in NAME, once", a->as);
	for (const char *c = a->as; *c && o < sizeof(plain) - 3;) {
		if (c == v) { /* ${id}: two hex digits */
			plain[o++] = '0', plain[o++] = '0', c += 5;
		} else {
			plain[o++] = *c++;
		}
	}
	plain[o] = 0;
	if (!(dir2 = rules_input_dir(plain)) || strcmp(dir, dir2))
		return fail(p, t->col,
			    "as \"%s\": a file name (A-Z a-z 0-9 . _ -) of the same kind as %s",
			    a->as, a->arg);
	return 0;
}

static int parse_action(struct pstate *p, struct action *a)
{
	static const struct {
		const char *w;
		enum action_kind k;
	} kinds[] = {{"load", AK_LOAD},	    {"bind", AK_BIND},	     {"install", AK_INSTALL},
		     {"export", AK_EXPORT}, {"overlay", AK_OVERLAY}, {"prop", AK_PROP}};
	struct tok *t = peek(p);
	bool found = false;
	int err;

	memset(a, 0, sizeof(*a));
	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!t->quoted && !strcmp(t->s, kinds[k].w)) {
			a->kind = kinds[k].k;
			found = true;
		}
	if (!found)
		return fail(p, t->col, "\"%s\": want load, bind, install, export, prop or overlay",
			    t->s);
	p->i++;
	if (!(t = peek(p)))
		return fail(p, end_col(p), "%s wants an argument", kinds[a->kind].w);
	a->arg = t->s;
	p->i++;
	if (a->kind == AK_LOAD && (!is_ident(a->arg) || strchr(a->arg, '.')))
		return fail(p, t->col, "module \"%s\": a module name, without .ko", a->arg);
	if ((a->kind == AK_EXPORT || a->kind == AK_PROP) &&
	    (err = check_prop(p, t, a->kind == AK_EXPORT)) < 0)
		return err;
	if (a->kind == AK_INSTALL && (err = parse_install(p, a, t)) < 0)
		return err;
	a->param = p->r->nval;
	while (a->kind == AK_LOAD && (t = peek(p)) && strchr(t->s, '=') && t->s[0] != '=') {
		struct value *v;
		if (a->nparam == ACTION_ARGS_MAX)
			return fail(p, t->col, "more than %d module parameters", ACTION_ARGS_MAX);
		if (!(v = POOL_PUSH(p->r, val, struct value)))
			return fail(p, t->col, "out of memory");
		memset(v, 0, sizeof(*v));
		v->s = t->s;
		p->r->nval++;
		a->nparam++;
		p->i++;
	}
	return 0;
}

/* An install NAME with ${id}: the rule's first i2c condition reads one byte. */
static int check_id_names(struct pstate *p, const struct rule *ru)
{
	const struct cond *first = NULL;

	for (unsigned k = 0; k < ru->ncond && !first; k++)
		if (p->r->cond[ru->cond + k].kind == CK_I2C && !p->r->cond[ru->cond + k].negate)
			first = &p->r->cond[ru->cond + k];
	for (unsigned k = 0; k < ru->nact; k++) {
		const struct action *a = &p->r->act[ru->act + k];
		if (a->kind == AK_INSTALL && a->as && strstr(a->as, "${id}") &&
		    !(first && first->regbits && first->len == 1))
			return fail(p, 1,
				    "install ... as %s: ${id} needs the rule's first i2c "
				    "condition to read one byte (reg8 or reg16, len 1)",
				    a->as);
	}
	return 0;
}

static int parse_rule(struct pstate *p, struct rule *ru)
{
	struct tok *t;
	int err;

	memset(ru, 0, sizeof(*ru));
	ru->line = p->line;
	ru->cls = p->t[0].s;
	if ((err = class_get(p, ru->cls, p->t[0].col)) < 0)
		return err;
	p->i = 1;
	if (!(t = peek(p)))
		return fail(p, end_col(p), "missing rule name after the class");
	if (t->quoted || !is_ident(t->s))
		return fail(p, t->col, "rule name \"%s\": use a-z, 0-9, '_', '-', '.'", t->s);
	ru->name = t->s;
	ru->fallback = !strcmp(t->s, "fallback");
	p->i++;
	if (!ru->fallback) {
		if (!is_word(p, "when"))
			return fail(p, peek(p) ? peek(p)->col : end_col(p), "want \"when\"");
		ru->cond = p->r->ncond;
		do {
			struct cond *c;
			p->i++;
			if (ru->ncond == RULE_CONDS_MAX)
				return fail(p, peek(p) ? peek(p)->col : end_col(p),
					    "more than %d conditions", RULE_CONDS_MAX);
			if (!(c = POOL_PUSH(p->r, cond, struct cond)))
				return fail(p, 1, "out of memory");
			if ((err = parse_cond(p, c)) < 0)
				return err;
			p->r->ncond++;
			ru->ncond++;
		} while (is_word(p, "and"));
	}
	if (!is_word(p, "then"))
		return fail(p, peek(p) ? peek(p)->col : end_col(p),
			    ru->fallback ? "want \"then\"" : "want \"and\" or \"then\"");
	p->i++;
	ru->act = p->r->nact;
	while (peek(p)) {
		struct action *a;
		if (ru->nact == RULE_ACTIONS_MAX)
			return fail(p, peek(p)->col, "more than %d actions", RULE_ACTIONS_MAX);
		if (!(a = POOL_PUSH(p->r, act, struct action)))
			return fail(p, 1, "out of memory");
		if ((err = parse_action(p, a)) < 0)
			return err;
		p->r->nact++;
		ru->nact++;
	}
	if (ru->nact == 0 && !ru->fallback)
		return fail(p, end_col(p), "missing action after \"then\"");
	return check_id_names(p, ru);
}

static int parse_order(struct pstate *p)
{
	int err;

	for (p->i = 1; p->i < p->n; p->i++) {
		if ((err = class_get(p, p->t[p->i].s, p->t[p->i].col)) < 0)
			return err;
		p->r->cls[err].order = (int)p->i;
	}
	return p->n < 2 ? fail(p, end_col(p), "order wants class names") : 0;
}

static int parse_settle(struct pstate *p)
{
	uint64_t ms;
	int c, err;

	if (p->n != 3)
		return fail(p, p->n > 3 ? p->t[3].col : end_col(p), "settle wants CLASS MS");
	if ((c = class_get(p, p->t[1].s, p->t[1].col)) < 0)
		return c;
	p->i = 2;
	if ((err = need_num(p, "settle time", 5000, &ms)) < 0)
		return err;
	p->r->cls[c].settle_ms = (unsigned)ms;
	return 0;
}

static int add_rule(struct pstate *p)
{
	struct rules *r = p->r;
	struct rule ru, *slot;
	int err;

	if (r->nrule == RULES_MAX)
		return fail(p, 1, "more than %d rules", RULES_MAX);
	if ((err = parse_rule(p, &ru)) < 0)
		return err;
	for (unsigned k = 0; k < r->nrule; k++)
		if (!strcmp(r->rule[k].cls, ru.cls) && !strcmp(r->rule[k].name, ru.name))
			return fail(p, p->t[1].col, "%s %s is already on line %d", ru.cls, ru.name,
				    r->rule[k].line);
	if (!(slot = POOL_PUSH(r, rule, struct rule)))
		return fail(p, 1, "out of memory");
	*slot = ru;
	r->nrule++;
	return 0;
}

static void parse_line(struct pstate *p, char *line)
{
	struct rules *r = p->r;
	unsigned ncond = r->ncond, nact = r->nact, nval = r->nval, ncls = r->ncls;
	struct class_info cls[CLASSES_MAX];
	int err;

	/* a statement that fails leaves nothing behind: not its conditions,
	 * not a class it named (16 bad lines would use up the classes), not an
	 * order or settle time it set */
	memcpy(cls, r->cls, sizeof(cls));
	p->fail_col = 0;
	if ((err = tokenize(p, line)) == 0 && p->n) {
		if (is_word(p, "order"))
			err = parse_order(p);
		else if (is_word(p, "settle"))
			err = parse_settle(p);
		else
			err = add_rule(p);
	}
	if (err < 0) { /* drop what the statement left in the pools */
		r->ncond = ncond, r->nact = nact, r->nval = nval, r->ncls = ncls;
		memcpy(r->cls, cls, sizeof(cls));
		r->errors++;
		if (p->err)
			p->err(p->ctx, p->line, p->fail_col, p->msg);
	}
}

int rules_parse(struct rules *r, const char *text, size_t len, rules_err_fn err, void *ctx)
{
	struct pstate *p;
	char *s;

	memset(r, 0, sizeof(*r));
	if (len > RULES_TEXT_MAX)
		return -EFBIG;
	if (!(r->text = malloc(len + 1)) || !(p = calloc(1, sizeof(*p)))) {
		free(r->text);
		r->text = NULL;
		return -ENOMEM;
	}
	memcpy(r->text, text, len);
	r->text[len] = 0;
	p->r = r;
	p->err = err;
	p->ctx = ctx;
	s = r->text;
	while (s < r->text + len) {
		char *nl = memchr(s, '\n', (size_t)(r->text + len - s));
		char *end = nl ? nl : r->text + len;
		*end = 0;
		p->line++;
		if (strlen(s) != (size_t)(end - s)) {
			r->errors++;
			if (err)
				err(ctx, p->line, (int)strlen(s) + 1, "NUL byte in the line");
		} else {
			parse_line(p, s);
		}
		s = end + 1;
	}
	free(p);
	return (int)r->errors;
}

int rules_load(struct rules *r, const char *text, size_t len, rules_err_fn err, void *ctx)
{
	const char *why = NULL;
	int n;

	if (len > RULES_TEXT_MAX) {
		rules_parse(r, "", 0, NULL, NULL);
		why = "more than 256 KiB of rules";
	} else if ((n = rules_parse(r, text, len, err, ctx)) < 0) {
		return n;
	} else if (!len) {
		why = "no rules (an empty file)";
	} else if (n == 0 && r->nrule == 0 && r->ncls == 0) {
		why = "no rules";
	}
	if (!why)
		return n;
	if (err)
		err(ctx, 0, 0, why);
	return (int)++r->errors;
}

void rules_error_text(char *out, size_t cap, const char *file, int line, int col, const char *msg)
{
	if (line)
		strfmt_show(out, cap, "%s:%d:%d: %s", file, line, col, msg);
	else
		strfmt_show(out, cap, "%s: %s", file, msg);
}

void rules_free(struct rules *r)
{
	if (!r)
		return;
	free(r->text);
	free(r->rule);
	free(r->cond);
	free(r->act);
	free(r->val);
	memset(r, 0, sizeof(*r));
}

unsigned rules_class_order(const struct rules *r, unsigned out[CLASSES_MAX])
{
	for (unsigned i = 0; i < r->ncls; i++) {
		unsigned k = i;
		while (k > 0 && r->cls[out[k - 1]].order > r->cls[i].order) {
			out[k] = out[k - 1];
			k--;
		}
		out[k] = i;
	}
	return r->ncls;
}

bool rules_glob(const char *pat, const char *s)
{
	const char *star = NULL, *mark = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			mark = s;
		} else if (*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++mark;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}
