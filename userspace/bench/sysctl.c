// SPDX-License-Identifier: GPL-2.0
/*
 * Raise kernel limits the methods need (/proc/sys/...) and remember every
 * change, so the report can say exactly what was set.  Limits are only ever
 * raised, never lowered, and not restored: the benchmark is meant for a
 * throw-away VM or a lab machine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

struct sysctl_change sysctl_changes[32];
size_t n_sysctl_changes;

int sysctl_read(const char *path, long long *val)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%lld", val) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int sysctl_write(const char *path, long long val)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%lld\n", val) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

void sysctl_note(const char *name, long long before, long long after, int err)
{
	struct sysctl_change *c;
	size_t i;

	for (i = 0; i < n_sysctl_changes; i++)
		if (!strcmp(sysctl_changes[i].name, name))
			break;
	if (i == ARRAY_SIZE(sysctl_changes))
		return;
	c = &sysctl_changes[i];
	if (i == n_sysctl_changes) {
		n_sysctl_changes++;
		snprintf(c->name, sizeof(c->name), "%s", name);
		c->before = before;
	}
	c->after = after;
	c->err = err;
}

/* Raise the value at path to at least want; record what happened. */
void sysctl_raise(const char *path, long long want)
{
	long long cur, now;
	const char *name = path;
	int err;

	if (!strncmp(name, "/proc/sys/", 10))
		name += 10;
	err = sysctl_read(path, &cur);
	if (err || cur >= want)
		return;
	err = sysctl_write(path, want);
	if (err || sysctl_read(path, &now))
		now = cur;
	sysctl_note(name, cur, now, err ? -err : 0);
}

/* Every change, one line each: "ipcchan-bench: NAME BEFORE -> AFTER". */
void sysctl_log(FILE *f)
{
	size_t i;

	for (i = 0; i < n_sysctl_changes; i++)
		fprintf(f, "ipcchan-bench: %s %lld -> %lld%s%s\n",
			sysctl_changes[i].name, sysctl_changes[i].before,
			sysctl_changes[i].after,
			sysctl_changes[i].err ? ": FAILED " : "",
			sysctl_changes[i].err ? strerror(sysctl_changes[i].err) : "");
}
