// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench run: the reference limits, then every cell of the plan
 * once per round (--repeat), in an order shuffled per round from a printed
 * seed, between two runs of a calibration cell; progress on stderr, and
 * each cell's median run as its result.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"

static void progress(unsigned int round, unsigned int nrounds, size_t i,
		     size_t n, const struct result *r)
{
	char sz[32];

	if (nrounds > 1)
		fprintf(stderr, "[round %u/%u] ", round, nrounds);
	fprintf(stderr, "[%3zu/%zu] %-8s %-16s %7s  ", i, n, pat_name(r->pat),
		r->m->name, size_str(r->size, sz, sizeof(sz)));
	if (r->status == CELL_SKIPPED)
		fprintf(stderr, "n/a: %s\n", r->why);
	else if (r->status == CELL_ERROR)
		fprintf(stderr, "FAILED: %s\n", r->why);
	else if (r->pat == PAT_PINGPONG && r->iterations < P99_MIN_N)
		fprintf(stderr, "p50 %8.2f us  p99   (n<%d)    cpu %7.0f ns/msg  (%llu round trips, %.2f s)\n",
			r->rtt_ns[ST_P50] / 1e3, P99_MIN_N, r->cpu_ns_per_msg,
			(unsigned long long)r->iterations, r->elapsed_s);
	else if (r->pat == PAT_PINGPONG)
		fprintf(stderr, "p50 %8.2f us  p99 %8.2f us  cpu %7.0f ns/msg  (%llu round trips, %.2f s)\n",
			r->rtt_ns[ST_P50] / 1e3, r->rtt_ns[ST_P99] / 1e3,
			r->cpu_ns_per_msg, (unsigned long long)r->iterations,
			r->elapsed_s);
	else
		fprintf(stderr, "%10.0f msg/s %9.1f MiB/s  cpu %7.0f ns/msg  (%llu messages, %.2f s)\n",
			r->msgs_per_s, r->bytes_per_s / MiB, r->cpu_ns_per_msg,
			(unsigned long long)r->iterations, r->elapsed_s);
}

/* Round `round` of cell ci into r; the method's avail() said whether. */
static void run_one(struct plan *p, size_t ci, struct result *r)
{
	struct cell *c = &p->cells[ci];
	const struct method *m = p->o->methods[c->mi];

	if (p->avail_err[c->mi]) {
		memset(r, 0, sizeof(*r));
		r->m = m;
		r->pat = c->cfg.pat;
		r->size = c->cfg.size;
		r->status = CELL_SKIPPED;
		snprintf(r->why, WHY_LEN, "skipped: %.240s", p->avail_why[c->mi]);
	} else {
		run_cell(m, &c->cfg, &p->o->prof, r);
	}
}

