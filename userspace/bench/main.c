// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench: compare ipcchan with every standard Linux IPC path, between
 * two processes, side by side, in one run.
 *
 *	ipcchan-bench [--profile quick|full] [--methods a,b] [--sizes 8,64K]
 *		      [--pattern pingpong|stream|both] [--accel tcg|kvm|none]
 *		      [--repeat N] [--out DIR]
 *
 * See docs/benchmark.md for the methodology.  Progress goes to stderr, the
 * report to stdout, and with --out DIR also bench.json, bench.csv and
 * table.txt to DIR.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_METHODS	32
#define DEFAULT_SPIN_NS	20000

static const struct profile profiles[] = {
	{
		.name = "quick",
		.warm_s = 0.03, .pp_time_s = 0.2, .pp_min_iters = 20,
		.pp_max_iters = 200000, .st_time_s = 0.2, .st_min_msgs = 20,
		.ref_time_s = 0.3, .watchdog_s = 60,
	},
	{
		.name = "full",
		.warm_s = 0.3, .pp_time_s = 1.0, .pp_min_iters = 10000,
		.pp_max_iters = 2000000, .st_time_s = 2.0, .st_min_msgs = 1000,
		.ref_time_s = 2.0, .watchdog_s = 1800,
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
"                        fewer than 10,000 round trips; full: >= 10,000\n"
"                        round trips and >= 1 s per pingpong cell, 2 s per\n"
"                        stream cell\n"
"  --methods LIST        comma-separated method names, or all (default)\n"
"  --sizes LIST          comma-separated sizes in bytes, K/M suffixes allowed\n"
"                        (default 8,64,512,4K,64K,1M)\n"
"  --pattern P           pingpong, stream or both (default)\n"
"  --accel A             tcg, kvm or none (recorded in the output)\n"
"  --out DIR             write DIR/bench.json, bench.csv and table.txt\n"
"  --repeat N            measure every cell N times (1..%d, default 1), in\n"
"                        rounds: every cell once, then every cell again, ...;\n"
"                        report each cell's median run (stream: msgs/s,\n"
"                        pingpong: p50) with all of that run's figures\n"
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

static const struct method *all_methods[MAX_METHODS];
static size_t n_all;

static void collect_methods(void)
{
	size_t i;

	for (i = 0; i < n_std_methods; i++)
		all_methods[n_all++] = std_methods[i];
	for (i = 0; i < n_shm_methods; i++)
		all_methods[n_all++] = shm_methods[i];
	for (i = 0; i < n_ipcchan_methods; i++)
		all_methods[n_all++] = ipcchan_methods[i];
}

static const struct method *method_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < n_all; i++)
		if (!strcmp(all_methods[i]->name, name))
			return all_methods[i];
	return NULL;
}

static int parse_methods(char *arg, const struct method **out, size_t *n)
{
	char *tok, *save = NULL;

	*n = 0;
	if (!strcmp(arg, "all")) {
		memcpy(out, all_methods, n_all * sizeof(*out));
		*n = n_all;
		return 0;
	}
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		const struct method *m = method_by_name(tok);

		if (!m) {
			fprintf(stderr, "ipcchan-bench: unknown method '%s' (see --list)\n",
				tok);
			return -EINVAL;
		}
		if (*n == MAX_METHODS)
			return -E2BIG;
		out[(*n)++] = m;
	}
	return *n ? 0 : -EINVAL;
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

static void fill_env(struct env *e)
{
	struct utsname u;
	char line[256];
	time_t t = time(NULL);
	FILE *f;

	if (!uname(&u)) {
		snprintf(e->kernel, sizeof(e->kernel), "%s", u.release);
		snprintf(e->machine, sizeof(e->machine), "%s", u.machine);
	}
	e->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	strftime(e->date, sizeof(e->date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !c)
			continue;
		c += 1 + (c[1] == ' ');
		c[strcspn(c, "\n")] = 0;
		snprintf(e->cpu_model, sizeof(e->cpu_model), "%s", c);
		break;
	}
	if (f)
		fclose(f);
	/* What CLOCK_MONOTONIC costs depends on it (vDSO or system call). */
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  "r");
	if (f && fgets(e->clocksource, sizeof(e->clocksource), f))
		e->clocksource[strcspn(e->clocksource, "\n")] = 0;
	if (f)
		fclose(f);
}

