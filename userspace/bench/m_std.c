// SPDX-License-Identifier: GPL-2.0
/*
 * The standard kernel IPC methods, each used the way a careful programmer
 * would: one message per system call, blocking, default settings unless a
 * size needs more (then the limit is raised and reported, never clamped).
 *
 *  pipe            pipe2(); write() / read() exactly size bytes
 *  fifo            mkfifo() in /tmp, opened by both processes; as pipe
 *  unix-stream     socketpair(AF_UNIX, SOCK_STREAM); as pipe
 *  unix-dgram      socketpair(AF_UNIX, SOCK_DGRAM); send() / recv()
 *  unix-seqpacket  socketpair(AF_UNIX, SOCK_SEQPACKET); send() / recv()
 *  tcp             127.0.0.1, TCP_NODELAY for pingpong; as pipe
 *  posix-mq        mq_send() / mq_receive()
 *  sysv-msg        msgsnd() / msgrcv()
 *
 *  pipe-spin       pipe2(), both ends O_NONBLOCK: a reader finding the pipe
 *                  empty (a writer finding it full) polls it again for the
 *                  spin budget of the shared-memory rings (--spin-ns), with
 *                  the same sched_yield() every 64 polls, then sleeps in
 *                  poll()
 *
 * Every direction holds cell_depth(size) messages (bench.h): a pipe gets
 * enough pages, a socket enough SO_SNDBUF for the payload and the skb
 * overhead (measured: setup fills the socket and grows the buffer until it
 * holds them), a System V queue msg_qbytes, a POSIX queue mq_maxmsg.  The
 * depth each cell really had is measured by filling the channel without
 * blocking before the cell starts, and reported with the results.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MQ_HARD_MSGSIZEMAX	(16 * MiB)	/* kernel's hard caps (6.1) */
#define MQ_HARD_MSGMAX		65536

/* State of every fd-based method; inherited by both children. */
struct fdchan {
	int fd[2][2];		/* [dir][0 = read end, 1 = write end] */
	int sock[2];		/* socketpair, or the two TCP ends */
	int lfd;		/* TCP listener */
	struct sockaddr_in addr;
	char path[2][96];	/* fifo paths, mq names */
	mqd_t mq[2];
	int msqid[2];
	void *sysv_buf[2];	/* per-process: mtype + payload */
};

static int ndirs(const struct chan *ch)
{
	return ch->cfg.pat == PAT_PINGPONG ? 2 : 1;
}

static struct fdchan *fdchan_new(struct chan *ch)
{
	struct fdchan *c = calloc(1, sizeof(*c));
	int d;

	if (!c)
		return NULL;
	for (d = 0; d < 2; d++) {
		c->fd[d][0] = c->fd[d][1] = -1;
		c->sock[d] = -1;
		c->mq[d] = (mqd_t)-1;
		c->msqid[d] = -1;
	}
	c->lfd = -1;
	ch->priv = c;
	return c;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

/* --- queue depth --------------------------------------------------------- */

static int set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) < 0 ? -errno : 0;
}

/*
 * How many messages of size bytes the channel from wfd to rfd holds:
 * write them without blocking until it is full (at most 4 x cell_depth,
 * then it holds at least that), then read everything back out.  Runs in
 * the main process before the fork, on the fds the cell will use; stores
 * the result in ch->depth_msgs / depth_bytes.
 */
int std_fill_depth(struct chan *ch, int wfd, int rfd)
{
	size_t size = ch->cfg.size, bytes = 0, cap = 4 * cell_depth(size) + 4;
	uint8_t *buf = calloc(1, size);
	ssize_t n = 0;
	int err;

	if (!buf)
		return -ENOMEM;
	err = set_nonblock(wfd, true);
	if (!err)
		err = set_nonblock(rfd, true);
	while (!err && bytes / size < cap) {
		n = write(wfd, buf, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				err = -errno;
			break;
		}
		bytes += (size_t)n;
		if ((size_t)n < size)
			break;	/* a byte stream took part of it: full */
	}
	ch->depth_msgs = bytes / size;
	ch->depth_bytes = ch->depth_msgs * size;
	while (!err && bytes) {
		n = read(rfd, buf, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EPIPE;
			break;
		}
		bytes -= (size_t)n < bytes ? (size_t)n : bytes;
	}
	if (err)
		snprintf(ch->why, WHY_LEN, "measuring the queue depth");
	free(buf);
	set_nonblock(wfd, false);
	set_nonblock(rfd, false);
	return err;
}

