// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench output: the terminal report (tables per pattern with methods
 * as rows and sizes as columns, relative summary, targets, noise), and
 * bench.json / bench.csv at full precision in base units (ns, bytes/s).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const char *pat_name(enum pattern p)
{
	return p == PAT_PINGPONG ? "pingpong" : "stream";
}

const char *size_str(size_t size, char *buf, size_t n)
{
	if (size >= MiB && size % MiB == 0)
		snprintf(buf, n, "%zu MiB", size / MiB);
	else if (size >= KiB && size % KiB == 0)
		snprintf(buf, n, "%zu KiB", size / KiB);
	else
		snprintf(buf, n, "%zu B", size);
	return buf;
}

void grid_build(struct grid *g, const struct result *r, size_t n)
{
	size_t i, j;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < n; i++) {
		for (j = 0; j < g->nm && g->m[j] != r[i].m; j++)
			;
		if (j == g->nm && g->nm < MAX_METHODS)
			g->m[g->nm++] = r[i].m;
		for (j = 0; j < g->ns && g->size[j] != r[i].size; j++)
			;
		if (j == g->ns && g->ns < MAX_SIZES)
			g->size[g->ns++] = r[i].size;
	}
}

/* The cell of @method, @p and @size in r[0..n), or NULL. */
const struct result *result_find(const struct result *r, size_t n,
				 const char *method, enum pattern p,
				 size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].pat == p && r[i].size == size &&
		    !strcmp(r[i].m->name, method))
			return &r[i];
	return NULL;
}

static const struct result *find_ok(const struct result *r, size_t n,
				    const char *method, enum pattern p,
				    size_t size)
{
	const struct result *x = result_find(r, n, method, p, size);

	return x && x->status == CELL_OK ? x : NULL;
}

/* --- number formatting --------------------------------------------------- */

static const char *fmt_plain(double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (v < 10)
		snprintf(buf, n, "%.2f", v);
	else if (v < 100)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.0f", v);
	return buf;
}

static const char *fmt_si(double v, char *buf, size_t n)
{
	char tmp[32];

	if (v >= 1e9)
		snprintf(buf, n, "%sG", fmt_plain(v / 1e9, tmp, sizeof(tmp)));
	else if (v >= 1e6)
		snprintf(buf, n, "%sM", fmt_plain(v / 1e6, tmp, sizeof(tmp)));
	else if (v >= 1e4)
		snprintf(buf, n, "%sk", fmt_plain(v / 1e3, tmp, sizeof(tmp)));
	else
		fmt_plain(v, buf, n);
	return buf;
}

/* --- tables -------------------------------------------------------------- */

enum metric { MT_P50, MT_P99, MT_CPU, MT_MSGS, MT_MIBS, MT_CSW, MT_DEPTH,
	      MT_SYSC };

static const struct table_def {
	enum pattern pat;
	enum metric mt;
	const char *title;
} tables[] = {
	{ PAT_PINGPONG, MT_P50, "round-trip latency p50 (us), lower is better" },
	{ PAT_PINGPONG, MT_P99, "round-trip latency p99 (us), lower is better" },
	{ PAT_PINGPONG, MT_CPU, "CPU time per message, both processes (ns)" },
	{ PAT_PINGPONG, MT_SYSC, "system calls per message, both processes" },
	{ PAT_PINGPONG, MT_CSW, "context switches per message, both processes" },
	{ PAT_STREAM, MT_MSGS, "throughput (messages/s, k=1e3 M=1e6), higher is better" },
	{ PAT_STREAM, MT_MIBS, "throughput (MiB/s), higher is better" },
	{ PAT_STREAM, MT_CPU, "CPU time per message, both processes (ns)" },
	{ PAT_STREAM, MT_DEPTH, "queue depth: messages one direction holds (-: not set)" },
	{ PAT_STREAM, MT_SYSC, "system calls per message, both processes" },
	{ PAT_STREAM, MT_CSW, "context switches per message, both processes" },
};

