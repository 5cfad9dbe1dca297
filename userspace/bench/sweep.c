// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench large-transfer sweep (--pattern sweep): the paths a user
 * would pick to move large data, stream only, over a range of sizes
 * (--sweep-sizes; 4 KiB to 16 MiB in factor-2 steps with --profile full,
 * 4 KiB to 4 MiB in factor-4 steps in quick), in interleaved rounds like
 * the main grid, and where mapping beats copying.
 *
 * The crossover of a mapping method M over a copying method C comes from
 * the paired per-round ratios bytes/s(M) / bytes/s(C): both figures of a
 * ratio are measured in the same round.  At each size the ratios' range
 * gives a verdict: M wins (the smallest ratio > 1), C wins (the largest
 * < 1), or inconclusive.  The crossover lies above the largest size C wins
 * at and at or below the smallest size from which M wins at every larger
 * size: that interval is its uncertainty, and a log-log interpolation of
 * the median ratios inside it is the point estimate.  One round gives no
 * range, so no inconclusive sizes: the report says so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* The sweep's methods, in report order; a name not built in is left out. */
static const char *const sweep_names[] = {
	"memfd-scm", "process-vm-writev", "vmsplice", "ipcchan-ring-zc",
	"shm-futex-zc", "ipcchan-ring", "shm-futex", "ipcchan-ioctl", "pipe",
};

/* The pairs whose crossover is reported: mapping over copying. */
static const struct {
	const char *map, *copy;
} pairs[] = {
	{ "ipcchan-ring-zc", "pipe" },
	{ "ipcchan-ring-zc", "ipcchan-ioctl" },
	{ "memfd-scm", "pipe" },
	{ "memfd-scm", "ipcchan-ioctl" },
};

enum verdict { V_NONE, V_MAP, V_COPY, V_UNSURE };

struct ratio {
	unsigned int n;		/* rounds where both ran */
	double med, lo, hi;
	enum verdict v;
};

struct crossover {
	struct ratio r[MAX_SIZES];
	int state;		/* see crossover_find() */
	double est, lo, hi;	/* bytes; lo exclusive, hi inclusive */
};

static struct {
	bool ran;
	struct options o;
	struct plan p;
	struct crossover x[ARRAY_SIZE(pairs)];
} sw;

/*
 * Default sizes: 4 KiB .. 16 MiB in factor-2 steps with --profile full;
 * the quick profile takes factor-4 steps up to 4 MiB (a 16 MiB cell moves
 * at least 20 messages, many seconds under TCG).
 */
size_t sweep_default_sizes(const char *profile, size_t *out)
{
	bool full = !strcmp(profile, "full");
	size_t s, n = 0, step = full ? 2 : 4, max = full ? 16 * MiB : 4 * MiB;

	for (s = 4 * KiB; s <= max && n < MAX_SIZES; s *= step)
		out[n++] = s;
	return n;
}

/* The sweep's methods among those --methods picked. */
static void pick_methods(const struct options *o, struct options *so)
{
	size_t i, j;

	so->nmethods = 0;
	for (i = 0; i < ARRAY_SIZE(sweep_names); i++)
		for (j = 0; j < o->nmethods; j++)
			if (!strcmp(o->methods[j]->name, sweep_names[i]))
				so->methods[so->nmethods++] = o->methods[j];
}

static const struct result *run_of(size_t ci, unsigned int round)
{
	return &sw.p.runs[ci * sw.o.env.repeat + round];
}

