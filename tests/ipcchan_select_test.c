// SPDX-License-Identifier: GPL-2.0
/*
 * Test selection in the ipcchan test binaries: -l, -t, -v, -f, -r and the
 * exclusions -T, -V, -F of the kselftest harness of Linux 6.3 and later,
 * which ipcchan_harness.h gives the 6.1 harness too.  Each test runs a real
 * test binary from this directory and reads what it prints:
 *
 *  - ipcchan_compat_test (small): its listing names as many tests as an
 *    unfiltered run reports, and -t runs one test alone;
 *  - ipcchan_msg_test: -v runs one variant of the sizes fixture, -V with
 *    -f the other variants, -r one test by its full name.
 *
 * A run is read through its TAP plan ("1..N"), its results ("ok N ...",
 * "not ok N ...") and the harness's "RUN fixture[.variant].test" lines,
 * which name every test (a skipped test's TAP line does not).
 */
#include <limits.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

#define OUT_MAX		(1 << 20)
#define NAME_LEN	128

/* What one run of a test binary printed on the stream it was read from. */
struct run {
	char out[OUT_MAX];
	int status;		/* exit status; -1 when it did not exit */
};

static struct run run_buf;

/*
 * Run @prog from this program's directory with the NULL-terminated @args,
 * reading its stdout (@fd 1) or stderr (@fd 2); the other goes to
 * /dev/null.  0, -ENOENT when there is no such program, or -errno.
 */
