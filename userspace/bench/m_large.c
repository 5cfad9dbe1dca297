// SPDX-License-Identifier: GPL-2.0
/*
 * The large-transfer methods: what a programmer would pick to move big
 * buffers between two processes without a message queue in between.
 *
 *  memfd-scm          the producer creates a memfd of nslots slots, maps
 *                     it and passes the fd once over SCM_RIGHTS; the
 *                     consumer maps it too.  Per transfer the producer
 *                     writes the payload into a slot in place and sends an
 *                     8-byte doorbell (slot, length) over a SOCK_SEQPACKET
 *                     socketpair; the consumer reads the slot in place and
 *                     sends the slot back as an ack: no copy at all
 *  process-vm-writev  the consumer announces its pid and the address of a
 *                     buffer of nslots slots once; per transfer the
 *                     producer writes the payload into its own buffer and
 *                     process_vm_writev() copies it straight into a slot
 *                     of the consumer (one copy, by the kernel); doorbell
 *                     and ack as memfd-scm
 *  vmsplice           vmsplice() of the producer's page-aligned buffer
 *                     into a pipe (the pipe takes references to the pages,
 *                     no copy), read() on the other end (one copy); the
 *                     producer rotates through enough buffers that a page
 *                     is rewritten only after the pipe has let go of it
 *
 * Slots and depth follow the rule of every method: room for
 * cell_capacity(size) bytes in flight (64 KiB or two messages), each slot
 * page aligned; the producer owns a slot again only when the consumer has
 * acked it, so it can never overwrite a payload that is being read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"

#define PAGE		4096UL

enum lg_kind { LG_MEMFD, LG_PVM, LG_VMSPLICE };

/* Doorbell (producer -> consumer) and ack (consumer -> producer). */
struct bell {
	uint32_t slot;
	uint32_t len;
};

/* Sent once: memfd-scm with the fd, process-vm-writev by the consumer. */
struct hello {
	uint64_t addr;		/* process-vm-writev: the consumer's slots */
	int32_t pid;		/* process-vm-writev: the consumer */
	uint32_t nslots;
	uint64_t slot_size;
};

/* One direction, as its producer or consumer sees it. */
struct lgdir {
	int sock;		/* this side's end of the doorbell socket */
	int pfd;		/* vmsplice: this side's end of the pipe */
	uint8_t *map;		/* slots: memfd, own (pvm consumer, vmsplice producer) */
	size_t map_len;
	uint64_t peer_addr;	/* pvm producer: the consumer's slots */
	pid_t peer_pid;
	unsigned int next;	/* producer: slot to fill; consumer: to read */
	unsigned int inflight;	/* producer: sent, not acked yet */
};

struct lgchan {
	enum lg_kind kind;
	int sock[2][2];		/* [dir][0 producer's end, 1 consumer's end] */
	int pipe[2][2];		/* vmsplice: [dir][0 read end, 1 write end] */
	size_t slot_size;	/* page aligned */
	unsigned int nslots;
	struct lgdir dir[2];	/* per process, after fork */
};

static int ndirs(const struct chan *ch)
{
	return ch->cfg.pat == PAT_PINGPONG ? 2 : 1;
}

static bool producer_of(const struct chan *ch, int d)
{
	return d == tx_dir(ch) && d < ndirs(ch);
}

static bool consumer_of(const struct chan *ch, int d)
{
	return d == rx_dir(ch) && d < ndirs(ch);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static size_t lg_pipe_size(size_t size)
{
	return roundup_pow2(cell_capacity(size));
}

static void lg_pipe_limits(size_t min_size, size_t max_size)
{
	(void)min_size;
	sysctl_raise("/proc/sys/fs/pipe-max-size", lg_pipe_size(max_size));
}

/* --- setup (main process) ------------------------------------------------ */

static int lg_setup(struct chan *ch, enum lg_kind kind)
{
	struct lgchan *c = calloc(1, sizeof(*c));
	size_t pipe_bytes = lg_pipe_size(ch->cfg.size);
	int d, e;

	if (!c)
		return -ENOMEM;
	ch->priv = c;
	c->kind = kind;
	for (d = 0; d < 2; d++)
		for (e = 0; e < 2; e++)
			c->sock[d][e] = c->pipe[d][e] = c->dir[d].sock =
				c->dir[d].pfd = -1;
	c->slot_size = align_up(ch->cfg.size, PAGE);
	c->nslots = (unsigned int)(cell_capacity(ch->cfg.size) / c->slot_size);
	if (kind == LG_VMSPLICE) {
		/*
		 * Pipe slots are pages; a page-aligned message of p pages
		 * takes p of them.  With one buffer more than the pipe can
		 * hold messages (plus the one being filled), the buffer being
		 * filled has left the pipe.
		 */
		c->nslots = (unsigned int)(pipe_bytes / c->slot_size) + 2;
	}
	if (c->nslots < 2)
		c->nslots = 2;
	/* In flight: every slot, or what the pipe holds (vmsplice). */
	ch->depth_msgs = kind == LG_VMSPLICE ? pipe_bytes / c->slot_size :
		c->nslots;
	ch->depth_bytes = ch->depth_msgs * ch->cfg.size;
	for (d = 0; d < ndirs(ch); d++) {
		if (kind == LG_VMSPLICE) {
			if (pipe2(c->pipe[d], O_CLOEXEC) < 0)
				return -errno;
			if (fcntl(c->pipe[d][1], F_SETPIPE_SZ, (int)pipe_bytes) < 0) {
				snprintf(ch->why, WHY_LEN,
					 "F_SETPIPE_SZ %zu (fs.pipe-max-size)",
					 pipe_bytes);
				return -errno;
			}
			continue;
		}
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
			       c->sock[d]) < 0)
			return -errno;
	}
	return 0;
}

