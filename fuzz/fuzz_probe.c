/* libFuzzer: a whole probe pass on fake hardware (issue 15). The input is up
 * to five texts separated by lines "%%": the fake hardware fixture (probe(8),
 * "FAKE I2C FIXTURES"), /proc/cmdline, modules.list, modules.dep and
 * modules.builtin. They are written into a root made once under /tmp; the
 * pass runs on the fake clock (no sleeping), then checks what must hold
 * whatever the input: no crash, no leak, and the pass ends with its "done"
 * line in the record. */
#include <stdbool.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/probe.h"
#include "probe/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RELEASE "6.1.0-f"
static char root[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_root(void)
{
	if (root[0])
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void put(const char *rel, const char *text, size_t n)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (n && write(fd, text, n) != (ssize_t)n))
		abort();
	close(fd);
}

static void setup(void)
{
	static const char *const dirs[] = {"proc",
					   "lib",
					   "lib/modules",
					   "lib/modules/" RELEASE,
					   "lib/modules/" RELEASE "/kernel",
					   "sys",
					   "sys/bus",
					   "sys/bus/i2c",
					   "sys/bus/i2c/devices",
					   "sys/bus/i2c/devices/i2c-0",
					   "sys/bus/i2c/devices/i2c-1",
					   "run",
					   NULL};
	char path[256];

	snprintf(root, sizeof(root), "/tmp/fuzz_probe.XXXXXX");
	if (!mkdtemp(root))
		abort();
	atexit(rm_root);
	for (unsigned i = 0; dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		if (mkdir(path, 0755))
			abort();
	}
	/* a few modules that rules may name */
	static const char *const mods[] = {"edt-ft5x06", "goodix_ts", "fan53555", "panel", NULL};
	for (unsigned i = 0; mods[i]; i++) {
		snprintf(path, sizeof(path), "lib/modules/" RELEASE "/kernel/%s.ko", mods[i]);
		put(path, "", 0);
	}
}

/* The input in up to five parts at lines "%%": the fake chips, then the
 * files of files[] (the command line, the rules, modules.dep, builtin). */
static void split(const uint8_t *data, size_t size, const char *part[5], size_t len[5])
{
	const char *s = (const char *)data, *end = s + size;

	for (unsigned k = 0; k < 5; k++) {
		const char *sep = NULL;
		for (const char *q = s; q + 3 <= end; q++)
			if (!memcmp(q, "%%\n", 3) && (q == s || q[-1] == '\n')) {
				sep = q;
				break;
			}
		part[k] = s;
		len[k] = (size_t)((sep ? sep : end) - s);
		if (!sep)
			break;
		s = sep + 3;
	}
}

/* The pass always ends, and says so. */
static void check_record(struct probe *p)
{
	static char rec[1 << 16];
	bool cut = false;
	long n = probe_read_cut(p, "run/probe/decisions", rec, sizeof(rec), &cut);

	if (n <= 0 ||
	    (!cut && strncmp(rec, "done decided=", 13) && !strstr(rec, "\ndone decided="))) {
		fprintf(stderr, "fuzz_probe: no done line in the record:\n%s\n", n > 0 ? rec : "");
		abort();
	}
	if (getenv("FUZZ_PROBE_PRINT")) /* to see what a seed exercises */
		fputs(rec, stdout);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = {NULL, "proc/cmdline", NULL,
					    "lib/modules/" RELEASE "/modules.dep",
					    "lib/modules/" RELEASE "/modules.builtin"};
	const char *part[5] = {"", "", "", "", ""};
	size_t len[5] = {0};
	static struct probe p;
	static struct rules r;
	struct probe_settings set;
	struct probe_ops ops;
	struct fake_hw *hw = NULL;
	char err[160];

	if (!root[0])
		setup();
	split(data, size, part, len);
	for (unsigned i = 1; i < 5; i++)
		if (files[i])
			put(files[i], part[i], len[i]);
	if (fake_hw_load(part[0], len[0], &hw, err, sizeof(err)) < 0)
		return 0; /* the fixture parser is not what this target tries */
	fake_ops_init(&ops, hw);
	probe_settings_default(&set);
	probe_init(&p, &set);
	p.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p.rootfd < 0)
		abort();
	p.ops = &ops;
	p.set.release = RELEASE;
	p.rules = &r;
	probe_start(&p);
	rules_parse(&r, part[2], len[2], NULL, NULL);
	probe_run(&p);
	probe_finish(&p);
	check_record(&p);
	close(p.rootfd);
	rules_free(&r);
	fake_hw_free(hw);
	return 0;
}