/* The first two CPUs in our affinity mask, or none on a single CPU. */
static void pick_cpus(int *a, int *b)
{
	cpu_set_t set;
	int i;

	*a = *b = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (*a < 0) {
			*a = i;
		} else {
			*b = i;
			return;
		}
	}
	*a = -1;
}

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

static int mkdir_p(const char *dir)
{
	char tmp[4096], *p;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_outputs(const char *dir, const struct env *env,
			 const struct limits *l, const struct result *r,
			 size_t n)
{
	char path[4096];
	FILE *f;
	int err;

	err = mkdir_p(dir);
	if (err) {
		fprintf(stderr, "ipcchan-bench: mkdir %s: %s\n", dir, strerror(-err));
		return err;
	}
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	err = write_json(path, env, l, r, n);
	if (!err) {
		snprintf(path, sizeof(path), "%s/bench.csv", dir);
		err = write_csv(path, r, n);
	}
	if (!err) {
		snprintf(path, sizeof(path), "%s/table.txt", dir);
		f = fopen(path, "w");
		if (!f) {
			err = -errno;
		} else {
			report_all(f, env, l, r, n, false);
			if (fclose(f))
				err = -errno;
		}
	}
	if (err) {
		fprintf(stderr, "ipcchan-bench: write %s: %s\n", path, strerror(-err));
		return err;
	}
	printf("\nwrote %s/bench.json, %s/bench.csv, %s/table.txt\n", dir, dir, dir);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "methods", required_argument, NULL, 'm' },
		{ "sizes", required_argument, NULL, 's' },
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
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const struct method *methods[MAX_METHODS];
	char avail_why[MAX_METHODS][WHY_LEN];
	int avail_err[MAX_METHODS];
	struct profile prof = profiles[0];
	struct env env = { .accel = "none", .spin_ns = DEFAULT_SPIN_NS,
			   .repeat = 1 };
	size_t sizes[32], nsizes = ARRAY_SIZE(default_sizes), nmethods;
	size_t i, j, k, ci, ncells, nres, minsz, maxsz;
	unsigned long batch = 64, ul;
	bool pat[PAT_NR] = { true, true }, raise = true;
	const char *out = NULL;
	struct result *res, *runs;
	struct { struct cellcfg cfg; size_t mi; } *cells;
	unsigned int round;
	double t_round;
	struct limits lim = { 0 };
	unsigned int cell_id = 0;
	int c, failed = 0, pin = 0, cpu_a = -1, cpu_b = -1;
	sigset_t set;
	char junk;
	double d;

	collect_methods();
	memcpy(methods, all_methods, n_all * sizeof(*methods));
	nmethods = n_all;
	memcpy(sizes, default_sizes, sizeof(default_sizes));

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			for (i = 0; i < ARRAY_SIZE(profiles); i++)
				if (!strcmp(optarg, profiles[i].name))
					break;
			if (i == ARRAY_SIZE(profiles)) {
				fprintf(stderr, "ipcchan-bench: unknown profile '%s' (quick, full)\n",
					optarg);
				return 2;
			}
			prof = profiles[i];
			break;
		case 'm':
			if (parse_methods(optarg, methods, &nmethods))
				return 2;
			break;
		case 's':
			if (parse_sizes(optarg, sizes, &nsizes, ARRAY_SIZE(sizes)))
				return 2;
			break;
		case 'P':
			pat[PAT_PINGPONG] = !strcmp(optarg, "pingpong") ||
					    !strcmp(optarg, "both");
			pat[PAT_STREAM] = !strcmp(optarg, "stream") ||
					  !strcmp(optarg, "both");
			if (!pat[PAT_PINGPONG] && !pat[PAT_STREAM]) {
				fprintf(stderr, "ipcchan-bench: bad pattern '%s' (pingpong, stream, both)\n",
					optarg);
				return 2;
			}
			break;
		case 'a':
			if (strcmp(optarg, "tcg") && strcmp(optarg, "kvm") &&
			    strcmp(optarg, "none")) {
				fprintf(stderr, "ipcchan-bench: bad accel '%s' (tcg, kvm, none)\n",
					optarg);
				return 2;
			}
			env.accel = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 't':
			if (parse_double(optarg, &d)) {
				fprintf(stderr, "ipcchan-bench: bad --time '%s'\n", optarg);
				return 2;
			}
			prof.pp_time_s = prof.st_time_s = d;
			if (prof.watchdog_s < 20 * d + 60)
				prof.watchdog_s = 20 * d + 60;
			break;
		case 'r':
			if (parse_ulong(optarg, &ul) || !ul || ul > MAX_REPEAT) {
				fprintf(stderr, "ipcchan-bench: bad --repeat '%s' (1..%d)\n",
					optarg, MAX_REPEAT);
				return 2;
			}
			env.repeat = (unsigned int)ul;
			break;
		case 'i':
			if (parse_ulong(optarg, &ul) || !ul) {
				fprintf(stderr, "ipcchan-bench: bad --iterations '%s'\n", optarg);
				return 2;
			}
			prof.pp_min_iters = ul;
			if (prof.pp_max_iters < ul)
				prof.pp_max_iters = ul;
			break;
		case 'b':
			if (parse_ulong(optarg, &batch) || !batch || batch > 1024) {
				fprintf(stderr, "ipcchan-bench: bad --batch '%s' (1..1024)\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
			if (parse_ulong(optarg, &ul) || ul > 1000000000UL) {
				fprintf(stderr, "ipcchan-bench: bad --spin-ns '%s'\n", optarg);
				return 2;
			}
			env.spin_ns = (long)ul;
			break;
		case 'R':
			if (parse_ulong(optarg, &ul) || ul > 1000000000UL) {
				fprintf(stderr, "ipcchan-bench: bad --ring-spin '%s'\n", optarg);
				return 2;
			}
			bench_ring_spin = (long)ul;
			break;
		case 'N':
			raise = false;
			break;
		case 'C':
			if (sscanf(optarg, "%d,%d%c", &cpu_a, &cpu_b, &junk) != 2 ||
			    cpu_a < 0 || cpu_b < 0 || cpu_a >= CPU_SETSIZE ||
			    cpu_b >= CPU_SETSIZE) {
				fprintf(stderr, "ipcchan-bench: bad --cpus '%s' (A,B)\n",
					optarg);
				return 2;
			}
			pin = 2;
			break;
		case 'n':
			pin = 1;
			break;
		case 'l':
			for (i = 0; i < n_all; i++)
				printf("%-16s %s%s%s\n", all_methods[i]->name,
				       all_methods[i]->desc,
				       all_methods[i]->spin ? "; spins: " : "",
				       all_methods[i]->spin ? all_methods[i]->spin : "");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ipcchan-bench: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	env.profile = &prof;
	fill_env(&env);
	if (pin == 1)
		pick_cpus(&cpu_a, &cpu_b);
	if (pin && (cpu_a < 0 || cpu_b < 0)) {
		fprintf(stderr, "ipcchan-bench: --pin needs two CPUs\n");
		return 2;
	}
	if (pin) {
		bench_cpu[0] = cpu_a;
		bench_cpu[1] = cpu_b;
	}

	/* children are reaped with sigtimedwait(); a dead peer gives EPIPE */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	minsz = maxsz = sizes[0];
	for (i = 0; i < nsizes; i++) {
		minsz = sizes[i] < minsz ? sizes[i] : minsz;
		maxsz = sizes[i] > maxsz ? sizes[i] : maxsz;
	}
	for (i = 0; i < nmethods; i++) {
		avail_why[i][0] = 0;
		avail_err[i] = methods[i]->avail ?
			       methods[i]->avail(avail_why[i]) : 0;
		if (raise && !avail_err[i] && methods[i]->limits)
			methods[i]->limits(minsz, maxsz);
	}

	ncells = (pat[0] + pat[1]) * nmethods * nsizes;
	res = calloc(ncells, sizeof(*res));
	/* runs[cell * repeat + round - 1] */
	runs = calloc(ncells * env.repeat, sizeof(*runs));
	cells = calloc(ncells, sizeof(*cells));
	if (!res || !runs || !cells) {
		fprintf(stderr, "ipcchan-bench: out of memory\n");
		return 1;
	}
	fprintf(stderr, "ipcchan-bench: %zu cells (%zu methods x %zu sizes x %d patterns), profile %s",
		ncells, nmethods, nsizes, pat[0] + pat[1], prof.name);
	if (env.repeat > 1)
		fprintf(stderr, ", %u interleaved rounds", env.repeat);
	fputc('\n', stderr);
	for (i = 0; i < n_sysctl_changes; i++)
		fprintf(stderr, "ipcchan-bench: %s %lld -> %lld%s%s\n",
			sysctl_changes[i].name, sysctl_changes[i].before,
			sysctl_changes[i].after,
			sysctl_changes[i].err ? ": FAILED " : "",
			sysctl_changes[i].err ? strerror(sysctl_changes[i].err) : "");

	fprintf(stderr, "ipcchan-bench: reference limits (memcpy, cache-line round trip)\n");
	lim.nsizes = nsizes;
	memcpy(lim.sizes, sizes, nsizes * sizeof(*sizes));
	measure_limits(&prof, &lim);

	/* the cells in the order they run: pattern, method, size */
	nres = 0;
	for (k = 0; k < PAT_NR; k++) {
		if (!pat[k])
			continue;
		for (i = 0; i < nmethods; i++) {
			for (j = 0; j < nsizes; j++) {
				cells[nres].mi = i;
				cells[nres++].cfg = (struct cellcfg){
					.pat = (enum pattern)k,
					.size = sizes[j],
					.capacity = cell_capacity(sizes[j]),
					.batch = (unsigned int)batch,
					.spin_ns = env.spin_ns,
				};
			}
		}
	}

	/*
	 * Round r runs every cell once, in the same order, before round r + 1
	 * starts, so a slow phase of the machine lands on different cells in
	 * different rounds instead of on all runs of one cell.  A cell that
	 * cannot run (skipped) is not tried again.
	 */
	for (round = 1; round <= env.repeat; round++) {
		t_round = now_s();
		for (ci = 0; ci < nres; ci++) {
			struct result *first = &runs[ci * env.repeat];
			struct result *r = &first[round - 1];
			const struct method *m = methods[cells[ci].mi];

			if (round > 1 && first->status == CELL_SKIPPED) {
				*r = *first;
				continue;
			}
			cells[ci].cfg.id = cell_id++;
			if (avail_err[cells[ci].mi]) {
				memset(r, 0, sizeof(*r));
				r->m = m;
				r->pat = cells[ci].cfg.pat;
				r->size = cells[ci].cfg.size;
				r->status = CELL_SKIPPED;
				snprintf(r->why, WHY_LEN, "skipped: %.240s",
					 avail_why[cells[ci].mi]);
			} else {
				run_cell(m, &cells[ci].cfg, &prof, r);
			}
			failed |= r->status == CELL_ERROR;
			progress(round, env.repeat, ci + 1, ncells, r);
		}
		if (env.repeat > 1)
			fprintf(stderr, "ipcchan-bench: round %u/%u done in %.1f s\n",
				round, env.repeat, now_s() - t_round);
	}
	for (i = 0; i < nres; i++)
		combine_runs(&runs[i * env.repeat], env.repeat, &res[i]);
	free(runs);
	free(cells);

	putchar('\n');
	report_all(stdout, &env, &lim, res, nres, isatty(1));
	if (out && write_outputs(out, &env, &lim, res, nres))
		failed = 1;
	free(res);
	return failed ? 1 : 0;
}
