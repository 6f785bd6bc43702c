/* avbtest - a test helper over mkbootimg/avb.h, built only for the tests
 * (out/avbtest, `make avbtest`): it makes AVB-footed images with a test key so
 * shell tests can check them with openssl and sha256sum, and it stands in for
 * avbtool behind tests/avbtool-standin.
 *
 *   avbtest add_hash_footer --image F --partition_name N --partition_size P
 *           [--key K.pem] [--algorithm A] [--salt HEX] [--prop K:V]...
 *           [--rollback_index N] [--do_not_append_vbmeta_image]
 *           [--output_vbmeta_image OUT]
 *       avbtool's flags and behaviour for these (the image is changed in
 *       place; a footer already there is dropped first), except that the
 *       partition only needs room for this vbmeta, not for 64 KiB of it.
 *   avbtest resign --image AVBIMG --data NEW -o OUT [--key K] [--algorithm A]
 *           [--partition_name N]
 *       OUT = NEW followed by AVBIMG's vbmeta rebuilt for NEW and a footer,
 *       at AVBIMG's size (what a repack does).
 *   avbtest verify --image F [--partition_name N]
 *       every check, one line each; exit 0 when none failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/fileio.h"
#include "mkbootimg/avb.h"
#include "mkbootimg/avb_crypto.h"

enum {
	O_IMAGE = 1,
	O_NAME,
	O_PSIZE,
	O_KEY,
	O_ALG,
	O_SALT,
	O_PROP,
	O_ROLLBACK,
	O_NO_APPEND,
	O_OUT_VBMETA,
	O_DATA,
	O_OUTPUT,
};

static const struct opt opts[] = {
    {"image", 0, true, O_IMAGE},
    {"partition_name", 0, true, O_NAME},
    {"partition_size", 0, true, O_PSIZE},
    {"key", 0, true, O_KEY},
    {"algorithm", 0, true, O_ALG},
    {"salt", 0, true, O_SALT},
    {"prop", 0, true, O_PROP},
    {"rollback_index", 0, true, O_ROLLBACK},
    {"do_not_append_vbmeta_image", 0, false, O_NO_APPEND},
    {"output_vbmeta_image", 0, true, O_OUT_VBMETA},
    {"data", 0, true, O_DATA},
    {"output", 'o', true, O_OUTPUT},
    {0},
};

#define MAX_PROPS 32

struct args {
	const char *image, *name, *key, *alg, *out_vbmeta, *data, *output;
	uint64_t psize, rollback;
	bool no_append;
	uint8_t salt[256];
	size_t salt_len;
	bool salt_given;
	struct avb_prop props[MAX_PROPS];
	unsigned nprops;
};

static void parse_hex(struct args *a, const char *s)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > sizeof(a->salt))
		die(EXIT_USAGE, "--salt: \"%s\" is not an even number of hex digits (at most 512)",
		    s);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			die(EXIT_USAGE, "--salt: \"%s\" is not hex", s);
		a->salt[i] = (uint8_t)v;
	}
	a->salt_len = n / 2;
	a->salt_given = true;
}

static void add_prop(struct args *a, const char *arg)
{
	char *s = strdup(arg), *colon = s ? strchr(s, ':') : NULL;

	if (!colon || a->nprops >= MAX_PROPS)
		die(EXIT_USAGE, "--prop: \"%s\" is not KEY:VALUE (or too many)", s);
	*colon = 0;
	a->props[a->nprops++] = (struct avb_prop){s, colon + 1};
}

static void parse(struct args *a, int argc, char **argv)
{
	struct opt_state s;
	int id;

	memset(a, 0, sizeof(*a));
	opt_begin(&s, argc, argv, opts);
	while ((id = opt_next(&s)) >= 0) {
		switch (id) {
		case O_IMAGE: a->image = s.arg; break;
		case O_NAME: a->name = s.arg; break;
		case O_PSIZE:
			if (parse_size(s.arg, &a->psize))
				die(EXIT_USAGE, "--partition_size: bad size \"%s\"", s.arg);
			break;
		case O_KEY: a->key = s.arg; break;
		case O_ALG: a->alg = s.arg; break;
		case O_SALT: parse_hex(a, s.arg); break;
		case O_PROP: add_prop(a, s.arg); break;
		case O_ROLLBACK:
			a->rollback = opt_u64("--rollback_index", s.arg, UINT64_MAX);
			break;
		case O_NO_APPEND: a->no_append = true; break;
		case O_OUT_VBMETA: a->out_vbmeta = s.arg; break;
		case O_DATA: a->data = s.arg; break;
		case O_OUTPUT: a->output = s.arg; break;
		default: die(EXIT_USAGE, "unexpected argument \"%s\"", s.arg);
		}
	}
	if (!a->image)
		die(EXIT_USAGE, "--image is required");
}

static struct avb_key *load_key(const char *path)
{
	struct avb_key *k = NULL;
	struct diag d;

	if (path && avb_key_load(path, &k, &d))
		die_diag(path, &d);
	return k;
}

/* Write the spans of a footer plan at fd's position. */
static void write_plan(int fd, const struct avb_footer_plan *p, const char *path)
{
	for (unsigned i = 0; i < p->nspan; i++) {
		const struct avb_span *s = &p->span[i];
		int r = s->mem ? write_all(fd, s->mem, (size_t)s->len) : write_zeros(fd, s->len);

		if (r)
			die(EXIT_BAD, "%s: writing: %s", path, strerror(-r));
	}
}

