// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan permission and quota tests.  The test runs as root and forks
 * children that switch to unprivileged uids/gids (setgroups + setresgid +
 * setresuid) to check ATTACH against the channel's owner, group and mode
 * like a file (EACCES per access bit), the CAP_IPC_OWNER override (and its
 * absence when only that capability is dropped), EPERM on UNLINK by a
 * non-owner, the sender's uid in RECV, and the per-user byte quota (ENOSPC).
 *
 * Skips when /dev/ipcchan is absent or when not run as root.
 */
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

/* Unprivileged identities; nothing else in the VM uses them. */
#define UID_A	61001	/* channel owner */
#define UID_B	61002
#define UID_C	61003
#define UID_Q	61010	/* quota tests */
#define UID_R	61011
#define GID_G	62001	/* owner's group */
#define GID_H	62002	/* some other group */

struct cred {
	uid_t uid;
	gid_t gid;
	gid_t sup;	/* one supplementary group, 0 for none */
	int drop_ipc_owner;	/* uid 0 without CAP_IPC_OWNER */
};

static const struct cred owner_a = { .uid = UID_A, .gid = GID_G };
static const struct cred group_b = { .uid = UID_B, .gid = GID_G };
static const struct cred sup_b = { .uid = UID_B, .gid = GID_H, .sup = GID_G };
static const struct cred other_c = { .uid = UID_C, .gid = GID_H };
static const struct cred root_noipc = { .uid = 0, .gid = 0,
					 .drop_ipc_owner = 1 };

enum op_kind { OP_CREATE, OP_CREATE_NOEXCL, OP_ATTACH, OP_UNLINK, OP_SEND };

struct op {
	enum op_kind kind;
	const char *name;
	__u32 access;
	__u32 mode;
	__u32 max_msgs;		/* OP_CREATE*: 0 = default */
	__u32 max_msg_size;	/* OP_CREATE*: 0 = default */
};

/* Remove CAP_IPC_OWNER from the effective and permitted sets. */
static int drop_cap_ipc_owner(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_IPC_OWNER / 32].effective &= ~(1U << (CAP_IPC_OWNER % 32));
	d[CAP_IPC_OWNER / 32].permitted &= ~(1U << (CAP_IPC_OWNER % 32));
	return (int)syscall(SYS_capset, &h, d);
}

static int become(const struct cred *c)
{
	if (c->drop_ipc_owner)
		return drop_cap_ipc_owner();
	if (c->sup ? setgroups(1, &c->sup) : setgroups(0, NULL))
		return -1;
	if (setresgid(c->gid, c->gid, c->gid))
		return -1;
	if (setresuid(c->uid, c->uid, c->uid))
		return -1;
	return 0;
}

/* In the child: run @op, return 0 or the positive errno. */
static int run_op(const struct op *op)
{
	int fd, ret;

	umask(0);	/* whether umask applies is not part of the contract */
	switch (op->kind) {
	case OP_CREATE:
	case OP_CREATE_NOEXCL:
	case OP_ATTACH:
		fd = ipcchan_test_attach_sz(op->name,
					    op->kind == OP_CREATE ?
					    IPCCHAN_CREATE | IPCCHAN_EXCL :
					    op->kind == OP_CREATE_NOEXCL ?
					    IPCCHAN_CREATE : 0,
					    op->access, op->mode,
					    op->max_msgs, op->max_msg_size, 0);
		if (fd < 0)
			return -fd;
		close(fd);
		return 0;
	case OP_UNLINK:
		return -ipcchan_test_unlink(op->name);
	case OP_SEND:
		fd = ipcchan_test_attach(op->name, 0, IPCCHAN_ACCESS_SEND, 0);
		if (fd < 0)
			return -fd;
		ret = ipcchan_test_send(fd, "u", 1, 0, 0, 0, NULL);
		close(fd);
		return -ret;
	}
	return 255;
}

/*
 * Run @op as @c in a child.  Returns 0 or the errno, 200 when the identity
 * could not be taken, 250+ when the child died; the child's pid in *pidp.
 */
static int as_user(const struct cred *c, const struct op *op, pid_t *pidp)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return 254;
	if (pid == 0) {
		if (become(c))
			_exit(200);
		_exit(run_op(op) & 0xff);
	}
	if (pidp)
		*pidp = pid;
	if (waitpid(pid, &status, 0) != pid)
		return 253;
	if (!WIFEXITED(status))
		return 252;
	return WEXITSTATUS(status);
}

