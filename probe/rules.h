/* rules.h - the modules.list language: which modules to load for which facts.
 *
 * Shared by the probe on the phone and the host-side check, so a file the
 * build accepts is a file the probe understands. The full description with
 * examples is man/modules.list.5. In short, one statement a line:
 *
 *   order CLASS...                    decide these classes first, in this order
 *   settle CLASS MS                   wait MS ms after CLASS acted (rails up)
 *   CLASS NAME when COND [and COND]... then ACTION...
 *   CLASS fallback then ACTION...     when no rule of CLASS matched
 *
 *   COND:  [not] i2c ADDR[,ADDR...] [bus GLOB] [reg8 R|reg16 R] [len N]
 *                    [via rdwr|smbus|stop] [force] [TEST]
 *          [not] cmdline KEY [TEST]   (/proc/cmdline, then /proc/bootconfig)
 *          [not] dt PATH [TEST]       (/proc/device-tree/PATH; string lists: any)
 *          [not] cpuinfo FIELD [TEST]
 *          [not] sysfs PATH [TEST]    (/sys/PATH)
 *          [not] exists PATH
 *          [not] bound ADDR[,ADDR...] [bus GLOB] [TEST]   (the driver bound to
 *                                     the I2C device B-00AA, on any bus B)
 *   TEST:  == V | != V | oneof V V... | mask M == V | prefix V | glob V
 *   ACTION: load MODULE [PARAM=VALUE]... | bind DEVICE | install FILE [as NAME]
 *           | export KEY=VALUE | prop NAME=VALUE | overlay FILE
 *
 * Values are numbers (0x.., decimal) or strings ("quoted" when they hold
 * spaces). ${bus}, ${addr}, ${id} and ${value} in action arguments take the
 * values of the rule's first i2c (or text) condition that matched.
 * A rule with an error is skipped and reported as FILE:LINE:COLUMN; the rest
 * of the file still applies.
 */
#ifndef BOOTKIT_RULES_H
#define BOOTKIT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

#define RULES_MAX	 512
#define RULE_CONDS_MAX	 8
#define RULE_ACTIONS_MAX 8
#define COND_VALUES_MAX	 32
#define COND_ADDRS_MAX	 8
#define ACTION_ARGS_MAX	 8
#define CLASSES_MAX	 16
#define I2C_ID_MAX	 16 /* bytes an i2c condition may read */
#define RULES_TEXT_MAX	 (256u << 10)

enum cond_kind { CK_I2C, CK_CMDLINE, CK_DT, CK_CPUINFO, CK_SYSFS, CK_EXISTS, CK_BOUND };
enum test_op { OP_NONE, OP_EQ, OP_NE, OP_ONEOF, OP_MASK, OP_PREFIX, OP_GLOB };
enum i2c_via { VIA_AUTO, VIA_RDWR, VIA_SMBUS, VIA_STOP };
enum action_kind { AK_LOAD, AK_BIND, AK_INSTALL, AK_EXPORT, AK_OVERLAY, AK_PROP };

/* Android's property limits before Android 8 (bionic's PROP_NAME_MAX and
 * PROP_VALUE_MAX count the NUL): a longer name or value is dropped by its
 * init without a word. Every export KEY=VALUE is also ro.bootkit.KEY. */
#define PROP_NAME_MAX	   32
#define PROP_VALUE_MAX	   92
#define PROP_EXPORT_PREFIX "ro.bootkit."
#define INPUT_NAME_MAX	   96 /* an input file's name (install FILE [as NAME]) */

struct value {
	const char *s; /* as written (unquoted) */
	uint64_t n;
	bool is_num;
};

/* Conditions, actions and values live in pools in struct rules; a rule holds
 * index ranges into them, so memory follows the file, not a worst case. */
