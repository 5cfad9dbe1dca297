/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libipcchan: the userspace library for /dev/ipcchan channels.
 *
 * A channel is opened (and optionally created) with ipcchan_open(), which
 * returns a plain file descriptor: use it with poll(2)/epoll(7) directly
 * (EPOLLIN when a message can be received, EPOLLOUT when one can be sent),
 * pass it to every ipcchan_* call, and release it with ipcchan_close().
 * Messages keep their boundaries and carry a priority (0..IPCCHAN_PRIO_MAX,
 * higher first).  A channel with ring pages also offers a shared-memory
 * ring (ipcchan_ring_*) that moves records without system calls while both
 * sides run.
 *
 * Conventions:
 *  - Every function returns 0, a count or a length on success and -errno on
 *    failure; none of them prints, exits or touches the global errno value
 *    in a way callers rely on.
 *  - timeout_ns: < 0 waits as long as needed (IPCCHAN_WAIT_FOREVER),
 *    0 does not wait (-EAGAIN), > 0 waits at most that many nanoseconds
 *    (-ETIMEDOUT), measured on CLOCK_MONOTONIC.  A signal gives -EINTR
 *    (calls without a timeout are restarted after an SA_RESTART handler).
 *  - -ENODEV from ipcchan_open()/ipcchan_unlink()/ipcchan_modinfo() means
 *    /dev/ipcchan does not exist (the module is not loaded).
 *  - Thread safety: the functions working on a file descriptor may be called
 *    from any number of threads at once (the kernel serializes them).  A
 *    struct ipcchan_ring supports one producer thread and one consumer
 *    thread at a time (they may run concurrently with each other);
 *    ipcchan_ring_map()/ipcchan_ring_unmap() must not run concurrently with
 *    any other call on the same ring.  Several producers (or consumers) of
 *    one ring must serialize among themselves, or use ipcchan_send().
 *
 * Link with -lipcchan (pkg-config --cflags --libs ipcchan).
 */
#ifndef IPCCHAN_H
#define IPCCHAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <linux/ipcchan.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IPCCHAN_LIB_VERSION_MAJOR	1
#define IPCCHAN_LIB_VERSION_MINOR	0
#define IPCCHAN_LIB_VERSION		"1.1.0"

#define IPCCHAN_WAIT_FOREVER	((int64_t)-1)
#define IPCCHAN_NOWAIT		((int64_t)0)

/* ---------------------------------------------------------------------- */
/* Channels                                                               */
/* ---------------------------------------------------------------------- */

/**
 * struct ipcchan_opts - how ipcchan_open() attaches
 * @flags: IPCCHAN_CREATE (create when missing), IPCCHAN_EXCL (with CREATE:
 *         fail with -EEXIST when it exists)
 * @access: IPCCHAN_ACCESS_RECV and/or IPCCHAN_ACCESS_SEND; 0 means both
 * @mode: permission bits of a new channel (0..0777), like a file's
 * @max_msgs: queue depth of a new channel, 0 = module default
 * @max_msg_size: largest message of a new channel, 0 = module default
 * @ring_pages: ring data pages of a new channel: 0 or a power of two
 * @open_flags: extra open(2) flags for the device, e.g. O_NONBLOCK (every
 *              call then behaves as non-blocking); O_CLOEXEC is always set
 * @reserved: must be zero
 */
struct ipcchan_opts {
	uint32_t flags;
	uint32_t access;
	uint32_t mode;
	uint32_t max_msgs;
	uint32_t max_msg_size;
	uint32_t ring_pages;
	uint32_t open_flags;
	uint32_t reserved;
};

/**
 * ipcchan_open() - open /dev/ipcchan and attach it to channel @name
 * @name: 1..63 bytes of [A-Za-z0-9._-]
 * @opts: NULL attaches to an existing channel with send and receive access
 *
 * Returns a file descriptor (>= 0), or -EINVAL (bad name or options),
 * -ENOENT (no such channel, no IPCCHAN_CREATE), -EEXIST, -EACCES, -ENOSPC,
 * -ENOMEM, -ENODEV (module not loaded), or an error of open(2).
 */
int ipcchan_open(const char *name, const struct ipcchan_opts *opts);

/**
 * ipcchan_open_dev() - open /dev/ipcchan without attaching
 * @open_flags: extra open(2) flags (O_RDWR | O_CLOEXEC are always set)
 *
 * For ipcchan_attach() and ipcchan_modinfo().  Returns an fd or -errno
 * (-ENODEV: module not loaded).
 */
int ipcchan_open_dev(int open_flags);

