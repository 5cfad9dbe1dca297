// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation: channel names live in the caller's IPC namespace, and one uid
 * cannot own more than user_channels_limit channels.
 */
#include <sched.h>
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

	if (!ipcchan_present())
		SKIP(return, "%s absent (module not loaded)", IPCCHAN_DEVICE);
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

/* A channel left in a namespace that died keeps it alive until unload. */
TEST(channel_outlives_its_namespace)
{
	struct ipcchan_modinfo before, after;
	int st;
	pid_t pid;

	if (!ipcchan_present())
		SKIP(return, "%s absent (module not loaded)", IPCCHAN_DEVICE);
	if (geteuid() != 0)
		SKIP(return, "unshare(CLONE_NEWIPC) needs root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_try_unshare(CLONE_NEWIPC) != -EINVAL,
			       "CONFIG_IPC_NS");
	ASSERT_EQ(0, modinfo(&before));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (unshare(CLONE_NEWIPC))
			_exit(1);
		fd = ipcchan_test_attach("left.behind", IPCCHAN_CREATE,
					 IPCCHAN_ACCESS_RDWR, 0600);
		_exit(fd < 0 ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ASSERT_EQ(0, modinfo(&after));
	/* Still alive (freed at module unload, checked by the runner). */
	EXPECT_EQ(before.channels + 1, after.channels);
	EXPECT_EQ(0, listed("left.behind"));
	EXPECT_EQ(-ENOENT, unlink_name("left.behind"));
}

TEST(user_channel_limit_enospc)
{
	struct ipcchan_modinfo mi;
	int *status;
	unsigned int i, limit;
	char prefix[32];
	int st;
	pid_t pid;

	if (!ipcchan_present())
		SKIP(return, "%s absent (module not loaded)", IPCCHAN_DEVICE);
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
