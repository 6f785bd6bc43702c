/* probe - decide which panel, touch and regulator modules to load, at boot.
 *
 * usage: probe [--modules-list FILE] [--root DIR] [--fake-i2c FILE] [--dry-run]
 *              [--explain] [--record PATH] [--budget MS] [--bus-budget MS]
 *              [--class-budget MS] [--timeout MS] [--kernel-release R]
 *              [--watch S] [--check] [--version]
 *        probe [--root DIR] --init-settings VAR=KEY|VAR=:WORD...
 *        probe --android-bind SRC DST...
 *
 * Parses and clamps everything first, allocates once, then must not die: as
 * PID 1 it never exits (the init flow normally runs it as a child).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/kcmdline.h"
#include "lib/readat.h"
#include "lib/version.h"
#include "probe/probe.h"

#define UEVENT_MAX 4096 /* one kernel uevent message (UEVENT_BUFFER_SIZE is 2048) */

static const char usage[] =
    "usage: probe [OPTIONS]\n"
    "  --modules-list FILE   rules (default /lib/probe/modules.list, below the root)\n"
    "  --root DIR            read /proc, /sys, /dev and the rules below DIR (tests)\n"
    "  --fake-i2c FILE       fake adapters and chips from FILE instead of /dev/i2c-N\n"
    "  --dry-run             decide, record, but load, bind and write nothing\n"
    "  --explain             print why every rule matched or not\n"
    "  --record PATH         decision record (default /run/probe/decisions)\n"
    "  --budget MS           whole pass (default 2000); --bus-budget MS per adapter\n"
    "                        (default 500); --class-budget MS per class (default\n"
    "                        500); --timeout MS per transfer (default 25)\n"
    "  --kernel-release R    modules from /lib/modules/R (default: uname -r)\n"
    "  --watch S             after the first pass, leave a child watching S seconds\n"
    "                        for adapters that appear late (uevents); exit at once\n"
    "  --check               parse the rules, print errors, exit 1 if any\n"
    "  --init-settings SPEC...  print the init's settings as shell assignments\n"
    "                        VAR='VALUE' and exit (the BusyBox init evals them):\n"
    "                        VAR=KEY is bootkit.KEY from the command line, else\n"
    "                        /proc/bootconfig, else KEY from /lib/probe/init.conf;\n"
    "                        VAR=:WORD the command line's WORD= (a bare WORD gives\n"
    "                        ''); one set nowhere, or longer than 255 bytes, prints\n"
    "                        nothing; options before it other than --root are\n"
    "                        ignored\n"
    "  --android-bind SRC DST...  bind each SRC over DST where DST is a file (the\n"
    "                        service /init.bootkit.rc starts on Android 4.0 and 4.1,\n"
    "                        whose init has no \"mount ... bind\"); first, alone\n"
    "  --version             print \"probe VERSION\" and exit\n";

/* The command line: the probe's settings (from their defaults) and what
 * this run does. */
struct opts {
	struct probe_settings set;
	const char *root, *fake;
	unsigned watch;
	bool check;
	char **settings; /* --init-settings: the specs after it, to the end */
	int nsettings;
};

static unsigned num(const char *opt, const char *s, unsigned max)
{
	char *end;
	unsigned long v = strtoul(s ? s : "", &end, 10);

	if (!s || !*s || *end || v > max) {
		fprintf(stderr, "probe: %s wants a number up to %u\n", opt, max);
		exit(2);
	}
	return (unsigned)v;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool used = true;
		if (!strcmp(a, "--modules-list"))
			o->set.rules_file = v;
		else if (!strcmp(a, "--root"))
			o->root = v;
		else if (!strcmp(a, "--fake-i2c"))
			o->fake = v;
		else if (!strcmp(a, "--record"))
			o->set.record_path = v && v[0] == '/' ? v + 1 : v;
		else if (!strcmp(a, "--kernel-release"))
			o->set.release = v;
		else if (!strcmp(a, "--budget"))
			o->set.budget_ms = num(a, v, 600000);
		else if (!strcmp(a, "--bus-budget"))
			o->set.bus_budget_ms = num(a, v, 600000);
		else if (!strcmp(a, "--class-budget"))
			o->set.class_budget_ms = num(a, v, 600000);
		else if (!strcmp(a, "--timeout"))
			o->set.timeout_ms = num(a, v, 10000);
		else if (!strcmp(a, "--watch"))
			o->watch = num(a, v, 3600);
		else {
			used = false;
			if (!strcmp(a, "--dry-run"))
				o->set.dry_run = true;
			else if (!strcmp(a, "--explain"))
				o->set.explain = true;
			else if (!strcmp(a, "--check"))
				o->check = true;
			else if (!strcmp(a, "--init-settings")) {
				o->settings = argv + i + 1;
				o->nsettings = argc - i - 1;
				return;
			} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
				fputs(usage, stdout);
				exit(0);
			} else if (!strcmp(a, "--version")) {
				printf("probe %s\n", bootkit_version());
				exit(0);
			} else {
				fprintf(stderr, "probe: unknown option %s\n%s", a, usage);
				exit(2);
			}
			continue;
		}
		if (used && !v) {
			fprintf(stderr, "probe: %s wants a value\n", a);
			exit(2);
		}
		i++;
	}
}

