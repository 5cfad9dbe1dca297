// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench options: the command line into struct options, with the
 * defaults of the quick profile, every method and the default sizes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define DEFAULT_SPIN_NS	20000
static const struct profile profiles[] = {
	{
		.name = "quick",
		.warm_s = 0.03, .pp_time_s = 0.2, .pp_min_iters = 20,
		.pp_max_iters = 200000, .st_time_s = 0.2, .st_min_msgs = 20,
		.ref_time_s = 0.3, .watchdog_s = 60,
	},
	{
		/*
		 * 10,000 round trips of 1 MiB would take minutes per cell
		 * under TCG: above 4 KiB the minimum is 64 MiB moved.
		 */
		.name = "full",
		.warm_s = 0.2, .pp_time_s = 0.5, .pp_min_iters = 10000,
		.pp_max_iters = 2000000, .st_time_s = 1.0, .st_min_msgs = 1000,
		.min_bytes = 64 * MiB, .ref_time_s = 2.0, .watchdog_s = 1800,
	},
};

static const size_t default_sizes[] = { 8, 64, 512, 4 * KiB, 64 * KiB, MiB };

static void usage(FILE *f)
{
	fprintf(f,
"usage: ipcchan-bench [options]\n"
"\n"
"Moves messages between two processes with every method and reports\n"
"round-trip latency (pingpong) and one-way throughput (stream) per message\n"
"size, with CPU time per message for both processes.\n"
"\n"
"  --profile quick|full  quick (default): each cell time-boxed to ~0.2 s,\n"
"                        fewer than 10,000 round trips; full: >= 0.5 s and\n"
"                        >= 10,000 round trips per pingpong cell, >= 1 s and\n"
"                        >= 1,000 messages per stream cell, or 64 MiB one way\n"
"                        where that is fewer (sizes above 4 KiB)\n"
"  --methods LIST        comma-separated method names, or all (default)\n"
"  --sizes LIST          comma-separated sizes in bytes, K/M suffixes allowed\n"
"                        (default 8,64,512,4K,64K,1M)\n"
"  --pattern P[,P...]    pingpong, stream, both (default: pingpong,stream),\n"
"                        sweep (large transfers, stream, over --sweep-sizes,\n"
"                        and where mapping beats copying), scale (P producers\n"
"                        x C consumers on one channel, P pairs, idle channels\n"
"                        beside a busy pair, 64 B), or all\n"
"  --sweep-sizes LIST    sizes of the sweep (default 4K..16M, factor 2 with\n"
"                        --profile full; 4K..4M, factor 4 in quick); LIST as\n"
"                        --sizes, where \"sweep\" stands for 4K,8K,...,16M\n"
"  --scale-shapes LIST   shapes of the scale pattern: NxN (N producers and N\n"
"                        consumers on one channel), pairsN, idleN (default\n"
"                        1x1,2x2,4x4,8x8,pairs2,pairs4,pairs8,idle1,idle100,\n"
"                        idle1000)\n"
"  --accel A             tcg, kvm or none (recorded in the output)\n"
"  --out DIR             write DIR/bench.json, bench.csv and table.txt (and\n"
"                        sweep.csv, crossover.csv, scale.csv for those patterns)\n"
"  --repeat N            measure every cell N times (1..%d, default 1), in\n"
"                        rounds: every cell once, then every cell again, ...;\n"
"                        report each cell's median run (stream: msgs/s,\n"
"                        pingpong: p50) with all of that run's figures;\n"
"                        targets use the paired per-round ratios (>= 5\n"
"                        rounds for a verdict)\n"
"  --seed N              seed of the cell order, shuffled every round\n"
"                        (default: from the clock; the report prints it)\n"
"  --host-load STR       the host's /proc/loadavg, recorded in the report\n"
"  --no-syscalls         do not count system calls (no perf counter)\n"
"  --time SEC            override the measuring time per cell\n"
"  --iterations N        override the minimum round trips per pingpong cell\n"
"  --batch N             messages per call for ipcchan-batch stream (64)\n"
"  --spin-ns N           spin before sleeping of shm-futex and the ipcchan rings\n"
"                        (default %d ns)\n"
"  --ring-spin N         libipcchan ring spin before sleeping, ns (default: --spin-ns)\n"
"  --no-raise            do not raise kernel limits (sysctls, rlimits)\n"
"  --pin                 pin side 0 (client/producer) and side 1\n"
"                        (server/consumer) to the first two CPUs this process\n"
"                        may use (default: the scheduler places them)\n"
"  --cpus A,B            pin side 0 to CPU A and side 1 to CPU B\n"
"  --list                list the methods and exit\n"
"  -h, --help            this help\n"
"\n"
"Exit status: 0 when every cell ran or was skipped with a reason, 1 when a\n"
"cell failed, 2 on a usage error.\n", MAX_REPEAT, DEFAULT_SPIN_NS);
}

