// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan-bench scale pattern: the channels of the five methods it runs
 * (scale.c says what it measures).  Each method creates a channel of
 * SC_DEPTH messages of SC_SIZE bytes in the main process, opens it in each
 * child, and moves whole messages: one per call, or up to SC_BATCH for
 * ipcchan-batch.
 *
 *  ipcchan-ioctl  one channel; every process opens it itself
 *  ipcchan-batch  the same, SEND_BATCH / RECV_BATCH
 *  posix-mq       mq_open() in the main process, inherited
 *  unix-dgram     socketpair(AF_UNIX, SOCK_DGRAM): producers send on one
 *                 end, consumers receive on the other
 *  pipe           a one-page pipe (64 messages): every write of 64 B is
 *                 atomic, and with whole messages only in the pipe every
 *                 read of 64 B returns one message
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scale.h"

static struct ipcchan_modinfo sc_modinfo;

void sq_init(struct sq *q)
{
	memset(q, 0, sizeof(*q));
	q->fd[0] = q->fd[1] = q->cfd = -1;
	q->mq = (mqd_t)-1;
}

static int sq_nop_open(struct sq *q, char *why)
{
	(void)q;
	(void)why;
	return 0;
}

void sq_close_fds(struct sq *q)
{
	int i;

	for (i = 0; i < 2; i++)
		if (q->fd[i] >= 0)
			close(q->fd[i]);
	q->fd[0] = q->fd[1] = -1;
}

/* Exactly one message of SC_SIZE bytes moved, or an error. */
static int one_msg(ssize_t n)
{
	if (n < 0)
		return -errno;
	return n == SC_SIZE ? 1 : -EBADMSG;
}

static int pipe_create(struct sq *q, unsigned int id, char *why)
{
	(void)id;
	if (pipe2(q->fd, O_CLOEXEC) < 0)
		return -errno;
	/* one page: SC_DEPTH messages of SC_SIZE */
	if (fcntl(q->fd[1], F_SETPIPE_SZ, SC_DEPTH * SC_SIZE) < 0) {
		snprintf(why, WHY_LEN, "F_SETPIPE_SZ %d", SC_DEPTH * SC_SIZE);
		return -errno;
	}
	return 0;
}

static int pipe_send(struct sq *q, const void *msgs, unsigned int n)
{
	ssize_t r;

	(void)n;
	do	/* at most PIPE_BUF bytes: one atomic write */
		r = write(q->fd[1], msgs, SC_SIZE);
	while (r < 0 && errno == EINTR);
	return one_msg(r);
}

static int pipe_recv(struct sq *q, void *buf, unsigned int max)
{
	ssize_t r;

	(void)max;
	do	/* the pipe holds whole messages only: one read, one message */
		r = read(q->fd[0], buf, SC_SIZE);
	while (r < 0 && errno == EINTR);
	return one_msg(r);
}

static int dgram_create(struct sq *q, unsigned int id, char *why)
{
	(void)id;
	(void)why;
	return socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, q->fd) < 0 ?
	       -errno : 0;
}

static int dgram_send(struct sq *q, const void *msgs, unsigned int n)
{
	ssize_t r;

	(void)n;
	do
		r = send(q->fd[0], msgs, SC_SIZE, 0);
	while (r < 0 && errno == EINTR);
	return one_msg(r);
}

static int dgram_recv(struct sq *q, void *buf, unsigned int max)
{
	ssize_t r;

	(void)max;
	do
		r = recv(q->fd[1], buf, SC_SIZE, MSG_TRUNC);
	while (r < 0 && errno == EINTR);
	return one_msg(r);
}

static int mq_create(struct sq *q, unsigned int id, char *why)
{
	struct mq_attr a = { .mq_maxmsg = SC_DEPTH, .mq_msgsize = SC_SIZE };

	snprintf(q->name, sizeof(q->name), "/ipcchan-bench-scale.%d.%u",
		 (int)getpid(), id);
	mq_unlink(q->name);
	q->mq = mq_open(q->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600,
			&a);
	if (q->mq == (mqd_t)-1) {
		int err = -errno;

		snprintf(why, WHY_LEN,
			 "mq_open %s (fs.mqueue.queues_max, msg_max, RLIMIT_MSGQUEUE)",
			 q->name);
		q->name[0] = 0;
		return err;
	}
	return 0;
}

