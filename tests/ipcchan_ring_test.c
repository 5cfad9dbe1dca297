// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan shared ring tests: mmap refusals and their errno, page contents
 * and the double-mapped data area, INFO's ring fields and mapping count,
 * sharing across fork() and between unrelated (exec'd) processes, records
 * wrapping at every alignment, RING_WAIT / RING_NOTIFY (timeouts, signals,
 * the waiting-flag path, every EINVAL), unmap/close/unlink in every order,
 * a hostile peer scribbling over the header, poll (EPOLLIN for the consumer,
 * EPOLLWRBAND for the producer), and rmmod refusal while a mapping exists.
 * The long two-process stream is in ipcchan_ring_stress_test.c; who may
 * map, wait and notify (access bits, a second uid) is in
 * ipcchan_ring_perm_test.c.
 *
 * The ring protocol used here is the small SPSC implementation at the end
 * of ipcchan_util.h, written from the UAPI header alone.
 *
 * Run as root with the module loaded; skips when /dev/ipcchan is absent.
 */
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipcchan_util.h"

#define MS		1000000LL
#define SEC		1000000000LL
/* The VM is slow (TCG): a wait may overrun its timeout by this much. */
#define SLACK_NS	(2 * SEC)
#define RING_PAGES	4

/* --- small helpers -------------------------------------------------------- */

/* Create a fresh channel with @pages ring pages; fd or -errno. */
static int create_ring(char *name, size_t len, const char *tag, __u32 pages)
{
	ipcchan_test_name(name, len, tag);
	return ipcchan_test_attach_sz(name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				      IPCCHAN_ACCESS_RDWR, 0600, 0, 0, pages);
}

static __u32 mappings(int fd)
{
	struct ipcchan_info info;

	if (ipcchan_test_info(fd, &info))
		return ~0U;
	return info.mappings;
}

static long long live_channels(void)
{
	struct ipcchan_modinfo mi;

	if (ipcchan_get_modinfo(&mi))
		return -1;
	return (long long)mi.channels;
}

/*
 * Wait until @pid sleeps in ioctl(RING_WAIT) (@poll 0) or in poll()
 * (@poll 1).  Falls back to a fixed delay on a kernel without
 * /proc/<pid>/syscall.
 */
static int wait_asleep_in(pid_t pid, int poll)
{
	int ret;

	if (poll)
		ret = ipcchan_wait_in_syscall(pid, SYS_poll, SYS_ppoll, 0,
					      10000);
	else
		ret = ipcchan_wait_in_syscall(pid, SYS_ioctl, SYS_ioctl,
					      IPCCHAN_IOC_RING_WAIT, 10000);

	if (ret == -ENOENT) {
		usleep(500000);
		return 0;
	}
	return ret;
}

static volatile sig_atomic_t got_signal;
static volatile __u64 *signal_store;	/* the handler stores 8 here if set */

static void on_signal(int sig)
{
	(void)sig;
	got_signal++;
	if (signal_store)
		*signal_store = 8;
}

/* Install on_signal for SIGALRM and arm a one-shot timer of @ms. */
static void alarm_in(int ms, int restart)
{
	struct sigaction sa;
	struct itimerval it;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	got_signal = 0;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void alarm_off(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
	signal_store = NULL;
}

/* What a forked peer needs: the channel name and a record length. */
struct waker_arg {
	const char *name;
	__u32 len;
};

/* Payload byte @k of record @seq: changes with both. */
static unsigned char pat(__u64 seq, __u32 k)
{
	__u64 x = (seq + 1) * 0x9e3779b97f4a7c15ULL + k * 0xbf58476d1ce4e5b9ULL;

	return (unsigned char)(x >> 56);
}

/* --- the fixture: one fresh channel with a small ring --------------------- */

FIXTURE(ring) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
	struct ipcchan_info info;
	size_t pg;
	unsigned char *map;	/* whole ring, from map_all() */
};

FIXTURE_SETUP(ring)
{
	IPCCHAN_REQUIRE_DEV();
	self->pg = sysconf(_SC_PAGESIZE);
	self->fd = create_ring(self->name, sizeof(self->name), "ring",
			       RING_PAGES);
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(-self->fd));
	ASSERT_EQ(0, ipcchan_test_info(self->fd, &self->info));
	ASSERT_EQ((__u32)RING_PAGES, self->info.ring_pages);
}

FIXTURE_TEARDOWN(ring)
{
	if (self->map)
		munmap(self->map, self->info.ring_map_size);
	if (self->fd >= 0)
		close(self->fd);
	ipcchan_test_unlink(self->name);
}

static unsigned char *map_all(FIXTURE_DATA(ring) *self)
{
	void *p = mmap(NULL, self->info.ring_map_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, self->fd, 0);

	if (p == MAP_FAILED)
		return NULL;
	self->map = p;
	return p;
}

#define HDR(self)	((struct ipcchan_ring_hdr *)(self)->map)
#define DATA(self)	((self)->map + (self)->info.ring_data_offset)
#define DSIZE(self)	((self)->info.ring_data_size)

/* --- mmap refusals -------------------------------------------------------- */

TEST(mmap_unattached_enotconn)
{
	void *p;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	p = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENOTCONN, errno);
	if (p != MAP_FAILED)
		munmap(p, getpagesize());
	close(fd);
}

TEST(mmap_no_ring_enxio)
{
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_info info;
	void *p;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = create_ring(name, sizeof(name), "noring", 0);
	ASSERT_LE(0, fd);
	p = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENXIO, errno);
	if (p != MAP_FAILED)
		munmap(p, getpagesize());
	/* A channel without a ring reports no ring geometry at all. */
	POISON(info);
	EXPECT_EQ(0, ipcchan_ioctl(fd, IPCCHAN_IOC_INFO, &info));
	EXPECT_EQ(0U, info.ring_pages);
	EXPECT_EQ(0U, info.mappings);
	EXPECT_EQ(0ULL, info.ring_hdr_offset);
	EXPECT_EQ(0ULL, info.ring_data_offset);
	EXPECT_EQ(0ULL, info.ring_data_size);
	EXPECT_EQ(0ULL, info.ring_map_size);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
}

/* mmap(@off, @len, @prot, @flags) must fail with @err and leave no VMA. */
static void expect_mmap_fails(struct __test_metadata *_metadata, int fd,
			      size_t off, size_t len, int prot, int flags,
			      int err)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);
	int e = errno;

	EXPECT_EQ(MAP_FAILED, p) TH_LOG("off %zu len %zu prot %#x flags %#x",
					off, len, prot, flags);
	if (p != MAP_FAILED)
		munmap(p, len);
	else
		EXPECT_EQ(err, e) TH_LOG("off %zu len %zu: %s", off, len,
					 strerror(e));
	EXPECT_EQ(0U, mappings(fd));
}

TEST_F(ring, mmap_private_einval)
{
	expect_mmap_fails(_metadata, self->fd, 0, self->info.ring_map_size,
			  PROT_READ | PROT_WRITE, MAP_PRIVATE, EINVAL);
	expect_mmap_fails(_metadata, self->fd, 0, self->pg, PROT_READ,
			  MAP_PRIVATE, EINVAL);
}

TEST_F(ring, mmap_prot_exec_eperm)
{
	expect_mmap_fails(_metadata, self->fd, 0, self->info.ring_map_size,
			  PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED, EPERM);
	expect_mmap_fails(_metadata, self->fd, self->pg, self->pg,
			  PROT_READ | PROT_EXEC, MAP_SHARED, EPERM);
}

TEST_F(ring, mmap_offset_beyond_einval)
{
	size_t end = self->info.ring_map_size;

	expect_mmap_fails(_metadata, self->fd, end, self->pg,
			  PROT_READ | PROT_WRITE, MAP_SHARED, EINVAL);
	expect_mmap_fails(_metadata, self->fd, end + 64 * self->pg, self->pg,
			  PROT_READ, MAP_SHARED, EINVAL);
	expect_mmap_fails(_metadata, self->fd, (size_t)1 << 40, self->pg,
			  PROT_READ, MAP_SHARED, EINVAL);
}

TEST_F(ring, mmap_length_beyond_einval)
{
	size_t end = self->info.ring_map_size;

	expect_mmap_fails(_metadata, self->fd, 0, end + self->pg,
			  PROT_READ | PROT_WRITE, MAP_SHARED, EINVAL);
	expect_mmap_fails(_metadata, self->fd, 0, 4 * end,
			  PROT_READ | PROT_WRITE, MAP_SHARED, EINVAL);
}

TEST_F(ring, mmap_straddle_end_einval)
{
	size_t end = self->info.ring_map_size;

	expect_mmap_fails(_metadata, self->fd, end - self->pg, 2 * self->pg,
			  PROT_READ | PROT_WRITE, MAP_SHARED, EINVAL);
	expect_mmap_fails(_metadata, self->fd, self->pg, end,
			  PROT_READ | PROT_WRITE, MAP_SHARED, EINVAL);
	/* ...while the same lengths at the right offsets work */
	EXPECT_NE(NULL, map_all(self));
}