static int parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end == 'K' || *end == 'k') {
		v *= KiB;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v *= MiB;
		end++;
	}
	if (!strcmp(end, "iB") || !strcmp(end, "B"))
		end += strlen(end);
	if (*end || v == 0 || v > 64 * MiB)
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}

static int parse_sizes(char *arg, size_t *out, size_t *n, size_t max)
{
	char *tok, *save = NULL;

	*n = 0;
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "sweep")) {	/* 4 KiB .. 16 MiB, factor 2 */
			size_t s;

			for (s = 4 * KiB; s <= 16 * MiB && *n < max; s *= 2)
				out[(*n)++] = s;
			continue;
		}
		if (*n == max || parse_size(tok, &out[*n])) {
			fprintf(stderr, "ipcchan-bench: bad size '%s' (1 B .. 64 MiB, at most %zu sizes)\n",
				tok, max);
			return -EINVAL;
		}
		(*n)++;
	}
	return *n ? 0 : -EINVAL;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return (end == s || *end || *out <= 0) ? -EINVAL : 0;
}

static int parse_ulong(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return (errno || end == s || *end || *s == '-') ? -EINVAL : 0;
}

/* Every option's complaint: "ipcchan-bench: bad --NAME 'ARG'" + what. */
static int bad(const char *name, const char *arg, const char *what)
{
	fprintf(stderr, "ipcchan-bench: bad %s '%s'%s\n", name, arg, what);
	return 2;
}

static int opt_profile(struct options *o, const char *arg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(profiles); i++) {
		if (!strcmp(arg, profiles[i].name)) {
			o->prof = profiles[i];
			return -1;
		}
	}
	fprintf(stderr, "ipcchan-bench: unknown profile '%s' (quick, full)\n",
		arg);
	return 2;
}

/* --pattern: a comma-separated list; both = pingpong,stream; all = every one */
static int opt_pattern(struct options *o, char *arg)
{
	char *tok, *save = NULL, copy[128];

	snprintf(copy, sizeof(copy), "%s", arg);
	o->pat[PAT_PINGPONG] = o->pat[PAT_STREAM] = o->sweep = o->scale = false;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		bool all = !strcmp(tok, "all"), both = all || !strcmp(tok, "both");

		if (both || !strcmp(tok, "pingpong"))
			o->pat[PAT_PINGPONG] = true;
		if (both || !strcmp(tok, "stream"))
			o->pat[PAT_STREAM] = true;
		if (all || !strcmp(tok, "sweep"))
			o->sweep = true;
		if (all || !strcmp(tok, "scale"))
			o->scale = true;
		if (!both && strcmp(tok, "pingpong") && strcmp(tok, "stream") &&
		    strcmp(tok, "sweep") && strcmp(tok, "scale"))
			return bad("pattern", arg,
				   " (pingpong, stream, both, sweep, scale, all; comma-separated)");
	}
	if (!o->pat[PAT_PINGPONG] && !o->pat[PAT_STREAM] && !o->sweep &&
	    !o->scale)
		return bad("pattern", arg, "");
	return -1;
}

static int opt_accel(struct options *o, const char *arg)
{
	if (strcmp(arg, "tcg") && strcmp(arg, "kvm") && strcmp(arg, "none"))
		return bad("accel", arg, " (tcg, kvm, none)");
	o->env.accel = arg;
	return -1;
}

static int opt_time(struct options *o, const char *arg)
{
	double d;

	if (parse_double(arg, &d))
		return bad("--time", arg, "");
	o->prof.pp_time_s = o->prof.st_time_s = d;
	if (o->prof.watchdog_s < 20 * d + 60)
		o->prof.watchdog_s = 20 * d + 60;
	return -1;
}

static int opt_repeat(struct options *o, const char *arg)
{
	unsigned long ul;
	char what[32];

	if (parse_ulong(arg, &ul) || !ul || ul > MAX_REPEAT) {
		snprintf(what, sizeof(what), " (1..%d)", MAX_REPEAT);
		return bad("--repeat", arg, what);
	}
	o->env.repeat = (unsigned int)ul;
	return -1;
}

static int opt_iterations(struct options *o, const char *arg)
{
	unsigned long ul;

	if (parse_ulong(arg, &ul) || !ul)
		return bad("--iterations", arg, "");
	o->prof.pp_min_iters = ul;
	if (o->prof.pp_max_iters < ul)
		o->prof.pp_max_iters = ul;
	return -1;
}

static int opt_batch(struct options *o, const char *arg)
{
	unsigned long ul;

	if (parse_ulong(arg, &ul) || !ul || ul > 1024)
		return bad("--batch", arg, " (1..1024)");
	o->batch = (unsigned int)ul;
	return -1;
}

