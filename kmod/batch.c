// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan batches: SEND_BATCH and RECV_BATCH move up to IPCCHAN_BATCH_MAX
 * messages in one ioctl.  Userspace passes a struct ipcchan_batch pointing
 * at an array of struct ipcchan_msg; the call waits (as the batch's flags
 * say) for the first slot or message, moves as many more as it can without
 * waiting, and returns how many it moved.
 *
 * Every entry is checked before anything moves, so a bad entry anywhere
 * fails the whole call (EINVAL, or EMSGSIZE for a SEND entry longer than
 * max_msg_size) and nothing is sent or received.  The array is then walked
 * in chunks of IPCCHAN_BATCH_CHUNK entries: read the entries' buf/len/prio,
 * take slots and objects for the chunk (SEND: a blocked batch holds no
 * memory), copy the payloads, and write back only the entries' out fields.
 * Nothing is allocated per call and the array is never copied as a whole.
 * Only the first chunk may wait; later ones stop the call when the queue is
 * full (SEND) or empty (RECV).  A sender finds a chunk's out fields (and
 * done) writable before it sends, and stops at the first payload that
 * faults, so the return value is always the count sent.  A receiver writes
 * a chunk's entries and the running count (done) before the chunk's
 * messages count as delivered, so a fault puts them back at the head of
 * their priorities: nothing is lost.
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

/*
 * Check every entry before anything moves: flags, timeout and reserved
 * fields must be zero and, for SEND (@max_len non-zero), prio and len must
 * be valid.  0, -EINVAL, -EMSGSIZE or -EFAULT.
 */
static int ipcchan_entries_check(const struct ipcchan_msg __user *um, u32 n,
				 bool send, u32 max_len)
{
	u32 i, flags, reserved0, len, prio;
	u64 timeout, r0, r1;
	int ret = 0;

	if (!user_access_begin(um, array_size(n, sizeof(*um))))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_get_user(flags, IPCCHAN_MSG_U32(um + i, flags), efault);
		unsafe_get_user(timeout, IPCCHAN_MSG_U64(um + i, timeout_ns), efault);
		unsafe_get_user(reserved0, IPCCHAN_MSG_U32(um + i, reserved0), efault);
		unsafe_get_user(r0, IPCCHAN_MSG_U64(um + i, reserved[0]), efault);
		unsafe_get_user(r1, IPCCHAN_MSG_U64(um + i, reserved[1]), efault);
		unsafe_get_user(len, IPCCHAN_MSG_U32(um + i, len), efault);
		unsafe_get_user(prio, IPCCHAN_MSG_U32(um + i, prio), efault);
		if (flags || reserved0 || timeout || r0 || r1 ||
		    (send && prio > IPCCHAN_PRIO_MAX)) {
			ret = -EINVAL;
			break;
		}
		if (send && len > max_len && !ret)
			ret = -EMSGSIZE;
	}
	user_access_end();
	return ret;
efault:
	user_access_end();
	return -EFAULT;
}

/*
 * Copy in and check the descriptor, the file's @access and every entry,
 * and set up the wait.  Returns the channel; *um is the entry array in
 * userspace.
 */
static struct ipcchan_channel *ipcchan_batch_in(struct file *file,
						void __user *uarg, u32 access,
						struct ipcchan_batch *b,
						struct ipcchan_wait *w,
						struct ipcchan_msg __user **um)
{
	struct ipcchan_channel *ch;
	int ret;

	if (copy_from_user(b, uarg, sizeof(*b)))
		return ERR_PTR(-EFAULT);
	if (b->reserved0 || !ipcchan_zeroed(b->reserved, ARRAY_SIZE(b->reserved)))
		return ERR_PTR(-EINVAL);
	if (!b->count || b->count > IPCCHAN_BATCH_MAX)
		return ERR_PTR(-EINVAL);
	ret = ipcchan_wait_setup(w, file, b->flags, b->timeout_ns);
	if (ret)
		return ERR_PTR(ret);
	ch = ipcchan_chan_for(file, access);
	if (IS_ERR(ch))
		return ch;
	*um = u64_to_user_ptr(b->msgs);
	ret = ipcchan_entries_check(*um, b->count,
				    access == IPCCHAN_ACCESS_SEND,
				    ch->max_msg_size);
	return ret ? ERR_PTR(ret) : ch;
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
		unsafe_get_user(buf, IPCCHAN_MSG_U64(um + i, buf), efault);
		unsafe_get_user(e[i].len, IPCCHAN_MSG_U32(um + i, len), efault);
		unsafe_get_user(e[i].prio, IPCCHAN_MSG_U32(um + i, prio), efault);
		e[i].buf = u64_to_user_ptr(buf);
	}
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
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

/*
 * Can SEND's out fields of @n entries be written?  Each is written back
 * with the value it has, so entries not sent stay as they were.
 */
