// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench files (--out DIR): bench.json and bench.csv at full
 * precision in base units (ns, bytes/s), and table.txt, the report as the
 * terminal shows it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fprintf(f, "null");
	else
		fprintf(f, "%.17g", v);
}

/* , "key": "v" and , "key": v */
static void json_kv_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, ", \"%s\": ", key);
	json_str(f, v);
}

static void json_kv_num(FILE *f, const char *key, double v)
{
	fprintf(f, ", \"%s\": ", key);
	json_num(f, v);
}

/* , "run": {...}: seed, calibration by round, load. */
static void json_run(FILE *f, const struct runinfo *ri)
{
	unsigned int k;

	if (!ri)
		return;
	fprintf(f, ",\n    \"run\": {\"seed\": %llu, \"rounds\": %u, \"order\": \"shuffled per round\"",
		ri->seed, ri->nrounds);
	json_kv_str(f, "load_start", ri->load[0]);
	json_kv_str(f, "load_end", ri->load[1]);
	if (ri->host_load)
		json_kv_str(f, "host_load_start", ri->host_load);
	fprintf(f, ",\n      \"calibration\": {\"cell\": \"pipe pingpong 64 B p50 ns\", \"rounds\": [");
	for (k = 0; k < ri->nrounds; k++) {
		fprintf(f, "%s{\"start\": ", k ? ", " : "");
		json_num(f, ri->calib_ns[k][0]);
		fprintf(f, ", \"end\": ");
		json_num(f, ri->calib_ns[k][1]);
		fprintf(f, ", \"n_start\": %llu, \"n_end\": %llu, \"round_s\": ",
			(unsigned long long)ri->calib_n[k][0],
			(unsigned long long)ri->calib_n[k][1]);
		json_num(f, ri->round_s[k]);
		fprintf(f, "}");
	}
	fprintf(f, "]}}");
}

/* "env": the machine, the options, the kernel limits raised. */
static void json_env(FILE *f, const struct env *env, const struct grid *g)
{
	size_t i, first;

	fprintf(f, "{\n  \"env\": {\"kernel\": ");
	json_str(f, env->kernel);
	json_kv_str(f, "machine", env->machine);
	json_kv_str(f, "cpu_model", env->cpu_model);
	json_kv_str(f, "cpu_copy_flags", env->copy_flags);
	json_kv_str(f, "clocksource", env->clocksource);
	fprintf(f, ", \"cpus\": %ld", env->cpus);
	json_kv_str(f, "accel", env->accel);
	json_kv_str(f, "profile", env->profile->name);
	json_kv_str(f, "date", env->date);
	fprintf(f, ", \"cpu_side0\": %d, \"cpu_side1\": %d", bench_cpu[0],
		bench_cpu[1]);
	fprintf(f, ", \"repeat\": %u", env->repeat);
	fprintf(f, ", \"shm_spin_ns\": %ld, \"ring_spin_ns\": %ld,\n    \"spinning_methods\": [",
		env->spin_ns, bench_ring_spin >= 0 ? bench_ring_spin : env->spin_ns);
	for (i = 0, first = 1; i < g->nm; i++) {
		if (!g->m[i]->spin)
			continue;
		fprintf(f, "%s", first ? "" : ", ");
		json_str(f, g->m[i]->name);
		first = 0;
	}
	fprintf(f, "],\n    \"limits_raised\": {");
	for (i = 0; i < n_sysctl_changes; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, sysctl_changes[i].name);
		fprintf(f, ": {\"before\": %lld, \"after\": %lld, \"ok\": %s}",
			sysctl_changes[i].before, sysctl_changes[i].after,
			sysctl_changes[i].err ? "false" : "true");
	}
	fprintf(f, "}");
	json_kv_str(f, "syscalls_not_counted", sysc_why);
	json_run(f, env->run);
	fprintf(f, "},\n");
}

/* "limits": the reference limits. */
static void json_limits(FILE *f, const struct limits *l)
{
	size_t i;

	fprintf(f, "  \"limits\": {\"memcpy_bytes_per_s\": {");
	for (i = 0; i < l->nsizes; i++) {
		fprintf(f, "%s\"%zu\": ", i ? ", " : "", l->sizes[i]);
		json_num(f, l->memcpy_bps[i]);
	}
	fprintf(f, "}, \"cacheline_rtt_ns\": ");
	json_num(f, l->cacheline_rtt_ns);
	fprintf(f, "},\n");
}

