#include "lib/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "lib/version.h"

static const char *progname = "bootkit";
static void (*die_hook)(void *ctx);
static void *die_hook_ctx;

void cli_on_die(void (*fn)(void *ctx), void *ctx)
{
	die_hook = fn;
	die_hook_ctx = ctx;
}

void cli_init(const char *prog)
{
	const char *slash = strrchr(prog, '/');

	progname = slash ? slash + 1 : prog;
}

const char *cli_prog(void)
{
	return progname;
}

void cli_version(const char *name)
{
	printf("%s %s\n", name, bootkit_version());
	exit(fflush(stdout) ? EXIT_BAD : 0);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (die_hook)
		die_hook(die_hook_ctx);
	exit(code);
}

void warnmsg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void die_diag(const char *file, const struct diag *d)
{
	die(EXIT_BAD, "%s: %s", file, d->msg);
}

/* ---- options ---------------------------------------------------------------- */

void opt_begin(struct opt_state *s, int argc, char **argv, const struct opt *opts)
{
	memset(s, 0, sizeof(*s));
	s->argc = argc;
	s->argv = argv;
	s->i = 1;
	s->opts = opts;
}

static bool name_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return false;
	}
	return true;
}

static const struct opt *find_long(const struct opt *opts, const char *name, size_t n)
{
	const struct opt *hit = NULL;
	unsigned hits = 0;

	for (const struct opt *o = opts; o->name; o++) {
		if (strlen(o->name) == n && name_eq(o->name, name, n))
			return o; /* exact match wins over prefixes */
		if (strlen(o->name) > n && name_eq(o->name, name, n)) {
			hit = o;
			hits++;
		}
	}
	if (hits > 1)
		die(EXIT_USAGE, "ambiguous option --%.*s", (int)n, name);
	return hit;
}

static const struct opt *find_short(const struct opt *opts, char c)
{
	for (const struct opt *o = opts; o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static int take_arg(struct opt_state *s, const struct opt *o, const char *inline_arg)
{
	s->arg = NULL;
	if (!o->has_arg) {
		if (inline_arg)
			die(EXIT_USAGE, "option %s takes no value", s->current);
		return o->id;
	}
	if (inline_arg) {
		s->arg = inline_arg;
		return o->id;
	}
	if (s->i >= s->argc)
		die(EXIT_USAGE, "option %s needs a value (see --help)", s->current);
	s->arg = s->argv[s->i++];
	return o->id;
}

int opt_next(struct opt_state *s)
{
	const struct opt *o;
	char *a;

	if (s->i >= s->argc)
		return -1;
	a = s->argv[s->i++];
	s->current = a;
	if (s->only_positional || a[0] != '-' || !a[1]) {
		s->arg = a;
		return 0;
	}
	if (!strcmp(a, "--")) {
		s->only_positional = true;
		return opt_next(s);
	}
	if (a[1] == '-') {
		const char *eq = strchr(a + 2, '=');
		size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);

		o = find_long(s->opts, a + 2, n);
		if (!o)
			die(EXIT_USAGE, "unknown option %.*s (see --help)", (int)(n + 2), a);
		return take_arg(s, o, eq ? eq + 1 : NULL);
	}
	o = find_short(s->opts, a[1]);
	if (!o)
		die(EXIT_USAGE, "unknown option %s (see --help)", a);
	return take_arg(s, o, a[2] ? a + 2 : NULL);
}

/* ---- numbers ---------------------------------------------------------------- */

int parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	bool any = false;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	for (; *s; s++) {
		unsigned dgt;

		if (*s == '_' && any)
			continue;
		if (*s >= '0' && *s <= '9')
			dgt = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			dgt = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			dgt = (unsigned)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (dgt >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - dgt) / base)
			return -ERANGE;
		v = v * base + dgt;
		any = true;
	}
	if (!any)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	char buf[NUM_TEXT_MAX];
	size_t n = strlen(s);
	unsigned shift = 0;
	int r;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 'k':
	case 'K': shift = 10; break;
	case 'm':
	case 'M': shift = 20; break;
	case 'g':
	case 'G': shift = 30; break;
	default: break;
	}
	if (shift && !(n > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')))
		buf[n - 1] = 0;
	else
		shift = 0;
	r = parse_u64(buf, out);
	if (r)
		return r;
	if (shift && *out > (UINT64_MAX >> shift))
		return -ERANGE;
	*out <<= shift;
	return 0;
}

uint64_t opt_u64(const char *opt, const char *s, uint64_t max)
{
	uint64_t v;

	if (parse_u64(s, &v))
		die(EXIT_USAGE, "%s: \"%s\" is not a number", opt, s);
	if (v > max)
		die(EXIT_USAGE, "%s: %s is more than 0x%" PRIx64, opt, s, max);
	return v;
}

uint32_t cli_source_date_epoch(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (!s || !*s)
		return 0;
	if (parse_u64(s, &v) < 0 || v > UINT32_MAX)
		die(EXIT_USAGE, "SOURCE_DATE_EPOCH=%s: want seconds since 1970 (32 bits)", s);
	return (uint32_t)v;
}
