/* record.c - the decision record: one key=value line per event in
 * /run/probe/decisions, the same lines on /dev/kmsg ("probe: ..."), and on
 * stdout with --explain. Also the probe's only writer of files below the
 * root (folders made on the way). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe.h"

const char *const probe_res_name[] = {"ok", "nak", "busy", "timeout", "eio", "over-budget"};

double probe_ms_since(const struct probe *p, uint64_t t)
{
	return (double)(p->ops->now_us(p->ops->ctx) - t) / 1000.0;
}

void probe_log(struct probe *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (p->record_fd >= 0 && write(p->record_fd, line, (size_t)n) < 0)
		p->failures++;
	if (p->kmsg_fd >= 0) {
		char k[540];
		int kn = snprintf(k, sizeof(k), "probe: %.*s", n, line);
		if (kn > 0 && write(p->kmsg_fd, k, (size_t)kn) < 0)
			p->failures++;
	}
	if (p->explain)
		fwrite(line, 1, (size_t)n, stdout);
}

/* mkdir -p of a root-relative folder. */
static void mkdirs(const struct probe *p, const char *dir)
{
	char buf[256];
	size_t n = strlen(dir);

	if (n >= sizeof(buf))
		return;
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++)
		if (buf[i] == '/' || buf[i] == 0) {
			char c = buf[i];
			buf[i] = 0;
			mkdirat(p->rootfd, buf, 0755);
			buf[i] = c;
		}
}

int probe_open_out(const struct probe *p, const char *path, int flags)
{
	char dir[256];
	const char *slash = strrchr(path, '/');

	if (slash && (size_t)(slash - path) < sizeof(dir)) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = 0;
		mkdirs(p, dir);
	}
	return openat(p->rootfd, path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
}


void probe_hex(const uint8_t *b, unsigned len, char *out)
{
	for (unsigned i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * len] = 0;
}

void probe_log_decision(struct probe *p, const struct rule *ru, const struct match *m, uint64_t t,
			 const char *how)
{
	char ev[200] = "";

	if (m->i2c) {
		char hx[2 * I2C_ID_MAX + 1];
		probe_hex(m->bytes, m->len, hx);
		snprintf(ev, sizeof(ev), " bus=%d addr=0x%02x reg=0x%0*x read=%s", m->bus, m->addr,
			 m->regbits == 16 ? 4 : 2, m->reg, m->len ? hx : "ack");
	} else if (m->value[0]) {
		snprintf(ev, sizeof(ev), " value=\"%.100s\"", m->value);
	}
	probe_log(p, "decide class=%s rule=%s line=%d%s%s ms=%.1f", ru->cls, ru->name, ru->line, how,
		  ev, probe_ms_since(p, t));
}


/* The record and /dev/kmsg; the exported facts start empty. */
void probe_record_open(struct probe *p)
{
	p->record_fd = probe_open_out(p, p->record_path, O_TRUNC);
	p->kmsg_fd = openat(p->rootfd, "dev/kmsg", O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	int ffd = probe_open_out(p, p->facts_path, O_TRUNC);
	if (ffd >= 0)
		close(ffd);
}

void probe_record_close(struct probe *p)
{
	if (p->record_fd >= 0)
		close(p->record_fd);
	if (p->kmsg_fd >= 0)
		close(p->kmsg_fd);
	p->record_fd = p->kmsg_fd = -1;
}