/* --- pipe and fifo ------------------------------------------------------- */

/*
 * Pipe bytes for cell_depth(size) messages: a write merges into the last
 * page only when it fits whole, so a page holds 4096 / size small messages
 * and a big message takes whole pages of its own.
 */
size_t std_pipe_size(size_t size)
{
	size_t d = cell_depth(size), pages;

	if (size <= 4096)
		pages = (d + 4096 / size - 1) / (4096 / size);
	else
		pages = d * ((size + 4095) / 4096);
	return roundup_pow2(pages) * 4096;
}

void std_pipe_limits(size_t min_size, size_t max_size)
{
	(void)min_size;
	sysctl_raise("/proc/sys/fs/pipe-max-size", std_pipe_size(max_size));
}

int std_set_pipe_size(struct chan *ch, int fd)
{
	size_t want = std_pipe_size(ch->cfg.size);
	int cur = fcntl(fd, F_GETPIPE_SZ);

	if (cur >= 0 && (size_t)cur >= want)
		return 0;
	if (fcntl(fd, F_SETPIPE_SZ, (int)want) < 0) {
		int err = -errno;

		snprintf(ch->why, WHY_LEN, "F_SETPIPE_SZ %zu (fs.pipe-max-size)",
			 want);
		return err;
	}
	return 0;
}

/*
 * One pipe per direction into fd[d] ([0] read end, [1] write end), each
 * sized for the cell's depth, then the depth measured on the first.
 */
int std_pipes(struct chan *ch, int (*fd)[2])
{
	int d, err;

	for (d = 0; d < ndirs(ch); d++) {
		if (pipe2(fd[d], O_CLOEXEC) < 0)
			return -errno;
		err = std_set_pipe_size(ch, fd[d][1]);
		if (err)
			return err;
	}
	return std_fill_depth(ch, fd[0][1], fd[0][0]);
}

static int pipe_setup(struct chan *ch)
{
	struct fdchan *c = fdchan_new(ch);

	if (!c)
		return -ENOMEM;
	return std_pipes(ch, c->fd);
}

static int pipe_open(struct chan *ch)
{
	struct fdchan *c = ch->priv;
	int d;

	/* keep the write end of tx_dir and the read end of rx_dir */
	for (d = 0; d < 2; d++) {
		if (d != tx_dir(ch))
			close_fd(&c->fd[d][1]);
		if (d != rx_dir(ch))
			close_fd(&c->fd[d][0]);
	}
	return 0;
}

static void fd_close_all(struct chan *ch)
{
	struct fdchan *c = ch->priv;
	int d;

	if (!c)
		return;
	for (d = 0; d < 2; d++) {
		close_fd(&c->fd[d][0]);
		close_fd(&c->fd[d][1]);
		close_fd(&c->sock[d]);
	}
	close_fd(&c->lfd);
}

static void fd_teardown(struct chan *ch)
{
	fd_close_all(ch);
	free(ch->priv);
	ch->priv = NULL;
}

static int pipe_tx_end(struct chan *ch, size_t len)
{
	struct fdchan *c = ch->priv;

	return write_full(c->fd[tx_dir(ch)][1], ch->txbuf, len);
}

static int pipe_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct fdchan *c = ch->priv;

	*buf = ch->rxbuf;
	*len = ch->cfg.size;
	return read_full(c->fd[rx_dir(ch)][0], ch->rxbuf, ch->cfg.size);
}

static const struct method m_pipe = {
	.name = "pipe",
	.desc = "pipe2(); one write()/read() of exactly size bytes per message",
	.limits = std_pipe_limits,
	.setup = pipe_setup,
	.open = pipe_open,
	.tx_begin = copy_tx_begin,
	.tx_end = pipe_tx_end,
	.rx_begin = pipe_rx_begin,
	.close = fd_close_all,
	.teardown = fd_teardown,
};

