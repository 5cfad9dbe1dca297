// SPDX-License-Identifier: GPL-2.0
/*
 * The ipcchan methods, through libipcchan's public API (<ipcchan.h>):
 *
 *  ipcchan-ioctl    ipcchan_send() / ipcchan_recv(): one SEND / RECV ioctl
 *                   per message
 *  ipcchan-rw       write() / read() of the attached file: the same queue
 *                   without the SEND/RECV struct (beside ipcchan-ioctl,
 *                   what the struct and the ioctl dispatch cost)
 *  ipcchan-batch    ipcchan_send_batch() / ipcchan_recv_batch(): up to
 *                   cfg.batch messages per ioctl in stream (one per call in
 *                   pingpong, where there is never more than one queued)
 *  ipcchan-ring     ipcchan_ring_send() / ipcchan_ring_recv(): copy into and
 *                   out of the mmap()ed ring
 *  ipcchan-ring-zc  ipcchan_ring_reserve() + commit() / peek() + release():
 *                   the producer writes the payload in place in the ring and
 *                   the consumer reads it in place: no copy at all
 *  ipcchan-ring-spin0, ipcchan-ring-zc-spin0
 *                   the two ring methods with a spin of 0 (--spin-ns and
 *                   --ring-spin ignored): every wait is a RING_WAIT,
 *                   every wake a RING_NOTIFY (not starred: no spin); against
 *                   shm-futex-spin0 and shm-eventfd-spin0
 *
 * The main process creates one channel per direction (named
 * "bench.<pid>.<cell>.<dir>", mode 0600) and closes it again; channels live
 * until unlinked, like POSIX queues.  Each child opens the channel it sends
 * on with send access and the one it receives on with receive access (and
 * maps the ring for the ring methods).  Teardown unlinks the names.
 *
 * Queue depth and ring size follow the same rule as the other methods:
 * room for cell_depth(size) messages (bench.h), bounded by the module's
 * limits (IPCCHAN_IOC_MODINFO), never by clamping the message size; a ring
 * that ring_pages_max keeps smaller holds fewer (at least two), and the
 * depth each cell had is reported.  The batch is cell_batch(), the same as
 * the batched standard paths'.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ipcchan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

struct ipcchan_plan {
	uint32_t max_msgs;
	uint32_t max_msg_size;
	uint32_t ring_pages;
	unsigned int batch;
};

struct icchan {
	char name[2][IPCCHAN_NAME_MAX];
	struct ipcchan_plan plan;
	unsigned int spin;	/* ring spin before sleeping, ns */
	/* per process, after fork */
	int fd[2];		/* [dir] */
	struct ipcchan_ring ring[2];
	bool mapped[2];
	/* batch state */
	struct ipcchan_msg *tmsgs, *rmsgs;
	uint8_t *tbufs, *rbufs;
	size_t stride;
	unsigned int tn;	/* queued to send */
	unsigned int rgot, ridx;	/* received in the last batch, next */
};

static struct ipcchan_modinfo modinfo;
static bool have_modinfo;
long bench_ring_spin = -1;	/* --ring-spin ns, -1: as --spin-ns */

static int ic_avail(char *why)
{
	int err;

	if (access(IPCCHAN_DEVICE, F_OK)) {
		snprintf(why, WHY_LEN, "%s not present", IPCCHAN_DEVICE);
		return -ENODEV;
	}
	err = ipcchan_modinfo(-1, &modinfo);
	if (err) {
		snprintf(why, WHY_LEN, "IPCCHAN_IOC_MODINFO: %s", strerror(-err));
		return err;
	}
	have_modinfo = true;
	return 0;
}

/* The module is there and says it has @feat (@name). */
static int ic_avail_feat(char *why, uint64_t feat, const char *name)
{
	int err = ic_avail(why);

	if (!err && !(modinfo.features & feat)) {
		snprintf(why, WHY_LEN, "module lacks %s", name);
		return -EOPNOTSUPP;
	}
	return err;
}