TEST_F(ring, mprotect_add_exec_refused)
{
	unsigned char *m = map_all(self);

	ASSERT_NE(NULL, m);
	EXPECT_EQ(-1, mprotect(m, self->info.ring_map_size,
			       PROT_READ | PROT_WRITE | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(m + self->pg, self->pg, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	/* dropping and re-adding write is fine, and the mapping still works */
	EXPECT_EQ(0, mprotect(m, self->info.ring_map_size, PROT_READ));
	EXPECT_EQ(0, mprotect(m, self->info.ring_map_size,
			      PROT_READ | PROT_WRITE));
	m[self->pg] = 0x5a;
	EXPECT_EQ(0x5a, m[self->pg + DSIZE(self)]);
}

/* Attach an O_RDONLY file of the device to @name (RDWR access); fd/-errno. */
static int attach_rdonly_file(const char *name)
{
	int fd = open(IPCCHAN_DEVICE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return ipcchan_test_attach_fd(fd, name, 0, IPCCHAN_ACCESS_RDWR, 0);
}

/*
 * A file opened O_RDONLY maps MAP_SHARED read-only (do_mmap() clears
 * VM_SHARED there, keeping VM_MAYSHARE) and sees the live pages; writing
 * is the kernel's EACCES, MAP_PRIVATE still ours (EINVAL).
 */
TEST_F(ring, mmap_rdonly_file_shared_read)
{
	struct ipcchan_ring_hdr *h, *ro;
	unsigned char *m;
	void *p;
	int fd;

	m = map_all(self);
	ASSERT_NE(NULL, m);
	h = HDR(self);
	fd = attach_rdonly_file(self->name);
	ASSERT_LE(0, fd) TH_LOG("attach: %s", strerror(-fd));
	__atomic_store_n(&h->prod.pos, 0x1238, __ATOMIC_RELEASE);
	m[self->pg + 5] = 0xa5;

	p = mmap(NULL, self->info.ring_map_size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	ro = p;
	EXPECT_EQ(0x1238ULL, __atomic_load_n(&ro->prod.pos, __ATOMIC_ACQUIRE));
	EXPECT_EQ(0xa5, ((unsigned char *)p)[self->pg + 5]);
	EXPECT_EQ(0xa5, ((unsigned char *)p)[self->pg + DSIZE(self) + 5]);
	EXPECT_EQ(2U, mappings(self->fd));
	/* the pages are live: a later store through the writer shows */
	__atomic_store_n(&h->cons.pos, 0x40, __ATOMIC_RELEASE);
	EXPECT_EQ(0x40ULL, __atomic_load_n(&ro->cons.pos, __ATOMIC_ACQUIRE));
	EXPECT_EQ(-1, mprotect(p, self->info.ring_map_size,
			       PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, self->info.ring_map_size);
	munmap(self->map, self->info.ring_map_size);
	self->map = NULL;

	expect_mmap_fails(_metadata, fd, 0, self->pg, PROT_READ, MAP_PRIVATE,
			  EINVAL);
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	if (p != MAP_FAILED)
		munmap(p, self->pg);
	close(fd);
}

TEST_F(ring, mremap_grow_refused)
{
	size_t len = self->info.ring_map_size;
	unsigned char *m = map_all(self);
	void *small, *p;

	ASSERT_NE(NULL, m);
	/* 6.1 refuses growth of a VM_DONTEXPAND mapping with EFAULT */
	p = mremap(m, len, len + self->pg, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EFAULT, errno);
	p = mremap(m, len, len + self->pg, 0);
	EXPECT_EQ(MAP_FAILED, p);
	/* not even within the region: map one page, try to make it two */
	small = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED,
		     self->fd, 0);
	ASSERT_NE(MAP_FAILED, small);
	p = mremap(small, self->pg, 2 * self->pg, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(2U, mappings(self->fd));
	EXPECT_EQ(0, munmap(small, self->pg));
	/* the original mapping is intact */
	m[len - 1] = 7;
	EXPECT_EQ(7, m[self->pg + DSIZE(self) - 1]);
}

TEST_F(ring, mremap_move_and_shrink_keep_count)
{
	size_t len = self->info.ring_map_size;
	unsigned char *m = map_all(self), *hole, *n;

	ASSERT_NE(NULL, m);
	m[self->pg] = 0x42;
	/* moving (same size) is not growth: allowed, still one VMA */
	hole = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	n = mremap(m, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
	ASSERT_EQ(hole, n) TH_LOG("mremap move: %s", strerror(errno));
	self->map = n;
	EXPECT_EQ(1U, mappings(self->fd));
	EXPECT_EQ(0x42, n[self->pg + DSIZE(self)]);
	/* shrinking to the header page and the first copy */
	n = mremap(n, len, self->pg + DSIZE(self), 0);
	ASSERT_EQ(self->map, n);
	EXPECT_EQ(1U, mappings(self->fd));
	EXPECT_EQ(0x42, n[self->pg]);
	EXPECT_EQ(0, munmap(n, self->pg + DSIZE(self)));
	self->map = NULL;
	EXPECT_EQ(0U, mappings(self->fd));
}

TEST_F(ring, partial_mappings_at_page_offsets)
{
	size_t total = self->info.ring_map_size / self->pg, off, i;
	unsigned char *m = map_all(self), *p;

	ASSERT_NE(NULL, m);
	/* a distinct byte at the start and end of every page of the region */
	for (i = 0; i < 1 + DSIZE(self) / self->pg; i++) {
		m[i * self->pg] = (unsigned char)(0x10 + i);
		m[(i + 1) * self->pg - 1] = (unsigned char)(0x80 + i);
	}
	for (off = 0; off < total; off++) {
		size_t len;

		/* [off, end) and [off, off + 1) */
		for (len = 1; len <= total - off; len += total - off - 1) {
			p = mmap(NULL, len * self->pg, PROT_READ | PROT_WRITE,
				 MAP_SHARED, self->fd, off * self->pg);
			ASSERT_NE(MAP_FAILED, p) TH_LOG("off %zu len %zu: %s",
							off, len,
							strerror(errno));
			EXPECT_EQ(0, memcmp(p, m + off * self->pg,
					    len * self->pg))
				TH_LOG("page offset %zu differs", off);
			/* a write through the partial view shows in the full one */
			p[len * self->pg - 2] = (unsigned char)off;
			EXPECT_EQ((unsigned char)off,
				  m[(off + len) * self->pg - 2]);
			munmap(p, len * self->pg);
			if (total - off == 1)
				break;
		}
	}
	EXPECT_EQ(1U, mappings(self->fd));
}

/* --- contents and geometry ------------------------------------------------ */

TEST(fresh_ring_pages_zero)
{
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_info info;
	int round, fd;

	IPCCHAN_REQUIRE_DEV();
	/*
	 * Dirty a ring, free it, and create new ones: whatever pages they get
	 * (quite likely the ones just freed) must read as zero everywhere.
	 */
	for (round = 0; round < 4; round++) {
		unsigned char *m;

		fd = create_ring(name, sizeof(name), "zero", 16);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ipcchan_test_info(fd, &info));
		m = mmap(NULL, info.ring_map_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, m);
		EXPECT_TRUE(ipcchan_all_zero(m, info.ring_map_size))
			TH_LOG("round %d: a fresh ring is not all zero", round);
		memset(m, 0xa5, info.ring_map_size);
		munmap(m, info.ring_map_size);
		close(fd);
		EXPECT_EQ(0, ipcchan_test_unlink(name));
	}
}

TEST_F(ring, data_area_double_mapped)
{
	unsigned char *d;
	__u64 i, D = DSIZE(self);

	ASSERT_NE(NULL, map_all(self));
	d = DATA(self);
	for (i = 0; i < D; i++)
		d[i] = pat(1, (__u32)i);
	for (i = 0; i < D; i++)
		if (d[D + i] != pat(1, (__u32)i))
			break;
	EXPECT_EQ(D, i) TH_LOG("second copy differs at %llu",
			       (unsigned long long)i);
	for (i = 0; i < D; i++)
		d[D + i] = pat(2, (__u32)i);
	for (i = 0; i < D; i++)
		if (d[i] != pat(2, (__u32)i))
			break;
	EXPECT_EQ(D, i) TH_LOG("first copy differs at %llu",
			       (unsigned long long)i);
	/* the header page is not part of the data area */
	EXPECT_TRUE(ipcchan_all_zero(self->map, self->pg));
}

TEST_F(ring, info_ring_fields)
{
	struct ipcchan_info info;

	POISON(info);
	ASSERT_EQ(0, ipcchan_ioctl(self->fd, IPCCHAN_IOC_INFO, &info));
	EXPECT_EQ((__u32)self->pg, info.mod.page_size);
	EXPECT_TRUE(info.mod.features & IPCCHAN_FEAT_RING);
	EXPECT_LE((__u32)RING_PAGES, info.mod.ring_pages_max);
	EXPECT_EQ((__u32)RING_PAGES, info.ring_pages);
	EXPECT_EQ(0ULL, info.ring_hdr_offset);
	EXPECT_EQ((__u64)self->pg, info.ring_data_offset);
	EXPECT_EQ((__u64)RING_PAGES * self->pg, info.ring_data_size);
	EXPECT_EQ(info.ring_data_offset + 2 * info.ring_data_size,
		  info.ring_map_size);
	EXPECT_EQ(0U, info.mappings);
	EXPECT_EQ(256UL, sizeof(struct ipcchan_ring_hdr));
	EXPECT_EQ(128UL, offsetof(struct ipcchan_ring_hdr, cons));
	/* every position and waiting flag on a cache line of its own */
	EXPECT_EQ(64UL, offsetof(struct ipcchan_ring_hdr, prod.waiting));
	EXPECT_EQ(192UL, offsetof(struct ipcchan_ring_hdr, cons.waiting));
	EXPECT_GE((__u64)self->pg, sizeof(struct ipcchan_ring_hdr));
}

/* Child of info_mappings_count: unmap one region on cue, then exit. */
struct mc_arg {
	int p2c[2], c2p[2];
	void *addr;
	size_t len;
};

static int mappings_child(void *a)
{
	struct mc_arg *mc = a;
	char c;

	if (read(mc->p2c[0], &c, 1) != 1)
		return 10;
	if (munmap(mc->addr, mc->len))
		return 11;
	if (write(mc->c2p[1], "u", 1) != 1)
		return 12;
	if (read(mc->p2c[0], &c, 1) != 1)
		return 13;
	return 0;
}

TEST_F(ring, info_mappings_count)
{
	size_t pg = self->pg;
	struct mc_arg mc;
	unsigned char *a, *b;
	pid_t pid;
	char c;

	EXPECT_EQ(0U, mappings(self->fd));
	a = map_all(self);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(1U, mappings(self->fd));
	b = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, pg);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_EQ(2U, mappings(self->fd));
	/* punching a hole splits a VMA in two */
	ASSERT_EQ(0, munmap(b + pg, pg));
	EXPECT_EQ(3U, mappings(self->fd));

	ASSERT_EQ(0, pipe(mc.p2c));
	ASSERT_EQ(0, pipe(mc.c2p));
	mc.addr = b;
	mc.len = pg;
	pid = ipcchan_spawn(mappings_child, &mc);
	ASSERT_LT(0, pid);
	/* the child inherited all three */
	EXPECT_EQ(6U, mappings(self->fd));
	ASSERT_EQ(1, write(mc.p2c[1], "g", 1));
	ASSERT_EQ(1, read(mc.c2p[0], &c, 1));
	EXPECT_EQ(5U, mappings(self->fd));
	ASSERT_EQ(1, write(mc.p2c[1], "x", 1));
	EXPECT_EQ(0, ipcchan_reap(pid, 10000));
	EXPECT_EQ(3U, mappings(self->fd));

	EXPECT_EQ(0, munmap(b, pg));
	EXPECT_EQ(0, munmap(b + 2 * pg, pg));
	EXPECT_EQ(1U, mappings(self->fd));
	EXPECT_EQ(0, munmap(a, self->info.ring_map_size));
	self->map = NULL;
	EXPECT_EQ(0U, mappings(self->fd));
	close(mc.p2c[0]);
	close(mc.p2c[1]);
	close(mc.c2p[0]);
	close(mc.c2p[1]);
}

/* --- sharing -------------------------------------------------------------- */

struct fork_arg {
	unsigned char *map;
	__u64 hdr_pg, D;
	int fd, p2c[2], c2p[2];
};

static const char parent_msg[] = "written by the parent before fork";
static const char later_msg[] = "written by the parent after fork";
static const char child_msg[] = "written by the child";

static int fork_child(void *a)
{
	struct fork_arg *fa = a;
	unsigned char *d = fa->map + fa->hdr_pg;
	char c;

	/* inherited mapping, without the fd: the mapping pins the file */
	close(fa->fd);
	if (memcmp(fa->map + 256, parent_msg, sizeof(parent_msg)))
		return 20;
	if (memcmp(d + fa->D + 100, parent_msg, sizeof(parent_msg)))
		return 21;
	if (read(fa->p2c[0], &c, 1) != 1)
		return 22;
	if (memcmp(d + 2000, later_msg, sizeof(later_msg)))
		return 23;
	memcpy(d + fa->D + 3000, child_msg, sizeof(child_msg));
	memcpy(fa->map + 512, child_msg, sizeof(child_msg));
	return 0;
}

TEST_F(ring, fork_child_shares_mapping)
{
	struct fork_arg fa;
	unsigned char *m = map_all(self), *d;
	pid_t pid;

	ASSERT_NE(NULL, m);
	d = DATA(self);
	memcpy(m + 256, parent_msg, sizeof(parent_msg));
	memcpy(d + 100, parent_msg, sizeof(parent_msg));
	fa.map = m;
	fa.hdr_pg = self->pg;
	fa.D = DSIZE(self);
	fa.fd = self->fd;
	ASSERT_EQ(0, pipe(fa.p2c));
	pid = ipcchan_spawn(fork_child, &fa);
	ASSERT_LT(0, pid);
	memcpy(d + DSIZE(self) + 2000, later_msg, sizeof(later_msg));
	ASSERT_EQ(1, write(fa.p2c[1], "g", 1));
	EXPECT_EQ(0, ipcchan_reap(pid, 10000));
	EXPECT_EQ(0, memcmp(d + 3000, child_msg, sizeof(child_msg)));
	EXPECT_EQ(0, memcmp(m + 512, child_msg, sizeof(child_msg)));
	close(fa.p2c[0]);
	close(fa.p2c[1]);
}

/*
 * exec'd roles: an unrelated program that finds the channel by name only,
 * opens its own file and maps its own view of the ring.
 *   --role=ring-recv NAME COUNT	consume and check COUNT records
 *   --role=ring-send NAME COUNT	produce COUNT records
 * Record i has length 1 + i % 97 and bytes pat(i, k).
 */
#define PEER_RECORDS	5000

static int role_main(int argc, char **argv)
{
	struct ipcchan_tring r;
	unsigned char buf[128];
	__u32 i, k, len, count;
	int fd, ret;

	if (argc < 4)
		return 20;
	count = (__u32)atoi(argv[3]);
	fd = ipcchan_test_attach(argv[2], 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 21;
	if (!strcmp(argv[1], "--role=ring-recv")) {
		if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_CONS))
			return 22;
		for (i = 0; i < count; i++) {
			ret = ipcchan_tring_recv(&r, buf, sizeof(buf), &len,
						 10 * SEC);
			if (ret)
				return 23;
			if (len != 1 + i % 97)
				return 24;
			for (k = 0; k < len; k++)
				if (buf[k] != pat(i, k))
					return 25;
		}
		return 0;
	}
	if (!strcmp(argv[1], "--role=ring-send")) {
		if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_PROD))
			return 32;
		for (i = 0; i < count; i++) {
			len = 1 + i % 97;
			for (k = 0; k < len; k++)
				buf[k] = pat(i, k);
			if (ipcchan_tring_send(&r, buf, len, 10 * SEC))
				return 33;
		}
		return 0;
	}
	return 29;
}

static pid_t spawn_role(const char *role, const char *name, int count)
{
	char c[16];
	char *argv[] = { "ipcchan_ring_test", (char *)role, (char *)name, c,
			 NULL };

	snprintf(c, sizeof(c), "%d", count);
	return ipcchan_spawn_self(argv);
}

TEST_F(ring, unrelated_process_consumes)
{
	struct ipcchan_tring r;
	unsigned char buf[128];
	__u32 i, k, len;
	pid_t pid;

	/* the exec'd peer attaches by name and maps the ring on its own */
	pid = spawn_role("--role=ring-recv", self->name, PEER_RECORDS);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ipcchan_tring_map(&r, self->fd, IPCCHAN_RING_PROD));
	for (i = 0; i < PEER_RECORDS; i++) {
		len = 1 + i % 97;
		for (k = 0; k < len; k++)
			buf[k] = pat(i, k);
		ASSERT_EQ(0, ipcchan_tring_send(&r, buf, len, 10 * SEC))
			TH_LOG("record %u", i);
	}
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
	EXPECT_EQ(r.pos, __atomic_load_n(&r.hdr->cons.pos, __ATOMIC_ACQUIRE));
	ipcchan_tring_unmap(&r);
}

TEST_F(ring, unrelated_process_produces)
{
	struct ipcchan_tring r;
	unsigned char buf[128];
	__u32 i, k, len;
	pid_t pid;

	ASSERT_EQ(0, ipcchan_tring_map(&r, self->fd, IPCCHAN_RING_CONS));
	pid = spawn_role("--role=ring-send", self->name, PEER_RECORDS);
	ASSERT_LT(0, pid);
	for (i = 0; i < PEER_RECORDS; i++) {
		ASSERT_EQ(0, ipcchan_tring_recv(&r, buf, sizeof(buf), &len,
						10 * SEC))
			TH_LOG("record %u", i);
		ASSERT_EQ(1 + i % 97, len);
		for (k = 0; k < len; k++)
			ASSERT_EQ(pat(i, k), buf[k]) TH_LOG("record %u byte %u",
							    i, k);
	}
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
	/* nothing more than PEER_RECORDS was produced */
	EXPECT_EQ(r.pos, __atomic_load_n(&r.hdr->prod.pos, __ATOMIC_ACQUIRE));
	ipcchan_tring_unmap(&r);
}

/* --- records across the wrap --------------------------------------------- */

/*
 * Push records of @len bytes through a producer and a consumer (separate
 * mappings of the same ring, one process) until the positions advanced by
 * @bytes: fill the ring, drain it, repeat.  Checks every byte and, for a
 * record that runs past the end of the data area, that its tail is also
 * visible at the start of the first copy.  Returns the records moved, or
 * -1 after logging a failure.
 */
static long push_through(struct __test_metadata *_metadata,
			 struct ipcchan_tring *p, struct ipcchan_tring *c,
			 __u32 len, __u64 bytes, __u64 *seq, long *crossed)
{
	__u64 start = p->pos, D = p->size;
	unsigned char buf[256];
	long moved = 0;
	__u32 k, got;
	int err;

	while (p->pos - start < bytes) {
		__u64 s0 = *seq, s;
		unsigned char *w;

		/* fill: timeout 0 makes a full ring fail at once */
		while ((w = ipcchan_tring_reserve(p, len, 0, &err))) {
			for (k = 0; k < len; k++)
				w[k] = pat(*seq, k);
			ipcchan_tring_commit(p, len);
			(*seq)++;
		}
		if (err != -ETIMEDOUT) {
			TH_LOG("len %u: reserve: %s", len, strerror(-err));
			return -1;
		}
		for (s = s0; s < *seq; s++) {
			__u64 off = c->pos & (D - 1);
			__u64 rs = ipcchan_tring_recsize(len);
			const unsigned char *r;

			r = ipcchan_tring_peek(c, &got, 0, &err);
			if (!r || got != len) {
				TH_LOG("len %u seq %llu: peek %d got %u", len,
				       (unsigned long long)s, err, got);
				return -1;
			}
			for (k = 0; k < len; k++)
				if (r[k] != pat(s, k))
					break;
			if (k != len) {
				TH_LOG("len %u seq %llu: byte %u differs", len,
				       (unsigned long long)s, k);
				return -1;
			}
			if (off + rs > D) {
				/* runs on into the second copy */
				memcpy(buf, c->data + off, D - off);
				memcpy(buf + (D - off), c->data,
				       off + rs - D);
				if (memcmp(buf, (const unsigned char *)r - 8, rs)) {
					TH_LOG("len %u: wrapped record differs in the first copy",
					       len);
					return -1;
				}
				(*crossed)++;
			}
			ipcchan_tring_release(c, len);
			moved++;
		}
		/* the consumer caught up exactly */
		if (c->pos != p->pos) {
			TH_LOG("len %u: positions %llu != %llu", len,
			       (unsigned long long)c->pos,
			       (unsigned long long)p->pos);
			return -1;
		}
	}
	return moved;
}

TEST(wrap_every_alignment)
{
	struct ipcchan_tring p, c;
	char name[IPCCHAN_NAME_MAX];
	long crossed = 0, n;
	__u64 seq = 0;
	__u32 len;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = create_ring(name, sizeof(name), "wrap", 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ipcchan_tring_map(&p, fd, IPCCHAN_RING_PROD));
	ASSERT_EQ(0, ipcchan_tring_map(&c, fd, IPCCHAN_RING_CONS));
	p.spin = c.spin = 0;
	/*
	 * Lengths 1..64 one after the other, each over 3 wraps of a one-page
	 * ring; positions carry over from one length to the next, so records
	 * start at every 8-byte offset and often straddle the end.
	 */
	for (len = 1; len <= 64; len++) {
		n = push_through(_metadata, &p, &c, len, 3 * p.size + 40, &seq,
				 &crossed);
		ASSERT_LT(0, n) TH_LOG("record length %u", len);
	}
	EXPECT_LT(64, crossed);
	/* nothing but the protocol's own calls were needed: nobody slept */
	EXPECT_EQ(0ULL, p.sleeps + c.sleeps);
	ipcchan_tring_unmap(&p);
	ipcchan_tring_unmap(&c);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
}

TEST(wrap_positions_near_2_64)
{
	static const __u32 lens[] = { 1, 7, 8, 13, 56, 57, 64, 200 };
	struct ipcchan_tring p, c;
	char name[IPCCHAN_NAME_MAX];
	long crossed = 0;
	__u64 seq = 0, o;
	unsigned int i;
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = create_ring(name, sizeof(name), "wrap64", 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ipcchan_tring_map(&p, fd, IPCCHAN_RING_PROD));
	ASSERT_EQ(0, ipcchan_tring_map(&c, fd, IPCCHAN_RING_CONS));
	p.spin = c.spin = 0;
	/*
	 * Free-running positions may start anywhere: start at each 8-byte
	 * offset of the last 256 bytes of the data area, just below 2^64, and
	 * run across both the end of the data area and the u64 overflow.
	 */
	for (o = p.size - 256; o <= p.size; o += 8) {
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			__u64 start = (__u64)0 - 2 * p.size + o;

			p.hdr->prod.pos = start;
			p.hdr->cons.pos = start;
			p.pos = c.pos = start;
			ASSERT_LT(0, push_through(_metadata, &p, &c, lens[i],
						  3 * p.size, &seq, &crossed))
				TH_LOG("offset %llu len %u",
				       (unsigned long long)o, lens[i]);
			ASSERT_GT(start, p.pos);	/* it did overflow */
		}
	}
	EXPECT_LT(0, crossed);
	ipcchan_tring_unmap(&p);
	ipcchan_tring_unmap(&c);
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
}

