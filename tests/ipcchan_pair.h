/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan_pair.h: the pair fixture of the message tests
 *
 * FIXTURE(pair): a fresh channel, PAIR_MSGS deep for messages of up to
 * PAIR_SIZE bytes, with the creator's send-only file tx and a receive-only
 * file rx.  Only the programs that use it include this header: a fixture
 * in ipcchan_util.h would show up, empty, in every program's test list.
 */
#ifndef IPCCHAN_UTIL_PAIR_H
#define IPCCHAN_UTIL_PAIR_H

#include "ipcchan_util.h"

#include <fcntl.h>

#define PAIR_MSGS	8	/* queue depth of the fixture's channel */
#define PAIR_SIZE	256	/* largest message of the fixture's channel */
#define WAIT_MS		5000	/* bound on waiting for a peer to block */
#define SEC		1000000000LL
#define MS		1000000LL
#define SLACK		(2 * SEC)	/* allowed lateness of a timeout (TCG) */

FIXTURE(pair) {
	char name[IPCCHAN_NAME_MAX];
	int tx;		/* attached with send access (creator) */
	int rx;		/* attached with receive access */
};

/* Create the pair's channel in @name: the fds in *tx and *rx. */
static inline void pair_open(struct __test_metadata *_metadata, char *name,
			     size_t len, int *tx, int *rx)
{
	IPCCHAN_REQUIRE_DEV();
	ipcchan_test_name(name, len, "pair");
	*tx = ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				     IPCCHAN_ACCESS_SEND, 0600,
				     PAIR_MSGS, PAIR_SIZE, 0);
	ASSERT_LE(0, *tx);
	*rx = ipcchan_test_attach(name, 0, IPCCHAN_ACCESS_RECV, 0);
	ASSERT_LE(0, *rx);
}

static inline void pair_close(const char *name, int tx, int rx)
{
	if (rx > 0)
		close(rx);
	if (tx > 0)
		close(tx);
	ipcchan_test_unlink(name);
}

FIXTURE_SETUP(pair)
{
	pair_open(_metadata, self->name, sizeof(self->name), &self->tx,
		  &self->rx);
}

FIXTURE_TEARDOWN(pair)
{
	pair_close(self->name, self->tx, self->rx);
}

/* Messages queued on the channel @fd is attached to (~0 on error). */
static inline __u64 cur_msgs(int fd)
{
	struct ipcchan_info info;

	if (ipcchan_test_info(fd, &info))
		return ~0ULL;
	return info.cur_msgs;
}

/* Fill the pair's queue with PAIR_MSGS one-byte messages. */
static inline void fill_queue(struct __test_metadata *_metadata, int tx)
{
	int i;

	for (i = 0; i < PAIR_MSGS; i++)
		ASSERT_EQ(0, ipcchan_test_send(tx, "f", 1, 0, IPCCHAN_NONBLOCK,
					       0, NULL));
	ASSERT_EQ((__u64)PAIR_MSGS, cur_msgs(tx));
}

static inline void set_nonblock(struct __test_metadata *_metadata, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

/* What a forked peer of the pair works with. */
struct peer {
	int fd;		/* file the child uses */
	int watch;	/* file the child watches INFO on */
	int arg;
};

/* Child: wait until the parent blocks in RECV, then send one message. */
static inline int send_when_receiver_blocked(void *p)
{
	struct peer *pe = p;

	if (ipcchan_wait_blocked(pe->watch, 1, 1, WAIT_MS))
		return 10;
	return ipcchan_test_send(pe->fd, "late", 4, 0, 0, 0, NULL) ? 11 : 0;
}

#endif /* IPCCHAN_UTIL_PAIR_H */
