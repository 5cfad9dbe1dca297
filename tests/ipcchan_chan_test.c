// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan channel tests: IPCCHAN_IOC_ATTACH (create, exclusive, names,
 * flags, access, mode, sizes, reserved fields).  Every validation failure
 * has its own test (or variant) with otherwise valid input, and a rejected
 * create must not leave a channel behind.  The module's limits, ENOTCONN
 * and unknown commands are in ipcchan_limits_test.c; UNLINK, INFO, MODINFO
 * and the /proc listing in ipcchan_info_test.c.
 *
 * Run as root with the module loaded; skips when /dev/ipcchan is absent.
 */
#include <stdint.h>
#include <sys/types.h>

#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

/* --- ATTACH: create and attach ----------------------------------------- */

TEST(create_new_reports_created)
{
	struct ipcchan_attach at;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "create");
	at.result = 0xa5a5a5a5;		/* out field: ignored on input */
	ASSERT_EQ(0, try_attach(&at, &fd));
	EXPECT_EQ(IPCCHAN_ATTACH_CREATED, at.result);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(create_info_reports_every_field)
{
	struct ipcchan_modinfo mi;
	struct ipcchan_attach at;
	struct ipcchan_info info;
	size_t nlen;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	ASSERT_EQ(0, ipcchan_get_modinfo(&mi));
	base_attach(&at, "info");
	at.mode = 0640;
	ASSERT_EQ(0, try_attach(&at, &fd));
	POISON(info);
	ASSERT_EQ(0, ipcchan_ioctl(fd, IPCCHAN_IOC_INFO, &info));

	nlen = strlen(at.name);
	EXPECT_EQ(0, memcmp(info.name, at.name, nlen + 1));
	EXPECT_TRUE(ipcchan_all_zero(info.name + nlen,
				     sizeof(info.name) - nlen))
		TH_LOG("name padding not zeroed");
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(getegid(), info.gid);
	EXPECT_EQ(0640U, info.mode);
	EXPECT_EQ(IPCCHAN_ACCESS_RDWR, info.access);
	EXPECT_EQ(mi.default_max_msgs, info.max_msgs);
	EXPECT_EQ(mi.default_max_msg_size, info.max_msg_size);
	EXPECT_EQ(0U, info.ring_pages);
	EXPECT_EQ(0U, info.state);
	EXPECT_EQ(0ULL, info.cur_msgs);
	EXPECT_EQ(0ULL, info.cur_bytes);
	EXPECT_EQ(0ULL, info.sent);
	EXPECT_EQ(0ULL, info.received);
	EXPECT_EQ(0U, info.blocked_senders);
	EXPECT_EQ(0U, info.blocked_receivers);
	EXPECT_EQ(1U, info.attached);
	EXPECT_EQ(0U, info.mappings);
	/* "out" fields that do not apply are written as zero */
	EXPECT_EQ(0ULL, info.ring_hdr_offset);
	EXPECT_EQ(0ULL, info.ring_data_offset);
	EXPECT_EQ(0ULL, info.ring_data_size);
	EXPECT_EQ(0ULL, info.ring_map_size);
	EXPECT_TRUE(ipcchan_all_zero(info.reserved, sizeof(info.reserved)));
	EXPECT_TRUE(ipcchan_all_zero(info.mod.reserved,
				     sizeof(info.mod.reserved)));
	/* the module part is the one MODINFO reports (limits are fixed) */
	EXPECT_EQ(mi.abi_version, info.mod.abi_version);
	EXPECT_EQ(mi.page_size, info.mod.page_size);
	EXPECT_EQ(mi.features, info.mod.features);
	EXPECT_EQ(mi.default_max_msgs, info.mod.default_max_msgs);
	EXPECT_EQ(mi.max_msgs_limit, info.mod.max_msgs_limit);
	EXPECT_EQ(mi.default_max_msg_size, info.mod.default_max_msg_size);
	EXPECT_EQ(mi.max_msg_size_limit, info.mod.max_msg_size_limit);
	EXPECT_EQ(mi.max_channels, info.mod.max_channels);
	EXPECT_EQ(mi.ring_pages_max, info.mod.ring_pages_max);
	EXPECT_EQ(mi.user_bytes_limit, info.mod.user_bytes_limit);
	EXPECT_EQ(mi.total_bytes_limit, info.mod.total_bytes_limit);
	EXPECT_EQ(mi.channels + 1, info.mod.channels);
	EXPECT_EQ(mi.batch_max, info.mod.batch_max);
	EXPECT_EQ(mi.prio_max, info.mod.prio_max);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(create_sizes_are_kept)
{
	struct ipcchan_info info;
	char name[IPCCHAN_NAME_MAX];
	int fd;

	IPCCHAN_REQUIRE_DEV();
	ipcchan_test_name(name, sizeof(name), "sizes");
	fd = ipcchan_test_attach_sz(name, IPCCHAN_CREATE, IPCCHAN_ACCESS_RDWR,
				    0600, 3, 17, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	EXPECT_EQ(3U, info.max_msgs);
	EXPECT_EQ(17U, info.max_msg_size);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
}

TEST(attach_existing_result_zero)
{
	struct ipcchan_attach at, at2;
	struct ipcchan_info info;
	int fd, fd2;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "exist");
	ASSERT_EQ(0, try_attach(&at, &fd));
	at2 = at;
	at2.flags = 0;
	at2.access = IPCCHAN_ACCESS_RECV;
	at2.result = 0xa5a5a5a5;
	ASSERT_EQ(0, try_attach(&at2, &fd2));
	EXPECT_EQ(0U, at2.result);
	ASSERT_EQ(0, ipcchan_test_info(fd2, &info));
	EXPECT_EQ(2U, info.attached);
	EXPECT_EQ(IPCCHAN_ACCESS_RECV, info.access);
	close(fd2);
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	EXPECT_EQ(1U, info.attached);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(create_on_existing_attaches_and_ignores_attributes)
{
	struct ipcchan_attach at, at2;
	struct ipcchan_info info;
	int fd, fd2;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "cexist");
	at.max_msgs = 4;
	at.max_msg_size = 32;
	ASSERT_EQ(0, try_attach(&at, &fd));
	at2 = at;
	at2.mode = 0644;
	at2.max_msgs = 8;
	at2.max_msg_size = 64;
	ASSERT_EQ(0, try_attach(&at2, &fd2));
	EXPECT_EQ(0U, at2.result);
	ASSERT_EQ(0, ipcchan_test_info(fd2, &info));
	EXPECT_EQ(0600U, info.mode);
	EXPECT_EQ(4U, info.max_msgs);
	EXPECT_EQ(32U, info.max_msg_size);
	close(fd2);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(create_excl_new_ok)
{
	struct ipcchan_attach at;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "excl");
	at.flags = IPCCHAN_CREATE | IPCCHAN_EXCL;
	ASSERT_EQ(0, try_attach(&at, &fd));
	EXPECT_EQ(IPCCHAN_ATTACH_CREATED, at.result);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(create_excl_existing_eexist)
{
	struct ipcchan_attach at;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "eexist");
	ASSERT_EQ(0, try_attach(&at, &fd));
	close(fd);
	at.flags = IPCCHAN_CREATE | IPCCHAN_EXCL;
	EXPECT_EQ(-EEXIST, try_attach(&at, NULL));
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(attach_missing_enoent)
{
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "enoent");
	at.flags = 0;
	EXPECT_EQ(-ENOENT, try_attach(&at, NULL));
	EXPECT_EQ(0, chan_exists(at.name));
}

TEST(attach_twice_ebusy)
{
	struct ipcchan_attach at, other;
	struct ipcchan_info info;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "busy");
	ASSERT_EQ(0, try_attach(&at, &fd));
	/* the same channel again, then another (new) channel */
	EXPECT_EQ(-EBUSY, ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, &at));
	base_attach(&other, "busy2");
	EXPECT_EQ(-EBUSY, ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, &other));
	EXPECT_EQ(0, chan_exists(other.name));
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	EXPECT_EQ(0, strcmp(info.name, at.name));
	EXPECT_EQ(1U, info.attached);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(attach_after_failed_attach_ok)
{
	struct ipcchan_attach at;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	base_attach(&at, "retry");
	at.flags = 0;
	ASSERT_EQ(-ENOENT, ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, &at));
	at.flags = IPCCHAN_CREATE;
	at.reserved0 = 1;
	ASSERT_EQ(-EINVAL, ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, &at));
	at.reserved0 = 0;
	EXPECT_EQ(0, ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, &at));
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(attach_efault)
{
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EFAULT, ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, NULL));
	EXPECT_EQ(-EFAULT, ipcchan_ioctl(fd, IPCCHAN_IOC_ATTACH, (void *)8));
	close(fd);
}

