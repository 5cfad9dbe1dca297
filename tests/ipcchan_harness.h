/* SPDX-License-Identifier: GPL-2.0 */
/*
 * main() of the ipcchan kselftests, on top of kselftest_harness.h (include
 * that first).  IPCCHAN_HARNESS_MAIN(hook) adds three things to the
 * harness's own main:
 *
 *  - A binary that finds no /dev/ipcchan exits KSFT_SKIP as a whole (the
 *    6.1 harness exits KSFT_PASS when every test skipped).
 *
 *  - Two profiles.  By default every binary runs well inside the 45 s of
 *    tests/settings in the TCG test VM.  IPCCHAN_LONG=1 (the debug lane)
 *    selects the long profile: the stress and fuzz tests run their full
 *    counts (ipcchan_count()), and every harness timeout is stretched to
 *    the test's IPCCHAN_LONG_TIMEOUT(), or else ten times its own, since a
 *    KASAN kernel is several times slower.
 *
 *  - Test selection as the harness of Linux 6.3 and later offers it, for
 *    the 6.1 harness, which ignores its arguments:
 *	-l		list fixtures, variants and tests (to stderr)
 *	-t/-T NAME	include/exclude the tests named NAME
 *	-v/-V NAME	include/exclude variant NAME
 *	-f/-F NAME	include/exclude fixture NAME
 *	-r F[.V].T	include one test by its full name
 *    The first option that names a test decides; a test no option names
 *    runs unless some option includes.  tests/Makefile defines
 *    IPCCHAN_HARNESS_FILTERS when the harness has these options itself,
 *    and then its own run them.
 */
#ifndef IPCCHAN_HARNESS_H
#define IPCCHAN_HARNESS_H

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* --- profiles ------------------------------------------------------------ */

/* True with IPCCHAN_LONG set to anything but "" or "0". */
static inline int ipcchan_long(void)
{
	const char *e = getenv("IPCCHAN_LONG");

	return e && *e && strcmp(e, "0");
}

/*
 * A count for the current profile: @quick, or @full with IPCCHAN_LONG=1.
 * The environment variable @env, when set, overrides both.
 */
static inline unsigned long ipcchan_count(const char *env, unsigned long quick,
					  unsigned long full)
{
	const char *e = getenv(env);

	if (e && *e)
		return strtoul(e, NULL, 0);
	return ipcchan_long() ? full : quick;
}

#define IPCCHAN_LONG_TIMEOUT_FACTOR	10

struct ipcchan_long_timeout {
	const char *fixture;
	const char *test;
	int seconds;
	struct ipcchan_long_timeout *next;
};

static struct ipcchan_long_timeout *ipcchan_long_timeouts;

/*
 * The harness timeout of TEST_F(@fixture, @test) in the long profile, in
 * seconds (tests of TEST() belong to fixture "global").
 */
#define IPCCHAN_LONG_TIMEOUT(fixture, test, secs)			\
	static struct ipcchan_long_timeout				\
		_ipcchan_long_##fixture##_##test = {			\
		#fixture, #test, secs, NULL				\
	};								\
	static void __attribute__((constructor))			\
	_ipcchan_long_add_##fixture##_##test(void)			\
	{								\
		_ipcchan_long_##fixture##_##test.next =			\
			ipcchan_long_timeouts;				\
		ipcchan_long_timeouts =					\
			&_ipcchan_long_##fixture##_##test;		\
	}

static inline void ipcchan_stretch_timeouts(void)
{
	struct ipcchan_long_timeout *lt;
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f; f = f->next) {
		for (t = f->tests; t; t = t->next) {
			for (lt = ipcchan_long_timeouts; lt; lt = lt->next)
				if (!strcmp(lt->fixture, f->name) &&
				    !strcmp(lt->test, t->name))
					break;
			if (lt)
				t->timeout = lt->seconds;
			else
				t->timeout *= IPCCHAN_LONG_TIMEOUT_FACTOR;
		}
	}
}

/* --- test selection for the 6.1 harness ----------------------------------- */

#ifndef IPCCHAN_HARNESS_FILTERS

#define IPCCHAN_SEL_OPTS	"hlt:T:v:V:f:F:r:"

static void ipcchan_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-h | -l] [-t|-T|-v|-V|-f|-F|-r NAME]...\n"
		"  -l          list fixtures, variants and tests\n"
		"  -t/-T NAME  run/skip the tests named NAME\n"
		"  -v/-V NAME  run/skip variant NAME\n"
		"  -f/-F NAME  run/skip fixture NAME\n"
		"  -r F[.V].T  run the test of that full name\n"
		"The first option naming a test decides; without an option that\n"
		"runs something, every test not skipped runs.\n", prog);
}

/* The listing of the 6.3+ harness: one block per fixture, columns zipped. */
static void ipcchan_list_tests(void)
{
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	fprintf(stderr, "%-20s %-25s %s\n", "# FIXTURE", "VARIANT", "TEST");
	for (f = __fixture_list; f; f = f->next) {
		if (f != __fixture_list)
			fprintf(stderr, "%.80s\n",
				"----------------------------------------"
				"----------------------------------------");
		v = f->variant;
		t = f->tests;
		do {
			fprintf(stderr, "%-20s %-25s %s\n",
				t == f->tests ? f->name : "",
				v ? v->name : "", t ? t->name : "");
			v = v ? v->next : NULL;
			t = t ? t->next : NULL;
		} while (v || t);
	}
}