/*
 * A producer killed halfway through a record never published it: the
 * consumer sees nothing, and a new producer carries on from prod.pos.
 */
static int half_writer(void *a)
{
	struct waker_arg *wa = a;
	struct ipcchan_tring r;
	unsigned char *p;
	int fd, err;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 90;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_PROD))
		return 91;
	p = ipcchan_tring_reserve(&r, wa->len, SEC, &err);
	if (!p)
		return 92;
	memset(p, 0xee, wa->len / 2);
	raise(SIGKILL);
	return 93;
}

static int one_writer(void *a)
{
	struct waker_arg *wa = a;
	struct ipcchan_tring r;
	unsigned char buf[256];
	__u32 k;
	int fd;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 94;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_PROD))
		return 95;
	for (k = 0; k < wa->len; k++)
		buf[k] = pat(5, k);
	return ipcchan_tring_send(&r, buf, wa->len, SEC) ? 96 : 0;
}

TEST_F(ring, producer_killed_mid_record_exposes_nothing)
{
	struct waker_arg wa = { self->name, 200 };
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct ipcchan_tring c;
	unsigned char buf[256];
	__u32 len, k;
	pid_t pid;
	int st;

	ASSERT_EQ(0, ipcchan_tring_map(&c, self->fd, IPCCHAN_RING_CONS));
	pid = ipcchan_spawn(half_writer, &wa);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(SIGKILL, WTERMSIG(st));
	EXPECT_EQ(0ULL, __atomic_load_n(&c.hdr->prod.pos, __ATOMIC_ACQUIRE));
	EXPECT_EQ(-ETIMEDOUT, ipcchan_tring_recv(&c, buf, sizeof(buf), &len,
						 100 * MS));
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	pid = ipcchan_spawn(one_writer, &wa);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, ipcchan_reap(pid, 10000));
	ASSERT_EQ(0, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	ASSERT_EQ(wa.len, len);
	for (k = 0; k < len; k++)
		ASSERT_EQ(pat(5, k), buf[k]) TH_LOG("byte %u", k);
	ipcchan_tring_unmap(&c);
}

