#include "cmd_common.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "image.h"
#include "strfmt.h"

int inputs_open(struct inputs *in, const char *path, uint64_t *size)
{
	struct diag d;
	int fd;

	if (in->n >= INPUTS_MAX)
		die(EXIT_USAGE, "too many input files");
	if (file_open_ro(path, &fd, size, &d))
		die_diag(path, &d);
	in->fd[in->n++] = fd;
	return fd;
}

int inputs_open_at(struct inputs *in, int dirfd, const char *dir, const char *name, uint64_t *size)
{
	struct diag d;
	int fd;

	if (in->n >= INPUTS_MAX)
		die(EXIT_USAGE, "too many input files");
	if (file_open_ro_at(dirfd, name, &fd, size, &d))
		die(EXIT_BAD, "%s/%s: %s", dir, name, d.msg);
	in->fd[in->n++] = fd;
	return fd;
}

uint64_t inputs_add_file(struct inputs *in, struct section_src *s, const char *path)
{
	struct diag d;
	uint64_t size;
	int fd = inputs_open(in, path, &size);

	if (section_add(s, (struct piece){.fd = fd, .len = size}, &d))
		die_diag(path, &d);
	return size;
}

void inputs_close(struct inputs *in)
{
	for (unsigned i = 0; i < in->n; i++)
		close(in->fd[i]);
	in->n = 0;
}

void write_image_file(struct image_plan *plan, const char *path, const struct inputs *in)
{
	struct outfile o;
	struct diag d;

	if (outfile_open(&o, path, in->fd, in->n, &d))
		die_diag(path, &d);
	if (image_write(plan, o.fd, &d)) {
		outfile_abort(&o);
		die_diag(path, &d);
	}
	if (outfile_commit(&o, &d))
		die_diag(path, &d);
}

void image_load(struct image *im, const char *path)
{
	image_load_flags(im, path, 0);
}

void image_load_flags(struct image *im, const char *path, unsigned flags)
{
	struct diag d;

	if (image_try_load_flags(im, path, flags, &d))
		die_diag(path, &d);
}

/* ---- sets of outputs -------------------------------------------------------------- */

static void outset_abort(void *ctx)
{
	struct outset *s = ctx;

	while (s->n)
		outfile_abort(&s->o[--s->n]);
}

void outset_begin(struct outset *s, const char *dir, const int *in_fds, unsigned nin)
{
	struct diag d;

	memset(s, 0, sizeof(*s));
	s->dir = dir;
	s->in_fds = in_fds;
	s->nin = nin;
	if (mkdir_p(dir, &d))
		die_diag(dir, &d);
	if ((s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(EXIT_BAD, "%s: %s", dir, strerror(errno));
	cli_on_die(outset_abort, s);
}

int outset_add(struct outset *s, const char *name)
{
	struct diag d;
	char shown[PATH_MAX];

	strfmt_show(shown, sizeof(shown), "%s/%s", s->dir, name); /* for messages */
	if (s->n == OUTSET_MAX)
		die(EXIT_BAD, "%s: more than %d outputs", s->dir, OUTSET_MAX);
	if (outfile_openat(&s->o[s->n], s->dirfd, name, shown, s->in_fds, s->nin, &d))
		die_diag(shown, &d);
	return s->o[s->n++].fd;
}

void outset_range(struct outset *s, const char *name, int in_fd, uint64_t off, uint64_t len)
{
	int fd = outset_add(s, name), r = copy_range(in_fd, off, len, fd);

	if (r)
		die(EXIT_BAD, "%s/%s: writing: %s", s->dir, name, strerror(-r));
}

void outset_mem(struct outset *s, const char *name, const void *buf, size_t n)
{
	int fd = outset_add(s, name), r = write_all(fd, buf, n);

	if (r)
		die(EXIT_BAD, "%s/%s: writing: %s", s->dir, name, strerror(-r));
}

void outset_commit(struct outset *s, bool keep_dir)
{
	struct diag d;
	unsigned n = s->n;

	s->n = 0; /* commit_all frees them, whatever happens */
	cli_on_die(NULL, NULL);
	if (outfile_commit_all(s->o, n, &d))
		die_diag(s->dir, &d);
	if (!keep_dir) {
		close(s->dirfd);
		s->dirfd = -1;
	}
}