static int ipcchan_outs_writable(struct ipcchan_msg __user *um, unsigned int n)
{
	unsigned int i;
	u32 pid, uid;
	u64 seq;

	if (!user_access_begin(um, array_size(n, sizeof(*um))))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_get_user(pid, IPCCHAN_MSG_U32(um + i, pid), efault);
		unsafe_get_user(seq, IPCCHAN_MSG_U64(um + i, seq), efault);
		unsafe_get_user(uid, IPCCHAN_MSG_U32(um + i, uid), efault);
		unsafe_put_user(pid, IPCCHAN_MSG_U32(um + i, pid), efault);
		unsafe_put_user(seq, IPCCHAN_MSG_U64(um + i, seq), efault);
		unsafe_put_user(uid, IPCCHAN_MSG_U32(um + i, uid), efault);
	}
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* Later chunks never wait. */
static const struct ipcchan_wait ipcchan_nowait = { .nonblock = true };

/*
 * Send the @n entries at @um: take slots and objects (waiting as @w says
 * for the first slot), copy the payloads in, queue them, write the
 * entries' out fields.  Returns how many were sent (< @n when the queue
 * filled or a payload faulted) or a negative errno when none was.  The
 * entries were checked, and their out fields found writable, before
 * anything is prepared; an entry another thread changed meanwhile stops
 * the batch there (-EINVAL or -EMSGSIZE).
 */
static int ipcchan_send_chunk(struct ipcchan_channel *ch,
			      struct ipcchan_msg __user *um, unsigned int n,
			      const struct ipcchan_wait *w)
{
	struct ipcchan_kmsg *kms[IPCCHAN_BATCH_CHUNK];
	struct ipcchan_entry e[IPCCHAN_BATCH_CHUNK];
	u32 lens[IPCCHAN_BATCH_CHUNK];
	unsigned int i;
	int ret, k;
	u64 seq;

	ret = ipcchan_entries_in(e, um, n);
	if (!ret)
		ret = ipcchan_outs_writable(um, n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (e[i].prio > IPCCHAN_PRIO_MAX)
			ret = -EINVAL;
		else if (e[i].len > ch->max_msg_size)
			ret = -EMSGSIZE;
		if (ret)
			break;
		lens[i] = e[i].len;
	}
	if (!i)
		return ret;
	k = ipcchan_send_prepare(ch, kms, lens, i, w);
	if (k < 0)
		return k;
	for (i = 0; i < k; i++) {
		kms[i]->prio = e[i].prio;
		if (copy_from_user(kms[i]->data, e[i].buf, e[i].len))
			break;
	}
	seq = ipcchan_send_commit(ch, kms, i, k);
	/* Found writable above: only a racing munmap() makes this fail. */
	if (i && ipcchan_send_outs(um, i, seq))
		return i;
	return i ? i : -EFAULT;
}

/**
 * ipcchan_send_batch - IPCCHAN_IOC_SEND_BATCH
 * @file: an attached file with send access
 * @uarg: struct ipcchan_batch in userspace
 *
 * Return: messages sent (>= 1) or a negative errno when none was.
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
	int ret = 0;

	ch = ipcchan_batch_in(file, uarg, IPCCHAN_ACCESS_SEND, &b, &w, &um);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	/* The count must be reportable before anything is sent. */
	if (put_user(0, ipcchan_u32_at(ub, offsetof(struct ipcchan_batch, done))))
		return -EFAULT;

	wait = &w;
	while (total < b.count) {
		n = min_t(unsigned int, b.count - total, IPCCHAN_BATCH_CHUNK);
		ret = ipcchan_send_chunk(ch, um + total, n, wait);
		if (ret <= 0)
			break;
		total += ret;
		if (ret < n)
			break;
		wait = &ipcchan_nowait;
	}
	if (!total)
		return ret;
	/*
	 * Sent: the return value is the count, whether or not a racing
	 * munmap() kept it from reaching done.
	 */
	if (put_user(total, ipcchan_u32_at(ub, offsetof(struct ipcchan_batch, done))))
		pr_debug("SEND_BATCH: done not written\n");
	return total;
}

/* The out fields of a RECV entry that are not in the message itself. */
struct ipcchan_sender_ids {
	u32 pid;
	u32 uid;
};

/*
 * Deliver @n taken messages into the entries @e / @um, with their senders
 * @ids.  Returns how many were delivered (the first fault stops it).
 */
static unsigned int ipcchan_deliver_chunk(struct ipcchan_kmsg **kms,
					  const struct ipcchan_entry *e,
					  const struct ipcchan_sender_ids *ids,
					  struct ipcchan_msg __user *um,
					  unsigned int n)
{
	struct ipcchan_msg m;
	unsigned int i;

	for (i = 0; i < n; i++) {
		m.len = kms[i]->len;
		m.prio = kms[i]->prio;
		m.pid = ids[i].pid;
		m.seq = kms[i]->seq;
		m.uid = ids[i].uid;
		if (copy_to_user(e[i].buf, kms[i]->data, kms[i]->len) ||
		    ipcchan_put_recv_out(&um[i], &m))
			break;
	}
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
	if (taken == -EMSGSIZE && !done && put_user(too_big, IPCCHAN_MSG_U32(um, len)))
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
	if (i && put_user(done + i, ipcchan_u32_at(ub, offsetof(struct ipcchan_batch, done))))
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