/* --- RING_WAIT ------------------------------------------------------------ */

TEST_F(ring, wait_returns_at_once_when_position_differs)
{
	long long t0;

	ASSERT_NE(NULL, map_all(self));
	HDR(self)->prod.pos = 8;
	HDR(self)->cons.pos = 16;
	t0 = ipcchan_now_ns();
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD, 0,
					   IPCCHAN_TIMEOUT, 5 * SEC));
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_CONS, 8,
					   IPCCHAN_TIMEOUT, 5 * SEC));
	/* without a timeout too (a hang would hit the harness timeout) */
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD, 16, 0,
					   0));
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_CONS, 8, 0,
					   0));
	EXPECT_GT(SEC, ipcchan_now_ns() - t0);
}

TEST_F(ring, wait_timeout_etimedout)
{
	long long t0, dt;

	ASSERT_NE(NULL, map_all(self));
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD,
						    0, IPCCHAN_TIMEOUT,
						    300 * MS));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(300 * MS, dt);
	EXPECT_GT(300 * MS + SLACK_NS, dt);

	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_CONS,
						    0, IPCCHAN_TIMEOUT,
						    100 * MS));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(100 * MS, dt);
	EXPECT_GT(100 * MS + SLACK_NS, dt);

	/* timeout 0: just check */
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD,
						    0, IPCCHAN_TIMEOUT, 0));
	EXPECT_GT(SLACK_NS, ipcchan_now_ns() - t0);
}

