/* bootimg unpack: take an image apart into files and a manifest, all
 * written to temporary files and committed together (an error leaves
 * nothing under a final name), so that `bootimg repack DIR` can put it back
 * byte for byte. Into DIR:
 *
 *   wrapper.bin           a pre-header (DHTB, BLOB...) as stored, when there is one
 *   header.bin            the header page(s) exactly as stored
 *   kernel, ramdisk, ...  each section's payload, MediaTek header stripped
 *   kernel.dtb            DTBs appended to the kernel, split off it
 *   kernel.mtk, ...       the 512-byte MediaTek header, when there was one
 *   ramdisk.slack, ...    bytes the header counts after an MTK payload
 *   kernel.pad, ...       the section's padding, only when it is not all zero
 *   vendor_ramdiskNN      vendor_boot v4: one file per ramdisk table entry
 *   vendor_ramdisk_table  vendor_boot v4: the table as stored
 *   trailer.bin           whatever follows the last section
 *   manifest              what repack needs (manifest.h)
 *   ramdisk.d/, ramdisk.spec   with --tree: the ramdisk's files and its exact
 *                         spec (rdtree.h), written after the rest is committed
 *
 * A damaged image (cut short, MTK dsize off) is unpacked with what is there,
 * with a warning for each damage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/strfmt.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/image.h"
#include "mkbootimg/manifest.h"
#include "mkbootimg/rdtree.h"
#include "mkbootimg/tools/common.h"
#include "mkbootimg/tools/verbs.h"

struct unpack {
	const struct image *im;
	bool decompress_kernel;
	struct outset out;
	struct manifest m;
};

/* dst = base followed by suffix ("ramdisk" ".mtk"). */
static void name_of(char *dst, const char *base, const char *suffix)
{
	char buf[MANIFEST_NAME_MAX + 16];

	if (strfmt(buf, sizeof(buf), "%s%s", base, suffix) < 0 || manifest_set_name(dst, buf) < 0)
		die(EXIT_BAD, "internal: file name \"%s\" too long", buf);
}

/* A range of the image into a file of the folder, and its manifest entry. */
static void save(struct unpack *u, struct mf_file *f, uint64_t off, uint64_t len)
{
	int r;

	outset_range(&u->out, f->name, u->im->fd, off, len);
	f->size = len;
	if ((r = sha256_range(u->im->fd, off, len, f->sha256)) < 0)
		die(EXIT_BAD, "%s: reading %s: %s", u->im->path, f->name, strerror(-r));
}

static void save_part(struct unpack *u, enum bootimg_part part)
{
	const struct image_part *p = &u->im->part[part];
	struct mf_part *mp = &u->m.part[part];
	const char *name = bootimg_part_name(part);

	mp->present = true;
	name_of(mp->data.name, name, "");
	if (part == BP_KERNEL && p->appended_dtbs) { /* the DTBs on their own: kernel.dtb */
		save(u, &mp->data, p->data_off, p->appended_dtb_at);
		name_of(mp->dtb.name, name, ".dtb");
		save(u, &mp->dtb, p->data_off + p->appended_dtb_at,
		     p->data_len - p->appended_dtb_at);
	} else {
		save(u, &mp->data, p->data_off, p->data_len);
	}
	if (p->has_mtk) {
		name_of(mp->mtk, name, ".mtk");
		outset_mem(&u->out, mp->mtk, p->mtk_raw, MTK_HDR_SIZE);
	}
	if (p->slack_len) {
		name_of(mp->slack, name, ".slack");
		outset_range(&u->out, mp->slack, u->im->fd, p->slack_off, p->slack_len);
	}
	if (p->pad_nonzero) {
		name_of(mp->pad, name, ".pad");
		outset_range(&u->out, mp->pad, u->im->fd, p->s->offset + p->s->size, p->pad_avail);
	}
}

/* vendor_boot v4 fragments can be split into files when the table entries
 * tile the section in order (and the section is whole); otherwise the
 * section stays one file. */
static bool fragments_tile(const struct image *im)
{
	const struct image_part *vr = &im->part[BP_VENDOR_RAMDISK];
	uint64_t pos = 0;

	for (unsigned i = 0; i < im->nvrd; i++) {
		if (im->vrd[i].offset != pos)
			return false;
		pos += im->vrd[i].size;
	}
	return im->nvrd && pos == im->img.vendor_ramdisk_size && !vr->pad_nonzero &&
	       vr->avail == vr->s->size;
}

