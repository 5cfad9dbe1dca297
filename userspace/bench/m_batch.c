// SPDX-License-Identifier: GPL-2.0
/*
 * The standard paths batched, against ipcchan-batch: the same number of
 * messages per call (cell_batch(), bench.h: --batch, bounded by 256 KiB of
 * payload and half the queue depth; one in pingpong), the same queue depth
 * (pipe size and socket buffers as m_std.c sizes them).
 *
 *  pipe-batch            pipe2(); writev() of N framed messages, one large
 *                        read() of whatever is there, the frames walked in
 *                        the buffer
 *  unix-stream-batch     socketpair(AF_UNIX, SOCK_STREAM); as pipe-batch
 *  unix-dgram-batch      socketpair(AF_UNIX, SOCK_DGRAM); sendmmsg() of N
 *                        datagrams, recvmmsg(MSG_WAITFORONE) of up to N
 *  unix-seqpacket-batch  socketpair(AF_UNIX, SOCK_SEQPACKET); as dgram
 *  io-uring              socketpair(AF_UNIX, SOCK_DGRAM) driven by
 *                        io_uring: N linked IORING_OP_SEND per
 *                        io_uring_enter(); N linked IORING_OP_RECV per
 *                        io_uring_enter(), the first one waiting and the
 *                        others MSG_DONTWAIT, so the call returns what has
 *                        arrived (the rest complete -EAGAIN/-ECANCELED)
 *  io-uring-sqpoll       the same with IORING_SETUP_SQPOLL: a kernel thread
 *                        of each process polls its submission queue for up
 *                        to 1 ms (sq_thread_idle) after the last request
 *                        (its CPU time is the process's); unavailable where
 *                        the kernel refuses SQPOLL
 *
 * A frame on a byte stream is an 8-byte length and the payload padded to
 * 8 bytes.  The links keep the sends (and the receives) of a batch in
 * order: without them a send that must wait for buffer space would be
 * overtaken by the next one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"

#define FRAME_HDR	8

enum bkind { BK_PIPE, BK_STREAM, BK_DGRAM, BK_SEQPACKET };

struct bchan {
	enum bkind kind;
	bool uring, sqpoll;
	int pfd[2][2];		/* pipes: [dir][0 = read end, 1 = write end] */
	int sock[2];		/* socketpair: side s keeps sock[s] */
	unsigned int n;		/* messages per call */
	/* per process, after fork */
	int tfd, rfd;
	size_t stride;		/* bytes per slot of tbuf (and rbuf: dgram) */
	uint8_t *tbuf;
	unsigned int tn;	/* messages queued to send */
	struct iovec *tiov, *riov;
	struct mmsghdr *tmm, *rmm;
	/* byte streams: the receive buffer and where the walk is */
	uint8_t *rbuf;
	size_t rcap, rlen, rpos;
	/* datagrams: received in the last call, next to hand out */
	unsigned int rgot, ridx;
	int *res;		/* io_uring: result per receive slot */
	struct io_uring ring;
	bool ring_up;
};