static int mq_send1(struct sq *q, const void *msgs, unsigned int n)
{
	int r;

	(void)n;
	do
		r = mq_send(q->mq, msgs, SC_SIZE, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 1;
}

static int mq_recv1(struct sq *q, void *buf, unsigned int max)
{
	ssize_t r;

	(void)max;
	do
		r = mq_receive(q->mq, buf, SC_SIZE, NULL);
	while (r < 0 && errno == EINTR);
	return one_msg(r);
}

static void mq_destroy(struct sq *q)
{
	if (q->mq != (mqd_t)-1)
		mq_close(q->mq);
	if (q->name[0])
		mq_unlink(q->name);
}

static int ic_avail(char *why)
{
	int err;

	if (access(IPCCHAN_DEVICE, F_OK)) {
		snprintf(why, WHY_LEN, "%s not present", IPCCHAN_DEVICE);
		return -ENODEV;
	}
	err = ipcchan_modinfo(-1, &sc_modinfo);
	if (err)
		snprintf(why, WHY_LEN, "IPCCHAN_IOC_MODINFO: %s", strerror(-err));
	return err;
}

static int ic_avail_batch(char *why)
{
	int err = ic_avail(why);

	if (!err && !(sc_modinfo.features & IPCCHAN_FEAT_BATCH)) {
		snprintf(why, WHY_LEN, "module lacks IPCCHAN_FEAT_BATCH");
		return -EOPNOTSUPP;
	}
	return err;
}

static int ic_create(struct sq *q, unsigned int id, char *why)
{
	struct ipcchan_opts o = {
		.flags = IPCCHAN_CREATE | IPCCHAN_EXCL,
		.access = IPCCHAN_ACCESS_RDWR,
		.mode = 0600,
		.max_msgs = SC_DEPTH,
		.max_msg_size = SC_SIZE,
	};
	int fd;

	snprintf(q->name, sizeof(q->name), "bench-scale.%d.%u", (int)getpid(),
		 id);
	ipcchan_unlink(q->name);
	fd = ipcchan_open(q->name, &o);
	if (fd < 0) {
		snprintf(why, WHY_LEN,
			 "create channel %s (module max_channels %u, user_channels_limit %u)",
			 q->name, sc_modinfo.max_channels,
			 sc_modinfo.user_channels_limit);
		q->name[0] = 0;
		return fd;
	}
	ipcchan_close(fd);
	return 0;
}

/* Each process opens the channel itself: its own file, like a client. */
static int ic_open(struct sq *q, char *why)
{
	struct ipcchan_opts o = { .access = IPCCHAN_ACCESS_RDWR };

	q->cfd = ipcchan_open(q->name, &o);
	if (q->cfd < 0) {
		snprintf(why, WHY_LEN, "open channel %s", q->name);
		return q->cfd;
	}
	return 0;
}

static int ic_send(struct sq *q, const void *msgs, unsigned int n)
{
	ssize_t r;

	(void)n;
	r = ipcchan_send(q->cfd, msgs, SC_SIZE, 0, IPCCHAN_WAIT_FOREVER);
	return r < 0 ? (int)r : 1;
}

static int ic_recv(struct sq *q, void *buf, unsigned int max)
{
	ssize_t r;

	(void)max;
	r = ipcchan_recv(q->cfd, buf, SC_SIZE, NULL, IPCCHAN_WAIT_FOREVER);
	return r < 0 ? (int)r : r == SC_SIZE ? 1 : -EBADMSG;
}

static int icb_send(struct sq *q, const void *msgs, unsigned int n)
{
	unsigned int i, off = 0;
	int r;

	n = n < SC_BATCH ? n : SC_BATCH;
	for (i = 0; i < n; i++)
		ipcchan_msg_init(&q->msgs[i], (const uint8_t *)msgs + i * SC_SIZE,
				 SC_SIZE, 0);
	while (off < n) {
		r = ipcchan_send_batch(q->cfd, q->msgs + off, n - off,
				       IPCCHAN_WAIT_FOREVER);
		if (r < 0)
			return r;
		off += (unsigned int)r;
	}
	return (int)n;
}

static int icb_recv(struct sq *q, void *buf, unsigned int max)
{
	unsigned int i;
	int r;

	for (i = 0; i < max; i++)
		ipcchan_msg_init(&q->msgs[i], (uint8_t *)buf + i * SC_SIZE,
				 SC_SIZE, 0);
	r = ipcchan_recv_batch(q->cfd, q->msgs, max, IPCCHAN_WAIT_FOREVER);
	for (i = 0; r > 0 && i < (unsigned int)r; i++)
		if (q->msgs[i].len != SC_SIZE)
			return -EBADMSG;
	return r;
}

static void ic_destroy(struct sq *q)
{
	if (q->name[0])
		ipcchan_unlink(q->name);
}

const struct sops sc_methods[SC_NMETHODS] = {
	{ "ipcchan-ioctl", 1, ic_avail, ic_create, ic_open, ic_send, ic_recv,
	  ic_destroy },
	{ "ipcchan-batch", SC_BATCH, ic_avail_batch, ic_create, ic_open,
	  icb_send, icb_recv, ic_destroy },
	{ "posix-mq", 1, NULL, mq_create, sq_nop_open, mq_send1, mq_recv1,
	  mq_destroy },
	{ "unix-dgram", 1, NULL, dgram_create, sq_nop_open, dgram_send,
	  dgram_recv, NULL },
	{ "pipe", 1, NULL, pipe_create, sq_nop_open, pipe_send, pipe_recv,
	  NULL },
};
