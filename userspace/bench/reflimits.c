// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench reference limits: what this machine can do at best, for
 * the report to set the methods against: single-thread memcpy bandwidth at
 * every size, and the round trip of one cache line between two processes.
 */
#define _GNU_SOURCE
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"

static double memcpy_bw(size_t size, double target_s)
{
	void *src = alloc_buf(size), *dst = alloc_buf(size);
	double best = 0, t0, dt;
	uint64_t reps = 1, i;
	int round;

	if (!src || !dst)
		goto out;
	memset(src, 0x5a, size);
	for (round = 0; round < 3;) {
		t0 = now_s();
		for (i = 0; i < reps; i++) {
			memcpy(dst, src, size);
			__asm__ __volatile__("" : : "r"(dst), "r"(src) : "memory");
		}
		dt = now_s() - t0;
		if (dt < target_s / 3) {
			reps = dt > 0 ? reps * (target_s / 3 / dt) + 1 : reps * 2;
			continue;
		}
		if (reps * size / dt > best)
			best = reps * size / dt;
		round++;
	}
out:
	free(src);
	free(dst);
	return best;
}

struct cl_line {
	_Atomic uint64_t v;
	char pad[56];
};

static void spin_until(struct cl_line *l, uint64_t want)
{
	unsigned long spins = 0;

	while (atomic_load_explicit(&l->v, memory_order_acquire) != want) {
		cpu_relax();
		if (++spins % (1UL << 20) == 0)
			sched_yield();	/* one CPU: let the peer run */
	}
}

/*
 * Round trip of one cache line between two processes through shared memory,
 * both spinning: the floor under any IPC latency.  Timed in batches of 100
 * round trips; the median batch is reported.  Not measured when both sides
 * are pinned to one CPU: each spin then waits for the other's time slice.
 */
static void cacheline_rtt(double time_s, double *p50, double *min)
{
	enum { BATCH = 100, MAXB = 200000 };
	struct cl_line *l;
	double *samp, t0, st[ST_NR];
	uint64_t i = 0, j, nb = 0;
	cpu_set_t orig;
	pid_t pid;

	*p50 = *min = NAN;
	/* Two spinners on one CPU (--cpus A,A) time the scheduler's yield. */
	if (bench_cpu[0] >= 0 && bench_cpu[0] == bench_cpu[1])
		return;
	l = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	samp = malloc(MAXB * sizeof(*samp));
	if (l == MAP_FAILED || !samp)
		goto out;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		pin_side(1);
		for (j = 1;; j++) {
			spin_until(&l[0], j);
			atomic_store_explicit(&l[1].v, j, memory_order_release);
		}
	}
	sched_getaffinity(0, sizeof(orig), &orig);
	pin_side(0);
	t0 = now_s();
	while (nb < MAXB && (now_s() - t0 < time_s || nb < 10)) {
		uint64_t a = now_ns();

		for (j = 0; j < BATCH; j++) {
			i++;
			atomic_store_explicit(&l[0].v, i, memory_order_release);
			spin_until(&l[1], i);
		}
		samp[nb++] = (double)(now_ns() - a) / BATCH;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	sched_setaffinity(0, sizeof(orig), &orig);
	stats_compute(samp, nb, st);
	*p50 = st[ST_P50];
	*min = st[ST_MIN];
out:
	free(samp);
	if (l != MAP_FAILED)
		munmap(l, 4096);
}

void measure_limits(const struct profile *p, struct limits *l)
{
	size_t i;

	for (i = 0; i < l->nsizes; i++)
		l->memcpy_bps[i] = memcpy_bw(l->sizes[i],
					     p->ref_time_s / l->nsizes);
	cacheline_rtt(p->ref_time_s, &l->cacheline_rtt_ns,
		      &l->cacheline_rtt_min_ns);
}