static int ic_avail_batch(char *why)
{
	return ic_avail_feat(why, IPCCHAN_FEAT_BATCH, "IPCCHAN_FEAT_BATCH");
}

static int ic_avail_ring(char *why)
{
	return ic_avail_feat(why, IPCCHAN_FEAT_RING, "IPCCHAN_FEAT_RING");
}

static int ic_avail_rdwr(char *why)
{
	return ic_avail_feat(why, IPCCHAN_FEAT_RDWR, "IPCCHAN_FEAT_RDWR");
}

static int ndirs(const struct cellcfg *c)
{
	return c->pat == PAT_PINGPONG ? 2 : 1;
}

/* Bytes one user may reserve over its channels (0 in MODINFO: no limit). */
static uint64_t byte_quota(void)
{
	uint64_t u = modinfo.user_bytes_limit, t = modinfo.total_bytes_limit;

	if (!u)
		return t ? t : UINT64_MAX;
	return t && t < u ? t : u;
}

/* Message-queue channels: depth and size within the module's limits. */
static int plan_queue(const struct cellcfg *c, struct ipcchan_plan *p,
		      char *why)
{
	uint64_t depth = cell_depth(c->size), quota = byte_quota();

	memset(p, 0, sizeof(*p));
	if (c->size > modinfo.max_msg_size_limit) {
		snprintf(why, WHY_LEN, "size above the module's max_msg_size %u",
			 modinfo.max_msg_size_limit);
		return -EMSGSIZE;
	}
	if (depth > modinfo.max_msgs_limit)
		depth = modinfo.max_msgs_limit;
	/* ATTACH reserves max_msgs * max_msg_size against the user quota */
	if (depth * c->size * ndirs(c) > quota)
		depth = quota / ndirs(c) / c->size;
	if (depth < 2) {
		snprintf(why, WHY_LEN,
			 "%d queue(s) of 2 x %zu B exceed the module's byte quota %llu",
			 ndirs(c), c->size, (unsigned long long)quota);
		return -ENOSPC;
	}
	p->max_msgs = (uint32_t)depth;
	p->max_msg_size = (uint32_t)c->size;
	p->batch = cell_batch(c);
	if (p->batch > depth / 2)	/* a depth the module's limits cut */
		p->batch = depth / 2 ? depth / 2 : 1;
	return 0;
}

/* Ring bytes one record of the cell takes: header and padded payload. */
static size_t ring_record(const struct cellcfg *c)
{
	return sizeof(struct ipcchan_ring_rec) +
	       align_up(c->size, IPCCHAN_RING_ALIGN);
}

/*
 * Ring channels: data pages for cell_depth(size) records, a power of two;
 * where ring_pages_max is smaller, the largest ring it allows if that
 * holds two records.
 */
static int plan_ring(const struct cellcfg *c, struct ipcchan_plan *p,
		     char *why)
{
	size_t rec = ring_record(c), bytes = rec * cell_depth(c->size);
	size_t pages = roundup_pow2((bytes + modinfo.page_size - 1) /
				    modinfo.page_size);
	size_t two = roundup_pow2((2 * rec + modinfo.page_size - 1) /
				  modinfo.page_size);

	memset(p, 0, sizeof(*p));
	if (pages > modinfo.ring_pages_max)
		pages = two > modinfo.ring_pages_max ? two
						     : modinfo.ring_pages_max;
	if (pages > modinfo.ring_pages_max) {
		snprintf(why, WHY_LEN,
			 "needs a ring of %zu pages (2 records), the module's ring_pages_max is %u",
			 pages, modinfo.ring_pages_max);
		return -EMSGSIZE;
	}
	if (pages * modinfo.page_size * ndirs(c) > byte_quota()) {
		snprintf(why, WHY_LEN,
			 "%d ring(s) of %zu pages exceed the module's byte quota %llu",
			 ndirs(c), pages, (unsigned long long)byte_quota());
		return -ENOSPC;
	}
	p->ring_pages = (uint32_t)pages;
	p->max_msgs = 1;	/* the ioctl queue is unused: reserve little */
	p->max_msg_size = 8;
	return 0;
}

