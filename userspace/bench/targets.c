// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench targets: the ratios the project aims for, each judged from
 * paired rounds.  With --repeat N every cell runs once per round, in a
 * shuffled order; a target's numerator and denominator of round k were
 * measured in the same round, minutes apart at most, so their ratio is
 * one paired sample and a slow phase of the machine hits both.  The
 * verdict comes from the median of the N paired ratios and its
 * distribution-free confidence interval (median_ci() in stats.c):
 *
 *	met           the whole interval is on the right side of the bound
 *	missed        the whole interval is on the wrong side
 *	inconclusive  the interval contains the bound, or fewer than
 *		      MIN_ROUNDS rounds
 *	not run       a method it needs is not in this run
 *
 * A target is one line of targets[]: a new method needs one line.  Where a
 * target names several denominators it is against the best of them, the
 * one with the best median over the rounds, paired round by round.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define MIN_ROUNDS	5
#define MAX_DEN		8

static const struct target {
	const char *issue;	/* which issue asked for it */
	enum pattern pat;
	size_t size;
	const char *num;
	const char *den[MAX_DEN];	/* the best of these; "memcpy" = reference */
	bool lower;		/* ratio must be <= bound (latency) */
	double bound;
} targets[] = {
	/* issue 15: against the strongest standard path of the same kind */
	{ "15", PAT_STREAM, 64, "ipcchan-ring", { "shm-futex" }, false, 1.0 },
	{ "15", PAT_PINGPONG, 64, "ipcchan-ring-spin0", { "shm-futex-spin0" },
	  true, 1.2 },
	{ "15", PAT_STREAM, 64, "ipcchan-ring-zc", { "shm-futex-zc" }, false, 1.0 },
	{ "15", PAT_STREAM, 64, "ipcchan-batch",
	  { "unix-dgram-batch", "unix-seqpacket-batch", "io-uring",
	    "io-uring-sqpoll" }, false, 1.0 },
	{ "15", PAT_STREAM, 64, "ipcchan-ioctl",
	  { "pipe", "fifo", "unix-stream", "unix-dgram", "unix-seqpacket",
	    "tcp", "posix-mq", "sysv-msg" }, false, 1.0 },
	{ "15", PAT_STREAM, MiB, "ipcchan-ring-zc",
	  { "memfd-scm", "process-vm-writev", "vmsplice" }, false, 1.0 },
	/* issue 7: the first targets */
	{ "7", PAT_STREAM, 64, "ipcchan-ring", { "pipe" }, false, 10 },
	{ "7", PAT_STREAM, 64, "ipcchan-batch", { "pipe" }, false, 5 },
	{ "7", PAT_PINGPONG, 64, "ipcchan-ring", { "pipe" }, true, 0.5 },
	{ "7", PAT_STREAM, MiB, "ipcchan-ring-zc", { "pipe" }, false, 1.5 },
	{ "7", PAT_STREAM, MiB, "ipcchan-ring-zc", { "memcpy" }, false, 0.7 },
	{ "7", PAT_STREAM, MiB, "ipcchan-ring", { "pipe" }, false, 1.0 },
};

/* One target evaluated. */
struct tresult {
	const struct result *x, *y;	/* numerator, chosen denominator */
	double ref;		/* "memcpy": the reference bytes/s, else NaN */
	char den[160];		/* the denominators, '/'-separated */
	char missing[160];	/* methods not in the run */
	double ratio[MAX_REPEAT];	/* by round, NaN where one failed */
	unsigned int nruns;
	struct median_ci ci;
	const char *verdict;
};

static void append(char *buf, size_t len, const char *sep, const char *s)
{
	size_t l = strlen(buf);

	snprintf(buf + l, len - l, "%s%s", l ? sep : "", s);
}

/* The median of a cell's runs by its headline value; NaN if none ran. */
static double runs_median(const struct result *x)
{
	double v[MAX_REPEAT];
	unsigned int i, k = 0;

	for (i = 0; i < x->nruns; i++)
		if (!isnan(x->runs[i]))
			v[k++] = x->runs[i];
	return k ? sort_median(v, k) : NAN;
}