/* --- ATTACH: validation, one failure per test ---------------------------- */

TEST(attach_excl_without_create_einval)
{
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "exclnc");
	at.flags = IPCCHAN_EXCL;
	EXPECT_EQ(-EINVAL, try_attach(&at, NULL));
}

TEST(attach_excl_without_create_on_existing_einval)
{
	struct ipcchan_attach at;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "exclnc2");
	ASSERT_EQ(0, try_attach(&at, &fd));
	close(fd);
	at.flags = IPCCHAN_EXCL;
	EXPECT_EQ(-EINVAL, try_attach(&at, NULL));
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(attach_access_zero_einval)
{
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "acc0");
	at.access = 0;
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(attach_mode_0777_ok)
{
	struct ipcchan_attach at;
	struct ipcchan_info info;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	umask(0);	/* whether umask applies is not part of the contract */
	base_attach(&at, "m777");
	at.mode = 0777;
	ASSERT_EQ(0, try_attach(&at, &fd));
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	EXPECT_EQ(0777U, info.mode);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(attach_mode_01000_einval)
{
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "m1000");
	at.mode = 01000;
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(attach_mode_04600_einval)
{
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "m4600");
	at.mode = 04600;
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(attach_reserved0_einval)
{
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "res0");
	at.reserved0 = 1;
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(attach_reserved_0_einval)
{
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "resa");
	at.reserved[0] = 1ULL << 63;
	expect_create_fails(_metadata, &at, EINVAL);
}

