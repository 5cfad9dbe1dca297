// SPDX-License-Identifier: GPL-2.0
/*
 * shm-futex and its variants: the userspace baselines for ipcchan's ring.
 *
 *  shm-futex           copy in (send) and copy out (recv), futex sleep
 *  shm-futex-zc        reserve/commit and peek/release in place in the
 *                      ring, as ipcchan-ring-zc: no copy at all
 *  shm-futex-spin0     shm-futex that sleeps at once (spin 0, --spin-ns
 *                      ignored), against ipcchan-ring-spin0
 *  shm-futex-zc-spin0  shm-futex-zc that sleeps at once
 *  shm-eventfd         shm-futex with an eventfd doorbell per waiting side
 *                      instead of the futex: read() to sleep, write() to wake
 *  shm-eventfd-spin0   shm-eventfd that sleeps at once
 *
 * A single-producer single-consumer ring of variable-length records in
 * MAP_SHARED memory, copy in (send) and copy out (recv) like ipcchan-ring:
 *
 *  - the data area is a memfd mapped twice back to back, so a record never
 *    splits at the end of the ring (the same trick ipcchan uses);
 *  - producer and consumer positions are free-running byte counters on
 *    their own cache lines; each side caches the other's position and only
 *    re-reads it when it runs out of data / space, so a steady stream moves
 *    one cache line per record in each direction, not more;
 *  - the "I am asleep" flags live on two more cache lines that are written
 *    only when a side goes to sleep, so checking the peer's flag after each
 *    publish hits a line in the shared state;
 *  - a side that must wait polls 64 times, then reads the clock and spins
 *    for at most spin_ns (default 20 us), calling sched_yield() every 64
 *    polls so that a peer placed on the same CPU by the scheduler gets to
 *    run instead of watching us spin (the policy of libipcchan's ring;
 *    spin 0 polls not at all and sleeps at once, there as here); then it
 *    writes into its flag which position it waits on, issues a full
 *    barrier, re-checks and sleeps in FUTEX_WAIT on the low 32 bits of that
 *    position; it clears its flag itself when it wakes.  After each release
 *    of a position the other side issues a full barrier and calls
 *    FUTEX_WAKE if the peer's flag says it waits on the position this
 *    release moved away from.  The two barriers (Dekker) make a lost
 *    wake-up impossible; FUTEX_WAIT re-checks the value in the kernel, so a
 *    wake between the check and the sleep is not lost.
 *
 * Only the sleeper clears its flag, and a flag naming another position
 * belongs to a sleep that is already over (the position moved on, so the
 * sleeper is awake or FUTEX_WAIT will not block), so a producer running
 * ahead of a sleeping consumer makes one FUTEX_WAKE per sleep, not one per
 * record.  (A waker that cleared the flag itself could take the flag of a
 * sleep that began after the position it just published had been seen:
 * its FUTEX_WAKE would find nobody queued, the sleeper's FUTEX_WAIT would
 * still see the value it expects, and every later release would find the
 * flag clear: both sides asleep for good.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define REC_HDR		8

struct shm_hdr {
	_Atomic uint64_t prod_pos __attribute__((aligned(64)));
	_Atomic uint64_t cons_pos __attribute__((aligned(64)));
	_Atomic uint32_t prod_waiting __attribute__((aligned(64)));
	_Atomic uint32_t cons_waiting __attribute__((aligned(64)));
};

struct shm_ring {
	struct shm_hdr *hdr;	/* shared */
	uint8_t *data;		/* shared, 2 * size bytes of virtual memory */
	size_t size;		/* power of two */
	long spin_ns;
	int prod_efd;		/* eventfd doorbells (-1: futex): the producer */
	int cons_efd;		/* sleeps on prod_efd, the consumer on cons_efd */
	/* private to each process after fork */
	uint64_t head;		/* producer: its position */
	uint64_t tail;		/* consumer: its position */
	uint64_t peer;		/* cached position of the other side */
	size_t pending;		/* bytes of the record reserved or peeked */
};

struct shmchan {
	struct shm_ring ring[2];
};

static uint32_t *futex_word(_Atomic uint64_t *pos)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint32_t *)pos;
#else
	return (uint32_t *)pos + 1;
#endif
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The flag of a side asleep until a position moves from @seen (never 0). */
static inline uint32_t sleep_tag(uint64_t seen)
{
	return 0x80000000U | (uint32_t)(seen / 8);
}