/* A signal interrupts a timed wait with EINTR, SA_RESTART or not. */
static void timed_wait_signal(struct __test_metadata *_metadata, int fd,
			      int restart)
{
	long long t0, dt;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_posix_timers(),
			       "CONFIG_POSIX_TIMERS");
	alarm_in(100, restart);
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-EINTR, ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_PROD, 0,
						IPCCHAN_TIMEOUT, 5 * SEC));
	dt = ipcchan_now_ns() - t0;
	alarm_off();
	EXPECT_EQ(1, got_signal);
	EXPECT_LE(90 * MS, dt);
	EXPECT_GT(100 * MS + SLACK_NS, dt);
}

TEST_F(ring, wait_eintr_on_signal_with_timeout)
{
	ASSERT_NE(NULL, map_all(self));
	timed_wait_signal(_metadata, self->fd, 0);
}

TEST_F(ring, wait_eintr_on_signal_with_timeout_sa_restart)
{
	ASSERT_NE(NULL, map_all(self));
	timed_wait_signal(_metadata, self->fd, 1);
}

TEST_F(ring, wait_untimed_eintr_on_signal)
{
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_posix_timers(),
			       "CONFIG_POSIX_TIMERS");
	ASSERT_NE(NULL, map_all(self));
	alarm_in(100, 0);
	EXPECT_EQ(-EINTR, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_CONS, 0,
						0, 0));
	alarm_off();
	EXPECT_EQ(1, got_signal);
}

TEST_F(ring, wait_untimed_restarts_after_sa_restart_handler)
{
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_posix_timers(),
			       "CONFIG_POSIX_TIMERS");
	ASSERT_NE(NULL, map_all(self));
	/*
	 * The handler moves prod.pos: the restarted wait sees it and returns
	 * 0 (a non-restarted one would have failed with EINTR).
	 */
	signal_store = (volatile __u64 *)&HDR(self)->prod.pos;
	alarm_in(100, 1);
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD, 0, 0, 0));
	alarm_off();
	EXPECT_EQ(1, got_signal);
	EXPECT_EQ(8ULL, HDR(self)->prod.pos);
}

/* A consumer (own file, own mapping) that sleeps at once for one record. */
static int sleepy_consumer(void *a)
{
	struct waker_arg *wa = a;
	struct ipcchan_tring r;
	unsigned char buf[64];
	__u32 len, k;
	int fd, ret;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 40;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_CONS))
		return 41;
	r.spin = 0;
	ret = ipcchan_tring_recv(&r, buf, sizeof(buf), &len, 20 * SEC);
	if (ret)
		return ret == -ETIMEDOUT ? 42 : 43;
	if (len != wa->len)
		return 44;
	for (k = 0; k < len; k++)
		if (buf[k] != pat(77, k))
			return 45;
	if (r.sleeps < 1)
		return 46;
	if (r.hdr->cons.waiting)
		return 47;
	return 0;
}

TEST_F(ring, waiter_flag_path_wakes_sleeping_consumer)
{
	struct ipcchan_ring_rec *rec;
	struct waker_arg wa = { self->name, 21 };
	struct ipcchan_ring_hdr *h;
	long long t0;
	pid_t pid;
	__u32 k;

	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	pid = ipcchan_spawn(sleepy_consumer, &wa);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_asleep_in(pid, 0));
	ASSERT_EQ(1U, __atomic_load_n(&h->cons.waiting, __ATOMIC_ACQUIRE));

	/* the producer: memory writes, release, fence, flag, one notify */
	t0 = ipcchan_now_ns();
	rec = (struct ipcchan_ring_rec *)DATA(self);
	rec->len = wa.len;
	rec->flags = 0;
	for (k = 0; k < wa.len; k++)
		((unsigned char *)(rec + 1))[k] = pat(77, k);
	__atomic_store_n(&h->prod.pos, ipcchan_tring_recsize(wa.len),
			 __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ASSERT_NE(0U, __atomic_load_n(&h->cons.waiting, __ATOMIC_RELAXED));
	EXPECT_EQ(1, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
	EXPECT_GT(5 * SEC, ipcchan_now_ns() - t0);
	EXPECT_EQ(ipcchan_tring_recsize(wa.len),
		  __atomic_load_n(&h->cons.pos, __ATOMIC_ACQUIRE));
}

/* A producer that fills the ring, then sleeps for room for one more. */
static int sleepy_producer(void *a)
{
	struct waker_arg *wa = a;
	struct ipcchan_tring r;
	unsigned char buf[64];
	int fd, ret;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 50;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_PROD))
		return 51;
	r.spin = 0;
	memset(buf, 0x3c, sizeof(buf));
	while (!(ret = ipcchan_tring_send(&r, buf, wa->len, 0)))
		;
	if (ret != -ETIMEDOUT || r.pos != r.size)
		return 52;
	ret = ipcchan_tring_send(&r, buf, wa->len, 20 * SEC);
	if (ret)
		return ret == -ETIMEDOUT ? 53 : 54;
	if (r.sleeps < 1)
		return 55;
	return 0;
}

TEST_F(ring, waiter_flag_path_wakes_sleeping_producer)
{
	struct waker_arg wa = { self->name, 56 };	/* 64-byte records */
	struct ipcchan_ring_hdr *h;
	pid_t pid;

	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	pid = ipcchan_spawn(sleepy_producer, &wa);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_asleep_in(pid, 0));
	ASSERT_EQ(DSIZE(self), __atomic_load_n(&h->prod.pos, __ATOMIC_ACQUIRE));
	ASSERT_EQ(1U, __atomic_load_n(&h->prod.waiting, __ATOMIC_ACQUIRE));
	/* the consumer frees one record: release, fence, flag, one notify */
	__atomic_store_n(&h->cons.pos, ipcchan_tring_recsize(wa.len),
			 __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ASSERT_NE(0U, __atomic_load_n(&h->prod.waiting, __ATOMIC_RELAXED));
	EXPECT_EQ(1, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_CONS));
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
	EXPECT_EQ(DSIZE(self) + ipcchan_tring_recsize(wa.len),
		  __atomic_load_n(&h->prod.pos, __ATOMIC_ACQUIRE));
}

struct plain_wait_arg {
	const char *name;
	__u32 which;
	__u64 expected;
	__s64 timeout_ns;
	int expect;	/* the result the child must get */
};

/* RING_WAIT on its own file (no mapping needed), exit 0 on the expected result. */
static int plain_waiter(void *a)
{
	struct plain_wait_arg *pw = a;
	int fd, ret;

	fd = ipcchan_test_attach(pw->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 60;
	ret = ipcchan_ring_wait_ioc(fd, pw->which, pw->expected,
				    IPCCHAN_TIMEOUT, pw->timeout_ns);
	if (ret != pw->expect)
		return ret == -ETIMEDOUT ? 61 : ret == 0 ? 62 : 63;
	close(fd);
	return 0;
}

TEST_F(ring, notify_returns_number_of_waiters)
{
	struct plain_wait_arg pw = { self->name, IPCCHAN_RING_PROD, 0,
				     20 * SEC, 0 };
	pid_t pid[3];
	int i;

	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_CONS));
	for (i = 0; i < 3; i++) {
		pid[i] = ipcchan_spawn(plain_waiter, &pw);
		ASSERT_LT(0, pid[i]);
	}
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, wait_asleep_in(pid[i], 0));
	/* nobody waits on the other position */
	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_CONS));
	/* a notify wakes them even though the position did not move */
	EXPECT_EQ(3, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, ipcchan_reap(pid[i], 10000)) TH_LOG("waiter %d", i);
	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
}

/* --- RING_WAIT / RING_NOTIFY validation: one bad field per variant ------- */

FIXTURE(wait_inval) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
};

FIXTURE_VARIANT(wait_inval) {
	__u32 which;
	__u32 flags;
	__s64 timeout_ns;
	__u64 reserved0;
	__u64 reserved1;
	int err;
};

/* The valid baseline: a position that already differs returns at once. */
FIXTURE_VARIANT_ADD(wait_inval, valid_baseline) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT,
	.timeout_ns = SEC, .err = 0,
};
FIXTURE_VARIANT_ADD(wait_inval, valid_untimed_baseline) {
	.which = IPCCHAN_RING_CONS, .err = 0,
};
FIXTURE_VARIANT_ADD(wait_inval, which_2) {
	.which = 2, .flags = IPCCHAN_TIMEOUT, .timeout_ns = SEC,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, which_all_ones) {
	.which = ~0U, .flags = IPCCHAN_TIMEOUT, .timeout_ns = SEC,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, flag_nonblock) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_NONBLOCK, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, flag_nonblock_with_timeout) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_NONBLOCK | IPCCHAN_TIMEOUT,
	.timeout_ns = SEC, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, flag_unknown_bit2) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT | (1U << 2),
	.timeout_ns = SEC, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, flag_unknown_bit31) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT | (1U << 31),
	.timeout_ns = SEC, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, negative_timeout) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT,
	.timeout_ns = -1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, timeout_without_flag) {
	.which = IPCCHAN_RING_PROD, .timeout_ns = SEC, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, reserved0_nonzero) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT,
	.timeout_ns = SEC, .reserved0 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(wait_inval, reserved1_nonzero) {
	.which = IPCCHAN_RING_PROD, .flags = IPCCHAN_TIMEOUT,
	.timeout_ns = SEC, .reserved1 = 1ULL << 63, .err = EINVAL,
};