/* The depth of a fifo sized as fifo_open() sizes it, open here for a while. */
/* --- pipe-spin ----------------------------------------------------------- */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Move len bytes through the non-blocking pipe end fd: retry at once after
 * EAGAIN, reading the clock and yielding every 64 tries as the rings do,
 * until the spin budget is spent; then sleep in poll().
 */
static int pipe_spin_io(int fd, bool out, void *buf, size_t len, long spin_ns)
{
	struct pollfd pfd = { .fd = fd, .events = out ? POLLOUT : POLLIN };
	uint64_t deadline = 0, t;
	unsigned int tries = 0;
	char *p = buf;
	ssize_t n;

	while (len) {
		n = out ? write(fd, p, len) : read(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return -EPIPE;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		if (++tries % 64)
			continue;
		t = mono_ns();
		if (!deadline)
			deadline = t + (uint64_t)spin_ns;
		if (t < deadline) {
			sched_yield();
			continue;
		}
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -errno;
		deadline = 0;
		tries = 0;
	}
	return 0;
}

static int pipe_spin_setup(struct chan *ch)
{
	struct fdchan *c;
	int err = pipe_setup(ch), d, e;

	if (err)
		return err;
	c = ch->priv;
	for (d = 0; d < ndirs(ch); d++)
		for (e = 0; e < 2; e++)
			if (set_nonblock(c->fd[d][e], true))
				return -errno;
	return 0;
}

static int pipe_spin_tx_end(struct chan *ch, size_t len)
{
	struct fdchan *c = ch->priv;

	return pipe_spin_io(c->fd[tx_dir(ch)][1], true, ch->txbuf, len,
			    ch->cfg.spin_ns);
}

static int pipe_spin_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct fdchan *c = ch->priv;

	*buf = ch->rxbuf;
	*len = ch->cfg.size;
	return pipe_spin_io(c->fd[rx_dir(ch)][0], false, ch->rxbuf,
			    ch->cfg.size, ch->cfg.spin_ns);
}

static const struct method m_pipe_spin = {
	.name = "pipe-spin",
	.desc = "pipe2(), O_NONBLOCK ends: read()/write() retried while the spin lasts, then poll()",
	.spin = "non-blocking read()/write() retried for --spin-ns (sched_yield() every 64 tries), then poll()",
	.limits = std_pipe_limits,
	.setup = pipe_spin_setup,
	.open = pipe_open,
	.tx_begin = copy_tx_begin,
	.tx_end = pipe_spin_tx_end,
	.rx_begin = pipe_spin_rx_begin,
	.close = fd_close_all,
	.teardown = fd_teardown,
};

static int fifo_depth(struct chan *ch, const char *path)
{
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC), err;

	if (fd < 0) {
		snprintf(ch->why, WHY_LEN, "open %s", path);
		return -errno;
	}
	err = std_set_pipe_size(ch, fd);
	if (!err)
		err = std_fill_depth(ch, fd, fd);
	close(fd);
	return err;
}

static int fifo_setup(struct chan *ch)
{
	struct fdchan *c = fdchan_new(ch);
	int d;

	if (!c)
		return -ENOMEM;
	for (d = 0; d < ndirs(ch); d++) {
		snprintf(c->path[d], sizeof(c->path[d]),
			 "/tmp/ipcchan-bench.%d.%u.%d", (int)getpid(),
			 ch->cfg.id, d);
		unlink(c->path[d]);
		if (mkfifo(c->path[d], 0600) < 0) {
			snprintf(ch->why, WHY_LEN, "mkfifo %s", c->path[d]);
			return -errno;
		}
	}
	return fifo_depth(ch, c->path[0]);
}