static void save_fragments(struct unpack *u)
{
	const struct image *im = u->im;
	const struct bootimg_section *s = im->part[BP_VENDOR_RAMDISK].s;

	for (unsigned i = 0; i < im->nvrd; i++) {
		char name[32];

		strfmt_show(name, sizeof(name), "vendor_ramdisk%02u", i); /* fits: i < 64 */
		name_of(u->m.frag[i].name, name, "");
		save(u, &u->m.frag[i], s->offset + im->vrd[i].offset, im->vrd[i].size);
	}
	u->m.nfrag = im->nvrd;
	u->m.part[BP_VENDOR_RAMDISK].present = true;
}

static void save_sections(struct unpack *u)
{
	const struct image *im = u->im;
	bool tiles = im->img.kind == BOOTIMG_VENDOR && im->img.version >= 4 && fragments_tile(im);

	for (unsigned i = 0; i < im->img.nsect; i++) {
		enum bootimg_part p = im->img.sect[i].part;

		u->m.order[u->m.nparts++] = p;
		if (p == BP_VENDOR_RAMDISK && tiles) {
			save_fragments(u);
		} else if (p == BP_TABLE) {
			const struct image_part *tp = &im->part[BP_TABLE];

			name_of(u->m.table, "vendor_ramdisk_table", "");
			outset_range(&u->out, u->m.table, im->fd, tp->s->offset, tp->s->size);
			if (tp->pad_nonzero) {
				name_of(u->m.table_pad, "vendor_ramdisk_table.pad", "");
				outset_range(&u->out, u->m.table_pad, im->fd,
					     tp->s->offset + tp->s->size, tp->pad_avail);
			}
		} else {
			save_part(u, p);
		}
	}
}

static void save_trailer(struct unpack *u)
{
	const struct trailer *t = &u->im->tr;

	if (!t->size)
		return;
	name_of(u->m.trailer, "trailer.bin", "");
	outset_range(&u->out, u->m.trailer, u->im->fd, t->start, t->size);
	u->m.trailer_kind = MF_TRAILER_DATA;
	if (t->n == 1 && t->item[0].kind == TR_ZERO)
		u->m.trailer_kind = MF_TRAILER_PAD00;
	else if (t->n == 1 && t->item[0].kind == TR_FF)
		u->m.trailer_kind = MF_TRAILER_PADFF;
}

/* The decoded kernel, for reading (objdump, strings): an extra file, written
 * as it is decoded. */
static int write_piece(void *ctx, const uint8_t *p, size_t n)
{
	return write_all(*(const int *)ctx, p, n);
}

static void save_vmlinux(struct unpack *u)
{
	const struct image_part *p = &u->im->part[BP_KERNEL];
	struct kernel_info ki;
	struct diag d;
	int fd;

	if (!p->s)
		die(EXIT_BAD, "%s: the kernel: none", u->im->path);
	fd = outset_add(&u->out, "kernel.vmlinux");
	if (kernel_inspect(u->im->fd, p->data_off,
			   p->appended_dtbs ? p->appended_dtb_at : p->data_len, &ki, NULL, NULL,
			   write_piece, &fd, &d) < 0)
		die(EXIT_BAD, "%s: the kernel: %s", u->im->path, d.msg);
	if (!ki.decoded)
		die(EXIT_BAD, "%s: no compressed kernel payload found to decode", u->im->path);
}

static void unpack(struct unpack *u, const char *dir)
{
	const struct image *im = u->im;
	uint64_t hlen = im->img.header_len;
	char *text;
	size_t len;

	u->m.kind = im->img.kind;
	u->m.size = im->size;
	u->m.has_id = im->has_id;
	u->m.id_sha256 = im->id_sha256;
	u->m.id_ok = im->id_ok;
	outset_begin(&u->out, dir, &im->fd, 1);
	if (im->wrap.kind != WRAP_NONE) {
		name_of(u->m.wrapper, "wrapper.bin", "");
		u->m.wrapper_kind = im->wrap.kind;
		outset_mem(&u->out, u->m.wrapper, im->wrap_raw, im->wrap.size);
	}
	name_of(u->m.header.name, "header.bin", "");
	if (hlen > im->size - im->wrap.size)
		hlen = im->size - im->wrap.size;
	save(u, &u->m.header, im->wrap.size, hlen);
	u->m.header_summed = true;
	save_sections(u);
	save_trailer(u);
	if (manifest_format(&u->m, &text, &len) < 0)
		die(EXIT_BAD, "out of memory");
	outset_mem(&u->out, MANIFEST_NAME, text, len);
	if (u->decompress_kernel)
		save_vmlinux(u);
	free(text);
	outset_commit(&u->out, false);
}

