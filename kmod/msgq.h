/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan message queue (msgq.c): SEND/RECV, read(2)/write(2), the queue's
 * poll readiness, and the primitives batch.c builds SEND_BATCH and
 * RECV_BATCH on.
 */
#ifndef IPCCHAN_MSGQ_H
#define IPCCHAN_MSGQ_H

#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/types.h>

#include "ipcchan.h"

struct iov_iter;
struct ipcchan_kmsg;
struct kiocb;

/**
 * struct ipcchan_wait - how a call may wait
 * @nonblock: fail with -EAGAIN instead of waiting
 * @timed: @deadline applies, fail with -ETIMEDOUT after it
 * @deadline: CLOCK_MONOTONIC deadline
 */
struct ipcchan_wait {
	bool nonblock;
	bool timed;
	ktime_t deadline;
};

/* Batches move this many messages at a time (batch.c). */
#define IPCCHAN_BATCH_CHUNK	16

/* Queue counters of a channel, read together (INFO, /proc/ipcchan). */
struct ipcchan_msgq_snap {
	u32 cur_msgs;
	u32 blocked_senders;
	u32 blocked_receivers;
	u64 cur_bytes;
	u64 sent;
	u64 received;
};

void ipcchan_msgq_init(struct ipcchan_channel *ch);
int ipcchan_wait_setup(struct ipcchan_wait *w, struct file *file, u32 flags,
		       s64 timeout_ns);

int ipcchan_send_prepare(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
			 const u32 *lens, unsigned int n,
			 const struct ipcchan_wait *w);
u64 ipcchan_send_commit(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
			unsigned int ok, unsigned int n);
long ipcchan_send(struct file *file, void __user *uarg);

int ipcchan_dequeue(struct ipcchan_channel *ch, struct ipcchan_kmsg **kms,
		    const u32 *caps, unsigned int n,
		    const struct ipcchan_wait *w, u32 *too_big);
void ipcchan_dequeue_done(struct ipcchan_channel *ch,
			  struct ipcchan_kmsg **kms, unsigned int n,
			  unsigned int done);
long ipcchan_recv(struct file *file, void __user *uarg);

ssize_t ipcchan_read(struct file *file, char __user *buf, size_t count,
		     loff_t *ppos);
ssize_t ipcchan_read_iter(struct kiocb *iocb, struct iov_iter *to);
ssize_t ipcchan_write(struct file *file, const char __user *buf, size_t count,
		      loff_t *ppos);
ssize_t ipcchan_write_iter(struct kiocb *iocb, struct iov_iter *from);

__poll_t ipcchan_msgq_poll(struct ipcchan_channel *ch, struct file *file,
			   struct poll_table_struct *pt);
void ipcchan_msgq_snapshot(struct ipcchan_channel *ch,
			   struct ipcchan_msgq_snap *s);
void ipcchan_msgq_purge(struct ipcchan_channel *ch);

#endif /* IPCCHAN_MSGQ_H */
