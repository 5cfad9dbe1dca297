// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench scale pattern, the output: per shape and method the median
 * of the rounds with half their range, as tables (messages/s, CPU ns and
 * context switches per message), the 8x8 target line, and scale.csv.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scale.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, min and max of a figure over the rounds that ran; n rounds. */
static unsigned int sc_stat(unsigned int ci, unsigned int mi, int which,
			    double *med, double *lo, double *hi)
{
	double v[MAX_REPEAT];
	unsigned int k, n = 0;

	for (k = 0; k < sc.rounds; k++) {
		const struct sc_run *r = &sc.runs[ci][mi][k];

		if (r->status == CELL_OK)
			v[n++] = which == 0 ? r->msgs_per_s :
				 which == 1 ? r->cpu_ns : r->csw;
	}
	if (!n || n < sc.rounds)	/* a failed round: no figure */
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	*lo = v[0];
	*hi = v[n - 1];
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return n;
}

static const char *si(double v, char *buf, size_t n)
{
	if (v >= 1e6)
		snprintf(buf, n, "%.3gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, n, "%.3gk", v / 1e3);
	else
		snprintf(buf, n, "%.3g", v);
	return buf;
}

static void sc_table(FILE *f, int which, const char *title)
{
	char name[40], a[24], cell[40];
	double med, lo, hi;
	unsigned int i, k;

	fprintf(f, "\n%s\n%-20s %5s", title, "shape", "procs");
	for (k = 0; k < sc.nm; k++)
		fprintf(f, " %16s", sc.m[k]->name);
	fputc('\n', f);
	for (i = 0; i < sc_ncfg; i++) {
		fprintf(f, "%-20s %5u", cfg_name(&sc_cfgs[i], name, sizeof(name)),
			cfg_procs(&sc_cfgs[i]));
		for (k = 0; k < sc.nm; k++) {
			const struct sc_run *r0 = &sc.runs[i][k][0];

			if (sc_stat(i, k, which, &med, &lo, &hi) > 1)
				snprintf(cell, sizeof(cell), "%s ±%.0f%%",
					 si(med, a, sizeof(a)),
					 med > 0 ? 50 * (hi - lo) / med : 0);
			else if (sc_stat(i, k, which, &med, &lo, &hi))
				snprintf(cell, sizeof(cell), "%s",
					 si(med, a, sizeof(a)));
			else
				snprintf(cell, sizeof(cell), "%s",
					 r0->status == CELL_SKIPPED ? "n/a" : "ERR");
			fprintf(f, " %16s", cell);
		}
		fputc('\n', f);
	}
}

/* Median of the rounds' messages/s of one cell, NaN unless every round ran. */
static double sc_median(unsigned int ci, int mi)
{
	double med, lo, hi;

	return mi >= 0 && sc_stat(ci, (unsigned int)mi, 0, &med, &lo, &hi) ?
	       med : NAN;
}

/* Index of the scale method called @name in this run, or -1. */
static int sc_method(const char *name)
{
	unsigned int k;

	for (k = 0; k < sc.nm; k++)
		if (!strcmp(sc.m[k]->name, name))
			return (int)k;
	return -1;
}

/*
 * Issue 15's 8x8 target: ipcchan-ioctl over the better (by median) of
 * posix-mq and unix-dgram on one channel, paired round by round and judged
 * as every other target (targets.c).  False when this run has no 8x8 shape
 * on one channel, lacks the methods, or skipped ipcchan-ioctl.
 */
bool scale_target(struct scale_target *t)
{
	static const char *const dens[] = { "posix-mq", "unix-dgram" };
	double v[MAX_REPEAT], best = NAN, m;
	int io = sc_method("ipcchan-ioctl"), dm = -1, mi;
	unsigned int k, ci, d;

	memset(t, 0, sizeof(*t));
	for (ci = 0; ci < sc_ncfg; ci++)
		if (sc_cfgs[ci].mode == SC_SHARED && sc_cfgs[ci].n == SC_MAXP)
			break;
	if (!sc.ran || ci == sc_ncfg)
		return false;
	for (d = 0; d < ARRAY_SIZE(dens); d++) {
		mi = sc_method(dens[d]);
		m = sc_median(ci, mi);
		if (!isnan(m) && (isnan(best) || m > best)) {
			best = m;
			dm = mi;
		}
	}
	if (io < 0 || dm < 0)
		return false;
	/* Skipped (no module here): not run, as a target whose cell skipped. */
	for (k = 0; k < sc.rounds; k++)
		if (sc.runs[ci][io][k].status != CELL_SKIPPED)
			break;
	if (k == sc.rounds)
		return false;
	t->den = sc.m[dm]->name;
	t->nruns = sc.rounds;
	for (k = 0; k < sc.rounds; k++) {
		const struct sc_run *a = &sc.runs[ci][io][k];
		const struct sc_run *b = &sc.runs[ci][dm][k];

		t->ratio[k] = a->status == CELL_OK && b->status == CELL_OK &&
			      b->msgs_per_s > 0 ?
			      a->msgs_per_s / b->msgs_per_s : NAN;
		if (!isnan(t->ratio[k]))
			v[t->n++] = t->ratio[k];
	}
	median_ci(v, t->n, &t->ci);
	t->verdict = t->n ? target_judge(false, 1.0, &t->ci) : "failed";
	return true;
}

static void sc_target(FILE *f)
{
	struct scale_target t;

	if (!scale_target(&t))
		return;
	fprintf(f, "\n8x8 on one channel: ipcchan-ioctl / best of posix-mq, unix-dgram (%s), paired per round: ",
		t.den);
	if (t.n)
		fprintf(f, "%.2fx [%.2f, %.2f] n=%u, >= 1.0x: %s\n",
			t.ci.median, t.ci.lo, t.ci.hi, t.n, t.verdict);
	else
		fprintf(f, "%s\n", t.verdict);
}

/* The scale section of the report. */
void scale_report(FILE *f)
{
	if (!sc.ran)
		return;
	fprintf(f, "\nscale: %d-byte messages, stream, queue depth %d messages per channel (unix-dgram: net.unix.max_dgram_qlen %lld),\n"
		"median of %u round%s ±half the min-max range; processes not pinned\n",
		SC_SIZE, SC_DEPTH, sc.dgram_qlen, sc.rounds,
		sc.rounds == 1 ? "" : "s");
	fprintf(f, "oversubscription: %ld CPU%s here; 2x2 runs 4 processes (%.1fx), 4x4 8 (%.1fx), 8x8 and 8 pairs 16 (%.1fx):\n"
		"  beyond %ld processes the figures include the scheduler's cost of sharing the CPUs\n",
		sc.cpus, sc.cpus == 1 ? "" : "s", 4.0 / sc.cpus, 8.0 / sc.cpus,
		16.0 / sc.cpus, sc.cpus);
	sc_table(f, 0, "scale: aggregate messages/s (all producers to all consumers), higher is better");
	sc_table(f, 1, "scale: CPU ns per message, all processes, lower is better");
	sc_table(f, 2, "scale: context switches per message, all processes");
	sc_target(f);
}

static int write_scale_csv(const char *path)
{
	static const char *const modes[] = { "shared", "pairs", "idle" };
	FILE *f = fopen(path, "w");
	double med[3], lo[3], hi[3];
	unsigned int i, k, r, w;

	if (!f)
		return -errno;
	fprintf(f, "mode,n,producers,consumers,channels,idle_channels,processes,cpus,method,status,rounds,msgs_per_s,msgs_per_s_min,msgs_per_s_max,cpu_ns_per_msg,cpu_ns_min,cpu_ns_max,ctx_switches_per_msg,size,depth,runs,reason\n");
	for (i = 0; i < sc_ncfg; i++) {
		const struct sc_cfg *c = &sc_cfgs[i];

		for (k = 0; k < sc.nm; k++) {
			const struct sc_run *r0 = &sc.runs[i][k][0];
			bool ok = true;

			for (w = 0; w < 3; w++)
				ok &= sc_stat(i, k, (int)w, &med[w], &lo[w],
					      &hi[w]) > 0;
			fprintf(f, "%s,%u,%u,%u,%u,%u,%u,%ld,%s,", modes[c->mode],
				c->n, cfg_procs(c) / 2, cfg_procs(c) / 2,
				cfg_busy(c), c->mode == SC_IDLE ? c->n : 0,
				cfg_procs(c), sc.cpus, sc.m[k]->name);
			if (ok)
				fprintf(f, "ok,%u,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,",
					sc.rounds, med[0], lo[0], hi[0], med[1],
					lo[1], hi[1], med[2]);
			else
				fprintf(f, "%s,%u,,,,,,,,",
					r0->status == CELL_SKIPPED ? "skipped" : "error",
					sc.rounds);
			fprintf(f, "%d,%lld,", SC_SIZE,
				strcmp(sc.m[k]->name, "unix-dgram") ?
				SC_DEPTH : sc.dgram_qlen);
			for (r = 0; r < sc.rounds; r++)
				fprintf(f, "%s%.6g", r ? ";" : "",
					sc.runs[i][k][r].status == CELL_OK ?
					sc.runs[i][k][r].msgs_per_s : NAN);
			fputc(',', f);
			for (r = 0; r < sc.rounds; r++)
				if (sc.runs[i][k][r].status != CELL_OK) {
					/* the CSV has no quoting: no commas */
					char why[WHY_LEN], *p;

					snprintf(why, sizeof(why), "%s",
						 sc.runs[i][k][r].why);
					for (p = why; *p; p++)
						*p = *p == ',' ? ';' : *p;
					fprintf(f, "%s", why);
					break;
				}
			fputc('\n', f);
		}
	}
	return fclose(f) ? -errno : 0;
}

/* DIR/scale.csv, and the section added to table.txt. */
int scale_write(const char *dir)
{
	char path[4096];
	FILE *f;
	int err;

	if (!sc.ran)
		return 0;
	snprintf(path, sizeof(path), "%s/scale.csv", dir);
	err = write_scale_csv(path);
	if (!err) {
		snprintf(path, sizeof(path), "%s/table.txt", dir);
		f = fopen(path, "a");
		err = f ? 0 : -errno;
		if (f) {
			scale_report(f);
			err = fclose(f) ? -errno : 0;
		}
	}
	if (err)
		fprintf(stderr, "ipcchan-bench: write %s: %s\n", path,
			strerror(-err));
	return err;
}