FIXTURE_SETUP(wait_inval)
{
	IPCCHAN_REQUIRE_DEV();
	self->fd = create_ring(self->name, sizeof(self->name), "winv", 1);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(wait_inval)
{
	close(self->fd);
	ipcchan_test_unlink(self->name);
}

TEST_F(wait_inval, ring_wait)
{
	struct ipcchan_ring_wait rw;

	memset(&rw, 0, sizeof(rw));
	rw.which = variant->which;
	rw.flags = variant->flags;
	/* positions are 0: a valid call returns 0 at once, never sleeps */
	rw.expected = 12345;
	rw.timeout_ns = variant->timeout_ns;
	rw.reserved[0] = variant->reserved0;
	rw.reserved[1] = variant->reserved1;
	EXPECT_EQ(-variant->err, ipcchan_ioctl(self->fd, IPCCHAN_IOC_RING_WAIT,
					       &rw));
}

FIXTURE(notify_inval) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
};

FIXTURE_VARIANT(notify_inval) {
	__u32 which;
	__u32 reserved0;
	__u64 reserved1;
	__u64 reserved2;
	int err;
};

FIXTURE_VARIANT_ADD(notify_inval, valid_prod) {
	.which = IPCCHAN_RING_PROD, .err = 0,
};
FIXTURE_VARIANT_ADD(notify_inval, valid_cons) {
	.which = IPCCHAN_RING_CONS, .err = 0,
};
FIXTURE_VARIANT_ADD(notify_inval, which_2) {
	.which = 2, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(notify_inval, which_all_ones) {
	.which = ~0U, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(notify_inval, reserved0_nonzero) {
	.reserved0 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(notify_inval, reserved_0_nonzero) {
	.reserved1 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(notify_inval, reserved_1_nonzero) {
	.reserved2 = 1ULL << 63, .err = EINVAL,
};

FIXTURE_SETUP(notify_inval)
{
	IPCCHAN_REQUIRE_DEV();
	self->fd = create_ring(self->name, sizeof(self->name), "ninv", 1);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(notify_inval)
{
	close(self->fd);
	ipcchan_test_unlink(self->name);
}

TEST_F(notify_inval, ring_notify)
{
	struct ipcchan_ring_notify rn;

	memset(&rn, 0, sizeof(rn));
	rn.which = variant->which;
	rn.reserved0 = variant->reserved0;
	rn.reserved[0] = variant->reserved1;
	rn.reserved[1] = variant->reserved2;
	/* valid: nobody waits, 0 woken */
	EXPECT_EQ(-variant->err, ipcchan_ioctl(self->fd,
					       IPCCHAN_IOC_RING_NOTIFY, &rn));
}

TEST(ring_ioctls_unattached_enotconn)
{
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = open(IPCCHAN_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTCONN, ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_PROD, 1,
						   IPCCHAN_TIMEOUT, SEC));
	EXPECT_EQ(-ENOTCONN, ipcchan_ring_notify_ioc(fd, IPCCHAN_RING_PROD));
	close(fd);
}

TEST(ring_ioctls_no_ring_enxio)
{
	char name[IPCCHAN_NAME_MAX];
	int fd;

	IPCCHAN_REQUIRE_DEV();
	fd = create_ring(name, sizeof(name), "noring", 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENXIO, ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_PROD, 1,
						IPCCHAN_TIMEOUT, SEC));
	EXPECT_EQ(-ENXIO, ipcchan_ring_wait_ioc(fd, IPCCHAN_RING_CONS, 0, 0, 0));
	EXPECT_EQ(-ENXIO, ipcchan_ring_notify_ioc(fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(-ENXIO, ipcchan_ring_notify_ioc(fd, IPCCHAN_RING_CONS));
	close(fd);
	EXPECT_EQ(0, ipcchan_test_unlink(name));
}

/* --- lifetime: unmap / close / unlink in every order ---------------------- */

FIXTURE(order) {
	char name[IPCCHAN_NAME_MAX];
	int fd;
	unsigned char *map;
	size_t map_size;
};

FIXTURE_VARIANT(order) {
	const char *ops;	/* 'm' munmap, 'c' close, 'u' unlink */
};

FIXTURE_VARIANT_ADD(order, unmap_close_unlink) { .ops = "mcu" };
FIXTURE_VARIANT_ADD(order, unmap_unlink_close) { .ops = "muc" };
FIXTURE_VARIANT_ADD(order, close_unmap_unlink) { .ops = "cmu" };
FIXTURE_VARIANT_ADD(order, close_unlink_unmap) { .ops = "cum" };
FIXTURE_VARIANT_ADD(order, unlink_unmap_close) { .ops = "umc" };
FIXTURE_VARIANT_ADD(order, unlink_close_unmap) { .ops = "ucm" };

FIXTURE_SETUP(order)
{
	IPCCHAN_REQUIRE_DEV();
	self->fd = -1;
}

FIXTURE_TEARDOWN(order)
{
	if (self->map)
		munmap(self->map, self->map_size);
	if (self->fd >= 0)
		close(self->fd);
	ipcchan_test_unlink(self->name);
}

/* Check the ring through the mapping alone: contents, double map, writes. */
static void check_mapping(struct __test_metadata *_metadata,
			  unsigned char *m, size_t pg, size_t D, int round)
{
	size_t i;

	for (i = 0; i < D; i += 61)
		if (m[pg + i] != pat(round, (__u32)i) ||
		    m[pg + D + i] != pat(round, (__u32)i))
			break;
	EXPECT_LE(D, i) TH_LOG("round %d: data lost at %zu", round, i);
	for (i = 0; i < D; i += 61)
		m[pg + D + i] = pat(round + 1, (__u32)i);
	for (i = 0; i < D; i += 61)
		if (m[pg + i] != pat(round + 1, (__u32)i))
			break;
	EXPECT_LE(D, i) TH_LOG("round %d: write not seen at %zu", round, i);
}

TEST_F(order, data_valid_while_mapped)
{
	struct ipcchan_info info;
	long long base;
	size_t pg = getpagesize(), D, i;
	int step, mapped = 1, named = 1, open_ = 1;

	base = live_channels();
	ASSERT_LE(0, base);
	self->fd = create_ring(self->name, sizeof(self->name), "order", 2);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ipcchan_test_info(self->fd, &info));
	self->map_size = info.ring_map_size;
	D = info.ring_data_size;
	self->map = mmap(NULL, self->map_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	for (i = 0; i < D; i += 61)
		self->map[pg + i] = pat(0, (__u32)i);
	EXPECT_EQ(base + 1, live_channels());

	for (step = 0; step < 3; step++) {
		switch (variant->ops[step]) {
		case 'm':
			ASSERT_EQ(0, munmap(self->map, self->map_size));
			self->map = NULL;
			mapped = 0;
			break;
		case 'c':
			ASSERT_EQ(0, close(self->fd));
			self->fd = -1;
			open_ = 0;
			break;
		case 'u':
			ASSERT_EQ(0, ipcchan_test_unlink(self->name));
			named = 0;
			break;
		}
		if (mapped)
			check_mapping(_metadata, self->map, pg, D, step);
		if (open_) {
			ASSERT_EQ(0, ipcchan_test_info(self->fd, &info));
			EXPECT_EQ((__u32)mapped, info.mappings);
			EXPECT_EQ(named ? 0U : IPCCHAN_STATE_UNLINKED,
				  info.state & IPCCHAN_STATE_UNLINKED);
		}
		if (!named) {
			int fd = ipcchan_test_attach(self->name, 0,
						     IPCCHAN_ACCESS_RDWR, 0);

			EXPECT_EQ(-ENOENT, fd);
			if (fd >= 0)
				close(fd);
		}
		/* alive until the last of mapping, file and name is gone */
		EXPECT_EQ(base + (step < 2), live_channels())
			TH_LOG("after step %d (%c)", step, variant->ops[step]);
	}
}

TEST_F(ring, unlink_while_mapped_keeps_ring_usable)
{
	struct ipcchan_tring p, c;
	char buf[32];
	__u32 len;
	int i, fd2;

	ASSERT_EQ(0, ipcchan_tring_map(&p, self->fd, IPCCHAN_RING_PROD));
	ASSERT_EQ(0, ipcchan_tring_map(&c, self->fd, IPCCHAN_RING_CONS));
	ASSERT_EQ(0, ipcchan_tring_send(&p, "before", 7, SEC));
	ASSERT_EQ(0, ipcchan_test_unlink(self->name));
	/* the name is free again: a new channel gets its own, zeroed ring */
	fd2 = ipcchan_test_attach_sz(self->name, IPCCHAN_CREATE | IPCCHAN_EXCL,
				     IPCCHAN_ACCESS_RDWR, 0600, 0, 0, 1);
	ASSERT_LE(0, fd2);
	{
		struct ipcchan_tring n;

		ASSERT_EQ(0, ipcchan_tring_map(&n, fd2, IPCCHAN_RING_CONS));
		EXPECT_TRUE(ipcchan_all_zero(n.map, n.map_size));
		ipcchan_tring_unmap(&n);
	}
	close(fd2);
	EXPECT_EQ(0, ipcchan_test_unlink(self->name));

	/* the unlinked ring still carries records, waits and notifies */
	ASSERT_EQ(0, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	EXPECT_EQ(7U, len);
	EXPECT_STREQ("before", buf);
	for (i = 0; i < 2000; i++) {
		ASSERT_EQ(0, ipcchan_tring_send(&p, &i, sizeof(i), SEC));
		ASSERT_EQ(0, ipcchan_tring_recv(&c, buf, sizeof(buf), &len,
						SEC));
		ASSERT_EQ(sizeof(i), len);
		ASSERT_EQ(0, memcmp(buf, &i, sizeof(i)));
	}
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD,
						    p.pos, IPCCHAN_TIMEOUT,
						    10 * MS));
	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	ipcchan_tring_unmap(&p);
	ipcchan_tring_unmap(&c);
}

/*
 * A peer sleeps in RING_WAIT with no mapping of its own while the parent
 * unmaps (and unlinks); the kernel still reads the header page safely.
 */
static int unmapped_waiter(void *a)
{
	struct plain_wait_arg *pw = a;
	struct ipcchan_tring r;
	int fd, ret;

	fd = ipcchan_test_attach(pw->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 70;
	if (ipcchan_tring_map(&r, fd, IPCCHAN_RING_CONS))
		return 71;
	ipcchan_tring_unmap(&r);
	ret = ipcchan_ring_wait_ioc(fd, pw->which, pw->expected,
				    IPCCHAN_TIMEOUT, pw->timeout_ns);
	if (ret != pw->expect)
		return ret == -ETIMEDOUT ? 72 : ret == 0 ? 73 : 74;
	/* still attached after all that: the ring is still there */
	if (ipcchan_ring_notify_ioc(fd, IPCCHAN_RING_CONS) != 0)
		return 75;
	close(fd);
	return 0;
}

TEST_F(ring, munmap_while_peer_waits_then_notify)
{
	struct plain_wait_arg pw = { self->name, IPCCHAN_RING_PROD, 0,
				     20 * SEC, 0 };
	pid_t pid;

	/* the child first, so that it inherits no mapping of ours */
	pid = ipcchan_spawn(unmapped_waiter, &pw);
	ASSERT_LT(0, pid);
	ASSERT_NE(NULL, map_all(self));
	ASSERT_EQ(0, wait_asleep_in(pid, 0));
	EXPECT_EQ(1U, mappings(self->fd));
	ASSERT_EQ(0, munmap(self->map, self->info.ring_map_size));
	self->map = NULL;
	EXPECT_EQ(0U, mappings(self->fd));
	ASSERT_EQ(0, ipcchan_test_unlink(self->name));
	EXPECT_EQ(1, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
}

TEST_F(ring, munmap_close_unlink_while_peer_waits_times_out)
{
	struct plain_wait_arg pw = { self->name, IPCCHAN_RING_CONS, 0,
				     1500 * MS, -ETIMEDOUT };
	long long base = live_channels();
	pid_t pid;

	pid = ipcchan_spawn(unmapped_waiter, &pw);
	ASSERT_LT(0, pid);
	ASSERT_NE(NULL, map_all(self));
	ASSERT_EQ(0, wait_asleep_in(pid, 0));
	EXPECT_EQ(1U, mappings(self->fd));
	/* everything of ours goes away while the peer sleeps */
	ASSERT_EQ(0, munmap(self->map, self->info.ring_map_size));
	self->map = NULL;
	EXPECT_EQ(0U, mappings(self->fd));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, ipcchan_test_unlink(self->name));
	EXPECT_EQ(base, live_channels());	/* the sleeper keeps it alive */
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
	EXPECT_EQ(base - 1, live_channels());
}

/* --- a hostile peer scribbles over the header ------------------------------ */

static __u64 rnd64(__u64 *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

TEST_F(ring, garbage_header_gives_errors_not_hangs)
{
	struct ipcchan_tring p, c;
	struct ipcchan_ring_hdr *h;
	struct ipcchan_ring_rec *rec;
	struct pollfd pfd;
	__u64 s = 0x1234567, i;
	unsigned char buf[64];
	long long t0, dt;
	__u32 len;

	ASSERT_EQ(0, ipcchan_tring_map(&p, self->fd, IPCCHAN_RING_PROD));
	ASSERT_EQ(0, ipcchan_tring_map(&c, self->fd, IPCCHAN_RING_CONS));
	h = p.hdr;

	/* a huge producer position */
	h->prod.pos = ~0ULL;
	h->cons.pos = 0;
	EXPECT_EQ(-EIO, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	p.pos = h->prod.pos;
	EXPECT_EQ(-EIO, ipcchan_tring_send(&p, "x", 1, SEC));
	t0 = ipcchan_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD,
						    ~0ULL, IPCCHAN_TIMEOUT,
						    200 * MS));
	dt = ipcchan_now_ns() - t0;
	EXPECT_LE(200 * MS, dt);
	EXPECT_GT(200 * MS + SLACK_NS, dt);
	EXPECT_EQ(0, ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_PROD, 0,
					   IPCCHAN_TIMEOUT, 5 * SEC));
	EXPECT_EQ(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	pfd.fd = self->fd;
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);

	/* the consumer ahead of the producer */
	h->prod.pos = 0;
	h->cons.pos = 64;
	c.pos = 64;
	p.pos = 0;
	EXPECT_EQ(-EIO, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	EXPECT_EQ(-EIO, ipcchan_tring_send(&p, "x", 1, SEC));

	/* a record whose length runs past what was published */
	h->prod.pos = 16;
	h->cons.pos = 0;
	c.pos = 0;
	rec = (struct ipcchan_ring_rec *)c.data;
	rec->len = 0xffffffffU;
	EXPECT_EQ(-EIO, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	rec->len = 9;
	EXPECT_EQ(-EIO, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));
	rec->len = 8;
	EXPECT_EQ(0, ipcchan_tring_recv(&c, buf, sizeof(buf), &len, SEC));

	/* random bytes over the whole header page, many times */
	for (i = 0; i < 200; i++) {
		__u64 *w = (__u64 *)p.map;
		size_t k;
		int ret;

		for (k = 0; k < self->pg / 8; k++)
			w[k] = rnd64(&s);
		c.pos = h->cons.pos;
		p.pos = h->prod.pos;
		ret = ipcchan_tring_recv(&c, buf, sizeof(buf), &len, 0);
		EXPECT_TRUE(ret == -EIO || ret == -EMSGSIZE || ret == 0 ||
			    ret == -ETIMEDOUT) TH_LOG("recv: %d", ret);
		ret = ipcchan_tring_send(&p, "x", 1, 0);
		EXPECT_TRUE(ret == -EIO || ret == 0 || ret == -ETIMEDOUT)
			TH_LOG("send: %d", ret);
		EXPECT_EQ(-ETIMEDOUT,
			  ipcchan_ring_wait_ioc(self->fd, IPCCHAN_RING_CONS,
						h->cons.pos, IPCCHAN_TIMEOUT,
						MS));
		EXPECT_LE(0, ipcchan_ring_notify_ioc(self->fd, i & 1));
		EXPECT_LE(0, poll(&pfd, 1, 0));
	}
	ipcchan_tring_unmap(&p);
	ipcchan_tring_unmap(&c);
}

/* Scribble random values over prod/cons/waiting until killed. */
static int scribbler(void *a)
{
	struct ipcchan_ring_hdr *h = a;
	__u64 s = (__u64)getpid() * 7919 + 1;

	for (;;) {
		__u64 v = rnd64(&s);

		switch (v & 3) {
		case 0:
			__atomic_store_n(&h->prod.pos, v, __ATOMIC_RELAXED);
			break;
		case 1:
			__atomic_store_n(&h->cons.pos, v >> (v & 63),
					 __ATOMIC_RELAXED);
			break;
		case 2:
			__atomic_store_n(&h->prod.waiting, (__u32)v,
					 __ATOMIC_RELAXED);
			break;
		default:
			memset((char *)h + (v >> 8) % 128, (int)v, 8);
			break;
		}
	}
	return 0;
}

TEST_F(ring, garbage_writer_concurrent_with_kernel_reads)
{
	long long end, t0, dt, worst = 0;
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	__u64 s = 99, calls = 0;
	pid_t pid;
	int ret;

	ASSERT_NE(NULL, map_all(self));
	pid = ipcchan_spawn(scribbler, self->map);
	ASSERT_LT(0, pid);
	end = ipcchan_now_ns() + 2 * SEC;
	while (ipcchan_now_ns() < end) {
		__u32 which = rnd64(&s) & 1;

		t0 = ipcchan_now_ns();
		ret = ipcchan_ring_wait_ioc(self->fd, which, rnd64(&s),
					    IPCCHAN_TIMEOUT, 5 * MS);
		dt = ipcchan_now_ns() - t0;
		if (dt > worst)
			worst = dt;
		ASSERT_TRUE(ret == 0 || ret == -ETIMEDOUT) TH_LOG("wait: %d",
								  ret);
		ASSERT_LE(0, ipcchan_ring_notify_ioc(self->fd, which));
		ASSERT_LE(0, poll(&pfd, 1, 0));
		calls++;
	}
	kill(pid, SIGKILL);
	ipcchan_reap(pid, 10000);
	EXPECT_GT(5 * MS + SLACK_NS, worst);
	EXPECT_LT(10ULL, calls);
	TH_LOG("%llu wait/notify/poll rounds, slowest wait %lld us",
	       (unsigned long long)calls, worst / 1000);
}

/* --- poll ------------------------------------------------------------------ */

TEST_F(ring, poll_pollin_iff_positions_differ)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct ipcchan_ring_hdr *h;
	int ep;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_epoll(), "CONFIG_EPOLL");
	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);	/* empty queue, empty ring */
	h->prod.pos = 8;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents);
	h->cons.pos = 8;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	h->cons.pos = 4096;	/* any difference counts, even a bogus one */
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 0));
	h->cons.pos = 8;
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	close(ep);
}

