// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan batches: SEND_BATCH and RECV_BATCH move up to IPCCHAN_BATCH_MAX
 * messages in one ioctl.  Userspace passes a struct ipcchan_batch pointing
 * at an array of struct ipcchan_msg; the call waits (as the batch's flags
 * say) for the first slot or message, moves as many more as it can without
 * waiting, and returns how many it moved.
 *
 * Every entry is checked before anything moves, so a bad entry anywhere
 * fails the whole call with EINVAL.  The array is then walked in chunks of
 * IPCCHAN_BATCH_CHUNK entries: read the entries' buf/len/prio, prepare (or
 * take) the chunk's messages, and write back only the entries' out fields.
 * Nothing is allocated per call and the array is never copied as a whole.
 * Each of those steps touches userspace in one user access window for the
 * whole chunk when its payloads are short (STAC/CLAC pairs are not free,
 * and end a translation block under QEMU's TCG).
 * Only the first chunk may wait; later ones stop the call when the queue is
 * full (SEND) or empty (RECV).  A receiver writes a chunk's entries and the
 * running count (done) before the chunk's messages count as delivered, so a
 * fault puts them back at the head of their priorities: nothing is lost.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/uaccess.h>

#include "ipcchan.h"

/* What a chunk needs of one entry. */
struct ipcchan_entry {
	void __user *buf;
	u32 len;
	u32 prio;
};

/* Flags, timeout and reserved fields of every entry must be zero. */
static int ipcchan_entries_check(const struct ipcchan_msg __user *um, u32 n)
{
	u32 i, flags, reserved0;
	u64 timeout, r0, r1;

	if (!user_access_begin(um, array_size(n, sizeof(*um))))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_get_user(flags, &um[i].flags, efault);
		unsafe_get_user(timeout, &um[i].timeout_ns, efault);
		unsafe_get_user(reserved0, &um[i].reserved0, efault);
		unsafe_get_user(r0, &um[i].reserved[0], efault);
		unsafe_get_user(r1, &um[i].reserved[1], efault);
		if (flags || reserved0 || timeout || r0 || r1) {
			user_access_end();
			return -EINVAL;
		}
	}
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/*
 * Copy in and check the descriptor and every entry's flags, timeout and
 * reserved fields, set up the wait and check the file's @access.  Returns
 * the channel; *um is the entry array in userspace.
 */
static struct ipcchan_channel *ipcchan_batch_in(struct file *file,
						void __user *uarg, u32 access,
						struct ipcchan_batch *b,
						struct ipcchan_wait *w,
						struct ipcchan_msg __user **um)
{
	int ret;

	if (ipcchan_copy_in(b, uarg, sizeof(*b)))
		return ERR_PTR(-EFAULT);
	if (b->reserved0 || !ipcchan_zeroed(b->reserved, ARRAY_SIZE(b->reserved)))
		return ERR_PTR(-EINVAL);
	if (!b->count || b->count > IPCCHAN_BATCH_MAX)
		return ERR_PTR(-EINVAL);
	*um = u64_to_user_ptr(b->msgs);
	ret = ipcchan_entries_check(*um, b->count);
	if (!ret)
		ret = ipcchan_wait_setup(w, file, b->flags, b->timeout_ns);
	if (ret)
		return ERR_PTR(ret);
	return ipcchan_chan_for(file, access);
}

/* Read buf, len and prio of @n entries starting at @um. */
static int ipcchan_entries_in(struct ipcchan_entry *e,
			      const struct ipcchan_msg __user *um,
			      unsigned int n)
{
	unsigned int i;
	u64 buf;

	if (!user_access_begin(um, array_size(n, sizeof(*um))))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_get_user(buf, &um[i].buf, efault);
		unsafe_get_user(e[i].len, &um[i].len, efault);
		unsafe_get_user(e[i].prio, &um[i].prio, efault);
		e[i].buf = u64_to_user_ptr(buf);
	}
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/*
 * Copy the payloads of @n prepared messages in, from the entries @e.
 * Returns how many were copied (the first failure stops it).
 */
static unsigned int ipcchan_payloads_in(struct ipcchan_kmsg **kms,
					const struct ipcchan_entry *e,
					unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!ipcchan_word_copy(kms[i]->data, e[i].len) ||
		    !ipcchan_small_payload_ok(kms[i]->data, e[i].len, false) ||
		    !access_ok(e[i].buf, e[i].len))
			break;
	if (i < n) {
		/* A long payload (or a bad pointer): one copy each. */
		for (i = 0; i < n; i++)
			if (ipcchan_copy_in(kms[i]->data, e[i].buf, e[i].len))
				break;
		return i;
	}
	/* access_ok() is done for every buffer: open one window for all. */
	if (!user_access_begin(e[0].buf, e[0].len))
		return 0;
	for (i = 0; i < n; i++)
		if (ipcchan_unsafe_copy_in(kms[i]->data, e[i].buf, e[i].len))
			break;
	user_access_end();
	return i;
}

