#include "cmd_common.h"

#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "image.h"

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
