// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation: channel names live in the caller's IPC namespace, and one uid
 * cannot own more than user_channels_limit channels.
 */
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

static int unlink_name(const char *name)
{
	struct ipcchan_unlink un;
	int fd = open(IPCCHAN_DEVICE, O_RDWR);
	int ret;

	if (fd < 0)
		return -errno;
	memset(&un, 0, sizeof(un));
	snprintf(un.name, sizeof(un.name), "%s", name);
	ret = ipcchan_ioctl(fd, IPCCHAN_IOC_UNLINK, &un);
	close(fd);
	return ret;
}

static int listed(const char *name)
{
	char line[512];
	FILE *f = fopen(IPCCHAN_PROC_LIST, "r");
	size_t n = strlen(name);
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ')
			found++;
	fclose(f);
	return found;
}

static int modinfo(struct ipcchan_modinfo *mi)
{
	int fd = open(IPCCHAN_DEVICE, O_RDWR);
	int ret;

	if (fd < 0)
		return -errno;
	ret = ipcchan_ioctl(fd, IPCCHAN_IOC_MODINFO, mi);
	close(fd);
	return ret;
}

/* Child: in a new IPC namespace, the parent's channel does not exist. */
static int child_in_new_ns(const char *name, const char *other)
{
	struct ipcchan_msg m;
	int fd;

	if (unshare(CLONE_NEWIPC))
		return 10;
	if (ipcchan_test_attach(name, 0, IPCCHAN_ACCESS_RDWR, 0) != -ENOENT)
		return 11;
	if (unlink_name(name) != -ENOENT)
		return 12;
	if (listed(name) != 0 || listed(other) != 0)
		return 13;
	/* The same name is free here and makes a different channel. */
	fd = ipcchan_test_attach(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				 IPCCHAN_ACCESS_RDWR, 0600);
	if (fd < 0)
		return 14;
	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)"child";
	m.len = 5;
	if (ioctl(fd, IPCCHAN_IOC_SEND, &m))
		return 15;
	if (listed(name) != 1 || listed(other) != 0)
		return 16;
	if (unlink_name(name))
		return 17;
	close(fd);
	return 0;
}

TEST(names_are_per_ipc_namespace)
{
	char name[IPCCHAN_NAME_MAX], other[IPCCHAN_NAME_MAX];
	struct ipcchan_info info;
	int fd, fd2, st;
	pid_t pid;

	IPCCHAN_REQUIRE_DEV();
	if (geteuid() != 0)
		SKIP(return, "unshare(CLONE_NEWIPC) needs root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWIPC) != -EINVAL,
			       "CONFIG_IPC_NS");
	ipcchan_test_name(name, sizeof(name), "ns");
	ipcchan_test_name(other, sizeof(other), "ns");
	fd = ipcchan_test_attach(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				 IPCCHAN_ACCESS_RDWR, 0666);
	ASSERT_LE(0, fd);
	fd2 = ipcchan_test_attach(other, IPCCHAN_CREATE | IPCCHAN_EXCL,
				  IPCCHAN_ACCESS_RDWR, 0666);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(1, listed(name));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_in_new_ns(name, other));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));

	/* Nothing the child did reached this namespace's channel. */
	ASSERT_EQ(0, ioctl(fd, IPCCHAN_IOC_INFO, &info));
	EXPECT_EQ(0, info.sent);
	EXPECT_EQ(0, info.state & IPCCHAN_STATE_UNLINKED);
	EXPECT_EQ(1, listed(name));
	EXPECT_EQ(0, unlink_name(name));
	EXPECT_EQ(0, unlink_name(other));
	close(fd);
	close(fd2);
}

/* --- Helpers for the tests below ---------------------------------------- */

/* Channel sizes that reserve a sizeable part of a user's quota. */
#define BIG_MSGS	2

static __u32 big_msg_size(const struct ipcchan_modinfo *mi)
{
	return mi->max_msg_size_limit;
}

/* Create "prefix.i" channels of BIG size until one fails; -errno of it. */
static int fill(const char *prefix, const struct ipcchan_modinfo *mi,
		int *made, int max)
{
	char name[IPCCHAN_NAME_MAX];
	int fd;

	for (*made = 0; *made < max; (*made)++) {
		snprintf(name, sizeof(name), "%s.%d", prefix, *made);
		fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
					    IPCCHAN_ACCESS_RDWR, 0600, BIG_MSGS,
					    big_msg_size(mi), 0);
		if (fd < 0)
			return fd;
		close(fd);
	}
	return 0;
}

