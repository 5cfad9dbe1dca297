// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan shared ring mapping tests: mmap refusals and their errno, page
 * contents and the double-mapped data area, INFO's ring fields and mapping
 * count, sharing across fork() and between unrelated (exec'd) processes,
 * unmap/close/unlink in every order, and rmmod refusal while a mapping
 * exists.  The other ring tests: ipcchan_ring_data_test.c (records across
 * the wrap, a hostile peer scribbling over the header),
 * ipcchan_ring_wait_test.c (RING_WAIT / RING_NOTIFY, poll),
 * ipcchan_ring_stress_test.c (the long two-process stream) and
 * ipcchan_ring_perm_test.c (who may map, wait and notify).
 *
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
#include "ipcchan_ring_fixture.h"

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

/* --- module lifetime -------------------------------------------------------- */

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
	IPCCHAN_SKIP_UNLESS(ipcchan_module_refcnt() == 0,
			    "someone else holds the module (refcnt %d)",
			    ipcchan_module_refcnt());
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
	EXPECT_LE(1, ipcchan_module_refcnt());
	ret = syscall(SYS_delete_module, "ipcchan", O_NONBLOCK);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, access("/sys/module/ipcchan", F_OK));
	/* the mapping still works */
	EXPECT_EQ(42, m[info.ring_data_offset + info.ring_data_size]);
	ASSERT_EQ(0, munmap(m, info.ring_map_size));
	/* ...and it was the only thing holding the module */
	EXPECT_EQ(0, ipcchan_module_refcnt());
}

IPCCHAN_HARNESS_MAIN(role_main)
