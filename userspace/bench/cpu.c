// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench CPU placement: --pin and --cpus put side 0
 * (client/producer) and side 1 (server/consumer) on a CPU each; without
 * them the scheduler places both.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "bench.h"

int bench_cpu[2] = { -1, -1 };

/* Pin the calling process to the CPU chosen for its side, if any. */
void pin_side(int side)
{
	cpu_set_t set;

	if (bench_cpu[side] < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(bench_cpu[side], &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* The first two CPUs in our affinity mask, or none on a single CPU. */
void pick_cpus(int *a, int *b)
{
	cpu_set_t set;
	int i;

	*a = *b = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (*a < 0) {
			*a = i;
		} else {
			*b = i;
			return;
		}
	}
	*a = -1;
}