static void unfill(const char *prefix, int made)
{
	char name[IPCCHAN_NAME_MAX];
	int i;

	for (i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "%s.%d", prefix, i);
		unlink_name(name);
	}
}

static int become(uid_t uid)
{
	return setresgid(uid, uid, uid) || setresuid(uid, uid, uid) ? -1 : 0;
}

static int wait_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* One byte through a pipe, to order two processes. */
static void post(int fd)
{
	char c = 0;

	if (write(fd, &c, 1) != 1)
		_exit(90);
}

static int await(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

/* Exit status of a child that found user namespaces unavailable. */
#define NO_USERNS	4

/*
 * A namespace's channels die with the namespace (issue 14 item 3).  A
 * process of uid U in unshare(CLONE_NEWUSER | CLONE_NEWIPC) fills U's quota
 * with channels and exits.  Nothing can reach that namespace any more, so
 * its channels must be freed and U's quota returned: a create by U that
 * needs the quota works again within a bounded time.  (The channel count
 * of MODINFO cannot show it: it is the caller's namespace's.)
 */
TEST(channel_dies_with_its_namespace)
{
	const uid_t uid = 54321;
	struct ipcchan_modinfo mi;
	char prefix[32], name[IPCCHAN_NAME_MAX];
	long long deadline;
	int *made, ret = -1, st;
	pid_t pid;

	IPCCHAN_REQUIRE_DEV();
	if (geteuid() != 0)
		SKIP(return, "needs root to become another uid");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWIPC) != -EINVAL,
			       "CONFIG_IPC_NS");
	ASSERT_EQ(0, modinfo(&mi));
	made = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, made);
	snprintf(prefix, sizeof(prefix), "t.die.%d", (int)getpid());

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (become(uid))
			_exit(1);
		if (unshare(CLONE_NEWUSER | CLONE_NEWIPC))
			_exit(NO_USERNS);
		/* Fill this uid's quota, then leave it all behind. */
		_exit(fill(prefix, &mi, made, 256) == -ENOSPC && *made ? 0 : 2);
	}
	st = wait_status(pid);
	if (st == NO_USERNS)
		SKIP(return, "no unprivileged user namespaces");
	ASSERT_EQ(0, st) TH_LOG("made %d", *made);

	/* The same uid, back in the initial namespace, needs that quota. */
	ipcchan_test_name(name, sizeof(name), "die");
	deadline = ipcchan_now_ns() + 10000000000LL;
	while (ipcchan_now_ns() < deadline) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			int fd;

			if (become(uid))
				_exit(1);
			fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE,
						    IPCCHAN_ACCESS_RDWR, 0600,
						    BIG_MSGS, big_msg_size(&mi),
						    0);
			if (fd == -ENOSPC)
				_exit(2);
			if (fd < 0)
				_exit(3);
			close(fd);
			_exit(unlink_name(name) ? 4 : 0);
		}
		ret = wait_status(pid);
		if (ret != 2)
			break;
		usleep(100000);
	}
	EXPECT_EQ(0, ret) TH_LOG("%d channels of the dead namespace still hold uid %u's quota",
				 *made, uid);
	munmap(made, 4096);
}

/*
 * Create channel @name in a new IPC namespace (and user namespace when
 * @userns), tell @ready, then keep the namespace alive until @go says.
 * Exit status: 0 when the channel was still there at the end.
 */
static int hold_namespace(const char *name, int userns, int ready, int go)
{
	int fd;

	if (unshare(CLONE_NEWIPC | (userns ? CLONE_NEWUSER : 0)))
		return NO_USERNS;
	fd = ipcchan_test_attach(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				 IPCCHAN_ACCESS_RDWR, 0600);
	if (fd < 0)
		return 2;
	close(fd);
	post(ready);
	if (await(go))
		return 3;
	/* The name must still be here: only the channel was not alive. */
	fd = ipcchan_test_attach(name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 5;
	close(fd);
	return unlink_name(name) ? 6 : 0;
}

/* A namespace that still has a task keeps its channels, for good. */
TEST(live_namespace_keeps_its_channels)
{
	int ready[2], go[2], st;
	char name[IPCCHAN_NAME_MAX];
	pid_t pid;

	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWIPC) != -EINVAL,
			       "CONFIG_IPC_NS");
	ipcchan_test_name(name, sizeof(name), "live");
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(hold_namespace(name, 1, ready[1], go[0]));
	close(ready[1]);
	close(go[0]);
	if (await(ready[0])) {
		st = wait_status(pid);
		if (st == NO_USERNS)
			SKIP(return, "no user namespaces");
		ASSERT_EQ(0, st);
	}
	/* Several collection periods, and registry operations meanwhile. */
	for (st = 0; st < 25; st++) {
		struct ipcchan_modinfo mi;

		EXPECT_EQ(0, modinfo(&mi));
		usleep(100000);
	}
	post(go[1]);
	EXPECT_EQ(0, wait_status(pid));
	close(ready[0]);
	close(go[1]);
}