/*
 * Sleep until woken: the futex on *pos (FUTEX_WAIT re-checks the value), or
 * the eventfd (a wake that came before the read leaves the count set, so
 * read() returns at once and the caller re-checks).
 */
static int doorbell_wait(_Atomic uint64_t *pos, uint64_t seen, int efd)
{
	uint64_t v;

	if (efd < 0)
		return futex_wait(futex_word(pos), (uint32_t)seen);
	if (read(efd, &v, sizeof(v)) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

static void doorbell_ring(_Atomic uint64_t *pos, int efd)
{
	uint64_t one = 1;

	if (efd < 0)
		futex_wake(futex_word(pos), 1);
	else if (write(efd, &one, sizeof(one)) < 0)
		(void)0;	/* only on counter overflow: the peer is awake */
}

/* Wait until *pos != seen: bounded spin, then sleep on the doorbell. */
static int wait_change(_Atomic uint64_t *pos, _Atomic uint32_t *my_flag,
		       uint64_t seen, long spin_ns, int efd)
{
	uint64_t deadline = 0, t;
	unsigned int i;
	int err = 0;

	for (i = 1;; i++) {
		if (atomic_load_explicit(pos, memory_order_acquire) != seen)
			return 0;
		if (!spin_ns)
			break;	/* spin 0: sleep at once */
		cpu_relax();
		if (i % 64)
			continue;
		t = mono_ns();
		if (!deadline)
			deadline = t + spin_ns;
		if (t >= deadline)
			break;
		/* the peer may be waiting for this very CPU: let it run */
		sched_yield();
	}
	atomic_store_explicit(my_flag, sleep_tag(seen), memory_order_relaxed);
	/* pairs with the fence in notify_peer(): flag store before pos load */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(pos, memory_order_acquire) == seen)
		err = doorbell_wait(pos, seen, efd);
	atomic_store_explicit(my_flag, 0, memory_order_relaxed);
	return err;
}

/* After moving *my_pos from @prev: wake the peer if it sleeps on @prev. */
static void notify_peer(_Atomic uint64_t *my_pos, _Atomic uint32_t *peer_flag,
			uint64_t prev, int efd)
{
	/* pairs with the fence in wait_change(): pos store before flag load */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(peer_flag, memory_order_relaxed) ==
	    sleep_tag(prev))
		doorbell_ring(my_pos, efd);
}

/* Room for a record of len bytes; *buf is where its payload goes. */
static int ring_reserve(struct shm_ring *r, size_t len, void **buf)
{
	size_t need = REC_HDR + align_up(len, 8);
	uint64_t head = r->head;
	int err;

	while (r->size - (head - r->peer) < need) {
		r->peer = atomic_load_explicit(&r->hdr->cons_pos,
					       memory_order_acquire);
		if (r->size - (head - r->peer) >= need)
			break;
		err = wait_change(&r->hdr->cons_pos, &r->hdr->prod_waiting,
				  r->peer, r->spin_ns, r->prod_efd);
		if (err)
			return err;
	}
	r->pending = need;
	*buf = r->data + (head & (r->size - 1)) + REC_HDR;
	return 0;
}

/* Publish the reserved record, len bytes (at most the reserved length). */
static int ring_commit(struct shm_ring *r, size_t len)
{
	uint64_t head = r->head;
	uint8_t *p = r->data + (head & (r->size - 1));

	if (REC_HDR + align_up(len, 8) > r->pending)
		return -EINVAL;
	*(uint64_t *)p = len;
	r->head = head + REC_HDR + align_up(len, 8);
	r->pending = 0;
	/* pairs with the acquire load of prod_pos in ring_peek() */
	atomic_store_explicit(&r->hdr->prod_pos, r->head, memory_order_release);
	notify_peer(&r->hdr->prod_pos, &r->hdr->cons_waiting, head,
		    r->cons_efd);
	return 0;
}

/* The next record, in place: *buf and *len until ring_release(). */
static int ring_peek(struct shm_ring *r, const void **buf, size_t *len)
{
	uint64_t tail = r->tail, l;
	uint8_t *p;
	int err;

	while (r->peer == tail) {
		r->peer = atomic_load_explicit(&r->hdr->prod_pos,
					       memory_order_acquire);
		if (r->peer != tail)
			break;
		err = wait_change(&r->hdr->prod_pos, &r->hdr->cons_waiting,
				  tail, r->spin_ns, r->cons_efd);
		if (err)
			return err;
	}
	p = r->data + (tail & (r->size - 1));
	l = *(uint64_t *)p;
	if (l > r->size - REC_HDR)
		return -EBADMSG;
	r->pending = REC_HDR + align_up(l, 8);
	*buf = p + REC_HDR;
	*len = l;
	return 0;
}

