/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan-bench clocks: wall time (CLOCK_MONOTONIC), the process's CPU time
 * (CLOCK_PROCESS_CPUTIME_ID, user + system) and its context switches.
 * Inline: the engine reads them around every timed round trip.
 */
#ifndef IPCCHAN_BENCH_CLOCK_H
#define IPCCHAN_BENCH_CLOCK_H

#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

static inline double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline double cpu_s(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static inline long csw_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

#endif /* IPCCHAN_BENCH_CLOCK_H */