struct errctx {
	struct probe *p;
	const char *file;
	bool to_stderr;
};

static void rules_error(void *ctx, int line, int col, const char *msg)
{
	struct errctx *e = ctx;
	char text[PROBE_LINE_MAX], esc[PROBE_LINE_MAX / 2];

	if (e->to_stderr) {
		rules_error_text(text, sizeof(text), e->file, line, col, msg);
		fprintf(stderr, "%s\n", text);
		return;
	}
	probe_esc(msg, strlen(msg), esc, sizeof(esc), false); /* a message: a cut is harmless */
	if (line)
		probe_log(e->p, "error file=%s line=%d col=%d msg=\"%s\"", e->file, line, col, esc);
	else
		probe_log(e->p, "error file=%s msg=\"%s\"", e->file, esc);
}

static long read_whole(int fd, char *buf, size_t max, const char **what)
{
	bool cut = false;
	long n = read_fd_cut(fd, buf, max + 1, &cut);

	*what = n == -EISDIR || n == -EINVAL ? "not a regular file" : NULL;
	return cut ? (long)max + 1 : n; /* one byte over: rules_load says it */
}

/* Read the rules (below the root, or a host path for --check) and load them
 * by rules.c's one policy; problems go to stderr (--check, then a count) or
 * the record. An unreadable file is one too: a boot with no rules is a
 * fault. */
static int load_rules(struct probe *p, struct rules *r, const char *file, bool to_stderr)
{
	struct errctx e = {.p = p, .file = file, .to_stderr = to_stderr};
	char *text = malloc(RULES_TEXT_MAX + 2);
	const char *what = NULL;
	long n;
	int rc, fd;

	rules_parse(r, "", 0, NULL, NULL);
	if (!text)
		return -ENOMEM;
	fd = to_stderr ? open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
		       : probe_open(p, file, O_RDONLY | O_NONBLOCK);
	n = fd < 0 ? (to_stderr ? -errno : fd) : read_whole(fd, text, RULES_TEXT_MAX, &what);
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		free(text);
		rules_error(&e, 0, 0, what ? what : strerror((int)-n));
		return -EIO;
	}
	rules_free(r);
	rc = rules_load(r, text, (size_t)n, rules_error, &e);
	free(text);
	if (rc > 0 && to_stderr)
		fprintf(stderr, "probe: %s: %d error%s in the rules\n", file, rc,
			rc > 1 ? "s" : "");
	return rc;
}

/* --fake-i2c: the fixture file read whole (up to PROBE_FAKE_MAX). */
static struct fake_hw *load_fake(const char *file)
{
	char err[PROBE_LINE_MAX / 4], *text = malloc(PROBE_FAKE_MAX + 1);
	const char *what = NULL;
	int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	long n = fd < 0 ? -errno : text ? read_whole(fd, text, PROBE_FAKE_MAX, &what) : -ENOMEM;
	struct fake_hw *hw = NULL;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		fprintf(stderr, "probe: %s: %s\n", file, what ? what : strerror((int)-n));
	else if (fake_hw_load(text, (size_t)n, &hw, err, sizeof(err)) < 0)
		fprintf(stderr, "probe: %s: %s\n", file, err);
	free(text);
	return hw;
}

/*
 * Late adapters: the "add" uevent of an adapter's /dev/i2c-N (SUBSYSTEM=i2c-dev:
 * the node the transfers need now exists) re-runs the open classes. The
 * adapter's own uevent is no use: it carries no DEVTYPE, and comes before the
 * node does.
 */
static void watch(struct probe *p, unsigned seconds)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1};
	uint64_t end = p->ops->now_us(p->ops->ctx) + (uint64_t)seconds * 1000000u;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	char buf[UEVENT_MAX];

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		probe_log(p, "watch status=error:%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	probe_log(p, "watch seconds=%u", seconds);
	for (;;) {
		uint64_t now = p->ops->now_us(p->ops->ctx);
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		ssize_t n;
		bool adapter = false;
		if (now >= end)
			break;
		if (poll(&pf, 1, (int)((end - now) / 1000 + 1)) <= 0)
			continue;
		if ((n = recv(fd, buf, sizeof(buf) - 1, 0)) <= 0)
			continue;
		buf[n] = 0;
		if (strncmp(buf, "add@", 4))
			continue;
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
			adapter |= !strcmp(buf + i, "SUBSYSTEM=i2c-dev");
		if (!adapter)
			continue;
		probe_log(p, "uevent %s", buf);
		p->run.nad = p->ops->adapters(p->ops->ctx, p, p->run.ad, PROBE_ADAPTERS_MAX);
		p->run.ncache = 0;
		p->run.t0 = p->ops->now_us(p->ops->ctx); /* a fresh budget for the new bus */
		p->run.total_over = false;
		probe_run(p);
	}
	close(fd);
}

