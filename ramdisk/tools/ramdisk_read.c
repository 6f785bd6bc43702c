/* ramdisk_read.c - the verbs that read an archive: list, info, extract. */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/mtk.h"
#include "probe/rules.h"
#include "ramdisk/compress.h"
#include "ramdisk/dtcheck.h"
#include "ramdisk/modclosure.h"
#include "ramdisk/ramdisk.h"
#include "ramdisk/tools/verbs.h"

static void list_entry(const struct rd_entry *e, bool verbose)
{
	const char *name = e->wname ? e->wname : e->name;
	uint32_t mode = e->m.f[CF_MODE];
	char ms[11], when[32];
	time_t t = (time_t)e->m.f[CF_MTIME];
	struct tm tm;

	if (!verbose) {
		put_esc(name, strlen(name));
		putchar('\n');
		return;
	}
	cpio_mode_string(mode, ms);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", gmtime_r(&t, &tm));
	printf("%s %3u %-5u %-5u ", ms, (unsigned)e->m.f[CF_NLINK], (unsigned)e->m.f[CF_UID],
	       (unsigned)e->m.f[CF_GID]);
	if (S_ISCHR(mode) || S_ISBLK(mode))
		printf("%4u, %4u", (unsigned)e->m.f[CF_RDEVMAJOR], (unsigned)e->m.f[CF_RDEVMINOR]);
	else
		printf("%10u", (unsigned)e->m.f[CF_FILESIZE]);
	printf(" %s ", when);
	put_esc(name, strlen(name));
	if (S_ISLNK(mode)) {
		fputs(" -> ", stdout);
		put_esc(e->data, e->m.f[CF_FILESIZE]);
	}
	putchar('\n');
}

static const struct opt read_opts[] = {{"verbose", 'v', false, RO_VERBOSE},
				       {"max_size", 0, true, RO_MAX_SIZE},
				       {"help", 'h', false, RO_HELP},
				       {0}};

/* Positional arguments and --max-size for list, info and extract. */
static unsigned read_args(int argc, char **argv, const char **pos, unsigned npos, bool *verbose,
			  uint64_t *cap)
{
	struct opt_state s;
	unsigned n = 0;
	int id;

	*cap = COMP_DEFAULT_CAP;
	opt_begin(&s, argc, argv, read_opts);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum rd_opt)id) {
		case RO_ARG:
			if (n == npos)
				die(EXIT_USAGE, "%s: unexpected argument %s", argv[0], s.arg);
			pos[n++] = s.arg;
			break;
		case RO_VERBOSE: *verbose = true; break;
		case RO_MAX_SIZE: *cap = parse_max_size(s.arg); break;
		default: ramdisk_help(argv[0]); exit(0);
		}
	}
	return n;
}

int cmd_ramdisk_list(int argc, char **argv)
{
	const char *pos[1];
	bool verbose = false;
	uint64_t cap;
	struct loaded l;

	if (read_args(argc, argv, pos, 1, &verbose, &cap) != 1)
		die(EXIT_USAGE, "usage: ramdisk list RAMDISK [-v]");
	load(&l, pos[0], cap);
	for (size_t i = 0; i < l.rd.n; i++)
		list_entry(&l.rd.v[i], verbose);
	loaded_free(&l);
	return 0;
}

int cmd_ramdisk_info(int argc, char **argv)
{
	const char *pos[1];
	bool verbose = false;
	uint64_t cap;
	struct loaded l;

	if (read_args(argc, argv, pos, 1, &verbose, &cap) != 1)
		die(EXIT_USAGE, "usage: ramdisk info RAMDISK");
	load(&l, pos[0], cap);
	summary(&l.rd, pos[0], l.comp, l.rd.archive_len, l.in_len, 10);
	if (l.streams.streams > 1)
		printf("streams: %u, %s\n", l.streams.streams,
		       l.streams.mixed ? "in several formats (the first one's is shown)"
				       : "concatenated");
	loaded_free(&l);
	return 0;
}

/* ", N things" when N > 0; *first says whether a separator is due. */
static void count(unsigned n, const char *one, const char *many, const char *why, bool *more)
{
	if (!n)
		return;
	printf("%s%u %s%s", *more ? ", " : "", n, n == 1 ? one : many, why);
	*more = true;
}