static int poller(void *a)
{
	struct waker_arg *wa = a;
	struct pollfd pfd;
	long long t0;
	int fd, ret;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return 80;
	pfd.fd = fd;
	pfd.events = POLLIN;
	t0 = ipcchan_now_ns();
	ret = poll(&pfd, 1, 20000);
	if (ret != 1)
		return ret == 0 ? 81 : 82;
	if (!(pfd.revents & POLLIN))
		return 83;
	if (ipcchan_now_ns() - t0 > 10 * SEC)
		return 84;
	return 0;
}

TEST_F(ring, poll_woken_by_notify)
{
	struct waker_arg wa = { self->name, 0 };
	struct ipcchan_ring_hdr *h;
	pid_t pid;

	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	pid = ipcchan_spawn(poller, &wa);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_asleep_in(pid, 1));
	/* a record appears in memory; the notify is what wakes the poller */
	((struct ipcchan_ring_rec *)DATA(self))->len = 0;
	__atomic_store_n(&h->prod.pos, ipcchan_tring_recsize(0),
			 __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	EXPECT_LE(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(0, ipcchan_reap(pid, 20000));
}

/*
 * EPOLLWRBAND, the producer's event: at least half the data area is free
 * (prod.pos - cons.pos <= D / 2, unsigned), whatever the queue does.
 */
TEST_F(ring, poll_wrband_iff_half_free)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLWRBAND };
	struct epoll_event ev = { .events = EPOLLWRBAND }, out;
	struct ipcchan_ring_hdr *h;
	__u64 d;
	int ep;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_epoll(), "CONFIG_EPOLL");
	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	d = DSIZE(self);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLWRBAND, pfd.revents);		/* empty */
	h->prod.pos = d / 2;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLWRBAND, pfd.revents);	/* exactly half */
	h->prod.pos = d / 2 + 8;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);			/* less than half */
	h->prod.pos = d;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);			/* full */
	h->cons.pos = d / 2;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLWRBAND, pfd.revents);
	/* free-running: the same near 2^64 */
	h->prod.pos = -(__u64)8;
	h->cons.pos = -(__u64)8 - d / 2;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLWRBAND, pfd.revents);
	h->cons.pos = -(__u64)16 - d / 2;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	/* a consumer ahead of the producer (corrupt) is no room */
	h->prod.pos = 0;
	h->cons.pos = 8;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	/*
	 * epoll looks again only after a wake-up: RING_NOTIFY(CONS) is the
	 * one for this event, RING_NOTIFY(PROD) (EPOLLIN's) is not.
	 */
	h->cons.pos = 0;
	EXPECT_LE(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_PROD));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	EXPECT_LE(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_CONS));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ((__u32)EPOLLWRBAND, out.events);
	close(ep);
}