/* The cell of a method and size, or -1. */
static long cell_of(const char *name, size_t size)
{
	size_t i;

	for (i = 0; i < sw.p.ncells; i++)
		if (sw.p.cells[i].cfg.size == size &&
		    !strcmp(sw.o.methods[sw.p.cells[i].mi]->name, name))
			return (long)i;
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Paired per-round ratios of map over copy at one size. */
static void pair_ratio(const char *map, const char *copy, size_t size,
		       struct ratio *r)
{
	long a = cell_of(map, size), b = cell_of(copy, size);
	double v[MAX_REPEAT];
	unsigned int k;

	memset(r, 0, sizeof(*r));
	if (a < 0 || b < 0)
		return;
	for (k = 0; k < sw.o.env.repeat; k++) {
		const struct result *x = run_of(a, k), *y = run_of(b, k);

		if (x->status == CELL_OK && y->status == CELL_OK &&
		    y->bytes_per_s > 0)
			v[r->n++] = x->bytes_per_s / y->bytes_per_s;
	}
	if (!r->n)
		return;
	qsort(v, r->n, sizeof(*v), cmp_double);
	r->lo = v[0];
	r->hi = v[r->n - 1];
	r->med = r->n % 2 ? v[r->n / 2] : sqrt(v[r->n / 2 - 1] * v[r->n / 2]);
	r->v = r->lo > 1 ? V_MAP : r->hi < 1 ? V_COPY : V_UNSURE;
}

/*
 * state: 0 no data; 1 crossover in (lo, hi]; 2 mapping wins from the
 * smallest size on (hi = that size, lo = 0); 3 not reached: mapping does
 * not win at the largest size measured.
 */
static void crossover_find(struct crossover *x, const size_t *sz, size_t ns)
{
	long i, w = -1, last = -1, l = -1, j;

	for (i = (long)ns - 1; i >= 0; i--) {
		if (x->r[i].v == V_NONE)
			continue;
		if (last < 0)
			last = i;
		if (x->r[i].v != V_MAP)
			break;
		w = i;
	}
	x->state = last < 0 ? 0 : w < 0 ? 3 : 1;
	if (x->state != 1)
		return;
	for (i = w - 1; i >= 0 && l < 0; i--)
		if (x->r[i].v == V_COPY)
			l = i;
	x->hi = (double)sz[w];
	x->lo = l < 0 ? 0 : (double)sz[l];
	x->est = x->hi;
	if (l < 0 && w == 0) {
		x->state = 2;
		return;
	}
	/* the last median below 1 before w, and the next size with data */
	for (j = w - 1; j >= (l < 0 ? 0 : l); j--) {
		long k;

		if (x->r[j].v == V_NONE || !(x->r[j].med < 1))
			continue;
		for (k = j + 1; k <= w && x->r[k].v == V_NONE; k++)
			;
		double a = log(x->r[j].med), b = log(x->r[k].med);

		x->est = sz[j] * pow((double)sz[k] / sz[j], -a / (b - a));
		break;
	}
}

/* Run the sweep if --pattern asks for it; nonzero when a cell failed. */
int sweep_run(const struct options *o)
{
	int failed;
	size_t i;

	if (!o->sweep)
		return 0;
	sw.o = *o;
	sw.o.pat[PAT_PINGPONG] = false;
	sw.o.pat[PAT_STREAM] = true;
	memcpy(sw.o.sizes, o->sweep_sizes, sizeof(o->sweep_sizes));
	sw.o.nsizes = o->nsweep;
	pick_methods(o, &sw.o);
	if (!sw.o.nmethods || !sw.o.nsizes)
		return 0;
	/*
	 * The profile's time box, not its message count, ends a cell: the
	 * full profile's 1,000 messages of 16 MiB would take minutes per
	 * cell under TCG.  20 messages still fill and check 320 MiB there.
	 */
	if (sw.o.prof.st_min_msgs > 20)
		sw.o.prof.st_min_msgs = 20;
	fprintf(stderr, "ipcchan-bench: large-transfer sweep\n");
	if (plan_make(&sw.o, &sw.p))
		return 1;
	failed = run_plan(&sw.p);
	sw.ran = true;
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		struct crossover *x = &sw.x[i];
		size_t s;

		for (s = 0; s < sw.o.nsizes; s++)
			pair_ratio(pairs[i].map, pairs[i].copy, sw.o.sizes[s],
				   &x->r[s]);
		crossover_find(x, sw.o.sizes, sw.o.nsizes);
	}
	return failed;
}

static const char *approx_size(double b, char *buf, size_t n)
{
	if (b >= MiB)
		snprintf(buf, n, "%.3g MiB", b / MiB);
	else if (b >= KiB)
		snprintf(buf, n, "%.3g KiB", b / KiB);
	else
		snprintf(buf, n, "%.0f B", b);
	return buf;
}

