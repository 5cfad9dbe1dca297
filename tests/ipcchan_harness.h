/* SPDX-License-Identifier: GPL-2.0 */
/*
 * main() of the ipcchan kselftests, on top of kselftest_harness.h (include
 * that first).  IPCCHAN_HARNESS_MAIN(hook) adds two things to the
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
 */
#ifndef IPCCHAN_HARNESS_H
#define IPCCHAN_HARNESS_H

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

static int ipcchan_harness_run(int argc, char **argv)
{
	return test_harness_run(argc, argv);
}

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