TEST(attach_reserved_1_einval)
{
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "resb");
	at.reserved[1] = 1;
	expect_create_fails(_metadata, &at, EINVAL);
}

/* Reserved fields are checked on a plain attach to an existing channel too. */
TEST(attach_existing_reserved_einval)
{
	struct ipcchan_attach at;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "resex");
	ASSERT_EQ(0, try_attach(&at, &fd));
	close(fd);
	at.flags = 0;
	at.reserved[1] = 2;
	EXPECT_EQ(-EINVAL, try_attach(&at, NULL));
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

/* Unknown bits of flags or access, one variant each: EINVAL, no channel. */
FIXTURE(attach_bit) {
	struct ipcchan_attach at;
};

FIXTURE_VARIANT(attach_bit) {
	int access;	/* set the bit in access, else in flags */
	int bit;
};

FIXTURE_VARIANT_ADD(attach_bit, flags_bit2) { .access = 0, .bit = 2 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit3) { .access = 0, .bit = 3 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit4) { .access = 0, .bit = 4 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit5) { .access = 0, .bit = 5 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit6) { .access = 0, .bit = 6 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit7) { .access = 0, .bit = 7 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit8) { .access = 0, .bit = 8 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit9) { .access = 0, .bit = 9 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit10) { .access = 0, .bit = 10 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit11) { .access = 0, .bit = 11 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit12) { .access = 0, .bit = 12 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit13) { .access = 0, .bit = 13 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit14) { .access = 0, .bit = 14 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit15) { .access = 0, .bit = 15 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit16) { .access = 0, .bit = 16 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit17) { .access = 0, .bit = 17 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit18) { .access = 0, .bit = 18 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit19) { .access = 0, .bit = 19 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit20) { .access = 0, .bit = 20 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit21) { .access = 0, .bit = 21 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit22) { .access = 0, .bit = 22 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit23) { .access = 0, .bit = 23 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit24) { .access = 0, .bit = 24 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit25) { .access = 0, .bit = 25 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit26) { .access = 0, .bit = 26 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit27) { .access = 0, .bit = 27 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit28) { .access = 0, .bit = 28 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit29) { .access = 0, .bit = 29 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit30) { .access = 0, .bit = 30 };
FIXTURE_VARIANT_ADD(attach_bit, flags_bit31) { .access = 0, .bit = 31 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit2) { .access = 1, .bit = 2 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit3) { .access = 1, .bit = 3 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit4) { .access = 1, .bit = 4 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit5) { .access = 1, .bit = 5 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit6) { .access = 1, .bit = 6 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit7) { .access = 1, .bit = 7 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit8) { .access = 1, .bit = 8 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit9) { .access = 1, .bit = 9 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit10) { .access = 1, .bit = 10 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit11) { .access = 1, .bit = 11 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit12) { .access = 1, .bit = 12 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit13) { .access = 1, .bit = 13 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit14) { .access = 1, .bit = 14 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit15) { .access = 1, .bit = 15 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit16) { .access = 1, .bit = 16 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit17) { .access = 1, .bit = 17 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit18) { .access = 1, .bit = 18 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit19) { .access = 1, .bit = 19 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit20) { .access = 1, .bit = 20 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit21) { .access = 1, .bit = 21 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit22) { .access = 1, .bit = 22 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit23) { .access = 1, .bit = 23 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit24) { .access = 1, .bit = 24 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit25) { .access = 1, .bit = 25 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit26) { .access = 1, .bit = 26 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit27) { .access = 1, .bit = 27 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit28) { .access = 1, .bit = 28 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit29) { .access = 1, .bit = 29 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit30) { .access = 1, .bit = 30 };
FIXTURE_VARIANT_ADD(attach_bit, access_bit31) { .access = 1, .bit = 31 };

FIXTURE_SETUP(attach_bit)
{
	IPCCHAN_REQUIRE_DEV();
	base_attach(&self->at, variant->access ? "abit" : "fbit");
}

FIXTURE_TEARDOWN(attach_bit)
{
}