static double metric(const struct result *x, enum metric mt)
{
	switch (mt) {
	case MT_P50:	return x->rtt_ns[ST_P50] / 1e3;
	case MT_P99:	return x->rtt_ns[ST_P99] / 1e3;
	case MT_CPU:	return x->cpu_ns_per_msg;
	case MT_MSGS:	return x->msgs_per_s;
	case MT_MIBS:	return x->bytes_per_s / MiB;
	case MT_CSW:	return x->csw_per_msg;
	case MT_DEPTH:	return (double)x->depth_msgs;
	case MT_SYSC:	return x->sysc_per_msg;
	}
	return NAN;
}

static bool is_pct(enum metric mt)
{
	return mt == MT_P50 || mt == MT_P99;
}

/* A percentile with the number of samples behind it: "12.3 n=4812". */
static void fmt_pct(const struct result *x, enum metric mt, char *buf,
		    size_t len)
{
	char v[24], cnt[24];

	fmt_si((double)x->iterations, cnt, sizeof(cnt));
	if (mt == MT_P99 && x->iterations < P99_MIN_N)
		snprintf(v, sizeof(v), "-");
	else
		fmt_plain(metric(x, mt), v, sizeof(v));
	snprintf(buf, len, "%s n=%s", v, cnt);
}

struct note {
	const struct method *m;
	enum cell_status st;
	const char *why;
	size_t sizes[MAX_SIZES];
	size_t nsizes;
};

static int note_index(struct note *notes, size_t *nn, const struct result *x)
{
	size_t i, j;

	for (i = 0; i < *nn; i++)
		if (notes[i].m == x->m && notes[i].st == x->status &&
		    !strcmp(notes[i].why, x->why))
			break;
	if (i == *nn) {
		if (*nn == 64)
			return 0;
		notes[i].m = x->m;
		notes[i].st = x->status;
		notes[i].why = x->why;
		notes[i].nsizes = 0;
		(*nn)++;
	}
	for (j = 0; j < notes[i].nsizes && notes[i].sizes[j] != x->size; j++)
		;
	if (j == notes[i].nsizes && j < MAX_SIZES)
		notes[i].sizes[notes[i].nsizes++] = x->size;
	return (int)i + 1;
}

static void print_tables(FILE *f, enum pattern pat, const struct grid *g,
			 const struct result *r, size_t n)
{
	struct note notes[64];
	size_t nn = 0, t, i, j;
	char buf[64];
	int w;

	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		if (tables[t].pat != pat)
			continue;
		w = is_pct(tables[t].mt) ? 14 : 9;
		fprintf(f, "\n%s: %s\n", pat_name(pat), tables[t].title);
		if (is_pct(tables[t].mt))
			fprintf(f, "(n: round trips measured; no p99 below n=%d)\n",
				P99_MIN_N);
		if (tables[t].mt == MT_SYSC && sysc_why[0])
			fprintf(f, "(not counted: %s)\n", sysc_why);
		fprintf(f, "%-22s", "method");
		for (j = 0; j < g->ns; j++)
			fprintf(f, " %*s", w, size_str(g->size[j], buf, sizeof(buf)));
		fputc('\n', f);
		for (i = 0; i < g->nm; i++) {
			bool any = false;

			for (j = 0; j < g->ns; j++)
				any |= result_find(r, n, g->m[i]->name, pat, g->size[j]) != NULL;
			if (!any)
				continue;
			snprintf(buf, sizeof(buf), "%s%s", g->m[i]->name,
				 g->m[i]->spin ? "*" : "");
			fprintf(f, "%-22s", buf);
			for (j = 0; j < g->ns; j++) {
				const struct result *x = result_find(r, n, g->m[i]->name,
							      pat, g->size[j]);
				double v;

				if (!x) {
					fprintf(f, " %*s", w, "");
					continue;
				}
				if (x->status != CELL_OK) {
					snprintf(buf, sizeof(buf), "%s[%d]",
						 x->status == CELL_SKIPPED ? "n/a" : "ERR",
						 note_index(notes, &nn, x));
					fprintf(f, " %*s", w, buf);
					continue;
				}
				v = metric(x, tables[t].mt);
				if (tables[t].mt == MT_DEPTH)
					snprintf(buf, sizeof(buf), v ? "%.0f" : "-", v);
				else if (tables[t].mt == MT_MSGS)
					fmt_si(v, buf, sizeof(buf));
				else
					fmt_plain(v, buf, sizeof(buf));
				if (is_pct(tables[t].mt))
					fmt_pct(x, tables[t].mt, buf, sizeof(buf));
				fprintf(f, " %*s", w, buf);
			}
			fputc('\n', f);
		}
	}
	for (i = 0; i < nn; i++) {
		fprintf(f, "  [%zu] %s %s at", i + 1, notes[i].m->name,
			notes[i].st == CELL_SKIPPED ? "cannot run" : "failed");
		for (j = 0; j < notes[i].nsizes; j++)
			fprintf(f, "%s %s", j ? "," : "",
				size_str(notes[i].sizes[j], buf, sizeof(buf)));
		fprintf(f, ": %s\n", notes[i].why);
	}
}

