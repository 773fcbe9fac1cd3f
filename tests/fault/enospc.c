/*
 * enospc.c: a fault injector for the disk-full test, loaded into larderd
 * with LD_PRELOAD. While the file named by LARDER_FAULT_FLAG exists,
 * every write and sync to the database, its WAL or its journal fails with
 * ENOSPC, as on a full disk; other files (logs, sockets) are untouched.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether writes to fd should fail now. */
static int
fault_now(int fd)
{
	const char *flag = getenv("LARDER_FAULT_FLAG");
	char link[64], path[512];
	ssize_t n;
	size_t len;

	if (flag == NULL || access(flag, F_OK) != 0)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) <= 0)
		return 0;
	path[n] = '\0';
	len = (size_t)n;
	return (len > 3 && strcmp(path + len - 3, ".db") == 0) ||
	    (len > 4 && strcmp(path + len - 4, "-wal") == 0) ||
	    (len > 8 && strcmp(path + len - 8, "-journal") == 0);
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t
write(int fd, const void *buf, size_t len)
{
	if (fault_now(fd))
		return errno = ENOSPC, -1;
	return NEXT(write)(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (fault_now(fd))
		return errno = ENOSPC, -1;
	return NEXT(pwrite)(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	if (fault_now(fd))
		return errno = ENOSPC, -1;
	return NEXT(pwrite64)(fd, buf, len, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	if (fault_now(fd))
		return errno = ENOSPC, -1;
	return NEXT(writev)(fd, iov, n);
}

int
fsync(int fd)
{
	if (fault_now(fd))
		return errno = ENOSPC, -1;
	return NEXT(fsync)(fd);
}

int
fdatasync(int fd)
{
	if (fault_now(fd))
		return errno = ENOSPC, -1;
	return NEXT(fdatasync)(fd);
}

int
ftruncate(int fd, off_t len)
{
	if (fault_now(fd))
		return errno = ENOSPC, -1;
	return NEXT(ftruncate)(fd, len);
}

int
ftruncate64(int fd, off64_t len)
{
	if (fault_now(fd))
		return errno = ENOSPC, -1;
	return NEXT(ftruncate64)(fd, len);
}
