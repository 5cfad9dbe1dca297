// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench run: the reference limits, then every cell of the plan
 * once per round (--repeat), progress on stderr, and each cell's median
 * run as its result.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

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

/*
 * Round r runs every cell once, in the same order, before round r + 1
 * starts, so a slow phase of the machine lands on different cells in
 * different rounds instead of on all runs of one cell.  A cell that
 * cannot run (skipped) is not tried again.  Returns nonzero when a cell
 * failed.
 */
static int run_rounds(struct plan *p)
{
	unsigned int round, nrounds = p->o->env.repeat, cell_id = 0;
	int failed = 0;
	double t_round;
	size_t ci;

	for (round = 1; round <= nrounds; round++) {
		t_round = now_s();
		for (ci = 0; ci < p->ncells; ci++) {
			struct result *first = &p->runs[ci * nrounds];
			struct result *r = &first[round - 1];

			if (round > 1 && first->status == CELL_SKIPPED) {
				*r = *first;
				continue;
			}
			p->cells[ci].cfg.id = cell_id++;
			run_one(p, ci, r);
			failed |= r->status == CELL_ERROR;
			progress(round, nrounds, ci + 1, p->ncells, r);
		}
		if (nrounds > 1)
			fprintf(stderr, "ipcchan-bench: round %u/%u done in %.1f s\n",
				round, nrounds, now_s() - t_round);
	}
	return failed;
}

/* Measure the plan: p->lim and p->res; nonzero when a cell failed. */
int run_plan(struct plan *p)
{
	unsigned int nrounds = p->o->env.repeat;
	int failed;
	size_t i;

	fprintf(stderr, "ipcchan-bench: reference limits (memcpy, cache-line round trip)\n");
	measure_limits(&p->o->prof, &p->lim);
	failed = run_rounds(p);
	for (i = 0; i < p->ncells; i++)
		combine_runs(&p->runs[i * nrounds], nrounds, &p->res[i]);
	return failed;
}
