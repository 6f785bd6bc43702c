/* facts.c - bounded reads of /proc and /sys below the root, and the parsers
 * for the command line, bootconfig and cpuinfo. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "probe.h"

long probe_read(const struct probe *p, const char *path, char *buf, size_t cap)
{
	size_t n = 0;
	int fd;

	while (*path == '/')
		path++;
	if (cap == 0)
		return -EINVAL;
	if ((fd = openat(p->rootfd, *path ? path : ".", O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return -errno;
	while (n < cap - 1) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	return (long)n;
}

static void copy_out(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = 0;
}

/* "Field\t: value" lines; the first occurrence. */
bool cpuinfo_get(const char *s, const char *field, char *out, size_t cap)
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
				c++;
				while (c < e && (*c == ' ' || *c == '\t'))
					c++;
				copy_out(out, cap, c, (size_t)(e - c));
				return true;
			}
		}
		s = nl ? nl + 1 : e;
	}
	return false;
}

void probe_trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
}

/* The text facts read once per pass: the command line, bootconfig, the
 * kernel release and its modules.dep. */
void probe_read_facts(struct probe *p)
{
	struct utsname u;
	char path[160];
	long n;

	if (probe_read(p, "proc/cmdline", p->cmdline, sizeof(p->cmdline)) < 0)
		probe_log(p, "fault file=/proc/cmdline status=unreadable");
	probe_trim(p->cmdline);
	if (probe_read(p, "proc/bootconfig", p->bootconfig, sizeof(p->bootconfig)) < 0)
		p->bootconfig[0] = 0;
	if (!p->release && uname(&u) == 0) {
		snprintf(p->uname_release, sizeof(p->uname_release), "%s", u.release);
		p->release = p->uname_release;
	}
	snprintf(path, sizeof(path), "lib/modules/%s/modules.dep", p->release ? p->release : "");
	if ((p->moddep = malloc(PROBE_DEP_MAX)) &&
	    (n = probe_read(p, path, p->moddep, PROBE_DEP_MAX)) >= 0) {
		p->moddep_len = (size_t)n;
	} else {
		probe_log(p, "fault file=/%s status=unreadable", path);
		free(p->moddep);
		p->moddep = NULL;
	}
}