static int ic_check_queue(const struct cellcfg *c, char *why)
{
	struct ipcchan_plan p;

	return have_modinfo ? plan_queue(c, &p, why) : 0;
}

static int ic_check_ring(const struct cellcfg *c, char *why)
{
	struct ipcchan_plan p;

	return have_modinfo ? plan_ring(c, &p, why) : 0;
}

static int ic_setup_common(struct chan *ch, bool ring, bool spin0)
{
	struct icchan *c = calloc(1, sizeof(*c));
	struct ipcchan_opts o = { 0 };
	int d, fd, err;

	if (!c)
		return -ENOMEM;
	ch->priv = c;
	c->fd[0] = c->fd[1] = -1;
	/* The same spin budget as shm-futex unless --ring-spin says else. */
	c->spin = (unsigned int)(bench_ring_spin >= 0 ? bench_ring_spin
						      : ch->cfg.spin_ns);
	if (spin0)
		c->spin = 0;
	err = ring ? plan_ring(&ch->cfg, &c->plan, ch->why)
		   : plan_queue(&ch->cfg, &c->plan, ch->why);
	if (err)
		return err;
	ch->depth_msgs = ring ? (uint64_t)c->plan.ring_pages *
				modinfo.page_size / ring_record(&ch->cfg)
			      : c->plan.max_msgs;
	ch->depth_bytes = ch->depth_msgs * ch->cfg.size;
	o.flags = IPCCHAN_CREATE | IPCCHAN_EXCL;
	o.access = IPCCHAN_ACCESS_RDWR;
	o.mode = 0600;
	o.max_msgs = c->plan.max_msgs;
	o.max_msg_size = c->plan.max_msg_size;
	o.ring_pages = c->plan.ring_pages;
	for (d = 0; d < ndirs(&ch->cfg); d++) {
		snprintf(c->name[d], sizeof(c->name[d]), "bench.%d.%u.%d",
			 (int)getpid(), ch->cfg.id, d);
		ipcchan_unlink(c->name[d]);	/* a leftover of a killed run */
		fd = ipcchan_open(c->name[d], &o);
		if (fd < 0) {
			snprintf(ch->why, WHY_LEN,
				 "create channel %s (max_msgs %u, max_msg_size %u, ring_pages %u)",
				 c->name[d], o.max_msgs, o.max_msg_size,
				 o.ring_pages);
			c->name[d][0] = 0;
			return fd;
		}
		ipcchan_close(fd);
	}
	return 0;
}

static int ic_setup_queue(struct chan *ch)
{
	return ic_setup_common(ch, false, false);
}

static int ic_setup_ring(struct chan *ch)
{
	return ic_setup_common(ch, true, false);
}

static int ic_setup_ring_spin0(struct chan *ch)
{
	return ic_setup_common(ch, true, true);
}

/* Open the tx channel with send access and the rx channel with recv. */
static int ic_open_fds(struct chan *ch)
{
	struct icchan *c = ch->priv;
	struct ipcchan_opts o = { 0 };
	int d;

	for (d = 0; d < ndirs(&ch->cfg); d++) {
		if (d != tx_dir(ch) && d != rx_dir(ch))
			continue;
		o.access = d == tx_dir(ch) ? IPCCHAN_ACCESS_SEND
					   : IPCCHAN_ACCESS_RECV;
		if (c->plan.ring_pages)	/* both ring sides write the header */
			o.access = IPCCHAN_ACCESS_RDWR;
		c->fd[d] = ipcchan_open(c->name[d], &o);
		if (c->fd[d] < 0) {
			int err = c->fd[d];

			snprintf(ch->why, WHY_LEN, "open channel %s", c->name[d]);
			c->fd[d] = -1;
			return err;
		}
	}
	return 0;
}

