/* cli.h - what the host commands share, and only they (no library includes
 * this; mk/lint.py checks): messages and die, option parsing, numbers. The
 * one file of lib/ that prints and exits. */
#ifndef BOOTKIT_CLI_H
#define BOOTKIT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "lib/diag.h"
#include "lib/textsize.h"

/* Exit statuses: 1 for bad input or a refused write, 2 for bad usage. */
enum { EXIT_BAD = 1, EXIT_USAGE = 2 };

void cli_init(const char *prog);
const char *cli_prog(void);
/* --version: "NAME VERSION" on stdout (lib/version.h), then exit 0. */
noreturn void cli_version(const char *name);
noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: FILE: <diag message>" and exit 1. */
noreturn void die_diag(const char *file, const struct diag *d);
/* Run fn(ctx) before die() exits (one hook; NULL removes it): outputs in
 * progress remove their temporary files, so a failure leaves nothing. */
void cli_on_die(void (*fn)(void *ctx), void *ctx);

/* ---- options --------------------------------------------------------------
 * Long options match with '-' and '_' treated alike and may be abbreviated to
 * any unambiguous prefix (as Python's argparse allows); "--opt=value" and
 * "--opt value" both work; "--" ends options. */
struct opt {
	const char *name; /* long name, without "--" */
	char short_name;  /* or 0 */
	bool has_arg;
	int id; /* > 0 */
};

struct opt_state {
	int argc;
	char **argv;
	int i;
	const struct opt *opts;
	bool only_positional;
	const char *arg;     /* argument of the option just returned */
	const char *current; /* its name as written */
};

void opt_begin(struct opt_state *s, int argc, char **argv, const struct opt *opts);
/* Next option id; 0 with s->arg set for a positional argument; -1 at the
 * end. Unknown or ambiguous options and missing arguments end the program
 * with a usage error. */
int opt_next(struct opt_state *s);

/* ---- numbers --------------------------------------------------------------- */
/* Like Python's int(x, 0): decimal, 0x.., 0o.., 0b..; no sign. */
int parse_u64(const char *s, uint64_t *out);
/* A size: a number with an optional K, M or G suffix (powers of 1024). */
int parse_size(const char *s, uint64_t *out);
/* parse_u64 or die naming the option. */
uint64_t opt_u64(const char *opt, const char *s, uint64_t max);
/* The mtime of entries a tool adds: SOURCE_DATE_EPOCH (reproducible
 * builds), else 0; a value that is not 32-bit seconds dies (usage). */
uint32_t cli_source_date_epoch(void);

#endif