/**
 * ipcchan_attach() - attach an unattached /dev/ipcchan fd to a channel
 * @fd: from ipcchan_open_dev()
 * @name: channel name
 * @opts: as for ipcchan_open() (open_flags is ignored)
 *
 * Returns 1 when this call created the channel, 0 when it existed, or the
 * errors of ipcchan_open() and -EBUSY (fd already attached).
 */
int ipcchan_attach(int fd, const char *name, const struct ipcchan_opts *opts);

/**
 * ipcchan_close() - detach and close a channel fd
 *
 * Returns 0 or -EBADF.  Any ring mapped from it stays valid until
 * ipcchan_ring_unmap().
 */
int ipcchan_close(int fd);

/**
 * ipcchan_unlink() - remove channel @name
 *
 * The name goes away at once; attached fds keep working until closed.
 * Returns 0, -EINVAL, -ENOENT, -EPERM (neither owner nor CAP_IPC_OWNER),
 * -ENODEV.
 */
int ipcchan_unlink(const char *name);

/**
 * struct ipcchan_msginfo - what ipcchan_recv() learns about a message
 * @len: payload length; on -EMSGSIZE the length of the message that did
 *       not fit (it stays queued)
 * @prio: its priority
 * @pid: sender's pid in the receiver's pid namespace (0 if invisible)
 * @uid: sender's uid
 * @seq: the channel's sequence number of the message (from 1)
 */
struct ipcchan_msginfo {
	size_t len;
	uint32_t prio;
	uint32_t pid;
	uint32_t uid;
	uint32_t reserved;
	uint64_t seq;
};

/**
 * ipcchan_send() - send one message
 * @fd: channel fd with send access
 * @buf: payload (may be NULL when @len is 0)
 * @len: payload length, up to the channel's max_msg_size
 * @prio: 0..IPCCHAN_PRIO_MAX
 * @timeout_ns: see the conventions above
 *
 * Returns @len, or -EMSGSIZE (too long), -EINVAL (prio), -EAGAIN (queue
 * full, no wait), -ETIMEDOUT, -EINTR, -EBADF (no send access), -ENOTCONN,
 * -ENOMEM, -EFAULT.
 */
ssize_t ipcchan_send(int fd, const void *buf, size_t len, unsigned int prio,
		     int64_t timeout_ns);

/**
 * ipcchan_recv() - receive the next message (highest priority, then FIFO)
 * @fd: channel fd with receive access
 * @buf: buffer of @len bytes
 * @len: buffer size
 * @mi: out, may be NULL: length, priority, sender and sequence number
 * @timeout_ns: see the conventions above
 *
 * Returns the message length, or -EMSGSIZE (buffer too small: the message
 * stays queued and mi->len says how long it is), -EAGAIN, -ETIMEDOUT,
 * -EINTR, -EBADF (no receive access), -ENOTCONN, -EFAULT.
 */
ssize_t ipcchan_recv(int fd, void *buf, size_t len, struct ipcchan_msginfo *mi,
		     int64_t timeout_ns);

/**
 * ipcchan_msg_init() - fill one batch entry
 * @m: entry to fill (every other field is zeroed)
 * @buf: payload or receive buffer
 * @len: its length
 * @prio: priority (send only)
 */
static inline void ipcchan_msg_init(struct ipcchan_msg *m, const void *buf,
				    uint32_t len, uint32_t prio)
{
	memset(m, 0, sizeof(*m));
	m->buf = (uint64_t)(uintptr_t)buf;
	m->len = len;
	m->prio = prio;
}

/**
 * ipcchan_send_batch() - send up to @n messages in one system call
 * @fd: channel fd
 * @msgs: entries set with ipcchan_msg_init() (buf, len, prio); the call
 *        clears each entry's flags, timeout_ns and reserved fields and
 *        writes seq of the entries sent
 * @n: number of entries; at most IPCCHAN_BATCH_MAX are used per call
 * @timeout_ns: how long to wait for the first free slot
 *
 * Sends in array order until the queue is full.  Returns the number sent
 * (>= 1); fails only when none was sent, with the errors of ipcchan_send()
 * or -EINVAL (@n is 0).
 */
int ipcchan_send_batch(int fd, struct ipcchan_msg *msgs, unsigned int n,
		       int64_t timeout_ns);