static int run_prog(struct run *r, const char *prog, int fd,
		    const char *const *args)
{
	char self[PATH_MAX], path[PATH_MAX + NAME_LEN];
	const char *argv[16];
	size_t len = 0;
	ssize_t n;
	int p[2], i, st;
	pid_t pid;
	char *slash;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	*slash = 0;
	snprintf(path, sizeof(path), "%s/%s", self, prog);
	if (access(path, X_OK))
		return -ENOENT;
	argv[0] = path;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		dup2(p[1], fd);
		dup2(null, fd == 1 ? 2 : 1);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while (len < sizeof(r->out) - 1) {
		n = read(p[0], r->out + len, sizeof(r->out) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	r->out[len] = 0;
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -ECHILD;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

/* Run, or skip the test when the program is not installed next to us. */
#define RUN(prog, fd, ...) do {						\
	const char *const __args[] = { __VA_ARGS__ };			\
	int __ret = run_prog(&run_buf, prog, fd, __args);		\
									\
	if (__ret == -ENOENT)						\
		SKIP(return, "no %s next to this program", prog);	\
	ASSERT_EQ(0, __ret) TH_LOG("running %s: %s", prog,		\
				   strerror(-__ret));			\
} while (0)

/* The next line of @s at or after *@pos, NUL-terminated in @line. */
static int next_line(const char *s, size_t *pos, char *line, size_t size)
{
	size_t n;

	if (!s[*pos])
		return 0;
	n = strcspn(s + *pos, "\n");
	snprintf(line, size, "%.*s", (int)n, s + *pos);
	*pos += n + (s[*pos + n] == '\n');
	return 1;
}

/* N of the TAP plan "1..N", or -1 without one. */
static int tap_plan(const char *s)
{
	char line[256];
	size_t pos = 0;
	int n;

	while (next_line(s, &pos, line, sizeof(line)))
		if (sscanf(line, "1..%d", &n) == 1)
			return n;
	return -1;
}

/* The number of TAP results, "ok N" and "not ok N". */
static int tap_results(const char *s)
{
	char line[256];
	size_t pos = 0;
	int n = 0, k;

	while (next_line(s, &pos, line, sizeof(line)))
		if (sscanf(line, "ok %d", &k) == 1 ||
		    sscanf(line, "not ok %d", &k) == 1)
			n++;
	return n;
}

/* The tests the run started, in order, from the "#  RUN  name ..." lines. */
static int run_names(const char *s, char (*names)[NAME_LEN], int max)
{
	char line[512], name[NAME_LEN];
	size_t pos = 0;
	int n = 0;

	while (next_line(s, &pos, line, sizeof(line))) {
		if (sscanf(line, "# RUN %127s", name) != 1)
			continue;
		if (n < max)
			snprintf(names[n], NAME_LEN, "%s", name);
		n++;
	}
	return n;
}

/*
 * The harness's -l listing: a header line, then per fixture a block of
 * rows "%-20s %-25s %s" (fixture on its first row, then the fixture's
 * variants and tests zipped), blocks separated by a line of dashes.
 */
struct block {
	char fixture[NAME_LEN];
	int nvar, ntest;
	char var[64][NAME_LEN];
	char test[512][NAME_LEN];
};

struct listing {
	int nblocks;
	struct block b[16];
};

static struct listing listing;

static int parse_listing(const char *s, struct listing *l)
{
	char line[512], tok[2][NAME_LEN];
	struct block *b = NULL;
	size_t pos = 0;
	int base, at[2], n, k;
	char *c;

	memset(l, 0, sizeof(*l));
	while (next_line(s, &pos, line, sizeof(line))) {
		if (line[0] == '#' || line[0] == '-' || !line[0])
			continue;
		c = line;
		base = 20;
		if (*c != ' ') {
			if (l->nblocks == 16)
				return -1;
			b = &l->b[l->nblocks++];
			n = strcspn(c, " ");
			snprintf(b->fixture, NAME_LEN, "%.*s", n, c);
			base = n > 20 ? n : 20;
			c += n;
		}
		if (!b)
			return -1;
		/* Up to two more names: variant and test. */
		for (n = 0; n < 2; n++) {
			c += strspn(c, " ");
			if (!*c)
				break;
			at[n] = c - line;
			k = strcspn(c, " ");
			snprintf(tok[n], NAME_LEN, "%.*s", k, c);
			c += k;
		}
		if (n == 2 || (n == 1 && at[0] < base + 27)) {
			if (b->nvar == 64)
				return -1;
			memcpy(b->var[b->nvar++], tok[0], NAME_LEN);
		}
		if (n == 2 || (n == 1 && at[0] >= base + 27)) {
			if (b->ntest == 512)
				return -1;
			memcpy(b->test[b->ntest++], tok[n - 1], NAME_LEN);
		}
	}
	return l->nblocks;
}

/* Tests the listing describes: each fixture's tests times its variants. */
static int listed_tests(const struct listing *l)
{
	int i, n = 0;

	for (i = 0; i < l->nblocks; i++)
		n += l->b[i].ntest * (l->b[i].nvar ? l->b[i].nvar : 1);
	return n;
}

static const struct block *find_block(const struct listing *l,
				      const char *fixture)
{
	int i;

	for (i = 0; i < l->nblocks; i++)
		if (!strcmp(l->b[i].fixture, fixture))
			return &l->b[i];
	return NULL;
}

static char names[1024][NAME_LEN];

TEST(listing_counts_every_test_of_a_run)
{
	int n;

	RUN("ipcchan_compat_test", 2, "-l", NULL);
	EXPECT_EQ(KSFT_SKIP, run_buf.status);
	ASSERT_LT(0, parse_listing(run_buf.out, &listing))
		TH_LOG("listing not understood:\n%s", run_buf.out);
	n = listed_tests(&listing);
	ASSERT_LT(0, n);

	RUN("ipcchan_compat_test", 1, NULL);
	EXPECT_EQ(n, tap_plan(run_buf.out));
	EXPECT_EQ(n, tap_results(run_buf.out));
	EXPECT_EQ(n, run_names(run_buf.out, names, 1024));
}

TEST(test_name_runs_that_test_alone)
{
	const struct block *b = NULL;
	char want[2 * NAME_LEN + 1];
	int i;

	RUN("ipcchan_compat_test", 2, "-l", NULL);
	ASSERT_LT(0, parse_listing(run_buf.out, &listing));
	/* The last test listed, whichever fixture it is in. */
	for (i = 0; i < listing.nblocks; i++)
		if (listing.b[i].ntest)
			b = &listing.b[i];
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, b->nvar) TH_LOG("%s has variants", b->fixture);
	snprintf(want, sizeof(want), "%s.%s", b->fixture,
		 b->test[b->ntest - 1]);

	RUN("ipcchan_compat_test", 1, "-t", b->test[b->ntest - 1], NULL);
	EXPECT_EQ(1, tap_plan(run_buf.out));
	EXPECT_EQ(1, tap_results(run_buf.out));
	ASSERT_EQ(1, run_names(run_buf.out, names, 1024));
	EXPECT_STREQ(want, names[0]);
}

/* The sizes fixture of ipcchan_msg_test and its second variant. */
static const struct block *sizes_block(struct __test_metadata *_metadata,
				       const char **variant)
{
	const struct block *b;
	int i, j, n = 0;

	ASSERT_LT(0, parse_listing(run_buf.out, &listing))
		TH_LOG("listing not understood:\n%s", run_buf.out);
	b = find_block(&listing, "sizes");
	ASSERT_NE(NULL, b) TH_LOG("no fixture 'sizes' in ipcchan_msg_test -l");
	ASSERT_LE(2, b->nvar) TH_LOG("sizes has %d variants", b->nvar);
	ASSERT_LE(1, b->ntest) TH_LOG("sizes has no tests");
	*variant = b->var[1];
	/* -v matches in every fixture: the name must be sizes' alone. */
	for (i = 0; i < listing.nblocks; i++)
		for (j = 0; j < listing.b[i].nvar; j++)
			n += !strcmp(listing.b[i].var[j], *variant);
	EXPECT_EQ(1, n) TH_LOG("variant %s is not unique", *variant);
	return b;
}

TEST(variant_runs_that_variant_only)
{
	const struct block *b;
	const char *v = NULL;
	char want[3 * NAME_LEN + 2];
	int i, n;

	RUN("ipcchan_msg_test", 2, "-l", NULL);
	b = sizes_block(_metadata, &v);
	ASSERT_NE(NULL, b);

	RUN("ipcchan_msg_test", 1, "-v", v, NULL);
	EXPECT_EQ(b->ntest, tap_plan(run_buf.out));
	EXPECT_EQ(b->ntest, tap_results(run_buf.out));
	n = run_names(run_buf.out, names, 1024);
	ASSERT_EQ(b->ntest, n);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "sizes.%s.%s", v, b->test[i]);
		EXPECT_STREQ(want, names[i]);
	}
}