/* The denominator with the best median, or the memcpy reference. */
static void pick_den(const struct target *t, const struct limits *l,
		     const struct result *r, size_t n, struct tresult *tr)
{
	double best = NAN, v;
	size_t j, k;

	for (j = 0; j < MAX_DEN && t->den[j]; j++) {
		const struct result *y;

		append(tr->den, sizeof(tr->den), "/", t->den[j]);
		if (!strcmp(t->den[j], "memcpy")) {
			for (k = 0; k < l->nsizes; k++)
				if (l->sizes[k] == t->size)
					tr->ref = l->memcpy_bps[k];
			continue;
		}
		y = result_find(r, n, t->den[j], t->pat, t->size);
		if (!y) {
			append(tr->missing, sizeof(tr->missing), ", ", t->den[j]);
			continue;
		}
		if (y->status != CELL_OK)
			continue;
		v = runs_median(y);
		if (isnan(v))
			continue;
		if (isnan(best) || (t->lower ? v < best : v > best)) {
			best = v;
			tr->y = y;
		}
	}
}

/* The verdict of a ratio that must be <= (@lower) or >= @bound. */
const char *target_judge(bool lower, double bound, const struct median_ci *ci)
{
	if (ci->n < MIN_ROUNDS)
		return "inconclusive";
	if (lower ? ci->hi <= bound : ci->lo >= bound)
		return "met";
	if (lower ? ci->lo > bound : ci->hi < bound)
		return "missed";
	return "inconclusive";
}

/* The paired ratios of target t, their median and interval, the verdict. */
static void evaluate(const struct target *t, const struct limits *l,
		     const struct result *r, size_t n, struct tresult *tr)
{
	double v[MAX_REPEAT], a, b;
	unsigned int k, nv = 0;

	memset(tr, 0, sizeof(*tr));
	tr->ref = NAN;
	tr->ci.median = tr->ci.lo = tr->ci.hi = NAN;
	tr->x = result_find(r, n, t->num, t->pat, t->size);
	if (!tr->x)
		append(tr->missing, sizeof(tr->missing), ", ", t->num);
	pick_den(t, l, r, n, tr);
	if (!tr->x || (!tr->y && isnan(tr->ref))) {
		tr->verdict = tr->x && tr->x->status == CELL_OK && !tr->missing[0] ?
			      "failed" : "not run";
		if (tr->x && tr->x->status == CELL_SKIPPED)
			append(tr->missing, sizeof(tr->missing), ", ", t->num);
		return;
	}
	if (tr->x->status != CELL_OK) {
		tr->verdict = tr->x->status == CELL_SKIPPED ? "not run" : "failed";
		if (tr->x->status == CELL_SKIPPED)
			append(tr->missing, sizeof(tr->missing), ", ", t->num);
		return;
	}
	tr->nruns = tr->x->nruns;
	for (k = 0; k < tr->nruns; k++) {
		a = tr->x->runs[k];
		/* stream: msgs/s (x size = bytes/s); pingpong: p50 round trip */
		b = tr->y ? tr->y->runs[k] : tr->ref / (double)t->size;
		tr->ratio[k] = a > 0 && b > 0 ? a / b : NAN;
		if (!isnan(tr->ratio[k]))
			v[nv++] = tr->ratio[k];
	}
	median_ci(v, nv, &tr->ci);
	tr->verdict = nv ? target_judge(t->lower, t->bound, &tr->ci) : "failed";
}

static const char *metric_name(const struct target *t)
{
	if (t->pat == PAT_PINGPONG)
		return "p50 RTT";
	return t->size >= MiB ? "bytes/s" : "msgs/s";
}