/**
 * ipcchan_recv_batch() - receive up to @n messages in one system call
 * @fd: channel fd
 * @msgs: entries with buf and len set; received entries get len, prio,
 *        pid, uid and seq written
 * @n: number of entries (at most IPCCHAN_BATCH_MAX used)
 * @timeout_ns: how long to wait for the first message
 *
 * Stops before a message that does not fit its entry.  Returns the number
 * received (>= 1) or the errors of ipcchan_recv() (-EMSGSIZE only when the
 * first message does not fit; msgs[0].len then holds its length).
 */
int ipcchan_recv_batch(int fd, struct ipcchan_msg *msgs, unsigned int n,
		       int64_t timeout_ns);

/**
 * ipcchan_info() - attributes and live counters of the attached channel
 *
 * Returns 0, -ENOTCONN, -EBADF, -EFAULT.
 */
int ipcchan_info(int fd, struct ipcchan_info *info);

/**
 * ipcchan_modinfo() - version, features and limits of the module
 * @fd: any /dev/ipcchan fd, or -1 to open the device for this call
 *
 * Returns 0, -ENODEV (module not loaded) or an error of open(2)/ioctl(2).
 */
int ipcchan_modinfo(int fd, struct ipcchan_modinfo *mi);

/**
 * struct ipcchan_entry - one channel of the system-wide listing
 * @name: channel name
 * @uid: owner uid
 * @gid: owner gid
 * @mode: permission bits
 * @max_msgs: queue depth
 * @max_msg_size: largest message
 * @ring_pages: ring data pages
 * @attached: attached files
 * @msgs: messages queued
 * @bytes: bytes queued
 * @sent: messages sent since creation
 * @received: messages received since creation
 * @state: IPCCHAN_STATE_UNLINKED or 0
 */
struct ipcchan_entry {
	char name[IPCCHAN_NAME_MAX];
	uint32_t uid;
	uint32_t gid;
	uint32_t mode;
	uint32_t max_msgs;
	uint32_t max_msg_size;
	uint32_t ring_pages;
	uint32_t attached;
	uint32_t state;
	uint64_t msgs;
	uint64_t bytes;
	uint64_t sent;
	uint64_t received;
};

/*
 * Bounds of a listing (ipcchan_list(), ipcchan_list_path()): at most
 * IPCCHAN_LIST_MAX lines after the header (the module's highest
 * max_channels; blank lines count), each at most IPCCHAN_LIST_LINE_MAX
 * bytes with its newline (a /proc/ipcchan line has about 220 today; the
 * rest is room for columns a later module may add).
 */
#define IPCCHAN_LIST_MAX	(1U << 20)
#define IPCCHAN_LIST_LINE_MAX	4096U

/**
 * ipcchan_list() - every channel, from /proc/ipcchan
 * @out: set to a malloc()ed array (free it with ipcchan_list_free()); NULL
 *       when there is no channel
 *
 * Returns the number of entries, or -ENODEV (no /proc/ipcchan: module not
 * loaded), -EBADMSG (unparsable listing), -E2BIG (more than
 * IPCCHAN_LIST_MAX lines), -EOVERFLOW (a line longer than
 * IPCCHAN_LIST_LINE_MAX), -EIO (read error), -ENOMEM, or an error of
 * open(2).  *@out is NULL on error.
 */
int ipcchan_list(struct ipcchan_entry **out);

/**
 * ipcchan_list_path() - as ipcchan_list(), from another file
 * @path: a file in /proc/ipcchan format (NULL: /proc/ipcchan)
 * @out: as for ipcchan_list()
 *
 * Columns are found by the names on the header line; unknown columns are
 * ignored.  The file is not trusted: the bounds above hold for it too, so
 * memory use stays below IPCCHAN_LIST_MAX entries whatever it holds.
 * Returns as ipcchan_list() (-ENOENT for a missing file).
 */
int ipcchan_list_path(const char *path, struct ipcchan_entry **out);

/** ipcchan_list_free() - free the array returned by ipcchan_list() */
void ipcchan_list_free(struct ipcchan_entry *list);

/* ---------------------------------------------------------------------- */
/* The shared ring (see the ring section of <linux/ipcchan.h>)            */
/* ---------------------------------------------------------------------- */

/* Default bounded spin before sleeping, in nanoseconds. */
#define IPCCHAN_RING_SPIN_DEFAULT	2000U

/**
 * struct ipcchan_ring - a mapped ring; the fields are private to the library
 *
 * Allocate it anywhere (stack, heap), fill it with ipcchan_ring_map().
 * The producer and the consumer state sit on separate cache lines so the
 * two sides of one process do not slow each other down.
 */