/* Both sides open direction 0 first, then direction 1: no deadlock. */
static int fifo_open(struct chan *ch)
{
	struct fdchan *c = ch->priv;
	int d, end, err;

	for (d = 0; d < ndirs(ch); d++) {
		end = d == tx_dir(ch) ? 1 : 0;
		c->fd[d][end] = open(c->path[d],
				     (end ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
		if (c->fd[d][end] < 0) {
			snprintf(ch->why, WHY_LEN, "open %s", c->path[d]);
			return -errno;
		}
		if (end) {
			err = std_set_pipe_size(ch, c->fd[d][end]);
			if (err)
				return err;
		}
	}
	return 0;
}

static void fifo_teardown(struct chan *ch)
{
	struct fdchan *c = ch->priv;
	int d;

	for (d = 0; c && d < 2; d++)
		if (c->path[d][0])
			unlink(c->path[d]);
	fd_teardown(ch);
}

static const struct method m_fifo = {
	.name = "fifo",
	.desc = "mkfifo() opened by both processes; as pipe",
	.limits = std_pipe_limits,
	.setup = fifo_setup,
	.open = fifo_open,
	.tx_begin = copy_tx_begin,
	.tx_end = pipe_tx_end,
	.rx_begin = pipe_rx_begin,
	.close = fd_close_all,
	.teardown = fifo_teardown,
};

/* --- Unix domain sockets ------------------------------------------------- */

/*
 * Socket buffer for cell_depth(size) messages: the payload and a first
 * guess of the skb overhead per message, which std_sock_depth() corrects
 * by measuring.
 */
#define SKB_GUESS	1024

static size_t sock_buf_need(size_t size)
{
	return cell_depth(size) * (align_up(size, 64) + SKB_GUESS);
}

void std_unix_limits(size_t min_size, size_t max_size)
{
	size_t need = sock_buf_need(max_size);

	if (min_size && sock_buf_need(min_size) > need)
		need = sock_buf_need(min_size);
	/* SO_SNDBUF is capped at wmem_max and then doubled by the kernel */
	sysctl_raise("/proc/sys/net/core/wmem_max", 2 * need);
	sysctl_raise("/proc/sys/net/core/rmem_max", 2 * need);
}

/* SO_SNDBUF and SO_RCVBUF of bytes: the FORCE options as root. */
static void sock_set_bufs(int fd, size_t bytes)
{
	static const int opt[2][2] = {
		{ SO_SNDBUFFORCE, SO_SNDBUF }, { SO_RCVBUFFORCE, SO_RCVBUF },
	};
	int i, val = bytes / 2 + 1 > INT32_MAX / 2 ? INT32_MAX / 2
						    : (int)(bytes / 2 + 1);

	for (i = 0; i < 2; i++)
		if (setsockopt(fd, SOL_SOCKET, opt[i][0], &val, sizeof(val)))
			setsockopt(fd, SOL_SOCKET, opt[i][1], &val, sizeof(val));
}

/*
 * Size the buffers of the socket pair s[2] for cell_depth(size) messages
 * and measure what they hold: the skb overhead differs by socket type and
 * size, so the buffer grows until the measured depth is there (or a few
 * tries were made: without root, wmem_max caps it).  A datagram socket
 * must hold at least one message (strict).
 */
int std_sock_depth(struct chan *ch, const int s[2], bool strict)
{
	size_t need = sock_buf_need(ch->cfg.size), want = cell_depth(ch->cfg.size);
	int tries, i, err = 0;

	for (tries = 0; tries < 4; tries++) {
		for (i = 0; i < 2; i++)
			sock_set_bufs(s[i], need);
		err = std_fill_depth(ch, s[0], s[1]);
		if (err || ch->depth_msgs >= want)
			break;
		need = need / (ch->depth_msgs ? ch->depth_msgs : 1) * want;
		need += need / 8 + 4096;
	}
	if (!err && strict && !ch->depth_msgs) {
		snprintf(ch->why, WHY_LEN,
			 "a %zu B datagram does not fit in SO_SNDBUF (net.core.wmem_max)",
			 ch->cfg.size);
		return -ENOBUFS;
	}
	return err;
}

static int unix_setup_type(struct chan *ch, int type)
{
	struct fdchan *c = fdchan_new(ch);

	if (!c)
		return -ENOMEM;
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, c->sock) < 0)
		return -errno;
	return std_sock_depth(ch, c->sock, type != SOCK_STREAM);
}

static int ustream_setup(struct chan *ch)
{
	return unix_setup_type(ch, SOCK_STREAM);
}

static int udgram_setup(struct chan *ch)
{
	return unix_setup_type(ch, SOCK_DGRAM);
}

