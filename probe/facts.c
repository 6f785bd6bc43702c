/* facts.c - what the probe reads below the root, whole and bounded: the
 * command line and bootconfig (parsed by lib/kcmdline.c), /proc/cpuinfo, the
 * kernel release, and the modules of lib/modules (lib/moddep.c). A fact
 * larger than its cap is a recorded fault, never a silent cut. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/readat.h"
#include "probe/probe.h"

long probe_read_cut(const struct probe *p, const char *path, char *buf, size_t cap, bool *cut)
{
	int fd;
	long n;

	*cut = false;
	if (cap == 0)
		return -EINVAL;
	buf[0] = 0;
	if ((fd = probe_open(p, path, O_RDONLY | O_NONBLOCK)) < 0)
		return fd;
	n = read_fd_cut(fd, buf, cap, cut);
	close(fd);
	return n;
}

long probe_read(const struct probe *p, const char *path, char *buf, size_t cap)
{
	bool cut;
	long n = probe_read_cut(p, path, buf, cap, &cut);

	return n >= 0 && cut ? -EFBIG : n;
}

/* "Field\t: value" lines; the first occurrence. */
long cpuinfo_get(const char *s, const char *field, char *out, size_t cap)
{
	size_t fl = strlen(field);

	while (*s) {
		const char *nl = strchr(s, '\n'), *e = nl ? nl : s + strlen(s);
		const char *c = memchr(s, ':', (size_t)(e - s));
		if (c) {
			const char *k = c;
			while (k > s && (k[-1] == ' ' || k[-1] == '\t'))
				k--;
			if ((size_t)(k - s) == fl && !memcmp(s, field, fl)) {
				size_t n;
				c++;
				while (c < e && (*c == ' ' || *c == '\t'))
					c++;
				n = (size_t)(e - c);
				if (n >= cap)
					return -ENOSPC;
				memcpy(out, c, n);
				out[n] = 0;
				return (long)n;
			}
		}
		s = nl ? nl + 1 : e;
	}
	return -ENOENT;
}

void probe_trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
}

/* A fact cut at its cap: drop what follows the last separator (a half word
 * or line must not be tested as if whole), and say so once. */
static size_t drop_partial(struct probe *p, const char *file, char *buf, size_t n, const char *seps)
{
	size_t k = n;

	while (k && !strchr(seps, buf[k - 1]))
		k--;
	buf[k] = 0;
	probe_log(p, "fault file=%s status=cut bytes=%zu", file, n);
	return k;
}

/* /proc/cmdline or /proc/bootconfig (file: from "/") into buf
 * (PROBE_FACT_MAX + 1 bytes). */
static size_t read_text_fact(struct probe *p, const char *file, char *buf, const char *seps,
			     bool must)
{
	bool cut;
	long n = probe_read_cut(p, file, buf, PROBE_FACT_MAX + 1, &cut);

	if (n < 0) {
		buf[0] = 0;
		if (must)
			probe_log(p, "fault file=%s status=unreadable", file);
		return 0;
	}
	return cut ? drop_partial(p, file, buf, (size_t)n, seps) : (size_t)n;
}

const char *probe_cpuinfo(struct probe *p)
{
	if (!p->run.cpuinfo_read && p->run.cpuinfo) {
		bool cut;
		long n =
		    probe_read_cut(p, "proc/cpuinfo", p->run.cpuinfo, PROBE_FACT_MAX + 1, &cut);
		p->run.cpuinfo_read = true;
		if (n < 0)
			p->run.cpuinfo[0] = 0; /* unreadable: every field absent */
		else if (cut)
			drop_partial(p, "/proc/cpuinfo", p->run.cpuinfo, (size_t)n, "\n");
	}
	return p->run.cpuinfo ? p->run.cpuinfo : "";
}

/* A whole file of lib/modules/<dir> into a buffer of its size, at most
 * PROBE_DEP_MAX. NULL when absent; a fault line when unreadable or larger. */