/* --spin-ns and --ring-spin: nanoseconds, at most a second. */
static int opt_ns(const char *name, const char *arg, long *out)
{
	unsigned long ul;

	if (parse_ulong(arg, &ul) || ul > 1000000000UL)
		return bad(name, arg, "");
	*out = (long)ul;
	return -1;
}

static int opt_cpus(struct options *o, const char *arg)
{
	char junk;

	if (sscanf(arg, "%d,%d%c", &o->cpu[0], &o->cpu[1], &junk) != 2 ||
	    o->cpu[0] < 0 || o->cpu[1] < 0 || o->cpu[0] >= CPU_SETSIZE ||
	    o->cpu[1] >= CPU_SETSIZE)
		return bad("--cpus", arg, " (A,B)");
	o->pin = 2;
	return -1;
}

static int opt_seed(struct options *o, const char *arg)
{
	char *end;

	errno = 0;
	o->seed = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || *arg == '-')
		return bad("--seed", arg, "");
	o->seed_set = true;
	return -1;
}

/* One option: -1 to go on, else the exit status. */
static int one_option(struct options *o, int c, char *arg)
{
	switch (c) {
	case 'p': return opt_profile(o, arg);
	case 'm': return methods_parse(arg, o->methods, &o->nmethods) ? 2 : -1;
	case 's': return parse_sizes(arg, o->sizes, &o->nsizes, MAX_SIZES) ? 2 : -1;
	case 'X': return scale_parse_shapes(arg) ?
			 bad("--scale-shapes", arg, " (NxN, pairsN, idleN; N <= 8, idle <= 1000)") : -1;
	case 'W': return parse_sizes(arg, o->sweep_sizes, &o->nsweep, MAX_SIZES) ? 2 : -1;
	case 'P': return opt_pattern(o, arg);
	case 'a': return opt_accel(o, arg);
	case 'o': o->out = arg; return -1;
	case 't': return opt_time(o, arg);
	case 'r': return opt_repeat(o, arg);
	case 'i': return opt_iterations(o, arg);
	case 'b': return opt_batch(o, arg);
	case 'S': return opt_ns("--spin-ns", arg, &o->env.spin_ns);
	case 'R': return opt_ns("--ring-spin", arg, &bench_ring_spin);
	case 'N': o->raise = false; return -1;
	case 'C': return opt_cpus(o, arg);
	case 'n': o->pin = 1; return -1;
	case 'E': return opt_seed(o, arg);
	case 'H': o->host_load = arg; return -1;
	case 'Y': o->no_syscalls = true; return -1;
	case 'l': methods_list(stdout); return 0;
	case 'h': usage(stdout); return 0;
	default: usage(stderr); return 2;
	}
}

static void defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->prof = profiles[0];
	o->env.accel = "none";
	o->env.spin_ns = DEFAULT_SPIN_NS;
	o->env.repeat = 1;
	o->env.profile = &o->prof;
	o->nmethods = methods_all(o->methods);
	memcpy(o->sizes, default_sizes, sizeof(default_sizes));
	o->nsizes = ARRAY_SIZE(default_sizes);
	o->pat[PAT_PINGPONG] = o->pat[PAT_STREAM] = true;
	o->raise = true;
	o->batch = 64;
	o->cpu[0] = o->cpu[1] = -1;
}

/* --pin and --cpus: the CPU of each side (bench_cpu). */
static int place_sides(struct options *o)
{
	if (o->pin == 1)
		pick_cpus(&o->cpu[0], &o->cpu[1]);
	if (o->pin && (o->cpu[0] < 0 || o->cpu[1] < 0)) {
		fprintf(stderr, "ipcchan-bench: --pin needs two CPUs\n");
		return 2;
	}
	if (o->pin) {
		bench_cpu[0] = o->cpu[0];
		bench_cpu[1] = o->cpu[1];
	}
	return -1;
}

/* -1 when the benchmark should run, else the exit status (help, errors). */
int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "methods", required_argument, NULL, 'm' },
		{ "sizes", required_argument, NULL, 's' },
		{ "sweep-sizes", required_argument, NULL, 'W' },
		{ "scale-shapes", required_argument, NULL, 'X' },
		{ "pattern", required_argument, NULL, 'P' },
		{ "accel", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "time", required_argument, NULL, 't' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "batch", required_argument, NULL, 'b' },
		{ "spin-ns", required_argument, NULL, 'S' },
		{ "ring-spin", required_argument, NULL, 'R' },
		{ "no-raise", no_argument, NULL, 'N' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "pin", no_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 'E' },
		{ "host-load", required_argument, NULL, 'H' },
		{ "no-syscalls", no_argument, NULL, 'Y' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, rc;

	defaults(o);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		rc = one_option(o, c, optarg);
		if (rc >= 0)
			return rc;
	}
	if (!o->nsweep)
		o->nsweep = sweep_default_sizes(o->prof.name, o->sweep_sizes);
	if (optind < argc) {
		fprintf(stderr, "ipcchan-bench: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return place_sides(o);
}
