/* record.c - the decision record: one key=value line per event in
 * /run/probe/decisions, the same lines on /dev/kmsg ("probe: ..."), and on
 * stdout with --explain. Values from outside (device-tree strings, command
 * line values, adapter names) are escaped (probe_esc) where they are put in
 * a line, and probe_log escapes any control byte left, so one event is one
 * line and no fact can forge another. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe.h"

const char *const probe_res_name[] = {"ok", "nak", "busy", "timeout", "eio", "over-budget"};

double probe_ms_since(const struct probe *p, uint64_t t)
{
	return (double)(p->ops->now_us(p->ops->ctx) - t) / 1000.0;
}

size_t probe_esc(const char *s, size_t n, char *out, size_t cap, bool blanks)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, need = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[4];
		size_t el = 2;
		e[0] = '\\';
		switch (c) {
		case '\\': e[1] = '\\'; break;
		case '"': e[1] = '"'; break;
		case '\n': e[1] = 'n'; break;
		case '\t': e[1] = 't'; break;
		case '\r': e[1] = 'r'; break;
		default:
			if (c < 0x20 || c >= 0x7f || (blanks && c == ' ')) {
				e[1] = 'x', e[2] = hex[c >> 4], e[3] = hex[c & 15];
				el = 4;
			} else {
				e[0] = (char)c;
				el = 1;
			}
		}
		need += el;
		if (cap && o + el < cap) {
			memcpy(out + o, e, el);
			o += el;
		} else if (cap) {
			cap = o + 1; /* stop here: never half an escape */
		}
	}
	if (cap)
		out[o] = 0;
	return need;
}

/* Control bytes left in a formatted line, escaped (\xHH): a deliberate
 * guard behind the per-value escaping. */
static size_t guard(const char *in, size_t n, char *out, size_t cap)
{
	size_t o = 0, i;

	for (i = 0; i < n && o + 4 < cap; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c >= 0x20 && c != 0x7f)
			out[o++] = (char)c;
		else if (strfmt_add(out, cap, &o, "\\x%02x", c) < 0)
			break; /* never: o + 4 < cap */
	}
	if (i < n && o >= 3) /* cut: marked, as probe_log marks its own cut */
		memcpy(out + o - 3, "...", 3);
	return o;
}

void probe_log(struct probe *p, const char *fmt, ...)
{
	char raw[PROBE_LINE_MAX], line[PROBE_LINE_MAX + 8];
	va_list ap;
	size_t n, len;

	va_start(ap, fmt);
	n = vstrfmt_show(raw, sizeof(raw), fmt, ap); /* a line has a size: a cut is marked */
	va_end(ap);
	len = guard(raw, n, line, sizeof(line) - 1);
	line[len++] = '\n';
	if (p->rec.record_fd >= 0 && write(p->rec.record_fd, line, len) < 0)
		p->rec.failures++;
	if (p->rec.kmsg_fd >= 0) {
		char k[sizeof(line) + 8];
		memcpy(k, "probe: ", 7);
		memcpy(k + 7, line, len);
		if (write(p->rec.kmsg_fd, k, len + 7) < 0)
			p->rec.failures++;
	}
	if (p->set.explain)
		fwrite(line, 1, len, stdout);
}

void probe_hex(const uint8_t *b, unsigned len, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < len; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * len] = 0;
}

void probe_log_decision(struct probe *p, const struct rule *ru, const struct match *m, uint64_t t,
			uint64_t xfer0, uint64_t cpu0, const char *how)
{
	char ev[PROBE_VALUE_MAX * 4 + 64] = "", cpu[LABEL_MAX] = "";

	if (m->i2c && m->driver[0]) { /* bound: the driver that held the part */
		strfmt_show(ev, sizeof(ev), " bus=%d addr=0x%02x driver=%s", m->bus, m->addr,
			    m->driver); /* a sysfs directory entry: no blank */
	} else if (m->i2c) {
		char hx[2 * I2C_ID_MAX + 1];
		probe_hex(m->bytes, m->len, hx);
		strfmt_show(ev, sizeof(ev), " bus=%d addr=0x%02x reg=0x%0*x read=%s", m->bus,
			    m->addr, m->regbits == 16 ? 4 : 2, m->reg, m->len ? hx : "ack");
	} else if (m->value_len) {
		char esc[PROBE_VALUE_MAX * 4];
		/* the kept value, escaped; one longer than PROBE_VALUE_MAX - 1 is
		 * shown cut, marked "..." (${value} refuses it) */
		probe_esc(m->value, strlen(m->value), esc, sizeof(esc), false);
		strfmt_show(ev, sizeof(ev), " value=\"%s%s\"", esc,
			    m->value_len >= sizeof(m->value) ? "..." : "");
	}
	/* cpu_ms: what the probe itself ran (its own CPU time; the transfers run
	 * in the workers), against ms, the wall clock, which also holds the
	 * waits for the kernel and for other tasks on the CPU */
	if (p->ops->cpu_us)
		strfmt_show(cpu, sizeof(cpu), " cpu_ms=%.1f",
			    (double)(p->ops->cpu_us(p->ops->ctx) - cpu0) / 1000.0);
	/* ms last: the QEMU runner reads "ms=" at the end of the line */
	probe_log(p, "decide class=%s rule=%s line=%d%s%s xfer_ms=%.1f%s ms=%.1f", ru->cls,
		  ru->name, ru->line, how, ev, (double)(p->run.xfer_us - xfer0) / 1000.0, cpu,
		  probe_ms_since(p, t));
}

/* The record and /dev/kmsg; in a real pass the exported facts start empty
 * (a dry run leaves the facts of an earlier pass alone and writes no file
 * but the record). */
void probe_record_open(struct probe *p)
{
	int fd;

	p->rec.kmsg_fd = probe_open(p, "dev/kmsg", O_WRONLY | O_NONBLOCK);
	p->rec.record_fd = probe_open_out(p, p->set.record_path, O_TRUNC);
	if (p->rec.record_fd < 0)
		probe_log(p, "fault file=/%s status=error:%s", p->set.record_path,
			  strerror(-p->rec.record_fd));
	if (p->set.dry_run)
		return;
	if ((fd = probe_open_out(p, p->set.facts_path, O_TRUNC)) >= 0)
		close(fd);
	else
		probe_log(p, "fault file=/%s status=error:%s", p->set.facts_path, strerror(-fd));
}

void probe_record_close(struct probe *p)
{
	if (p->rec.record_fd >= 0)
		close(p->rec.record_fd);
	if (p->rec.kmsg_fd >= 0)
		close(p->rec.kmsg_fd);
	p->rec.record_fd = p->rec.kmsg_fd = -1;
}