/*
 * An nsfs file keeps a namespace, and its channels, alive with no task in
 * it: whoever holds the file can still setns() there.
 */
TEST(nsfs_file_keeps_channels)
{
	char name[IPCCHAN_NAME_MAX], path[64];
	int ready[2], go[2], nsfd;
	pid_t pid;

	IPCCHAN_REQUIRE_DEV();
	if (geteuid() != 0)
		SKIP(return, "setns(CLONE_NEWIPC) needs root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWIPC) != -EINVAL,
			       "CONFIG_IPC_NS");
	ipcchan_test_name(name, sizeof(name), "nsfs");
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(go[1]);
		_exit(hold_namespace(name, 0, ready[1], go[0]) == 3 ? 0 : 1);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(0, await(ready[0]));
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nsfd);
	/* The child leaves (its read of @go fails): no task in there now. */
	close(go[1]);
	ASSERT_EQ(0, wait_status(pid));
	usleep(2500000);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (setns(nsfd, CLONE_NEWIPC))
			_exit(1);
		fd = ipcchan_test_attach(name, 0, IPCCHAN_ACCESS_RDWR, 0);
		if (fd < 0)
			_exit(2);
		close(fd);
		_exit(unlink_name(name) ? 3 : 0);
	}
	EXPECT_EQ(0, wait_status(pid));
	close(nsfd);
	close(ready[0]);
}

/* The module-wide byte ceiling, or 0 when the module has none. */
static unsigned long long global_bytes_limit(void)
{
	FILE *f = fopen("/sys/module/ipcchan/parameters/global_bytes_limit",
			"re");
	unsigned long long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/*
 * In a child, as @uid (in a new IPC namespace when @newipc): create a
 * channel of BIG_MSGS messages of big_msg_size() named @name and unlink it
 * again; *err (shared memory) gets the create's errno, 0 for success.
 * Returns the child's status: 0, or 1 when it could not get there.
 */
static int create_big_as(const struct ipcchan_modinfo *mi, const char *name,
			 uid_t uid, int newipc, int *err)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (!pid) {
		if ((newipc && unshare(CLONE_NEWIPC)) || become(uid))
			_exit(1);
		fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE,
					    IPCCHAN_ACCESS_RDWR, 0600,
					    BIG_MSGS, big_msg_size(mi), 0);
		*err = fd < 0 ? -fd : 0;
		if (fd >= 0) {
			close(fd);
			unlink_name(name);
		}
		_exit(0);
	}
	return wait_status(pid);
}

/* Shared between the processes of uid_range_is_one_user. */
struct range_result {
	int made[8];
	int err[8];
	unsigned long long reserved;
	int other;
};

/*
 * The child of uid_range_is_one_user: as @owner, in a new user and IPC
 * namespace whose uid map the parent writes, let each of the eight uids
 * fill what it can, report the bytes they reserved, and clean up when the
 * parent says go again.  Never returns.
 */
static void range_owner(uid_t owner, const struct ipcchan_modinfo *mi,
			struct range_result *r, const char *prefix,
			int ready, int go, int done)
{
	struct ipcchan_modinfo before, after;
	char uprefix[40];
	int k;

	if (become(owner))
		_exit(1);
	if (unshare(CLONE_NEWUSER | CLONE_NEWIPC))
		_exit(NO_USERNS);
	post(ready);
	if (await(go))
		_exit(2);
	if (modinfo(&before))
		_exit(3);
	/* Each of the eight uids fills what it can. */
	for (k = 0; k < 8; k++) {
		pid_t g = fork();

		if (!g) {
			if (setresuid(k, k, k))
				_exit(1);
			snprintf(uprefix, sizeof(uprefix), "%s.%d", prefix, k);
			r->err[k] = -fill(uprefix, mi, &r->made[k], 64);
			_exit(0);
		}
		if (wait_status(g))
			_exit(4);
	}
	if (modinfo(&after))
		_exit(5);
	r->reserved = after.reserved_bytes - before.reserved_bytes;
	post(done);
	/* Clean up (CAP_IPC_OWNER here) once the parent has looked. */
	if (await(go))
		_exit(6);
	for (k = 0; k < 8; k++) {
		snprintf(uprefix, sizeof(uprefix), "%s.%d", prefix, k);
		unfill(uprefix, r->made[k]);
	}
	_exit(0);
}