static int useqpacket_setup(struct chan *ch)
{
	return unix_setup_type(ch, SOCK_SEQPACKET);
}

/* Side s keeps sock[s]: the same socket sends and receives. */
static int sock_open(struct chan *ch)
{
	struct fdchan *c = ch->priv;

	close_fd(&c->sock[1 - ch->side]);
	close_fd(&c->lfd);
	return 0;
}

static int sock_tx_stream(struct chan *ch, size_t len)
{
	struct fdchan *c = ch->priv;

	return write_full(c->sock[ch->side], ch->txbuf, len);
}

static int sock_rx_stream(struct chan *ch, const void **buf, size_t *len)
{
	struct fdchan *c = ch->priv;

	*buf = ch->rxbuf;
	*len = ch->cfg.size;
	return read_full(c->sock[ch->side], ch->rxbuf, ch->cfg.size);
}

static int sock_tx_msg(struct chan *ch, size_t len)
{
	struct fdchan *c = ch->priv;
	ssize_t n;

	do
		n = send(c->sock[ch->side], ch->txbuf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int sock_rx_msg(struct chan *ch, const void **buf, size_t *len)
{
	struct fdchan *c = ch->priv;
	ssize_t n;

	/* MSG_TRUNC: a longer datagram reports its real length */
	do
		n = recv(c->sock[ch->side], ch->rxbuf, ch->cfg.size, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*buf = ch->rxbuf;
	*len = (size_t)n;
	return 0;
}

/* A datagram must fit in SO_SNDBUF, which only root can raise past wmem_max. */
int std_dgram_check(const struct cellcfg *c, char *why)
{
	size_t need = align_up(c->size, 64) + SKB_GUESS;
	long long wmem;

	/* unix_dgram_sendmsg: EMSGSIZE when len > sk_sndbuf - 32 */
	if (geteuid() && !sysctl_read("/proc/sys/net/core/wmem_max", &wmem) &&
	    (size_t)wmem * 2 < need) {
		snprintf(why, WHY_LEN,
			 "datagram needs SO_SNDBUF >= %zu, net.core.wmem_max is %lld",
			 need, wmem);
		return -EMSGSIZE;
	}
	return 0;
}

static const struct method m_ustream = {
	.name = "unix-stream",
	.desc = "socketpair(AF_UNIX, SOCK_STREAM); one write()/read() of size bytes",
	.limits = std_unix_limits,
	.setup = ustream_setup,
	.open = sock_open,
	.tx_begin = copy_tx_begin,
	.tx_end = sock_tx_stream,
	.rx_begin = sock_rx_stream,
	.close = fd_close_all,
	.teardown = fd_teardown,
};

static const struct method m_udgram = {
	.name = "unix-dgram",
	.desc = "socketpair(AF_UNIX, SOCK_DGRAM); one send()/recv() per message",
	.limits = std_unix_limits,
	.check = std_dgram_check,
	.setup = udgram_setup,
	.open = sock_open,
	.tx_begin = copy_tx_begin,
	.tx_end = sock_tx_msg,
	.rx_begin = sock_rx_msg,
	.close = fd_close_all,
	.teardown = fd_teardown,
};

static const struct method m_useqpacket = {
	.name = "unix-seqpacket",
	.desc = "socketpair(AF_UNIX, SOCK_SEQPACKET); one send()/recv() per message",
	.limits = std_unix_limits,
	.check = std_dgram_check,
	.setup = useqpacket_setup,
	.open = sock_open,
	.tx_begin = copy_tx_begin,
	.tx_end = sock_tx_msg,
	.rx_begin = sock_rx_msg,
	.close = fd_close_all,
	.teardown = fd_teardown,
};

/* --- TCP over loopback --------------------------------------------------- */

static int tcp_setup(struct chan *ch)
{
	struct fdchan *c = fdchan_new(ch);
	socklen_t sl = sizeof(c->addr);

	if (!c)
		return -ENOMEM;
	c->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->lfd < 0)
		return -errno;
	c->addr.sin_family = AF_INET;
	c->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->addr.sin_port = 0;
	if (bind(c->lfd, (struct sockaddr *)&c->addr, sizeof(c->addr)) < 0 ||
	    listen(c->lfd, 1) < 0 ||
	    getsockname(c->lfd, (struct sockaddr *)&c->addr, &sl) < 0) {
		snprintf(ch->why, WHY_LEN, "listen on 127.0.0.1");
		return -errno;
	}
	return 0;
}

/*
 * Side 0 connects, side 1 accepts.  Socket buffers stay auto-tuned (setting
 * SO_SNDBUF would switch autotuning off); pingpong sets TCP_NODELAY as any
 * request/response protocol does, stream leaves Nagle on.
 */
static int tcp_open(struct chan *ch)
{
	struct fdchan *c = ch->priv;
	int one = 1, fd;

	if (ch->side == 0) {
		close_fd(&c->lfd);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&c->addr, sizeof(c->addr))) {
			snprintf(ch->why, WHY_LEN, "connect 127.0.0.1:%d",
				 ntohs(c->addr.sin_port));
			close(fd);
			return -errno;
		}
	} else {
		fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			return -errno;
		close_fd(&c->lfd);
	}
	c->sock[ch->side] = fd;
	if (ch->cfg.pat == PAT_PINGPONG &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

static const struct method m_tcp = {
	.name = "tcp",
	.desc = "TCP over 127.0.0.1 (TCP_NODELAY for pingpong); one write()/read() of size bytes",
	.setup = tcp_setup,
	.open = tcp_open,
	.tx_begin = copy_tx_begin,
	.tx_end = sock_tx_stream,
	.rx_begin = sock_rx_stream,
	.close = fd_close_all,
	.teardown = fd_teardown,
};

/* --- POSIX message queues ------------------------------------------------ */

/* Bytes a queue is charged against RLIMIT_MSGQUEUE per message (6.1). */
#define MQ_MSG_OVERHEAD		96

static long mq_depth(size_t size)
{
	long depth = (long)(cell_capacity(size) / size);

	return depth < 10 ? 10 : depth;	/* 10: the kernel's default */
}

/* The depth that fits ndirs queues into RLIMIT_MSGQUEUE. */
static long mq_depth_rlimit(size_t size, int ndirs)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MSGQUEUE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return MQ_HARD_MSGMAX;
	return (long)(rl.rlim_cur / ndirs / (size + MQ_MSG_OVERHEAD));
}

static void mq_limits(size_t min_size, size_t max_size)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY }, old;
	long long depth = mq_depth(min_size > 8 ? min_size : 8);

	if (max_size <= MQ_HARD_MSGSIZEMAX)
		sysctl_raise("/proc/sys/fs/mqueue/msgsize_max", max_size);
	sysctl_raise("/proc/sys/fs/mqueue/msg_max",
		     depth < MQ_HARD_MSGMAX ? depth : MQ_HARD_MSGMAX);
	/* the queue's bytes count against RLIMIT_MSGQUEUE (800 KiB default) */
	if (!getrlimit(RLIMIT_MSGQUEUE, &old) && old.rlim_cur != RLIM_INFINITY) {
		int err = setrlimit(RLIMIT_MSGQUEUE, &rl) ? errno : 0;

		/* without CAP_SYS_RESOURCE: at least up to the hard limit */
		if (err && old.rlim_cur < old.rlim_max) {
			rl.rlim_cur = old.rlim_max;
			rl.rlim_max = old.rlim_max;
			setrlimit(RLIMIT_MSGQUEUE, &rl);
		}
		getrlimit(RLIMIT_MSGQUEUE, &rl);
		sysctl_note("RLIMIT_MSGQUEUE", (long long)old.rlim_cur,
			    rl.rlim_cur == RLIM_INFINITY ? -1 :
			    (long long)rl.rlim_cur, err);
	}
}

