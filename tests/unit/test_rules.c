/* The modules.list parser. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/rules.h"

struct errs {
	int n;
	int line[8], col[8];
	char msg[8][160];
};

static void collect(void *ctx, int line, int col, const char *msg)
{
	struct errs *e = ctx;

	if (e->n < 8) {
		e->line[e->n] = line;
		e->col[e->n] = col;
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
	}
	e->n++;
}

static int parse(struct rules *r, const char *text, struct errs *e)
{
	memset(e, 0, sizeof(*e));
	return rules_parse(r, text, strlen(text), collect, e);
}

Test(rules, parses_every_form)
{
	const char *text =
	    "# comment\n"
	    "order regulator touch panel\n"
	    "settle regulator 20\n"
	    "regulator fan53555 when i2c 0x60,0x61 reg8 0x03 mask 0xf0 == 0x80 then load fan53555\n"
	    "touch gt9xx when i2c 0x5d,0x14 bus \"i2c-*\" reg16 0x8140 len 4 via stop prefix "
	    "\"911\""
	    " then load goodix_ts bind goodix-ts install Vendor_0416_Product_038f.idc\n"
	    "touch ft5x06 when i2c 0x38 reg 0xa3 oneof 0x55 0x06 0x36 0x64 and not exists /dev/x"
	    " then load edt-ft5x06 foo=1 bar=${addr} export touch=ft5x06\n"
	    "touch fallback then\n"
	    "panel hx8389b when cmdline lcm glob \"*hx8389b*\" then load panel-simple\n"
	    "panel dt when dt compatible == \"arm,vexpress\" and cpuinfo Hardware prefix MT"
	    " and sysfs class/x != 1 then overlay p.dtbo\n";
	struct rules r;
	struct errs e;
	unsigned order[CLASSES_MAX];

	cr_assert_eq(parse(&r, text, &e), 0, "%d:%d: %s", e.line[0], e.col[0], e.msg[0]);
	cr_assert_eq(r.nrule, 6);
	const struct rule *gt = &r.rule[1];
	cr_expect_str_eq(gt->cls, "touch");
	cr_expect_eq(gt->line, 5);
	const struct cond *c = &r.cond[gt->cond];
	cr_expect_eq(c->kind, CK_I2C);
	cr_expect_eq(c->naddr, 2);
	cr_expect_eq(c->addr[1], 0x14);
	cr_expect_eq(c->regbits, 16);
	cr_expect_eq(c->reg, 0x8140);
	cr_expect_eq(c->len, 4);
	cr_expect_eq(c->via, VIA_STOP);
	cr_expect_str_eq(c->bus, "i2c-*");
	cr_expect_eq(c->op, OP_PREFIX);
	cr_expect_str_eq(r.val[c->val].s, "911");
	cr_expect_not(r.val[c->val].is_num);
	cr_expect_eq(gt->nact, 3);
	cr_expect_eq(r.act[gt->act + 1].kind, AK_BIND);

	const struct rule *ft = &r.rule[2];
	c = &r.cond[ft->cond];
	cr_expect_eq(c->op, OP_ONEOF);
	cr_expect_eq(c->nval, 4);
	cr_expect_eq(r.val[c->val + 3].n, 0x64);
	cr_expect(r.cond[ft->cond + 1].negate);
	cr_expect_eq(r.act[ft->act].nparam, 2);
	cr_expect_str_eq(r.val[r.act[ft->act].param + 1].s, "bar=${addr}");

	const struct rule *reg = &r.rule[0];
	cr_expect_eq(r.cond[reg->cond].mask, 0xf0);
	cr_expect(r.rule[3].fallback);
	cr_expect_eq(r.rule[3].nact, 0);

	cr_assert_eq(rules_class_order(&r, order), 3);
	cr_expect_str_eq(r.cls[order[0]].name, "regulator");
	cr_expect_str_eq(r.cls[order[2]].name, "panel");
	cr_expect_eq(r.cls[order[0]].settle_ms, 20);
	rules_free(&r);
}

Test(rules, errors_name_line_and_column_and_skip_only_that_rule)
{
	static const struct {
		const char *line;
		int col;
		const char *msg;
	} t[] = {
	    {"touch x when i2c 0x99 then load a", 18, "address \"0x99\": want 0x03..0x77"},
	    {"touch x when i2c 0x38 reg16 0x10000 then load a", 29, "register"},
	    {"touch x when i2c 0x38 == 5 then load a", 14, "needs reg8 or reg16"},
	    {"touch x when gpio 3 then load a", 14, "want i2c, bound, cmdline"},
	    {"touch x when cmdline lcm ~ y then load a", 26, "want ==, !=, oneof"},
	    {"touch x when cmdline lcm == y", 30, "want \"and\" or \"then\""},
	    {"touch x i2c 0x38 then load a", 9, "want \"when\""},
	    {"touch x when exists /a then load a.ko", 34, "without .ko"},
	    {"touch x when exists /a then export a", 36, "KEY=VALUE"},
	    {"touch x when exists /a then reboot", 29, "want load, bind"},
	    {"touch x when i2c 0x38 reg 1 len 17 then load a", 33, "len"},
	    {"touch x when cmdline \"lcm then load a", 22, "unterminated quote"},
	    {"touch x when i2c 0x38 reg 1 mask 0xff == abc then load a", 42,
	     "mask compares numbers"},
	    {"touch x when exists /a then", 28, "missing action"},
	    {"Touch! x when exists /a then load a", 1, "class \"Touch!\""},
	    {"settle touch 9999", 14, "settle time"},
	    {"touch x when exists /a then install ../a.idc", 37, "a file name"},
	    {"touch x when exists /a then install a.txt", 37, "ending .idc, .kl or .kcm"},
	    {"touch x when exists /a then install a.idc as", 45, "as wants a NAME"},
	    {"touch x when exists /a then install a.idc as b.kl", 46, "of the same kind"},
	    {"touch x when exists /a then install a.idc as x_${bus}.idc", 46, "only ${id}"},
	    {"touch x when exists /a then install a.idc as x_${id}.idc", 1,
	     "${id} needs the rule's first i2c condition to read one byte"},
	    {"touch x when i2c 0x38 then install a.idc as x_${id}.idc", 1, "read one byte"},
	    {"touch x when exists /a then prop ro.a..b=1", 34, "not an Android property name"},
	    {"touch x when exists /a then prop =1", 34, "prop wants NAME=VALUE"},
	    {"touch x when exists /a then prop ro.abcdefghijklmnopqrstuvwxyz0123=1", 34,
	     "at most 31 bytes"},
	    {"touch x when exists /a then export abcdefghijklmnopqrstu=1", 36,
	     "ro.bootkit.abcdefghijklmnopqrstu: not an Android property name"},
	    {"touch x when exists /a then prop ro.a="
	     "0123456789012345678901234567890123456789012345678901234567890123456789012345678901"
	     "2345678901",
	     34, "a value of 92 bytes; Android keeps at most 91"},
	};

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		char text[256];
		struct rules r;
		struct errs e;
		snprintf(text, sizeof(text), "touch ok when exists /x then load good\n%s\n",
			 t[k].line);
		cr_expect_eq(parse(&r, text, &e), 1, "%s", t[k].line);
		cr_expect_eq(e.line[0], 2, "%s", t[k].line);
		cr_expect_eq(e.col[0], t[k].col, "%s: column %d (%s)", t[k].line, e.col[0],
			     e.msg[0]);
		cr_expect(strstr(e.msg[0], t[k].msg), "%s: \"%s\" lacks \"%s\"", t[k].line,
			  e.msg[0], t[k].msg);
		cr_expect_eq(r.nrule, 1, "the good rule stays");
		cr_expect_eq(r.ncond, 1, "the bad rule left nothing in the pools");
		rules_free(&r);
	}
}

Test(rules, android_actions_parse)
{
	static const char text[] =
	    "touch ft when i2c 0x38 reg8 0xa8 and i2c 0x38 reg8 0xa3 == 0x55 then install ft.idc "
	    "as generic_ft5x06__${id}_.idc install ft.kl prop ro.sf.lcd_density=240 export "
	    "abcdefghijklmnopqrst=${id}\n";
	struct rules r;

	cr_assert_eq(rules_parse(&r, text, sizeof(text) - 1, NULL, NULL), 0);
	const struct action *a = &r.act[r.rule[0].act];
	cr_expect_eq(a[0].kind, AK_INSTALL);
	cr_expect_str_eq(a[0].arg, "ft.idc");
	cr_expect_str_eq(a[0].as, "generic_ft5x06__${id}_.idc");
	cr_expect_null(a[1].as);
	cr_expect_eq(a[2].kind, AK_PROP);
	cr_expect_str_eq(a[2].arg, "ro.sf.lcd_density=240");
	cr_expect_str_eq(rules_input_dir("a.kcm"), "keychars");
	cr_expect_str_eq(rules_input_dir("Vendor_0416_Product_038f.idc"), "idc");
	cr_expect_null(rules_input_dir(".kl"));
	cr_expect(rules_prop_name_ok("ro.bootkit.touch", 16));
	cr_expect(!rules_prop_name_ok("ro.bootkit.", 11));
	rules_free(&r);
}

Test(rules, duplicates_nul_and_size)
{
	struct rules r;
	struct errs e;
	char nul[] = "touch a when exists /x then load m\ntouch b\0 when\n";

	cr_expect_eq(
	    parse(&r, "t a when exists /x then load m\nt a when exists /y then load n\n", &e), 1);
	cr_expect(strstr(e.msg[0], "t a is already on line 1"), "%s", e.msg[0]);
	rules_free(&r);
	memset(&e, 0, sizeof(e));
	cr_expect_eq(rules_parse(&r, nul, sizeof(nul) - 1, collect, &e), 1);
	cr_expect_str_eq(e.msg[0], "NUL byte in the line");
	rules_free(&r);
	cr_expect_eq(rules_parse(&r, nul, RULES_TEXT_MAX + 1, collect, &e), -EFBIG);
}

Test(rules, glob)
{
	cr_expect(rules_glob("*hx8389b*", "1-hx8389b_qhd_dsi_vdo"));
	cr_expect(rules_glob("i2c-?", "i2c-0"));
	cr_expect_not(rules_glob("i2c-?", "i2c-10"));
	cr_expect(rules_glob("a*b*c", "aXbYbZc"));
	cr_expect_not(rules_glob("a*b", "a"));
	cr_expect(rules_glob("*", ""));
}

/* Issue 15.14: a rejected statement registers nothing, not even its class. */
Test(rules, bad_lines_do_not_use_up_classes)
{
	char text[4096];
	size_t o = 0;
	struct rules r;
	struct errs e;

	for (int i = 0; i < CLASSES_MAX; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "bad%d x when gpio 3 then load a\n", i);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "order bad1 good nope!\n");
	snprintf(text + o, sizeof(text) - o, "good y when exists /x then load m\n");
	cr_expect_eq(parse(&r, text, &e), CLASSES_MAX + 1);
	cr_expect_eq(r.nrule, 1, "the valid rule of a new class is kept");
	cr_expect_eq(r.ncls, 1, "only its class");
	cr_expect_str_eq(r.cls[0].name, "good");
	cr_expect_eq(r.cls[0].order, 1000 + CLASSES_MAX + 2,
		     "the failed order statement left no order");
	rules_free(&r);
}
