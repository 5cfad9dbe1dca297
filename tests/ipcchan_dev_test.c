// SPDX-License-Identifier: GPL-2.0
/*
 * The device node: present with the expected type and mode once the module
 * is loaded, refuses unknown ioctls with ENOTTY, and cannot seek.
 */
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

TEST(node_is_char_device_0666)
{
	struct stat st;
	char buf[64];
	FILE *f;
	unsigned int major, minor;

	if (!ipcchan_present())
		SKIP(return, "%s absent (module not loaded)", IPCCHAN_DEVICE);
	ASSERT_EQ(0, stat(IPCCHAN_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);

	/* A misc device: major 10, minor as registered in sysfs. */
	f = fopen("/sys/class/misc/ipcchan/dev", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	ASSERT_EQ(2, sscanf(buf, "%u:%u", &major, &minor));
	EXPECT_EQ(10, major);
	EXPECT_EQ(major, major(st.st_rdev));
	EXPECT_EQ(minor, minor(st.st_rdev));
}

TEST(unknown_ioctls_enotty)
{
	/* Wrong magic, right magic with unused numbers, and size mismatches. */
	static const unsigned long cmds[] = {
		_IO('x', 1),
		_IO(IPCCHAN_IOC_MAGIC, 0),
		_IO(IPCCHAN_IOC_MAGIC, 0x7f),
		_IOR(IPCCHAN_IOC_MAGIC, 0xff, __u64),
		_IOWR(IPCCHAN_IOC_MAGIC, 0x02, __u32),	/* SEND, wrong size */
		_IOR(IPCCHAN_IOC_MAGIC, 0x01, struct ipcchan_attach), /* dir */
		0,
		~0UL,
	};
	char arg[4096] = { 0 };
	unsigned int i;
	int fd;

	if (!ipcchan_present())
		SKIP(return, "%s absent (module not loaded)", IPCCHAN_DEVICE);
	fd = open(IPCCHAN_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, cmds[i], arg));
		EXPECT_EQ(ENOTTY, errno) {
			TH_LOG("cmd %#lx gave errno %d", cmds[i], errno);
		}
	}
	close(fd);
}

TEST(not_seekable)
{
	int fd;

	if (!ipcchan_present())
		SKIP(return, "%s absent (module not loaded)", IPCCHAN_DEVICE);
	fd = open(IPCCHAN_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	close(fd);
}

IPCCHAN_HARNESS_MAIN(NULL)