/* --- relative summary, targets, noise ------------------------------------ */

static const char *pick_base(const struct grid *g, const struct result *r,
			     size_t n, size_t size)
{
	size_t i;

	if (find_ok(r, n, "pipe", PAT_STREAM, size) ||
	    find_ok(r, n, "pipe", PAT_PINGPONG, size))
		return "pipe";
	for (i = 0; i < g->nm; i++)
		if (find_ok(r, n, g->m[i]->name, PAT_STREAM, size) ||
		    find_ok(r, n, g->m[i]->name, PAT_PINGPONG, size))
			return g->m[i]->name;
	return NULL;
}

static void print_relative(FILE *f, const struct grid *g,
			   const struct limits *l, const struct result *r,
			   size_t n)
{
	size_t size = g->ns ? g->size[0] : 64, big, i, j;
	const struct result *bs, *bp, *xs, *xp;
	const char *base;
	double mbw = NAN;
	char sz[32], sz2[32];

	for (j = 0; j < g->ns; j++)
		if (g->size[j] == 64)
			size = 64;
	base = pick_base(g, r, n, size);
	if (!base)
		return;
	size_str(size, sz, sizeof(sz));
	bs = find_ok(r, n, base, PAT_STREAM, size);
	bp = find_ok(r, n, base, PAT_PINGPONG, size);
	fprintf(f, "\nrelative to %s at %s (stream: messages/s ratio, higher is better; "
		"pingpong: p50 round trip ratio, lower is better):\n", base, sz);
	for (i = 0; i < g->nm; i++) {
		const char *name = g->m[i]->name;

		if (!strcmp(name, base))
			continue;
		xs = find_ok(r, n, name, PAT_STREAM, size);
		xp = find_ok(r, n, name, PAT_PINGPONG, size);
		if (!(xs && bs) && !(xp && bp))
			continue;
		fprintf(f, "  %-16s", name);
		if (xs && bs)
			fprintf(f, " is %6.2fx %s at %s (stream)", xs->msgs_per_s /
				bs->msgs_per_s, base, sz);
		if (xp && bp)
			fprintf(f, "%s round trip %5.2fx %s's", xs && bs ? "," : "",
				xp->rtt_ns[ST_P50] / bp->rtt_ns[ST_P50], base);
		fputc('\n', f);
	}
	if (!isnan(l->cacheline_rtt_ns)) {
		fprintf(f, "p50 round trip at %s over the cache-line round trip (%.0f ns):\n ",
			sz, l->cacheline_rtt_ns);
		for (i = 0; i < g->nm; i++) {
			xp = find_ok(r, n, g->m[i]->name, PAT_PINGPONG, size);
			if (xp)
				fprintf(f, " %s %.0fx", g->m[i]->name,
					xp->rtt_ns[ST_P50] / l->cacheline_rtt_ns);
		}
		fputc('\n', f);
	}
	big = g->ns ? g->size[g->ns - 1] : 0;
	for (j = 0; j < l->nsizes; j++)
		if (l->sizes[j] == big)
			mbw = l->memcpy_bps[j];
	if (!isnan(mbw) && mbw > 0) {
		fprintf(f, "stream bytes/s at %s over single-thread memcpy (%.0f MiB/s):\n ",
			size_str(big, sz2, sizeof(sz2)), mbw / MiB);
		for (i = 0; i < g->nm; i++) {
			xs = find_ok(r, n, g->m[i]->name, PAT_STREAM, big);
			if (xs)
				fprintf(f, " %s %.2f", g->m[i]->name,
					xs->bytes_per_s / mbw);
		}
		fputc('\n', f);
	}
}