/* Write SEND's out fields of @n entries, sequence numbers from @seq. */
static int ipcchan_send_outs(struct ipcchan_msg __user *um, unsigned int n,
			     u64 seq)
{
	unsigned int i;
	int ret = 0;

	if (!user_access_begin(um, array_size(n, sizeof(*um))))
		return -EFAULT;
	for (i = 0; i < n && !ret; i++)
		ret = ipcchan_unsafe_send_out(&um[i], seq + i);
	user_access_end();
	return ret;
}

/* Later chunks never wait. */
static const struct ipcchan_wait ipcchan_nowait = { .nonblock = true };

/*
 * Prepare and queue the @n entries at @um.  Returns how many were queued
 * (< @n when the queue filled or an entry was refused; *err then says why)
 * or a negative errno when none was.  *unreported is set when an entry of
 * a queued message could not be written back.
 */
static int ipcchan_send_chunk(struct ipcchan_channel *ch,
			      struct ipcchan_msg __user *um, unsigned int n,
			      const struct ipcchan_wait *w, int *err,
			      bool *unreported)
{
	struct ipcchan_kmsg *kms[IPCCHAN_BATCH_CHUNK];
	struct ipcchan_kmsg *reuse[IPCCHAN_BATCH_CHUNK];
	struct ipcchan_entry e[IPCCHAN_BATCH_CHUNK];
	unsigned int i, k, copied, small = 0, nreuse, r = 0;
	u64 seq;
	int ret;

	ret = ipcchan_entries_in(e, um, n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		small += e[i].len <= IPCCHAN_SMALL_MSG;
	nreuse = ipcchan_kmsg_reuse(ch, reuse, small);
	for (k = 0; k < n; k++) {
		if (e[k].prio > IPCCHAN_PRIO_MAX) {
			*err = -EINVAL;
			break;
		}
		if (e[k].len > ch->max_msg_size) {
			*err = -EMSGSIZE;
			break;
		}
		kms[k] = ipcchan_kmsg_alloc(ch, e[k].len <= IPCCHAN_SMALL_MSG &&
					    r < nreuse ? reuse[r++] : NULL,
					    e[k].len, e[k].prio);
		if (IS_ERR(kms[k])) {
			*err = PTR_ERR(kms[k]);
			break;
		}
	}
	/* Recycled objects left over after a refused entry. */
	while (r < nreuse)
		ipcchan_kmsg_free(reuse[r++]);
	copied = ipcchan_payloads_in(kms, e, k);
	if (copied < k) {
		*err = -EFAULT;
		for (i = copied; i < k; i++)
			ipcchan_kmsg_free(kms[i]);
		k = copied;
	}
	if (!k)
		return *err;

	ret = ipcchan_enqueue(ch, kms, k, w, &seq);
	/* Not queued (the queue filled meanwhile; rare, see the caller). */
	for (i = ret > 0 ? ret : 0; i < k; i++)
		ipcchan_kmsg_free(kms[i]);
	if (ret < 0)
		return ret;
	if (ipcchan_send_outs(um, ret, seq))
		*unreported = true;
	return ret;
}

/**
 * ipcchan_send_batch - IPCCHAN_IOC_SEND_BATCH
 * @file: an attached file with send access
 * @uarg: struct ipcchan_batch in userspace
 *
 * Return: messages sent (>= 1) or a negative errno when none was; EFAULT
 * when messages were sent but their entries or the count could not be
 * written back.
 */
long ipcchan_send_batch(struct file *file, void __user *uarg)
{
	struct ipcchan_batch __user *ub = uarg;
	const struct ipcchan_wait *wait;
	struct ipcchan_msg __user *um;
	struct ipcchan_channel *ch;
	struct ipcchan_batch b;
	struct ipcchan_wait w;
	unsigned int n, total = 0;
	bool unreported = false;
	int ret, err = 0;
	u32 room;

	ch = ipcchan_batch_in(file, uarg, IPCCHAN_ACCESS_SEND, &b, &w, &um);
	if (IS_ERR(ch))
		return PTR_ERR(ch);

	wait = &w;
	while (total < b.count) {
		n = min_t(unsigned int, b.count - total, IPCCHAN_BATCH_CHUNK);
		/*
		 * Prepare no more than fits now: copying payloads the queue
		 * then refuses is wasted.  Only the first chunk may wait.
		 */
		room = ipcchan_room_hint(ch);
		if (room)
			n = min(n, room);
		else if (wait == &ipcchan_nowait)
			break;
		ret = ipcchan_send_chunk(ch, um + total, n, wait, &err,
					 &unreported);
		if (ret < 0) {
			err = ret;
			break;
		}
		total += ret;
		if (ret < n || err)
			break;
		wait = &ipcchan_nowait;
	}
	if (!total)
		return err;
	/* Sent: a report that faults does not undo it. */
	if (unreported || put_user(total, &ub->done))
		return -EFAULT;
	return total;
}

/* The out fields of a RECV entry that are not in the message itself. */
struct ipcchan_sender_ids {
	u32 pid;
	u32 uid;
};

/*
 * Deliver @n taken messages into the entries @e / @um, with their senders
 * @ids, in one user access window when every payload is short.  Returns
 * how many were delivered (the first fault stops it).
 */
static unsigned int ipcchan_deliver_chunk(struct ipcchan_kmsg **kms,
					  const struct ipcchan_entry *e,
					  const struct ipcchan_sender_ids *ids,
					  struct ipcchan_msg __user *um,
					  unsigned int n)
{
	struct ipcchan_msg m;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!ipcchan_word_copy(kms[i]->data, kms[i]->len) ||
		    !ipcchan_small_payload_ok(kms[i]->data, kms[i]->len, true) ||
		    !access_ok(e[i].buf, kms[i]->len))
			break;
	if (i < n) {
		/* A long payload (or a bad pointer): one copy each. */
		for (i = 0; i < n; i++) {
			m.len = kms[i]->len;
			m.prio = kms[i]->prio;
			m.pid = ids[i].pid;
			m.seq = kms[i]->seq;
			m.uid = ids[i].uid;
			if (ipcchan_copy_out(e[i].buf, kms[i]->data,
					     kms[i]->len) ||
			    ipcchan_put_recv_out(&um[i], &m))
				break;
		}
		return i;
	}
	/* access_ok() is done for every buffer: open one window for all. */
	if (!user_access_begin(um, array_size(n, sizeof(*um))))
		return 0;
	for (i = 0; i < n; i++) {
		unsafe_copy_to_user(e[i].buf, kms[i]->data, kms[i]->len, out);
		if (ipcchan_unsafe_recv_out(&um[i], kms[i]->len, kms[i]->prio,
					    ids[i].pid, kms[i]->seq,
					    ids[i].uid))
			break;
	}
out:
	user_access_end();
	return i;
}

