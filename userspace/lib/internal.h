/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * Private helpers of libipcchan, shared by its source files.  Nothing here
 * is exported (the version script keeps only ipcchan_*).
 */
#ifndef IPCCHAN_INTERNAL_H
#define IPCCHAN_INTERNAL_H

#include <errno.h>
#include <stdint.h>

#include "ipcchan.h"

#define __ipc_export __attribute__((visibility("default")))

/* Set the flags/timeout pair of a msg or batch from a library timeout. */
static inline void __ipcchan_timeout(int64_t timeout_ns, uint32_t *flags,
				     __s64 *kernel_ns)
{
	if (timeout_ns < 0) {
		*flags = 0;
		*kernel_ns = 0;
	} else if (timeout_ns == 0) {
		*flags = IPCCHAN_NONBLOCK;
		*kernel_ns = 0;
	} else {
		*flags = IPCCHAN_TIMEOUT;
		*kernel_ns = timeout_ns;
	}
}

/* ioctl(2) returning the result or -errno. */
int __ipcchan_ioctl(int fd, unsigned long cmd, void *arg);

#endif /* IPCCHAN_INTERNAL_H */