/* One measured cell, an element of "results". */
static void json_result(FILE *f, const struct result *x)
{
	const struct method_cost *mc;
	size_t k;

	json_str(f, x->m->name);
	fprintf(f, ", \"pattern\": \"%s\", \"size\": %zu, \"iterations\": %llu",
		pat_name(x->pat), x->size,
		(unsigned long long)x->iterations);
	if (x->pat == PAT_PINGPONG) {
		fprintf(f, ", \"rtt_ns\": {");
		for (k = 0; k < ST_NR; k++) {
			fprintf(f, "%s\"%s\": ", k ? ", " : "", stat_names[k]);
			json_num(f, k == ST_P99 && x->iterations < P99_MIN_N ?
				 NAN : x->rtt_ns[k]);
		}
		fprintf(f, "}, \"rtt_n\": %llu", (unsigned long long)x->iterations);
	} else {
		json_kv_num(f, "msgs_per_s", x->msgs_per_s);
		json_kv_num(f, "bytes_per_s", x->bytes_per_s);
	}
	json_kv_num(f, "cpu_ns_per_msg", x->cpu_ns_per_msg);
	fprintf(f, ", \"depth_msgs\": %llu, \"depth_bytes\": %llu",
		(unsigned long long)x->depth_msgs,
		(unsigned long long)x->depth_bytes);
	json_kv_num(f, "syscalls_per_msg", x->sysc_per_msg);
	json_kv_num(f, "ctx_switches_per_msg", x->csw_per_msg);
	mc = method_cost(x->m->name);
	json_kv_num(f, "kernel_copies_per_msg", mc ? mc->kcopies : NAN);
	json_kv_num(f, "user_copies_per_msg", mc ? mc->ucopies : NAN);
	json_kv_num(f, "kernel_bytes_copied_per_msg",
		    mc ? mc->kcopies * (double)x->size : NAN);
	fprintf(f, ",\n     \"runs_metric\": \"%s\", \"runs\": [",
		headline_name(x->pat));
	for (k = 0; k < x->nruns; k++) {
		fprintf(f, "%s", k ? ", " : "");
		json_num(f, x->runs[k]);
	}
	fprintf(f, "], \"median_round\": %u, \"spread\": ",
		x->median_round);
	json_num(f, x->rep_spread);
	fprintf(f, "}");
}

/* A cell that did not run, an element of "skipped". */
static void json_skipped(FILE *f, const struct result *x)
{
	json_str(f, x->m->name);
	fprintf(f, ", \"pattern\": \"%s\", \"size\": %zu, \"status\": \"%s\", \"reason\": ",
		pat_name(x->pat), x->size,
		x->status == CELL_SKIPPED ? "skipped" : "error");
	json_str(f, x->why);
	fprintf(f, "}");
}

/* The array key of the cells that ran (ok) or did not (!ok). */
static void json_cells(FILE *f, const char *key, bool ok,
		       const struct result *r, size_t n)
{
	size_t i, first;

	fprintf(f, "  \"%s\": [", key);
	for (i = 0, first = 1; i < n; i++) {
		if ((r[i].status == CELL_OK) != ok)
			continue;
		fprintf(f, "%s\n    {\"method\": ", first ? "" : ",");
		first = 0;
		if (ok)
			json_result(f, &r[i]);
		else
			json_skipped(f, &r[i]);
	}
	fprintf(f, "\n  ]");
}

static int write_json(const char *path, const struct env *env,
		      const struct limits *l, const struct result *r, size_t n)
{
	FILE *f = fopen(path, "w");
	struct grid g;

	if (!f)
		return -errno;
	grid_build(&g, r, n);
	json_env(f, env, &g);
	json_limits(f, l);
	json_targets(f, l, r, n);
	json_cells(f, "results", true, r, n);
	fprintf(f, ",\n");
	json_cells(f, "skipped", false, r, n);
	fprintf(f, "\n}\n");
	return fclose(f) ? -errno : 0;
}