struct cond {
	enum cond_kind kind;
	enum test_op op;
	bool negate;
	bool force; /* i2c: also when a driver holds the address */
	uint8_t naddr;
	uint8_t regbits; /* 0: presence only, 8 or 16 */
	uint8_t len;
	enum i2c_via via;
	uint16_t reg;
	uint8_t addr[COND_ADDRS_MAX];
	const char *key; /* cmdline key, dt/sysfs/exists path, cpuinfo field */
	const char *bus; /* i2c: glob on the adapter name or "i2c-N"; NULL: any */
	uint64_t mask;
	unsigned val, nval; /* values, in the value pool */
	int col;
};

struct action {
	enum action_kind kind;
	const char *arg;	/* module, device, file, KEY=VALUE, NAME=VALUE */
	const char *as;		/* install: the name Android finds it under (NULL: arg's) */
	unsigned param, nparam; /* load: PARAM=VALUE strings, in the value pool */
};

struct rule {
	const char *cls;
	const char *name; /* "fallback" for the class fallback */
	int line;
	bool fallback;
	unsigned cond, ncond; /* in the condition pool */
	unsigned act, nact;   /* in the action pool */
};

struct class_info {
	const char *name;
	unsigned settle_ms;
	int order; /* position in the order statement, or 1000 + first line */
};

/* Called once per rejected statement; msg is at most DIAG_MSG_MAX - 1 bytes
 * (a longer one is cut, marked "..."). */
typedef void (*rules_err_fn)(void *ctx, int line, int col, const char *msg);

struct rules {
	char *text; /* owned copy, tokenized in place */
	struct rule *rule;
	struct cond *cond;
	struct action *act;
	struct value *val;
	unsigned nrule, ncond, nact, nval;
	unsigned cap_rule, cap_cond, cap_act, cap_val;
	struct class_info cls[CLASSES_MAX];
	unsigned ncls;
	unsigned errors;
};

/*
 * Parse text (len bytes, at most RULES_TEXT_MAX) into r. Statements with
 * errors are skipped and reported through err. Returns the number of
 * errors, or -ENOMEM / -EFBIG for a file too large. Free with rules_free.
 */
int rules_parse(struct rules *r, const char *text, size_t len, rules_err_fn err, void *ctx);
void rules_free(struct rules *r);

/*
 * The one policy for a rules file, wherever it is read (the probe at boot and
 * with --check, the host's ramdisk pack and edit): parse text (len bytes: the
 * caller reads up to RULES_TEXT_MAX + 1), report every problem through err,
 * and count them. More than RULES_TEXT_MAX bytes, an empty file and one with
 * no statement are problems too (reported with line 0: the whole file): a
 * boot with no rules is a fault. Returns the number of problems (0: the file
 * is usable) or -ENOMEM. Free with rules_free.
 */
int rules_load(struct rules *r, const char *text, size_t len, rules_err_fn err, void *ctx);

/* A problem as every reader shows it: "FILE:LINE:COL: MSG", or "FILE: MSG"
 * for the whole file (line 0). */
void rules_error_text(char *out, size_t cap, const char *file, int line, int col, const char *msg);

/* Classes in decision order (indexes into r->cls). Fills out, returns count. */
unsigned rules_class_order(const struct rules *r, unsigned out[CLASSES_MAX]);

/* A number as the rules write them, and as the probe reads facts: "0x" and
 * hex digits, else decimal digits (a leading 0 is decimal: 010 is ten).
 * No sign, no blanks. 0 or -EINVAL. */
int rules_parse_num(const char *s, uint64_t *out);

/* Glob match with * and ? (no brackets), as fnmatch without flags. */
bool rules_glob(const char *pat, const char *s);

/* An Android property name Android 4.4-7 accepts: [A-Za-z0-9._-], no
 * leading or trailing dot, no "..", shorter than PROP_NAME_MAX. */
bool rules_prop_name_ok(const char *s, size_t n);

/* An input file's name: [A-Za-z0-9._-], ending .idc, .kl or .kcm, shorter
 * than INPUT_NAME_MAX; "idc", "keylayout" or "keychars" (Android's folder for
 * it), or NULL. */
const char *rules_input_dir(const char *name);

#endif