static int ic_open_queue(struct chan *ch)
{
	struct icchan *c = ch->priv;
	unsigned int i, n = c->plan.batch;
	int err;

	err = ic_open_fds(ch);
	if (err)
		return err;
	c->stride = align_up(ch->cfg.size, 64);
	c->tmsgs = calloc(n, sizeof(*c->tmsgs));
	c->rmsgs = calloc(n, sizeof(*c->rmsgs));
	c->tbufs = aligned_alloc(4096, align_up(n * c->stride, 4096));
	c->rbufs = aligned_alloc(4096, align_up(n * c->stride, 4096));
	if (!c->tmsgs || !c->rmsgs || !c->tbufs || !c->rbufs)
		return -ENOMEM;
	memset(c->tbufs, 0, n * c->stride);
	memset(c->rbufs, 0, n * c->stride);
	for (i = 0; i < n; i++)
		ipcchan_msg_init(&c->tmsgs[i], c->tbufs + i * c->stride,
				 (uint32_t)ch->cfg.size, 0);
	return 0;
}

static int ic_open_ring(struct chan *ch)
{
	struct icchan *c = ch->priv;
	int d, err;

	err = ic_open_fds(ch);
	if (err)
		return err;
	for (d = 0; d < 2; d++) {
		if (c->fd[d] < 0)
			continue;
		err = ipcchan_ring_map(c->fd[d], &c->ring[d]);
		if (err) {
			snprintf(ch->why, WHY_LEN, "map the ring of %s",
				 c->name[d]);
			return err;
		}
		c->mapped[d] = true;
		ipcchan_ring_set_spin(&c->ring[d], c->spin);
		if (ipcchan_ring_max_msg(&c->ring[d]) < ch->cfg.size) {
			snprintf(ch->why, WHY_LEN,
				 "ring of %s carries at most %zu B",
				 c->name[d], ipcchan_ring_max_msg(&c->ring[d]));
			return -EMSGSIZE;
		}
	}
	return 0;
}

static void ic_close(struct chan *ch)
{
	struct icchan *c = ch->priv;
	int d;

	for (d = 0; d < 2; d++) {
		if (c->mapped[d])
			ipcchan_ring_unmap(&c->ring[d]);
		if (c->fd[d] >= 0)
			ipcchan_close(c->fd[d]);
	}
	free(c->tmsgs);
	free(c->rmsgs);
	free(c->tbufs);
	free(c->rbufs);
}

static void ic_teardown(struct chan *ch)
{
	struct icchan *c = ch->priv;
	int d;

	for (d = 0; c && d < 2; d++)
		if (c->name[d][0])
			ipcchan_unlink(c->name[d]);
	free(c);
	ch->priv = NULL;
}

/* --- ipcchan-ioctl ------------------------------------------------------- */

static int ret0(ssize_t r)
{
	return r < 0 ? (int)r : 0;
}

static int ioctl_tx_end(struct chan *ch, size_t len)
{
	struct icchan *c = ch->priv;

	return ret0(ipcchan_send(c->fd[tx_dir(ch)], ch->txbuf, len, 0,
				 IPCCHAN_WAIT_FOREVER));
}

static int ioctl_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct icchan *c = ch->priv;
	ssize_t n;

	n = ipcchan_recv(c->fd[rx_dir(ch)], ch->rxbuf, ch->cfg.size, NULL,
			 IPCCHAN_WAIT_FOREVER);
	if (n < 0)
		return (int)n;
	*buf = ch->rxbuf;
	*len = (size_t)n;
	return 0;
}

/*
 * --- ipcchan-rw -----------------------------------------------------------
 * The same queue through write(2)/read(2) of the attached file: no struct
 * to copy in or out, no ioctl dispatch.  Beside ipcchan-ioctl it measures
 * what the SEND/RECV struct costs (docs/benchmark.md).
 */