static bool is_stream(const struct bchan *c)
{
	return c->kind == BK_PIPE || c->kind == BK_STREAM;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int b_setup(struct chan *ch, enum bkind kind, bool uring, bool sqpoll)
{
	static const int type[] = {
		[BK_STREAM] = SOCK_STREAM, [BK_DGRAM] = SOCK_DGRAM,
		[BK_SEQPACKET] = SOCK_SEQPACKET,
	};
	struct bchan *c = calloc(1, sizeof(*c));
	int d;

	if (!c)
		return -ENOMEM;
	ch->priv = c;
	c->kind = kind;
	c->uring = uring;
	c->sqpoll = sqpoll;
	c->n = cell_batch(&ch->cfg);
	for (d = 0; d < 2; d++)
		c->pfd[d][0] = c->pfd[d][1] = c->sock[d] = -1;
	c->tfd = c->rfd = -1;
	if (kind != BK_PIPE) {
		if (socketpair(AF_UNIX, type[kind] | SOCK_CLOEXEC, 0, c->sock))
			return -errno;
		return std_sock_depth(ch, c->sock, kind != BK_STREAM);
	}
	return std_pipes(ch, c->pfd);
}

static int pipe_batch_setup(struct chan *ch)
{
	return b_setup(ch, BK_PIPE, false, false);
}

static int ustream_batch_setup(struct chan *ch)
{
	return b_setup(ch, BK_STREAM, false, false);
}

static int udgram_batch_setup(struct chan *ch)
{
	return b_setup(ch, BK_DGRAM, false, false);
}

static int useqpacket_batch_setup(struct chan *ch)
{
	return b_setup(ch, BK_SEQPACKET, false, false);
}

static int uring_setup(struct chan *ch)
{
	return b_setup(ch, BK_DGRAM, true, false);
}

static int sqpoll_setup(struct chan *ch)
{
	return b_setup(ch, BK_DGRAM, true, true);
}

static void *zalloc_pages(size_t len)
{
	return alloc_buf(len);	/* page aligned, faulted in */
}

/*
 * A ring for n entries.  SQPOLL's kernel thread polls for at most 1 ms
 * (the shortest sq_thread_idle) before it sleeps, the nearest io_uring has
 * to the bounded spin of the ring methods; the default would be a second.
 */
static int uring_init(struct io_uring *ring, unsigned int n, bool sqpoll)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	if (sqpoll) {
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 1;
	}
	return io_uring_queue_init_params(n < 8 ? 8 : n, ring, &p);
}

static int b_open(struct chan *ch)
{
	struct bchan *c = ch->priv;
	unsigned int i, n = c->n;
	int d, err;

	if (c->kind == BK_PIPE) {
		for (d = 0; d < 2; d++) {
			if (d != tx_dir(ch))
				close_fd(&c->pfd[d][1]);
			if (d != rx_dir(ch))
				close_fd(&c->pfd[d][0]);
		}
		c->tfd = c->pfd[tx_dir(ch)][1];
		c->rfd = c->pfd[rx_dir(ch)][0];
	} else {
		close_fd(&c->sock[1 - ch->side]);
		c->tfd = c->rfd = c->sock[ch->side];
	}
	c->stride = is_stream(c) ? FRAME_HDR + align_up(ch->cfg.size, 8)
				 : align_up(ch->cfg.size, 64);
	c->tbuf = zalloc_pages(n * c->stride);
	c->rcap = n * c->stride;
	c->rbuf = zalloc_pages(c->rcap);
	c->tiov = calloc(n, sizeof(*c->tiov));
	c->riov = calloc(n, sizeof(*c->riov));
	c->tmm = calloc(n, sizeof(*c->tmm));
	c->rmm = calloc(n, sizeof(*c->rmm));
	c->res = calloc(n, sizeof(*c->res));
	if (!c->tbuf || !c->rbuf || !c->tiov || !c->riov || !c->tmm ||
	    !c->rmm || !c->res)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		c->tiov[i].iov_base = c->tbuf + i * c->stride;
		c->riov[i].iov_base = c->rbuf + i * c->stride;
		c->tmm[i].msg_hdr.msg_iov = &c->tiov[i];
		c->tmm[i].msg_hdr.msg_iovlen = 1;
		c->rmm[i].msg_hdr.msg_iov = &c->riov[i];
		c->rmm[i].msg_hdr.msg_iovlen = 1;
	}
	if (!c->uring)
		return 0;
	err = uring_init(&c->ring, n, c->sqpoll);
	if (err) {
		snprintf(ch->why, WHY_LEN, "io_uring_queue_init(%u%s)", n,
			 c->sqpoll ? ", IORING_SETUP_SQPOLL" : "");
		return err;
	}
	c->ring_up = true;
	return 0;
}