/* A spread as a percentage, or as a factor once it is beyond 10x. */
static const char *fmt_spread(double v, char *buf, size_t n)
{
	if (v >= 10)
		snprintf(buf, n, "%.0fx", v);
	else
		snprintf(buf, n, "%.0f%%", 100 * v);
	return buf;
}

/* How fast run k of x was against the reported run: > 1 is faster. */
static double run_speed(const struct result *x, unsigned int k)
{
	double rep = result_headline(x), v = x->runs[k];

	if (isnan(v) || v <= 0 || rep <= 0)
		return NAN;
	return x->pat == PAT_PINGPONG ? rep / v : v / rep;
}

/*
 * With --repeat: how far apart the runs of one cell were, (max-min) over
 * the reported (median) run's headline value, per pattern; then per round
 * the median over cells of that round's speed against the reported runs,
 * which shows a round that ran in a slow phase.  v: scratch for n values.
 */
static void print_repeat_noise(FILE *f, const struct result *r, size_t n,
			       double *v)
{
	const struct result *wr;
	unsigned int nruns = 0, k;
	size_t i, nv;
	bool first = true;
	char sz[32], a[32], b[32];
	int p;

	for (i = 0; i < n; i++)
		if (r[i].status == CELL_OK && r[i].nruns > nruns)
			nruns = r[i].nruns;
	if (nruns < 2)
		return;
	for (p = 0; p < PAT_NR; p++) {
		wr = NULL;
		for (i = nv = 0; i < n; i++) {
			const struct result *x = &r[i];

			if (x->status != CELL_OK || x->pat != (enum pattern)p ||
			    isnan(x->rep_spread))
				continue;
			v[nv++] = x->rep_spread;
			if (!wr || x->rep_spread > wr->rep_spread)
				wr = x;
		}
		if (!nv)
			continue;
		if (first)
			fprintf(f, "noise: across %u repeats per cell (interleaved rounds), "
				"(max-min)/median of", nruns);
		fprintf(f, "%s %s %s median %s (worst %s, %s %s)",
			first ? "" : ";", pat_name((enum pattern)p),
			p == PAT_PINGPONG ? "p50" : "msgs/s",
			fmt_spread(sort_median(v, nv), a, sizeof(a)),
			fmt_spread(wr->rep_spread, b, sizeof(b)), wr->m->name,
			size_str(wr->size, sz, sizeof(sz)));
		first = false;
	}
	if (first)
		return;
	fprintf(f, "\nnoise: round speed over the reported runs (median over cells; "
		"stream msgs/s, pingpong 1/p50):");
	for (k = 0; k < nruns && k < 20; k++) {
		for (i = nv = 0; i < n; i++)
			if (r[i].status == CELL_OK && k < r[i].nruns &&
			    !isnan(run_speed(&r[i], k)))
				v[nv++] = run_speed(&r[i], k);
		if (!nv)
			continue;
		fprintf(f, " round %u %.2f%s", k + 1, sort_median(v, nv),
			k + 1 < nruns && k + 1 < 20 ? "," : "");
	}
	fprintf(f, "%s\n", nruns > 20 ? " ..." : "");
}