static int mq_check(const struct cellcfg *c, char *why)
{
	long long max = 8192;

	sysctl_read("/proc/sys/fs/mqueue/msgsize_max", &max);
	if (c->size > MQ_HARD_MSGSIZEMAX) {
		snprintf(why, WHY_LEN, "size above the kernel's hard limit %lu",
			 MQ_HARD_MSGSIZEMAX);
		return -EMSGSIZE;
	}
	if ((long long)c->size > max) {
		snprintf(why, WHY_LEN,
			 "size above fs.mqueue.msgsize_max %lld (not raised)", max);
		return -EMSGSIZE;
	}
	if (mq_depth_rlimit(c->size, c->pat == PAT_PINGPONG ? 2 : 1) < 2) {
		snprintf(why, WHY_LEN,
			 "two messages per queue exceed RLIMIT_MSGQUEUE (not raised)");
		return -EMFILE;
	}
	return 0;
}

static int mq_setup(struct chan *ch)
{
	struct fdchan *c = fdchan_new(ch);
	struct mq_attr attr = { 0 };
	long long max = 10;
	int d;

	if (!c)
		return -ENOMEM;
	sysctl_read("/proc/sys/fs/mqueue/msg_max", &max);
	/* depth, not size, may be reduced: to msg_max and RLIMIT_MSGQUEUE */
	attr.mq_maxmsg = mq_depth(ch->cfg.size);
	if (attr.mq_maxmsg > max)
		attr.mq_maxmsg = max;
	if (attr.mq_maxmsg > mq_depth_rlimit(ch->cfg.size, ndirs(ch)))
		attr.mq_maxmsg = mq_depth_rlimit(ch->cfg.size, ndirs(ch));
	attr.mq_msgsize = (long)ch->cfg.size;
	for (d = 0; d < ndirs(ch); d++) {
		snprintf(c->path[d], sizeof(c->path[d]),
			 "/ipcchan-bench.%d.%u.%d", (int)getpid(), ch->cfg.id, d);
		mq_unlink(c->path[d]);
		c->mq[d] = mq_open(c->path[d], O_RDWR | O_CREAT | O_EXCL |
				   O_CLOEXEC, 0600, &attr);
		if (c->mq[d] == (mqd_t)-1) {
			snprintf(ch->why, WHY_LEN,
				 "mq_open maxmsg %ld msgsize %ld",
				 attr.mq_maxmsg, attr.mq_msgsize);
			c->path[d][0] = 0;
			return -errno;
		}
	}
	ch->depth_msgs = (uint64_t)attr.mq_maxmsg;
	ch->depth_bytes = ch->depth_msgs * ch->cfg.size;
	return 0;
}

