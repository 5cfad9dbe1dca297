// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan limit tests: ATTACH at and above each of the module's limits
 * (queue depth, message size, ring pages, charged bytes, channels),
 * ENOTCONN from every command before ATTACH, and ENOTTY for unknown
 * commands.
 *
 * Run as root with the module loaded; skips when /dev/ipcchan is absent.
 */
#include <stdint.h>
#include <sys/types.h>

#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

/* --- limits ----------------------------------------------------------- */

TEST(max_msgs_at_limit_ok)
{
	struct ipcchan_modinfo mi;
	struct ipcchan_attach at;
	struct ipcchan_info info;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	SKIP_UNLESS_FITS(mi, (__u64)mi.max_msgs_limit);
	base_attach(&at, "mmax");
	at.max_msgs = mi.max_msgs_limit;
	at.max_msg_size = 1;
	ASSERT_EQ(0, try_attach(&at, &fd));
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	EXPECT_EQ(mi.max_msgs_limit, info.max_msgs);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(max_msgs_above_limit_einval)
{
	struct ipcchan_modinfo mi;
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	IPCCHAN_SKIP_UNLESS(mi.max_msgs_limit < UINT32_MAX, "no limit");
	base_attach(&at, "mmax1");
	at.max_msgs = mi.max_msgs_limit + 1;
	at.max_msg_size = 1;
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(max_msg_size_at_limit_ok)
{
	struct ipcchan_modinfo mi;
	struct ipcchan_attach at;
	struct ipcchan_info info;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	SKIP_UNLESS_FITS(mi, (__u64)mi.max_msg_size_limit);
	base_attach(&at, "smax");
	at.max_msgs = 1;
	at.max_msg_size = mi.max_msg_size_limit;
	ASSERT_EQ(0, try_attach(&at, &fd));
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	EXPECT_EQ(mi.max_msg_size_limit, info.max_msg_size);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(max_msg_size_above_limit_einval)
{
	struct ipcchan_modinfo mi;
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	IPCCHAN_SKIP_UNLESS(mi.max_msg_size_limit < UINT32_MAX, "no limit");
	base_attach(&at, "smax1");
	at.max_msgs = 1;
	at.max_msg_size = mi.max_msg_size_limit + 1;
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(max_msgs_u32_max_einval)
{
	struct ipcchan_modinfo mi;
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	IPCCHAN_SKIP_UNLESS(mi.max_msgs_limit < UINT32_MAX, "no limit");
	base_attach(&at, "mmaxu");
	at.max_msgs = UINT32_MAX;
	at.max_msg_size = UINT32_MAX;
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(ring_pages_at_limit_ok)
{
	struct ipcchan_modinfo mi;
	struct ipcchan_attach at;
	struct ipcchan_info info;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	IPCCHAN_SKIP_UNLESS(mi.ring_pages_max > 0, "no ring support");
	base_attach(&at, "rmax");
	at.max_msgs = 1;
	at.max_msg_size = 1;
	/* the largest power of two the limit allows */
	at.ring_pages = 1;
	while (at.ring_pages <= mi.ring_pages_max / 2)
		at.ring_pages <<= 1;
	SKIP_UNLESS_FITS(mi, 1 + (__u64)at.ring_pages * mi.page_size);
	ASSERT_EQ(0, try_attach(&at, &fd));
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	EXPECT_EQ(at.ring_pages, info.ring_pages);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(ring_pages_above_limit_einval)
{
	struct ipcchan_modinfo mi;
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	base_attach(&at, "rmax1");
	at.max_msgs = 1;
	at.max_msg_size = 1;
	/* the next power of two above the limit (1 when there is no ring) */
	at.ring_pages = 1;
	while (at.ring_pages && at.ring_pages <= mi.ring_pages_max)
		at.ring_pages <<= 1;
	IPCCHAN_SKIP_UNLESS(at.ring_pages, "ring_pages_max too large");
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(ring_pages_limit_plus_one_einval)
{
	struct ipcchan_modinfo mi;
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	IPCCHAN_SKIP_UNLESS(mi.ring_pages_max < UINT32_MAX, "no limit");
	base_attach(&at, "rmaxp1");
	at.max_msgs = 1;
	at.max_msg_size = 1;
	at.ring_pages = mi.ring_pages_max + 1;
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(ring_pages_not_power_of_two_einval)
{
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "r3");
	at.max_msgs = 1;
	at.max_msg_size = 1;
	at.ring_pages = 3;
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(ring_pages_one_ok)
{
	struct ipcchan_modinfo mi;
	struct ipcchan_attach at;
	struct ipcchan_info info;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	IPCCHAN_SKIP_UNLESS(mi.ring_pages_max > 0, "no ring support");
	base_attach(&at, "r1");
	at.max_msgs = 1;
	at.max_msg_size = 1;
	at.ring_pages = 1;
	ASSERT_EQ(0, try_attach(&at, &fd));
	POISON(info);
	ASSERT_EQ(0, ipcchan_ioctl(fd, IPCCHAN_IOC_INFO, &info));
	EXPECT_EQ(1U, info.ring_pages);
	EXPECT_EQ((__u64)mi.page_size, info.ring_data_size);
	EXPECT_EQ(0U, info.mappings);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

/* Creating a channel reserves INFO's charged bytes; freeing returns it. */
TEST(create_reserves_and_free_returns_bytes)
{
	struct ipcchan_modinfo before, during, after;
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_info in;
	__u64 expect;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&before));
	/* At least max_msgs * (max_msg_size + msg_overhead), rounded up. */
	ASSERT_LT(0, before.msg_overhead);
	expect = 7 * (100 + (__u64)before.msg_overhead);
	SKIP_UNLESS_FITS(before, 4 * expect);
	ipcchan_test_name(name, sizeof(name), "resv");
	fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE, IPCCHAN_ACCESS_RDWR,
				    0600, 7, 100, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ipcchan_test_info(fd, &in));
	EXPECT_LE(expect, in.charged);
	EXPECT_GT(4 * expect, in.charged);
	expect = in.charged;
	ASSERT_EQ(0, ipcchan_get_modinfo(&during));
	EXPECT_EQ(before.reserved_bytes + expect, during.reserved_bytes);
	EXPECT_EQ(before.channels + 1, during.channels);
	/* unlinked but attached: still alive and still reserved */
	ASSERT_EQ(0, ipcchan_test_unlink(name));
	ASSERT_EQ(0, ipcchan_get_modinfo(&during));
	EXPECT_EQ(before.reserved_bytes + expect, during.reserved_bytes);
	EXPECT_EQ(before.channels + 1, during.channels);
	close(fd);
	ASSERT_EQ(0, ipcchan_get_modinfo(&after));
	EXPECT_EQ(before.reserved_bytes, after.reserved_bytes);
	EXPECT_EQ(before.channels, after.channels);
}

/* max_channels channels may exist; one more is ENOSPC. */
/*
 * Create names[first..last) as another uid (in one child), so that filling
 * max_channels is not stopped early by the per-user channel limit.  Returns
 * how many were made; *err gets the errno that stopped it (0 if none).
 */
static __u64 create_as(uid_t uid, char (*names)[IPCCHAN_NAME_MAX],
		       __u64 first, __u64 last, int *err)
{
	int *res = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	__u64 i, made = 0;
	int st, fd;
	pid_t pid;

	*err = ECHILD;
	if (res == MAP_FAILED)
		return 0;
	res[0] = 0;
	res[1] = ECHILD;
	pid = fork();
	if (!pid) {
		if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
			_exit(1);
		res[1] = 0;
		for (i = first; i < last; i++) {
			fd = ipcchan_test_attach_sz(names[i], IPCCHAN_CREATE,
						    IPCCHAN_ACCESS_RDWR, 0600,
						    1, 1, 0);
			if (fd < 0) {
				res[1] = -fd;
				break;
			}
			close(fd);
			res[0]++;
		}
		_exit(0);
	}
	if (pid > 0 && waitpid(pid, &st, 0) == pid) {
		made = res[0];
		*err = res[1];
	}
	munmap(res, 4096);
	return made;
}

TEST(max_channels_then_enospc)
{
	struct ipcchan_modinfo mi;
	char (*names)[IPCCHAN_NAME_MAX];
	__u64 room, i, made = 0, per, n;
	int err = 0;
	uid_t uid = 7000;

	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(geteuid() == 0, "needs root to spread over uids");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_multiuser(), "CONFIG_MULTIUSER");
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	ASSERT_LE(mi.channels, (__u64)mi.max_channels);
	room = mi.max_channels - mi.channels;
	IPCCHAN_SKIP_UNLESS(room <= 4096, "max_channels %u too many to fill",
			    mi.max_channels);
	SKIP_UNLESS_FITS(mi, room + 1);
	names = calloc(room + 1, sizeof(*names));
	ASSERT_NE(NULL, names);
	for (i = 0; i <= room; i++)
		ipcchan_test_name(names[i], sizeof(names[i]), "many");
	/* uids 7000.. own user_channels_limit channels each at most */
	per = mi.user_channels_limit;
	while (made <= room && !err) {
		n = room + 1 - made < per ? room + 1 - made : per;
		i = create_as(uid++, names, made, made + n, &err);
		made += i;
		if (i < n && !err)
			err = ECHILD;
	}
	for (i = 0; i < made; i++)
		ipcchan_test_unlink(names[i]);
	free(names);
	EXPECT_EQ(room, made);
	EXPECT_EQ(ENOSPC, err);
}

/* --- ENOTCONN before attach --------------------------------------------- */

TEST(send_unattached_enotconn)
{
	char buf[4] = "abc";
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = unattached_fd();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTCONN, ipcchan_test_send(fd, buf, 3, 0, 0, 0, NULL));
	close(fd);
}

TEST(recv_unattached_enotconn)
{
	char buf[4];
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = unattached_fd();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTCONN, ipcchan_test_recv(fd, buf, sizeof(buf), 0, 0,
					       NULL));
	close(fd);
}

static void check_batch_unattached(struct __test_metadata *_metadata,
				   unsigned long cmd)
{
	struct ipcchan_msg m;
	struct ipcchan_batch b;
	char buf[4] = "abc";
	int fd;

	fd = unattached_fd();
	ASSERT_LE(0, fd);
	memset(&m, 0, sizeof(m));
	m.buf = (__u64)(unsigned long)buf;
	m.len = 3;
	memset(&b, 0, sizeof(b));
	b.msgs = (__u64)(unsigned long)&m;
	b.count = 1;
	EXPECT_EQ(-ENOTCONN, ipcchan_ioctl(fd, cmd, &b));
	close(fd);
}

TEST(send_batch_unattached_enotconn)
{
	IPCCHAN_REQUIRE_DEV();
	check_batch_unattached(_metadata, IPCCHAN_IOC_SEND_BATCH);
}

TEST(recv_batch_unattached_enotconn)
{
	IPCCHAN_REQUIRE_DEV();
	check_batch_unattached(_metadata, IPCCHAN_IOC_RECV_BATCH);
}

TEST(info_unattached_enotconn)
{
	struct ipcchan_info info;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = unattached_fd();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTCONN, ipcchan_test_info(fd, &info));
	close(fd);
}

TEST(ring_wait_unattached_enotconn)
{
	struct ipcchan_ring_wait w;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = unattached_fd();
	ASSERT_LE(0, fd);
	memset(&w, 0, sizeof(w));
	w.which = IPCCHAN_RING_PROD;
	w.flags = IPCCHAN_TIMEOUT;
	EXPECT_EQ(-ENOTCONN, ipcchan_ioctl(fd, IPCCHAN_IOC_RING_WAIT, &w));
	close(fd);
}

TEST(ring_notify_unattached_enotconn)
{
	struct ipcchan_ring_notify n;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = unattached_fd();
	ASSERT_LE(0, fd);
	memset(&n, 0, sizeof(n));
	n.which = IPCCHAN_RING_CONS;
	EXPECT_EQ(-ENOTCONN, ipcchan_ioctl(fd, IPCCHAN_IOC_RING_NOTIFY, &n));
	close(fd);
}

/* --- unknown commands --------------------------------------------------- */

TEST(unknown_nr_enotty)
{
	struct ipcchan_msg m;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = unattached_fd();
	ASSERT_LE(0, fd);
	memset(&m, 0, sizeof(m));
	EXPECT_EQ(-ENOTTY, ipcchan_ioctl(fd, _IOWR(IPCCHAN_IOC_MAGIC, 0x7f,
						    struct ipcchan_msg), &m));
	close(fd);
}

/* A known number with the wrong size is a different, unknown command. */
TEST(known_nr_wrong_size_enotty)
{
	__u64 arg[32];
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = unattached_fd();
	ASSERT_LE(0, fd);
	memset(arg, 0, sizeof(arg));
	EXPECT_EQ(-ENOTTY, ipcchan_ioctl(fd, _IOR(IPCCHAN_IOC_MAGIC, 0x08,
						   __u64), arg));
	EXPECT_EQ(-ENOTTY, ipcchan_ioctl(fd, _IOWR(IPCCHAN_IOC_MAGIC, 0x01,
						    __u32), arg));
	close(fd);
}

/* A known number with the wrong direction bits is unknown too. */
TEST(known_nr_wrong_direction_enotty)
{
	struct ipcchan_modinfo mi;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = unattached_fd();
	ASSERT_LE(0, fd);
	memset(&mi, 0, sizeof(mi));
	EXPECT_EQ(-ENOTTY, ipcchan_ioctl(fd, _IOW(IPCCHAN_IOC_MAGIC, 0x08,
						   struct ipcchan_modinfo),
					 &mi));
	close(fd);
}

IPCCHAN_HARNESS_MAIN(NULL)