static void b_close(struct chan *ch)
{
	struct bchan *c = ch->priv;
	int d;

	if (c->ring_up)
		io_uring_queue_exit(&c->ring);
	c->ring_up = false;
	for (d = 0; d < 2; d++) {
		close_fd(&c->pfd[d][0]);
		close_fd(&c->pfd[d][1]);
		close_fd(&c->sock[d]);
	}
	free(c->tbuf);
	free(c->rbuf);
	free(c->tiov);
	free(c->riov);
	free(c->tmm);
	free(c->rmm);
	free(c->res);
}

static void b_teardown(struct chan *ch)
{
	struct bchan *c = ch->priv;
	int d;

	for (d = 0; c && d < 2; d++) {
		close_fd(&c->pfd[d][0]);
		close_fd(&c->pfd[d][1]);
		close_fd(&c->sock[d]);
	}
	free(c);
	ch->priv = NULL;
}

/* --- send side ----------------------------------------------------------- */

static int b_tx_begin(struct chan *ch, size_t len, void **buf)
{
	struct bchan *c = ch->priv;
	uint8_t *slot = c->tbuf + c->tn * c->stride;

	(void)len;
	*buf = is_stream(c) ? slot + FRAME_HDR : slot;
	return 0;
}

/* writev() all of iov[0..cnt), resuming after short writes. */
static int writev_full(int fd, struct iovec *iov, unsigned int cnt)
{
	ssize_t n;

	while (cnt) {
		n = writev(fd, iov, cnt > IOV_MAX ? IOV_MAX : (int)cnt);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

static int stream_flush(struct bchan *c)
{
	unsigned int i;

	for (i = 0; i < c->tn; i++)	/* writev_full moves the bases */
		c->tiov[i].iov_base = c->tbuf + i * c->stride;
	return writev_full(c->tfd, c->tiov, c->tn);
}

static int mmsg_flush(struct bchan *c)
{
	unsigned int off = 0;
	int n;

	while (off < c->tn) {
		n = sendmmsg(c->tfd, c->tmm + off, c->tn - off, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (unsigned int)n;
	}
	return 0;
}

/*
 * Wait for cnt completions, the results by user_data into res[]; entries
 * a call never saw keep INT_MIN.
 */
static int uring_reap(struct bchan *c, unsigned int cnt, int *res)
{
	struct io_uring_cqe *cqe;
	unsigned int i, got = 0;
	int err;

	for (i = 0; i < c->n; i++)
		res[i] = INT_MIN;
	err = io_uring_submit_and_wait(&c->ring, cnt);
	if (err < 0 && err != -EINTR)
		return err;
	while (got < cnt) {
		err = io_uring_wait_cqe(&c->ring, &cqe);
		if (err == -EINTR)
			continue;
		if (err)
			return err;
		if (cqe->user_data < c->n)
			res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(&c->ring, cqe);
		got++;
	}
	return 0;
}

/* N linked sends per io_uring_enter(); resend from the first that failed. */
static int uring_flush(struct bchan *c)
{
	unsigned int off = 0, i;
	struct io_uring_sqe *sqe;
	int err;

	while (off < c->tn) {
		for (i = off; i < c->tn; i++) {
			sqe = io_uring_get_sqe(&c->ring);
			if (!sqe)
				return -EBUSY;
			io_uring_prep_send(sqe, c->tfd, c->tiov[i].iov_base,
					   c->tiov[i].iov_len, 0);
			sqe->user_data = i;
			if (i + 1 < c->tn)
				sqe->flags |= IOSQE_IO_LINK;
		}
		err = uring_reap(c, c->tn - off, c->res);
		if (err)
			return err;
		for (i = off; i < c->tn; i++) {
			if (c->res[i] < 0)
				break;
			if ((size_t)c->res[i] != c->tiov[i].iov_len)
				return -EIO;
		}
		if (i < c->tn && c->res[i] != -EINTR && c->res[i] != -ECANCELED &&
		    c->res[i] != -EAGAIN)
			return c->res[i];
		off = i;
	}
	return 0;
}

static int b_tx_flush(struct chan *ch)
{
	struct bchan *c = ch->priv;
	int err;

	if (!c->tn)
		return 0;
	if (c->uring)
		err = uring_flush(c);
	else if (is_stream(c))
		err = stream_flush(c);
	else
		err = mmsg_flush(c);
	c->tn = 0;
	return err;
}

static int b_tx_end(struct chan *ch, size_t len)
{
	struct bchan *c = ch->priv;
	uint8_t *slot = c->tbuf + c->tn * c->stride;

	if (is_stream(c)) {
		*(uint64_t *)slot = len;
		c->tiov[c->tn].iov_len = FRAME_HDR + align_up(len, 8);
	} else {
		c->tiov[c->tn].iov_len = len;
	}
	if (++c->tn < c->n)
		return 0;
	return b_tx_flush(ch);
}

/* --- receive side -------------------------------------------------------- */

/* The next whole frame in the buffer, reading more when there is none. */
static int stream_rx(struct chan *ch, const void **buf, size_t *len)
{
	struct bchan *c = ch->priv;
	size_t avail, l, frame;
	ssize_t n;

	for (;;) {
		avail = c->rlen - c->rpos;
		if (avail >= FRAME_HDR) {
			l = *(const uint64_t *)(c->rbuf + c->rpos);
			if (l > ch->cfg.size) {
				snprintf(ch->why, WHY_LEN,
					 "frame length %zu above the size", l);
				return -EBADMSG;
			}
			frame = FRAME_HDR + align_up(l, 8);
			if (avail >= frame) {
				*buf = c->rbuf + c->rpos + FRAME_HDR;
				*len = l;
				c->rpos += frame;
				return 0;
			}
		}
		/* keep the partial frame, read behind it */
		memmove(c->rbuf, c->rbuf + c->rpos, avail);
		c->rlen = avail;
		c->rpos = 0;
		n = read(c->rfd, c->rbuf + c->rlen, c->rcap - c->rlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		c->rlen += (size_t)n;
	}
}

static int mmsg_recv(struct chan *ch)
{
	struct bchan *c = ch->priv;
	unsigned int i;
	int n;

	for (i = 0; i < c->n; i++)
		c->riov[i].iov_len = ch->cfg.size;
	do
		n = recvmmsg(c->rfd, c->rmm, c->n, MSG_WAITFORONE | MSG_TRUNC,
			     NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	c->rgot = (unsigned int)n;
	return 0;
}

/*
 * N linked receives: the first waits for a datagram, the others take what
 * is queued (MSG_DONTWAIT) and the first that finds nothing ends the chain.
 */
static int uring_recv(struct chan *ch)
{
	struct bchan *c = ch->priv;
	struct io_uring_sqe *sqe;
	unsigned int i;
	int err;

	for (;;) {
		for (i = 0; i < c->n; i++) {
			sqe = io_uring_get_sqe(&c->ring);
			if (!sqe)
				return -EBUSY;
			io_uring_prep_recv(sqe, c->rfd, c->rbuf + i * c->stride,
					   ch->cfg.size,
					   MSG_TRUNC | (i ? MSG_DONTWAIT : 0));
			sqe->user_data = i;
			if (i + 1 < c->n)
				sqe->flags |= IOSQE_IO_LINK;
		}
		err = uring_reap(c, c->n, c->res);
		if (err)
			return err;
		for (i = 0; i < c->n && c->res[i] >= 0; i++)
			c->rmm[i].msg_len = (unsigned int)c->res[i];
		if (i)
			break;
		if (c->res[0] != -EINTR)
			return c->res[0] == INT_MIN ? -EIO : c->res[0];
	}
	c->rgot = i;
	return 0;
}

static int b_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct bchan *c = ch->priv;
	int err;

	if (is_stream(c))
		return stream_rx(ch, buf, len);
	if (c->ridx == c->rgot) {
		err = c->uring ? uring_recv(ch) : mmsg_recv(ch);
		if (err)
			return err;
		c->ridx = 0;
	}
	*buf = c->rbuf + c->ridx * c->stride;
	*len = c->rmm[c->ridx].msg_len;
	c->ridx++;
	return 0;
}

/* --- availability -------------------------------------------------------- */

/* Can this kernel (and its settings) give us a ring at all? */
static int uring_try(bool sqpoll, char *why)
{
	struct io_uring ring;
	int err = uring_init(&ring, 8, sqpoll);

	if (err) {
		snprintf(why, WHY_LEN, "io_uring_queue_init(%s): %s",
			 sqpoll ? "IORING_SETUP_SQPOLL" : "0", strerror(-err));
		return err;
	}
	io_uring_queue_exit(&ring);
	return 0;
}

static int uring_avail(char *why)
{
	return uring_try(false, why);
}

static int sqpoll_avail(char *why)
{
	return uring_try(true, why);
}

#define BATCH_METHOD(id, nm, dsc, spn, lim, chk, setupfn, av)		\
static const struct method id = {					\
	.name = nm,							\
	.desc = dsc,							\
	.spin = spn,							\
	.avail = av,							\
	.limits = lim,							\
	.check = chk,							\
	.setup = setupfn,						\
	.open = b_open,							\
	.tx_begin = b_tx_begin,						\
	.tx_end = b_tx_end,						\
	.tx_flush = b_tx_flush,						\
	.rx_begin = b_rx_begin,						\
	.close = b_close,						\
	.teardown = b_teardown,						\
}

BATCH_METHOD(m_pipe_batch, "pipe-batch",
	     "pipe2(); writev() of N framed messages, one read() of what is there, frames walked",
	     NULL, std_pipe_limits, NULL, pipe_batch_setup, NULL);
BATCH_METHOD(m_ustream_batch, "unix-stream-batch",
	     "socketpair(AF_UNIX, SOCK_STREAM); writev() of N framed messages, one read(), frames walked",
	     NULL, std_unix_limits, NULL, ustream_batch_setup, NULL);
BATCH_METHOD(m_udgram_batch, "unix-dgram-batch",
	     "socketpair(AF_UNIX, SOCK_DGRAM); sendmmsg() of N, recvmmsg(MSG_WAITFORONE) of up to N",
	     NULL, std_unix_limits, std_dgram_check, udgram_batch_setup, NULL);
BATCH_METHOD(m_useqpacket_batch, "unix-seqpacket-batch",
	     "socketpair(AF_UNIX, SOCK_SEQPACKET); sendmmsg() of N, recvmmsg(MSG_WAITFORONE) of up to N",
	     NULL, std_unix_limits, std_dgram_check, useqpacket_batch_setup,
	     NULL);
BATCH_METHOD(m_uring, "io-uring",
	     "io_uring on socketpair(AF_UNIX, SOCK_DGRAM): N linked SEND / RECV per io_uring_enter()",
	     NULL, std_unix_limits, std_dgram_check, uring_setup, uring_avail);
BATCH_METHOD(m_uring_sqpoll, "io-uring-sqpoll",
	     "io-uring with IORING_SETUP_SQPOLL (a polling kernel thread per process)",
	     "a kernel thread per process polls the submission queue, then sleeps after 1 ms idle",
	     std_unix_limits, std_dgram_check, sqpoll_setup, sqpoll_avail);

const struct method *const batch_methods[] = {
	&m_pipe_batch, &m_ustream_batch, &m_udgram_batch, &m_useqpacket_batch,
	&m_uring, &m_uring_sqpoll,
};
const size_t n_batch_methods = ARRAY_SIZE(batch_methods);