static int rw_tx_end(struct chan *ch, size_t len)
{
	struct icchan *c = ch->priv;
	ssize_t n;

	do
		n = write(c->fd[tx_dir(ch)], ch->txbuf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int rw_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct icchan *c = ch->priv;
	ssize_t n;

	do
		n = read(c->fd[rx_dir(ch)], ch->rxbuf, ch->cfg.size);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*buf = ch->rxbuf;
	*len = (size_t)n;
	return 0;
}

/* --- ipcchan-batch ------------------------------------------------------- */

static int batch_tx_begin(struct chan *ch, size_t len, void **buf)
{
	struct icchan *c = ch->priv;

	(void)len;
	*buf = c->tbufs + c->tn * c->stride;
	return 0;
}

static int batch_tx_flush(struct chan *ch)
{
	struct icchan *c = ch->priv;
	unsigned int off = 0;
	int n;

	while (off < c->tn) {
		n = ipcchan_send_batch(c->fd[tx_dir(ch)], c->tmsgs + off,
				       c->tn - off, IPCCHAN_WAIT_FOREVER);
		if (n < 0)
			return n;
		off += (unsigned int)n;
	}
	c->tn = 0;
	return 0;
}

static int batch_tx_end(struct chan *ch, size_t len)
{
	struct icchan *c = ch->priv;

	c->tmsgs[c->tn].len = (uint32_t)len;
	if (++c->tn < c->plan.batch)
		return 0;
	return batch_tx_flush(ch);
}

static int batch_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct icchan *c = ch->priv;
	unsigned int i;
	int n;

	if (c->ridx == c->rgot) {
		for (i = 0; i < c->plan.batch; i++)
			ipcchan_msg_init(&c->rmsgs[i], c->rbufs + i * c->stride,
					 (uint32_t)ch->cfg.size, 0);
		n = ipcchan_recv_batch(c->fd[rx_dir(ch)], c->rmsgs,
				       c->plan.batch, IPCCHAN_WAIT_FOREVER);
		if (n < 0)
			return n;
		c->rgot = (unsigned int)n;
		c->ridx = 0;
	}
	*buf = c->rbufs + c->ridx * c->stride;
	*len = c->rmsgs[c->ridx].len;
	c->ridx++;
	return 0;
}

/* --- ipcchan-ring and ipcchan-ring-zc ------------------------------------ */

static int ring_tx_end(struct chan *ch, size_t len)
{
	struct icchan *c = ch->priv;

	return ret0(ipcchan_ring_send(&c->ring[tx_dir(ch)], ch->txbuf, len,
				      IPCCHAN_WAIT_FOREVER));
}

static int ring_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct icchan *c = ch->priv;
	ssize_t n;

	n = ipcchan_ring_recv(&c->ring[rx_dir(ch)], ch->rxbuf, ch->cfg.size,
			      IPCCHAN_WAIT_FOREVER);
	if (n < 0)
		return (int)n;
	*buf = ch->rxbuf;
	*len = (size_t)n;
	return 0;
}

static int zc_tx_begin(struct chan *ch, size_t len, void **buf)
{
	struct icchan *c = ch->priv;

	return ipcchan_ring_reserve(&c->ring[tx_dir(ch)], len, buf,
				    IPCCHAN_WAIT_FOREVER);
}

static int zc_tx_end(struct chan *ch, size_t len)
{
	struct icchan *c = ch->priv;

	(void)len;
	return ipcchan_ring_commit(&c->ring[tx_dir(ch)]);
}

static int zc_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct icchan *c = ch->priv;

	return ipcchan_ring_peek(&c->ring[rx_dir(ch)], buf, len,
				 IPCCHAN_WAIT_FOREVER);
}

static int zc_rx_end(struct chan *ch)
{
	struct icchan *c = ch->priv;

	return ipcchan_ring_release(&c->ring[rx_dir(ch)]);
}

#define RING_SPIN "bounded spin (libipcchan, --spin-ns/--ring-spin, yielding every 64 polls), then IPCCHAN_IOC_RING_WAIT"

