// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench statistics: percentiles of a cell's round trips, medians
 * over cells for the noise lines, the spread of a stream's interval rates,
 * and which of a cell's repeated runs is reported (--repeat: the median).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const char *const stat_names[ST_NR] = {
	"min", "p50", "p90", "p99", "max", "mean", "stddev",
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentiles; sorts v in place. */
void stats_compute(double *v, size_t n, double out[ST_NR])
{
	double sum = 0, sq = 0, mean;
	size_t i;

	if (!n) {
		for (i = 0; i < ST_NR; i++)
			out[i] = NAN;
		return;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	mean = sum / n;
	for (i = 0; i < n; i++)
		sq += (v[i] - mean) * (v[i] - mean);
	out[ST_MIN] = v[0];
	out[ST_P50] = v[(size_t)ceil(0.50 * n) - 1];
	out[ST_P90] = v[(size_t)ceil(0.90 * n) - 1];
	out[ST_P99] = v[(size_t)ceil(0.99 * n) - 1];
	out[ST_MAX] = v[n - 1];
	out[ST_MEAN] = mean;
	out[ST_STDDEV] = n > 1 ? sqrt(sq / (n - 1)) : 0;
}

/* The median of n > 0 values (the upper one for an even n); sorts v. */
double sort_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/*
 * (max-min)/mean of the rates between n marks (t[i] seconds, count[i]
 * messages so far); NaN with fewer than two intervals.
 */
double rate_spread(const double *t, const uint64_t *count, unsigned int n)
{
	double lo = INFINITY, hi = 0, sum = 0, rate;
	unsigned int i, k = 0;

	for (i = 1; i < n; i++) {
		double dt = t[i] - t[i - 1];

		if (dt <= 0)
			continue;
		rate = (count[i] - count[i - 1]) / dt;
		lo = rate < lo ? rate : lo;
		hi = rate > hi ? rate : hi;
		sum += rate;
		k++;
	}
	return k >= 2 ? (hi - lo) / (sum / k) : NAN;
}

/* --- repeats --------------------------------------------------------------- */

/* The value a cell's runs are ranked by: stream msgs/s, pingpong p50. */
double result_headline(const struct result *r)
{
	return r->pat == PAT_PINGPONG ? r->rtt_ns[ST_P50] : r->msgs_per_s;
}

const char *headline_name(enum pattern p)
{
	return p == PAT_PINGPONG ? "rtt_p50_ns" : "msgs_per_s";
}

/* Is run a better than run b by the headline metric? */
static bool better(const struct result *a, const struct result *b)
{
	double x = result_headline(a), y = result_headline(b);

	return a->pat == PAT_PINGPONG ? x < y : x > y;
}

/* The first failed run, its reason prefixed with its round; n if none. */
static unsigned int first_failed(const struct result *run, unsigned int n,
				 struct result *out)
{
	char why[WHY_LEN];
	unsigned int i;

	for (i = 0; i < n && run[i].status != CELL_ERROR; i++)
		;
	if (i == n)
		return n;
	*out = run[i];
	if (n > 1) {
		size_t l = (size_t)snprintf(why, sizeof(why),
					    "round %u/%u: ", i + 1, n);
		size_t w = strnlen(run[i].why, sizeof(why) - 1 - l);

		memcpy(why + l, run[i].why, w);
		why[l + w] = 0;
		memcpy(out->why, why, sizeof(why));
	}
	return i;
}

/* The median run by the headline metric; the worse middle one for even n. */
static unsigned int median_run(const struct result *run, unsigned int n)
{
	const struct result *rank[MAX_REPEAT], *t;
	unsigned int i, j;

	/* insertion sort, best first; equal runs keep round order */
	for (i = 0; i < n; i++) {
		t = &run[i];
		for (j = i; j > 0 && better(t, rank[j - 1]); j--)
			rank[j] = rank[j - 1];
		rank[j] = t;
	}
	return (unsigned int)(rank[n / 2] - run);
}

/*
 * Make one reported cell of the n runs of a cell (run[k]: round k + 1).  A
 * failed run makes the cell failed (with the round in the reason); else the
 * reported run is the median by the headline metric, all its figures
 * together, so its percentiles, CPU time and throughput stay one
 * measurement.  With an even n it is the worse of the two middle runs.
 */
void combine_runs(const struct result *run, unsigned int n,
		  struct result *out)
{
	double lo = INFINITY, hi = -INFINITY, v;
	unsigned int i, pick;

	pick = first_failed(run, n, out);
	if (pick == n) {
		pick = run[0].status == CELL_OK ? median_run(run, n) : 0;
		*out = run[pick];
	}
	out->nruns = n;
	out->median_round = pick + 1;
	out->rep_spread = NAN;
	for (i = 0; i < n; i++) {
		v = run[i].status == CELL_OK ? result_headline(&run[i]) : NAN;
		out->runs[i] = v;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	v = result_headline(out);
	if (out->status == CELL_OK && n > 1 && v > 0)
		out->rep_spread = (hi - lo) / v;
}

/* --- paired ratios ------------------------------------------------------- */

/*
 * The median of n values and the order-statistic confidence interval of
 * the median, which assumes nothing about the distribution: with the
 * values sorted, [v(k), v(n+1-k)] (1-based) holds the true median with
 * probability 1 - 2 P(B < k), B ~ Binomial(n, 1/2).  k is the largest
 * that keeps that at 95% or more; with n = 5 no k reaches 95% and the
 * interval is [min, max] at 93.75%.  The coverage is returned so the
 * report can say it.  Sorts v.
 */
void median_ci(double *v, unsigned int n, struct median_ci *ci)
{
	double tail = 0, c = 1, cov = NAN, best = NAN;
	unsigned int i, k = 0;

	ci->n = n;
	ci->median = ci->lo = ci->hi = ci->coverage = NAN;
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	ci->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	/* tail = P(B <= i - 1) for the interval [v(i), v(n+1-i)] */
	for (i = 1; i <= (n + 1) / 2; i++) {
		tail += c / ldexp(1.0, (int)n);	/* + C(n, i-1) / 2^n */
		c = c * (n - (i - 1)) / i;	/* C(n, i) */
		cov = 1 - 2 * tail;
		if (i == 1 || cov >= 0.95) {
			k = i;
			best = cov;
		}
		if (cov < 0.95)
			break;
	}
	ci->lo = v[k - 1];
	ci->hi = v[n - k];
	ci->coverage = best < 0 ? 0 : best;
}
