/* board.c - see board.h. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/board.h"

/* The rules every board here runs (the shipped modules.list, abridged). */
const char RULES[] =
    "order regulator touch panel\n"
    "settle regulator 20\n"
    "regulator fan53555 when i2c 0x60,0x62 reg8 0x03 mask 0xe0 == 0x80 then load fan53555\n"
    "regulator fallback then\n"
    "touch ft5x06 when i2c 0x38 reg8 0xa3 oneof 0x55 0x06 0x36 0x64 then load edt-ft5x06 bind "
    "edt-ft5x06\n"
    "touch gt9xx when i2c 0x5d,0x14 reg16 0x8140 len 4 prefix \"9\" then load goodix_ts bind "
    "GDIX1001:00 export touch=gt9xx@${bus}-${addr}-${id}\n"
    "touch fallback then export touch=none\n"
    "panel hx8389b when cmdline lcm glob \"*hx8389b*\" then load panel-simple\n"
    "panel fallback then load panel-edp\n";

const char MODDEP[] =
    "kernel/drivers/regulator/fan53555.ko:\n"
    "kernel/drivers/input/touchscreen/edt-ft5x06.ko:\n"
    "kernel/drivers/input/touchscreen/goodix_ts.ko:\n"
    "kernel/drivers/gpu/drm/panel/panel-simple.ko: kernel/drivers/gpu/drm/drm.ko\n"
    "kernel/drivers/gpu/drm/panel/panel-edp.ko: kernel/drivers/gpu/drm/drm.ko\n"
    "kernel/drivers/gpu/drm/drm.ko:\n";

void put(const char *root, const char *rel, const char *text)
{
	char path[256], cmd[300];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname %s/%s)\"", root, rel);
	cr_assert_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert((f = fopen(path, "w")), "%s", path);
	fputs(text, f);
	fclose(f);
}

/* An empty file for every module modules.dep names (the probe opens a
 * module below its root before it hands it to the load op). */
void put_modules(const char *root, const char *dep)
{
	struct moddep_line l;
	size_t pos = 0;
	unsigned line = 0;
	int rc;

	while ((rc = moddep_next(dep, strlen(dep), &pos, &line, &l)) != 0) {
		char rel[PROBE_PATH_MAX];
		if (rc < 0)
			continue;
		int n = strfmt(rel, sizeof(rel), "lib/modules/6.1.0-t/%.*s", (int)l.plen, l.path);
		cr_assert_geq(n, 0, "%.*s: path too long", (int)l.plen, l.path);
		put(root, rel, "");
	}
}

/* Build the tree (files: path, text pairs, NULL-terminated, may be NULL),
 * run one pass, read the record back. */
unsigned class_budget_ms;
bool no_openat2;
const char *const *links;

void run_board_rel(struct board *b, const char *hw, const char *cmdline, const char *rules,
		   const char *const *files, const char *release)
{
	char err[160];
	long n;

	memset(b, 0, sizeof(*b));
	snprintf(b->root, sizeof(b->root), "/tmp/probe-test.XXXXXX");
	cr_assert(mkdtemp(b->root));
	put(b->root, "proc/cmdline", cmdline);
	put(b->root, "lib/modules/6.1.0-t/modules.dep", MODDEP);
	put_modules(b->root, MODDEP);
	for (unsigned i = 0; links && links[i]; i += 2) {
		char lp[256], cmd[600];
		snprintf(lp, sizeof(lp), "%s/%s", b->root, links[i]);
		snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname %s)\" && ln -s %s %s", lp,
			 links[i + 1], lp);
		cr_assert_eq(system(cmd), 0);
	}
	links = NULL; /* planted: the next run plants none unless told */
	for (unsigned i = 0; files && files[i]; i += 2) {
		put(b->root, files[i], files[i + 1]);
		if (strstr(files[i], "/modules.dep"))
			put_modules(b->root, files[i + 1]);
	}
	for (int i = 0; i < 2; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "sys/bus/i2c/devices/i2c-%d/new_device", i);
		put(b->root, rel, "");
	}
	cr_assert_eq(fake_hw_load(hw, strlen(hw), &b->hw, err, sizeof(err)), 0, "%s", err);
	fake_ops_init(&b->ops, b->hw);
	struct probe_settings set;
	probe_settings_default(&set);
	set.release = release;
	if (class_budget_ms)
		set.class_budget_ms = class_budget_ms;
	set.no_openat2 = no_openat2;
	probe_init(&b->p, &set);
	b->p.rootfd = open(b->root, O_RDONLY | O_DIRECTORY);
	b->p.ops = &b->ops;
	b->p.rules = &b->r;
	cr_assert_eq(probe_start(&b->p), 0);
	b->rule_errors = (unsigned)rules_parse(&b->r, rules, strlen(rules), NULL, NULL);
	probe_run(&b->p);
	probe_android_deliver(&b->p);
	probe_finish(&b->p);
	n = probe_read(&b->p, "run/probe/decisions", b->record, sizeof(b->record));
	cr_assert_geq(n, 0);
}

void run_board_with(struct board *b, const char *hw, const char *cmdline, const char *rules,
		    const char *const *files)
{
	run_board_rel(b, hw, cmdline, rules, files, "6.1.0-t");
}

void run_board(struct board *b, const char *hw, const char *cmdline, const char *rules)
{
	run_board_with(b, hw, cmdline, rules, NULL);
}

void end_board(struct board *b)
{
	char cmd[100];

	close(b->p.rootfd);
	rules_free(&b->r);
	fake_hw_free(b->hw);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", b->root);
	cr_expect_eq(system(cmd), 0);
}

void put_bin(const char *root, const char *rel, const uint8_t *data, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert((f = fopen(path, "w")), "%s", path);
	cr_assert_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}
