// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for bench_test.sh: memfd_create() fails with ENOSYS, as
 * in a kernel built without CONFIG_MEMFD_CREATE, so ipcchan-bench's cells
 * that need it must be skipped ("not in this kernel"), not failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>

int memfd_create(const char *name, unsigned int flags)
{
	(void)name;
	(void)flags;
	errno = ENOSYS;
	return -1;
}