static void print_throughput(FILE *f)
{
	unsigned int R = sw.o.env.repeat;
	char sz[32];
	size_t i, s;

	fprintf(f, "%-18s", "MiB/s (median)");
	for (s = 0; s < sw.o.nsizes; s++)
		fprintf(f, " %8s", size_str(sw.o.sizes[s], sz, sizeof(sz)));
	fputc('\n', f);
	for (i = 0; i < sw.o.nmethods; i++) {
		fprintf(f, "%-18s", sw.o.methods[i]->name);
		for (s = 0; s < sw.o.nsizes; s++) {
			long c = cell_of(sw.o.methods[i]->name, sw.o.sizes[s]);
			const struct result *r = &sw.p.res[c];

			if (r->status == CELL_OK)
				fprintf(f, " %8.0f", r->bytes_per_s / MiB);
			else
				fprintf(f, " %8s",
					r->status == CELL_SKIPPED ? "n/a" : "ERR");
		}
		fputc('\n', f);
	}
	fprintf(f, "%-18s", "memcpy (1 thread)");
	for (s = 0; s < sw.o.nsizes; s++)
		fprintf(f, " %8.0f", sw.p.lim.memcpy_bps[s] / MiB);
	fprintf(f, "\n(stream, median of %u round%s; every message filled and checked)\n",
		R, R == 1 ? "" : "s");
	for (i = 0; i < sw.p.ncells; i++) {
		const struct result *r = &sw.p.res[i];

		if (r->status != CELL_OK)
			fprintf(f, "  %s at %s: %s\n", r->m->name,
				size_str(r->size, sz, sizeof(sz)), r->why);
	}
}

static void print_crossover(FILE *f, size_t i)
{
	const struct crossover *x = &sw.x[i];
	char a[32], b[32], c[32];
	size_t s;

	fprintf(f, "  %s over %s: ", pairs[i].map, pairs[i].copy);
	switch (x->state) {
	case 0:
		fprintf(f, "no data\n");
		return;
	case 2:
		fprintf(f, "mapping wins at every size (<= %s)",
			approx_size(x->hi, a, sizeof(a)));
		break;
	case 3:
		fprintf(f, "not reached (mapping does not win at the largest size)");
		break;
	default:
		fprintf(f, "crossover ~%s, in (%s, %s]",
			approx_size(x->est, a, sizeof(a)),
			x->lo ? approx_size(x->lo, b, sizeof(b)) :
				"below the smallest size",
			approx_size(x->hi, c, sizeof(c)));
	}
	fprintf(f, "\n    ratio median [min..max] per size:");
	for (s = 0; s < sw.o.nsizes; s++) {
		const struct ratio *r = &x->r[s];

		if (s % 4 == 0)
			fprintf(f, "\n    ");
		if (r->v == V_NONE)
			fprintf(f, " %7s n/a%14s",
				size_str(sw.o.sizes[s], a, sizeof(a)), "");
		else
			fprintf(f, " %7s %5.2f [%5.2f..%5.2f]%c",
				size_str(sw.o.sizes[s], a, sizeof(a)), r->med,
				r->lo, r->hi,
				r->v == V_MAP ? '+' : r->v == V_COPY ? '-' : '?');
	}
	fputc('\n', f);
}

/*
 * ipcchan-ring-zc over the best of the large-transfer methods in the same
 * round (issue 15's target at 1 MiB), per size: median [min..max].
 */
static void print_vs_best(FILE *f)
{
	static const char *const best[] = {
		"memfd-scm", "process-vm-writev", "vmsplice",
	};
	unsigned int k, n, R = sw.o.env.repeat;
	double v[MAX_REPEAT];
	char a[32];
	size_t s, i;

	if (cell_of("ipcchan-ring-zc", sw.o.sizes[0]) < 0)
		return;
	fprintf(f, "  ipcchan-ring-zc / best of memfd-scm, process-vm-writev, vmsplice (same round):");
	for (s = 0; s < sw.o.nsizes; s++) {
		long z = cell_of("ipcchan-ring-zc", sw.o.sizes[s]);

		for (k = n = 0; k < R; k++) {
			double top = 0;

			for (i = 0; i < ARRAY_SIZE(best); i++) {
				long c = cell_of(best[i], sw.o.sizes[s]);

				if (c >= 0 && run_of(c, k)->status == CELL_OK)
					top = fmax(top, run_of(c, k)->bytes_per_s);
			}
			if (top > 0 && run_of(z, k)->status == CELL_OK)
				v[n++] = run_of(z, k)->bytes_per_s / top;
		}
		if (s % 4 == 0)
			fprintf(f, "\n    ");
		if (!n) {
			fprintf(f, " %7s n/a%14s",
				size_str(sw.o.sizes[s], a, sizeof(a)), "");
			continue;
		}
		qsort(v, n, sizeof(*v), cmp_double);
		fprintf(f, " %7s %5.2f [%5.2f..%5.2f]%c",
			size_str(sw.o.sizes[s], a, sizeof(a)),
			n % 2 ? v[n / 2] : sqrt(v[n / 2 - 1] * v[n / 2]), v[0],
			v[n - 1], v[0] >= 1 ? '+' : v[n - 1] < 1 ? '-' : '?');
	}
	fputc('\n', f);
}