static const struct method m_ioctl = {
	.name = "ipcchan-ioctl",
	.desc = "ipcchan_send()/ipcchan_recv(): one SEND/RECV ioctl per message",
	.avail = ic_avail,
	.check = ic_check_queue,
	.setup = ic_setup_queue,
	.open = ic_open_queue,
	.tx_begin = copy_tx_begin,
	.tx_end = ioctl_tx_end,
	.rx_begin = ioctl_rx_begin,
	.close = ic_close,
	.teardown = ic_teardown,
};

static const struct method m_rw = {
	.name = "ipcchan-rw",
	.desc = "write()/read() of the attached file: one message per call, no SEND/RECV struct",
	.avail = ic_avail_rdwr,
	.check = ic_check_queue,
	.setup = ic_setup_queue,
	.open = ic_open_queue,
	.tx_begin = copy_tx_begin,
	.tx_end = rw_tx_end,
	.rx_begin = rw_rx_begin,
	.close = ic_close,
	.teardown = ic_teardown,
};

static const struct method m_batch = {
	.name = "ipcchan-batch",
	.desc = "SEND_BATCH/RECV_BATCH ioctls, up to --batch messages per call in stream",
	.avail = ic_avail_batch,
	.check = ic_check_queue,
	.setup = ic_setup_queue,
	.open = ic_open_queue,
	.tx_begin = batch_tx_begin,
	.tx_end = batch_tx_end,
	.tx_flush = batch_tx_flush,
	.rx_begin = batch_rx_begin,
	.close = ic_close,
	.teardown = ic_teardown,
};

static const struct method m_ring = {
	.name = "ipcchan-ring",
	.desc = "mmap()ed ring, ipcchan_ring_send()/recv(): copy in, copy out",
	.spin = RING_SPIN,
	.avail = ic_avail_ring,
	.check = ic_check_ring,
	.setup = ic_setup_ring,
	.open = ic_open_ring,
	.tx_begin = copy_tx_begin,
	.tx_end = ring_tx_end,
	.rx_begin = ring_rx_begin,
	.close = ic_close,
	.teardown = ic_teardown,
};

static const struct method m_ring_zc = {
	.name = "ipcchan-ring-zc",
	.desc = "mmap()ed ring, reserve()/commit() + peek()/release(): payload written and read in place",
	.spin = RING_SPIN,
	.avail = ic_avail_ring,
	.check = ic_check_ring,
	.setup = ic_setup_ring,
	.open = ic_open_ring,
	.tx_begin = zc_tx_begin,
	.tx_end = zc_tx_end,
	.rx_begin = zc_rx_begin,
	.rx_end = zc_rx_end,
	.close = ic_close,
	.teardown = ic_teardown,
};


static const struct method m_ring_spin0 = {
	.name = "ipcchan-ring-spin0",
	.desc = "ipcchan-ring sleeping in RING_WAIT without spinning",
	.avail = ic_avail_ring,
	.check = ic_check_ring,
	.setup = ic_setup_ring_spin0,
	.open = ic_open_ring,
	.tx_begin = copy_tx_begin,
	.tx_end = ring_tx_end,
	.rx_begin = ring_rx_begin,
	.close = ic_close,
	.teardown = ic_teardown,
};

static const struct method m_ring_zc_spin0 = {
	.name = "ipcchan-ring-zc-spin0",
	.desc = "ipcchan-ring-zc sleeping in RING_WAIT without spinning",
	.avail = ic_avail_ring,
	.check = ic_check_ring,
	.setup = ic_setup_ring_spin0,
	.open = ic_open_ring,
	.tx_begin = zc_tx_begin,
	.tx_end = zc_tx_end,
	.rx_begin = zc_rx_begin,
	.rx_end = zc_rx_end,
	.close = ic_close,
	.teardown = ic_teardown,
};

const struct method *const ipcchan_methods[] = {
	&m_ioctl, &m_rw, &m_batch, &m_ring, &m_ring_zc, &m_ring_spin0,
	&m_ring_zc_spin0,
};
const size_t n_ipcchan_methods = ARRAY_SIZE(ipcchan_methods);