static int do_as(const struct cred *c, enum op_kind kind, const char *name,
		 __u32 access, __u32 mode)
{
	struct op op = { kind, name, access, mode, 0, 0 };

	return as_user(c, &op, NULL);
}

#define RECV	IPCCHAN_ACCESS_RECV
#define SEND	IPCCHAN_ACCESS_SEND
#define RDWR	IPCCHAN_ACCESS_RDWR

/* --- fixture: one channel name, removed by root afterwards -------------- */

FIXTURE(perm) {
	char name[IPCCHAN_NAME_MAX];
};

FIXTURE_SETUP(perm)
{
	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(geteuid() == 0, "permission tests need root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_multiuser(), "CONFIG_MULTIUSER");
	ipcchan_test_name(self->name, sizeof(self->name), "perm");
}

FIXTURE_TEARDOWN(perm)
{
	ipcchan_test_unlink(self->name);
}

/* A creates the channel with @mode, attaching with the access it allows. */
static void create_as_a(struct __test_metadata *_metadata, const char *name,
			__u32 mode, __u32 access)
{
	ASSERT_EQ(0, do_as(&owner_a, OP_CREATE, name, access, mode));
}

/* --- owner class ------------------------------------------------------- */

TEST_F(perm, unprivileged_user_creates_and_uses)
{
	struct ipcchan_info info;
	int fd;

	create_as_a(_metadata, self->name, 0600, RDWR);
	EXPECT_EQ(0, do_as(&owner_a, OP_ATTACH, self->name, RDWR, 0));
	EXPECT_EQ(0, do_as(&owner_a, OP_SEND, self->name, 0, 0));
	fd = ipcchan_test_attach(self->name, 0, RECV, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	EXPECT_EQ((__u32)UID_A, info.uid);
	EXPECT_EQ((__u32)GID_G, info.gid);
	EXPECT_EQ(0600U, info.mode);
	EXPECT_EQ(1ULL, info.cur_msgs);
	close(fd);
}

TEST_F(perm, owner_0400_send_eacces)
{
	create_as_a(_metadata, self->name, 0400, RECV);
	EXPECT_EQ(EACCES, do_as(&owner_a, OP_ATTACH, self->name, SEND, 0));
}

TEST_F(perm, owner_0400_rdwr_eacces)
{
	create_as_a(_metadata, self->name, 0400, RECV);
	EXPECT_EQ(EACCES, do_as(&owner_a, OP_ATTACH, self->name, RDWR, 0));
}

TEST_F(perm, owner_0400_recv_ok)
{
	create_as_a(_metadata, self->name, 0400, RECV);
	EXPECT_EQ(0, do_as(&owner_a, OP_ATTACH, self->name, RECV, 0));
}

TEST_F(perm, owner_0200_recv_eacces)
{
	create_as_a(_metadata, self->name, 0200, SEND);
	EXPECT_EQ(EACCES, do_as(&owner_a, OP_ATTACH, self->name, RECV, 0));
}

TEST_F(perm, owner_0200_send_ok)
{
	create_as_a(_metadata, self->name, 0200, SEND);
	EXPECT_EQ(0, do_as(&owner_a, OP_ATTACH, self->name, SEND, 0));
}

/* The owner class decides for the owner even when group bits would allow. */
TEST_F(perm, owner_class_wins_over_group)
{
	create_as_a(_metadata, self->name, 0460, RECV);
	EXPECT_EQ(EACCES, do_as(&owner_a, OP_ATTACH, self->name, SEND, 0));
}

/* --- group class ----------------------------------------------------- */

TEST_F(perm, group_0640_recv_ok)
{
	create_as_a(_metadata, self->name, 0640, RDWR);
	EXPECT_EQ(0, do_as(&group_b, OP_ATTACH, self->name, RECV, 0));
}

TEST_F(perm, group_0640_send_eacces)
{
	create_as_a(_metadata, self->name, 0640, RDWR);
	EXPECT_EQ(EACCES, do_as(&group_b, OP_ATTACH, self->name, SEND, 0));
}

TEST_F(perm, group_0620_send_ok_recv_eacces)
{
	create_as_a(_metadata, self->name, 0620, RDWR);
	EXPECT_EQ(0, do_as(&group_b, OP_ATTACH, self->name, SEND, 0));
	EXPECT_EQ(EACCES, do_as(&group_b, OP_ATTACH, self->name, RECV, 0));
}

/* Like a file: a supplementary group counts as the group class. */
TEST_F(perm, group_via_supplementary_group)
{
	create_as_a(_metadata, self->name, 0640, RDWR);
	EXPECT_EQ(0, do_as(&sup_b, OP_ATTACH, self->name, RECV, 0));
	EXPECT_EQ(EACCES, do_as(&sup_b, OP_ATTACH, self->name, SEND, 0));
}

/* The group class decides for a member even when other bits would allow. */
TEST_F(perm, group_class_wins_over_other)
{
	create_as_a(_metadata, self->name, 0606, RDWR);
	EXPECT_EQ(EACCES, do_as(&group_b, OP_ATTACH, self->name, RECV, 0));
	EXPECT_EQ(0, do_as(&other_c, OP_ATTACH, self->name, RECV, 0));
}

/* --- other class ----------------------------------------------------- */

TEST_F(perm, other_0640_recv_eacces)
{
	create_as_a(_metadata, self->name, 0640, RDWR);
	EXPECT_EQ(EACCES, do_as(&other_c, OP_ATTACH, self->name, RECV, 0));
}

TEST_F(perm, other_0660_send_eacces)
{
	create_as_a(_metadata, self->name, 0660, RDWR);
	EXPECT_EQ(EACCES, do_as(&other_c, OP_ATTACH, self->name, SEND, 0));
}

TEST_F(perm, other_0604_recv_ok_send_eacces)
{
	create_as_a(_metadata, self->name, 0604, RDWR);
	EXPECT_EQ(0, do_as(&other_c, OP_ATTACH, self->name, RECV, 0));
	EXPECT_EQ(EACCES, do_as(&other_c, OP_ATTACH, self->name, SEND, 0));
}

TEST_F(perm, other_0602_send_ok_recv_eacces)
{
	create_as_a(_metadata, self->name, 0602, RDWR);
	EXPECT_EQ(0, do_as(&other_c, OP_ATTACH, self->name, SEND, 0));
	EXPECT_EQ(EACCES, do_as(&other_c, OP_ATTACH, self->name, RECV, 0));
}

TEST_F(perm, other_0606_rdwr_ok)
{
	create_as_a(_metadata, self->name, 0606, RDWR);
	EXPECT_EQ(0, do_as(&other_c, OP_ATTACH, self->name, RDWR, 0));
}

/* CREATE on an existing channel still checks its mode (no new channel). */
TEST_F(perm, create_on_existing_checks_mode)
{
	struct ipcchan_info info;
	int fd;

	create_as_a(_metadata, self->name, 0600, RDWR);
	EXPECT_EQ(EACCES, do_as(&other_c, OP_CREATE_NOEXCL, self->name, RDWR,
				0666));
	fd = ipcchan_test_attach(self->name, 0, RECV, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	EXPECT_EQ((__u32)UID_A, info.uid);
	EXPECT_EQ(0600U, info.mode);
	close(fd);
}

/* --- CAP_IPC_OWNER ---------------------------------------------------- */

TEST_F(perm, root_cap_ipc_owner_overrides_mode)
{
	int fd;

	create_as_a(_metadata, self->name, 0400, RECV);
	fd = ipcchan_test_attach(self->name, 0, RDWR, 0);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
}

TEST_F(perm, root_without_cap_ipc_owner_eacces)
{
	create_as_a(_metadata, self->name, 0600, RDWR);
	EXPECT_EQ(EACCES, do_as(&root_noipc, OP_ATTACH, self->name, RECV, 0));
	EXPECT_EQ(EACCES, do_as(&root_noipc, OP_ATTACH, self->name, SEND, 0));
}

/* --- UNLINK ------------------------------------------------------------ */

TEST_F(perm, unlink_by_other_eperm)
{
	create_as_a(_metadata, self->name, 0666, RDWR);
	EXPECT_EQ(EPERM, do_as(&other_c, OP_UNLINK, self->name, 0, 0));
	EXPECT_EQ(0, do_as(&other_c, OP_ATTACH, self->name, RECV, 0));
}

/* Write permission through the group does not make a member the owner. */
TEST_F(perm, unlink_by_group_member_eperm)
{
	create_as_a(_metadata, self->name, 0666, RDWR);
	EXPECT_EQ(EPERM, do_as(&group_b, OP_UNLINK, self->name, 0, 0));
	EXPECT_EQ(0, do_as(&group_b, OP_ATTACH, self->name, RECV, 0));
}

TEST_F(perm, unlink_by_owner_ok)
{
	create_as_a(_metadata, self->name, 0600, RDWR);
	EXPECT_EQ(0, do_as(&owner_a, OP_UNLINK, self->name, 0, 0));
	EXPECT_EQ(-ENOENT, ipcchan_test_attach(self->name, 0, RECV, 0));
}

/* The owner may unlink even when the mode denies it everything else. */
TEST_F(perm, unlink_by_owner_of_0400_channel_ok)
{
	create_as_a(_metadata, self->name, 0400, RECV);
	EXPECT_EQ(0, do_as(&owner_a, OP_UNLINK, self->name, 0, 0));
}

TEST_F(perm, unlink_by_root_cap_ipc_owner_ok)
{
	create_as_a(_metadata, self->name, 0600, RDWR);
	EXPECT_EQ(0, ipcchan_test_unlink(self->name));
	EXPECT_EQ(-ENOENT, ipcchan_test_attach(self->name, 0, RECV, 0));
}

TEST_F(perm, unlink_by_root_without_cap_ipc_owner_eperm)
{
	create_as_a(_metadata, self->name, 0600, RDWR);
	EXPECT_EQ(EPERM, do_as(&root_noipc, OP_UNLINK, self->name, 0, 0));
}

TEST_F(perm, unlink_missing_as_user_enoent)
{
	EXPECT_EQ(ENOENT, do_as(&other_c, OP_UNLINK, self->name, 0, 0));
}

/* --- credentials ---------------------------------------------------------- */

TEST_F(perm, recv_reports_sender_uid_and_pid)
{
	struct op op = { OP_SEND, self->name, 0, 0, 0, 0 };
	struct ipcchan_msg m;
	char buf[8];
	pid_t pid = 0;
	int fd;

	umask(0);
	fd = ipcchan_test_attach(self->name, IPCCHAN_CREATE, RECV, 0666);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, as_user(&other_c, &op, &pid));
	POISON(m);
	m.buf = (__u64)(unsigned long)buf;
	m.len = sizeof(buf);
	m.flags = IPCCHAN_NONBLOCK;
	m.timeout_ns = 0;
	m.reserved0 = 0;
	memset(m.reserved, 0, sizeof(m.reserved));
	ASSERT_EQ(0, ipcchan_ioctl(fd, IPCCHAN_IOC_RECV, &m));
	EXPECT_EQ((__u32)UID_C, m.uid);
	EXPECT_EQ((__u32)pid, m.pid);
	EXPECT_EQ(1U, m.len);
	EXPECT_EQ(0U, m.prio);
	EXPECT_EQ(1ULL, m.seq);
	close(fd);
}

/* --- quotas --------------------------------------------------------------- */

/* Shared with the quota child: how many creates worked, the last errno. */
struct quota_result {
	int made;
	int err;
};

/*
 * In the child: create channels of @m messages of @s bytes until one fails
 * or @limit were made.
 */
static void quota_fill(struct quota_result *res, __u32 m, __u32 s, int limit,
		       const char *prefix)
{
	char name[IPCCHAN_NAME_MAX];
	int i, fd;

	res->made = 0;
	res->err = 0;
	for (i = 0; i < limit; i++) {
		snprintf(name, sizeof(name), "%s.%d", prefix, i);
		fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
					    RDWR, 0600, m, s, 0);
		if (fd < 0) {
			res->err = -fd;
			return;
		}
		close(fd);
		res->made++;
	}
}

/* What a channel of @m messages of @s bytes is charged (INFO), or 0. */
static __u64 charge_of(__u32 m, __u32 s)
{
	struct ipcchan_info in;
	char name[IPCCHAN_NAME_MAX];
	__u64 charged = 0;
	int fd;

	ipcchan_test_name(name, sizeof(name), "charge-probe");
	fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				    IPCCHAN_ACCESS_RDWR, 0600, m, s, 0);
	if (fd < 0)
		return 0;
	if (!ipcchan_test_info(fd, &in))
		charged = in.charged;
	close(fd);
	ipcchan_test_unlink(name);
	return charged;
}