static char *read_module_file(struct probe *p, const char *dir, const char *name, size_t *len,
			      bool must)
{
	char path[PROBE_PATH_MAX];
	struct stat st;
	char *buf;
	long n;
	bool cut;
	int fd;

	if (strfmt(path, sizeof(path), "lib/modules/%s/%s", dir, name) < 0)
		return NULL;
	if ((fd = probe_open(p, path, O_RDONLY | O_NONBLOCK)) < 0 || fstat(fd, &st) < 0 ||
	    !S_ISREG(st.st_mode)) {
		if (must)
			probe_log(p, "fault file=/%s status=unreadable", path);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size >= PROBE_DEP_MAX) {
		probe_log(p, "fault file=/%s bytes=%lld cap=%u status=too-large", path,
			  (long long)st.st_size, PROBE_DEP_MAX);
		close(fd);
		return NULL;
	}
	/* allocated once, to the file's size (+1 for a change while reading) */
	if (!(buf = malloc((size_t)st.st_size + 2))) {
		close(fd);
		return NULL;
	}
	n = read_fd_cut(fd, buf, (size_t)st.st_size + 2, &cut);
	close(fd);
	if (n < 0 || cut) {
		probe_log(p, "fault file=/%s status=%s", path, n < 0 ? "unreadable" : "changed");
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/* The lib/modules folder whose modules.dep is there: the running kernel's,
 * else the first other one by name (a mismatch). */
static bool find_modules(struct probe *p)
{
	char path[PROBE_PATH_MAX], best[KERNEL_RELEASE_MAX] = "";
	struct dirent *de;
	DIR *d;
	int dfd;

	if (p->set.release &&
	    strfmt(path, sizeof(path), "lib/modules/%s/modules.dep", p->set.release) >= 0 &&
	    probe_exists(p, path) == 0) {
		/* shorter than KERNEL_RELEASE_MAX: probe_read_facts checked */
		memcpy(p->run.modules_release, p->set.release, strlen(p->set.release) + 1);
		return true;
	}
	if ((dfd = probe_open(p, "lib/modules", O_RDONLY | O_DIRECTORY)) < 0)
		return false;
	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return false;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strlen(de->d_name) < sizeof(best) &&
		    (!best[0] || strcmp(de->d_name, best) < 0) &&
		    strfmt(path, sizeof(path), "lib/modules/%s/modules.dep", de->d_name) >= 0 &&
		    probe_exists(p, path) == 0)
			memcpy(best, de->d_name, strlen(de->d_name) + 1);
	closedir(d);
	if (!best[0])
		return false;
	memcpy(p->run.modules_release, best, sizeof(best));
	p->run.kernel_mismatch = true;
	probe_log(p, "fault kernel=%s modules=%s status=mismatch",
		  p->set.release ? p->set.release : "?", best);
	return true;
}

/* modules.dep (indexed), modules.builtin: the running kernel's built-in list
 * when its folder is there, else the modules' own. */
static void read_modules(struct probe *p)
{
	const char *bdir = p->run.modules_release;
	char path[PROBE_PATH_MAX];

	if (!find_modules(p)) {
		if (strfmt(path, sizeof(path), "lib/modules/%s/modules.dep",
			   p->set.release ? p->set.release : "") >= 0)
			probe_log(p, "fault file=/%s status=unreadable", path);
		return;
	}
	if ((p->run.moddep = read_module_file(p, p->run.modules_release, "modules.dep",
					      &p->run.moddep_len, true))) {
		int err = moddep_graph_init(&p->run.graph, p->run.moddep, p->run.moddep_len);
		p->run.have_graph = err == 0;
		if (err < 0)
			probe_log(p, "fault file=/lib/modules/%s/modules.dep status=%s",
				  p->run.modules_release, strerror(-err));
		else if (p->run.graph.bad_lines)
			probe_log(
			    p, "fault file=/lib/modules/%s/modules.dep bad_lines=%u status=skipped",
			    p->run.modules_release, p->run.graph.bad_lines);
	}
	if (p->set.release && strfmt(path, sizeof(path), "lib/modules/%s", p->set.release) >= 0 &&
	    probe_exists(p, path) == 0)
		bdir = p->set.release;
	p->run.builtin = read_module_file(p, bdir, "modules.builtin", &p->run.builtin_len, false);
	p->run.aliases = read_module_file(p, p->run.modules_release, "modules.alias",
					  &p->run.aliases_len, false);
}

/* The text facts read once per pass: the command line, bootconfig, the
 * kernel release and its modules. 0, or -ENOMEM (nothing to read into). */
int probe_read_facts(struct probe *p)
{
	struct utsname u;

	if (!p->run.cmdline && (!(p->run.cmdline = malloc(PROBE_FACT_MAX + 1)) ||
				!(p->run.bootconfig = malloc(PROBE_FACT_MAX + 1)) ||
				!(p->run.scratch = malloc(PROBE_FACT_MAX + 1)) ||
				!(p->run.cpuinfo = malloc(PROBE_FACT_MAX + 1)))) {
		probe_log(p, "fault status=out-of-memory");
		return -ENOMEM;
	}
	p->run.cmdline_len = read_text_fact(p, "/proc/cmdline", p->run.cmdline, " \t\n", true);
	probe_trim(p->run.cmdline);
	p->run.cmdline_len = strlen(p->run.cmdline);
	p->run.bootconfig_len =
	    read_text_fact(p, "/proc/bootconfig", p->run.bootconfig, "\n", false);
	p->run.cpuinfo_read = false;
	if (!p->set.release && uname(&u) == 0 &&
	    strfmt(p->run.uname_release, sizeof(p->run.uname_release), "%s", u.release) >= 0)
		p->set.release = p->run.uname_release;
	if (p->set.release && strlen(p->set.release) >= KERNEL_RELEASE_MAX) {
		probe_log(p, "fault kernel-release status=too-long");
		p->set.release = NULL;
	}
	read_modules(p);
	return 0;
}