/* The sweep's section of the report. */
void sweep_report(FILE *f)
{
	unsigned int R;
	size_t i;

	if (!sw.ran)
		return;
	R = sw.o.env.repeat;
	fprintf(f, "\nlarge transfers (sweep): stream throughput vs size\n");
	print_throughput(f);
	fprintf(f, "\ncrossover: where mapping beats copying (stream bytes/s, paired per-round ratios over %u round%s;\n"
		"+ mapping wins in every round, - copying wins in every round, ? inconclusive)%s\n",
		R, R == 1 ? "" : "s",
		R < 2 ? "\n  one round: no interval, every size looks conclusive" : "");
	for (i = 0; i < ARRAY_SIZE(pairs); i++)
		print_crossover(f, i);
	print_vs_best(f);
}

static int write_sweep_csv(const char *path)
{
	unsigned int k, R = sw.o.env.repeat;
	FILE *f = fopen(path, "w");
	size_t i, s;

	if (!f)
		return -errno;
	fprintf(f, "method,size,status,rounds,bytes_per_s,bytes_per_s_min,bytes_per_s_max,cpu_ns_per_msg,csw_per_msg\n");
	for (i = 0; i < sw.p.ncells; i++) {
		const struct result *r = &sw.p.res[i];
		double lo = INFINITY, hi = 0;

		for (k = 0; k < R; k++) {
			const struct result *x = run_of(i, k);

			if (x->status != CELL_OK)
				continue;
			lo = fmin(lo, x->bytes_per_s);
			hi = fmax(hi, x->bytes_per_s);
		}
		if (r->status != CELL_OK) {
			fprintf(f, "%s,%zu,%s,%u,,,,,\n", r->m->name, r->size,
				r->status == CELL_SKIPPED ? "skipped" : "error", R);
			continue;
		}
		fprintf(f, "%s,%zu,ok,%u,%.6g,%.6g,%.6g,%.6g,%.6g\n",
			r->m->name, r->size, R, r->bytes_per_s, lo, hi,
			r->cpu_ns_per_msg, r->csw_per_msg);
	}
	for (s = 0; s < sw.o.nsizes; s++)
		fprintf(f, "memcpy,%zu,ok,1,%.6g,%.6g,%.6g,,\n", sw.o.sizes[s],
			sw.p.lim.memcpy_bps[s], sw.p.lim.memcpy_bps[s],
			sw.p.lim.memcpy_bps[s]);
	return fclose(f) ? -errno : 0;
}

static const char *const state_names[] = {
	"no-data", "crossover", "mapping-always", "not-reached",
};

static int write_crossover_csv(const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i, s;

	if (!f)
		return -errno;
	fprintf(f, "mapping,copying,size,rounds,ratio_median,ratio_min,ratio_max,verdict,state,crossover_bytes,crossover_lo,crossover_hi\n");
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		const struct crossover *x = &sw.x[i];

		for (s = 0; s < sw.o.nsizes; s++) {
			const struct ratio *r = &x->r[s];

			fprintf(f, "%s,%s,%zu,%u,", pairs[i].map, pairs[i].copy,
				sw.o.sizes[s], r->n);
			if (r->v == V_NONE)
				fprintf(f, ",,,n/a,");
			else
				fprintf(f, "%.6g,%.6g,%.6g,%s,", r->med, r->lo,
					r->hi, r->v == V_MAP ? "mapping" :
					r->v == V_COPY ? "copying" : "inconclusive");
			fprintf(f, "%s,", state_names[x->state]);
			if (x->state == 1 || x->state == 2)
				fprintf(f, "%.6g,%.6g,%.6g\n", x->est, x->lo,
					x->hi);
			else
				fprintf(f, ",,\n");
		}
	}
	return fclose(f) ? -errno : 0;
}

/* DIR/sweep.csv, DIR/crossover.csv, and the section added to table.txt. */
int sweep_write(const char *dir)
{
	char path[4096];
	FILE *f;
	int err;

	if (!sw.ran)
		return 0;
	snprintf(path, sizeof(path), "%s/sweep.csv", dir);
	err = write_sweep_csv(path);
	if (!err) {
		snprintf(path, sizeof(path), "%s/crossover.csv", dir);
		err = write_crossover_csv(path);
	}
	if (!err) {
		snprintf(path, sizeof(path), "%s/table.txt", dir);
		f = fopen(path, "a");
		err = f ? 0 : -errno;
		if (f) {
			sweep_report(f);
			err = fclose(f) ? -errno : 0;
		}
	}
	if (err)
		fprintf(stderr, "ipcchan-bench: write %s: %s\n", path,
			strerror(-err));
	return err;
}