static void random_salt(struct args *a)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	a->salt_len = 32;
	if (fd < 0 || read(fd, a->salt, a->salt_len) != (ssize_t)a->salt_len)
		die(EXIT_BAD, "/dev/urandom: %s", strerror(errno));
	close(fd);
}

static int add_hash_footer(struct args *a)
{
	struct avb_new o = {.partition = a->name,
			    .rollback_index = a->rollback,
			    .props = a->props,
			    .nprops = a->nprops,
			    .algorithm = a->alg};
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	struct avb_footer_plan plan;
	struct avb_key *key;
	struct avb_image ai;
	struct diag d;
	struct stat st;
	int fd = open(a->image, O_RDWR | O_CLOEXEC), len;

	if (!a->name)
		die(EXIT_USAGE, "--partition_name is required");
	if (fd < 0 || fstat(fd, &st))
		die(EXIT_BAD, "%s: %s", a->image, strerror(errno));
	/* An image that has a footer already: start again from its data. */
	if (!avb_image_load(fd, (uint64_t)st.st_size, &ai, &d) && ai.has_footer &&
	    ftruncate(fd, (off_t)ai.footer.original_image_size))
		die(EXIT_BAD, "%s: %s", a->image, strerror(errno));
	avb_image_free(&ai);
	fstat(fd, &st);
	if (!a->salt_given)
		random_salt(a);
	o.salt = a->salt;
	o.salt_len = a->salt_len;
	key = load_key(a->key);
	o.key = key;
	len = avb_make_vbmeta(&o, fd, (uint64_t)st.st_size, vb, sizeof(vb), &d);
	if (len < 0)
		die_diag(a->image, &d);
	if (a->out_vbmeta && write_file_atomic(a->out_vbmeta, vb, (size_t)len, &d))
		die_diag(a->out_vbmeta, &d);
	if (!a->no_append) {
		if (avb_footer_plan((uint64_t)st.st_size, vb, (size_t)len, a->psize, &plan, &d))
			die_diag(a->image, &d);
		if (lseek(fd, st.st_size, SEEK_SET) < 0)
			die(EXIT_BAD, "%s: %s", a->image, strerror(errno));
		write_plan(fd, &plan, a->image);
	}
	avb_key_free(key);
	close(fd);
	return 0;
}

static int resign(struct args *a)
{
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	struct avb_footer_plan plan;
	struct avb_key *key = load_key(a->key);
	uint64_t isize, dsize;
	struct avb_image ai;
	struct outfile o;
	struct diag d;
	int ifd, dfd, len;

	if (!a->data || !a->output)
		die(EXIT_USAGE, "resign needs --data and -o");
	if (file_open_ro(a->image, &ifd, &isize, &d))
		die_diag(a->image, &d);
	if (file_open_ro(a->data, &dfd, &dsize, &d))
		die_diag(a->data, &d);
	if (avb_image_load(ifd, isize, &ai, &d))
		die_diag(a->image, &d);
	len = avb_rebuild(&ai.vb, a->name, dfd, dsize, key, a->alg, vb, sizeof(vb), &d);
	if (len < 0 || avb_footer_plan(dsize, vb, (size_t)len, isize, &plan, &d))
		die_diag(a->output, &d);
	if (outfile_open(&o, a->output, (int[]){ifd, dfd}, 2, &d))
		die_diag(a->output, &d);
	if (copy_range(dfd, 0, dsize, o.fd))
		die(EXIT_BAD, "%s: copying", a->output);
	write_plan(o.fd, &plan, a->output);
	if (outfile_commit(&o, &d))
		die_diag(a->output, &d);
	if (!key)
		warnmsg("%s: not signed again: the signature is stale", a->output);
	avb_image_free(&ai);
	avb_key_free(key);
	close(ifd);
	close(dfd);
	return 0;
}

static void line(const char *what, const struct avb_check *c)
{
	printf("%s: %s%s%s\n", what, avb_status_name(c->status), c->why[0] ? ": " : "", c->why);
}

static int verify(struct args *a)
{
	struct avb_report r;
	struct diag d;
	uint64_t size;
	int fd;

	if (file_open_ro(a->image, &fd, &size, &d))
		die_diag(a->image, &d);
	if (avb_verify_file(fd, size, a->name, &r, &d))
		die_diag(a->image, &d);
	line("footer", &r.footer);
	line("vbmeta", &r.vbmeta);
	line("vbmeta hash", &r.vbmeta_hash);
	line("signature", &r.signature);
	line("digest", &r.digest);
	close(fd);
	return avb_report_ok(&r) ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct args a;

	cli_init(argv[0]);
	if (argc < 2)
		die(EXIT_USAGE, "usage: avbtest add_hash_footer|resign|verify --image F ...");
	parse(&a, argc - 1, argv + 1);
	if (!strcmp(argv[1], "add_hash_footer"))
		return add_hash_footer(&a);
	if (!strcmp(argv[1], "resign"))
		return resign(&a);
	if (!strcmp(argv[1], "verify"))
		return verify(&a);
	die(EXIT_USAGE, "unknown command \"%s\"", argv[1]);
}