/*
 * A user namespace created by uid O with eight uids mapped (a subordinate
 * range): every channel its uids create is charged to O at the initial
 * level, so together they reserve no more than one user may, and another
 * user can still create channels afterwards (issue 14 item 4).
 */
TEST(uid_range_is_one_user)
{
	const uid_t owner = 54400, other = 54401;
	struct ipcchan_modinfo mi;
	struct range_result *r;
	int ready[2], go[2], done[2], st;
	char path[64], prefix[32], name[IPCCHAN_NAME_MAX];
	pid_t pid;

	IPCCHAN_REQUIRE_DEV();
	if (geteuid() != 0)
		SKIP(return, "needs root to write a uid map");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWIPC) != -EINVAL,
			       "CONFIG_IPC_NS");
	ASSERT_EQ(0, modinfo(&mi));
	r = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	snprintf(prefix, sizeof(prefix), "t.range.%d", (int)getpid());
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		range_owner(owner, &mi, r, prefix, ready[1], go[0], done[1]);
	close(ready[1]);
	close(done[1]);
	close(go[0]);
	if (await(ready[0])) {
		st = wait_status(pid);
		if (st == NO_USERNS)
			SKIP(return, "no unprivileged user namespaces");
		ASSERT_EQ(0, st);
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	ASSERT_EQ(0, ipcchan_write_file(path, "0 200000 8\n"));
	post(go[1]);
	ASSERT_EQ(0, await(done[0]));

	/* Another user can still create a channel of the same size. */
	snprintf(name, sizeof(name), "%s.other", prefix);
	EXPECT_EQ(0, create_big_as(&mi, name, other, 0, &r->other));
	post(go[1]);
	EXPECT_EQ(0, wait_status(pid));

	for (st = 0; st < 8; st++)
		TH_LOG("uid %d: %d channels, then errno %d", st, r->made[st],
		       r->err[st]);
	EXPECT_LT(0, r->made[0]);
	EXPECT_EQ(ENOSPC, r->err[0]);
	EXPECT_LE(r->reserved, mi.user_bytes_limit)
		TH_LOG("eight uids of one owner reserved %llu bytes", r->reserved);
	EXPECT_EQ(0, r->other) TH_LOG("another user's create failed");
	munmap(r, 4096);
	close(ready[0]);
	close(done[0]);
	close(go[1]);
}

/* Shared between the processes of namespace_limits_are_separate. */
struct nslimit_result {
	int users;
	int channels;
	int err;
	int other;
};

/*
 * The child of namespace_limits_are_separate: in a new IPC namespace,
 * fresh uids fill it until one cannot create a channel; report, and clean
 * up when the parent says go.  Never returns.
 */
static void nsl_fill(const struct ipcchan_modinfo *mi,
		     struct nslimit_result *r, const char *prefix, int go,
		     int done)
{
	char uprefix[40];
	int k, st, made[32];

	if (unshare(CLONE_NEWIPC))
		_exit(1);
	/* Fresh uids fill the namespace until one cannot start. */
	for (k = 0; k < 32; k++) {
		pid_t g = fork();

		if (!g) {
			if (become(54500 + k))
				_exit(1);
			snprintf(uprefix, sizeof(uprefix), "%s.%d", prefix, k);
			r->err = -fill(uprefix, mi, &made[k], 256);
			r->channels += made[k];
			_exit(made[k] ? 0 : 100);
		}
		st = wait_status(g);
		if (st == 100)
			break;
		if (st)
			_exit(2);
		/* made[] lives in the grandchild: count again below */
	}
	r->users = k;
	post(done);
	if (await(go))
		_exit(3);
	for (k = 0; k <= r->users && k < 32; k++) {
		snprintf(uprefix, sizeof(uprefix), "%s.%d", prefix, k);
		unfill(uprefix, 256);
	}
	_exit(0);
}