static void csv_num(FILE *f, double v, bool show)
{
	if (show && !isnan(v))
		fprintf(f, ",%.17g", v);
	else
		fprintf(f, ",");
}

static int write_csv(const char *path, const struct result *r, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i, k;

	if (!f)
		return -errno;
	fprintf(f, "method,pattern,size,status,iterations");
	for (k = 0; k < ST_NR; k++)
		fprintf(f, ",rtt_%s_ns", stat_names[k]);
	fprintf(f, ",msgs_per_s,bytes_per_s,cpu_ns_per_msg,cpu_ns_per_msg_side0,"
		"cpu_ns_per_msg_side1,ctx_switches_per_msg,rtt_outliers,"
		"stream_spread,repeats,median_round,repeat_spread,runs,depth_msgs,"
		"depth_bytes,syscalls_per_msg,kernel_copies_per_msg,kernel_bytes_per_msg,"
		"user_copies_per_msg,reason\n");
	for (i = 0; i < n; i++) {
		const struct result *x = &r[i];
		bool ok = x->status == CELL_OK, pp = x->pat == PAT_PINGPONG;
		const struct method_cost *mc;
		const char *c;

		fprintf(f, "%s,%s,%zu,%s,", x->m->name, pat_name(x->pat), x->size,
			ok ? "ok" : x->status == CELL_SKIPPED ? "skipped" : "error");
		if (ok)
			fprintf(f, "%llu", (unsigned long long)x->iterations);
		for (k = 0; k < ST_NR; k++)
			csv_num(f, x->rtt_ns[k], ok && pp &&
				(k != ST_P99 || x->iterations >= P99_MIN_N));
		csv_num(f, x->msgs_per_s, ok && !pp);
		csv_num(f, x->bytes_per_s, ok && !pp);
		csv_num(f, x->cpu_ns_per_msg, ok);
		csv_num(f, x->cpu_ns_side[0], ok);
		csv_num(f, x->cpu_ns_side[1], ok);
		csv_num(f, x->csw_per_msg, ok);
		csv_num(f, (double)x->outliers, ok && pp);
		csv_num(f, x->spread, ok && !pp);
		fprintf(f, ",%u,", x->nruns);
		if (ok)
			fprintf(f, "%u", x->median_round);
		csv_num(f, x->rep_spread, ok);
		/* the headline value of every run, ';'-separated: no quoting */
		fputc(',', f);
		for (k = 0; ok && k < x->nruns; k++) {
			if (k)
				fputc(';', f);
			if (!isnan(x->runs[k]))
				fprintf(f, "%.17g", x->runs[k]);
		}
		fputc(',', f);
		if (ok)
			fprintf(f, "%llu,%llu", (unsigned long long)x->depth_msgs,
				(unsigned long long)x->depth_bytes);
		else
			fputc(',', f);
		csv_num(f, x->sysc_per_msg, ok);
		mc = method_cost(x->m->name);
		csv_num(f, mc ? mc->kcopies : NAN, true);
		csv_num(f, mc ? mc->kcopies * (double)x->size : NAN, true);
		csv_num(f, mc ? mc->ucopies : NAN, true);
		fprintf(f, ",\"");
		for (c = x->why; !ok && *c; c++)
			fprintf(f, *c == '"' ? "\"\"" : "%c", *c);
		fprintf(f, "\"\n");
	}
	return fclose(f) ? -errno : 0;
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

static int write_table(const char *path, const struct env *env,
		       const struct limits *l, const struct result *r, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	report_all(f, env, l, r, n, false);
	return fclose(f) ? -errno : 0;
}

/* DIR/bench.json, DIR/bench.csv and DIR/table.txt; DIR is created. */
int write_outputs(const char *dir, const struct env *env,
		  const struct limits *l, const struct result *r, size_t n)
{
	char path[4096];
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
		err = write_table(path, env, l, r, n);
	}
	if (err) {
		fprintf(stderr, "ipcchan-bench: write %s: %s\n", path, strerror(-err));
		return err;
	}
	printf("\nwrote %s/bench.json, %s/bench.csv, %s/table.txt\n", dir, dir, dir);
	return 0;
}