static int memfd_setup(struct chan *ch)
{
	return lg_setup(ch, LG_MEMFD);
}

static int pvm_setup(struct chan *ch)
{
	return lg_setup(ch, LG_PVM);
}

static int vms_setup(struct chan *ch)
{
	return lg_setup(ch, LG_VMSPLICE);
}

static void lg_teardown(struct chan *ch)
{
	struct lgchan *c = ch->priv;
	int d, e;

	if (!c)
		return;
	for (d = 0; d < 2; d++)
		for (e = 0; e < 2; e++) {
			close_fd(&c->sock[d][e]);
			close_fd(&c->pipe[d][e]);
		}
	free(c);
	ch->priv = NULL;
}

/* --- the doorbell socket ------------------------------------------------- */

static int send_all(int fd, const void *buf, size_t len, int fdpass)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (fdpass >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fdpass, sizeof(int));
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* One record of exactly len bytes; *fdp gets a passed fd if asked for. */
static int recv_all(int fd, void *buf, size_t len, int *fdp)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (fdp) {
		*fdp = -1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
	}
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if ((size_t)n != len || (mh.msg_flags & MSG_TRUNC))
		return -EBADMSG;
	if (!fdp)
		return 0;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(fdp, CMSG_DATA(cm), sizeof(int));
	return *fdp >= 0 ? 0 : -EBADMSG;
}

/* --- open (each child) --------------------------------------------------- */

static void *map_slots(size_t len, int fd, int prot)
{
	void *p;

	if (fd >= 0)
		p = mmap(NULL, len, prot, MAP_SHARED | MAP_POPULATE, fd, 0);
	else
		p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_POPULATE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* The first message on a direction: memfd producer, pvm consumer. */
static int announce(struct chan *ch, struct lgdir *ld)
{
	struct lgchan *c = ch->priv;
	struct hello h = { .nslots = c->nslots, .slot_size = c->slot_size };
	int fd = -1, err;

	ld->map_len = c->nslots * c->slot_size;
	if (c->kind == LG_MEMFD) {
		fd = memfd_create("ipcchan-bench-memfd", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)ld->map_len) < 0) {
			err = -errno;
			snprintf(ch->why, WHY_LEN, "memfd of %zu bytes",
				 ld->map_len);
			goto out;
		}
	}
	ld->map = map_slots(ld->map_len, fd, PROT_READ | PROT_WRITE);
	if (!ld->map) {
		err = -errno;
		snprintf(ch->why, WHY_LEN, "mmap %zu bytes", ld->map_len);
		goto out;
	}
	if (c->kind == LG_PVM) {
		/* Yama ptrace_scope 1 lets only a declared tracer write here */
		prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
		h.pid = (int32_t)getpid();
		h.addr = (uint64_t)(uintptr_t)ld->map;
	}
	err = send_all(ld->sock, &h, sizeof(h), fd);
	if (err)
		snprintf(ch->why, WHY_LEN, "announce the buffer");
out:
	if (fd >= 0)
		close(fd);
	return err;
}

/* The other end of announce(). */
static int learn(struct chan *ch, struct lgdir *ld)
{
	struct lgchan *c = ch->priv;
	struct hello h;
	int fd = -1, err;

	err = recv_all(ld->sock, &h, sizeof(h),
		       c->kind == LG_MEMFD ? &fd : NULL);
	if (err) {
		snprintf(ch->why, WHY_LEN, "receive the peer's buffer");
		return err;
	}
	if (h.nslots != c->nslots || h.slot_size != c->slot_size) {
		if (fd >= 0)
			close(fd);
		snprintf(ch->why, WHY_LEN, "peer announced %u slots of %llu B",
			 h.nslots, (unsigned long long)h.slot_size);
		return -EPROTO;
	}
	ld->map_len = c->nslots * c->slot_size;
	if (c->kind == LG_PVM) {
		ld->peer_pid = h.pid;
		ld->peer_addr = h.addr;
		return 0;
	}
	ld->map = map_slots(ld->map_len, fd, PROT_READ);
	close(fd);
	if (!ld->map) {
		snprintf(ch->why, WHY_LEN, "mmap the passed memfd");
		return -errno;
	}
	return 0;
}