/*
 * max_channels and total_bytes_limit are per IPC namespace: users filling
 * one namespace up to its limit (ENOSPC) leave creates in another
 * namespace working (issue 14 item 4).
 */
TEST(namespace_limits_are_separate)
{
	struct ipcchan_modinfo mi;
	struct nslimit_result *r;
	unsigned long long ceiling;
	int done[2], go[2];
	char prefix[32];
	pid_t pid;

	IPCCHAN_REQUIRE_DEV();
	if (geteuid() != 0)
		SKIP(return, "needs root to become other uids");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWIPC) != -EINVAL,
			       "CONFIG_IPC_NS");
	ASSERT_EQ(0, modinfo(&mi));
	ceiling = global_bytes_limit();
	if (ceiling && ceiling < mi.total_bytes_limit + mi.user_bytes_limit +
				 mi.reserved_bytes)
		SKIP(return, "global_bytes_limit %llu leaves no room for a second namespace",
		     ceiling);
	r = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	snprintf(prefix, sizeof(prefix), "t.nsl.%d", (int)getpid());
	ASSERT_EQ(0, pipe(done));
	ASSERT_EQ(0, pipe(go));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		nsl_fill(&mi, r, prefix, go[0], done[1]);
	close(done[1]);
	close(go[0]);
	ASSERT_EQ(0, await(done[0]));

	/* A fresh user in a fresh namespace is not affected. */
	EXPECT_EQ(0, create_big_as(&mi, "t.nsl.other", 54599, 1, &r->other));
	post(go[1]);
	EXPECT_EQ(0, wait_status(pid));

	TH_LOG("%d uids made %d channels, then errno %d", r->users,
	       r->channels, r->err);
	EXPECT_LT(0, r->users);
	EXPECT_GT(32, r->users) TH_LOG("the namespace limit was never reached");
	EXPECT_EQ(ENOSPC, r->err);
	EXPECT_EQ(0, r->other) TH_LOG("a create in another namespace failed");
	munmap(r, 4096);
	close(done[0]);
	close(go[1]);
}

/*
 * MODINFO (and INFO's module part) report the caller's namespace: traffic
 * in one IPC namespace is invisible in another (issue 14 item 7).
 */
TEST(modinfo_counts_own_namespace_only)
{
	int ready[2], go[2];
	pid_t pid, bpid;

	IPCCHAN_REQUIRE_DEV();
	if (geteuid() != 0)
		SKIP(return, "unshare(CLONE_NEWIPC) needs root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWIPC) != -EINVAL,
			       "CONFIG_IPC_NS");
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ipcchan_modinfo mi;
		static const char msg[30];
		int fd, i;

		if (unshare(CLONE_NEWIPC))
			_exit(1);
		fd = ipcchan_test_attach("busy", IPCCHAN_CREATE,
					 IPCCHAN_ACCESS_RDWR, 0600);
		if (fd < 0)
			_exit(2);
		for (i = 1; i <= 3; i++)
			if (ipcchan_test_send(fd, msg, 10 * i, 0, 0, 0, NULL))
				_exit(3);
		/* Here: exactly this channel and its traffic. */
		if (modinfo(&mi) || mi.channels != 1 || mi.messages != 3 ||
		    mi.queued_bytes != 60 || !mi.reserved_bytes)
			_exit(4);
		post(ready[1]);
		if (await(go[0]))
			_exit(5);
		unlink_name("busy");
		close(fd);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(0, await(ready[0])) TH_LOG("child %d", wait_status(pid));

	bpid = fork();
	ASSERT_LE(0, bpid);
	if (!bpid) {
		struct ipcchan_modinfo mi;
		struct ipcchan_info in;
		int fd;

		if (unshare(CLONE_NEWIPC))
			_exit(1);
		memset(&mi, 0xa5, sizeof(mi));
		if (modinfo(&mi))
			_exit(2);
		if (mi.channels || mi.messages || mi.queued_bytes ||
		    mi.reserved_bytes)
			_exit(3);
		fd = ipcchan_test_attach("quiet", IPCCHAN_CREATE,
					 IPCCHAN_ACCESS_RDWR, 0600);
		if (fd < 0 || ipcchan_test_info(fd, &in))
			_exit(4);
		if (in.mod.channels != 1 || in.mod.messages ||
		    in.mod.queued_bytes)
			_exit(5);
		unlink_name("quiet");
		close(fd);
		_exit(0);
	}
	EXPECT_EQ(0, wait_status(bpid));
	post(go[1]);
	EXPECT_EQ(0, wait_status(pid));
	close(ready[0]);
	close(go[1]);
}