TEST(excluded_variant_is_left_out_of_its_fixture)
{
	const struct block *b;
	const char *v = NULL;
	char part[NAME_LEN + 2];
	int i, n, want;

	RUN("ipcchan_msg_test", 2, "-l", NULL);
	b = sizes_block(_metadata, &v);
	ASSERT_NE(NULL, b);
	want = b->ntest * (b->nvar - 1);

	/* The first option naming a test decides: -V before -f. */
	RUN("ipcchan_msg_test", 1, "-V", v, "-f", "sizes", NULL);
	EXPECT_EQ(want, tap_plan(run_buf.out));
	EXPECT_EQ(want, tap_results(run_buf.out));
	n = run_names(run_buf.out, names, 1024);
	ASSERT_EQ(want, n);
	snprintf(part, sizeof(part), ".%s.", v);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, strncmp(names[i], "sizes.", 6)) TH_LOG("%s", names[i]);
		EXPECT_EQ(NULL, strstr(names[i], part)) TH_LOG("%s", names[i]);
	}
}

TEST(full_name_runs_that_test_alone)
{
	char want[3 * NAME_LEN + 2];
	const struct block *b;
	const char *v = NULL;

	RUN("ipcchan_msg_test", 2, "-l", NULL);
	b = sizes_block(_metadata, &v);
	ASSERT_NE(NULL, b);
	snprintf(want, sizeof(want), "sizes.%s.%s", v, b->test[b->ntest - 1]);

	RUN("ipcchan_msg_test", 1, "-r", want, NULL);
	EXPECT_EQ(1, tap_plan(run_buf.out));
	EXPECT_EQ(1, tap_results(run_buf.out));
	ASSERT_EQ(1, run_names(run_buf.out, names, 1024));
	EXPECT_STREQ(want, names[0]);
}

TEST(unknown_option_is_a_usage_error)
{
	RUN("ipcchan_compat_test", 1, "-Z", NULL);
	EXPECT_EQ(KSFT_FAIL, run_buf.status);
	EXPECT_EQ(-1, tap_plan(run_buf.out));
	EXPECT_EQ(0, tap_results(run_buf.out));
}

IPCCHAN_HARNESS_MAIN(NULL)