/* A root-relative text file read whole into buf (cap bytes with the NUL): a
 * longer one is cut and said, an unreadable one is empty (cmdline: said). */
static size_t settings_file(const struct probe *p, const char *path, char *buf, size_t cap,
			    bool must)
{
	bool cut = false;
	long n = probe_read_cut(p, path, buf, cap, &cut);

	if (n < 0) {
		if (must || n != -ENOENT)
			fprintf(stderr, "probe: /%s: %s\n", path, strerror((int)-n));
		buf[0] = 0;
		return 0;
	}
	if (cut)
		fprintf(stderr, "probe: /%s: more than %zu bytes; the rest is ignored\n", path,
			cap - 1);
	return (size_t)n;
}

/* A shell variable's name: a letter or _, then letters, digits, _. */
static bool shell_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (i && s[i] >= '0' && s[i] <= '9')))
			return false;
	return n > 0;
}

/*
 * --init-settings: the BusyBox init's settings, read by lib/cmdline's
 * setting_get as the C init reads its own (quotes, bootconfig, the last one
 * wins), printed as shell assignments for the init to eval: VAR='VALUE', a '
 * inside written '\''. 0, or 2 for a malformed SPEC (nothing printed).
 */
static int init_settings(const struct probe *p, char **spec, int n)
{
	static char cmdline[CMDLINE_MAX], bootconfig[CMDLINE_MAX], conf[INIT_CONF_MAX];
	struct settings s = {.cmdline = cmdline, .bootconfig = bootconfig, .conf = conf};
	char v[SETTING_MAX];

	for (int i = 0; i < n; i++) {
		const char *eq = strchr(spec[i], '=');
		if (!eq || !shell_name(spec[i], (size_t)(eq - spec[i])) || !eq[1] ||
		    !strcmp(eq + 1, ":")) {
			fprintf(stderr,
				"probe: --init-settings: '%s' is not VAR=KEY or VAR=:WORD\n",
				spec[i]);
			return 2;
		}
	}
	s.cmdline_len = cmdline_proc_len(
	    cmdline, settings_file(p, "proc/cmdline", cmdline, sizeof(cmdline), true));
	s.bootconfig_len =
	    settings_file(p, "proc/bootconfig", bootconfig, sizeof(bootconfig), false);
	s.conf_len = settings_file(p, "lib/probe/init.conf", conf, sizeof(conf), false);
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(spec[i], '='), *key = eq[1] == ':' ? eq + 2 : eq + 1;
		long got = eq[1] == ':' ? cmdline_get(cmdline, s.cmdline_len, key, v, sizeof(v))
					: setting_get(&s, key, v, sizeof(v));
		if (got == -ENOSPC)
			fprintf(stderr, "probe: setting %s: value longer than %zu bytes, ignored\n",
				key, sizeof(v) - 1);
		else if (got == -ENAMETOOLONG)
			fprintf(stderr, "probe: setting %s: name too long for bootkit.%s=\n", key,
				key);
		if (got < 0)
			continue;
		printf("%.*s='", (int)(eq - spec[i]), spec[i]);
		for (const char *c = v; *c; c++)
			if (*c == '\'')
				fputs("'\\''", stdout);
			else
				putchar(*c);
		fputs("'\n", stdout);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static struct probe p;
	static struct rules r;
	static struct real_hw real;
	struct opts o = {0};
	struct probe_ops ops;
	struct fake_hw *hw = NULL;

	if (argc > 1 && !strcmp(argv[1], "--android-bind"))
		return probe_android_bind(argc - 2, argv + 2);
	probe_settings_default(&o.set);
	parse_opts(argc, argv, &o);
	probe_init(&p, &o.set);
	if (o.check && !o.settings) {
		int n = load_rules(&p, &r, p.set.rules_file, true);
		rules_free(&r);
		return n == 0 ? 0 : 1;
	}
	p.rootfd = open(o.root ? o.root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p.rootfd < 0) {
		fprintf(stderr, "probe: %s: %s\n", o.root ? o.root : "/", strerror(errno));
		if (getpid() == 1)
			for (;;)
				pause();
		return 1;
	}
	if (o.settings)
		return init_settings(&p, o.settings, o.nsettings);
	real_ops_init(&ops, &real);
	if (o.fake) {
		if (!(hw = load_fake(o.fake)))
			return 1;
		fake_ops_init(&ops, hw);
	}
	p.ops = &ops;
	p.rules = &r;
	probe_start(&p);
	load_rules(&p, &r, p.set.rules_file, false);
	probe_run(&p);
	probe_android_deliver(&p); /* before Android's init starts */
	/* The first pass is done: the caller (the init flow) goes on while a
	 * child watches for late adapters. */
	if (o.watch && !o.fake && (getpid() == 1 || fork() == 0))
		watch(&p, o.watch);
	probe_finish(&p);
	rules_free(&r);
	fake_hw_free(hw);
	if (getpid() == 1) /* never take the boot down: hang, do not exit */
		for (;;)
			pause();
	return 0;
}