/*
 * /proc/ipcchan lists the namespace of whoever opened it, as the sysvipc
 * files do: read after setns() into another namespace, it still shows the
 * opener's channels (issue 14 item 8).
 */
TEST(proc_file_lists_openers_namespace)
{
	char name[IPCCHAN_NAME_MAX], other[IPCCHAN_NAME_MAX];
	int initns, fd, st;
	pid_t pid;

	IPCCHAN_REQUIRE_DEV();
	if (geteuid() != 0)
		SKIP(return, "setns(CLONE_NEWIPC) needs root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWIPC) != -EINVAL,
			       "CONFIG_IPC_NS");
	ipcchan_test_name(name, sizeof(name), "popen");
	ipcchan_test_name(other, sizeof(other), "popen");
	fd = ipcchan_test_attach(other, IPCCHAN_CREATE | IPCCHAN_EXCL,
				 IPCCHAN_ACCESS_RDWR, 0600);
	ASSERT_LE(0, fd);
	initns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, initns);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char buf[8192];
		ssize_t n;
		int cfd, pfd;

		if (unshare(CLONE_NEWIPC))
			_exit(1);
		cfd = ipcchan_test_attach(name, IPCCHAN_CREATE,
					  IPCCHAN_ACCESS_RDWR, 0600);
		if (cfd < 0)
			_exit(2);
		pfd = open(IPCCHAN_PROC_LIST, O_RDONLY | O_CLOEXEC);
		if (pfd < 0)
			_exit(3);
		if (setns(initns, CLONE_NEWIPC))
			_exit(4);
		n = read(pfd, buf, sizeof(buf) - 1);
		if (n <= 0)
			_exit(5);
		buf[n] = 0;
		/* The opener's namespace: its channel, not the reader's. */
		if (!strstr(buf, name))
			_exit(6);
		if (strstr(buf, other))
			_exit(7);
		/* A file opened now lists this namespace. */
		if (listed(name) != 0 || listed(other) != 1)
			_exit(8);
		close(pfd);
		close(cfd);
		_exit(0);
	}
	st = wait_status(pid);
	EXPECT_EQ(0, st);
	close(initns);
	close(fd);
	EXPECT_EQ(0, unlink_name(other));
}

TEST(user_channel_limit_enospc)
{
	struct ipcchan_modinfo mi;
	int *status;
	unsigned int i, limit;
	char prefix[32];
	int st;
	pid_t pid;

	IPCCHAN_REQUIRE_DEV();
	if (geteuid() != 0)
		SKIP(return, "needs root to become another uid");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_multiuser(), "CONFIG_MULTIUSER");
	ASSERT_EQ(0, modinfo(&mi));
	limit = mi.user_channels_limit;
	if (limit > 1024 || mi.max_channels - mi.channels <= limit)
		SKIP(return, "user_channels_limit %u too big to fill here", limit);
	snprintf(prefix, sizeof(prefix), "t.uq.%d", (int)getpid());
	status = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, status);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char name[IPCCHAN_NAME_MAX];
		struct ipcchan_attach at;

		if (setresgid(4242, 4242, 4242) || setresuid(4242, 4242, 4242))
			_exit(1);
		for (i = 0; i <= limit; i++) {
			int fd = open(IPCCHAN_DEVICE, O_RDWR);

			memset(&at, 0, sizeof(at));
			snprintf(name, sizeof(name), "%s.%u", prefix, i);
			snprintf(at.name, sizeof(at.name), "%s", name);
			at.flags = IPCCHAN_CREATE | IPCCHAN_EXCL;
			at.access = IPCCHAN_ACCESS_RDWR;
			at.mode = 0600;
			at.max_msgs = 1;
			at.max_msg_size = 1;
			if (ioctl(fd, IPCCHAN_IOC_ATTACH, &at)) {
				status[0] = i;
				status[1] = errno;
				close(fd);
				break;
			}
			close(fd);
		}
		/* Clean up as the owner. */
		for (i = 0; i < (unsigned int)status[0]; i++) {
			snprintf(name, sizeof(name), "%s.%u", prefix, i);
			unlink_name(name);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(limit, (unsigned int)status[0]);
	EXPECT_EQ(ENOSPC, status[1]);
	munmap(status, 4096);
}

IPCCHAN_HARNESS_MAIN(NULL)