/*
 * Take and deliver up to @n messages into the entries at @um; @done is the
 * count delivered by earlier chunks.  Returns how many this chunk delivered
 * or a negative errno when it delivered none.
 */
static int ipcchan_recv_chunk(struct ipcchan_channel *ch,
			      struct ipcchan_msg __user *um, unsigned int n,
			      const struct ipcchan_wait *w,
			      struct ipcchan_batch __user *ub, unsigned int done)
{
	struct ipcchan_kmsg *kms[IPCCHAN_BATCH_CHUNK];
	struct ipcchan_entry e[IPCCHAN_BATCH_CHUNK];
	struct ipcchan_sender_ids ids[IPCCHAN_BATCH_CHUNK];
	struct ipcchan_msg m;
	u32 caps[IPCCHAN_BATCH_CHUNK], too_big = 0;
	unsigned int i;
	int ret, taken;

	ret = ipcchan_entries_in(e, um, n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		caps[i] = e[i].len;

	taken = ipcchan_dequeue(ch, kms, caps, n, w, &too_big);
	if (taken == -EMSGSIZE && !done && put_user(too_big, &um->len))
		return -EFAULT;
	if (taken < 0)
		return taken;

	for (i = 0; i < taken; i++) {
		/* Runs of one sender (the common case) translate ids once. */
		if (i && kms[i]->pid == kms[i - 1]->pid &&
		    uid_eq(kms[i]->uid, kms[i - 1]->uid)) {
			ids[i] = ids[i - 1];
			continue;
		}
		ipcchan_msg_out(&m, kms[i]);
		ids[i].pid = m.pid;
		ids[i].uid = m.uid;
	}
	i = ipcchan_deliver_chunk(kms, e, ids, um, taken);
	/* Entries and count reach userspace before the messages are gone. */
	if (i && put_user(done + i, &ub->done))
		i = 0;
	ipcchan_dequeue_done(ch, kms, taken, i);
	return i ? i : -EFAULT;
}

/**
 * ipcchan_recv_batch - IPCCHAN_IOC_RECV_BATCH
 * @file: an attached file with receive access
 * @uarg: struct ipcchan_batch in userspace
 *
 * Return: messages received (>= 1) or a negative errno when none was.
 */
long ipcchan_recv_batch(struct file *file, void __user *uarg)
{
	const struct ipcchan_wait *wait;
	struct ipcchan_msg __user *um;
	struct ipcchan_channel *ch;
	struct ipcchan_batch b;
	struct ipcchan_wait w;
	unsigned int n, total = 0;
	int ret;

	ch = ipcchan_batch_in(file, uarg, IPCCHAN_ACCESS_RECV, &b, &w, &um);
	if (IS_ERR(ch))
		return PTR_ERR(ch);

	wait = &w;
	while (total < b.count) {
		n = min_t(unsigned int, b.count - total, IPCCHAN_BATCH_CHUNK);
		ret = ipcchan_recv_chunk(ch, um + total, n, wait, uarg, total);
		if (ret < 0)
			break;
		total += ret;
		/* A short chunk: queue empty, a message too big, or a fault. */
		if (ret < n)
			break;
		wait = &ipcchan_nowait;
	}
	return total ? total : ret;
}
