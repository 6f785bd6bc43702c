#include "mkbootimg/scatter.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/strfmt.h"

#define LINE_MAX_LEN  512
#define FLAT_NAME_MAX (SCATTER_NAME_MAX + 8) /* a flat line's name, "__NODL_" and all */
#define FLAT_ADDR_MAX 40

static int parse_num(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* A value kept only to be shown (strfmt.h): a long one is cut, marked. */
static void copy_field(char *dst, size_t cap, const char *src)
{
	strfmt_show(dst, cap, "%s", src);
}

/* One "key: value" line of the V1.x format. */
static int v1_line(struct scatter *s, char *line, unsigned ln, struct diag *d)
{
	char *colon, *key, *val;
	struct scatter_part *p = s->n ? &s->part[s->n - 1] : NULL;
	uint64_t v;

	if (line[0] == '-')
		line = trim(line + 1);
	colon = strchr(line, ':');
	if (!colon)
		return 0;
	*colon = 0;
	key = trim(line);
	val = trim(colon + 1);
	if (!strcmp(key, "partition_index")) {
		if (s->n >= SCATTER_MAX_PARTS)
			return diag_set(d, -E2BIG, "line %u: more than %d partitions", ln,
					SCATTER_MAX_PARTS);
		p = &s->part[s->n++];
		memset(p, 0, sizeof(*p));
		copy_field(p->index, sizeof(p->index), val);
		p->line = ln;
		return 0;
	}
	if (!p) {
		if (!strcmp(key, "config_version"))
			copy_field(s->config_version, sizeof(s->config_version), val);
		else if (!strcmp(key, "platform"))
			copy_field(s->platform, sizeof(s->platform), val);
		else if (!strcmp(key, "project"))
			copy_field(s->project, sizeof(s->project), val);
		else if (!strcmp(key, "storage"))
			copy_field(s->storage, sizeof(s->storage), val);
		return 0;
	}
	if (!strcmp(key, "partition_name")) {
		if (strfmt(p->name, sizeof(p->name), "%s", val) < 0)
			return diag_set(d, -EINVAL, "line %u: partition_name is too long", ln);
	} else if (!strcmp(key, "file_name")) {
		copy_field(p->file_name, sizeof(p->file_name), val);
	} else if (!strcmp(key, "region")) {
		copy_field(p->region, sizeof(p->region), val);
	} else if (!strcmp(key, "is_download")) {
		p->download = !strcasecmp(val, "true");
	} else if (!strcmp(key, "linear_start_addr") || !strcmp(key, "partition_size")) {
		if (parse_num(val, &v))
			return diag_set(d, -EINVAL, "line %u: %s \"%s\" is not a number", ln, key,
					val);
		if (key[0] == 'l') {
			p->start = v;
			p->bmt_encoded = (v >> 16) == 0xffff && !strcasecmp(p->name, "BMTPOOL");
		} else {
			p->size = v;
			p->size_known = true;
		}
	}
	return 0;
}

/* One line of the old flat format: "NAME 0xSTART", "{" or "}". */
static int flat_line(struct scatter *s, char *line, unsigned ln, struct diag *d)
{
	char name[FLAT_NAME_MAX], addr[FLAT_ADDR_MAX], extra;
	struct scatter_part *p;
	uint64_t v;
	int n;

	if (!strcmp(line, "{") || !strcmp(line, "}"))
		return 0;
	_Static_assert(FLAT_NAME_MAX == 72 && FLAT_ADDR_MAX == 40, "the widths below");
	n = sscanf(line, "%71s %39s %c", name, addr, &extra);
	if (n != 2)
		return diag_set(d, -EINVAL, "line %u: expected \"NAME 0xADDRESS\"", ln);
	if (parse_num(addr, &v))
		return diag_set(d, -EINVAL, "line %u: address \"%s\" is not a number", ln, addr);
	if (s->n >= SCATTER_MAX_PARTS)
		return diag_set(d, -E2BIG, "line %u: more than %d partitions", ln,
				SCATTER_MAX_PARTS);
	p = &s->part[s->n++];
	memset(p, 0, sizeof(*p));
	p->download = strncmp(name, "__NODL_", 7) != 0;
	if (strfmt(p->name, sizeof(p->name), "%s", name + (p->download ? 0 : 7)) < 0)
		return diag_set(d, -EINVAL, "line %u: partition name is too long", ln);
	p->start = v;
	p->bmt_encoded = (v >> 16) == 0xffff;
	p->line = ln;
	return 0;
}

/* Flat files carry no sizes: a partition ends where the next one starts. */
static void flat_sizes(struct scatter *s)
{
	for (unsigned i = 0; i + 1 < s->n; i++) {
		struct scatter_part *a = &s->part[i], *b = &s->part[i + 1];

		if (!a->bmt_encoded && !b->bmt_encoded && b->start > a->start) {
			a->size = b->start - a->start;
			a->size_known = true;
		}
	}
}

static bool is_v1(const char *text, size_t len)
{
	const char *needle = "partition_index";
	size_t nl = strlen(needle);

	for (size_t i = 0; i + nl <= len; i++)
		if (!memcmp(text + i, needle, nl))
			return true;
	return false;
}

int scatter_parse(const char *text, size_t len, struct scatter *s, struct diag *d)
{
	char line[LINE_MAX_LEN];
	unsigned ln = 0;
	size_t pos = 0;
	int r = 0;

	memset(s, 0, sizeof(*s));
	s->v1 = is_v1(text, len);
	while (pos < len && !r) {
		size_t e = pos, n;
		char *l, *hash;

		while (e < len && text[e] != '\n')
			e++;
		n = e - pos;
		ln++;
		if (n >= sizeof(line))
			return diag_set(d, -EINVAL, "line %u: longer than %d bytes", ln,
					LINE_MAX_LEN - 1);
		memcpy(line, text + pos, n);
		line[n] = 0;
		pos = e + 1;
		if (memchr(line, 0, n))
			return diag_set(d, -EINVAL, "line %u: NUL byte (not a text file?)", ln);
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		l = trim(line);
		if (!*l)
			continue;
		r = s->v1 ? v1_line(s, l, ln, d) : flat_line(s, l, ln, d);
	}
	if (r)
		return r;
	if (!s->n)
		return diag_set(d, -EINVAL, "no partitions found (not a scatter file?)");
	if (!s->v1)
		flat_sizes(s);
	return 0;
}

const struct scatter_part *scatter_find(const struct scatter *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strcasecmp(s->part[i].name, name) ||
		    (s->part[i].index[0] && !strcasecmp(s->part[i].index, name)))
			return &s->part[i];
	return NULL;
}
