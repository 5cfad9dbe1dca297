/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ipcchan: named IPC channels on /dev/ipcchan.
 *
 * The one contract between the ipcchan module and userspace.  A process
 * opens /dev/ipcchan, binds the file to a channel with IPCCHAN_IOC_ATTACH
 * (creating it if asked), then moves messages with the SEND/RECV ioctls,
 * read(2)/write(2), or through a shared ring of pages obtained with mmap(2).
 *
 * Channel names live in the IPC namespace of the caller (like SysV and POSIX
 * IPC): a channel created in one namespace can be neither seen, attached
 * nor unlinked from another, and /proc/ipcchan lists the live channels
 * (named, or unlinked but still attached: state "unlinked") of the
 * namespace of the process that opened it.  A namespace's channels die
 * with it: once no task, nsfs file or open /proc/ipcchan file refers to
 * the namespace, its channels are unlinked (within about a second), and
 * each is freed when the last file attached to it is closed, like an open
 * mq descriptor.
 *
 * Resource model.  Creating a channel reserves its worst case (see
 * IPCCHAN_IOC_ATTACH) against three bounds, all module parameters shown by
 * IPCCHAN_IOC_MODINFO or /sys/module/ipcchan/parameters:
 *  - each user: user_channels_limit channels and user_bytes_limit bytes.
 *    A channel created by euid K whose credentials are in user namespace U
 *    is charged to (U, K), then to (parent of U, owner of U), and so on up
 *    to the initial user namespace, each level within both limits (as the
 *    kernel's ucounts do): the uids of a container or of a subordinate uid
 *    range hold, together, no more than their owner may at the outer level;
 *  - each IPC namespace: max_channels channels and total_bytes_limit bytes,
 *    whoever created them, so filling one namespace leaves the others'
 *    room intact;
 *  - the module: global_bytes_limit bytes over all namespaces (not in
 *    MODINFO; by default a quarter of RAM, at least total_bytes_limit).
 * A create that would pass any of them fails with ENOSPC.  The
 * reservation is returned when the channel is freed.  MODINFO's usage
 * figures (and INFO's module part) are those of the caller's IPC
 * namespace only.
 *
 * Conventions:
 *  - Every struct has only fixed-width fields, is padded to 8 bytes, and has
 *    the same layout on 32- and 64-bit userspace (compat_ptr_ioctl).
 *  - User pointers travel as __u64.
 *  - Fields named reserved* and every flag bit not defined here must be zero
 *    on input, else the call fails with EINVAL.  Fields marked "out" are
 *    ignored on input and always written (zero where they do not apply).
 *  - Times are nanoseconds, relative to the call, on CLOCK_MONOTONIC.
 *  - Every command may also fail with EFAULT when its argument or a buffer
 *    it points to is not accessible, and ENOTTY for an unknown command.
 *  - Feature detection: IPCCHAN_IOC_MODINFO works on any open file and
 *    reports the module's version, feature mask and limits.
 */
#ifndef _UAPI_LINUX_IPCCHAN_H
#define _UAPI_LINUX_IPCCHAN_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IPCCHAN_DEVICE		"/dev/ipcchan"
#define IPCCHAN_PROC_LIST	"/proc/ipcchan"

/*
 * ABI version reported by IPCCHAN_IOC_MODINFO.  2: struct ipcchan_ring_pos
 * grew to two cache lines (the waiting flag has its own), so cons.pos moved
 * from offset 64 to 128 of the ring header; a ring user must match it.
 */
#define IPCCHAN_ABI_VERSION	2

/* Channel names: 1..63 bytes of [A-Za-z0-9._-], NUL terminated. */
#define IPCCHAN_NAME_MAX	64

/* Message priorities: 0 (lowest) .. 31 (highest); higher is received first. */
#define IPCCHAN_PRIO_MAX	31

/* Most messages one SEND_BATCH / RECV_BATCH call moves. */
#define IPCCHAN_BATCH_MAX	1024

/* --- IPCCHAN_IOC_ATTACH ------------------------------------------------- */

/* ipcchan_attach.flags */
#define IPCCHAN_CREATE		(1U << 0)	/* create if missing */
#define IPCCHAN_EXCL		(1U << 1)	/* with CREATE: EEXIST if it exists */
#define IPCCHAN_ATTACH_FLAGS	(IPCCHAN_CREATE | IPCCHAN_EXCL)

/* ipcchan_attach.access: what this file may do (at least one bit) */
#define IPCCHAN_ACCESS_RECV	(1U << 0)	/* needs read permission */
#define IPCCHAN_ACCESS_SEND	(1U << 1)	/* needs write permission */
#define IPCCHAN_ACCESS_RDWR	(IPCCHAN_ACCESS_RECV | IPCCHAN_ACCESS_SEND)

/* ipcchan_attach.result (out) */
#define IPCCHAN_ATTACH_CREATED	(1U << 0)	/* this call created the channel */

/**
 * struct ipcchan_attach - bind an open file to a channel
 * @name: channel name, NUL terminated, 1..63 bytes of [A-Za-z0-9._-]
 * @flags: IPCCHAN_CREATE, IPCCHAN_EXCL
 * @access: IPCCHAN_ACCESS_RECV and/or IPCCHAN_ACCESS_SEND
 * @mode: permission bits (0..0777) for a new channel, like a file's;
 *        ignored when the channel already exists
 * @max_msgs: queue depth of a new channel; 0 = module default
 * @max_msg_size: largest message of a new channel in bytes; 0 = default
 * @ring_pages: data pages of the shared ring of a new channel: 0 (no ring)
 *              or a power of two up to the ring_pages_max limit
 * @result: out: IPCCHAN_ATTACH_CREATED when this call created the channel
 * @reserved: must be zero
 *
 * Errors: EINVAL (bad name, unknown flag or access bit, no access bit,
 * EXCL without CREATE, mode above 0777, a size above its hard limit,
 * ring_pages not a power of two or above its limit, reserved non-zero),
 * EBUSY (this file is already attached), ENOENT (no such channel and no
 * CREATE), EEXIST (CREATE|EXCL and the channel exists), EACCES (the
 * channel's mode denies the requested access and the caller lacks
 * CAP_IPC_OWNER in the namespace's user namespace), ENOSPC (at creation:
 * a channel or byte limit of the creator's user at some level of its user
 * namespaces, of the IPC namespace, or the module's byte ceiling would be
 * passed; see "Resource model" above), ENOMEM.
 *
 * The creator reserves, before anything is allocated, what the channel can
 * ever hold: max_msgs message objects, each what the kernel's allocators
 * take for a message of max_msg_size bytes plus its msg_overhead header
 * (rounded up to the allocator's object size: at least the size of a small
 * message object, about 312 bytes, however small max_msg_size is), the
 * channel itself, and ring_pages + 1 pages with their page array; INFO's
 * charged field reports the sum.  Messages being filled by senders,
 * queued, in flight or kept for reuse are all within it: a channel never
 * has more than max_msgs message objects.  It is charged against its
 * user's quotas, its IPC namespace's and the module's, and returned when
 * the channel is freed.  When two callers create the same name at once, one
 * creates it and the other attaches to it (result 0).
 */
struct ipcchan_attach {
	char name[IPCCHAN_NAME_MAX];
	__u32 flags;
	__u32 access;
	__u32 mode;
	__u32 max_msgs;
	__u32 max_msg_size;
	__u32 ring_pages;
	__u32 result;
	__u32 reserved0;
	__u64 reserved[2];
};

/* --- IPCCHAN_IOC_SEND / IPCCHAN_IOC_RECV --------------------------------- */

/* ipcchan_msg.flags and ipcchan_batch.flags */
#define IPCCHAN_NONBLOCK	(1U << 0)	/* EAGAIN instead of waiting */
#define IPCCHAN_TIMEOUT		(1U << 1)	/* wait at most timeout_ns */
#define IPCCHAN_MSG_FLAGS	(IPCCHAN_NONBLOCK | IPCCHAN_TIMEOUT)

/**
 * struct ipcchan_msg - one message
 * @buf: user pointer to the payload (SEND) or the receive buffer (RECV)
 * @len: SEND: payload length (0 allowed).  RECV in: buffer size;
 *       RECV out: length of the message received, or on EMSGSIZE the length
 *       of the message that did not fit (it stays queued)
 * @prio: SEND: priority 0..IPCCHAN_PRIO_MAX.  RECV: out, its priority
 * @flags: IPCCHAN_NONBLOCK, IPCCHAN_TIMEOUT
 * @pid: out (RECV): sender's thread-group id as seen from the receiver's pid
 *       namespace, 0 when it is not visible there
 * @timeout_ns: with IPCCHAN_TIMEOUT, the longest wait (>= 0; 0 = just try);
 *              must be 0 without it
 * @seq: out: the channel's sequence number of the message (SEND and RECV);
 *       sequence numbers start at 1 and grow by one per message sent
 * @uid: out (RECV): sender's uid as seen from the receiver's user namespace
 * @reserved0: must be zero
 * @reserved: must be zero
 *
 * Waiting: without NONBLOCK or TIMEOUT a call waits as long as needed.  A
 * call's own NONBLOCK or TIMEOUT decides how it waits; on a file with
 * O_NONBLOCK a call that gives neither behaves as if NONBLOCK were set
 * (so a TIMEOUT call on such a file does wait, up to timeout_ns).
 * Blocked senders are served in the order they blocked: a slot a receive
 * frees goes straight to the oldest (the receive returns with it taken),
 * so a sender that did not wait finds the queue still full (EAGAIN, no
 * EPOLLOUT) until every blocked sender has had a slot.
 *
 * Memory: a SEND waits for a free slot before the kernel allocates or
 * copies anything, so a blocked sender holds no kernel memory; a bad buf
 * is reported (EFAULT) once a slot is free, and nothing is sent then.
 *
 * SEND errors: ENOTCONN (not attached), EBADF (file lacks send access),
 * EINVAL (prio above IPCCHAN_PRIO_MAX, unknown flag, NONBLOCK and TIMEOUT
 * together, timeout_ns < 0 or set without TIMEOUT, reserved non-zero),
 * EMSGSIZE (len above the channel's max_msg_size), EAGAIN (queue full and
 * non-blocking), ETIMEDOUT, EINTR/ERESTARTSYS (signal, see below), ENOMEM.
 *
 * RECV errors: ENOTCONN, EBADF (file lacks receive access), EINVAL (as SEND,
 * prio is ignored), EMSGSIZE (next message longer than len: nothing is
 * dequeued and len is set to its length), EAGAIN (queue empty and
 * non-blocking), ETIMEDOUT, EINTR/ERESTARTSYS.  If the message cannot be
 * copied to buf, RECV fails with EFAULT and the message stays at the head of
 * its priority: nothing is lost.
 *
 * Signals: a call without TIMEOUT is restarted after a handler installed
 * with SA_RESTART (ERESTARTSYS inside the kernel), else it fails with EINTR.
 * A call with TIMEOUT always fails with EINTR on a signal (its relative
 * timeout could not be resumed correctly).
 */
struct ipcchan_msg {
	__u64 buf;
	__u32 len;
	__u32 prio;
	__u32 flags;
	__u32 pid;
	__s64 timeout_ns;
	__u64 seq;
	__u32 uid;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct ipcchan_batch - several messages in one call
 * @msgs: user pointer to an array of @count struct ipcchan_msg
 * @count: entries in @msgs, 1..IPCCHAN_BATCH_MAX
 * @flags: IPCCHAN_NONBLOCK, IPCCHAN_TIMEOUT: how to wait for the first
 *         message (RECV) or the first free slot (SEND)
 * @timeout_ns: as in struct ipcchan_msg
 * @done: out: messages moved (also the ioctl's return value)
 * @reserved0: must be zero
 * @reserved: must be zero
 *
 * Every entry is checked before anything moves: non-zero flags,
 * timeout_ns or reserved fields in any entry, or (SEND_BATCH) a prio above
 * IPCCHAN_PRIO_MAX, fail the whole call with EINVAL, and a SEND entry
 * longer than max_msg_size with EMSGSIZE; nothing is moved then.  The call
 * then waits, as @flags say, until it can move one message, and moves as
 * many more as it can without waiting, in array order.  It returns the
 * number moved, >= 1, and @done holds the same number; it fails only when
 * none was moved (with the error of the first entry).  Each entry's buf,
 * len and (SEND) prio are used as in SEND/RECV.  Entries moved get their out
 * fields written; the others are left as they were.
 *
 * A fault stops the call where it happens, and the count is always exact,
 * so a caller retries from entry @done without duplicating anything:
 * SEND_BATCH checks that @done and each group of entries can be written
 * before it sends them, and stops before an entry whose payload cannot be
 * read or whose out fields cannot be written; RECV_BATCH stops before the
 * first message that does not fit its entry's buffer (EMSGSIZE if that is
 * the first) and puts back a message it could not copy out.  A blocked
 * SEND_BATCH, like SEND, holds no kernel memory while it waits.
 *
 * Errors: those of SEND/RECV, and EINVAL for count 0 or above
 * IPCCHAN_BATCH_MAX.
 */
struct ipcchan_batch {
	__u64 msgs;
	__u32 count;
	__u32 flags;
	__s64 timeout_ns;
	__u32 done;
	__u32 reserved0;
	__u64 reserved[2];
};

/* --- IPCCHAN_IOC_INFO / IPCCHAN_IOC_MODINFO ----------------------------- */

/* ipcchan_modinfo.features */
#define IPCCHAN_FEAT_MSG	(1ULL << 0)	/* SEND/RECV */
#define IPCCHAN_FEAT_BATCH	(1ULL << 1)	/* SEND_BATCH/RECV_BATCH */
#define IPCCHAN_FEAT_RDWR	(1ULL << 2)	/* read(2)/write(2) */
#define IPCCHAN_FEAT_POLL	(1ULL << 3)	/* poll/epoll */
#define IPCCHAN_FEAT_RING	(1ULL << 4)	/* mmap ring + RING_WAIT/NOTIFY */
#define IPCCHAN_FEAT_PROC	(1ULL << 5)	/* /proc/ipcchan listing */

/**
 * struct ipcchan_modinfo - the module: version, features, limits, usage
 * @abi_version: IPCCHAN_ABI_VERSION of the module
 * @page_size: the kernel's page size (ring offsets are in these units)
 * @features: IPCCHAN_FEAT_* bits this module supports
 * @default_max_msgs: max_msgs used when ATTACH passes 0
 * @max_msgs_limit: highest max_msgs ATTACH accepts
 * @default_max_msg_size: max_msg_size used when ATTACH passes 0
 * @max_msg_size_limit: highest max_msg_size ATTACH accepts
 * @max_channels: most channels that may exist at once in one IPC namespace
 * @ring_pages_max: highest ring_pages ATTACH accepts
 * @user_bytes_limit: bytes one user may reserve over its channels, at each
 *                    level of its user namespaces (see "Resource model")
 * @total_bytes_limit: bytes the channels of one IPC namespace may reserve
 * @channels: live channels of the caller's IPC namespace, named or
 *            unlinked but still attached
 * @messages: messages queued on those channels
 * @queued_bytes: payload bytes queued on those channels
 * @reserved_bytes: bytes reserved by those channels (see ATTACH)
 * @batch_max: IPCCHAN_BATCH_MAX
 * @prio_max: IPCCHAN_PRIO_MAX
 * @msg_overhead: kernel bytes per message besides its payload (its
 *                header; the reservation rounds header + payload up to
 *                the allocator's object size, see ATTACH)
 * @user_channels_limit: channels one user may have at once, at each level
 *                       of its user namespaces
 * @reserved: zero
 *
 * Works on any open /dev/ipcchan file, attached or not.  Limits are the
 * module's; the usage figures (@channels to @reserved_bytes) are those of
 * the caller's IPC namespace, read channel by channel while traffic goes
 * on (never below zero).  Never fails except with EFAULT.
 */
struct ipcchan_modinfo {
	__u32 abi_version;
	__u32 page_size;
	__u64 features;
	__u32 default_max_msgs;
	__u32 max_msgs_limit;
	__u32 default_max_msg_size;
	__u32 max_msg_size_limit;
	__u32 max_channels;
	__u32 ring_pages_max;
	__u64 user_bytes_limit;
	__u64 total_bytes_limit;
	__u64 channels;
	__u64 messages;
	__u64 queued_bytes;
	__u64 reserved_bytes;
	__u32 batch_max;
	__u32 prio_max;
	__u32 msg_overhead;
	__u32 user_channels_limit;
	__u64 reserved[3];
};

/* ipcchan_info.state */
#define IPCCHAN_STATE_UNLINKED	(1U << 0)	/* name removed */

/**
 * struct ipcchan_info - the attached channel: attributes and live counters
 * @name: channel name
 * @uid: owner uid (in the caller's user namespace)
 * @gid: owner gid (in the caller's user namespace)
 * @mode: permission bits
 * @access: this file's IPCCHAN_ACCESS_* bits
 * @max_msgs: queue depth
 * @max_msg_size: largest message in bytes
 * @ring_pages: data pages of the ring (0: none)
 * @state: IPCCHAN_STATE_* bits
 * @cur_msgs: messages sent and not yet received: queued, or being copied
 *            to a receiver; always exactly @sent - @received
 * @cur_bytes: payload bytes of those messages
 * @sent: messages sent since creation
 * @received: messages received since creation
 * @blocked_senders: tasks waiting to send now
 * @blocked_receivers: tasks waiting to receive now
 * @attached: open files attached to the channel
 * @mappings: live mappings (VMAs) of the ring
 * @ring_hdr_offset: mmap offset of the ring header page (bytes)
 * @ring_data_offset: mmap offset of the ring data area (bytes)
 * @ring_data_size: size of the data area (ring_pages * page_size); the data
 *                  area is mapped twice back to back, see the ring section
 * @ring_map_size: length of the whole ring mapping in bytes
 * @charged: bytes reserved for the channel against its creator's quota (see
 *           ATTACH): what its queue, its recycled messages and its ring can
 *           ever hold, as the kernel's allocators hand it out
 * @mod: the module part, as IPCCHAN_IOC_MODINFO returns it (for the
 *       caller's IPC namespace, which need not be the channel's)
 *
 * Errors: ENOTCONN (not attached).
 */
struct ipcchan_info {
	char name[IPCCHAN_NAME_MAX];
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 access;
	__u32 max_msgs;
	__u32 max_msg_size;
	__u32 ring_pages;
	__u32 state;
	__u64 cur_msgs;
	__u64 cur_bytes;
	__u64 sent;
	__u64 received;
	__u32 blocked_senders;
	__u32 blocked_receivers;
	__u32 attached;
	__u32 mappings;
	__u64 ring_hdr_offset;
	__u64 ring_data_offset;
	__u64 ring_data_size;
	__u64 ring_map_size;
	__u64 charged;
	__u64 reserved[3];
	struct ipcchan_modinfo mod;
};

/* --- IPCCHAN_IOC_UNLINK -------------------------------------------------- */

/**
 * struct ipcchan_unlink - remove a channel's name
 * @name: channel name
 * @reserved: must be zero
 *
 * The name disappears at once; the channel lives on for the files still
 * attached (and their mappings) and is freed with the last of them, like
 * mq_unlink(3).  No attach is needed.
 *
 * Errors: EINVAL (bad name, reserved non-zero), ENOENT (no such channel),
 * EPERM (caller is neither the owner nor has CAP_IPC_OWNER).
 */
struct ipcchan_unlink {
	char name[IPCCHAN_NAME_MAX];
	__u64 reserved[2];
};

/* --- The shared ring (mmap) ---------------------------------------------- */

/*
 * A channel created with ring_pages = N > 0 owns one header page and N data
 * pages, zeroed and allocated at creation.  A file attached with
 * IPCCHAN_ACCESS_RDWR maps them with
 *
 *	mmap(NULL, info.ring_map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
 *	     fd, 0);
 *
 * Layout of the mapping (offsets in info):
 *	[0, P)			header page, struct ipcchan_ring_hdr
 *	[P, P + D)		data area, D = N * P bytes
 *	[P + D, P + 2D)		the same data pages again
 * The double mapping makes every record contiguous in virtual memory: a
 * record that starts near the end of the data area simply runs on into the
 * second copy.  Any sub-range at a page-aligned offset may be mapped.
 *
 * Access.  Reading the ring is receiving, and both sides write the one
 * header page (the producer its records and prod.pos, the consumer
 * cons.pos), which page protection cannot split; so, by the access bits the
 * file was attached with (struct ipcchan_attach):
 *	IPCCHAN_ACCESS_RDWR	map read-write or read-only, RING_WAIT,
 *				RING_NOTIFY: producer and/or consumer
 *	IPCCHAN_ACCESS_RECV	map read-only (PROT_WRITE fails with EACCES,
 *				and so does a later mprotect() adding it),
 *				RING_WAIT: a monitor that moves nothing
 *	IPCCHAN_ACCESS_SEND	no mmap (EACCES), no RING_WAIT/RING_NOTIFY
 *				(EBADF), no ring events in poll(2)
 * The file's open mode applies too, as for any file: a file opened
 * O_RDONLY maps MAP_SHARED read-only (PROT_WRITE: EACCES).  Access is
 * checked when the mapping is made; a mapping keeps its protection after
 * the file is closed, and fork() children inherit it as it is.
 *
 * mmap errors, in this order: ENOTCONN (file not attached), ENXIO (channel
 * has no ring), EACCES (access bits, above), EINVAL (not MAP_SHARED, offset
 * or length outside the mapping), EPERM (PROT_EXEC); the kernel's own
 * checks come first (PROT_WRITE with MAP_SHARED on a file not open for
 * writing: EACCES).  mprotect() adding PROT_EXEC later fails with EACCES,
 * and mremap() cannot grow the mapping (EFAULT: VM_DONTEXPAND); moving or
 * shrinking it is fine.  The mapping is inherited by fork() children, which
 * share the same pages, and it keeps the channel alive after close(2) and
 * unlink.
 *
 * Records: a record is a struct ipcchan_ring_rec header followed by len
 * payload bytes, padded to IPCCHAN_RING_ALIGN.  Positions are free-running
 * byte counters (never masked in the header); a record starts at data
 * offset (pos & (D - 1)).  The largest payload is D - sizeof(header).
 *
 * Single producer, single consumer, no system call while both run:
 *
 *	producer				consumer
 *	t = load_acquire(&hdr->cons.pos)	h = load_acquire(&hdr->prod.pos)
 *	if (D - (h' - t) >= rec) {		if (h != t) {
 *		write record at h'		    read record at t
 *		store_release(&prod.pos, h'+rec)    store_release(&cons.pos,
 *	}						  t + rec)
 *						}
 * where h' is the producer's private copy of prod.pos.  The release store of
 * a position pairs with the acquire load of it on the other side: the record
 * bytes written before a release are visible after the acquire that sees the
 * new position, and a slot is reused only after the consumer released it.
 * A producer that dies mid-record never published its position, so the half
 * written record is never seen.
 *
 * Sleeping: the side that must wait sets its "waiting" flag, issues a full
 * barrier (__atomic_thread_fence(__ATOMIC_SEQ_CST)), re-reads the other
 * position and, if it still has nothing to do, calls IPCCHAN_IOC_RING_WAIT
 * with the value it saw.  The other side, after its release store of a
 * position, issues a full barrier and reads the peer's waiting flag; if set,
 * it calls IPCCHAN_IOC_RING_NOTIFY.  The two full barriers make it
 * impossible for both to miss each other (store->load ordering on each
 * side), and RING_WAIT rechecks the position after queueing itself, so a
 * notify between the check and the sleep is not lost.
 *
 * Sleeping in poll(2)/epoll instead: the same flag and barrier, then poll
 * for the event of the side (see poll(2) at the end of this file):
 *	consumer: EPOLLIN	a record waits (prod.pos != cons.pos)
 *	producer: EPOLLWRBAND	at least half the data area is free
 *				(prod.pos - cons.pos <= D / 2)
 * Both are levels computed from the positions at each poll, like a pipe's.
 * RING_NOTIFY(PROD) wakes EPOLLIN pollers, RING_NOTIFY(CONS) EPOLLWRBAND
 * pollers.  A producer waiting this way must be notified until the level
 * holds: the peer notifies after every release while the flag is set (as
 * above), not once per sleep.  EPOLLWRBAND guarantees room for a record of
 * up to D / 2 bytes (header and padding included); a producer of larger
 * records that finds too little room when it wakes should wait with
 * RING_WAIT rather than poll again at once (poll would return at once).
 *
 * Several producers (or consumers) must serialize among themselves (a lock
 * in the shared page of their own, or use the SEND/RECV path): the ring
 * positions have a single writer each.
 *
 * The kernel trusts nothing in these pages: it reads positions only with
 * READ_ONCE to compare them, never dereferences data through them, and a
 * corrupt header can only confuse the processes that share it.
 */
#define IPCCHAN_RING_ALIGN	8U

/**
 * struct ipcchan_ring_pos - one side's position and waiting flag, each
 * alone on a 64-byte cache line
 * @pos: free-running byte position (producer: end of the last published
 *       record; consumer: end of the last consumed record)
 * @pad: keeps @pos alone on its cache line
 * @waiting: non-zero while this side sleeps or is about to in RING_WAIT
 * @pad0: zero
 * @pad1: keeps @waiting alone on its cache line
 *
 * After every release of its position a side reads the peer's waiting
 * flag.  On a line of its own, written only when the peer goes to sleep,
 * the flag stays in both CPUs' caches; next to the peer's position, which
 * the peer writes for every record, it would pull that line across on
 * every record (ABI 1 did; 64 B records moved about a third slower).
 */
struct ipcchan_ring_pos {
	__u64 pos;
	__u64 pad[7];
	__u32 waiting;
	__u32 pad0;
	__u64 pad1[7];
};

/**
 * struct ipcchan_ring_hdr - start of the header page
 * @prod: written by the producer only
 * @cons: written by the consumer only
 *
 * The rest of the header page is free for the processes sharing the ring
 * (for example a spinlock for several producers).  The ring pages belong to
 * no file, so shared futexes (and process-shared pthread mutexes or sem_t)
 * do not work in them (FUTEX_WAIT fails with EFAULT).  A protocol of your
 * own sleeps with RING_WAIT/RING_NOTIFY by using prod.pos and cons.pos as
 * its two counters (userspace/examples/shm_semaphore.c does).
 */
struct ipcchan_ring_hdr {
	struct ipcchan_ring_pos prod;
	struct ipcchan_ring_pos cons;
};

/* ipcchan_ring_rec.flags */
#define IPCCHAN_RING_REC_PAD	(1U << 0)	/* skip: no payload for the user */

/**
 * struct ipcchan_ring_rec - header of one record in the data area
 * @len: payload bytes following the header
 * @flags: IPCCHAN_RING_REC_*
 */
struct ipcchan_ring_rec {
	__u32 len;
	__u32 flags;
};

/* ipcchan_ring_wait.which and ipcchan_ring_notify.which */
#define IPCCHAN_RING_PROD	0	/* the producer position (prod.pos) */
#define IPCCHAN_RING_CONS	1	/* the consumer position (cons.pos) */

/**
 * struct ipcchan_ring_wait - sleep until a ring position moves
 * @which: IPCCHAN_RING_PROD (consumer waits for data) or
 *         IPCCHAN_RING_CONS (producer waits for space)
 * @flags: IPCCHAN_TIMEOUT (IPCCHAN_NONBLOCK is not allowed)
 * @expected: the position the caller saw
 * @timeout_ns: as in struct ipcchan_msg
 * @reserved: must be zero
 *
 * Returns 0 as soon as the position differs from @expected (at once if it
 * already does) or after a RING_NOTIFY for @which.  Like FUTEX_WAIT, the
 * check is made after the caller is queued, so a concurrent notify cannot
 * be lost, and O_NONBLOCK on the file does not apply (poll(2) is the
 * non-blocking way to wait for records).
 *
 * Needs receive access (IPCCHAN_ACCESS_RECV): reading the ring is
 * receiving.
 *
 * Errors: EINVAL (flags, timeout, reserved), ENOTCONN, ENXIO (no ring),
 * EBADF (file attached without receive access), EINVAL (which), ETIMEDOUT,
 * EINTR/ERESTARTSYS (as for RECV).
 */
struct ipcchan_ring_wait {
	__u32 which;
	__u32 flags;
	__u64 expected;
	__s64 timeout_ns;
	__u64 reserved[2];
};

/**
 * struct ipcchan_ring_notify - wake the tasks waiting on a ring position
 * @which: IPCCHAN_RING_PROD or IPCCHAN_RING_CONS
 * @reserved0: must be zero
 * @reserved: must be zero
 *
 * Wakes every task in RING_WAIT on @which, and every poll(2)/epoll waiter
 * (on any file of the channel) for the event a move of @which can raise:
 * EPOLLIN for IPCCHAN_RING_PROD, EPOLLWRBAND for IPCCHAN_RING_CONS.  A
 * woken poller returns only if that event now holds (poll(2) at the end of
 * this file); otherwise it sleeps on.  Returns the number of tasks that
 * were inside RING_WAIT on @which (>= 0; pollers are not counted).
 *
 * Needs send and receive access (IPCCHAN_ACCESS_RDWR): only a file that
 * may write the ring, and so move a position, announces a move.
 *
 * Errors: EINVAL (reserved), ENOTCONN, ENXIO (no ring), EBADF (file not
 * attached with IPCCHAN_ACCESS_RDWR), EINVAL (which).
 */
struct ipcchan_ring_notify {
	__u32 which;
	__u32 reserved0;
	__u64 reserved[2];
};

/* --- Commands ------------------------------------------------------------ */

/* 0xB8 is unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst */
#define IPCCHAN_IOC_MAGIC	0xB8

#define IPCCHAN_IOC_ATTACH	_IOWR(IPCCHAN_IOC_MAGIC, 0x01, struct ipcchan_attach)
#define IPCCHAN_IOC_SEND	_IOWR(IPCCHAN_IOC_MAGIC, 0x02, struct ipcchan_msg)
#define IPCCHAN_IOC_RECV	_IOWR(IPCCHAN_IOC_MAGIC, 0x03, struct ipcchan_msg)
#define IPCCHAN_IOC_SEND_BATCH	_IOWR(IPCCHAN_IOC_MAGIC, 0x04, struct ipcchan_batch)
#define IPCCHAN_IOC_RECV_BATCH	_IOWR(IPCCHAN_IOC_MAGIC, 0x05, struct ipcchan_batch)
#define IPCCHAN_IOC_INFO	_IOR(IPCCHAN_IOC_MAGIC, 0x06, struct ipcchan_info)
#define IPCCHAN_IOC_UNLINK	_IOW(IPCCHAN_IOC_MAGIC, 0x07, struct ipcchan_unlink)
#define IPCCHAN_IOC_MODINFO	_IOR(IPCCHAN_IOC_MAGIC, 0x08, struct ipcchan_modinfo)
#define IPCCHAN_IOC_RING_WAIT	_IOW(IPCCHAN_IOC_MAGIC, 0x09, struct ipcchan_ring_wait)
#define IPCCHAN_IOC_RING_NOTIFY	_IOW(IPCCHAN_IOC_MAGIC, 0x0a, struct ipcchan_ring_notify)

/*
 * read(2) on an attached file receives one message (priority order) into
 * the buffer and returns its length; EMSGSIZE when the buffer is too small
 * (the message stays queued).  write(2) sends the buffer as one message of
 * priority 0; a write of 0 bytes sends an empty message.  readv(2) and
 * writev(2) move one message too, across all their buffers (writev sends
 * their concatenation).  All follow O_NONBLOCK, and need receive / send
 * access (EBADF otherwise).
 *
 * poll(2): EPOLLIN | EPOLLRDNORM when a message is queued or the ring holds
 * an unconsumed record (prod.pos != cons.pos); EPOLLOUT | EPOLLWRNORM when
 * a message can be sent (queue not full); EPOLLWRBAND when the ring has at
 * least half its data area free (prod.pos - cons.pos <= D / 2, unsigned:
 * never while cons.pos is ahead of prod.pos); EPOLLHUP once the channel is
 * unlinked and no message is left to receive (pollers are woken when the
 * last one is delivered); EPOLLERR on a file that is not attached.
 * The two ring events are reported only to a file with receive access
 * (IPCCHAN_ACCESS_RECV or RDWR) on a channel with a ring; they are read
 * from the shared header, so a peer that scribbles on it can make them
 * say anything.  Sleepers are woken by RING_NOTIFY (see struct
 * ipcchan_ring_notify), not by the stores to the ring.
 */

#endif /* _UAPI_LINUX_IPCCHAN_H */