static int lg_open(struct chan *ch)
{
	struct lgchan *c = ch->priv;
	int d, err;

	for (d = 0; d < 2; d++) {
		struct lgdir *ld = &c->dir[d];

		if (producer_of(ch, d)) {
			ld->sock = c->sock[d][0];
			c->sock[d][0] = -1;
			ld->pfd = c->pipe[d][1];
			c->pipe[d][1] = -1;
		} else if (consumer_of(ch, d)) {
			ld->sock = c->sock[d][1];
			c->sock[d][1] = -1;
			ld->pfd = c->pipe[d][0];
			c->pipe[d][0] = -1;
		}
		close_fd(&c->sock[d][0]);
		close_fd(&c->sock[d][1]);
		close_fd(&c->pipe[d][0]);
		close_fd(&c->pipe[d][1]);
	}
	/* every announcement first, then the peer's: no side waits on another */
	for (d = 0; d < 2; d++) {
		struct lgdir *ld = &c->dir[d];

		if (c->kind == LG_MEMFD && producer_of(ch, d))
			err = announce(ch, ld);
		else if (c->kind == LG_PVM && consumer_of(ch, d))
			err = announce(ch, ld);
		else if (c->kind == LG_VMSPLICE && producer_of(ch, d))
			err = (ld->map_len = c->nslots * c->slot_size,
			       ld->map = map_slots(ld->map_len, -1,
						   PROT_READ | PROT_WRITE)) ?
			      0 : -ENOMEM;
		else
			continue;
		if (err)
			return err;
	}
	for (d = 0; d < 2 && c->kind != LG_VMSPLICE; d++) {
		struct lgdir *ld = &c->dir[d];

		if ((c->kind == LG_MEMFD && consumer_of(ch, d)) ||
		    (c->kind == LG_PVM && producer_of(ch, d))) {
			err = learn(ch, ld);
			if (err)
				return err;
		}
	}
	return 0;
}

static void lg_close(struct chan *ch)
{
	struct lgchan *c = ch->priv;
	int d;

	for (d = 0; d < 2; d++) {
		if (c->dir[d].map)
			munmap(c->dir[d].map, c->dir[d].map_len);
		close_fd(&c->dir[d].sock);
		close_fd(&c->dir[d].pfd);
	}
}

/* --- memfd-scm and process-vm-writev ------------------------------------- */

/* Producer: a free slot, waiting for the oldest ack when all are out. */
static int take_slot(struct chan *ch, struct lgdir *ld)
{
	struct lgchan *c = ch->priv;
	unsigned int oldest;
	struct bell ack;
	int err;

	if (ld->inflight < c->nslots)
		return 0;
	err = recv_all(ld->sock, &ack, sizeof(ack), NULL);
	if (err)
		return err;
	oldest = (ld->next + c->nslots - ld->inflight) % c->nslots;
	if (ack.slot != oldest) {
		snprintf(ch->why, WHY_LEN, "ack for slot %u, expected %u",
			 ack.slot, oldest);
		return -EPROTO;
	}
	ld->inflight--;
	return 0;
}

static int ring_bell(struct chan *ch, struct lgdir *ld, size_t len)
{
	struct lgchan *c = ch->priv;
	struct bell b = { .slot = ld->next, .len = (uint32_t)len };
	int err;

	err = send_all(ld->sock, &b, sizeof(b), -1);
	if (err)
		return err;
	ld->next = (ld->next + 1) % c->nslots;
	ld->inflight++;
	return 0;
}

static int memfd_tx_begin(struct chan *ch, size_t len, void **buf)
{
	struct lgchan *c = ch->priv;
	struct lgdir *ld = &c->dir[tx_dir(ch)];
	int err;

	(void)len;
	err = take_slot(ch, ld);
	if (err)
		return err;
	*buf = ld->map + (size_t)ld->next * c->slot_size;
	return 0;
}

static int memfd_tx_end(struct chan *ch, size_t len)
{
	struct lgchan *c = ch->priv;

	return ring_bell(ch, &c->dir[tx_dir(ch)], len);
}

static int pvm_tx_begin(struct chan *ch, size_t len, void **buf)
{
	struct lgchan *c = ch->priv;

	(void)len;
	*buf = ch->txbuf;
	return take_slot(ch, &c->dir[tx_dir(ch)]);
}

