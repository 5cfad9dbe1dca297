// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench futex calls: the engine's start barrier and the shared
 * memory methods sleep and wake on a 32-bit word.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

int futex_wait(void *addr, uint32_t expected)
{
	if (syscall(SYS_futex, addr, FUTEX_WAIT, expected, NULL, NULL, 0) < 0 &&
	    errno != EAGAIN && errno != EINTR)
		return -errno;
	return 0;
}

int futex_wake(void *addr, int n)
{
	long r = syscall(SYS_futex, addr, FUTEX_WAKE, n, NULL, NULL, 0);

	return r < 0 ? -errno : (int)r;
}
