// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench plan: which methods can run here, the kernel limits they
 * need for these sizes (raised unless --no-raise), and the cells in the
 * order they run: pattern, method, size.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* Ask every method whether it can run, and let it raise its limits. */
static void check_methods(const struct options *o, struct plan *p)
{
	size_t i, minsz, maxsz;

	minsz = maxsz = o->sizes[0];
	for (i = 0; i < o->nsizes; i++) {
		minsz = o->sizes[i] < minsz ? o->sizes[i] : minsz;
		maxsz = o->sizes[i] > maxsz ? o->sizes[i] : maxsz;
	}
	for (i = 0; i < o->nmethods; i++) {
		const struct method *m = o->methods[i];

		p->avail_why[i][0] = 0;
		p->avail_err[i] = m->avail ? m->avail(p->avail_why[i]) : 0;
		if (o->raise && !p->avail_err[i] && m->limits)
			m->limits(minsz, maxsz);
	}
}

/* The cells in the order they run: pattern, method, size. */
static void list_cells(const struct options *o, struct plan *p)
{
	size_t i, j, k, n = 0;

	for (k = 0; k < PAT_NR; k++) {
		if (!o->pat[k])
			continue;
		for (i = 0; i < o->nmethods; i++) {
			for (j = 0; j < o->nsizes; j++) {
				p->cells[n].mi = i;
				p->cells[n++].cfg = (struct cellcfg){
					.pat = (enum pattern)k,
					.size = o->sizes[j],
					.capacity = cell_capacity(o->sizes[j]),
					.batch = o->batch,
					.spin_ns = o->env.spin_ns,
				};
			}
		}
	}
}

/* The plan for o, announced on stderr; nonzero when out of memory. */
int plan_make(const struct options *o, struct plan *p)
{
	int npat = o->pat[PAT_PINGPONG] + o->pat[PAT_STREAM];

	memset(p, 0, sizeof(*p));
	p->o = o;
	check_methods(o, p);
	p->ncells = npat * o->nmethods * o->nsizes;
	p->res = calloc(p->ncells, sizeof(*p->res));
	p->runs = calloc(p->ncells * o->env.repeat, sizeof(*p->runs));
	p->cells = calloc(p->ncells, sizeof(*p->cells));
	if (!p->res || !p->runs || !p->cells) {
		fprintf(stderr, "ipcchan-bench: out of memory\n");
		return -1;
	}
	fprintf(stderr, "ipcchan-bench: %zu cells (%zu methods x %zu sizes x %d patterns), profile %s",
		p->ncells, o->nmethods, o->nsizes, npat, o->prof.name);
	if (o->env.repeat > 1)
		fprintf(stderr, ", %u interleaved rounds", o->env.repeat);
	fputc('\n', stderr);
	sysctl_log(stderr);
	p->lim.nsizes = o->nsizes;
	memcpy(p->lim.sizes, o->sizes, o->nsizes * sizeof(*o->sizes));
	list_cells(o, p);
	return 0;
}

void plan_free(struct plan *p)
{
	free(p->res);
	free(p->runs);
	free(p->cells);
}