static int mq_tx_end(struct chan *ch, size_t len)
{
	struct fdchan *c = ch->priv;

	while (mq_send(c->mq[tx_dir(ch)], ch->txbuf, len, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int mq_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct fdchan *c = ch->priv;
	ssize_t n;

	do
		n = mq_receive(c->mq[rx_dir(ch)], ch->rxbuf, ch->cfg.size, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*buf = ch->rxbuf;
	*len = (size_t)n;
	return 0;
}

static int mq_nop_open(struct chan *ch)
{
	(void)ch;
	return 0;
}

static void mq_teardown(struct chan *ch)
{
	struct fdchan *c = ch->priv;
	int d;

	for (d = 0; c && d < 2; d++) {
		if (c->mq[d] != (mqd_t)-1)
			mq_close(c->mq[d]);
		if (c->path[d][0])
			mq_unlink(c->path[d]);
	}
	free(c);
	ch->priv = NULL;
}

static const struct method m_posix_mq = {
	.name = "posix-mq",
	.desc = "mq_send()/mq_receive(), mq_maxmsg the common depth max(10, 64 KiB/size)",
	.limits = mq_limits,
	.check = mq_check,
	.setup = mq_setup,
	.open = mq_nop_open,
	.tx_begin = copy_tx_begin,
	.tx_end = mq_tx_end,
	.rx_begin = mq_rx_begin,
	.teardown = mq_teardown,
};

/* --- System V message queues --------------------------------------------- */

struct sysv_msgbuf {
	long mtype;
	char mtext[];
};

static void sysv_limits(size_t min_size, size_t max_size)
{
	(void)min_size;
	sysctl_raise("/proc/sys/kernel/msgmax", (long long)max_size);
	sysctl_raise("/proc/sys/kernel/msgmnb",
		     (long long)cell_capacity(max_size));
}

static int sysv_check(const struct cellcfg *c, char *why)
{
	long long max = 8192;

	sysctl_read("/proc/sys/kernel/msgmax", &max);
	if ((long long)c->size > max) {
		snprintf(why, WHY_LEN, "size above kernel.msgmax %lld (not raised)",
			 max);
		return -EMSGSIZE;
	}
	return 0;
}

static int sysv_setup(struct chan *ch)
{
	struct fdchan *c = fdchan_new(ch);
	struct msqid_ds ds;
	int d;

	if (!c)
		return -ENOMEM;
	for (d = 0; d < ndirs(ch); d++) {
		c->msqid[d] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (c->msqid[d] < 0)
			return -errno;
		if (msgctl(c->msqid[d], IPC_STAT, &ds) < 0)
			return -errno;
		/* exactly the common depth: msgmnb may be raised far above */
		if (ds.msg_qbytes != cell_capacity(ch->cfg.size)) {
			ds.msg_qbytes = cell_capacity(ch->cfg.size);
			if (msgctl(c->msqid[d], IPC_SET, &ds) < 0) {
				snprintf(ch->why, WHY_LEN,
					 "msg_qbytes %zu (kernel.msgmnb)",
					 cell_capacity(ch->cfg.size));
				return -errno;
			}
		}
	}
	/* msgsnd() waits when the bytes or the count would pass msg_qbytes */
	ch->depth_msgs = ds.msg_qbytes / ch->cfg.size;
	ch->depth_bytes = ch->depth_msgs * ch->cfg.size;
	return 0;
}

/* The payload follows mtype: one buffer per process, 8-byte aligned text. */
static int sysv_open(struct chan *ch)
{
	struct fdchan *c = ch->priv;
	int i;

	for (i = 0; i < 2; i++) {
		c->sysv_buf[i] = aligned_alloc(64, align_up(sizeof(long) +
						  ch->cfg.size, 64));
		if (!c->sysv_buf[i])
			return -ENOMEM;
		memset(c->sysv_buf[i], 0, sizeof(long) + ch->cfg.size);
		((struct sysv_msgbuf *)c->sysv_buf[i])->mtype = 1;
	}
	return 0;
}

static int sysv_tx_begin(struct chan *ch, size_t len, void **buf)
{
	struct fdchan *c = ch->priv;

	(void)len;
	*buf = ((struct sysv_msgbuf *)c->sysv_buf[0])->mtext;
	return 0;
}

static int sysv_tx_end(struct chan *ch, size_t len)
{
	struct fdchan *c = ch->priv;

	while (msgsnd(c->msqid[tx_dir(ch)], c->sysv_buf[0], len, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int sysv_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct fdchan *c = ch->priv;
	struct sysv_msgbuf *m = c->sysv_buf[1];
	ssize_t n;

	do
		n = msgrcv(c->msqid[rx_dir(ch)], m, ch->cfg.size, 0, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*buf = m->mtext;
	*len = (size_t)n;
	return 0;
}

static void sysv_close(struct chan *ch)
{
	struct fdchan *c = ch->priv;

	free(c->sysv_buf[0]);
	free(c->sysv_buf[1]);
}

static void sysv_teardown(struct chan *ch)
{
	struct fdchan *c = ch->priv;
	int d;

	for (d = 0; c && d < 2; d++)
		if (c->msqid[d] >= 0)
			msgctl(c->msqid[d], IPC_RMID, NULL);
	free(c);
	ch->priv = NULL;
}

static const struct method m_sysv_msg = {
	.name = "sysv-msg",
	.desc = "msgsnd()/msgrcv() on a private queue, msg_qbytes for the common depth",
	.limits = sysv_limits,
	.check = sysv_check,
	.setup = sysv_setup,
	.open = sysv_open,
	.tx_begin = sysv_tx_begin,
	.tx_end = sysv_tx_end,
	.rx_begin = sysv_rx_begin,
	.close = sysv_close,
	.teardown = sysv_teardown,
};

const struct method *const std_methods[] = {
	&m_pipe, &m_pipe_spin, &m_fifo, &m_ustream, &m_udgram, &m_useqpacket, &m_tcp,
	&m_posix_mq, &m_sysv_msg,
};
const size_t n_std_methods = ARRAY_SIZE(std_methods);
