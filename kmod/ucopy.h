/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcchan: reading and writing the structs userspace passes (UAPI header).
 * Whole structs are copied in with copy_from_user(); what goes back is
 * only the out fields, written one by one at their offsets.
 */
#ifndef IPCCHAN_UCOPY_H
#define IPCCHAN_UCOPY_H

#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/uaccess.h>

#include <linux/ipcchan.h>

/*
 * Fields of the structs userspace passes, found by offset: userspace may
 * pass a struct at any address, and a member access through a misaligned
 * pointer is undefined in C (UBSAN's alignment check reports it).
 */
static __always_inline u32 __user *ipcchan_u32_at(const void __user *p,
						  size_t off)
{
	return (u32 __user *)(p + off);
}

static __always_inline u64 __user *ipcchan_u64_at(const void __user *p,
						  size_t off)
{
	return (u64 __user *)(p + off);
}

#define IPCCHAN_MSG_U32(p, f)	ipcchan_u32_at(p, offsetof(struct ipcchan_msg, f))
#define IPCCHAN_MSG_U64(p, f)	ipcchan_u64_at(p, offsetof(struct ipcchan_msg, f))

/**
 * ipcchan_put_recv_out - write the out fields of a RECV struct to userspace
 * @um: the struct in userspace
 * @m: the out fields (from ipcchan_msg_out())
 *
 * Return: 0 or -EFAULT.
 */
static inline int ipcchan_put_recv_out(struct ipcchan_msg __user *um,
				       const struct ipcchan_msg *m)
{
	if (!user_access_begin(um, sizeof(*um)))
		return -EFAULT;
	unsafe_put_user(m->len, IPCCHAN_MSG_U32(um, len), efault);
	unsafe_put_user(m->prio, IPCCHAN_MSG_U32(um, prio), efault);
	unsafe_put_user(m->pid, IPCCHAN_MSG_U32(um, pid), efault);
	unsafe_put_user(m->seq, IPCCHAN_MSG_U64(um, seq), efault);
	unsafe_put_user(m->uid, IPCCHAN_MSG_U32(um, uid), efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/**
 * ipcchan_put_send_outs - write SEND's out fields of @n structs
 * @um: the first struct in userspace
 * @n: how many, consecutive
 * @seq: sequence number of the first message (0 before it is queued); the
 *       others follow consecutively
 *
 * pid and uid do not apply to SEND and read back as zero.
 *
 * Return: 0 or -EFAULT.
 */
static inline int ipcchan_put_send_outs(struct ipcchan_msg __user *um,
					unsigned int n, u64 seq)
{
	unsigned int i;

	if (!user_access_begin(um, array_size(n, sizeof(*um))))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		unsafe_put_user(0, IPCCHAN_MSG_U32(um + i, pid), efault);
		u64 s = seq ? seq + i : 0;

		unsafe_put_user(s, IPCCHAN_MSG_U64(um + i, seq), efault);
		unsafe_put_user(0, IPCCHAN_MSG_U32(um + i, uid), efault);
	}
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* True when no reserved field is set. */
static inline bool ipcchan_zeroed(const u64 *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i])
			return false;
	return true;
}

/**
 * ipcchan_check_msg - reserved fields (and, in a batch, flags) of a struct
 * @m: the struct, copied in
 * @in_batch: a batch entry, whose flags and timeout_ns must be zero
 *
 * Return: 0 or -EINVAL.
 */
static inline int ipcchan_check_msg(const struct ipcchan_msg *m, bool in_batch)
{
	if (m->reserved0 || !ipcchan_zeroed(m->reserved, ARRAY_SIZE(m->reserved)))
		return -EINVAL;
	if (in_batch && (m->flags || m->timeout_ns))
		return -EINVAL;
	return 0;
}

#endif /* IPCCHAN_UCOPY_H */
