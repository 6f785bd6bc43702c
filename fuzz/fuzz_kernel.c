/* libFuzzer: kernel inspection (payload search, trial decodes, version
 * string, IKCFG) over an arbitrary kernel section, in a memfd. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "mkbootimg/kernel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("kernel", 0);
	struct kernel_info ki;
	uint8_t *cfg = NULL;
	size_t cl = 0;

	if (fd < 0 || write_all(fd, data, size))
		__builtin_trap();
	kernel_inspect(fd, 0, size, &ki, &cfg, &cl, NULL, NULL, NULL);
	if (strnlen(ki.version, sizeof(ki.version)) == sizeof(ki.version) ||
	    strnlen(ki.release, sizeof(ki.release)) == sizeof(ki.release) ||
	    (cfg && !ki.has_config))
		__builtin_trap();
	free(cfg);
	close(fd);
	return 0;
}
