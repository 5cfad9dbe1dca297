/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output for the host tests (host_ring, host_list): each test is an
 * int function returning 1 for a pass, CHECK() ends it with a failure.
 */
#ifndef IPCCHAN_HOST_TAP_H
#define IPCCHAN_HOST_TAP_H

#include <stdio.h>

static int test_no;
static int failures;

static void result(int ok, const char *name)
{
	printf("%sok %d %s\n", ok ? "" : "not ", ++test_no, name);
	if (!ok)
		failures++;
}

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: %s failed\n", __FILE__, __LINE__, #cond); \
		return 0;						\
	}								\
} while (0)

#endif /* IPCCHAN_HOST_TAP_H */