static void print_noise(FILE *f, const struct result *r, size_t n)
{
	double *v = calloc(n + 1, sizeof(*v)), *w = calloc(n + 1, sizeof(*w));
	double worst = 0, wspread = 0, rtrips = 0, outl = 0;
	const struct result *wr = NULL, *ws = NULL;
	size_t i, nv = 0, nw = 0, ns = 0;
	char sz[32];

	if (!v || !w)
		goto out;
	for (i = 0; i < n; i++) {
		const struct result *x = &r[i];

		if (x->status != CELL_OK)
			continue;
		if (x->pat == PAT_PINGPONG && x->iterations >= P99_MIN_N) {
			double q = x->rtt_ns[ST_P99] / x->rtt_ns[ST_P50];

			v[nv++] = q;
			w[nw++] = x->rtt_ns[ST_STDDEV] / x->rtt_ns[ST_MEAN];
			if (q > worst) {
				worst = q;
				wr = x;
			}
			rtrips += x->iterations;
			outl += x->outliers;
		}
	}
	if (nv) {
		fprintf(f, "\nnoise: pingpong cells with n >= %d: p99/p50 median %.2f (worst %.1f, %s %s), "
			"stddev/mean median %.2f, %.3f%% of round trips above 10x p50\n",
			P99_MIN_N, sort_median(v, nv), worst, wr->m->name,
			size_str(wr->size, sz, sizeof(sz)), sort_median(w, nw),
			100.0 * outl / rtrips);
	}
	for (i = 0; i < n; i++) {
		const struct result *x = &r[i];

		if (x->status != CELL_OK || x->pat != PAT_STREAM ||
		    isnan(x->spread))
			continue;
		v[ns++] = x->spread;
		if (x->spread > wspread) {
			wspread = x->spread;
			ws = x;
		}
	}
	if (ns) {
		fprintf(f, "noise: stream throughput over ~10 intervals per cell, "
			"(max-min)/mean median %.0f%% (worst %.0f%%, %s %s)\n",
			100 * sort_median(v, ns), 100 * wspread, ws->m->name,
			size_str(ws->size, sz, sizeof(sz)));
	}
	print_repeat_noise(f, r, n, v);
out:
	free(v);
	free(w);
}

/* The machine, the placement, the profile. */
static void print_env(FILE *f, const struct env *env)
{
	fprintf(f, "ipcchan-bench: kernel %s (%s), %ld CPUs, accel %s, profile %s, %s\n",
		env->kernel, env->machine, env->cpus, env->accel,
		env->profile->name, env->date);
	if (env->cpu_model[0])
		fprintf(f, "cpu: %s (copy flags: %s)\n", env->cpu_model,
			env->copy_flags);
	if (env->clocksource[0])
		fprintf(f, "clocksource: %s\n", env->clocksource);
	if (bench_cpu[0] >= 0)
		fprintf(f, "processes pinned: side 0 (client/producer) on CPU %d, "
			"side 1 (server/consumer) on CPU %d\n",
			bench_cpu[0], bench_cpu[1]);
	else
		fprintf(f, "processes not pinned: the scheduler places them\n");
	fprintf(f, "profile %s: pingpong >= %.2f s and >= %llu round trips per cell "
		"(at most %llu), stream >= %.2f s and >= %llu messages per cell, "
		"after %.2f s warm-up\n",
		env->profile->name, env->profile->pp_time_s,
		(unsigned long long)env->profile->pp_min_iters,
		(unsigned long long)env->profile->pp_max_iters,
		env->profile->st_time_s,
		(unsigned long long)env->profile->st_min_msgs,
		env->profile->warm_s);
	if (env->profile->min_bytes)
		fprintf(f, "  (either minimum count is also met by %llu MiB one way, "
			"at least 20 messages: fewer at sizes above %llu B)\n",
			(unsigned long long)(env->profile->min_bytes / MiB),
			(unsigned long long)(env->profile->min_bytes /
					     env->profile->pp_min_iters));
	if (env->repeat > 1)
		fprintf(f, "repeat %u: every cell measured %u times in interleaved rounds "
			"(all cells, then all again); each figure is from one run, the "
			"median by stream msgs/s or pingpong p50\n",
			env->repeat, env->repeat);
	if (env->profile->pp_min_iters < 10000)
		fprintf(f, "note: profile %s is time-boxed and may measure fewer than "
			"the 10,000 round trips per cell of --profile full\n",
			env->profile->name);
}