struct ipcchan_ring {
	int fd;
	unsigned int spin;
	void *map;
	size_t map_size;
	struct ipcchan_ring_hdr *hdr;
	unsigned char *data;
	uint64_t size;
	int error;		/* last protocol error seen, 0 if none */
	struct {
		uint64_t cons_cache;	/* last consumer position seen */
		uint64_t resv_pos;	/* reserved record's start */
		uint64_t resv_len;	/* its padded length (up to 2^32 in a
					 * 4 GiB ring); 0 = none */
		uint64_t fast;		/* size - 7 while mapped and nothing
					 * is reserved, else 0 */
	} prod __attribute__((aligned(64)));
	struct {
		uint64_t prod_cache;	/* last producer position seen */
		uint64_t peek_pos;	/* peeked record's start */
		uint64_t peek_len;	/* its padded length (up to 2^32);
					 * 0 = none */
		uint64_t fast;		/* size / 8 while mapped and nothing
					 * is peeked, else 0 */
		uint32_t peek_payload;	/* its payload length */
		uint32_t pad;
	} cons __attribute__((aligned(64)));
};

/**
 * ipcchan_ring_map() - map the ring of the channel attached to @fd
 * @fd: channel fd (keep it open while the ring is used: it is the handle
 *      of the wait/notify calls)
 * @r: filled on success
 *
 * Sizes and offsets come from IPCCHAN_IOC_INFO.  Returns 0, -ENXIO (the
 * channel has no ring), -EPROTONOSUPPORT (the module's ABI version is not
 * the one this library was built for: the ring header would not match),
 * -EPROTO (the kernel reported an impossible layout), -EACCES (@fd was
 * not attached with IPCCHAN_ACCESS_RDWR: both ring sides write the shared
 * header, so the read-write mapping needs send and receive access), or the
 * errors of ipcchan_info() and mmap(2).
 */
int ipcchan_ring_map(int fd, struct ipcchan_ring *r);

/** ipcchan_ring_unmap() - unmap the ring; returns 0 or -EINVAL. */
int ipcchan_ring_unmap(struct ipcchan_ring *r);

/**
 * ipcchan_ring_set_spin() - set the spin before sleeping
 * @spin_ns: how long, in nanoseconds of CLOCK_MONOTONIC, to poll the peer's
 *           position (yielding the CPU every 64 polls) before sleeping in
 *           the kernel (0: sleep at once)
 */
void ipcchan_ring_set_spin(struct ipcchan_ring *r, unsigned int spin_ns);

/**
 * ipcchan_ring_max_msg() - largest payload one record can carry
 *
 * The data size minus the 8-byte record header.
 */
size_t ipcchan_ring_max_msg(const struct ipcchan_ring *r);

/**
 * ipcchan_ring_send() - copy one record into the ring (producer)
 *
 * Waits for space as @timeout_ns says.  Returns @len, or -EMSGSIZE (above
 * ipcchan_ring_max_msg()), -EAGAIN, -ETIMEDOUT, -EINTR, -EBUSY (a reserved
 * record is not committed yet), -EBADMSG (corrupt ring header), or an
 * error of the wait/notify ioctls.
 */
ssize_t ipcchan_ring_send(struct ipcchan_ring *r, const void *buf, size_t len,
			  int64_t timeout_ns);

/**
 * ipcchan_ring_recv() - copy the next record out of the ring (consumer)
 * @cap: size of @buf
 *
 * Padding records (IPCCHAN_RING_REC_PAD) are skipped.  Skipping counts as
 * waiting: a producer that publishes nothing but padding gets -EAGAIN
 * (@timeout_ns 0, after at most 64 of them) or -ETIMEDOUT, never a call
 * that outlives its timeout.
 *
 * Returns the payload length, or -EMSGSIZE (record longer than @cap: it
 * stays in the ring; ipcchan_ring_peek() gives its length), -EAGAIN,
 * -ETIMEDOUT, -EINTR, -EBADMSG / -EPROTO (corrupt header or record).
 */
ssize_t ipcchan_ring_recv(struct ipcchan_ring *r, void *buf, size_t cap,
			  int64_t timeout_ns);

/**
 * ipcchan_ring_reserve() - reserve room for a @len-byte record (producer)
 * @ptr: set to where the payload goes, in the shared pages, contiguous
 *
 * Write the payload, then ipcchan_ring_commit() publishes it.  Nothing is
 * visible to the consumer before the commit.  Returns 0 or the errors of
 * ipcchan_ring_send().
 *
 * *@ptr points into pages the consumer has mapped too: a consumer that
 * does not follow the protocol can read and write them at any time.  Do
 * not keep anything there you need to read back intact (a length you
 * computed, a checksum you verify before the commit): build such data in
 * private memory and copy it in, or use ipcchan_ring_send().
 */
