#include "tests/unit/testimg.h"

#include <criterion/criterion.h>
#include <lz4frame.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkbootimg/bootimg.h"
#include "mkbootimg/imgwrite.h"

struct blob yes_blob(const char *word, size_t n)
{
	struct blob b = {malloc(n ? n : 1), n};
	size_t wl = strlen(word);

	for (size_t i = 0; i < n; i++)
		b.p[i] = i % (wl + 1) == wl ? '\n' : (uint8_t)word[i % (wl + 1)];
	return b;
}

static struct blob plan_to_blob(struct image_plan *p)
{
	FILE *f = tmpfile();
	struct blob b = {0};
	long n;

	image_plan_layout(p, NULL);
	p->hdr = calloc(1, p->img.header_len);
	if (!f || image_write(p, fileno(f), NULL))
		abort();
	n = lseek(fileno(f), 0, SEEK_END);
	b.n = (size_t)n;
	b.p = malloc(b.n);
	if (pread(fileno(f), b.p, b.n, 0) != (ssize_t)b.n)
		abort();
	fclose(f);
	free(p->hdr);
	return b;
}

/* Blobs made by yes_blob() for the image being built, freed after it. */
static uint8_t *owned[16];
static unsigned nowned;

static void add(struct image_plan *p, enum bootimg_part part, struct blob b)
{
	section_add(&p->src[part], (struct piece){.mem = b.p, .len = b.n}, NULL);
}

static void add_owned(struct image_plan *p, enum bootimg_part part, struct blob b)
{
	owned[nowned++] = b.p;
	add(p, part, b);
}

static void boot_common(struct image_plan *p, uint32_t version, const char *cmdline)
{
	static const uint32_t hs[] = {BOOT_HDR_V0_SIZE, BOOT_HDR_V1_SIZE, BOOT_HDR_V2_SIZE,
				      BOOT_HDR_V3_SIZE, BOOT_HDR_V4_SIZE};
	struct bootimg *g = &p->img;

	g->kind = BOOTIMG_BOOT;
	g->version = g->version_field = version;
	g->header_size = hs[version];
	g->page_size = version >= 3 ? 4096 : 2048;
	g->kernel_addr = 0x10008000;
	g->ramdisk_addr = 0x11000000;
	g->tags_addr = 0x10000100;
	g->dtb_addr = 0x11f00000;
	bootimg_set_cmdline(g, cmdline, strlen(cmdline), NULL);
	add_owned(p, BP_KERNEL, yes_blob("KERNEL", 5000));
	add_owned(p, BP_RAMDISK, yes_blob("RAMDISK", 3000));
	p->id_mode = version <= 2 ? ID_SHA1 : ID_KEEP;
}

static void vendor_v4(struct image_plan *p)
{
	static uint8_t table[3 * VENDOR_RAMDISK_ENTRY_SIZE];
	struct vendor_ramdisk_entry e[3] = {
	    {.size = 2500, .offset = 0, .type = VENDOR_RAMDISK_TYPE_PLATFORM},
	    {.size = 1234,
	     .offset = 2500,
	     .type = VENDOR_RAMDISK_TYPE_DLKM,
	     .name = "dlkm",
	     .board_id = {0x6572}},
	    {.size = 777, .offset = 3734, .type = VENDOR_RAMDISK_TYPE_RECOVERY, .name = "recovery"},
	};
	const char *bc = "androidboot.hardware=mt6572\nandroidboot.console=ttyMT0\n";
	struct bootimg *g = &p->img;

	g->kind = BOOTIMG_VENDOR;
	g->version = g->version_field = 4;
	g->header_size = VENDOR_HDR_V4_SIZE;
	g->page_size = 4096;
	g->kernel_addr = 0x40008000;
	g->ramdisk_addr = 0x41000000;
	g->tags_addr = 0x40000100;
	g->dtb_addr = 0x41f00000;
	strcpy((char *)g->cmdline, "androidboot.hardware=mt6572");
	strcpy((char *)g->name, "MT6572");
	g->table_entry_num = 3;
	g->table_entry_size = VENDOR_RAMDISK_ENTRY_SIZE;
	add_owned(p, BP_VENDOR_RAMDISK, yes_blob("VRAMDISK", 2500));
	add_owned(p, BP_VENDOR_RAMDISK, yes_blob("VRD1", 1234));
	add_owned(p, BP_VENDOR_RAMDISK, yes_blob("VRD2", 777));
	add_owned(p, BP_DTB, yes_blob("DTB", 700));
	vendor_table_encode(e, 3, table);
	add(p, BP_TABLE, (struct blob){table, sizeof(table)});
	add(p, BP_BOOTCONFIG, (struct blob){(uint8_t *)(uintptr_t)bc, strlen(bc)});
}