/* splitmix64: a small, well-mixed generator for the cell order. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* order[0..n): a permutation of the cells for this round (Fisher-Yates). */
static void shuffle(size_t *order, size_t n, uint64_t *state)
{
	size_t i, j, t;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		j = (size_t)(next_rand(state) % i);
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

/*
 * The calibration cell: pipe, 64 B, pingpong, short.  It runs at the start
 * and the end of every round, so a drift of the machine's speed during a
 * round or from round to round shows as a change of one cell that is
 * always the same.  Its p50 round trip, or NaN.
 */
static double calibrate(const struct plan *p, uint64_t *n)
{
	const struct method *all[MAX_METHODS], *pipe = NULL;
	size_t i, nm = methods_all(all);
	struct profile prof = p->o->prof;
	struct cellcfg cfg = {
		.pat = PAT_PINGPONG, .size = 64, .capacity = cell_capacity(64),
		.batch = p->o->batch, .spin_ns = p->o->env.spin_ns,
	};
	static unsigned int calib_id = 1U << 30;	/* apart from the cells' */
	struct result r;

	for (i = 0; i < nm; i++)
		if (!strcmp(all[i]->name, "pipe"))
			pipe = all[i];
	*n = 0;
	if (!pipe)
		return NAN;
	cfg.id = calib_id++;
	prof.warm_s = 0.02;
	prof.pp_time_s = 0.1;
	prof.pp_min_iters = 100;
	prof.watchdog_s = 60;
	run_cell(pipe, &cfg, &prof, &r);
	if (r.status != CELL_OK)
		return NAN;
	*n = r.iterations;
	return r.rtt_ns[ST_P50];
}

static void read_load(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(buf, len, "unknown");
	if (f && fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
}

/*
 * Round r runs every cell once, in an order shuffled afresh for every
 * round from the seed, before round r + 1 starts, so a slow phase of the
 * machine lands on different cells in different rounds, never on all runs
 * of one cell nor always on the same neighbours; a target's paired ratios
 * (targets.c) come from cells of the same round.  The calibration cell
 * runs first and last in every round.  A cell that cannot run (skipped in
 * its first run) is not tried again.  Returns nonzero when a cell failed.
 */
static int run_rounds(struct plan *p, size_t *order)
{
	unsigned int round, nrounds = p->o->env.repeat, cell_id = 0;
	struct runinfo *ri = &p->info;
	uint64_t state = ri->seed;
	int failed = 0;
	double t_round;
	size_t i, ci;

	for (round = 1; round <= nrounds; round++) {
		t_round = now_s();
		shuffle(order, p->ncells, &state);
		ri->calib_ns[round - 1][0] = calibrate(p, &ri->calib_n[round - 1][0]);
		for (i = 0; i < p->ncells; i++) {
			struct result *first, *r;

			ci = order[i];
			first = &p->runs[ci * nrounds];
			r = &first[round - 1];
			if (round > 1 && first->status == CELL_SKIPPED) {
				*r = *first;
				continue;
			}
			p->cells[ci].cfg.id = cell_id++;
			run_one(p, ci, r);
			failed |= r->status == CELL_ERROR;
			progress(round, nrounds, i + 1, p->ncells, r);
		}
		ri->calib_ns[round - 1][1] = calibrate(p, &ri->calib_n[round - 1][1]);
		ri->round_s[round - 1] = now_s() - t_round;
		fprintf(stderr, "ipcchan-bench: round %u/%u done in %.1f s; calibration pipe 64 B p50 %.2f -> %.2f us\n",
			round, nrounds, ri->round_s[round - 1],
			ri->calib_ns[round - 1][0] / 1e3,
			ri->calib_ns[round - 1][1] / 1e3);
	}
	return failed;
}

/* Measure the plan: p->lim, p->res and p->info; nonzero when a cell failed. */
int run_plan(struct plan *p)
{
	unsigned int nrounds = p->o->env.repeat;
	struct runinfo *ri = &p->info;
	size_t i, *order;
	int failed;

	order = calloc(p->ncells ? p->ncells : 1, sizeof(*order));
	if (!order) {
		fprintf(stderr, "ipcchan-bench: out of memory\n");
		return 1;
	}
	ri->nrounds = nrounds;
	ri->host_load = p->o->host_load;
	ri->seed = p->o->seed_set ? p->o->seed :
		   (unsigned long long)now_ns() ^ ((unsigned long long)getpid() << 32);
	read_load(ri->load[0], sizeof(ri->load[0]));
	fprintf(stderr, "ipcchan-bench: seed %llu (cell order), load %s\n",
		ri->seed, ri->load[0]);
	if (p->o->no_syscalls)
		snprintf(sysc_why, WHY_LEN, "--no-syscalls");
	else if (!sysc_probe())
		fprintf(stderr, "ipcchan-bench: system calls not counted: %s\n",
			sysc_why);
	fprintf(stderr, "ipcchan-bench: reference limits (memcpy, cache-line round trip)\n");
	measure_limits(&p->o->prof, &p->lim);
	failed = run_rounds(p, order);
	read_load(ri->load[1], sizeof(ri->load[1]));
	for (i = 0; i < p->ncells; i++)
		combine_runs(&p->runs[i * nrounds], nrounds, &p->res[i]);
	free(order);
	return failed;
}