int ipcchan_ring_reserve(struct ipcchan_ring *r, size_t len, void **ptr,
			 int64_t timeout_ns);

/**
 * ipcchan_ring_commit() - publish the reserved record, wake a sleeping
 * consumer.  Returns 0, -EINVAL (nothing reserved), or a NOTIFY error (the
 * record is published all the same).
 */
int ipcchan_ring_commit(struct ipcchan_ring *r);

/**
 * ipcchan_ring_peek() - look at the next record in place (consumer)
 * @ptr: set to its payload, in the shared pages (valid until release)
 * @len: set to its length
 *
 * Calling it again before ipcchan_ring_release() returns the same record.
 * Returns 0 or the errors of ipcchan_ring_recv() (except -EMSGSIZE).
 *
 * The payload stays in pages the producer has mapped too: the library
 * checked the record's length and position (@ptr and @len stay inside the
 * mapping), not its bytes, and a producer that does not follow the
 * protocol can still change them while you read them.  A consumer that
 * does not trust its producer must copy the payload to private memory
 * first and then validate and use the copy (or use ipcchan_ring_recv(),
 * which copies): checking the bytes in place and reading them again is a
 * time-of-check/time-of-use race.
 */
int ipcchan_ring_peek(struct ipcchan_ring *r, const void **ptr, size_t *len,
		      int64_t timeout_ns);

/**
 * ipcchan_ring_release() - give the peeked record's space back, wake a
 * sleeping producer.  Returns 0, -EINVAL (nothing peeked), or a NOTIFY
 * error (the space is released all the same).
 */
int ipcchan_ring_release(struct ipcchan_ring *r);

/*
 * Raw use of the shared pages: map the ring with ipcchan_ring_map() and use
 * the header page's free part and the data area with a protocol of your own
 * (skip ipcchan_ring_send() and friends).  The two positions in the header
 * and the wait/notify calls below make a futex-like sleep: publish with a
 * release store to hdr->prod.pos or hdr->cons.pos, then notify.
 */

/**
 * ipcchan_ring_hdr() - the header page (struct ipcchan_ring_hdr first)
 * @free_off: out, may be NULL: offset of the first byte after the struct
 * @page_size: out, may be NULL: size of the header page
 */
struct ipcchan_ring_hdr *ipcchan_ring_hdr(const struct ipcchan_ring *r,
					  size_t *free_off, size_t *page_size);

/**
 * ipcchan_ring_data() - the data area and its size (mapped twice back to
 * back, so [data, data + 2 * size) is addressable)
 */
void *ipcchan_ring_data(const struct ipcchan_ring *r, size_t *size);

/**
 * ipcchan_ring_wait() - sleep until ring position @which differs from
 * @expected, or a notify for @which
 * @fd: the channel fd
 * @which: IPCCHAN_RING_PROD or IPCCHAN_RING_CONS
 *
 * Returns 0 (also on a spurious wake-up: recheck), -EAGAIN (@timeout_ns is
 * 0 and the position equals @expected), -ETIMEDOUT, -EINTR, -ENXIO,
 * -EINVAL, -ENOTCONN, -EBADF (@fd lacks receive access).
 */
int ipcchan_ring_wait(int fd, unsigned int which, uint64_t expected,
		      int64_t timeout_ns);

/**
 * ipcchan_ring_notify() - wake the tasks in ipcchan_ring_wait() on @which
 *
 * Returns the number woken (>= 0), -ENXIO, -EINVAL, -ENOTCONN, -EBADF
 * (@fd was not attached with both send and receive access).
 */
int ipcchan_ring_notify(int fd, unsigned int which);

/* ---------------------------------------------------------------------- */
/* Misc                                                                   */
/* ---------------------------------------------------------------------- */

/**
 * ipcchan_name_valid() - 1 when @name is a valid channel name, else 0
 */
int ipcchan_name_valid(const char *name);

/** ipcchan_lib_version() - IPCCHAN_LIB_VERSION of the library linked in */
const char *ipcchan_lib_version(void);

/**
 * ipcchan_strerror() - strerror() for this library's errors (since 1.1)
 * @err: a negative errno an ipcchan_* call returned
 *
 * strerror(-@err), except that -ENODEV, which this library returns when
 * /dev/ipcchan does not exist, says the module is not loaded and how to
 * load it.  A static string: do not free it.
 */
const char *ipcchan_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* IPCCHAN_H */