void print_targets(FILE *f, const struct limits *l, const struct result *r,
		   size_t n)
{
	struct tresult tr;
	char sz[32], bound[32], den[200];
	double cov = NAN;
	size_t i;

	fprintf(f, "\ntargets: ratio of paired rounds (numerator and denominator from the same round), median [interval] over n rounds\n");
	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		const struct target *t = &targets[i];

		evaluate(t, l, r, n, &tr);
		snprintf(bound, sizeof(bound), "%s %.1fx", t->lower ? "<=" : ">=",
			 t->bound);
		snprintf(den, sizeof(den), "%s", tr.y ? tr.y->m->name : tr.den);
		if (tr.y && strchr(tr.den, '/'))
			snprintf(den, sizeof(den), "best %s", tr.y->m->name);
		fprintf(f, "  #%-2s %-8s %-6s %-7s %-18s / %-24s %-9s ",
			t->issue, pat_name(t->pat),
			size_str(t->size, sz, sizeof(sz)), metric_name(t), t->num,
			den, bound);
		if (!isnan(tr.ci.median)) {
			fprintf(f, "%6.2fx [%.2f, %.2f] n=%u  %s\n", tr.ci.median,
				tr.ci.lo, tr.ci.hi, tr.ci.n, tr.verdict);
			if (tr.ci.n >= MIN_ROUNDS && (isnan(cov) || tr.ci.coverage < cov))
				cov = tr.ci.coverage;
		} else if (tr.missing[0]) {
			fprintf(f, "%s (absent or skipped: %s)\n", tr.verdict, tr.missing);
		} else {
			fprintf(f, "%s\n", tr.verdict);
		}
	}
	fprintf(f, "  interval: the distribution-free (order-statistic) confidence interval of the median of the\n"
		"  paired ratios; with 5 rounds it is [min, max] (93.8%% coverage), from 6 rounds on >= 95%%");
	if (!isnan(cov))
		fprintf(f, " (lowest here %.1f%%)", 100 * cov);
	fprintf(f, ".\n  met: the interval clears the bound; missed: wholly on the wrong side; "
		"inconclusive: otherwise or < %d rounds.\n"
		"  against several methods: the one with the best median, paired round by round.\n",
		MIN_ROUNDS);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fprintf(f, "null");
	else
		fprintf(f, "%.17g", v);
}

/* "ratios": [...] by round, then the median, its interval and n. */
static void json_ratios(FILE *f, const double *ratio, unsigned int nruns,
			const struct median_ci *ci)
{
	unsigned int k;

	fprintf(f, "\"ratios\": [");
	for (k = 0; k < nruns; k++) {
		fprintf(f, "%s", k ? ", " : "");
		json_num(f, ratio[k]);
	}
	fprintf(f, "], \"median\": ");
	json_num(f, ci->median);
	fprintf(f, ", \"ci_low\": ");
	json_num(f, ci->lo);
	fprintf(f, ", \"ci_high\": ");
	json_num(f, ci->hi);
	fprintf(f, ", \"ci_coverage\": ");
	json_num(f, ci->n ? ci->coverage : NAN);
	fprintf(f, ", \"n\": %u", ci->n);
}

/*
 * "targets": [...] with the paired ratios of every round; the scale
 * pattern's 8x8 target last, when it ran.
 */
void json_targets(FILE *f, const struct limits *l, const struct result *r,
		  size_t n)
{
	struct scale_target st;
	struct tresult tr;
	size_t i;

	fprintf(f, "  \"targets\": [");
	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		const struct target *t = &targets[i];

		evaluate(t, l, r, n, &tr);
		fprintf(f, "%s\n    {\"issue\": \"%s\", \"pattern\": \"%s\", \"size\": %zu, "
			"\"numerator\": \"%s\", \"denominators\": \"%s\", \"chosen\": \"%s\", "
			"\"bound\": %g, \"bound_is\": \"%s\", \"verdict\": \"%s\",\n     ",
			i ? "," : "", t->issue, pat_name(t->pat), t->size, t->num,
			tr.den, tr.y ? tr.y->m->name : !isnan(tr.ref) ? "memcpy" : "",
			t->bound, t->lower ? "max" : "min", tr.verdict);
		json_ratios(f, tr.ratio, tr.nruns, &tr.ci);
		fprintf(f, ", \"absent\": \"%s\"}", tr.missing);
	}
	if (scale_target(&st)) {
		fprintf(f, "%s\n    {\"issue\": \"15\", \"pattern\": \"scale\", \"shape\": \"8x8 one channel\", "
			"\"size\": 64, \"numerator\": \"ipcchan-ioctl\", "
			"\"denominators\": \"posix-mq/unix-dgram\", \"chosen\": \"%s\", "
			"\"bound\": 1, \"bound_is\": \"min\", \"verdict\": \"%s\",\n     ",
			i ? "," : "", st.den, st.verdict);
		json_ratios(f, st.ratio, st.nruns, &st.ci);
		fprintf(f, ", \"absent\": \"\"}");
	}
	fprintf(f, "\n  ],\n");
}
