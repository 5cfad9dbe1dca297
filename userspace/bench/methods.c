// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench methods: every method of every family, in the order they
 * run and are listed.  A new family adds its table to families[].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

static const struct family {
	const struct method *const *list;
	const size_t *n;
} families[] = {
	{ std_methods, &n_std_methods },
	{ batch_methods, &n_batch_methods },
	{ shm_methods, &n_shm_methods },
	{ ipcchan_methods, &n_ipcchan_methods },
	{ large_methods, &n_large_methods },
};

/* Fills out[MAX_METHODS] with every method; returns how many. */
size_t methods_all(const struct method **out)
{
	size_t f, i, n = 0;

	for (f = 0; f < ARRAY_SIZE(families); f++)
		for (i = 0; i < *families[f].n && n < MAX_METHODS; i++)
			out[n++] = families[f].list[i];
	return n;
}

static const struct method *method_by_name(const char *name)
{
	const struct method *all[MAX_METHODS];
	size_t i, n = methods_all(all);

	for (i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

/* --methods: "all" or a comma-separated list of names. */
int methods_parse(char *arg, const struct method **out, size_t *n)
{
	char *tok, *save = NULL;

	*n = 0;
	if (!strcmp(arg, "all")) {
		*n = methods_all(out);
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

/* --list */
void methods_list(FILE *f)
{
	const struct method *all[MAX_METHODS];
	size_t i, n = methods_all(all);

	for (i = 0; i < n; i++)
		fprintf(f, "%-21s %s%s%s\n", all[i]->name, all[i]->desc,
			all[i]->spin ? "; spins: " : "",
			all[i]->spin ? all[i]->spin : "");
}