/* The kernel limits raised, and the reference limits measured. */
static void print_limits(FILE *f, const struct limits *l)
{
	char sz[32];
	size_t i;

	if (n_sysctl_changes) {
		fprintf(f, "limits raised:");
		for (i = 0; i < n_sysctl_changes; i++) {
			struct sysctl_change *c = &sysctl_changes[i];

			fprintf(f, "%s %s %lld -> ", i ? "," : "", c->name,
				c->before);
			if (c->after < 0)
				fprintf(f, "unlimited");
			else
				fprintf(f, "%lld", c->after);
			if (c->err)
				fprintf(f, " (FAILED: %s)", strerror(c->err));
		}
		fputc('\n', f);
	}
	if (isnan(l->cacheline_rtt_ns))
		fprintf(f, "reference: cache-line round trip not measured; memcpy:");
	else
		fprintf(f, "reference: cache-line round trip between two processes %.0f ns "
			"(min %.0f); memcpy:", l->cacheline_rtt_ns,
			l->cacheline_rtt_min_ns);
	for (i = 0; i < l->nsizes; i++)
		fprintf(f, " %s %.0f MiB/s", size_str(l->sizes[i], sz, sizeof(sz)),
			l->memcpy_bps[i] / MiB);
	fputc('\n', f);
}

/*
 * The run itself: the seed of the cell order, the calibration cell at
 * the start and the end of every round and how far it drifted, and the
 * load of the machine.
 */
static void print_runinfo(FILE *f, const struct runinfo *ri)
{
	double v[2 * MAX_REPEAT], lo = INFINITY, hi = 0, a, b;
	unsigned int k, nv = 0;

	if (!ri)
		return;
	fprintf(f, "\nrun: %u round%s, cell order shuffled per round with seed %llu "
		"(--seed %llu repeats it)\n", ri->nrounds, ri->nrounds == 1 ? "" : "s",
		ri->seed, ri->seed);
	fprintf(f, "calibration: pipe 64 B pingpong p50 (us) at the start and end of each round, drift = end/start - 1:\n");
	for (k = 0; k < ri->nrounds; k++) {
		a = ri->calib_ns[k][0];
		b = ri->calib_ns[k][1];
		fprintf(f, "  round %u: %.2f (n=%llu) -> %.2f (n=%llu), drift %+.1f%%, round took %.1f s\n",
			k + 1, a / 1e3, (unsigned long long)ri->calib_n[k][0],
			b / 1e3, (unsigned long long)ri->calib_n[k][1],
			100 * (b / a - 1), ri->round_s[k]);
		if (!isnan(a))
			v[nv++] = a;
		if (!isnan(b))
			v[nv++] = b;
		lo = a < lo ? a : lo;
		lo = b < lo ? b : lo;
		hi = a > hi ? a : hi;
		hi = b > hi ? b : hi;
	}
	if (nv)
		fprintf(f, "  overall: (max-min)/median of the %u calibration p50s %.1f%%, first -> last %+.1f%%\n",
			nv, 100 * (hi - lo) / sort_median(v, nv),
			100 * (ri->calib_ns[ri->nrounds - 1][1] / ri->calib_ns[0][0] - 1));
	fprintf(f, "load (/proc/loadavg here): start %s, end %s\n", ri->load[0],
		ri->load[1]);
	if (ri->host_load)
		fprintf(f, "load (/proc/loadavg of the host, at start): %s\n",
			ri->host_load);
}

void report_all(FILE *f, const struct env *env, const struct limits *l,
		const struct result *r, size_t n, bool tty)
{
	struct grid g;
	size_t i;
	int p;

	(void)tty;
	grid_build(&g, r, n);
	print_env(f, env);
	print_limits(f, l);
	for (p = 0; p < PAT_NR; p++) {
		for (i = 0; i < n && r[i].pat != (enum pattern)p; i++)
			;
		if (i < n)
			print_tables(f, p, &g, r, n);
	}
	fprintf(f, "\n* spins before sleeping (its CPU time includes the spin):");
	for (i = 0; i < g.nm; i++)
		if (g.m[i]->spin)
			fprintf(f, " %s: %s;", g.m[i]->name, g.m[i]->spin);
	fprintf(f, " every other method blocks in the kernel.\n");
	print_relative(f, &g, l, r, n);
	print_costs(f, &g, r, n);
	print_targets(f, l, r, n);
	print_noise(f, r, n);
	print_runinfo(f, env->run);
}