/* Give the peeked record's room back to the producer. */
static int ring_release(struct shm_ring *r)
{
	uint64_t tail = r->tail;

	if (!r->pending)
		return -EINVAL;
	r->tail = tail + r->pending;
	r->pending = 0;
	/* pairs with the acquire load of cons_pos in ring_reserve() */
	atomic_store_explicit(&r->hdr->cons_pos, r->tail, memory_order_release);
	notify_peer(&r->hdr->cons_pos, &r->hdr->prod_waiting, tail,
		    r->prod_efd);
	return 0;
}

static int ring_map(struct shm_ring *r, size_t size, char *why)
{
	uint8_t *base;
	int fd;

	r->size = size;
	r->prod_efd = r->cons_efd = -1;
	r->hdr = mmap(NULL, sizeof(*r->hdr), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->hdr == MAP_FAILED) {
		r->hdr = NULL;
		return -errno;
	}
	fd = memfd_create("ipcchan-bench-shm", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, size) < 0) {
		snprintf(why, WHY_LEN, "memfd of %zu bytes", size);
		goto fail;
	}
	base = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (base == MAP_FAILED)
		goto fail;
	if (mmap(base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0) == MAP_FAILED ||
	    mmap(base + size, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
		munmap(base, 2 * size);
		goto fail;
	}
	close(fd);
	r->data = base;
	memset(r->data, 0, size);	/* fault the pages in before fork */
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -errno;
}

static void ring_unmap(struct shm_ring *r)
{
	if (r->data)
		munmap(r->data, 2 * r->size);
	if (r->hdr)
		munmap(r->hdr, sizeof(*r->hdr));
	if (r->prod_efd >= 0)
		close(r->prod_efd);
	if (r->cons_efd >= 0)
		close(r->cons_efd);
}

/*
 * One ring per direction, each holding cell_depth(size) records (and at
 * least two), rounded up to a power of two.
 */
static int shm_setup_common(struct chan *ch, bool spin0, bool efd)
{
	struct shmchan *c = calloc(1, sizeof(*c));
	size_t rec = REC_HDR + align_up(ch->cfg.size, 8);
	size_t size = roundup_pow2(rec * cell_depth(ch->cfg.size));
	struct shm_ring *r;
	int d, err;

	if (!c)
		return -ENOMEM;
	ch->priv = c;
	ch->depth_msgs = size / rec;
	ch->depth_bytes = ch->depth_msgs * ch->cfg.size;
	for (d = 0; d < (ch->cfg.pat == PAT_PINGPONG ? 2 : 1); d++) {
		r = &c->ring[d];
		err = ring_map(r, size, ch->why);
		if (err)
			return err;
		r->spin_ns = spin0 ? 0 : ch->cfg.spin_ns;
		if (!efd)
			continue;
		r->prod_efd = eventfd(0, EFD_CLOEXEC);
		r->cons_efd = eventfd(0, EFD_CLOEXEC);
		if (r->prod_efd < 0 || r->cons_efd < 0) {
			snprintf(ch->why, WHY_LEN, "eventfd");
			return -errno;
		}
	}
	return 0;
}

static int shm_setup(struct chan *ch)
{
	return shm_setup_common(ch, false, false);
}

static int shm_setup_spin0(struct chan *ch)
{
	return shm_setup_common(ch, true, false);
}

static int shm_setup_efd(struct chan *ch)
{
	return shm_setup_common(ch, false, true);
}

static int shm_setup_efd_spin0(struct chan *ch)
{
	return shm_setup_common(ch, true, true);
}

static int shm_open_side(struct chan *ch)
{
	(void)ch;
	return 0;
}

static int shm_tx_end(struct chan *ch, size_t len)
{
	struct shmchan *c = ch->priv;
	struct shm_ring *r = &c->ring[tx_dir(ch)];
	void *p;
	int err;

	err = ring_reserve(r, len, &p);
	if (err)
		return err;
	memcpy(p, ch->txbuf, len);
	return ring_commit(r, len);
}