TEST(user_byte_quota_enospc)
{
	const struct cred q = { .uid = UID_Q, .gid = GID_H };
	const struct cred r = { .uid = UID_R, .gid = GID_H };
	struct ipcchan_modinfo mi, after;
	struct quota_result *res;
	char prefix[40], name[IPCCHAN_NAME_MAX];
	__u64 bytes, k_user, k_total, k_chan, expect;
	__u32 m, s;
	int i, st, rfd;
	pid_t pid;

	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(geteuid() == 0, "quota tests need root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_multiuser(), "CONFIG_MULTIUSER");
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));

	/* aim at about 4 channels per user quota */
	s = mi.max_msg_size_limit;
	m = 1;
	if (mi.user_bytes_limit / 4 / s > 1)
		m = mi.user_bytes_limit / 4 / s > mi.max_msgs_limit ?
		    mi.max_msgs_limit : (__u32)(mi.user_bytes_limit / 4 / s);
	bytes = charge_of(m, s);
	ASSERT_LE((__u64)m * (s + mi.msg_overhead), bytes);
	k_user = mi.user_bytes_limit / bytes;
	k_total = (mi.total_bytes_limit - mi.reserved_bytes) / bytes;
	k_chan = mi.max_channels - mi.channels;
	expect = k_user < k_total ? k_user : k_total;
	IPCCHAN_SKIP_UNLESS(expect < k_chan && expect <= 256,
			    "quota needs %llu channels of %llu bytes",
			    (unsigned long long)expect,
			    (unsigned long long)bytes);

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	snprintf(prefix, sizeof(prefix), "t.quota.%d", (int)getpid());
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (become(&q))
			_exit(200);
		quota_fill(res, m, s, (int)expect + 2, prefix);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	EXPECT_EQ((int)expect, res->made);
	EXPECT_EQ(ENOSPC, res->err);
	/* the refused create left nothing behind */
	snprintf(name, sizeof(name), "%s.%d", prefix, res->made);
	EXPECT_EQ(-ENOENT, ipcchan_test_attach(name, 0, RECV, 0));

	/* the quota is per user: another uid may still create one */
	ASSERT_EQ(0, ipcchan_get_modinfo(&after));
	EXPECT_EQ(mi.reserved_bytes + (__u64)res->made * bytes,
		  after.reserved_bytes);
	if (k_user < k_total) {
		struct op op = { OP_CREATE, name, RDWR, 0600, m, s };

		snprintf(name, sizeof(name), "%s.r", prefix);
		rfd = as_user(&r, &op, NULL);
		EXPECT_EQ(0, rfd);
		ipcchan_test_unlink(name);
	}

	for (i = 0; i < res->made; i++) {
		snprintf(name, sizeof(name), "%s.%d", prefix, i);
		EXPECT_EQ(0, ipcchan_test_unlink(name));
	}
	ASSERT_EQ(0, ipcchan_get_modinfo(&after));
	EXPECT_EQ(mi.reserved_bytes, after.reserved_bytes);
	munmap(res, sizeof(*res));
}

/* A single create above the user's quota (but within hard limits): ENOSPC. */
TEST(user_single_channel_above_quota_enospc)
{
	const struct cred q = { .uid = UID_Q, .gid = GID_H };
	struct ipcchan_modinfo mi;
	char name[IPCCHAN_NAME_MAX];
	__u32 m, s;
	int fd, st;
	pid_t pid;

	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(geteuid() == 0, "quota tests need root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_multiuser(), "CONFIG_MULTIUSER");
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	s = mi.max_msg_size_limit;
	IPCCHAN_SKIP_UNLESS(mi.user_bytes_limit / s < mi.max_msgs_limit,
			    "max_msgs_limit * max_msg_size_limit fits the quota");
	m = (__u32)(mi.user_bytes_limit / s) + 1;
	ipcchan_test_name(name, sizeof(name), "quota1");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (become(&q))
			_exit(200);
		fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE, RDWR, 0600,
					    m, s, 0);
		_exit(fd < 0 ? -fd : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(ENOSPC, WEXITSTATUS(st));
	EXPECT_EQ(-ENOENT, ipcchan_test_attach(name, 0, RECV, 0));
	ipcchan_test_unlink(name);
}

IPCCHAN_HARNESS_MAIN(NULL)