static void extract_summary(const char *dir, const struct rd_extract_stats *st)
{
	bool more = true, left = false;

	printf("%s: %u file%s, %u folder%s, %u symlink%s", dir, st->files,
	       st->files == 1 ? "" : "s", st->dirs, st->dirs == 1 ? "" : "s", st->symlinks,
	       st->symlinks == 1 ? "" : "s");
	count(st->hardlinks, "hard link", "hard links", "", &more);
	count(st->nodes, "device node", "device nodes", "", &more);
	count(st->fifos, "FIFO", "FIFOs", "", &more);
	count(st->sockets, "socket", "sockets", "", &more);
	if (st->nodes_skipped || st->nodes_denied || st->setuid_dropped || st->setgid_dropped ||
	    st->unknown)
		fputs("; ", stdout);
	count(st->nodes_skipped, "device node not created", "device nodes not created",
	      " (--devices to create them)", &left);
	count(st->nodes_denied, "device node not created", "device nodes not created",
	      " (--devices: it needs root)", &left);
	count(st->setuid_dropped, "setuid bit dropped", "setuid bits dropped",
	      " (--same-permissions to keep them)", &left);
	count(st->setgid_dropped, "setgid bit dropped", "setgid bits dropped",
	      " (--same-permissions to keep them)", &left);
	if (st->unknown)
		printf("%s%u entr%s of unknown type (mode 0%o%s) left out", left ? ", " : "",
		       st->unknown, st->unknown == 1 ? "y" : "ies", (unsigned)st->unknown_mode,
		       st->unknown > 1 ? " for the first" : "");
	putchar('\n');
}

int cmd_ramdisk_extract(int argc, char **argv)
{
	static const struct opt o[] = {{"devices", 0, false, RO_DEVICES},
				       {"same_permissions", 'p', false, RO_SAME_PERM},
				       {"same_owner", 0, false, RO_SAME_OWNER},
				       {"max_size", 0, true, RO_MAX_SIZE},
				       {"spec", 0, true, RO_SPEC},
				       {"help", 'h', false, RO_HELP},
				       {0}};
	const char *pos[2], *spec = NULL;
	unsigned npos = 0;
	uint64_t cap = COMP_DEFAULT_CAP;
	struct rd_extract_opts xo = {0};
	struct opt_state s;
	struct loaded l;
	struct rd_extract_stats st;
	struct diag d = {{0}};
	int id;

	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum rd_opt)id) {
		case RO_ARG:
			if (npos == 2)
				die(EXIT_USAGE, "extract: unexpected argument %s", s.arg);
			pos[npos++] = s.arg;
			break;
		case RO_DEVICES: xo.devices = true; break;
		case RO_SAME_PERM: xo.same_permissions = true; break;
		case RO_SAME_OWNER: xo.same_owner = true; break;
		case RO_MAX_SIZE: cap = parse_max_size(s.arg); break;
		case RO_SPEC: spec = s.arg; break;
		default: ramdisk_help("extract"); return 0;
		}
	}
	if (npos != 2)
		die(EXIT_USAGE, "usage: ramdisk extract RAMDISK DIR [--spec SPEC] [--devices] "
				"[--same-permissions] [--same-owner]");
	load(&l, pos[0], cap);
	if (spec) {
		if (rd_extract_spec(&l.rd, pos[1], spec, comp_write_name(l.comp), pos[0], l.fd, &xo,
				    &st, &d) < 0) {
			diag_prefix(&d, "extracting into %s with --spec %s", pos[1], spec);
			die_diag(pos[0], &d);
		}
	} else if (rd_extract(&l.rd, pos[1], &xo, &st, &d) < 0) {
		diag_prefix(&d, "extracting into %s", pos[1]);
		die_diag(pos[0], &d);
	}
	extract_summary(pos[1], &st);
	if (spec)
		printf("%s: %zu entries%s, compression %s\n", spec, l.rd.n,
		       l.rd.ntr > 1 ? " in concatenated archives" : "",
		       l.comp == COMP_LZ4_FRAME ? "lz4 (legacy; the input was lz4 frames)"
						: comp_name(l.comp));
	loaded_free(&l);
	return 0;
}

/* An edit line with nothing to do: said, not an error (scripts run twice). */