/* Whether @full is "@f.@v.@t", or "@f.@t" when @v is empty. */
static int ipcchan_full_name_is(const char *full, const char *f,
				const char *v, const char *t)
{
	size_t n = strlen(f);

	if (strncmp(full, f, n) || full[n] != '.')
		return 0;
	full += n + 1;
	if (*v) {
		n = strlen(v);
		if (strncmp(full, v, n) || full[n] != '.')
			return 0;
		full += n + 1;
	}
	return !strcmp(full, t);
}

static int ipcchan_selected(int argc, char **argv, const char *f,
			    const char *v, const char *t)
{
	int opt, includes = 0;
	const char *name;

	optind = 1;
	while ((opt = getopt(argc, argv, IPCCHAN_SEL_OPTS)) != -1) {
		switch (tolower(opt)) {
		case 't':
			name = t;
			break;
		case 'v':
			name = v;
			break;
		case 'f':
			name = f;
			break;
		case 'r':
			if (ipcchan_full_name_is(optarg, f, v, t))
				return 1;
			includes = 1;
			continue;
		default:
			continue;
		}
		if (islower(opt))
			includes = 1;
		if (!strcmp(optarg, name))
			return islower(opt) != 0;
	}
	return !includes;
}

/* test_harness_run() of the 6.1 harness, running only selected tests. */
static int ipcchan_harness_run(int argc, char **argv)
{
	struct __fixture_variant_metadata no_variant = { .name = "" };
	unsigned int tests = 0, cases = 0, count = 0, passed = 0, n;
	struct __fixture_variant_metadata *v;
	struct __test_results *results;
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	int opt, ret = 0;

	(void)test_harness_run;		/* replaced, not called */
	optind = 1;
	while ((opt = getopt(argc, argv, IPCCHAN_SEL_OPTS)) != -1) {
		if (opt == 'l') {
			ipcchan_list_tests();
			return KSFT_SKIP;
		}
		if (opt == 'h' || opt == '?') {
			ipcchan_usage(argv[0]);
			return opt == 'h' ? KSFT_SKIP : KSFT_FAIL;
		}
	}
	if (optind < argc) {
		ipcchan_usage(argv[0]);
		return KSFT_FAIL;
	}

	for (f = __fixture_list; f; f = f->next) {
		for (v = f->variant ?: &no_variant; v; v = v->next) {
			n = 0;
			for (t = f->tests; t; t = t->next)
				n += ipcchan_selected(argc, argv, f->name,
						      v->name, t->name);
			tests += n;
			cases += n != 0;
		}
	}

	results = mmap(NULL, sizeof(*results), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ksft_print_header();
	ksft_set_plan(tests);
	ksft_print_msg("Starting %u tests from %u test cases.\n", tests, cases);
	for (f = __fixture_list; f; f = f->next) {
		for (v = f->variant ?: &no_variant; v; v = v->next) {
			for (t = f->tests; t; t = t->next) {
				if (!ipcchan_selected(argc, argv, f->name,
						      v->name, t->name))
					continue;
				count++;
				t->results = results;
				__run_test(f, v, t);
				t->results = NULL;
				if (t->passed)
					passed++;
				else
					ret = 1;
			}
		}
	}
	munmap(results, sizeof(*results));
	ksft_print_msg("%s: %u / %u tests passed.\n", ret ? "FAILED" : "PASSED",
		       passed, count);
	ksft_exit(ret == 0);
	return KSFT_FAIL;
}

#else /* IPCCHAN_HARNESS_FILTERS */

static int ipcchan_harness_run(int argc, char **argv)
{
	return test_harness_run(argc, argv);
}

#endif /* IPCCHAN_HARNESS_FILTERS */

/* --- main ----------------------------------------------------------------- */

/* -l and -h need no device. */
static inline int ipcchan_harness_info_only(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

static inline int ipcchan_harness_main(int argc, char **argv)
{
	if (!ipcchan_harness_info_only(argc, argv) && !ipcchan_present()) {
		ksft_print_header();
		ksft_exit_skip("%s not present (module not loaded)\n",
			       IPCCHAN_DEVICE);
	}
	if (ipcchan_long())
		ipcchan_stretch_timeouts();
	return ipcchan_harness_run(argc, argv);
}

/*
 * main() for a test binary: @hook(argc, argv) runs instead when argv[1]
 * starts with "--role=" (helper processes the tests exec); NULL for none.
 */
#define IPCCHAN_HARNESS_MAIN(hook)					\
	int main(int argc, char **argv)					\
	{								\
		int (*__hook)(int, char **) = (hook);			\
									\
		if (__hook && argc > 1 && !strncmp(argv[1], "--role=", 7)) \
			return __hook(argc, argv);			\
		return ipcchan_harness_main(argc, argv);		\
	}

#endif /* IPCCHAN_HARNESS_H */
