// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 1's grader, delivery: runs the student's pingpong in the VM, one test
 * per method (lab1.METHOD), and checks that at 64 B, at an odd 4097 B (not
 * a multiple of a word or a page), at 64 KiB and at 1 MiB all N round trips
 * were delivered with every byte of every request and reply intact
 * ("ok", delivered = N).  Nothing here is timed.
 */
#include "kselftest_harness.h"
#include "ipcchan_util.h"
#include "lab1_common.h"

#define ROUNDS	"10"	/* 1 MiB pipe round trips take up to 0.5 s under TCG */

static void check_delivery(struct __test_metadata *_metadata, const char *method)
{
	static const size_t sizes[] = { 64, 4097, 65536, 1048576 };
	struct row rows[MAX_ROWS];
	int n, i;

	n = pingpong(_metadata, method, "64,4097,64K,1M", "-n " ROUNDS, rows);
	for (i = 0; i < (int)ARRAY_SIZE(sizes); i++) {
		const struct row *r = find_row(rows, n, method, sizes[i]);

		ASSERT_NE(NULL, r) TH_LOG("no line for %s at %zu bytes", method,
					  sizes[i]);
		EXPECT_EQ(strtoul(ROUNDS, NULL, 10), r->delivered)
			TH_LOG("%s at %zu bytes", method, sizes[i]);
		EXPECT_STREQ("ok", r->checksum)
			TH_LOG("%s at %zu bytes", method, sizes[i]);
	}
}

FIXTURE(lab1) {
	int unused;
};

FIXTURE_SETUP(lab1)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(lab1)
{
}

TEST_F_TIMEOUT(lab1, pipe, 80)
{
	check_delivery(_metadata, "pipe");
}

TEST_F_TIMEOUT(lab1, socketpair, 80)
{
	check_delivery(_metadata, "socketpair");
}

TEST_F_TIMEOUT(lab1, posix_mq, 80)
{
	check_delivery(_metadata, "posix-mq");
}

TEST_F_TIMEOUT(lab1, sysv_msg, 80)
{
	check_delivery(_metadata, "sysv-msg");
}

TEST_F_TIMEOUT(lab1, shm, 80)
{
	check_delivery(_metadata, "shm");
}

IPCCHAN_HARNESS_MAIN(NULL)
