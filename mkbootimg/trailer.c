#include "mkbootimg/trailer.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/fileio.h"

const char *trailer_kind_name(enum trailer_kind k)
{
	static const char *const n[] = {
	    "zero padding", "0xff padding", "SEANDROIDENFORCE", "AVB vbmeta",
	    "AVB footer",   "data",	    "LG bump",		"AVB vbmeta without an AVB footer"};
	return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

static int add(struct trailer *t, enum trailer_kind k, uint64_t off, uint64_t size)
{
	if (t->n >= TRAILER_MAX_ITEMS) {
		/* Too fragmented to describe: fold the rest into one data item. */
		struct trailer_item *last = &t->item[t->n - 1];

		last->kind = TR_DATA;
		last->size = off + size - last->offset;
		return 0;
	}
	t->item[t->n++] = (struct trailer_item){k, off, size};
	return 0;
}

/* Byte class for the trailer map. */
static enum trailer_kind byte_kind(uint8_t b)
{
	return b == 0 ? TR_ZERO : b == 0xff ? TR_FF : TR_DATA;
}

/* A run of padding this long inside data ends the data item. */
#define PAD_RUN_MIN 512

struct gap_state {
	enum trailer_kind open; /* kind of the item being built */
	uint64_t start;		/* where it began */
	enum trailer_kind pad;	/* inside data: kind of the trailing padding run */
	uint64_t pad_start;	/* and where that run began (== pos: none) */
};

static void gap_byte(struct trailer *t, struct gap_state *g, uint64_t pos, enum trailer_kind k)
{
	if (g->open != TR_DATA) {
		if (k != g->open) {
			add(t, g->open, g->start, pos - g->start);
			*g = (struct gap_state){k, pos, k, pos + 1};
		}
		return;
	}
	if (k == TR_DATA) {
		g->pad_start = pos + 1;
		return;
	}
	if (k != g->pad || g->pad_start > pos) {
		g->pad = k;
		g->pad_start = pos;
	}
	if (pos + 1 - g->pad_start >= PAD_RUN_MIN) {
		add(t, TR_DATA, g->start, g->pad_start - g->start);
		*g = (struct gap_state){k, g->pad_start, k, pos + 1};
	}
}

/* Split [off, off+len) into zero padding, 0xff padding and data; short
 * padding runs inside data stay part of it. */
static int classify_gap(int fd, struct trailer *t, uint64_t off, uint64_t len)
{
	uint8_t buf[8192];
	struct gap_state g;
	uint64_t pos = off;
	int r = read_at(fd, buf, 1, off);

	if (r)
		return r;
	g = (struct gap_state){byte_kind(buf[0]), off, byte_kind(buf[0]), off + 1};
	while (pos < off + len) {
		size_t n = (size_t)(off + len - pos < sizeof(buf) ? off + len - pos : sizeof(buf));

		r = read_at(fd, buf, n, pos);
		if (r)
			return r;
		for (size_t i = 0; i < n; i++)
			gap_byte(t, &g, pos + i, byte_kind(buf[i]));
		pos += n;
	}
	add(t, g.open, g.start, pos - g.start);
	return 0;
}

static void parse_avb(const uint8_t *f, struct trailer *t)
{
	t->avb.major = get_be32(f + 4);
	t->avb.minor = get_be32(f + 8);
	t->avb.original_image_size = get_be64(f + 12);
	t->avb.vbmeta_offset = get_be64(f + 20);
	t->avb.vbmeta_size = get_be64(f + 28);
	t->has_avb = true;
}

int trailer_scan(int fd, uint64_t start, uint64_t file_size, struct trailer *t, struct diag *d)
{
	uint8_t buf[AVB_FOOTER_SIZE];
	uint64_t pos = start, end = file_size;
	uint64_t vb_off = 0, vb_size = 0;
	int r;

	memset(t, 0, sizeof(*t));
	t->start = start;
	t->size = file_size > start ? file_size - start : 0;
	if (!t->size)
		return 0;
	if (t->size >= AVB_FOOTER_SIZE) {
		r = read_at(fd, buf, AVB_FOOTER_SIZE, file_size - AVB_FOOTER_SIZE);
		if (r)
			return diag_set(d, r, "reading the trailer: %s", strerror(-r));
		if (!memcmp(buf, "AVBf", 4)) {
			parse_avb(buf, t);
			end = file_size - AVB_FOOTER_SIZE;
			if (t->avb.vbmeta_offset >= start && t->avb.vbmeta_offset <= end &&
			    t->avb.vbmeta_size <= end - t->avb.vbmeta_offset) {
				vb_off = t->avb.vbmeta_offset;
				vb_size = t->avb.vbmeta_size;
			}
		}
	}
	if (t->size >= SEANDROID_LEN) {
		r = read_at(fd, buf, SEANDROID_LEN, start);
		if (r)
			return diag_set(d, r, "reading the trailer: %s", strerror(-r));
		if (!memcmp(buf, SEANDROID_MAGIC, SEANDROID_LEN) && start + SEANDROID_LEN <= end) {
			add(t, TR_SEANDROID, start, SEANDROID_LEN);
			pos += SEANDROID_LEN;
		} else if (!memcmp(buf, LGBUMP_MAGIC, LGBUMP_LEN) && start + LGBUMP_LEN <= end) {
			add(t, TR_LGBUMP, start, LGBUMP_LEN);
			pos += LGBUMP_LEN;
		}
	}
	if (vb_size && vb_off >= pos) {
		if (vb_off > pos && (r = classify_gap(fd, t, pos, vb_off - pos)))
			return diag_set(d, r, "reading the trailer: %s", strerror(-r));
		add(t, TR_VBMETA, vb_off, vb_size);
		pos = vb_off + vb_size;
	}
	if (end > pos && (r = classify_gap(fd, t, pos, end - pos)))
		return diag_set(d, r, "reading the trailer: %s", strerror(-r));
	if (t->has_avb)
		add(t, TR_AVB_FOOTER, file_size - AVB_FOOTER_SIZE, AVB_FOOTER_SIZE);
	else /* a vbmeta image whose footer is gone or damaged */
		for (unsigned i = 0; i < t->n; i++)
			if (t->item[i].kind == TR_DATA && t->item[i].size >= 4 &&
			    read_at(fd, buf, 4, t->item[i].offset) == 0 && !memcmp(buf, "AVB0", 4))
				t->item[i].kind = TR_VBMETA_NO_FOOTER;
	return 0;
}