static int pvm_tx_end(struct chan *ch, size_t len)
{
	struct lgchan *c = ch->priv;
	struct lgdir *ld = &c->dir[tx_dir(ch)];
	struct iovec local = { ch->txbuf, len };
	struct iovec remote = {
		(void *)(uintptr_t)(ld->peer_addr +
				    (uint64_t)ld->next * c->slot_size), len,
	};
	ssize_t n;

	n = process_vm_writev(ld->peer_pid, &local, 1, &remote, 1, 0);
	if (n < 0) {
		snprintf(ch->why, WHY_LEN, "process_vm_writev to pid %d",
			 (int)ld->peer_pid);
		return -errno;
	}
	if ((size_t)n != len) {
		snprintf(ch->why, WHY_LEN, "process_vm_writev wrote %zd of %zu",
			 n, len);
		return -EIO;
	}
	return ring_bell(ch, ld, len);
}

/* Consumer: the slot the next doorbell names, read in place. */
static int slot_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct lgchan *c = ch->priv;
	struct lgdir *ld = &c->dir[rx_dir(ch)];
	struct bell b;
	int err;

	err = recv_all(ld->sock, &b, sizeof(b), NULL);
	if (err)
		return err;
	if (b.slot != ld->next || b.len > c->slot_size) {
		snprintf(ch->why, WHY_LEN,
			 "doorbell for slot %u (%u B), expected slot %u",
			 b.slot, b.len, ld->next);
		return -EPROTO;
	}
	*buf = ld->map + (size_t)b.slot * c->slot_size;
	*len = b.len;
	return 0;
}

static int slot_rx_end(struct chan *ch)
{
	struct lgchan *c = ch->priv;
	struct lgdir *ld = &c->dir[rx_dir(ch)];
	struct bell ack = { .slot = ld->next };
	int err;

	ld->next = (ld->next + 1) % c->nslots;
	err = send_all(ld->sock, &ack, sizeof(ack), -1);
	/* after its stop message the producer may be gone: it needs no ack */
	return err == -EPIPE || err == -ECONNRESET ? 0 : err;
}

/* --- vmsplice ------------------------------------------------------------ */

static int vms_tx_begin(struct chan *ch, size_t len, void **buf)
{
	struct lgchan *c = ch->priv;
	struct lgdir *ld = &c->dir[tx_dir(ch)];

	(void)len;
	*buf = ld->map + (size_t)ld->next * c->slot_size;
	return 0;
}

static int vms_tx_end(struct chan *ch, size_t len)
{
	struct lgchan *c = ch->priv;
	struct lgdir *ld = &c->dir[tx_dir(ch)];
	uint8_t *p = ld->map + (size_t)ld->next * c->slot_size;
	struct iovec iov;
	ssize_t n;

	while (len) {
		iov.iov_base = p;
		iov.iov_len = len;
		n = vmsplice(ld->pfd, &iov, 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	ld->next = (ld->next + 1) % c->nslots;
	return 0;
}

static int vms_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct lgchan *c = ch->priv;
	int fd = c->dir[rx_dir(ch)].pfd;
	uint8_t *p = ch->rxbuf;
	size_t left = ch->cfg.size;
	ssize_t n;

	while (left) {
		n = read(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		left -= (size_t)n;
	}
	*buf = ch->rxbuf;
	*len = ch->cfg.size;
	return 0;
}

static const struct method m_memfd = {
	.name = "memfd-scm",
	.desc = "memfd passed once over SCM_RIGHTS, written and read in place; 8-byte doorbell and ack per transfer",
	.setup = memfd_setup,
	.open = lg_open,
	.tx_begin = memfd_tx_begin,
	.tx_end = memfd_tx_end,
	.rx_begin = slot_rx_begin,
	.rx_end = slot_rx_end,
	.close = lg_close,
	.teardown = lg_teardown,
};

static const struct method m_pvm = {
	.name = "process-vm-writev",
	.desc = "process_vm_writev() into the consumer's announced buffer (one copy); doorbell and ack",
	.setup = pvm_setup,
	.open = lg_open,
	.tx_begin = pvm_tx_begin,
	.tx_end = pvm_tx_end,
	.rx_begin = slot_rx_begin,
	.rx_end = slot_rx_end,
	.close = lg_close,
	.teardown = lg_teardown,
};

static const struct method m_vmsplice = {
	.name = "vmsplice",
	.desc = "vmsplice() of page-aligned buffers into a pipe (no copy), read() out (one copy)",
	.limits = lg_pipe_limits,
	.setup = vms_setup,
	.open = lg_open,
	.tx_begin = vms_tx_begin,
	.tx_end = vms_tx_end,
	.rx_begin = vms_rx_begin,
	.close = lg_close,
	.teardown = lg_teardown,
};

const struct method *const large_methods[] = { &m_memfd, &m_pvm, &m_vmsplice };
const size_t n_large_methods = ARRAY_SIZE(large_methods);