/* What a producer-side poller child reports through its exit status. */
#define PW_OK		0
#define PW_TIMEOUT	81	/* slept the whole 3 s */
#define PW_ERROR	82
#define PW_EVENTS	83	/* returned without EPOLLWRBAND */

struct wrband_arg {
	const char *name;
	int epoll;	/* epoll_wait() instead of poll() */
};

/*
 * A producer whose ring is full sleeps in poll(2) or epoll_wait() for
 * EPOLLWRBAND, with a 3 s timeout, on a file of its own.
 */
static int wrband_poller(void *a)
{
	struct wrband_arg *wa = a;
	struct epoll_event ev = { .events = EPOLLWRBAND }, out;
	struct pollfd pfd;
	unsigned int got;
	int fd, ep, ret;

	fd = ipcchan_test_attach(wa->name, 0, IPCCHAN_ACCESS_RDWR, 0);
	if (fd < 0)
		return PW_ERROR;
	if (wa->epoll) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			return PW_ERROR;
		ret = epoll_wait(ep, &out, 1, 3000);
		got = out.events;
	} else {
		pfd.fd = fd;
		pfd.events = POLLWRBAND;
		ret = poll(&pfd, 1, 3000);
		got = pfd.revents;
	}
	if (ret == 0)
		return PW_TIMEOUT;
	if (ret != 1)
		return PW_ERROR;
	return got == EPOLLWRBAND ? PW_OK : PW_EVENTS;
}

/*
 * The ring is full; the consumer (this process) frees it and announces it
 * with RING_NOTIFY(CONS): the sleeping producer returns at once with
 * EPOLLWRBAND, long before its 3 s timeout.
 */
static void wrband_woken_by_cons_notify(struct __test_metadata *_metadata,
					FIXTURE_DATA(ring) *self, int epoll)
{
	struct wrband_arg wa = { self->name, epoll };
	struct ipcchan_ring_hdr *h;
	long long t0, dt;
	pid_t pid;
	int ret;

	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_epoll(), "CONFIG_EPOLL");
	ASSERT_NE(NULL, map_all(self));
	h = HDR(self);
	/* full: the consumer is one whole data area behind */
	h->prod.pos = 2 * DSIZE(self);
	h->cons.pos = DSIZE(self);
	pid = ipcchan_spawn(wrband_poller, &wa);
	ASSERT_LT(0, pid);
	if (epoll)
		ret = ipcchan_wait_in_syscall(pid, SYS_epoll_wait,
					      SYS_epoll_pwait, 0, 10000);
	else
		ret = wait_asleep_in(pid, 1);
	if (ret == -ENOENT)
		usleep(500000);
	else
		ASSERT_EQ(0, ret);
	/* the consumer takes every record, then announces it */
	t0 = ipcchan_now_ns();
	__atomic_store_n(&h->cons.pos, 2 * DSIZE(self), __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	EXPECT_LE(0, ipcchan_ring_notify_ioc(self->fd, IPCCHAN_RING_CONS));
	ret = ipcchan_reap(pid, 20000);
	dt = ipcchan_now_ns() - t0;
	EXPECT_EQ(PW_OK, ret);
	/* 3 s is the poller's timeout; TCG wakes in well under a second */
	EXPECT_GT(2 * SEC, dt);
	TH_LOG("woken %lld us after RING_NOTIFY(CONS)", dt / 1000);
}

TEST_F(ring, poll_wrband_woken_by_cons_notify)
{
	wrband_woken_by_cons_notify(_metadata, self, 0);
}

TEST_F(ring, epoll_wrband_woken_by_cons_notify)
{
	wrband_woken_by_cons_notify(_metadata, self, 1);
}

/* --- module lifetime -------------------------------------------------------- */

static int module_refcnt(void)
{
	FILE *f = fopen("/sys/module/ipcchan/refcnt", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

TEST(rmmod_refused_while_mapped_after_close)
{
	char name[IPCCHAN_NAME_MAX];
	struct ipcchan_info info;
	unsigned char *m;
	int fd, ret;

	IPCCHAN_REQUIRE_DEV();
	IPCCHAN_SKIP_UNLESS(geteuid() == 0, "needs root");
	IPCCHAN_REQUIRE_KERNEL(ipcchan_have_module_unload(),
			       "CONFIG_MODULE_UNLOAD");
	IPCCHAN_SKIP_UNLESS(module_refcnt() == 0,
			    "someone else holds the module (refcnt %d)",
			    module_refcnt());
	fd = create_ring(name, sizeof(name), "rmmod", 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ipcchan_test_info(fd, &info));
	m = mmap(NULL, info.ring_map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[info.ring_data_offset] = 42;
	/* no name, no fd: only the mapping is left */
	ASSERT_EQ(0, ipcchan_test_unlink(name));
	ASSERT_EQ(0, close(fd));
	EXPECT_LE(1, module_refcnt());
	ret = syscall(SYS_delete_module, "ipcchan", O_NONBLOCK);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, access("/sys/module/ipcchan", F_OK));
	/* the mapping still works */
	EXPECT_EQ(42, m[info.ring_data_offset + info.ring_data_size]);
	ASSERT_EQ(0, munmap(m, info.ring_map_size));
	/* ...and it was the only thing holding the module */
	EXPECT_EQ(0, module_refcnt());
}

IPCCHAN_HARNESS_MAIN(role_main)