static int shm_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct shmchan *c = ch->priv;
	struct shm_ring *r = &c->ring[rx_dir(ch)];
	const void *p;
	int err;

	err = ring_peek(r, &p, len);
	if (err)
		return err;
	if (*len > ch->cfg.size)
		return -EBADMSG;
	memcpy(ch->rxbuf, p, *len);
	*buf = ch->rxbuf;
	return ring_release(r);
}

static int zc_tx_begin(struct chan *ch, size_t len, void **buf)
{
	struct shmchan *c = ch->priv;

	return ring_reserve(&c->ring[tx_dir(ch)], len, buf);
}

static int zc_tx_end(struct chan *ch, size_t len)
{
	struct shmchan *c = ch->priv;

	return ring_commit(&c->ring[tx_dir(ch)], len);
}

static int zc_rx_begin(struct chan *ch, const void **buf, size_t *len)
{
	struct shmchan *c = ch->priv;

	return ring_peek(&c->ring[rx_dir(ch)], buf, len);
}

static int zc_rx_end(struct chan *ch)
{
	struct shmchan *c = ch->priv;

	return ring_release(&c->ring[rx_dir(ch)]);
}

static void shm_teardown(struct chan *ch)
{
	struct shmchan *c = ch->priv;

	if (!c)
		return;
	ring_unmap(&c->ring[0]);
	ring_unmap(&c->ring[1]);
	free(c);
	ch->priv = NULL;
}

#define SHM_SPIN	"bounded spin (--spin-ns, default 20 us), then FUTEX_WAIT"

static const struct method m_shm_futex = {
	.name = "shm-futex",
	.desc = "SPSC ring in MAP_SHARED memory (double-mapped memfd), copy in/out, futex sleep",
	.spin = SHM_SPIN,
	.setup = shm_setup,
	.open = shm_open_side,
	.tx_begin = copy_tx_begin,
	.tx_end = shm_tx_end,
	.rx_begin = shm_rx_begin,
	.teardown = shm_teardown,
};

static const struct method m_shm_futex_zc = {
	.name = "shm-futex-zc",
	.desc = "shm-futex's ring, reserve/commit + peek/release: payload written and read in place",
	.spin = SHM_SPIN,
	.setup = shm_setup,
	.open = shm_open_side,
	.tx_begin = zc_tx_begin,
	.tx_end = zc_tx_end,
	.rx_begin = zc_rx_begin,
	.rx_end = zc_rx_end,
	.teardown = shm_teardown,
};

static const struct method m_shm_futex_spin0 = {
	.name = "shm-futex-spin0",
	.desc = "shm-futex sleeping in FUTEX_WAIT without spinning",
	.setup = shm_setup_spin0,
	.open = shm_open_side,
	.tx_begin = copy_tx_begin,
	.tx_end = shm_tx_end,
	.rx_begin = shm_rx_begin,
	.teardown = shm_teardown,
};

static const struct method m_shm_futex_zc_spin0 = {
	.name = "shm-futex-zc-spin0",
	.desc = "shm-futex-zc sleeping in FUTEX_WAIT without spinning",
	.setup = shm_setup_spin0,
	.open = shm_open_side,
	.tx_begin = zc_tx_begin,
	.tx_end = zc_tx_end,
	.rx_begin = zc_rx_begin,
	.rx_end = zc_rx_end,
	.teardown = shm_teardown,
};

static const struct method m_shm_eventfd = {
	.name = "shm-eventfd",
	.desc = "shm-futex's ring with an eventfd doorbell: read() to sleep, write() to wake",
	.spin = "bounded spin (--spin-ns, default 20 us), then read() of an eventfd",
	.setup = shm_setup_efd,
	.open = shm_open_side,
	.tx_begin = copy_tx_begin,
	.tx_end = shm_tx_end,
	.rx_begin = shm_rx_begin,
	.teardown = shm_teardown,
};

static const struct method m_shm_eventfd_spin0 = {
	.name = "shm-eventfd-spin0",
	.desc = "shm-eventfd sleeping in read() without spinning",
	.setup = shm_setup_efd_spin0,
	.open = shm_open_side,
	.tx_begin = copy_tx_begin,
	.tx_end = shm_tx_end,
	.rx_begin = shm_rx_begin,
	.teardown = shm_teardown,
};

const struct method *const shm_methods[] = {
	&m_shm_futex, &m_shm_futex_zc, &m_shm_futex_spin0,
	&m_shm_futex_zc_spin0, &m_shm_eventfd, &m_shm_eventfd_spin0,
};
const size_t n_shm_methods = ARRAY_SIZE(shm_methods);