static const char unpack_usage[] =
    "usage: bootimg unpack IMAGE DIR [--decompress-kernel] [--tree]\n"
    "  --decompress-kernel   also write the kernel's decoded payload as\n"
    "                        DIR/kernel.vmlinux (not used by repack)\n"
    "  --tree                also extract the ramdisk into DIR/ramdisk.d with\n"
    "                        its exact spec DIR/ramdisk.spec (owners, modes,\n"
    "                        nodes, links, order: no root needed); repack DIR\n"
    "                        rebuilds the ramdisk from them when they changed\n";

/* --tree: the ramdisk read and checked before anything is written. */
static void tree_prepare(struct rdtree *t, const struct image *im, const char *dir,
			 struct manifest *m)
{
	const struct image_part *p = &im->part[BP_RAMDISK];
	const char *names[] = {RDTREE_DIR, RDTREE_SPEC};
	struct diag d;
	struct stat st;

	if (im->img.kind != BOOTIMG_BOOT || !p->s || !p->data_len)
		die(EXIT_BAD, "%s: --tree: %s", im->path,
		    im->img.kind != BOOTIMG_BOOT
			? "a vendor_boot image: extract its ramdisk files with 'ramdisk extract "
			  "--spec'"
			: "the image has no ramdisk");
	for (unsigned i = 0; i < 2; i++) {
		char path[PATH_MAX];
		if (strfmt(path, sizeof(path), "%s/%s", dir, names[i]) < 0)
			die(EXIT_BAD, "%s: path too long", dir);
		if (!lstat(path, &st))
			die(EXIT_BAD, "%s: already there: --tree unpacks into a folder without it",
			    path);
	}
	if (rdtree_read(t, im->fd, p->data_off, p->data_len, &d) < 0)
		die_diag(im->path, &d);
	m->has_tree = true;
	if (manifest_set_name(m->tree_dir, RDTREE_DIR) < 0 ||
	    manifest_set_name(m->tree.name, RDTREE_SPEC) < 0)
		die(EXIT_BAD, "internal: tree names");
	m->tree.size = t->raw_size;
	memcpy(m->tree.sha256, t->raw_sha256, sizeof(m->tree.sha256));
}

int cmd_bootimg_unpack(int argc, char **argv)
{
	enum { U_ARG, U_DECOMP, U_HELP, U_TREE };
	static const struct opt o[] = {{"decompress_kernel", 0, false, U_DECOMP},
				       {"tree", 0, false, U_TREE},
				       {"help", 'h', false, U_HELP},
				       {0}};
	const char *pos[2] = {NULL, NULL};
	bool decomp = false, tree = false;
	struct rdtree t;
	struct opt_state s;
	static struct unpack run;
	struct unpack *u;
	struct image im;
	unsigned npos = 0;
	int id;

	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		if (id == U_HELP)
			return fputs(unpack_usage, stdout), 0;
		if (id == U_DECOMP)
			decomp = true;
		else if (id == U_TREE)
			tree = true;
		else if (npos < 2)
			pos[npos++] = s.arg;
		else
			die(EXIT_USAGE, "%s", unpack_usage);
	}
	if (npos != 2)
		die(EXIT_USAGE, "%s", unpack_usage);
	image_load_or_die(&im, pos[0]);
	for (unsigned i = 0; i < im.nwarn; i++)
		warnmsg("%s: %s", pos[0], im.warn[i]);
	u = &run; /* static: an error exit below leaves nothing the leak check calls lost */
	u->im = &im;
	u->decompress_kernel = decomp;
	if (tree)
		tree_prepare(&t, &im, pos[1], &u->m);
	unpack(u, pos[1]);
	printf("%s: unpacked into %s (%u sections%s%s)\n", pos[0], pos[1], im.img.nsect,
	       im.tr.size ? ", trailer" : "", im.nwarn ? ", damaged: see the warnings" : "");
	if (tree) {
		struct diag d;
		if (rdtree_extract(&t, pos[1], im.fd, &d) < 0) {
			diag_prefix(&d, "the other files are in %s, the tree is not", pos[1]);
			die_diag(pos[0], &d);
		}
		printf("%s/" RDTREE_SPEC
		       ": %zu entries, compression %s; the files in %s/" RDTREE_DIR "\n",
		       pos[1], t.rd.n, t.comp, pos[1]);
		rdtree_free(&t);
	}
	image_free(&im);
	return 0;
}