TEST_F(attach_bit, einval)
{
	if (variant->access)
		self->at.access |= 1U << variant->bit;
	else
		self->at.flags |= 1U << variant->bit;
	expect_create_fails(_metadata, &self->at, EINVAL);
}

/* --- names --------------------------------------------------------------- */

static void check_bad_name(struct __test_metadata *_metadata,
			   const char *name, size_t len)
{
	struct ipcchan_attach at;

	struct ipcchan_unlink ul;
	int ret;

	base_attach(&at, "x");
	memset(at.name, 0, sizeof(at.name));
	memcpy(at.name, name, len);
	ret = try_attach(&at, NULL);
	EXPECT_EQ(-EINVAL, ret);
	if (!ret) {
		/* accepted by mistake: do not leave it behind */
		memset(&ul, 0, sizeof(ul));
		memcpy(ul.name, at.name, sizeof(ul.name));
		ret = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
		if (ret >= 0) {
			ioctl(ret, IPCCHAN_IOC_UNLINK, &ul);
			close(ret);
		}
	}
}

/* Names with a byte outside the allowed set, or none at all: EINVAL. */
FIXTURE(bad_name) {
	int unused;
};

FIXTURE_VARIANT(bad_name) {
	const char *name;
	size_t len;
};

FIXTURE_VARIANT_ADD(bad_name, empty) { .name = "", .len = 0 };
FIXTURE_VARIANT_ADD(bad_name, slash) { .name = "t/slash", .len = 7 };
FIXTURE_VARIANT_ADD(bad_name, leading_slash) { .name = "/tslash", .len = 7 };
FIXTURE_VARIANT_ADD(bad_name, space) { .name = "t space", .len = 7 };
FIXTURE_VARIANT_ADD(bad_name, byte_0xff) { .name = "t\xff", .len = 2 };
FIXTURE_VARIANT_ADD(bad_name, newline) { .name = "t\nnl", .len = 4 };
FIXTURE_VARIANT_ADD(bad_name, colon) { .name = "t:colon", .len = 7 };

FIXTURE_SETUP(bad_name)
{
	IPCCHAN_REQUIRE_DEV();
}

FIXTURE_TEARDOWN(bad_name)
{
}

TEST_F(bad_name, einval)
{
	check_bad_name(_metadata, variant->name, variant->len);
}

TEST(name_64_bytes_no_nul_einval)
{
	struct ipcchan_attach at;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "x");
	memset(at.name, 'n', sizeof(at.name));
	EXPECT_EQ(-EINVAL, try_attach(&at, NULL));
}

/* Build a 63-byte name, unique to this process. */
static void long_name(char *name, char fill)
{
	int n;

	memset(name, 0, IPCCHAN_NAME_MAX);
	n = snprintf(name, IPCCHAN_NAME_MAX, "t.long.%d.", (int)getpid());
	memset(name + n, fill, IPCCHAN_NAME_MAX - 1 - n);
}

TEST(name_63_bytes_ok)
{
	struct ipcchan_attach at;
	struct ipcchan_info info;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "x");
	long_name(at.name, 'L');
	ASSERT_EQ(63U, strlen(at.name));
	ASSERT_EQ(0, try_attach(&at, &fd));
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	EXPECT_EQ(0, memcmp(at.name, info.name, sizeof(info.name)));
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(name_every_allowed_class_ok)
{
	struct ipcchan_attach at;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "x");
	snprintf(at.name, sizeof(at.name), "AZaz09._-%d", (int)getpid());
	ASSERT_EQ(0, try_attach(&at, &fd));
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

TEST(name_one_byte_ok)
{
	struct ipcchan_attach at;
	int fd, ret;

	IPCCHAN_REQUIRE_DEV();
	base_attach(&at, "x");
	snprintf(at.name, sizeof(at.name), "Q");
	at.flags = IPCCHAN_CREATE | IPCCHAN_EXCL;
	ret = try_attach(&at, &fd);
	if (ret == -EEXIST)
		SKIP(return, "channel 'Q' exists already");
	ASSERT_EQ(0, ret);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(at.name));
}

/* Names are exact byte strings: a 63-byte name and its 62-byte prefix differ. */
TEST(name_prefix_is_another_channel)
{
	char name[IPCCHAN_NAME_MAX];
	int fd;

	IPCCHAN_REQUIRE_DEV();
	long_name(name, 'P');
	fd = ipcchan_test_attach(name, IPCCHAN_CREATE, IPCCHAN_ACCESS_RDWR,
				 0600);
	ASSERT_LE(0, fd);
	close(fd);
	name[62] = '\0';
	EXPECT_EQ(0, chan_exists(name));
	name[62] = 'P';
	EXPECT_EQ(0, ipcchan_test_unlink(name));
}

IPCCHAN_HARNESS_MAIN(NULL)
