/*
 * fuzz_config.c: libFuzzer target for larderd's configuration reader:
 * the bytes are a larderd.conf (or a --rules file), read over the
 * embedded defaults as larderd --config reads one.
 */
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct config *cfg;
	char *cause = NULL;

	if (fd == -1) {
		if ((fd = memfd_create("larderd.conf", MFD_CLOEXEC)) == -1)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if ((cfg = config_new()) == NULL)
		abort();
	/* Either it loads, or it says why; never both, never neither. */
	if (config_load(cfg, path, &cause) == 0) {
		if (cause != NULL)
			abort();
	} else if (cause == NULL)
		abort();
	free(cause);
	config_free(cfg);
	return 0;
}