struct blob build_vector(const char *name)
{
	struct image_plan *p = calloc(1, sizeof(*p));
	const char *mtk_cmdline = "console=ttyMT0,921600n1 androidboot.hardware=mt6572";
	struct blob b;

	if (!strcmp(name, "v0.img")) {
		boot_common(p, 0, mtk_cmdline);
		strcpy((char *)p->img.name, "MT6572");
	} else if (!strcmp(name, "v2.img")) {
		boot_common(p, 2, "console=ttyMT0,921600n1");
		bootimg_os_version_parse("10.0.0", &p->img.os_version);
		uint32_t patch;
		bootimg_os_patch_parse("2020-03", &patch);
		p->img.os_version = p->img.os_version << 11 | patch;
		add_owned(p, BP_DTB, yes_blob("DTB", 700));
	} else if (!strcmp(name, "v3.img") || !strcmp(name, "v4.img")) {
		unsigned v = name[1] - '0';
		uint32_t ver, patch;

		boot_common(p, v, "console=ttyMT0");
		bootimg_os_version_parse(v == 3 ? "11.0.0" : "12.0.0", &ver);
		bootimg_os_patch_parse(v == 3 ? "2021-01" : "2022-02", &patch);
		p->img.os_version = ver << 11 | patch;
	} else {
		vendor_v4(p);
	}
	b = plan_to_blob(p);
	while (nowned)
		free(owned[--nowned]);
	free(p);
	return b;
}

void blob_sha256(const struct blob *b, char out[65])
{
	unsigned char md[32];
	unsigned int n = 32;

	EVP_Digest(b->p, b->n, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

int vector_sha256(const char *name, char out[65])
{
	FILE *f = fopen("tests/data/aosp-public.tsv", "r");
	char line[2048];
	int r = -1;

	while (f && fgets(line, sizeof(line), f)) {
		char n[64], size[32], sha[80];

		if (line[0] == '#' ||
		    sscanf(line, "%63[^\t]\t%31[^\t]\t%79[^\t]", n, size, sha) != 3)
			continue;
		if (!strcmp(n, name)) {
			memcpy(out, sha, 64);
			out[64] = 0;
			r = 0;
		}
	}
	if (f)
		fclose(f);
	return r;
}

const char *blob_to_file(const struct blob *b, const char *name)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "out/unit-tmp/%s", name);
	mkdir("out/unit-tmp", 0755);
	f = fopen(path, "wb");
	if (!f || fwrite(b->p, 1, b->n, f) != b->n)
		abort();
	fclose(f);
	return path;
}

struct blob test_zip(enum comp c, const uint8_t *in, size_t n)
{
	struct blob b;

	if (c == COMP_LZ4_FRAME) {
		size_t cap = LZ4F_compressFrameBound(n, NULL);
		b.p = malloc(cap);
		b.n = LZ4F_compressFrame(b.p, cap, in, n, NULL);
		cr_assert(!LZ4F_isError(b.n));
	} else {
		struct mem_sink ms;
		struct zsink *zs;
		mem_sink_init(&ms);
		cr_assert_eq(zsink_new(c, comp_default_level(c), &ms.s, &zs), 0, "%s",
			     comp_name(c));
		cr_assert_eq(zsink_sink(zs)->write(zsink_sink(zs)->ctx, in, n), 0);
		cr_assert_eq(zsink_finish(zs), 0);
		zsink_free(zs);
		b.p = ms.buf;
		b.n = ms.len;
	}
	return b;
}
